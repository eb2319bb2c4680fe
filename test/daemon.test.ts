/**
 * `upw daemon` as a real process on a schedule of seconds against the
 * simulator: it collects on start and on each tick, never two collections at
 * once, and a SIGTERM stops it with exit 0, leaving every profile's day whole
 * or absent.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Platform, type Simulator } from '../src/simulator/index.js';
import { runCli, tempDir } from './helpers.js';
import { inspect, integrity, runs, simEnv, startUpw, storedSnapshot, waitFor, within, writeConfig } from './support/upw-process.js';

const TODAY = '2026-03-15';
const NOW = `${TODAY}T12:00:00Z`;
const PROFILES: Record<string, Platform[]> = {
  alpha: ['instagram', 'youtube', 'bluesky'],
  beta: ['tiktok', 'x'],
  gamma: ['facebook', 'linkedin'],
  delta: ['threads', 'pinterest', 'reddit'],
};
const profiles = (names: string[]) => names.map((username) => ({ username, platforms: PROFILES[username] }));

let sim: Simulator;
const dir = tempDir();
const env = (extra: Record<string, string> = {}) => simEnv(sim, { UPW_NOW: NOW, ...extra });

beforeAll(async () => {
  sim = await startSimulator({ seed: 9, now: () => new Date(NOW), profiles: Object.entries(PROFILES).map(([username, platforms]) => ({ username, platforms })) });
});

afterAll(async () => {
  await sim?.close();
});

const finishedCollects = (db: string) => runs(db).filter((r) => r.kind === 'collect' && r.status !== 'running');

describe('upw daemon', () => {
  it('collects at start and on every tick, records each run, and exits 0 on SIGTERM', async () => {
    sim.setLatency(0);
    const db = join(dir, 'ticks.sqlite');
    const config = writeConfig(dir, { profiles: profiles(['alpha', 'beta']), schedule: '*/2 * * * * *', posts: { track: false } }, 'ticks.mjs');
    const daemon = startUpw(['daemon', '--config', config, '--db', db], env(), dir);
    await waitFor('two finished collections', () => finishedCollects(db).length >= 2 || undefined);

    // Another process sees it alive through its heartbeat.
    const seen = JSON.parse((await runCli(['status', '--json', '--db', db], { env: env() })).stdout);
    expect(seen.daemon).toMatchObject({ state: 'running', alive: true, pid: daemon.child.pid, schedule: '*/2 * * * * *', timezone: 'UTC', stopped_at: null });
    expect(new Date(seen.daemon.next_run_at).toISOString()).toBe(seen.daemon.next_run_at);

    daemon.child.kill('SIGTERM');
    const exit = await within('exit after SIGTERM', 10_000, daemon.exited);
    // A tick may land on the start-up collection and be skipped (a warning); nothing may fail.
    expect(daemon.stderr()).not.toMatch(/"level":(50|60)/);
    expect(exit).toEqual({ code: 0, signal: null });
    const collects = finishedCollects(db);
    expect(collects.length).toBeGreaterThanOrEqual(2);
    const all = runs(db);
    for (const r of all.slice(0, -1)) expect(r).toMatchObject({ kind: 'collect', day: TODAY, status: 'ok' });
    // The signal may land inside the last run: then it is cut short, and says so.
    expect([`ok ${null}`, 'partial stopped early by a signal']).toContain(`${all.at(-1)!.status} ${all.at(-1)!.message}`);

    const after = JSON.parse((await runCli(['status', '--json', '--db', db], { env: env() })).stdout);
    expect(after.daemon).toMatchObject({ state: 'stopped', alive: false, next_run_at: null });
    expect(after.runs.length).toBe(runs(db).length);
  }, 45_000);

  it('never starts a collection while a slow one spanning several ticks is still running', async () => {
    sim.setLatency(1_200);
    const db = join(dir, 'slow.sqlite');
    const config = writeConfig(dir, { profiles: profiles(['alpha', 'beta', 'gamma']), schedule: '*/2 * * * * *', concurrency: 1, posts: { track: false } }, 'slow.mjs');
    const daemon = startUpw(['daemon', '--config', config, '--db', db], env({ LOG_LEVEL: 'info' }), dir);
    await waitFor('two finished slow collections', () => finishedCollects(db).length >= 2 || undefined, 40_000);
    daemon.child.kill('SIGTERM');
    expect(await within('exit after SIGTERM', 10_000, daemon.exited)).toEqual({ code: 0, signal: null });
    sim.setLatency(0);

    const all = runs(db);
    expect(all.every((r) => r.status !== 'running')).toBe(true);
    for (let i = 1; i < all.length; i++) {
      expect(Date.parse(all[i]!.started_at), `run ${all[i]!.id} started before run ${all[i - 1]!.id} finished`).toBeGreaterThanOrEqual(Date.parse(all[i - 1]!.finished_at!));
    }
    const skipped = daemon.stderr().split('\n').filter((l) => l.includes('tick skipped: the previous collection is still running'));
    expect(skipped.length).toBeGreaterThan(0);
    expect(JSON.parse(skipped[0]!)).toMatchObject({ level: 40, module: 'daemon' });
  }, 70_000);

  it('on SIGTERM in the middle of a run leaves every profile whole or absent for the day and the file intact', async () => {
    // Slow enough that the signal lands while later profiles have not started.
    sim.setLatency(1_000);
    const db = join(dir, 'mid.sqlite');
    // A schedule that will not tick during the test: the start-up collection is the run to interrupt.
    const config = writeConfig(dir, { profiles: profiles(['alpha', 'beta', 'gamma', 'delta']), schedule: '0 0 3 * * *', concurrency: 1, posts: { track: false } }, 'mid.mjs');
    const daemon = startUpw(['daemon', '--config', config, '--db', db], env(), dir);
    await waitFor('the first profile of the day to be stored', () =>
      inspect(db, (d) => (d.prepare('SELECT count(DISTINCT profile_username) FROM v_daily_metrics WHERE day = ?').pluck().get(TODAY) as number) >= 1 || undefined),
    );
    daemon.child.kill('SIGTERM');
    expect(await within('exit after SIGTERM', 10_000, daemon.exited)).toEqual({ code: 0, signal: null });
    sim.setLatency(0);

    expect(integrity(db)).toBe('ok');
    const states = inspect(db, (d) =>
      Object.entries(PROFILES).map(([profile, platforms]) => {
        const stored = platforms.map((p) => storedSnapshot(d, profile, p, TODAY));
        if (stored.every((s) => Object.keys(s).length === 0)) return 'absent';
        platforms.forEach((p, i) => expect(stored[i], `${profile}/${p}`).toEqual(sim.world.snapshot(profile, p, TODAY)));
        return 'whole';
      }),
    );
    expect(states).toContain('whole');
    expect(states).toContain('absent');
    const [run] = runs(db);
    // Cut short by the signal: not a whole day, so a restart the same day collects again.
    expect(run).toMatchObject({ kind: 'collect', status: 'partial', message: 'stopped early by a signal' });
  }, 45_000);

  // Last in the file: the simulator locks out an address after ten refused attempts.
  it('stops with exit 3 when the API refuses the key, instead of repeating the 401 every tick', async () => {
    const db = join(dir, 'refused.sqlite');
    const config = writeConfig(dir, { profiles: profiles(['alpha']), schedule: '*/2 * * * * *', posts: { track: false } }, 'refused.mjs');
    const daemon = startUpw(['daemon', '--config', config, '--db', db], env({ UPLOAD_POST_API_KEY: 'not-the-key' }), dir);
    expect(await within('exit after the refusal', 10_000, daemon.exited)).toEqual({ code: 3, signal: null });
    expect(daemon.stderr()).toContain('the API refused the key: the daemon stops');
    expect(daemon.stderr()).not.toContain('not-the-key');
    expect(runs(db).map((r) => [r.kind, r.status])).toEqual([['collect', 'failed']]);
  }, 30_000);
});
