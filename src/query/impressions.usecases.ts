/**
 * Offline total impressions: the API's `total-impressions` answer recomputed
 * from the warehouse. This module decides what to add (which series of which
 * platform over which days); the repository's SQL adds it.
 */
import { addDays, daysBetween } from '../dates.js';
import { ProfileNotFoundError } from '../errors.js';
import { DEFAULT_RULES, isPlatform, type Rule } from '../platforms.js';
import { cachedPrimaryFields, findProfileWithData, hasSnapshots, platformsWithSeries, rulesOf, sumSpans, type KeySums, type Span, type StoredRule } from '../store/impressions.repository.js';
import type { Warehouse } from '../store/warehouse.js';
import { resolveQuery } from './impressions.query.js';
import type { ExplainedImpressions, ImpressionsAnswer, ImpressionsQuery, ResolvedQuery, TotalImpressionsAnswer } from './impressions.types.js';
import { warningsFor } from './impressions.warnings.js';

/** The key default mode files its sums under. */
const TOTAL = 'total_impressions';

/** A rule interval, inclusive on both ends. */
export interface RuleInterval {
  from: string;
  to: string;
  primaryField: string | null;
  metricType: string | null;
}

/**
 * A platform's rules as closed intervals cut to start…end. Stored rows hold
 * from their valid_from to the next row's; the earliest also covers every day
 * before it (history imported before the rule was first seen). No stored row:
 * `fallback` (the cached platform-metrics, else the built-in default) for the
 * whole range; no fallback either: no interval at all.
 */
export function ruleIntervals(rows: readonly StoredRule[], fallback: Rule | undefined, start: string, end: string): RuleInterval[] {
  if (rows.length === 0) return fallback ? [{ from: start, to: end, ...fallback }] : [];
  const intervals: RuleInterval[] = [];
  rows.forEach((row, i) => {
    const next = rows[i + 1];
    const from = i === 0 || row.validFrom < start ? start : row.validFrom;
    const to = next === undefined || addDays(next.validFrom, -1) > end ? end : addDays(next.validFrom, -1);
    if (from <= to) intervals.push({ from, to, primaryField: row.primaryField, metricType: row.metricType });
  });
  return intervals;
}

/** The rule of a platform that has no stored row: the cached platform-metrics answer first, then the built-in default. */
function fallbackRule(platform: string, cachedField: string | undefined): Rule | undefined {
  const builtIn = isPlatform(platform) ? DEFAULT_RULES[platform] : undefined;
  if (cachedField !== undefined) return { primaryField: cachedField, metricType: builtIn?.metricType ?? null };
  return builtIn;
}

interface Plan {
  kind: 'snapshot' | 'timeseries';
  spans: Span[];
  /** Platforms (with their uncounted days) for which no primary field is known. */
  unruled: Map<string, number>;
  /** Each counted platform's metric types over the range, for the time-series warning. */
  metricTypes: Map<string, Set<string>>;
}

function plan(wh: Warehouse, q: ResolvedQuery, platforms: string[]): Plan {
  const unruled = new Map<string, number>();
  const metricTypes = new Map<string, Set<string>>();
  const spans: Span[] = [];
  if (q.metrics !== undefined) {
    for (const metric of q.metrics) for (const platform of platforms) spans.push({ key: metric, platform, name: metric, from: q.start, to: q.end });
    return { kind: 'snapshot', spans, unruled, metricTypes };
  }
  const rules = rulesOf(wh, platforms);
  const cached = cachedPrimaryFields(wh, platforms.filter((p) => !rules.has(p)));
  for (const platform of platforms) {
    const intervals = ruleIntervals(rules.get(platform) ?? [], fallbackRule(platform, cached.get(platform)), q.start, q.end);
    for (const iv of intervals) if (iv.metricType) metricTypes.set(platform, (metricTypes.get(platform) ?? new Set()).add(iv.metricType));
    if (q.source === 'timeseries') {
      // The dashboard's arithmetic: each platform's daily `reach` series, whatever its metric_type.
      spans.push({ key: TOTAL, platform, name: 'reach', from: q.start, to: q.end });
      continue;
    }
    // Each day is counted through the field of the rule in force that day, never two fields.
    let uncounted = intervals.length === 0 ? daysBetween(q.start, q.end) + 1 : 0;
    for (const iv of intervals) {
      if (iv.primaryField === null) uncounted += daysBetween(iv.from, iv.to) + 1;
      else spans.push({ key: TOTAL, platform, name: iv.primaryField, from: iv.from, to: iv.to });
    }
    if (uncounted > 0) unruled.set(platform, uncounted);
  }
  return { kind: q.source === 'timeseries' ? 'timeseries' : 'snapshot', spans, unruled, metricTypes };
}

