/**
 * Which field the server counted on each day. total-impressions' default mode
 * says how much it counted for a platform on a day, and metrics mode says what
 * every queryable field held that day: the field whose value equals the count
 * is the one counted. Pure, so the rule of every case is tested directly.
 */
import { QUERY_METRICS } from '../platforms.js';

const QUERYABLE: ReadonlySet<string> = new Set(QUERY_METRICS);

/** One platform's reading of one day: the count (default mode) and each field's value (metrics mode). */
export interface DayReading {
  day: string;
  counted: number | undefined;
  values: Readonly<Record<string, number>>;
}

export interface Identified {
  day: string;
  /** The field counted that day; null when it cannot be told. */
  field: string | null;
  /** True when the day's own numbers named it (one match, or a tie kept by continuity), not a stored rule. */
  fromValues: boolean;
  /** True when default mode counted something that day: then the day says which rule held, if only "none of the queryable fields". */
  counted: boolean;
}

export interface IdentifyHints {
  /** The field the stored rule of that day names (the earliest rule stands for the days before it), if any. */
  ruleOn: (day: string) => string | null;
  /** The platform's built-in field, preferred among equal candidates. */
  builtIn: string | null;
}

/**
 * Identify the counted field of each day, oldest first. Ties (Instagram's
 * `views` equals its `impressions`; a dead day where every field is 0) keep
 * the field of the day before when it is among them, else the stored rule's,
 * else the built-in one, else the first in the API's metric order.
 */
export function identifyFields(readings: readonly DayReading[], hints: IdentifyHints): Identified[] {
  const sorted = [...readings].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  const out: Identified[] = [];
  let previous: string | null = null;
  for (const r of sorted) {
    if (r.counted === undefined) {
      out.push({ day: r.day, field: null, fromValues: false, counted: false });
      continue;
    }
    const candidates = QUERY_METRICS.filter((m) => r.values[m] === r.counted);
    const ruled = hints.ruleOn(r.day);
    let field: string | null = null;
    let fromValues = true;
    if (candidates.length === 1) field = candidates[0]!;
    else if (candidates.length > 1) {
      const pick: string | null | undefined = [previous, ruled, hints.builtIn].find((f) => f !== null && (candidates as string[]).includes(f));
      field = pick ?? candidates[0]!;
    } else {
      // No queryable field holds the count: the field is one metrics mode cannot bring
      // (Bluesky's `engagement`). Name it only when the stored rule names such a field;
      // a rule naming a queryable field is contradicted by the numbers.
      fromValues = false;
      field = ruled !== null && !QUERYABLE.has(ruled) ? ruled : null;
    }
    out.push({ day: r.day, field, fromValues, counted: true });
    if (field !== null) previous = field;
  }
  return out;
}

export interface FieldRun {
  /** null: a field the numbers cannot name, known only to be none of the queryable ones. */
  field: string | null;
  from: string;
  to: string;
}

/**
 * Consecutive counted days with the same field: the rule each day's numbers
 * show (a field metrics mode cannot bring when the stored rule names one and
 * no queryable field holds the count; null when none is named). Every counted
 * day is claimed, so that a rule learned for a later day, taken to hold before
 * it was first seen, never claims a day whose numbers said otherwise.
 */
export function fieldRuns(identified: readonly Identified[]): FieldRun[] {
  const runs: FieldRun[] = [];
  for (const d of identified) {
    if (!d.counted) continue;
    const last = runs[runs.length - 1];
    if (last && last.field === d.field) last.to = d.day;
    else runs.push({ field: d.field, from: d.day, to: d.day });
  }
  return runs;
}
