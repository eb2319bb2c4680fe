/**
 * The SQL of offline total impressions. Callers describe what to add as
 * "spans" (a platform's series over a closed day range, filed under a key);
 * SQLite does every sum, so no daily row ever reaches JavaScript.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { SeriesKind } from './values.repository.js';
import type { Warehouse } from './warehouse.js';

/** Add series `name` of `platform` over from…to (inclusive), and file the sums under `key`. */
export interface Span {
  key: string;
  platform: string;
  name: string;
  from: string;
  to: string;
}

/** The sums of one key. Only platforms and days where some value was added appear (a 0 included). */
export interface KeySums {
  total: number;
  /** Ascending by platform. */
  perPlatform: Array<[platform: string, value: number]>;
  /** Ascending by day; only filled when asked for. */
  perDay: Array<[day: string, value: number]>;
}

// The spans arrive as one JSON array bound to one parameter, so a query of any
// shape is one prepared statement. Keys travel as small integers and the spans
// are materialized first: JSON extraction and text keys per daily row cost
// more than the scan itself. Each span's series gives one row: its sum over
// the range, an aggregate subquery straight off the primary key (no sort).
// EXPLAIN QUERY PLAN:
//
//   MATERIALIZE span: SCAN json_each VIRTUAL TABLE INDEX 1:
//   SCAN span
//   SEARCH s USING COVERING INDEX series_key_idx (profile_id=? AND platform=? AND kind=? AND name=?)
//   CORRELATED SCALAR SUBQUERY: SEARCH v USING PRIMARY KEY (series_id=? AND day>? AND day<?)
//
// CROSS JOIN pins the loop order: without it (and with no ANALYZE statistics)
// the planner may put json_each innermost and scan every value of the
// profile's series whatever the range.
const SPANS = `
  span AS MATERIALIZED (
    SELECT value ->> 0 AS k, value ->> 1 AS platform, value ->> 2 AS name, value ->> 3 AS lo, value ->> 4 AS hi
    FROM json_each(:spans)
  ),
  hit AS (
    SELECT span.k AS k, s.platform AS platform, s.id AS series_id, span.lo AS lo, span.hi AS hi
    FROM span
    CROSS JOIN series s ON s.profile_id = :profileId AND s.platform = span.platform AND s.kind = :kind AND s.name = span.name
  )`;

const IN_RANGE = 'FROM daily_values v WHERE v.series_id = hit.series_id AND v.day >= hit.lo AND v.day <= hit.hi';

// A series with no value in range sums to NULL and adds no key; it is skipped
// when reading the rows, because any filter on `part` here runs the subquery twice.
const PER_SERIES = `WITH ${SPANS} SELECT k, platform, (SELECT SUM(v.value) ${IN_RANGE}) AS part FROM hit`;

// Per day, the series' rows come along as two comma lists read off the same
// range (days, then values, in the same order: one scan feeds both), and are
// added up in JavaScript. A GROUP BY day would sort every daily row in a temp
// B-tree: for five metrics over a year of ten platforms (13,500 rows) that
// sort costs eight times the scan (BENCHMARKS.md, figure 3). SQLite renders an
// INTEGER exactly and a REAL as the shortest text that reads back as the same
// double, so Number() gets back the stored values.
const PER_SERIES_DAYS = `WITH ${SPANS}
  SELECT k, platform, (SELECT SUM(v.value) ${IN_RANGE}) AS part, (SELECT group_concat(v.day) || ' ' || group_concat(v.value) ${IN_RANGE}) AS days
  FROM hit`;

// Default mode adds what the server counted, kept per (profile, platform, day) in
// daily_impressions. EXPLAIN QUERY PLAN:
//   SEARCH d USING PRIMARY KEY (profile_id=? AND platform=? AND day>? AND day<?)
//   (one range per platform of the json list; then a temp b-tree per GROUP BY)
// A platform whose days all counted nothing sums to NULL and adds no key, as in the API.
const COUNTED_BY_PLATFORM = `
  SELECT 0 AS g, d.platform AS at, SUM(d.value) AS value
  FROM json_each(:platforms) j CROSS JOIN daily_impressions d
    ON d.profile_id = :profileId AND d.platform = j.value AND d.day >= :lo AND d.day <= :hi
  GROUP BY d.platform`;
const COUNTED_BY_DAY = `
  SELECT 1 AS g, d.day AS at, SUM(d.value) AS value
  FROM json_each(:platforms) j CROSS JOIN daily_impressions d
    ON d.profile_id = :profileId AND d.platform = j.value AND d.day >= :lo AND d.day <= :hi
  GROUP BY d.day`;

interface Statements {
  perSeries: Statement;
  perSeriesDays: Statement;
  countedByPlatform: Statement;
  countedBoth: Statement;
  profileHasData: Statement;
  platformsOf: Statement;
  countedPlatformsOf: Statement;
  heldDays: Statement;
}

const cache = new WeakMap<Database, Statements>();

