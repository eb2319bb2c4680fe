// GET /uploadposts/total-impressions, computed straight from the in-memory world. This is
// the arithmetic the warehouse must reproduce offline, so it is written plainly, rule by rule.
import { TOTAL_METRICS } from './catalog.js';
import type { Platform } from './catalog.js';
import { formatDay, parseDay } from './dates.js';
import type { World } from './world.js';

/** Days back from today of each period shortcut (the range is today−n … today). */
export const PERIODS: Record<string, number> = {
  last_day: 1, last_week: 7, last_month: 30, last_3months: 90, last_year: 365,
};
const DEFAULT_DAYS_BACK = 30;
/** The inclusive span of period=last_year: the longest range every documented period needs. */
export const DEFAULT_MAX_RANGE_DAYS = 366;

export interface Answer { status: number; body: object }

export interface TotalOptions {
  /** Longest range answered, both ends counted; a longer one is a 400 (FACTS.md: the real limit is unknown). */
  maxRangeDays: number;
}

const bad = (error: string): Answer => ({ status: 400, body: { success: false, error } });

/** The total-impressions answer for a profile and the request's query string. */
export function totalImpressions(world: World, username: string, query: URLSearchParams, options: TotalOptions = { maxRangeDays: DEFAULT_MAX_RANGE_DAYS }): Answer {
  // An empty parameter (`?date=`) counts as not given.
  const param = (name: string): string | undefined => query.get(name) || undefined;

  const days: Partial<Record<'date' | 'start_date' | 'end_date', number>> = {};
  for (const name of ['date', 'start_date', 'end_date'] as const) {
    const text = param(name);
    if (text === undefined) continue;
    const day = parseDay(text);
    if (day === undefined) return bad(`Invalid ${name}: '${text}' is not a valid date (expected YYYY-MM-DD)`);
    days[name] = day;
  }
  const period = param('period');
  if (period !== undefined && !(period in PERIODS)) {
    return bad(`Invalid period: '${period}' (expected one of ${Object.keys(PERIODS).join(', ')})`);
  }
  const metrics = param('metrics') === undefined ? undefined : uniqueList(param('metrics') ?? '');
  for (const m of metrics ?? []) {
    if (!TOTAL_METRICS.includes(m)) return bad(`Invalid metric: '${m}'. Available metrics: ${TOTAL_METRICS.join(', ')}`);
  }

  const today = world.todayDay();
  let start: number;
  let end: number;
  if (days.date !== undefined) {
    start = end = days.date;
  } else if (period !== undefined) {
    start = today - (PERIODS[period] ?? 0);
    end = today;
  } else {
    start = days.start_date ?? today - DEFAULT_DAYS_BACK;
    end = days.end_date ?? today;
  }
  if (start > end) return bad(`start_date ${formatDay(start)} is after end_date ${formatDay(end)}`);
  const span = end - start + 1;
  if (span > options.maxRangeDays) {
    return bad(`Date range too long: ${span} days from ${formatDay(start)} to ${formatDay(end)} (at most ${options.maxRangeDays} days per request)`);
  }

  const profile = world.profile(username);
  if (!profile) return { status: 404, body: { success: false, message: 'Profile not found' } };

  const platformParam = param('platform');
  const filter = platformParam === undefined ? undefined : platformParam.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean);
  const platforms = profile.platforms.filter((p) => filter === undefined || filter.includes(p));
  const breakdown = param('breakdown')?.toLowerCase() === 'true';
  // Days outside the profile's history have no snapshot and add nothing, so skip them.
  const from = Math.max(start, world.firstDay(username));
  const to = Math.min(end, today);

  const body: Record<string, unknown> = {
    success: true, profile_username: username, start_date: formatDay(start), end_date: formatDay(end),
  };
  let perPlatform: Record<string, unknown>;
  let perDay: Record<string, unknown>;
  // metrics=',' parses to no names at all: that is answered as the default mode.
  if (metrics !== undefined && metrics.length > 0) {
    const sums = metricsMode(world, username, platforms, from, to, metrics);
    body.metrics = sums.totals;
    perPlatform = sums.perPlatform;
    perDay = sums.perDay;
  } else {
    const sums = defaultMode(world, username, platforms, from, to);
    body.total_impressions = sums.total;
    perPlatform = sums.perPlatform;
    perDay = sums.perDay;
  }
  if (filter !== undefined) body.platforms_filter = filter;
  if (breakdown) {
    body.per_platform = perPlatform;
    body.per_day = perDay;
  }
  return { status: 200, body };
}

function defaultMode(world: World, username: string, platforms: Platform[], from: number, to: number) {
  let total = 0;
  const perPlatform: Record<string, number> = {};
  const perDay: Record<string, number> = {};
  for (let day = from; day <= to; day++) {
    for (const platform of platforms) {
      // Each day is counted through the field of the rule in force that day, never two fields.
      const field = world.ruleOnDay(platform, day).primary_impressions_field;
      const value = world.valueOn(username, platform, day, field);
      if (value === undefined) continue;
      const key = formatDay(day);
      total += value;
      perPlatform[platform] = (perPlatform[platform] ?? 0) + value;
      perDay[key] = (perDay[key] ?? 0) + value;
    }
  }
  return { total, perPlatform: sortKeys(perPlatform), perDay };
}

function metricsMode(world: World, username: string, platforms: Platform[], from: number, to: number, metrics: string[]) {
  const totals: Record<string, number> = {};
  const perPlatform: Record<string, Record<string, number>> = {};
  const perDay: Record<string, Record<string, number>> = {};
  for (const m of metrics) {
    totals[m] = 0;
    perPlatform[m] = {};
    perDay[m] = {};
  }
  for (let day = from; day <= to; day++) {
    const key = formatDay(day);
    for (const platform of platforms) {
      const snap = world.snapshotOn(username, platform, day);
      if (!snap) continue;
      for (const m of metrics) {
        const value = snap[m];
        if (value === undefined) continue;
        const byPlatform = perPlatform[m] ?? {};
        const byDay = perDay[m] ?? {};
        totals[m] = (totals[m] ?? 0) + value;
        byPlatform[platform] = (byPlatform[platform] ?? 0) + value;
        byDay[key] = (byDay[key] ?? 0) + value;
      }
    }
  }
  for (const m of metrics) perPlatform[m] = sortKeys(perPlatform[m] ?? {});
  return { totals, perPlatform, perDay };
}

/** A comma list, trimmed, empties dropped, duplicates removed keeping first order. */
function uniqueList(text: string): string[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  return [...new Set(items)];
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
