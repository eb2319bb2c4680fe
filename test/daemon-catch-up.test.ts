/**
 * A daemon started after days of downtime: it collects today, fills the days
 * it missed from the server's daily snapshots, closes the run a dead process
 * left open, and a restart the same day asks the API for nothing.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, eachDay } from '../src/dates.js';
import { startSimulator, type Platform, type Simulator } from '../src/simulator/index.js';
import { runCli, tempDir } from './helpers.js';
import { counted, importable, inspect, runs, simEnv, startUpw, storedCount, storedSnapshot, waitFor, within, writeConfig } from './support/upw-process.js';

const TODAY = '2026-03-15';
const LAST_COLLECTED = addDays(TODAY, -5);
const noon = (day: string) => `${day}T12:00:00Z`;
const PROFILES: Record<string, Platform[]> = { alpha: ['instagram', 'youtube', 'bluesky'], beta: ['tiktok', 'facebook'] };

let sim: Simulator;
let clock = new Date(noon(LAST_COLLECTED));
const dir = tempDir();
const db = join(dir, 'w.sqlite');
let config: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 4, now: () => clock, profiles: Object.entries(PROFILES).map(([username, platforms]) => ({ username, platforms })) });
  // A schedule that does not tick during the test: all that happens is the start-up work.
  config = writeConfig(dir, { profiles: Object.entries(PROFILES).map(([username, platforms]) => ({ username, platforms })), schedule: '0 0 3 * * *', posts: { track: false } });
});

afterAll(async () => {
  await sim?.close();
});

describe('upw daemon after days of downtime', () => {
  it('collects today and fills every day it missed from the server snapshots', async () => {
    // The last collection, five days ago; then a process that died mid-run.
    const before = await runCli(['collect', '--config', config, '--db', db], { env: simEnv(sim, { UPW_NOW: noon(LAST_COLLECTED) }) });
    expect(before.code).toBe(0);
    const sqlite = new Database(db);
    sqlite.prepare("INSERT INTO runs (kind, status, day, started_at, pid) VALUES ('collect', 'running', ?, ?, 999999999)").run(addDays(LAST_COLLECTED, 1), new Date().toISOString());
    sqlite.close();

    clock = new Date(noon(TODAY));
    sim.stats.reset();
    const daemon = startUpw(['daemon', '--config', config, '--db', db], simEnv(sim, { UPW_NOW: noon(TODAY), LOG_LEVEL: 'info' }), dir);
    await waitFor('the missed days to be recovered', () => runs(db).find((r) => r.kind === 'backfill' && r.status !== 'running'));
    daemon.child.kill('SIGTERM');
    expect(await within('exit after SIGTERM', 10_000, daemon.exited)).toEqual({ code: 0, signal: null });

    const missed = eachDay(addDays(LAST_COLLECTED, 1), addDays(TODAY, -1));
    expect(runs(db).map((r) => [r.kind, r.status, r.day, r.since, r.until, r.message?.startsWith('abandoned') ?? false])).toEqual([
      ['collect', 'ok', LAST_COLLECTED, null, null, false],
      ['collect', 'failed', missed[0], null, null, true],
      ['collect', 'ok', TODAY, null, null, false],
      ['backfill', 'ok', TODAY, missed[0], missed.at(-1), false],
    ]);
    inspect(db, (d) => {
      for (const [profile, platforms] of Object.entries(PROFILES)) {
        for (const platform of platforms) {
          for (const day of missed) {
            expect(storedSnapshot(d, profile, platform, day), `${profile}/${platform} ${day}`).toEqual(importable(sim, profile, platform, day));
            expect(storedCount(d, profile, platform, day), `${profile}/${platform} ${day} count`).toBe(counted(sim, profile, platform, day));
          }
        }
      }
    });
    // Two total-impressions calls (both modes) per profile and platform for the whole gap: 4 days
    // each, more days than platforms, so one platform at a time is the cheaper way.
    expect(sim.stats.byRoute['total-impressions']).toBe(5 * 2);

    const status = JSON.parse((await runCli(['status', '--json', '--db', db], { env: { UPW_NOW: noon(TODAY) } })).stdout);
    expect(status.profiles.map((p: { profile: string; first_day: string; last_day: string; days_missing: number }) => [p.profile, p.first_day, p.last_day, p.days_missing])).toEqual([
      ['alpha', LAST_COLLECTED, TODAY, 0],
      ['beta', LAST_COLLECTED, TODAY, 0],
    ]);
  }, 45_000);

  it('restarted the same day, finds nothing missing, asks the API for nothing, and stops on SIGINT too', async () => {
    sim.stats.reset();
    const daemon = startUpw(['daemon', '--config', config, '--db', db], simEnv(sim, { UPW_NOW: noon(TODAY), LOG_LEVEL: 'info' }), dir);
    await waitFor('the start-up check', () => daemon.stderr().includes('no missed days to recover') || undefined);
    daemon.child.kill('SIGINT');
    expect(await within('exit after SIGINT', 10_000, daemon.exited)).toEqual({ code: 0, signal: null });
    expect(daemon.stderr()).toContain('today is already collected');
    expect(sim.stats.requests).toBe(0);
    expect(runs(db)).toHaveLength(4);
  }, 30_000);
});
