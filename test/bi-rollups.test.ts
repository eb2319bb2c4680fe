// v_monthly_impressions: what the server counted, summed per month by triggers as the days
// are written. It must give the totals `upw impressions` gives, whatever wrote the days.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfill } from '../src/backfill/backfill.usecases.js';
import { addDays } from '../src/dates.js';
import { PLATFORMS } from '../src/platforms.js';
import { totalImpressions } from '../src/query/impressions.usecases.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { ensureProfile } from '../src/store/profiles.repository.js';
import { ValueWriter } from '../src/store/values.repository.js';
import { openWarehouse, type Warehouse } from '../src/store/warehouse.js';
import { tempDir } from './helpers.js';
import { harness } from './support/collector.js';
import { warehouseAt } from './support/migrations.js';

const TODAY = '2026-03-15';
const FIRST = addDays(TODAY, -399);
const PROFILES = ['alpha', 'beta', 'gamma'];

type Sums = Record<string, number>;

/** The months from FIRST's to TODAY's, with their first and last day inside the window. */
function months(): Array<{ month: string; start: string; end: string }> {
  const out: Array<{ month: string; start: string; end: string }> = [];
  for (let day = FIRST; day <= TODAY; ) {
    const month = day.slice(0, 7);
    let end = day;
    while (addDays(end, 1).slice(0, 7) === month && addDays(end, 1) <= TODAY) end = addDays(end, 1);
    out.push({ month, start: day, end });
    day = addDays(end, 1);
  }
  return out;
}

/** upw impressions' per_platform for a profile over a range (empty when it holds nothing there). */
function perPlatform(wh: Warehouse, profile: string, start: string, end: string): Sums {
  const answer = totalImpressions(wh, profile, { start_date: start, end_date: end, breakdown: true, as_of: TODAY }) as { per_platform: Sums };
  return answer.per_platform;
}

function monthly(wh: Warehouse, profile: string, month: string): Sums {
  const rows = wh.sqlite.prepare('SELECT platform, impressions FROM v_monthly_impressions WHERE profile_username = ? AND month = ? ORDER BY platform').all(profile, month) as Array<{ platform: string; impressions: number }>;
  return Object.fromEntries(rows.map((r) => [r.platform, r.impressions]));
}