function statements(wh: Warehouse): Statements {
  let st = cache.get(wh.sqlite);
  if (!st) {
    const db = wh.sqlite;
    st = {
      perSeries: db.prepare(PER_SERIES),
      perSeriesDays: db.prepare(PER_SERIES_DAYS),
      profileHasData: db.prepare('SELECT p.id FROM profiles p WHERE p.username = ? AND EXISTS (SELECT 1 FROM series s WHERE s.profile_id = p.id)').pluck(),
      platformsOf: db.prepare('SELECT DISTINCT platform FROM series WHERE profile_id = ? AND kind = ? ORDER BY platform').pluck(),
      countedByPlatform: db.prepare(`${COUNTED_BY_PLATFORM} ORDER BY 1, 2`),
      countedBoth: db.prepare(`${COUNTED_BY_PLATFORM} UNION ALL ${COUNTED_BY_DAY} ORDER BY 1, 2`),
      countedPlatformsOf: db.prepare('SELECT DISTINCT platform FROM daily_impressions WHERE profile_id = ? ORDER BY platform').pluck(),
      // Per platform in range: held days, days no rule could count, and the metric types seen.
      heldDays: db.prepare(
        `SELECT d.platform, COUNT(*) AS held, SUM(d.value IS NULL AND d.primary_field IS NULL) AS unruled, json_group_array(DISTINCT d.metric_type) AS types
         FROM json_each(:platforms) j CROSS JOIN daily_impressions d
           ON d.profile_id = :profileId AND d.platform = j.value AND d.day >= :lo AND d.day <= :hi
         GROUP BY d.platform`,
      ),
    };
    cache.set(wh.sqlite, st);
  }
  return st;
}

/** The profile's id when the warehouse holds any series for it; undefined otherwise. */
export function findProfileWithData(wh: Warehouse, username: string): number | undefined {
  return statements(wh).profileHasData.get(username) as number | undefined;
}

/** The platforms the profile has series of this kind for, sorted. */
export function platformsWithSeries(wh: Warehouse, profileId: number, kind: SeriesKind): string[] {
  return statements(wh).platformsOf.all(profileId, kind) as string[];
}

/** The platforms the warehouse holds days of (snapshots) for the profile, sorted. */
export function countedPlatforms(wh: Warehouse, profileId: number): string[] {
  return statements(wh).countedPlatformsOf.all(profileId) as string[];
}

export interface HeldDays {
  /** Days held in range. */
  held: number;
  /** Held days on which no rule named a field, so nothing could be counted. */
  unruled: number;
  /** The metric types of the held days. */
  metricTypes: Set<string>;
}

/** Per platform: what the warehouse holds of it from `lo` to `hi`. */
export function heldDays(wh: Warehouse, profileId: number, platforms: readonly string[], lo: string, hi: string): Map<string, HeldDays> {
  const rows = statements(wh).heldDays.all({ profileId, platforms: JSON.stringify(platforms), lo, hi }) as Array<{ platform: string; held: number; unruled: number; types: string }>;
  return new Map(rows.map((r) => [r.platform, { held: r.held, unruled: r.unruled, metricTypes: new Set((JSON.parse(r.types) as Array<string | null>).filter((t): t is string => t !== null)) }]));
}

/** What the server counted for the profile's platforms from `lo` to `hi`: per platform, and per day when asked. */
export function sumCounted(wh: Warehouse, input: { profileId: number; platforms: readonly string[]; lo: string; hi: string; perDay: boolean }): KeySums | undefined {
  if (input.platforms.length === 0) return undefined;
  const st = statements(wh);
  const rows = (input.perDay ? st.countedBoth : st.countedByPlatform).all({ profileId: input.profileId, platforms: JSON.stringify(input.platforms), lo: input.lo, hi: input.hi }) as Array<{ g: 0 | 1; at: string; value: number | null }>;
  const sums: KeySums = { total: 0, perPlatform: [], perDay: [] };
  for (const row of rows) {
    if (row.value === null) continue;
    if (row.g === 0) {
      sums.perPlatform.push([row.at, row.value]);
      sums.total += row.value;
    } else sums.perDay.push([row.at, row.value]);
  }
  return sums.perPlatform.length > 0 ? sums : undefined;
}

/**
 * Sum the spans of one profile, per key: per-platform sums (and their total),
 * and per-day sums when `perDay` is set. Spans of one key must not overlap
 * (the same series and day twice), or those values count twice.
 */
export function sumSpans(wh: Warehouse, input: { profileId: number; kind: SeriesKind; spans: readonly Span[]; perDay: boolean }): Map<string, KeySums> {
  const sums = new Map<string, KeySums>();
  if (input.spans.length === 0) return sums;
  const st = statements(wh);
  const keys = [...new Set(input.spans.map((s) => s.key))];
  const params = {
    profileId: input.profileId,
    kind: input.kind,
    spans: JSON.stringify(input.spans.map((s) => [keys.indexOf(s.key), s.platform, s.name, s.from, s.to])),
  };
  const rows = (input.perDay ? st.perSeriesDays : st.perSeries).all(params) as Array<{ k: number; platform: string; part: number | null; days?: string | null }>;
  // Per key: platform → sum and day → sum, in the order the rows come; sorted once at the end.
  const byKey = new Map<number, { perPlatform: Map<string, number>; perDay: Map<string, number> }>();
  for (const row of rows) {
    if (row.part === null) continue;
    let e = byKey.get(row.k);
    if (!e) byKey.set(row.k, (e = { perPlatform: new Map(), perDay: new Map() }));
    e.perPlatform.set(row.platform, (e.perPlatform.get(row.platform) ?? 0) + row.part);
    if (row.days) {
      const gap = row.days.indexOf(' ');
      const days = row.days.slice(0, gap).split(',');
      const values = row.days.slice(gap + 1).split(',');
      for (let i = 0; i < days.length; i++) e.perDay.set(days[i]!, (e.perDay.get(days[i]!) ?? 0) + Number(values[i]));
    }
  }
  // Map keys: no two are equal. Code-unit order, as SQLite's BINARY collation on ASCII names and days.
  const ascending = <T>(a: [string, T], b: [string, T]) => (a[0] < b[0] ? -1 : 1);
  for (const [k, e] of byKey) {
    const perPlatform = [...e.perPlatform].sort(ascending);
    sums.set(keys[k]!, { total: perPlatform.reduce((n, [, v]) => n + v, 0), perPlatform, perDay: [...e.perDay].sort(ascending) });
  }
  return sums;
}
