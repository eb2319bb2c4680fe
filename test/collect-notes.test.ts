/**
 * Issue 11, item 7: a platform the API says there is nothing to read for
 * (`reddit_unavailable`, "not supported") is a note, not a failure: a daily
 * run with Reddit connected ends ok, and `upw status` shows the API's words.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { runCli, tempDir } from './helpers.js';
import { simEnv, writeConfig } from './support/upw-process.js';

const dir = tempDir('upw-notes-');
const db = join(dir, 'w.sqlite');
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 2, now: () => new Date('2026-03-15T12:00:00Z'), rateLimitPerMinute: Number.POSITIVE_INFINITY, profiles: [{ username: 'r', platforms: ['reddit', 'x'] }] });
});

afterAll(async () => {
  await sim?.close();
});

describe('a profile whose Reddit answers reddit_unavailable', () => {
  it('ends its collect ok with exit 0, and upw status shows the note with the API message, not an error', async () => {
    sim.faults.add({ kind: 'platformUnavailable', platform: 'reddit', times: Number.POSITIVE_INFINITY });
    const config = writeConfig(dir, { profiles: [{ username: 'r' }], posts: { track: false } });
    const env = simEnv(sim, { UPW_NOW: '2026-03-15T12:00:00Z' });
    const r = await runCli(['collect', '--config', config, '--db', db], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^collect run 1 for 2026-03-15: ok — 1 profiles ok, 0 failed; 1 platforms ok, 0 failed;/);

    const status = JSON.parse((await runCli(['status', '--json', '--db', db], { env })).stdout) as { runs: Array<{ status: string }>; errors: unknown[]; notes: Array<Record<string, unknown>> };
    expect(status.runs.map((x) => x.status)).toEqual(['ok']);
    expect(status.errors).toEqual([]);
    expect(status.notes).toMatchObject([{ profile: 'r', platform: 'reddit', kind: 'unavailable', message: 'reddit_unavailable' }]);
    const text = (await runCli(['status', '--db', db], { env })).stdout;
    expect(text).toMatch(/Recent errors:\n {2}none\n/);
    expect(text).toMatch(/Notes \(not failures\):\n.*\n.*\s+r\s+reddit\s+unavailable\s+reddit_unavailable/);
  });
});
