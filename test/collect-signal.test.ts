/**
 * Ctrl-C (SIGINT) during `upw collect` ends the run partial with exit 5,
 * wherever it lands: among the profiles, or in the post tracking after them.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { tempDir } from './helpers.js';
import { runs, simEnv, startUpw, waitFor, within, writeConfig } from './support/upw-process.js';

const NOW = '2026-03-15T12:00:00Z';
let sim: Simulator;
const dir = tempDir('upw-sigint-');

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, now: () => new Date(NOW), latencyMs: 100 });
});
afterAll(() => sim?.close());

describe('SIGINT during upw collect', () => {
  it.each([
    ['among the profiles', 'analytics'],
    ['while the posts are read', 'post-analytics'],
  ])('%s ends the run partial, "stopped early by a signal", with exit 5', async (_where, route) => {
    sim.stats.reset();
    const db = join(dir, `${route}.sqlite`);
    const config = writeConfig(dir, { profiles: 'all', concurrency: 1, posts: { track: true, days: 30 } }, `${route}.mjs`);
    const collect = startUpw(['collect', '--config', config, '--db', db], simEnv(sim, { UPW_NOW: NOW }), dir);
    await waitFor(`a ${route} request`, () => (sim.stats.byRoute[route] ?? 0) > 0);
    collect.child.kill('SIGINT');
    const exit = await within('exit after SIGINT', 15_000, collect.exited);
    expect(exit.code, collect.stderr()).toBe(5);
    expect(collect.stdout()).toMatch(/: partial — .*\(stopped early by a signal\)/);
    expect(runs(db).map((r) => [r.status, r.message])).toEqual([['partial', 'stopped early by a signal']]);
  });
});
