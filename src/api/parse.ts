/**
 * Turn whatever the API answered into plain, checked values. Every shape in
 * FACTS.md is accepted; a value meant as a number that cannot be read comes
 * back as a bad value for the run's record; the raw record keeps everything.
 */
import { isValidDay } from '../dates.js';
import { isIdField, NUMERIC_FIELDS, readNumber, type BadValue } from './values.js';

export { toCount } from './values.js';
export type { BadValue } from './values.js';

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

/** One segment of an Instagram audience breakdown. */
export interface Demographic {
  /** `follower` (follower_demographics) or `engaged` (engaged_audience_demographics). */
  audience: 'follower' | 'engaged';
  dimension: string;
  segment: string;
  value: number;
}

export interface PlatformAnalytics {
  /** Every numeric top-level field, by the API's own name. */
  metrics: Record<string, number>;
  /** `reach` from reach_timeseries, `impressions` from impressions_timeseries. */
  timeseries: Record<string, DailyPoint[]>;
  demographics: Demographic[];
  rule: PlatformRuleHints;
  /** Values meant as numbers that could not be read: recorded, never dropped in silence. */
  bad: BadValue[];
}

export type PlatformResult =
  | { ok: true; data: PlatformAnalytics }
  | { ok: false; kind: 'unsupported' | 'unavailable' | 'platform_error' | 'missing'; message: string };

/** A whole analytics answer: each requested platform, or why the answer holds none. */
export interface AnalyticsResult {
  platforms: Record<string, PlatformResult>;
  /**
   * The answer as a whole is a refusal (a 200 with `success: false` and the
   * server's message) or no answer at all (`[]`, null): nothing per platform.
   */
  failure?: { kind: 'refused' | 'malformed'; message: string };
}

const TIMESERIES_FIELDS: Record<string, string> = { reach_timeseries: 'reach', impressions_timeseries: 'impressions' };
const DEMOGRAPHICS_FIELDS: Record<string, Demographic['audience']> = { follower_demographics: 'follower', engaged_audience_demographics: 'engaged' };
/**
 * Not metrics: the rule hints (kept in platform_rules), the answer's own status words, and
 * `period_days`, Facebook's echo of the `days` window we never send (so always its default, 30).
 */
const NOT_METRICS = new Set(['primary_impressions_field', 'metric_type', 'available_metrics', 'metric_labels', 'success', 'message', 'error', 'detail', 'period_days']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Daily points, sorted; a repeated date keeps its last value. A point that is
 * not `{date: a real day, value: a count}` is a bad value of `field` (a null
 * value is a day without one).
 */
export function parseSeries(v: unknown, field = 'series'): { points: DailyPoint[]; bad: BadValue[] } {
  const bad: BadValue[] = [];
  if (!Array.isArray(v)) {
    if (v !== null && v !== undefined) bad.push({ field, raw: JSON.stringify(v).slice(0, 200), why: 'not a list of {date, value}' });
    return { points: [], bad };
  }
  const byDay = new Map<string, number>();
  v.forEach((item, i) => {
    if (item === null) return;
    const day = isObject(item) && typeof item.date === 'string' ? item.date.slice(0, 10) : undefined;
    if (day === undefined || !isValidDay(day)) {
      bad.push({ field: `${field}[${i}]`, raw: JSON.stringify(item).slice(0, 200), why: 'a point without a real day' });
      return;
    }
    const value = readNumber((item as Record<string, unknown>).value, true);
    if (value?.ok) byDay.set(day, value.value);
    else if (value) bad.push({ field: `${field}[${day}]`, raw: value.raw, why: value.why });
  });
  const points = [...byDay.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, value]) => ({ day, value }));
  return { points, bad };
}

