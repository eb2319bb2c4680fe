/**
 * Reading one value the API sent as a number. What is unambiguous is read
 * (numeric strings, "3,400", "1.5e1"); what was meant as a number and cannot
 * be trusted (negative, beyond exact integers, "abc" where a count belongs)
 * comes back as a bad value for the run's record, never dropped in silence.
 */

export type NumberReading = { ok: true; value: number } | { ok: false; raw: string; why: string };

/** A value that could not be read, where it was in the answer, and as received. */
export interface BadValue {
  /** The answer's field: `followers`, `reach_timeseries[2026-03-06]`, `follower_demographics.age.25-34`, … */
  field: string;
  raw: string;
  why: string;
}

/**
 * Fields the docs give as numbers (analytics, post metrics, profile snapshots,
 * total-impressions): there even text is a bad value. Elsewhere text is text
 * (new fields appear without notice), unless it looks like a number.
 */
export const NUMERIC_FIELDS: ReadonlySet<string> = new Set([
  'followers', 'following', 'reach', 'views', 'impressions', 'profileViews', 'likes', 'comments', 'shares', 'saves',
  'video_count', 'posts_count', 'quotes', 'engagement', 'watch_time_minutes', 'average_view_duration_seconds',
  'pin_clicks', 'outbound_clicks', 'period_days', 'total_impressions',
  'favorites', 'new_followers', 'profile_views', 'full_video_watched_rate', 'average_time_watched', 'total_time_watched',
  'percentage',
]);

const PLAIN = /^\+?(\d+(\.\d+)?|\.\d+)$/;
// Groups of three after the first: "3,400" and "1,234,567.5". "1,5" is a European decimal, or not: refused.
const THOUSANDS = /^\+?\d{1,3}(,\d{3})+(\.\d+)?$/;
const EXPONENT = /^\+?(\d+(\.\d*)?|\.\d+)[eE][+-]?\d+$/;
// Text that was meant as a number even where no number is documented: "-3", "12abc", "NaN";
// not a date or a time, which are text that starts with digits.
const NUMBERISH = /^([+-]\s*)?[\d.]|^[+-]?(nan|inf(inity)?)$/i;
const DATE_OR_TIME = /^\d{4}-\d{2}-\d{2}|^\d{1,2}:\d{2}/;
/** Keys that name an id or a page (`page_id`, `platform_post_id`): text even when all digits. */
export const isIdField = (key: string): boolean => /(^|_)(id|urn)$/i.test(key);
const MAX_RAW = 200;

const clip = (s: string): string => (s.length > MAX_RAW ? `${s.slice(0, MAX_RAW - 1)}…` : s);
const bad = (v: unknown, why: string): NumberReading => ({ ok: false, raw: clip(typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v))), why });

function checked(n: number, v: unknown): NumberReading {
  if (!Number.isFinite(n)) return bad(v, 'not a finite number');
  if (n < 0) return bad(v, 'negative');
  if (n > Number.MAX_SAFE_INTEGER) return bad(v, 'beyond exact integers');
  return { ok: true, value: n };
}

/**
 * One value as a non-negative number. `undefined`: no number there and none
 * meant (null, which is how JSON says "absent"; text, booleans, lists and
 * objects outside `numeric` fields). `numeric`: a number belongs here.
 */
export function readNumber(v: unknown, numeric: boolean): NumberReading | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'number') return checked(v, v);
  if (typeof v === 'string') {
    const t = v.trim();
    if (PLAIN.test(t) || EXPONENT.test(t)) return checked(Number(t), v);
    if (THOUSANDS.test(t)) return checked(Number(t.replace(/,/g, '')), v);
    return numeric || (NUMBERISH.test(t) && !DATE_OR_TIME.test(t)) ? bad(v, t.startsWith('-') ? 'negative, or not a number' : 'not a number') : undefined;
  }
  return numeric ? bad(v, 'not a number') : undefined;
}

/** A count as the API meant it, or undefined for anything that is not one (see readNumber). */
export function toCount(v: unknown): number | undefined {
  const r = readNumber(v, true);
  return r?.ok ? r.value : undefined;
}

/**
 * The numbers of a flat object of metrics (post_metrics, a profile snapshot):
 * the readable ones by name, and the bad ones under `prefix` + name.
 */
export function readMetrics(v: unknown, prefix: string, numeric: (key: string) => boolean = (k) => NUMERIC_FIELDS.has(k)): { values: Record<string, number>; bad: BadValue[] } {
  const values: Record<string, number> = {};
  const badValues: BadValue[] = [];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { values, bad: badValues };
  for (const [key, value] of Object.entries(v)) {
    if (isIdField(key)) continue;
    // Outside numeric fields, booleans are flags (is_ai_generated) and lists are breakdowns: undefined here.
    const r = readNumber(value, numeric(key));
    if (r?.ok) values[key] = r.value;
    else if (r) badValues.push({ field: `${prefix}${key}`, raw: r.raw, why: r.why });
  }
  return { values, bad: badValues };
}
