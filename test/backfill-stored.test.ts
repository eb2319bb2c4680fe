/**
 * What a backfill's pieces leave in the warehouse, row by row, in process
 * against the simulator: each day's count with the field and type the server
 * counted, the source and the instant the server answered; the values a piece
 * wrote in its books; a day the profile did not exist yet; a day piece with
 * values it cannot read. Expected rows come from the simulator's world (its
 * snapshots and rules), never from the warehouse.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backfill, type BackfillInput } from '../src/backfill/backfill.usecases.js';
import { eachDay } from '../src/dates.js';
import { GOOGLE_BUSINESS_PROFILE, startSimulator, type Platform, type Simulator } from '../src/simulator/index.js';
import { tempDir } from './helpers.js';
import { backfiller, daysHeld, errorsOf, type Backfiller } from './support/backfill.js';
import { captureLogs } from './support/log-capture.js';
import { counted, importable } from './support/upw-process.js';

const NOW = new Date('2026-03-15T12:00:00Z');
/** The simulator's clock is fixed: every answer's Date header says NOW, in Unix seconds. */
const ANSWERED_AT = NOW.getTime() / 1000;
const GB = GOOGLE_BUSINESS_PROFILE.username;

let sim: Simulator;
const dir = tempDir('upw-backfill-stored-');
beforeAll(async () => {
  sim = await startSimulator({
    seed: 29,
    now: () => NOW,
    googleBusiness: true,
    rateLimitPerMinute: Number.POSITIVE_INFINITY,
    profiles: [
      { username: 'alpha', platforms: ['instagram', 'youtube'], createdAt: '2026-03-05T08:00:00Z' },
      { username: 'gamma', platforms: ['bluesky', 'x'], createdAt: '2026-01-01T08:00:00Z' },
    ],
  });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.faults.clear();
  sim.clearLog();
});

const run = (h: Backfiller, input: BackfillInput) => {
  const log = captureLogs('debug');
  return { done: backfill({ ...h.deps, log: log.log }, { now: NOW, ...input }), log };
};

interface CountRow {
  day: string;
  value: number | null;
  primary_field: string | null;
  metric_type: string | null;
  source: string;
  observed_at: number;
}

const countRows = (h: Backfiller, profile: string, platform: string): CountRow[] =>
  h.rows<CountRow>(
    `SELECT d.day, d.value, d.primary_field, d.metric_type, d.source, d.observed_at FROM daily_impressions d JOIN profiles p ON p.id = d.profile_id
     WHERE p.username = ? AND d.platform = ? ORDER BY d.day`,
    profile,
    platform,
  );

/** What the server counted each day, by the field and type of its rule of that day. */
const serverCounts = (profile: string, platform: Platform, since: string, until: string): CountRow[] =>
  eachDay(since, until).map((day) => {
    const rule = sim.world.ruleOn(platform, day);
    return { day, value: counted(sim, profile, platform, day) ?? null, primary_field: rule.primary_impressions_field, metric_type: rule.metric_type, source: 'backfill', observed_at: ANSWERED_AT };
  });

/** Values a piece brings: every queryable field of each day's snapshot. */
const fieldsOf = (profile: string, platform: string, since: string, until: string): number =>
  eachDay(since, until).reduce((n, day) => n + Object.keys(importable(sim, profile, platform, day)).length, 0);