/** `{age, gender, country, city}` maps of segment → count; `{}` (too few people for Meta) holds nothing. */
function parseDemographics(v: unknown, field: string, audience: Demographic['audience'], bad: BadValue[]): Demographic[] {
  if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) return [];
  if (!isObject(v)) {
    bad.push({ field, raw: JSON.stringify(v).slice(0, 200), why: 'not a map of breakdowns' });
    return [];
  }
  const out: Demographic[] = [];
  for (const [dimension, segments] of Object.entries(v)) {
    if (segments === null || (Array.isArray(segments) && segments.length === 0)) continue;
    if (!isObject(segments)) {
      bad.push({ field: `${field}.${dimension}`, raw: JSON.stringify(segments).slice(0, 200), why: 'not a map of segment to count' });
      continue;
    }
    for (const [segment, raw] of Object.entries(segments)) {
      const r = readNumber(raw, true);
      if (r?.ok) out.push({ audience, dimension, segment, value: r.value });
      else if (r) bad.push({ field: `${field}.${dimension}.${segment}`, raw: r.raw, why: r.why });
    }
  }
  return out;
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
  const demographics: Demographic[] = [];
  const bad: BadValue[] = [];
  const rule = ruleHintsOf(v);
  // A field the answer itself lists among its metrics is a number, whatever its name.
  const listed = new Set(rule.availableMetrics ?? []);
  for (const [key, value] of Object.entries(v)) {
    const series = TIMESERIES_FIELDS[key];
    const audience = DEMOGRAPHICS_FIELDS[key];
    if (series) {
      const parsed = parseSeries(value, key);
      timeseries[series] = parsed.points;
      bad.push(...parsed.bad);
    } else if (audience) {
      demographics.push(...parseDemographics(value, key, audience, bad));
    } else if (!NOT_METRICS.has(key) && !isIdField(key)) {
      const r = readNumber(value, NUMERIC_FIELDS.has(key) || listed.has(key));
      if (r?.ok) metrics[key] = r.value;
      else if (r) bad.push({ field: key, raw: r.raw, why: r.why });
    }
  }
  const message = messageOf(v);
  const failed = v.success === false || (message !== undefined && Object.keys(metrics).length === 0 && Object.keys(timeseries).length === 0);
  if (failed) return failure(message ?? 'platform answered success: false');
  return { ok: true, data: { metrics, timeseries, demographics, rule, bad } };
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
 * requested names; one that did not come back is `missing`, with the
 * server's message if it sent one. An answer with none of them that says
 * `success: false` (or only a message), or that is no object at all, fails
 * as a whole, in the server's words where it gave some.
 */
