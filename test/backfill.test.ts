/**
 * `upw backfill` as a real process against the simulator: what it stores is
 * the server's own daily snapshots, the local query then answers every range
 * inside it as the live endpoint does, and a rerun asks for nothing twice.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, eachDay } from '../src/dates.js';
import { totalImpressions } from '../src/query/impressions.usecases.js';
import { startSimulator, type Platform, type Simulator } from '../src/simulator/index.js';
import { openWarehouse } from '../src/store/warehouse.js';
import { runCli, tempDir } from './helpers.js';
import './support/json-text.js';
import { canonicalDump, counted, importable, inspect, runs, simEnv, storedCount, storedSnapshot, writeConfig } from './support/upw-process.js';

const TODAY = '2026-03-15';
const NOW = `${TODAY}T12:00:00Z`;
const SINCE = '2025-12-01';
const PROFILES = {
  alpha: ['instagram', 'facebook', 'youtube', 'bluesky', 'reddit'],
  beta: ['tiktok', 'x', 'pinterest', 'threads', 'linkedin'],
  // Created inside the range: the server has nothing before 2026-01-10.
  gamma: ['instagram', 'bluesky'],
} satisfies Record<string, Platform[]>;

let sim: Simulator;
const dir = tempDir();
const db = join(dir, 'w.sqlite');
let config: string;
const env = () => simEnv(sim, { UPW_NOW: NOW });

beforeAll(async () => {
  sim = await startSimulator({
    seed: 11,
    now: () => new Date(NOW),
    profiles: [
      { username: 'alpha', platforms: PROFILES.alpha },
      { username: 'beta', platforms: PROFILES.beta },
      { username: 'gamma', platforms: PROFILES.gamma, createdAt: '2026-01-10T08:00:00Z' },
    ],
  });
  // alpha's Facebook with its page id, as the docs want (without one, each run warns).
  config = writeConfig(dir, { profiles: Object.keys(PROFILES).map((username) => ({ username, ...(username === 'alpha' && { facebookPageId: '1234567890' }) })), posts: { track: false } });
  const r = await runCli(['backfill', '--config', config, '--db', db, '--since', SINCE, '--until', TODAY], { env: env() });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(new RegExp(`^backfill run 1 for ${SINCE}…${TODAY}: ok — 15 imported, 0 already complete, 0 failed`));
});

afterAll(async () => {
  await sim?.close();
});

describe('upw backfill', () => {
  it("stores every day's server snapshot of every profile and platform over --since…--until", () => {
    inspect(db, (d) => {
      for (const [profile, platforms] of Object.entries(PROFILES)) {
        for (const platform of platforms) {
          for (const day of eachDay(SINCE, addDays(TODAY, -1))) {
            expect(storedSnapshot(d, profile, platform, day), `${profile}/${platform} ${day}`).toEqual(importable(sim, profile, platform, day));
            expect(storedCount(d, profile, platform, day), `${profile}/${platform} ${day} count`).toBe(counted(sim, profile, platform, day));
          }
          // Today is the analytics answer's own reading: every field of the snapshot, not just the queryable ones.
          expect(storedSnapshot(d, profile, platform, TODAY)).toEqual(sim.world.snapshot(profile, platform, TODAY));
        }
      }
      expect(d.prepare("SELECT count(*) FROM v_daily_metrics WHERE profile_username = 'gamma' AND day < '2026-01-10'").pluck().get()).toBe(0);
      expect(d.prepare('SELECT count(*) FROM v_daily_metrics WHERE day < ?').pluck().get(SINCE)).toBe(0);
      // Step 1: the analytics endpoint's 30 days of time series for every platform.
      const series = d.prepare("SELECT profile_username || '/' || platform AS key, count(*) AS n FROM v_timeseries WHERE series = 'reach' GROUP BY key").all();
      expect(series).toHaveLength(12);
      for (const s of series as { n: number }[]) expect(s.n).toBe(30);
    });
    const [run] = runs(db);
    // Every profile it imported whole shows as ok (what upw status prints for the run).
    expect(run).toMatchObject({ kind: 'backfill', status: 'ok', since: SINCE, until: TODAY, day: TODAY, profilesOk: 3, profilesFailed: 0 });
    // Two per platform for the whole range: metrics mode (every field) and default mode (what was counted).
    expect(sim.stats.byRoute['total-impressions']).toBe(12 * 2);
  });

  it('answers every range inside it exactly as the live total-impressions does, with metrics and platform filters', async () => {
    const wh = openWarehouse(db, { readonly: true });
    try {
      const days = eachDay(SINCE, TODAY);
      // A fixed spread of ranges: single days, both ends, gamma's creation day, long and short spans.
      const ranges: [string, string][] = [[SINCE, TODAY], [SINCE, SINCE], [TODAY, TODAY], ['2026-01-09', '2026-01-11'], ['2025-12-31', '2026-02-01']];
      for (let i = 0; i < 20; i++) {
        const a = days[(i * 37) % days.length]!;
        const b = days[(i * 53 + 11) % days.length]!;
        ranges.push(a < b ? [a, b] : [b, a]);
      }
      const modes: Record<string, string>[] = [{}, { breakdown: 'true' }, { metrics: 'likes,followers,reach,views,impressions', breakdown: 'true' }, { platform: 'bluesky,instagram', breakdown: 'true' }, { platform: 'reddit', metrics: 'comments' }];
      for (const profile of Object.keys(PROFILES)) {
        for (const [start, end] of ranges) {
          for (const mode of modes) {
            const query = { start_date: start, end_date: end, ...mode };
            const url = new URL(`${sim.url}/uploadposts/total-impressions/${profile}`);
            for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
            const live = await (await fetch(url, { headers: { Authorization: 'Apikey demo-key' } })).json();
            expect(totalImpressions(wh, profile, { ...query, as_of: TODAY }), `${profile} ${url.search}`).toEqualJsonText(live);
          }
        }
      }
    } finally {
      wh.close();
    }
  });

  it('gives through `upw impressions --json` the same answer as the live endpoint', async () => {
    const r = await runCli(['impressions', 'alpha', '--db', db, '--start-date', '2025-12-20', '--end-date', '2026-03-01', '--metrics', 'likes,comments', '--platform', 'youtube,reddit', '--breakdown', '--json', '--as-of', TODAY], { env: env() });
    expect(r.code).toBe(0);
    const live = await (await fetch(`${sim.url}/uploadposts/total-impressions/alpha?start_date=2025-12-20&end_date=2026-03-01&metrics=likes,comments&platform=youtube,reddit&breakdown=true`, { headers: { Authorization: 'Apikey demo-key' } })).json();
    expect(JSON.parse(r.stdout)).toEqualJsonText(live);
  });

  it('run again the same day, asks for nothing it already has and changes nothing', async () => {
    const before = canonicalDump(db);
    sim.stats.reset();
    const r = await runCli(['backfill', '--config', config, '--db', db, '--since', SINCE, '--until', TODAY, '--json'], { env: env() });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ imported: 0, skipped: 15, failed: 0, run: { status: 'ok', values_written: 0 } });
    expect(sim.stats.byRoute['total-impressions'] ?? 0).toBe(0);
    expect(sim.stats.byRoute.analytics ?? 0).toBe(0);
    expect(canonicalDump(db)).toEqual(before);
  });

  it('a narrower range already covered is skipped too; a wider one asks only for what is new', async () => {
    sim.stats.reset();
    const narrow = await runCli(['backfill', '--config', config, '--db', db, '--since', '2026-01-01', '--until', '2026-02-01', '--json'], { env: env() });
    expect(JSON.parse(narrow.stdout)).toMatchObject({ imported: 0, skipped: 15 });
    expect(sim.stats.byRoute['total-impressions'] ?? 0).toBe(0);
    const wider = await runCli(['backfill', '--config', config, '--db', db, '--since', '2025-11-01', '--until', TODAY, '--profile', 'beta', '--json'], { env: env() });
    expect(JSON.parse(wider.stdout)).toMatchObject({ imported: 5, skipped: 1, failed: 0 });
    expect(sim.stats.byRoute['total-impressions']).toBe(5 * 2);
    inspect(db, (d) => expect(storedSnapshot(d, 'beta', 'x', '2025-11-01')).toEqual(importable(sim, 'beta', 'x', '2025-11-01')));
  });

  it('refuses a day that is not a real day, and a start after the end, with exit 2', async () => {
    const bad = await runCli(['backfill', '--config', config, '--db', db, '--since', '2026-02-30'], { env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since: "2026-02-30" is not a real day');
    const reversed = await runCli(['backfill', '--config', config, '--db', db, '--since', '2026-03-01', '--until', '2026-02-01'], { env: env() });
    expect(reversed.code).toBe(2);
    expect(reversed.stderr).toContain('--since 2026-03-01 is after --until 2026-02-01');
  });
});
