/**
 * A backfill killed half-way (SIGKILL: no chance to clean up) and run again
 * ends with exactly what one uninterrupted backfill stores, and the second
 * run asks the API only for what the first did not finish.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { runCli, tempDir } from './helpers.js';
import { canonicalDump, inspect, integrity, runs, simEnv, startUpw, waitFor, writeConfig } from './support/upw-process.js';

const TODAY = '2026-03-15';
const NOW = `${TODAY}T12:00:00Z`;
const ARGS = ['--since', '2025-09-01', '--until', TODAY];

let sim: Simulator;
const dir = tempDir();
let config: string;
const env = () => simEnv(sim, { UPW_NOW: NOW });
const requests = () => sim.stats.requests;

beforeAll(async () => {
  sim = await startSimulator({
    seed: 5,
    now: () => new Date(NOW),
    profiles: [
      { username: 'alpha', platforms: ['instagram', 'facebook', 'youtube', 'bluesky'] },
      { username: 'beta', platforms: ['tiktok', 'x', 'pinterest', 'threads', 'reddit'] },
    ],
  });
  // One piece at a time, each answer a little slow: a kill lands between pieces or inside one.
  config = writeConfig(dir, { profiles: [{ username: 'alpha' }, { username: 'beta' }], concurrency: 1, posts: { track: false } });
});

afterAll(async () => {
  await sim?.close();
});

describe('a backfill killed half-way', () => {
  it('rerun, ends with the same database content as one uninterrupted backfill and makes fewer API calls', async () => {
    const whole = join(dir, 'whole.sqlite');
    sim.stats.reset();
    const straight = await runCli(['backfill', '--config', config, '--db', whole, ...ARGS], { env: env() });
    expect(straight.code).toBe(0);
    const straightCalls = requests();

    sim.setLatency(120);
    const killed = join(dir, 'killed.sqlite');
    sim.stats.reset();
    const child = startUpw(['backfill', '--config', config, '--db', killed, ...ARGS], env(), dir);
    // Half-way: some platforms' histories are in, others are not.
    const doneBeforeKill = await waitFor('three history imports to be committed', () =>
      inspect(killed, (db) => {
        const n = db.prepare("SELECT count(*) FROM backfill_progress WHERE step = 'snapshots'").pluck().get() as number;
        return n >= 3 ? n : undefined;
      }),
    );
    child.child.kill('SIGKILL');
    expect((await child.exited).signal).toBe('SIGKILL');
    sim.setLatency(0);

    expect(integrity(killed)).toBe('ok');
    const progressAfterKill = inspect(killed, (db) => db.prepare("SELECT count(*) FROM backfill_progress WHERE step = 'snapshots'").pluck().get() as number);
    expect(progressAfterKill).toBeGreaterThanOrEqual(doneBeforeKill);
    expect(progressAfterKill).toBeLessThan(9);
    expect(runs(killed).map((r) => r.status)).toEqual(['running']);

    sim.stats.reset();
    const rerun = await runCli(['backfill', '--config', config, '--db', killed, ...ARGS, '--json'], { env: env() });
    expect(rerun.code).toBe(0);
    const summary = JSON.parse(rerun.stdout) as { imported: number; skipped: number };
    // 2 profiles' analytics + 9 platform histories in all; what the killed run finished is skipped.
    expect(summary.skipped).toBeGreaterThanOrEqual(2 + progressAfterKill);
    expect(summary.imported + summary.skipped).toBe(11);
    expect(requests()).toBeLessThan(straightCalls);

    expect(canonicalDump(killed)).toEqual(canonicalDump(whole));
    // The killed run is closed as abandoned by the next one, which finished ok.
    expect(runs(killed).map((r) => [r.status, r.message?.startsWith('abandoned') ?? false])).toEqual([
      ['failed', true],
      ['ok', false],
    ]);
  });
});
