/**
 * The hot write path: daily values keyed by series. Prepared statements and a
 * series-id cache, because a collect writes thousands of these per minute.
 */
import type { Statement } from 'better-sqlite3';
import type { Warehouse } from './warehouse.js';

export type SeriesKind = 'snapshot' | 'timeseries';
export type ValueSource = 'collect' | 'backfill';

export interface DailyValue {
  day: string;
  value: number;
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
  /** Values inserted or changed (not ones re-written with the same value). */
  written = 0;

  constructor(private readonly wh: Warehouse) {
    const db = wh.sqlite;
    // RETURNING nothing on conflict: another writer created it since our look-up.
    this.insertSeries = db.prepare('INSERT INTO series (profile_id, platform, kind, name) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id').pluck();
    this.selectSeries = db.prepare('SELECT id FROM series WHERE profile_id = ? AND platform = ? AND kind = ? AND name = ?').pluck();
    // SEARCH series USING COVERING INDEX series_key_idx (profile_id=?): the index holds every column asked for.
    this.selectProfileSeries = db.prepare('SELECT platform, kind, name, id FROM series WHERE profile_id = ?').raw();
    // Same value again: touch nothing (no write, no revision). A new value: the trigger keeps the old one.
    this.upsert = db.prepare(
      `INSERT INTO daily_values (series_id, day, value, source, observed_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (series_id, day) DO UPDATE SET value = excluded.value, source = excluded.source, observed_at = excluded.observed_at
       WHERE daily_values.value IS NOT excluded.value`,
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
    const changed = this.upsert.run(seriesId, day, value, source, observedAt).changes > 0;
    if (changed) this.written++;
    return changed;
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
