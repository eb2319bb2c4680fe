/**
 * Turn whatever the API answered into plain, checked values. Every shape in
 * FACTS.md is accepted; anything else is skipped here and kept in the raw record.
 */
import { isValidDay } from '../dates.js';

export interface DailyPoint {
  day: string;
  value: number;
}

export interface PlatformRuleHints {
  primaryField?: string;
  metricType?: string;
  availableMetrics?: string[];
  metricLabels?: Record<string, string>;
}

export interface PlatformAnalytics {
  /** Every numeric top-level field, by the API's own name. */
  metrics: Record<string, number>;
  /** `reach` from reach_timeseries, `impressions` from impressions_timeseries. */
  timeseries: Record<string, DailyPoint[]>;
  rule: PlatformRuleHints;
}

export type PlatformResult =
  | { ok: true; data: PlatformAnalytics }
  | { ok: false; kind: 'unsupported' | 'unavailable' | 'platform_error' | 'missing'; message: string };

const TIMESERIES_FIELDS: Record<string, string> = { reach_timeseries: 'reach', impressions_timeseries: 'impressions' };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A count as the API meant it: numbers, numeric strings; not null, negative or beyond exact integers. */
export function toCount(v: unknown): number | undefined {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) n = Number(v);
  else return undefined;
  if (!Number.isFinite(n) || n < 0 || n > Number.MAX_SAFE_INTEGER) return undefined;
  return n;
}

/** Daily points, sorted, malformed dates dropped, a repeated date keeps its last value. */
export function parseSeries(v: unknown): DailyPoint[] {
  if (!Array.isArray(v)) return [];
  const byDay = new Map<string, number>();
  for (const item of v) {
    if (!isObject(item) || typeof item.date !== 'string') continue;
    const day = item.date.slice(0, 10);
    const value = toCount(item.value);
    if (!isValidDay(day) || value === undefined) continue;
    byDay.set(day, value);
  }
  return [...byDay.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, value]) => ({ day, value }));
}

function messageOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isObject(v)) {
    for (const key of ['message', 'error', 'detail']) if (typeof v[key] === 'string') return v[key] as string;
  }
  return undefined;
}

// "Analytics are not supported for Discord." and Reddit's `reddit_unavailable` are the API
// saying there is nothing to read, not a failure to read it (FACTS.md).
function failure(message: string): PlatformResult {
  const kind = /not (yet )?supported/i.test(message) ? 'unsupported' : /(^|[^a-z])[a-z]+_unavailable\b/i.test(message) ? 'unavailable' : 'platform_error';
  return { ok: false, kind, message };
}

/** One platform's value in an analytics answer. */
export function parsePlatform(v: unknown): PlatformResult {
  if (!isObject(v)) return failure(messageOf(v) ?? `unexpected value ${JSON.stringify(v)}`);
  const metrics: Record<string, number> = {};
  const timeseries: Record<string, DailyPoint[]> = {};
  for (const [key, value] of Object.entries(v)) {
    const series = TIMESERIES_FIELDS[key];
    if (series) {
      timeseries[series] = parseSeries(value);
      continue;
    }
    if (typeof value === 'boolean') continue;
    const n = toCount(value);
    if (n !== undefined && key !== 'period_days') metrics[key] = n;
  }
  const message = messageOf(v);
  const failed = v.success === false || (message !== undefined && Object.keys(metrics).length === 0 && Object.keys(timeseries).length === 0);
  if (failed) return failure(message ?? 'platform answered success: false');
  return { ok: true, data: { metrics, timeseries, rule: ruleHintsOf(v) } };
}

function ruleHintsOf(v: Record<string, unknown>): PlatformRuleHints {
  const rule: PlatformRuleHints = {};
  if (typeof v.primary_impressions_field === 'string') rule.primaryField = v.primary_impressions_field;
  if (typeof v.metric_type === 'string') rule.metricType = v.metric_type;
  if (Array.isArray(v.available_metrics)) rule.availableMetrics = v.available_metrics.filter((m): m is string => typeof m === 'string');
  if (isObject(v.metric_labels)) rule.metricLabels = Object.fromEntries(Object.entries(v.metric_labels).filter(([, l]) => typeof l === 'string')) as Record<string, string>;
  return rule;
}

/**
 * A whole analytics answer: platforms at the top level, or wrapped as
 * `{success, analytics: {...}}` (the npm client's type). Keyed by the
 * requested names; one that did not come back is `missing`.
 */
export function parseAnalytics(body: unknown, requested: readonly string[]): Record<string, PlatformResult> {
  const root = isObject(body) && isObject(body.analytics) ? body.analytics : body;
  const byName = new Map<string, unknown>();
  if (isObject(root)) for (const [key, value] of Object.entries(root)) byName.set(key.toLowerCase(), value);
  const out: Record<string, PlatformResult> = {};
  for (const platform of requested) {
    out[platform] = byName.has(platform) ? parsePlatform(byName.get(platform)) : { ok: false, kind: 'missing', message: `the answer has no "${platform}" entry` };
  }
  return out;
}

/** `/uploadposts/platform-metrics`: platform → rule hints. */
export function parsePlatformMetrics(body: unknown): Record<string, PlatformRuleHints> {
  const out: Record<string, PlatformRuleHints> = {};
  if (!isObject(body)) return out;
  const root = isObject(body.platforms) ? body.platforms : body;
  for (const [name, v] of Object.entries(root)) {
    if (isObject(v)) out[name.toLowerCase()] = ruleHintsOf(v);
  }
  return out;
}

export interface UserProfile {
  username: string;
  createdAt: string | undefined;
  connected: string[];
}

/** `/uploadposts/users`: profiles and their connected platforms (a non-empty object). */
export function parseUsers(body: unknown): UserProfile[] {
  const list = isObject(body) && Array.isArray(body.profiles) ? body.profiles : [];
  return list.filter(isObject).filter((p) => typeof p.username === 'string').map((p) => {
    const accounts = isObject(p.social_accounts) ? p.social_accounts : {};
    const created = typeof p.created_at === 'string' ? new Date(p.created_at) : undefined;
    return {
      username: p.username as string,
      createdAt: created && !Number.isNaN(created.getTime()) ? created.toISOString() : undefined,
      connected: Object.entries(accounts).filter(([, a]) => isObject(a) && Object.keys(a).length > 0).map(([name]) => name.toLowerCase()),
    };
  });
}

/** The error message of an error body in any of its four forms. */
export function errorMessageOf(text: string): string | undefined {
  try {
    return messageOf(JSON.parse(text));
  } catch {
    return undefined;
  }
}
