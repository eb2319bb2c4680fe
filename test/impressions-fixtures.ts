/**
 * Warehouses for the pure arithmetic tests, written value by value through the
 * store's own writers (ValueWriter, recordRule) without the collector. Parity
 * with the live endpoint is tested through the real collector and backfill.
 */
import { ensureProfile } from '../src/store/profiles.repository.js';
import { DEFAULT_RULES, isPlatform } from '../src/platforms.js';
import { readPlatformMetricsCache, recordRule, ruleInForce } from '../src/store/rules.repository.js';
import { ValueWriter, type SeriesKind } from '../src/store/values.repository.js';
import { openWarehouse, type Warehouse } from '../src/store/warehouse.js';

export type Fixture = Record<string, Record<string, Record<string, number>>>;

/** Write `values[platform][day][metric]` for a profile, as series of `kind`. */
export function writeValues(wh: Warehouse, profile: string, values: Fixture, kind: SeriesKind = 'snapshot'): void {
  const writer = new ValueWriter(wh);
  const profileId = ensureProfile(wh, profile);
  wh.transaction(() => {
    for (const [platform, days] of Object.entries(values)) {
      for (const [day, metrics] of Object.entries(days)) {
        for (const [metric, value] of Object.entries(metrics)) writer.write(writer.seriesId(profileId, platform, kind, metric), day, value, 'backfill', 1_773_532_800);
      }
    }
  });
}

/**
 * What a collect records as each held day's count, for fixtures written
 * value by value: the value of the field the stored rule of that day names
 * (the earliest rule standing for the days before it), else the cached
 * platform-metrics field, else the built-in one; no rule at all counts
 * nothing. Call it after the values and rules are written.
 */
export function countHeldDays(wh: Warehouse): void {
  const writer = new ValueWriter(wh);
  const cached = readPlatformMetricsCache(wh);
  const held = wh.sqlite
    .prepare(
      `SELECT s.profile_id AS profileId, s.platform, v.day, json_group_object(s.name, v.value) AS metrics
       FROM daily_values v JOIN series s ON s.id = v.series_id AND s.kind = 'snapshot'
       GROUP BY s.profile_id, s.platform, v.day`,
    )
    .all() as Array<{ profileId: number; platform: string; day: string; metrics: string }>;
  wh.transaction(() => {
    for (const h of held) {
      const builtIn = isPlatform(h.platform) ? DEFAULT_RULES[h.platform] : undefined;
      const stored = ruleInForce(wh, h.platform, h.day);
      const field = stored ? stored.primaryField : (cached.get(h.platform)?.primaryField ?? builtIn?.primaryField ?? null);
      const metricType = stored ? stored.metricType : (builtIn?.metricType ?? null);
      const metrics = JSON.parse(h.metrics) as Record<string, number>;
      const value = field === null ? null : (metrics[field] ?? null);
      writer.writeCounted({ profileId: h.profileId, platform: h.platform, day: h.day, value, primaryField: field, metricType }, 'backfill', 1_773_532_800);
    }
  });
}

/** Record a counting rule from `day` on. */
export function rule(wh: Warehouse, platform: string, day: string, primaryField: string | null, metricType: string | null): void {
  recordRule(wh, platform, day, { primaryField, metricType, availableMetrics: null, metricLabels: null, source: 'answer' });
}

/**
 * The paper fixture of the hand-worked tests (test/impressions-handworked.test.ts
 * works every expected number out from this table). Today is 2026-03-15.
 */
export const PAPER: Fixture = {
  instagram: {
    '2026-01-01': { reach: 7 },
    '2026-03-07': { reach: 11 },
    '2026-03-10': { reach: 100, impressions: 900, likes: 10, comments: 2, shares: 1, followers: 500 },
    '2026-03-11': { reach: 120, impressions: 1000, likes: 12, comments: 0, shares: 3, followers: 505 },
    '2026-03-14': { reach: 0, impressions: 50, likes: 4, comments: 1 },
  },
  youtube: {
    '2025-03-14': { impressions: 123456 },
    '2025-03-15': { impressions: 3 },
    '2026-03-10': { impressions: 300, likes: 30, comments: 5, shares: 2 },
    '2026-03-12': { impressions: 250, likes: 20, comments: 4 },
    '2026-03-15': { impressions: 9 },
  },
  // Stored rules: impressions from 2026-03-01 (and, being the earliest, before it), views from 2026-03-12.
  tiktok: {
    '2025-12-01': { impressions: 1000, views: 2000 },
    '2026-02-20': { impressions: 5, views: 6 },
    '2026-03-10': { impressions: 40, views: 45, likes: 7 },
    '2026-03-11': { impressions: 50, views: 55 },
    '2026-03-12': { impressions: 60, views: 65 },
    '2026-03-13': { impressions: 70, views: 75 },
  },
  facebook: {
    '2026-03-10': { reach: 1000 },
    '2026-03-11': { reach: 1010 },
  },
  // Not a platform we know a rule for.
  mastodon: {
    '2026-03-10': { reach: 999 },
  },
};

/** Daily `reach` time series of the paper profile. */
export const PAPER_TIMESERIES: Fixture = {
  instagram: { '2026-03-10': { reach: 80 }, '2026-03-11': { reach: 90 } },
  youtube: { '2026-03-10': { reach: 400 } },
};

/** A warehouse holding the paper fixture for profile `paper` (or a file at `path`). */
export function paperWarehouse(path = ':memory:'): Warehouse {
  const wh = openWarehouse(path);
  writeValues(wh, 'paper', PAPER);
  writeValues(wh, 'paper', PAPER_TIMESERIES, 'timeseries');
  rule(wh, 'tiktok', '2026-03-01', 'impressions', 'views');
  rule(wh, 'tiktok', '2026-03-12', 'views', 'views');
  countHeldDays(wh);
  return wh;
}
