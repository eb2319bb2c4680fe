/**
 * Issue 11, item 1: each answer is filed under the server's day (the day of
 * its Date header in serverTimezone), whatever zone the schedule runs in and
 * whatever UPW_NOW says; `upw collect` run as a user runs it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { runCli, tempDir } from './helpers.js';
import { compact, liveText } from './support/parity.js';
import { falseNumbers } from './support/truth-checks.js';
import { inspect, runs, simEnv, writeConfig } from './support/upw-process.js';
import { instantAt } from './support/zones.js';
import { openWarehouse } from '../src/store/warehouse.js';

const dir = tempDir('upw-server-day-');
let sim: Simulator;
let clock = new Date('2026-03-01T00:00:00Z');

beforeAll(async () => {
  sim = await startSimulator({
    seed: 12,
    now: () => clock,
    rateLimitPerMinute: Number.POSITIVE_INFINITY,
    profiles: [
      { username: 'east', platforms: ['instagram', 'x', 'youtube'] },
      { username: 'west', platforms: ['facebook', 'tiktok'] },
    ],
  });
});

afterAll(async () => {
  await sim?.close();
});

/** `upw collect` at `at` (UPW_NOW and the simulator's clock alike). */
async function collectAt(config: string, db: string, at: Date): Promise<void> {
  clock = at;
  const r = await runCli(['collect', '--config', config, '--db', db], { env: simEnv(sim, { UPW_NOW: at.toISOString() }) });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

const daysHeld = (db: string, profile: string) =>
  inspect(db, (d) => d.prepare('SELECT platform, group_concat(day) AS days FROM (SELECT d.platform, d.day FROM daily_impressions d JOIN profiles p ON p.id = d.profile_id WHERE p.username = ? ORDER BY 1, 2) GROUP BY platform').raw().all(profile));

/** Offline (`upw impressions --json`) against live, as text, at `at`. */
async function expectParity(db: string, profile: string, args: Record<string, string>): Promise<void> {
  const flags = Object.entries(args).flatMap(([k, v]) => (v === 'true' ? [`--${k.replace('_', '-')}`] : [`--${k.replace('_', '-')}`, v]));
  const r = await runCli(['impressions', profile, '--db', db, '--json', ...flags], { env: { UPW_NOW: clock.toISOString() } });
  expect(r.code).toBe(0);
  expect(compact(r.stdout)).toBe((await liveText(sim, profile, args)).text);
}

describe('a collect east of UTC (Asia/Tokyo, the default 03:00 tick)', () => {
  it("files each answer under the server's day, the day before Tokyo's, and counts no day twice", async () => {
    const db = join(dir, 'east.sqlite');
    const config = writeConfig(dir, { profiles: [{ username: 'east' }], timezone: 'Asia/Tokyo', serverTimezone: 'UTC', posts: { track: false } }, 'east.config.mjs');
    // 03:00 in Tokyo is 18:00 UTC the day before.
    for (const local of ['2026-03-05', '2026-03-06', '2026-03-07']) await collectAt(config, db, instantAt(local, '03:00', 'Asia/Tokyo'));
    const server = ['2026-03-04', '2026-03-05', '2026-03-06'];
    expect(daysHeld(db, 'east')).toEqual(['instagram', 'x', 'youtube'].map((p) => [p, server.join(',')]));
    expect(runs(db).map((r) => r.day)).toEqual(server);
    const wh = openWarehouse(db, { readonly: true });
    expect(falseNumbers(wh, sim)).toEqual([]);
    wh.close();
    await expectParity(db, 'east', { start_date: '2026-03-04', end_date: '2026-03-06', breakdown: 'true' });
    await expectParity(db, 'east', { period: 'last_day', metrics: 'likes,impressions,reach', breakdown: 'true' });
  });
});

describe('a collect west of UTC (America/Los_Angeles, in the evening)', () => {
  it("files the answer under the server's next day, and a later backfill of the same days finds nothing to revise", async () => {
    const db = join(dir, 'west.sqlite');
    const config = writeConfig(dir, { profiles: [{ username: 'west', facebookPageId: '1234567890' }], timezone: 'America/Los_Angeles', posts: { track: false } }, 'west.config.mjs');
    // 20:00 in Los Angeles (PST) is 04:00 UTC the next day.
    for (const local of ['2026-03-05', '2026-03-06']) await collectAt(config, db, instantAt(local, '20:00', 'America/Los_Angeles'));
    expect(daysHeld(db, 'west')).toEqual([['facebook', '2026-03-06,2026-03-07'], ['tiktok', '2026-03-06,2026-03-07']]);
    const r = await runCli(['backfill', '--config', config, '--db', db, '--since', '2026-03-01'], { env: simEnv(sim, { UPW_NOW: clock.toISOString() }) });
    expect(r.code).toBe(0);
    // The collected days were the server's own: re-reading them changes no value.
    inspect(db, (d) => expect(d.prepare('SELECT count(*) FROM value_revisions r JOIN series s ON s.id = r.series_id WHERE s.kind = ?').pluck().get('snapshot')).toBe(0));
    await expectParity(db, 'west', { start_date: '2026-03-01', end_date: '2026-03-07', breakdown: 'true' });
  });
});

describe('UPW_NOW', () => {
  it("in the past, moves no live answer to that past day: a real-clock server's answer is filed under its own day", async () => {
    const real = await startSimulator({ seed: 3, rateLimitPerMinute: Number.POSITIVE_INFINITY, profiles: [{ username: 'now', platforms: ['x', 'instagram'] }] });
    try {
      const db = join(dir, 'now.sqlite');
      const config = writeConfig(dir, { profiles: [{ username: 'now' }], posts: { track: false } }, 'now.config.mjs');
      const r = await runCli(['collect', '--config', config, '--db', db], { env: simEnv(real, { UPW_NOW: '2026-01-10T12:00:00Z' }) });
      expect(r.code).toBe(0);
      // The server's day of the answer, as the server logged it (not this test's clock: midnight may pass).
      const answered = real.requests().find((q) => q.route === 'analytics')!.day;
      expect(answered).not.toBe('2026-01-10');
      expect(daysHeld(db, 'now')).toEqual([['instagram', answered], ['x', answered]]);
      const wh = openWarehouse(db, { readonly: true });
      expect(falseNumbers(wh, real)).toEqual([]);
      wh.close();
    } finally {
      await real.close();
    }
  });

  it('malformed, is bad input (exit 2) for every command, before any warehouse is made', async () => {
    const db = join(dir, 'never.sqlite');
    const config = writeConfig(dir, { profiles: [{ username: 'east' }], posts: { track: false } }, 'never.config.mjs');
    for (const args of [['collect', '--config', config], ['backfill', '--config', config], ['daemon', '--config', config], ['status'], ['impressions', 'east']]) {
      const r = await runCli([...args, '--db', db], { env: simEnv(sim, { UPW_NOW: 'yesterday at noon' }) });
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr, args[0]).toContain('UPW_NOW: "yesterday at noon" is not an ISO instant');
    }
    expect(existsSync(db)).toBe(false);
  });
});
