/** Warehouses for the impressions tests, built through the real write path (ValueWriter, recordRule). */
import { eachDay } from '../src/dates.js';
import { ensureProfile } from '../src/store/profiles.repository.js';
import { recordRule } from '../src/store/rules.repository.js';
import { ValueWriter, type SeriesKind } from '../src/store/values.repository.js';
import { openWarehouse, type Warehouse } from '../src/store/warehouse.js';
import type { Platform, SimWorld } from '../src/simulator/index.js';

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
  return wh;
}

/**
 * Copy the simulator's world into the warehouse without the collector: every
 * snapshot of these profiles from `from` to `to`, and each platform's rule
 * day by day (platforms in `skipRules` get no row, so the built-in default applies).
 */
export function fillFromWorld(wh: Warehouse, world: SimWorld, from: string, to: string, skipRules: readonly string[] = []): void {
  const writer = new ValueWriter(wh);
  const days = eachDay(from, to);
  const platforms = new Set<Platform>();
  wh.transaction(() => {
    for (const username of world.profiles()) {
      const profileId = ensureProfile(wh, username);
      for (const platform of world.platformsOf(username)) {
        platforms.add(platform);
        for (const day of days) {
          const snap = world.snapshot(username, platform, day);
          if (!snap) continue;
          for (const [metric, value] of Object.entries(snap)) writer.write(writer.seriesId(profileId, platform, 'snapshot', metric), day, value, 'backfill', 1_773_532_800);
        }
      }
    }
    for (const platform of platforms) {
      if (skipRules.includes(platform)) continue;
      for (const day of days) {
        const r = world.ruleOn(platform, day);
        rule(wh, platform, day, r.primary_impressions_field, r.metric_type);
      }
    }
  });
}

