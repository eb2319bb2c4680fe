/**
 * Offline total impressions: the API's `total-impressions` answer recomputed
 * from the warehouse. This module decides what to add (which series of which
 * platform over which days); the repository's SQL adds it.
 */
import { ProfileNotFoundError } from '../errors.js';
import { countedPlatforms, findProfileWithData, heldDays, platformsWithSeries, sumCounted, sumSpans, type KeySums, type Span } from '../store/impressions.repository.js';
import type { Warehouse } from '../store/warehouse.js';
import { resolveQuery } from './impressions.query.js';
import type { ExplainedImpressions, ImpressionsAnswer, ImpressionsQuery, ResolvedQuery, TotalImpressionsAnswer } from './impressions.types.js';
import { warningsFor } from './impressions.warnings.js';

/** The key default mode files its sums under. */
const TOTAL = 'total_impressions';

/**
 * The sums a query asks for. Default mode adds what the server counted each
 * day (daily_impressions: the field of that day's rule, or the server's own
 * count from backfill), so no platform is ever counted through two fields and
 * the views add the very same rows. Metrics mode adds each named snapshot
 * field; `--source timeseries` adds each platform's daily `reach` series.
 */
function sumsFor(wh: Warehouse, profileId: number, q: ResolvedQuery): { sums: Map<string, KeySums>; platforms: string[] } {
  const keep = (list: string[]) => list.filter((p) => q.platforms === undefined || q.platforms.includes(p));
  if (q.metrics === undefined && q.source === 'snapshots') {
    const platforms = keep(countedPlatforms(wh, profileId));
    const counted = sumCounted(wh, { profileId, platforms, lo: q.start, hi: q.end, perDay: q.breakdown });
    return { sums: new Map(counted ? [[TOTAL, counted]] : []), platforms };
  }
  const kind = q.source === 'timeseries' ? 'timeseries' : 'snapshot';
  const platforms = keep(platformsWithSeries(wh, profileId, kind));
  const spans: Span[] =
    q.metrics === undefined
      ? platforms.map((platform) => ({ key: TOTAL, platform, name: 'reach', from: q.start, to: q.end }))
      : q.metrics.flatMap((metric) => platforms.map((platform) => ({ key: metric, platform, name: metric, from: q.start, to: q.end })));
  return { sums: sumSpans(wh, { profileId, kind, spans, perDay: q.breakdown }), platforms };
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

/** The answer, and what was summed for it. */
function answerOf(wh: Warehouse, profile: string, query: ImpressionsQuery, clock?: () => Date) {
  const q = resolveQuery(query, clock);
  const profileId = findProfileWithData(wh, profile);
  if (profileId === undefined) throw new ProfileNotFoundError(profile, `in the warehouse ${wh.path}`);
  const { sums, platforms } = sumsFor(wh, profileId, q);
  return { q, profileId, sums, platforms, answer: assemble(profile, q, sums) };
}

/**
 * The answer with the warnings a reader should see beside it. `clock` is
 * "now" when the query has no `as_of` (default: the product clock, UPW_NOW).
 */
export function explainImpressions(wh: Warehouse, profile: string, query: ImpressionsQuery = {}, clock?: () => Date): ExplainedImpressions {
  const { q, profileId, sums, platforms, answer } = answerOf(wh, profile, query, clock);
  // What the warnings need to know of the range: days no rule could count, and what each time series counts.
  const held = q.metrics === undefined ? heldDays(wh, profileId, platforms, q.start, q.end) : new Map();
  const unruled = new Map([...held].filter(([, h]) => q.source === 'snapshots' && h.unruled > 0).map(([p, h]) => [p, h.unruled as number]));
  const metricTypes = new Map([...held].map(([p, h]) => [p, h.metricTypes as Set<string>]));
  return { answer, warnings: warningsFor(q, sums, unruled, metricTypes), query: q };
}

/**
 * Exactly what GET /uploadposts/total-impressions/{profile} would answer, from
 * the warehouse. No warnings, so the held days they need are not read: in
 * default mode that read scans the same rows as the sums (BENCHMARKS.md, figure 3).
 */
export function totalImpressions(wh: Warehouse, profile: string, query?: ImpressionsQuery & { metrics?: undefined }): TotalImpressionsAnswer;
export function totalImpressions(wh: Warehouse, profile: string, query: ImpressionsQuery): ImpressionsAnswer;
export function totalImpressions(wh: Warehouse, profile: string, query: ImpressionsQuery = {}): ImpressionsAnswer {
  return answerOf(wh, profile, query).answer;
}
