/**
 * The hot write path: daily values keyed by series, and what the server
 * counted per (profile, platform, day). Prepared statements and a series-id
 * cache, because a collect writes thousands of these per minute.
 */
import type { Statement } from 'better-sqlite3';
import { preparedFor } from './prepared.js';
import type { Warehouse } from './warehouse.js';

export type SeriesKind = 'snapshot' | 'timeseries';
export type ValueSource = 'collect' | 'backfill';

export interface DailyValue {
  day: string;
  value: number;
}

/** One (profile, platform, day) the server holds a snapshot of, and what it counted that day. */
export interface CountedDay {
  profileId: number;
  platform: string;
  day: string;
  /** What total-impressions' default mode adds for that day; null when nothing is counted. */
  value: number | null;
  /** The field the count came from; null when the server's count is known but not its field. */
  primaryField: string | null;
  metricType: string | null;
}

const changeLog = preparedFor((wh) =>
  wh.sqlite.prepare(
    `INSERT INTO run_changes (run_id, profile_id, from_day, to_day) VALUES (?, ?, ?, ?)
     ON CONFLICT (run_id, profile_id) DO UPDATE SET from_day = min(from_day, excluded.from_day), to_day = max(to_day, excluded.to_day)`,
  ),
);

/**
 * Note in run_changes that a run wrote rows of the profile between two days
 * (inside the transaction that wrote them): what an incremental sync reads.
 * One row per (run, profile), widened as needed.
 */
export function noteRunChange(wh: Warehouse, runId: number, profileId: number, fromDay: string, toDay: string): void {
  changeLog(wh).run(runId, profileId, fromDay, toDay);
}

/** Rows per multi-row upsert: a collect's platform writes 30 to 50 values. */
const WRITE_ROWS = 32;

/**
 * Upsert n daily values. Same value again: touch nothing (no write, no revision).
 * A new value: the trigger keeps the old one.
 */
function upsertValues(n: number): string {
  return `INSERT INTO daily_values (series_id, day, value, source, observed_at, run_id) VALUES ${Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?)').join(', ')}
    ON CONFLICT (series_id, day) DO UPDATE SET value = excluded.value, source = excluded.source, observed_at = excluded.observed_at, run_id = excluded.run_id
    WHERE daily_values.value IS NOT excluded.value`;
}

export class ValueWriter {
  /**
   * Series ids of one profile: the one being written, loaded in one query when
   * it is first asked for. Profiles are written one at a time, so a cache of
   * every profile would only grow with the run (about 110 entries per profile).
   */
  private seriesIds = new Map<string, number>();
  private cachedProfile: number | undefined;
  private readonly insertSeries: Statement;
  private readonly selectSeries: Statement;
  private readonly selectProfileSeries: Statement;
  private readonly upsert: Statement;
  /** The same upsert for n rows at once, by n. */
  private readonly upsertRows = new Map<number, Statement>();
  private readonly upsertCounted: Statement;
  /** Values inserted or changed (not ones re-written with the same value). */
  written = 0;

  /** `runId`: the run every value written here belongs to (what an incremental sync ships). */
  constructor(
    private readonly wh: Warehouse,
    readonly runId: number | null = null,
  ) {
    const db = wh.sqlite;
    // RETURNING nothing on conflict: another writer created it since our look-up.
    this.insertSeries = db.prepare('INSERT INTO series (profile_id, platform, kind, name) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id').pluck();
    this.selectSeries = db.prepare('SELECT id FROM series WHERE profile_id = ? AND platform = ? AND kind = ? AND name = ?').pluck();
    // SEARCH series USING COVERING INDEX series_key_idx (profile_id=?): the index holds every column asked for.
    this.selectProfileSeries = db.prepare('SELECT platform, kind, name, id FROM series WHERE profile_id = ?').raw();
    this.upsert = db.prepare(upsertValues(1));
    // A reading that knows the count but not its field (a backfilled day no metric matched)
    // keeps the field an earlier reading of the same count named.
    this.upsertCounted = db.prepare(
      `INSERT INTO daily_impressions (profile_id, platform, day, value, primary_field, metric_type, source, observed_at, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (profile_id, platform, day) DO UPDATE SET
         value = excluded.value,
         primary_field = CASE WHEN excluded.primary_field IS NULL AND daily_impressions.value IS excluded.value THEN daily_impressions.primary_field ELSE excluded.primary_field END,
         metric_type = CASE WHEN excluded.metric_type IS NULL AND daily_impressions.value IS excluded.value THEN daily_impressions.metric_type ELSE excluded.metric_type END,
         source = excluded.source, observed_at = excluded.observed_at, run_id = excluded.run_id
       WHERE daily_impressions.value IS NOT excluded.value
         OR (excluded.primary_field IS NOT NULL AND daily_impressions.primary_field IS NOT excluded.primary_field)
         OR (excluded.metric_type IS NOT NULL AND daily_impressions.metric_type IS NOT excluded.metric_type)`,
    );
  }

