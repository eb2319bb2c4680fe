/**
 * Issue 11, item 3: coverage is per (profile, platform, day), from what is
 * stored. Days one profile missed (a 500 for it alone, one platform failing,
 * a platform that failed on every collection so far, a backfill run by hand
 * for another profile) are listed by `upw status` exactly, repaired by the
 * daemon's catch-up for that profile alone, and gone from `upw status` after.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { runCli, tempDir } from './helpers.js';
import { compact, liveText } from './support/parity.js';
import { runs, simEnv, startUpw, waitFor, within, writeConfig } from './support/upw-process.js';

const dir = tempDir('upw-gaps-');
const db = join(dir, 'w.sqlite');
const PROFILES = { a: ['instagram', 'x'], b: ['instagram', 'x', 'youtube'], c: ['x', 'youtube'] } as const;
let sim: Simulator;
let clock = new Date('2026-03-01T12:00:00Z');
let config: string;
const at = (day: string) => (clock = new Date(`${day}T12:00:00Z`));
const env = () => simEnv(sim, { UPW_NOW: clock.toISOString() });

beforeAll(async () => {
  sim = await startSimulator({ seed: 21, now: () => clock, rateLimitPerMinute: Number.POSITIVE_INFINITY, profiles: Object.entries(PROFILES).map(([username, platforms]) => ({ username, platforms: [...platforms] })) });
  config = writeConfig(dir, { profiles: Object.entries(PROFILES).map(([username, platforms]) => ({ username, platforms })), schedule: '0 0 3 * * *', posts: { track: false } });
});

afterAll(async () => {
  await sim?.close();
});

const status = async () => JSON.parse((await runCli(['status', '--json', '--config', config, '--db', db], { env: env() })).stdout) as { profiles: Array<{ profile: string; days_missing: number; missing: unknown[] }> };

describe('days one profile missed', () => {
  it('are listed exactly by upw status, repaired by the daemon for that profile alone, and listed no more', async () => {
    // 03-01: c's youtube fails (and will fail on every collection until the catch-up).
    sim.faults.add({ kind: 'platformError', profile: 'c', platform: 'youtube', times: Number.POSITIVE_INFINITY });
    at('2026-03-01');
    expect((await runCli(['collect', '--config', config, '--db', db], { env: env() })).code).toBe(5);
    // 03-02: a 500 for a alone (every retry), and b's instagram fails.
    sim.faults.add({ kind: 'http500', route: 'analytics', profile: 'a', day: '2026-03-02', times: Number.POSITIVE_INFINITY });
    sim.faults.add({ kind: 'platformError', profile: 'b', platform: 'instagram', day: '2026-03-02', times: Number.POSITIVE_INFINITY });
    at('2026-03-02');
    expect((await runCli(['collect', '--config', config, '--db', db], { env: env() })).code).toBe(5);
    // 03-03: the collector is down; someone backfills b by hand, from that day.
    at('2026-03-03');
    expect((await runCli(['backfill', '--config', config, '--db', db, '--profile', 'b', '--since', '2026-03-03'], { env: env() })).code).toBe(0);

    at('2026-03-04');
    const before = await status();
    expect(before.profiles.map((p) => [p.profile, p.missing])).toEqual([
      ['a', [{ platform: 'instagram', from: '2026-03-02', to: '2026-03-04' }, { platform: 'x', from: '2026-03-02', to: '2026-03-04' }]],
      ['b', [{ platform: 'instagram', from: '2026-03-02', to: '2026-03-02' }, { platform: 'instagram', from: '2026-03-04', to: '2026-03-04' }, { platform: 'x', from: '2026-03-04', to: '2026-03-04' }, { platform: 'youtube', from: '2026-03-04', to: '2026-03-04' }]],
      ['c', [{ platform: 'x', from: '2026-03-03', to: '2026-03-04' }, { platform: 'youtube', from: '2026-03-01', to: '2026-03-04' }]],
    ]);
    expect(before.profiles.map((p) => p.days_missing)).toEqual([3, 2, 4]);

    sim.clearLog();
    const daemon = startUpw(['daemon', '--config', config, '--db', db], { ...env(), LOG_LEVEL: 'info' }, dir);
    await waitFor('the catch-up to end', () => runs(db).find((r) => r.kind === 'backfill' && r.day === '2026-03-04' && r.status !== 'running'));
    daemon.child.kill('SIGTERM');
    expect(await within('exit after SIGTERM', 10_000, daemon.exited)).toEqual({ code: 0, signal: null });
    // After today's collect (c's youtube failed again), the catch-up asked the server's daily
    // snapshots for exactly the days each profile lacked, in both modes: two calls per piece.
    const asked = sim.requests().filter((r) => r.route === 'total-impressions').map((r) => `${r.profile} ${r.query.platform} ${r.query.start_date}…${r.query.end_date}`);
    const pieces = ['a instagram 2026-03-02…2026-03-03', 'a x 2026-03-02…2026-03-03', 'b instagram 2026-03-02…2026-03-02', 'c x 2026-03-03…2026-03-03', 'c youtube 2026-03-01…2026-03-04'];
    expect(asked.sort()).toEqual(pieces.flatMap((p) => [p, p]));

    const after = await status();
    expect(after.profiles.map((p) => [p.profile, p.days_missing, p.missing])).toEqual([['a', 0, []], ['b', 0, []], ['c', 0, []]]);
    for (const profile of Object.keys(PROFILES)) {
      const q = { start_date: '2026-03-01', end_date: '2026-03-04', breakdown: 'true' };
      const r = await runCli(['impressions', profile, '--db', db, '--json', '--start-date', q.start_date, '--end-date', q.end_date, '--breakdown'], { env: env() });
      expect(compact(r.stdout), profile).toBe((await liveText(sim, profile, q)).text);
    }
  }, 60_000);
});