/** The rollup recomputed from the daily rows it summarizes. */
function recomputed(wh: Warehouse): unknown[] {
  return wh.sqlite
    .prepare(
      `SELECT substr(day, 1, 7) AS month, profile_id, platform, SUM(value) AS impressions, COUNT(*) AS days
       FROM daily_impressions WHERE value IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    )
    .all();
}
const rollup = (wh: Warehouse) => wh.sqlite.prepare('SELECT month, profile_id, platform, impressions, days FROM monthly_impressions ORDER BY 1, 2, 3').all();

describe('v_monthly_impressions over a year of snapshots with dated rule changes', () => {
  let sim: Simulator;
  let wh: Warehouse;
  beforeAll(async () => {
    sim = await startSimulator({
      seed: 7,
      now: () => new Date(`${TODAY}T12:00:00Z`),
      rateLimitPerMinute: Number.POSITIVE_INFINITY,
      profiles: [
        { username: 'alpha', platforms: [...PLATFORMS] },
        { username: 'beta', platforms: ['instagram', 'facebook', 'tiktok', 'youtube'] },
        { username: 'gamma', platforms: ['x', 'threads', 'bluesky', 'reddit', 'pinterest'], createdAt: '2026-01-20T08:00:00Z' },
      ],
    });
    sim.world.setRule('instagram', { primary_impressions_field: 'impressions' }, '2026-01-10');
    sim.world.setRule('instagram', { primary_impressions_field: 'reach' }, '2026-02-20');
    sim.world.setRule('youtube', { primary_impressions_field: 'views', metric_type: 'views' }, '2025-11-01');
    // Written the way a user's warehouse is: the real backfill of the server's 400 days (asked in
    // halves, as the server refuses ranges over a year), days counted through each day's rule.
    const h = harness(tempDir('upw-rollup-fill-'), sim.url, { profiles: PROFILES.map((username) => ({ username, facebookPageId: '1' })), posts: { track: false } });
    wh = h.wh;
    const { run } = await backfill(h.deps, { ranges: [{ since: FIRST, until: TODAY }] });
    expect(run.status).toBe('ok');
  });
  afterAll(async () => {
    wh?.close();
    await sim?.close();
  });

  it('gives, for every profile and month, the per_platform of upw impressions over that month', () => {
    let compared = 0;
    for (const profile of PROFILES) {
      for (const m of months()) {
        expect(monthly(wh, profile, m.month), `${profile} ${m.month}`).toEqual(perPlatform(wh, profile, m.start, m.end));
        compared++;
      }
    }
    expect(compared).toBe(3 * 14);
  });

  it('gives the portfolio by platform over twelve months: the sum over profiles of upw impressions', () => {
    const rows = wh.sqlite
      .prepare("SELECT platform, SUM(impressions) AS impressions FROM v_monthly_impressions WHERE month BETWEEN '2025-03' AND '2026-02' GROUP BY platform ORDER BY platform")
      .all() as Array<{ platform: string; impressions: number }>;
    const expected: Sums = {};
    for (const profile of PROFILES) {
      for (const [platform, n] of Object.entries(perPlatform(wh, profile, '2025-03-01', '2026-02-28'))) expected[platform] = (expected[platform] ?? 0) + n;
    }
    expect(Object.fromEntries(rows.map((r) => [r.platform, r.impressions]))).toEqual(expected);
    expect(rows).toHaveLength(PLATFORMS.length);
  });

  it('counts in days the days that counted something, as v_daily_impressions has them', () => {
    const days = wh.sqlite.prepare("SELECT days FROM v_monthly_impressions WHERE profile_username = 'beta' AND platform = 'tiktok' AND month = '2026-02'").pluck().get();
    const daily = wh.sqlite.prepare("SELECT COUNT(*) FROM v_daily_impressions WHERE profile_username = 'beta' AND platform = 'tiktok' AND day LIKE '2026-02-%'").pluck().get();
    expect(days).toBe(28);
    expect(days).toBe(daily);
  });
});

describe('the monthly rollup', () => {
  it('stays the sum of the daily rows through new days, changed values, days that count nothing and deleted profiles', () => {
    const day = fc.integer({ min: 0, max: 70 }).map((n) => addDays('2026-01-20', n));
    const write = fc.record({ profile: fc.constantFrom('a', 'b'), platform: fc.constantFrom('x', 'tiktok'), day, value: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: null }) });
    fc.assert(
      fc.property(fc.array(write, { maxLength: 60 }), fc.boolean(), (writes, dropOne) => {
        const wh = openWarehouse(':memory:');
        const writer = new ValueWriter(wh);
        wh.transaction(() => {
          for (const w of writes) {
            const profileId = ensureProfile(wh, w.profile);
            writer.writeCounted({ profileId, platform: w.platform, day: w.day, value: w.value, primaryField: w.value === null ? null : 'impressions', metricType: 'views' }, 'collect', 1_773_532_800);
          }
        });
        expect(rollup(wh)).toEqual(recomputed(wh));
        if (dropOne) wh.sqlite.prepare("DELETE FROM profiles WHERE username = 'a'").run();
        expect(rollup(wh)).toEqual(recomputed(wh));
        wh.close();
      }),
      { numRuns: 100, seed: 20260315 },
    );
  });

  it('is filled from the days a warehouse already held when 0007 runs', () => {
    const { path, sqlite } = warehouseAt(tempDir('upw-rollup-'), 'old.sqlite', 6);
    sqlite.prepare("INSERT INTO profiles (id, username, first_seen_at) VALUES (1, 'old', '2026-01-01T00:00:00.000Z')").run();
    const insert = sqlite.prepare("INSERT INTO daily_impressions (profile_id, platform, day, value, primary_field, metric_type, source, observed_at) VALUES (1, 'x', ?, ?, 'impressions', 'impressions', 'backfill', 0)");
    [['2026-01-30', 5], ['2026-01-31', null], ['2026-02-01', 7], ['2026-02-02', 11]].forEach(([d, v]) => insert.run(d, v));
    sqlite.close();
    const wh = openWarehouse(path);
    expect(wh.sqlite.prepare('SELECT profile_username, platform, month, time, impressions, days FROM v_monthly_impressions ORDER BY month').all()).toEqual([
      { profile_username: 'old', platform: 'x', month: '2026-01', time: Date.UTC(2026, 0, 1) / 1000, impressions: 5, days: 1 },
      { profile_username: 'old', platform: 'x', month: '2026-02', time: Date.UTC(2026, 1, 1) / 1000, impressions: 18, days: 2 },
    ]);
    expect(rollup(wh)).toEqual(recomputed(wh));
    wh.close();
  });
});