  /** The id of a series, created on first use. */
  seriesId(profileId: number, platform: string, kind: SeriesKind, name: string): number {
    if (profileId !== this.cachedProfile) {
      // One query for the profile's existing series instead of one per series.
      const rows = this.selectProfileSeries.all(profileId) as Array<[string, string, string, number]>;
      this.seriesIds = new Map(rows.map(([p, k, n, id]) => [`${p}\u0000${k}\u0000${n}`, id]));
      this.cachedProfile = profileId;
    }
    const key = `${platform}\u0000${kind}\u0000${name}`;
    let id = this.seriesIds.get(key);
    if (id === undefined) {
      const args = [profileId, platform, kind, name] as const;
      id = (this.insertSeries.get(...args) ?? this.selectSeries.get(...args)) as number;
      this.seriesIds.set(key, id);
    }
    return id;
  }

  /** Write one value; returns true when it was new or changed. */
  write(seriesId: number, day: string, value: number, source: ValueSource, observedAt: number): boolean {
    const changed = this.upsert.run(seriesId, day, value, source, observedAt, this.runId).changes > 0;
    if (changed) this.written++;
    return changed;
  }

  /**
   * Write many values in as few statements as possible (WRITE_ROWS rows each);
   * returns how many were new or changed. One statement per row costs twice as
   * much per value (the call and binding dominate): a collect writes 395 values
   * per profile, 330 of them its 30-day series (BENCHMARKS.md, figure 2).
   */
  writeMany(rows: ReadonlyArray<readonly [seriesId: number, day: string, value: number]>, source: ValueSource, observedAt: number): number {
    let changed = 0;
    for (let from = 0; from < rows.length; from += WRITE_ROWS) {
      const chunk = rows.slice(from, from + WRITE_ROWS);
      let statement = this.upsertRows.get(chunk.length);
      if (statement === undefined) this.upsertRows.set(chunk.length, (statement = this.wh.sqlite.prepare(upsertValues(chunk.length))));
      const args: unknown[] = [];
      for (const [seriesId, day, value] of chunk) args.push(seriesId, day, value, source, observedAt, this.runId);
      changed += statement.run(args).changes;
    }
    this.written += changed;
    return changed;
  }

  /** Record what the server counted on a day (and that the day is held); true when it was new or changed. */
  writeCounted(c: CountedDay, source: ValueSource, observedAt: number): boolean {
    return this.upsertCounted.run(c.profileId, c.platform, c.day, c.value, c.primaryField, c.metricType, source, observedAt, this.runId).changes > 0;
  }

  /** Note that this run wrote rows of the profile between two days (see noteRunChange). */
  noteWritten(profileId: number, fromDay: string, toDay: string): void {
    if (this.runId !== null) noteRunChange(this.wh, this.runId, profileId, fromDay, toDay);
  }

  /** Forget cached ids (after a rolled-back transaction they may not exist). */
  forget(): void {
    this.seriesIds = new Map();
    this.cachedProfile = undefined;
  }

  get warehouse(): Warehouse {
    return this.wh;
  }
}
