/**
 * Validate a total-impressions query and resolve it to a closed day range, by
 * the API's rules (SPEC "The arithmetic"). Bad input throws BadInputError
 * with a message naming the bad value, as the API's 400 does.
 */
import { addDays, dayInZone, isValidDay, isValidTimeZone, now } from '../dates.js';
import { BadInputError } from '../errors.js';
import { QUERY_METRICS } from '../platforms.js';
import type { ImpressionsQuery, ImpressionsSource, ResolvedQuery } from './impressions.types.js';

/** Days back from today of each period shortcut: the range is today−n … today, both inclusive. */
export const PERIOD_DAYS: Readonly<Record<string, number>> = {
  last_day: 1,
  last_week: 7,
  last_month: 30,
  last_3months: 90,
  last_year: 365,
};

/** Without dates the range starts this many days before today. */
export const DEFAULT_DAYS_BACK = 30;

const SOURCES: readonly ImpressionsSource[] = ['snapshots', 'timeseries'];

/** A comma list: trimmed, empties dropped (the API's reading of `platform` and `metrics`). */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The parsed `platform` filter: lower-cased too, duplicates kept, as the API echoes it in platforms_filter. */
export function parsePlatformFilter(text: string): string[] {
  return splitList(text).map((p) => p.toLowerCase());
}

/** The parsed `metrics` list: unknown names are bad input; duplicates are dropped keeping first order. */
export function parseMetricList(text: string): string[] {
  const names = [...new Set(splitList(text))];
  const unknown = names.filter((m) => !(QUERY_METRICS as readonly string[]).includes(m));
  if (unknown.length > 0) {
    const what = unknown.map((m) => `"${m}"`).join(', ');
    throw new BadInputError(`Invalid metric${unknown.length > 1 ? 's' : ''}: ${what} (available: ${QUERY_METRICS.join(', ')})`);
  }
  return names;
}

// An empty parameter (`?date=`) counts as not given, as in a query string.
function given(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function checkDay(name: string, value: string | undefined): string | undefined {
  const text = given(value);
  if (text !== undefined && (typeof text !== 'string' || !isValidDay(text))) {
    throw new BadInputError(`Invalid ${name}: "${String(text)}" is not a real day in YYYY-MM-DD format`);
  }
  return text;
}

/** "Today" for a query: `as_of` if given, else the current date in `timezone` (default UTC). */
export function todayFor(query: Pick<ImpressionsQuery, 'as_of' | 'timezone'>, clock: () => Date = now): string {
  const asOf = checkDay('as_of', query.as_of);
  if (asOf !== undefined) return asOf;
  const zone = given(query.timezone) ?? 'UTC';
  if (!isValidTimeZone(zone)) throw new BadInputError(`Invalid timezone: "${zone}" is not an IANA time zone`);
  return dayInZone(clock(), zone);
}

/**
 * Validate and resolve. Checks run in the API's order (dates, period,
 * metrics, then the range) so the first complaint matches what it would say.
 */
export function resolveQuery(query: ImpressionsQuery, clock: () => Date = now): ResolvedQuery {
  const date = checkDay('date', query.date);
  const startDate = checkDay('start_date', query.start_date);
  const endDate = checkDay('end_date', query.end_date);
  const period = given(query.period);
  if (period !== undefined && !Object.hasOwn(PERIOD_DAYS, period)) {
    throw new BadInputError(`Invalid period: "${period}" (expected one of ${Object.keys(PERIOD_DAYS).join(', ')})`);
  }
  const metricsText = given(query.metrics);
  const metricList = metricsText === undefined ? [] : parseMetricList(metricsText);
  // `metrics=,` names no metric at all: the API answers it in default mode.
  const metrics = metricList.length > 0 ? metricList : undefined;
  const source = (given(query.source) ?? 'snapshots') as ImpressionsSource;
  if (!SOURCES.includes(source)) throw new BadInputError(`Invalid source: "${source}" (expected snapshots or timeseries)`);
  if (source === 'timeseries' && metrics !== undefined) {
    throw new BadInputError(`metrics (${metrics.join(',')}) cannot be used with source=timeseries: the time series hold one daily series per platform, not metrics`);
  }

  const today = todayFor(query, clock);
  let start: string;
  let end: string;
  if (date !== undefined) {
    start = end = date;
  } else if (period !== undefined) {
    start = addDays(today, -(PERIOD_DAYS[period] ?? 0));
    end = today;
  } else {
    start = startDate ?? addDays(today, -DEFAULT_DAYS_BACK);
    end = endDate ?? today;
  }
  if (start > end) throw new BadInputError(`Invalid range: start_date ${start} is after end_date ${end}`);

  const platformText = given(query.platform);
  const breakdown = query.breakdown === true || (typeof query.breakdown === 'string' && query.breakdown.toLowerCase() === 'true');
  return {
    start,
    end,
    today,
    platforms: platformText === undefined ? undefined : parsePlatformFilter(platformText),
    breakdown,
    metrics,
    source,
  };
}