function assemble(profile: string, q: ResolvedQuery, sums: Map<string, KeySums>): ImpressionsAnswer {
  const head = { success: true as const, profile_username: profile, start_date: q.start, end_date: q.end };
  // Key order matters (parity is deep equality, key order included): build in the API's order.
  if (q.metrics === undefined) {
    const s = sums.get(TOTAL);
    return {
      ...head,
      total_impressions: s?.total ?? 0,
      ...(q.platforms !== undefined && { platforms_filter: q.platforms }),
      ...(q.breakdown && {
        per_platform: Object.fromEntries(s?.perPlatform ?? []),
        per_day: Object.fromEntries(s?.perDay ?? []),
      }),
    };
  }
  const each = <T>(f: (s: KeySums | undefined) => T): Record<string, T> => Object.fromEntries(q.metrics!.map((m) => [m, f(sums.get(m))]));
  return {
    ...head,
    metrics: each((s) => s?.total ?? 0),
    ...(q.platforms !== undefined && { platforms_filter: q.platforms }),
    ...(q.breakdown && {
      per_platform: each((s) => Object.fromEntries(s?.perPlatform ?? [])),
      per_day: each((s) => Object.fromEntries(s?.perDay ?? [])),
    }),
  };
}

/**
 * The answer with the warnings a reader should see beside it. `clock` is
 * "now" when the query has no `as_of` (default: the product clock, UPW_NOW).
 */
export function explainImpressions(wh: Warehouse, profile: string, query: ImpressionsQuery = {}, clock?: () => Date): ExplainedImpressions {
  const q = resolveQuery(query, clock);
  const profileId = findProfileWithData(wh, profile);
  if (profileId === undefined) throw new ProfileNotFoundError(profile, `in the warehouse ${wh.path}`);
  const kind = q.source === 'timeseries' ? 'timeseries' : 'snapshot';
  const platforms = platformsWithSeries(wh, profileId, kind).filter((p) => q.platforms === undefined || q.platforms.includes(p));
  const p = plan(wh, q, platforms);
  // A platform without a rule is worth a warning only where it had something to add.
  for (const platform of p.unruled.keys()) if (!hasSnapshots(wh, profileId, platform, q.start, q.end)) p.unruled.delete(platform);
  // Per-platform sums are always read: the warnings depend on which platforms contributed.
  const sums = sumSpans(wh, { profileId, kind: p.kind, spans: p.spans, perDay: q.breakdown });
  const answer = assemble(profile, q, sums);
  return { answer, warnings: warningsFor(q, sums, p.unruled, p.metricTypes), query: q };
}

/** Exactly what GET /uploadposts/total-impressions/{profile} would answer, from the warehouse. */
export function totalImpressions(wh: Warehouse, profile: string, query?: ImpressionsQuery & { metrics?: undefined }): TotalImpressionsAnswer;
export function totalImpressions(wh: Warehouse, profile: string, query: ImpressionsQuery): ImpressionsAnswer;
export function totalImpressions(wh: Warehouse, profile: string, query: ImpressionsQuery = {}): ImpressionsAnswer {
  return explainImpressions(wh, profile, query).answer;
}