describe('the rows a backfill writes', () => {
  it("keeps each day's count with the server's field and type, as backfill, observed when the server answered, and books the values of each piece", async () => {
    const h = backfiller(dir, sim, NOW, { profiles: [{ username: 'alpha' }, { username: 'gamma' }] });
    const since = '2026-03-08';
    const until = '2026-03-10';
    const { done, log } = run(h, { ranges: [{ since, until }] });
    const s = await done;
    // 2 time series + 4 platforms × 1 range.
    expect([s.run.status, s.imported, s.failed]).toEqual(['ok', 6, 0]);
    for (const [profile, platform] of [['alpha', 'instagram'], ['alpha', 'youtube'], ['gamma', 'bluesky'], ['gamma', 'x']] as const) {
      // Today's row comes from the time series step; the range's from the snapshots.
      expect(countRows(h, profile, platform).filter((r) => r.day <= until), `${profile}/${platform}`).toEqual(serverCounts(profile, platform, since, until));
    }
    // Bluesky counts engagement, which metrics mode cannot bring: named only by the rule the time series stored.
    expect(countRows(h, 'gamma', 'bluesky').filter((r) => r.day <= until).map((r) => r.primary_field)).toEqual(['engagement', 'engagement', 'engagement']);

    const snapshots = h.rows<{ source: string; observed_at: number; n: number }>(
      "SELECT v.source, v.observed_at, count(*) AS n FROM daily_values v JOIN series s ON s.id = v.series_id WHERE s.kind = 'snapshot' AND v.day BETWEEN ? AND ? GROUP BY v.source, v.observed_at",
      since,
      until,
    );
    const all = fieldsOf('alpha', 'instagram', since, until) + fieldsOf('alpha', 'youtube', since, until) + fieldsOf('gamma', 'bluesky', since, until) + fieldsOf('gamma', 'x', since, until);
    expect(snapshots).toEqual([{ source: 'backfill', observed_at: ANSWERED_AT, n: all }]);

    // Each piece's own values, in its progress record and in its log line (pieces run one at a time).
    const pieces = h.rows<{ profile: string; platform: string; values: number }>(
      "SELECT p.username AS profile, b.platform, b.values_written AS \"values\" FROM backfill_progress b JOIN profiles p ON p.id = b.profile_id WHERE b.step = 'snapshots' ORDER BY p.username, b.platform",
    );
    const expected = [
      { profile: 'alpha', platform: 'instagram', values: fieldsOf('alpha', 'instagram', since, until) },
      { profile: 'alpha', platform: 'youtube', values: fieldsOf('alpha', 'youtube', since, until) },
      { profile: 'gamma', platform: 'bluesky', values: fieldsOf('gamma', 'bluesky', since, until) },
      { profile: 'gamma', platform: 'x', values: fieldsOf('gamma', 'x', since, until) },
    ];
    expect(pieces).toEqual(expected);
    const byPiece = (a: { profile: unknown; platform: unknown }, b: { profile: unknown; platform: unknown }) => (`${a.profile}/${a.platform}` < `${b.profile}/${b.platform}` ? -1 : 1);
    expect(log.lines.filter((l) => l.msg === 'history imported').map((l) => ({ profile: l.profile, platform: l.platform, values: l.values })).sort(byPiece)).toEqual(expected);
  });

  it("without a stored rule takes the built-in field and type, breaking YouTube's views/impressions tie; a platform with no built-in rule gets no type", async () => {
    const h = backfiller(dir, sim, NOW, { profiles: [{ username: 'alpha', platforms: ['youtube'] }, { username: GB, platforms: ['google_business'] }] });
    const since = '2026-03-08';
    const until = '2026-03-10';
    // Every day YouTube's views equal its impressions; the built-in rule names impressions.
    for (const day of eachDay(since, until)) expect(importable(sim, 'alpha', 'youtube', day).views).toBe(importable(sim, 'alpha', 'youtube', day).impressions);
    const s = await run(h, { ranges: [{ since, until }], timeseries: false }).done;
    expect([s.run.status, s.imported, s.failed]).toEqual(['ok', 2, 0]);
    expect(countRows(h, 'alpha', 'youtube').map((r) => [r.day, r.primary_field, r.metric_type])).toEqual(eachDay(since, until).map((day) => [day, 'impressions', 'views']));
    // google_business: upw has no built-in rule; the one field that holds the count names it, and the type stays unknown.
    expect(countRows(h, GB, 'google_business').map((r) => [r.day, r.value, r.primary_field, r.metric_type])).toEqual(
      eachDay(since, until).map((day) => [day, counted(sim, GB, 'google_business', day), 'impressions', null]),
    );
  });

  it('a day piece for days before the profile existed is done with nothing stored and no change noted', async () => {
    const h = backfiller(dir, sim, NOW, { profiles: [{ username: 'alpha' }] });
    const day = '2026-03-02'; // alpha's history starts on 5 March
    const gaps = new Map([['alpha', [{ platform: 'instagram', since: day, until: day }, { platform: 'youtube', since: day, until: day }]]]);
    const s = await run(h, { gaps, timeseries: false }).done;
    expect([s.run.status, s.imported, s.failed]).toEqual(['ok', 1, 0]);
    expect([daysHeld(h, 'alpha', 'instagram'), daysHeld(h, 'alpha', 'youtube')]).toEqual([[], []]);
    expect(h.count('SELECT count(*) FROM daily_impressions')).toBe(0);
    expect(h.count('SELECT count(*) FROM run_changes')).toBe(0);
    expect(h.count("SELECT count(*) FROM backfill_progress WHERE step = 'snapshots'")).toBe(2);
  });

  it('a day piece keeps what it can read: fields without their count, a count without any field, and records each bad value by its platform path', async () => {
    const day = '2026-03-12';
    // Instagram's count (reach) cannot be read; every queryable field of Bluesky cannot, but its count (engagement) can.
    sim.world.set('alpha', 'instagram', day, 'reach', -5);
    const blueskyFields = ['followers', 'likes', 'comments', 'shares', 'following']; // the API's metric order
    for (const field of blueskyFields) sim.world.set('gamma', 'bluesky', day, field, -1);
    const h = backfiller(dir, sim, NOW, { profiles: [{ username: 'alpha' }, { username: 'gamma' }] });
    const gaps = new Map([
      ['alpha', [{ platform: 'instagram', since: day, until: day }, { platform: 'youtube', since: day, until: day }]],
      ['gamma', [{ platform: 'bluesky', since: day, until: day }, { platform: 'x', since: day, until: day }]],
    ]);
    const s = await run(h, { gaps, timeseries: false }).done;
    expect([s.run.status, s.imported, s.failed]).toEqual(['partial', 2, 0]);
    expect(h.rows('SELECT profile, platform, field, raw_value FROM run_errors WHERE run_id = ? ORDER BY id', s.run.id)).toEqual([
      { profile: 'alpha', platform: 'instagram', field: 'per_platform.reach.instagram', raw_value: '-5' },
      { profile: 'alpha', platform: 'instagram', field: 'per_platform.instagram', raw_value: '-5' },
      ...blueskyFields.map((f) => ({ profile: 'gamma', platform: 'bluesky', field: `per_platform.${f}.bluesky`, raw_value: '-1' })),
    ]);
    const { reach: _reach, ...readable } = importable(sim, 'alpha', 'instagram', day);
    expect(h.rows("SELECT metric, value FROM v_daily_metrics WHERE profile_username = 'alpha' AND platform = 'instagram' ORDER BY metric")).toEqual(
      Object.entries(readable).map(([metric, value]) => ({ metric, value })),
    );
    expect(countRows(h, 'alpha', 'instagram').map((r) => r.value)).toEqual([null]);
    expect(h.count("SELECT count(*) FROM v_daily_metrics WHERE profile_username = 'gamma' AND platform = 'bluesky'")).toBe(0);
    expect(countRows(h, 'gamma', 'bluesky').map((r) => [r.day, r.value])).toEqual([[day, sim.world.snapshot('gamma', 'bluesky', day)!.engagement]]);
    expect(errorsOf(h, s.run).every(([, , kind]) => kind === 'bad_value')).toBe(true);
  });
});