export function parseAnalytics(body: unknown, requested: readonly string[]): AnalyticsResult {
  const root = isObject(body) && isObject(body.analytics) ? body.analytics : body;
  if (!isObject(root)) {
    if (typeof root === 'string') return { platforms: {}, failure: { kind: 'refused', message: `The API said: ${root}` } };
    const what = Array.isArray(root) ? (root.length === 0 ? 'an empty list ([])' : 'a list') : JSON.stringify(root);
    return { platforms: {}, failure: { kind: 'malformed', message: `the API answered ${what} instead of the platforms' analytics` } };
  }
  const byName = new Map<string, unknown>();
  for (const [key, value] of Object.entries(root)) byName.set(key.toLowerCase(), value);
  const said = messageOf(root) ?? (isObject(body) ? messageOf(body) : undefined);
  const refused = (isObject(body) && body.success === false) || root.success === false || said !== undefined;
  if (refused && !requested.some((p) => byName.has(p))) {
    return { platforms: {}, failure: { kind: 'refused', message: said ? `The API said: ${said}` : 'the API answered success: false, without a message' } };
  }
  const out: Record<string, PlatformResult> = {};
  for (const platform of requested) {
    out[platform] = byName.has(platform)
      ? parsePlatform(byName.get(platform))
      : { ok: false, kind: 'missing', message: `the answer has no "${platform}" entry${said ? ` (the API said: ${said})` : ''}` };
  }
  return { platforms: out };
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

/** One entry of `/uploadposts/users`' `profiles`: a profile when it is an object with a username. */
function userOf(p: unknown): UserProfile | undefined {
  if (!isObject(p) || typeof p.username !== 'string') return undefined;
  const accounts = isObject(p.social_accounts) ? p.social_accounts : {};
  const created = typeof p.created_at === 'string' ? new Date(p.created_at) : undefined;
  return {
    username: p.username,
    createdAt: created && !Number.isNaN(created.getTime()) ? created.toISOString() : undefined,
    connected: Object.entries(accounts).filter(([, a]) => isObject(a) && Object.keys(a).length > 0).map(([name]) => name.toLowerCase()),
  };
}

/** `/uploadposts/users`: profiles and their connected platforms (a non-empty object). */
export function parseUsers(body: unknown): UserProfile[] {
  const list = isObject(body) && Array.isArray(body.profiles) ? body.profiles : [];
  return list.map(userOf).filter((u) => u !== undefined);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isJsonSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/** A key written with escapes, as JSON.parse reads it (undefined when it is no JSON string). */
function unescapedKey(bytes: Buffer, from: number, to: number): string | undefined {
  try {
    return JSON.parse(bytes.toString('utf8', from, to)) as string;
  } catch {
    return undefined;
  }
}

/**
 * `/uploadposts/users` read from its bytes one profile at a time: what
 * `parseUsers(JSON.parse(text))` gives, without the whole text or its whole
 * tree (15 MB and more at 10,000 profiles) ever being held. One pass finds
 * the top-level object's last `profiles` array and the commas between its
 * entries (outside strings, at its own depth); each entry is then parsed
 * alone, and the rest of the answer with `[]` in the array's place. Every
 * byte goes through JSON.parse, so the answer is read only if it is JSON.
 * Undefined for anything else (not JSON, or no `profiles` list at the top):
 * the caller parses it whole, and fails as that fails.
 *
 * `bytes` must be valid UTF-8 (the client's stored bytes are): the pieces are
 * cut at ASCII bytes, so they decode as their part of the text would.
 */
export function parseUsersBytes(bytes: Buffer): UserProfile[] | undefined {
  const n = bytes.length;
  let i = 0;
  while (i < n && isJsonSpace(bytes[i]!)) i++;
  if (bytes[i] !== 0x7b) return undefined;
  let depth = 0;
  // At depth 1 (the top-level object): whether the next string is a key, and whether the last key was `profiles`.
  let keyNext = false;
  let keyIsProfiles = false;
  let valueNext = false;
  let open: { start: number; commas: number[] } | undefined;
  let found: { start: number; end: number; commas: number[] } | undefined;
  for (; i < n; i++) {
    const b = bytes[i]!;
    if (isJsonSpace(b)) continue;
    if (valueNext) {
      valueNext = false;
      // JSON.parse keeps a repeated key's last value: a later `profiles` that is not an array wins.
      if (b !== 0x5b) return undefined;
      open = { start: i, commas: [] };
    }
    if (b === QUOTE) {
      const from = i + 1;
      let escaped = false;
      for (i = from; i < n && bytes[i] !== QUOTE; i++) {
        if (bytes[i] === BACKSLASH) {
          escaped = true;
          i++;
        }
      }
      if (depth === 1 && keyNext) {
        keyNext = false;
        keyIsProfiles = escaped ? unescapedKey(bytes, from - 1, i + 1) === 'profiles' : i - from === 8 && bytes.toString('latin1', from, i) === 'profiles';
      }
      continue;
    }
    switch (b) {
      case 0x7b: // {
      case 0x5b: // [
        depth++;
        if (depth === 1) keyNext = true;
        break;
      case 0x7d: // }
      case 0x5d: // ]
        if (open && depth === 2) {
          if (b !== 0x5d) return undefined;
          found = { start: open.start, end: i, commas: open.commas };
          open = undefined;
        }
        depth--;
        break;
      case 0x2c: // ,
        if (depth === 1) keyNext = true;
        else if (open && depth === 2) open.commas.push(i);
        break;
      case 0x3a: // :
        if (depth === 1 && keyIsProfiles) {
          keyIsProfiles = false;
          valueNext = true;
        }
        break;
    }
  }
  if (!found || open || depth !== 0) return undefined;
  try {
    const rest: unknown = JSON.parse(`${bytes.toString('utf8', 0, found.start)}[]${bytes.toString('utf8', found.end + 1)}`);
    // Holds when the pass above read the answer as JSON.parse does; anything else is left to it.
    if (!isObject(rest) || !Array.isArray(rest.profiles) || rest.profiles.length !== 0) return undefined;
    const users: UserProfile[] = [];
    const cuts = [found.start, ...found.commas, found.end];
    let blank = cuts.length === 2;
    for (let at = found.start + 1; blank && at < found.end; at++) blank = isJsonSpace(bytes[at]!);
    if (blank) return users;
    for (let k = 0; k + 1 < cuts.length; k++) {
      const user = userOf(JSON.parse(bytes.toString('utf8', cuts[k]! + 1, cuts[k + 1]!)));
      if (user) users.push(user);
    }
    return users;
  } catch {
    return undefined;
  }
}

/** The error message of an error body in any of its four forms. */
export function errorMessageOf(text: string): string | undefined {
  try {
    return messageOf(JSON.parse(text));
  } catch {
    return undefined;
  }
}
