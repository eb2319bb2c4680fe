/**
 * `upw verify`: the same query against the warehouse and the live endpoint.
 *
 * What makes the comparison fair: the live server resolves periods and the
 * default range with its own "today" (its clock, its zone) and takes no
 * `as_of`, so the range is resolved locally once (--as-of, else today in the
 * configured timezone) and sent as explicit start_date/end_date. Both sides
 * are asked for the breakdown, so a difference can be located per platform
 * and per day. What can still differ honestly: today's value (the collector
 * read it earlier in the day than the server's snapshot), and days the
 * warehouse never collected or backfilled.
 */
import { readNumber } from '../api/values.js';
import type { ImpressionsAnswer, ResolvedQuery } from './impressions.types.js';

/** One number that differs; `null` where that side has no such key. */
export interface Difference {
  /** 'total_impressions' in default mode, else the metric name. */
  metric: string;
  platform?: string;
  day?: string;
  local: number | null;
  live: number | null;
}

export interface Comparison {
  local: ImpressionsAnswer;
  live: unknown;
  differences: Difference[];
  agree: boolean;
}

/** The live request's parameters, in the API's names, for a locally resolved query. */
export function liveParams(q: ResolvedQuery, platformText: string | undefined): Record<string, string> {
  const params: Record<string, string> = { start_date: q.start, end_date: q.end, breakdown: 'true' };
  // The raw text, so the server parses (and echoes in platforms_filter) what the local side parsed.
  if (platformText !== undefined && platformText !== '') params.platform = platformText;
  if (q.metrics !== undefined) params.metrics = q.metrics.join(',');
  return params;
}

type Cells = Map<string, Difference & { value: number }>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every number of an answer keyed by (metric, platform, day); tolerant of a malformed live body. */
function cellsOf(answer: unknown): Cells {
  const cells: Cells = new Map();
  if (!isRecord(answer)) return cells;
  const put = (metric: string, where: { platform?: string; day?: string }, raw: unknown): void => {
    // Read as the collector reads ("0", "3,400" are numbers); what it would not read is missing here too.
    const r = readNumber(raw, true);
    if (!r?.ok) return;
    const value = r.value;
    const key = JSON.stringify([metric, where.platform ?? null, where.day ?? null]);
    cells.set(key, { metric, ...where, local: null, live: null, value });
  };
  const byMetric = isRecord(answer.metrics);
  const metrics = byMetric ? Object.keys(answer.metrics as object) : ['total_impressions'];
  for (const metric of metrics) {
    put(metric, {}, byMetric ? (answer.metrics as Record<string, unknown>)[metric] : answer.total_impressions);
    const perPlatform = byMetric ? (answer.per_platform as Record<string, unknown> | undefined)?.[metric] : answer.per_platform;
    const perDay = byMetric ? (answer.per_day as Record<string, unknown> | undefined)?.[metric] : answer.per_day;
    if (isRecord(perPlatform)) for (const [platform, v] of Object.entries(perPlatform)) put(metric, { platform }, v);
    if (isRecord(perDay)) for (const [day, v] of Object.entries(perDay)) put(metric, { day }, v);
  }
  return cells;
}

/**
 * Why a live body is no total-impressions answer at all, in the server's words
 * where it gave some; undefined when it is one (it has `total_impressions` or `metrics`).
 */
export function liveAnswerProblem(body: unknown): string | undefined {
  if (!isRecord(body)) return `it answered ${Array.isArray(body) ? (body.length === 0 ? 'an empty list ([])' : 'a list') : JSON.stringify(body)}`;
  const said = ['message', 'error', 'detail'].map((k) => body[k]).find((v): v is string => typeof v === 'string');
  if ('total_impressions' in body || isRecord(body.metrics)) return body.success === false ? `The API said: ${said ?? 'success: false'}` : undefined;
  if (said !== undefined) return `The API said: ${said}`;
  return body.success === false ? 'it answered success: false, without a message' : 'it answered without total_impressions or metrics';
}

/** Compare a local answer with the live body: every number that differs or is present on one side only. */
export function compareAnswers(local: ImpressionsAnswer, live: unknown): Comparison {
  const a = cellsOf(local);
  const b = cellsOf(live);
  const differences: Difference[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const l = a.get(key);
    const r = b.get(key);
    if (l?.value === r?.value) continue;
    const { metric, platform, day } = (l ?? r)!;
    differences.push({ metric, ...(platform !== undefined && { platform }), ...(day !== undefined && { day }), local: l?.value ?? null, live: r?.value ?? null });
  }
  // Totals, then platforms, then days; each group in a stable order.
  const rank = (d: Difference): string => `${d.day !== undefined ? 2 : d.platform !== undefined ? 1 : 0}\u0000${d.metric}\u0000${d.platform ?? d.day ?? ''}`;
  differences.sort((x, y) => (rank(x) < rank(y) ? -1 : rank(x) > rank(y) ? 1 : 0));
  const sameRange = isRecord(live) && live.start_date === local.start_date && live.end_date === local.end_date;
  return { local, live, differences, agree: sameRange && differences.length === 0 };
}
