/**
 * What a sync reads from the warehouse: a read-only connection (never the
 * writer lock, so it runs beside a daemon), one read snapshot for the whole
 * sync, the run horizon, and for each replicated table the rows it must send,
 * found the way src/replication.ts declares.
 *
 * Runs write one after another (one writer per warehouse, one job at a time),
 * so "every row of runs before the horizon" is a consistent cut: the horizon
 * is the lowest run still writing, and a run whose process is gone is
 * finished (nothing more of it can come).
 */
import type { Statement } from 'better-sqlite3';
import type { Finder, ReplicatedTable } from '../replication.js';
import { openWarehouse, type Warehouse } from './warehouse.js';

/** Which rows a sync sends. */
export interface ChangeWindow {
  /** Rows written by runs after this one are sent; undefined: the first sync, every row. */
  after: number | undefined;
  /** Rows of this run and later wait for a later sync. */
  before: number;
}

export interface Snapshot {
  /** The lowest run still writing rows, or one past the newest run. */
  horizon: number;
  /** Runs below the horizon still running (a sync recording itself): their run rows wait. */
  running: number[];
  /** The newest run id (0 when there is none). */
  newest: number;
}

/** Rows of one table, as arrays in the declared column order; `lastId` once they are read (appended tables). */
export interface TableRows {
  rows: Iterable<unknown[]>;
  lastId(): number | undefined;
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
const ALL_DAYS = ['0000-01-01', '9999-12-31'] as const;

// For `creator: 'revision'`: the first revision made by a run at or past the horizon. A revision
// was made by the run that wrote the value replacing it: the next revision of the same key (its
// run_id; NULL from before 0003 counts as old), else the current value. SEARCH value_revisions
// USING INTEGER PRIMARY KEY (rowid>?), then per row SEARCH n USING INDEX value_revisions_key_idx
// (series_id=? AND day=? AND rowid>?) and SEARCH v USING PRIMARY KEY (series_id=? AND day=?).
const REVISION_BOUND = `
  SELECT min(r.id) FROM value_revisions r
  WHERE r.id > ? AND coalesce(
    (SELECT coalesce(n.run_id, 0) FROM value_revisions n WHERE n.series_id = r.series_id AND n.day = r.day AND n.id > r.id ORDER BY n.id LIMIT 1),
    (SELECT v.run_id FROM daily_values v WHERE v.series_id = r.series_id AND v.day = r.day),
    0) >= ?`;

export class ChangeReader {
  private readonly wh: Warehouse;
  private snap: Snapshot | undefined;

  /** Open `path` read-only; `isAlive` tells a run whose process died from one still writing. */
  constructor(
    path: string,
    private readonly isAlive: (pid: number) => boolean,
  ) {
    this.wh = openWarehouse(path, { readonly: true });
  }

  /**
   * Begin the read snapshot every later read sees, and find the horizon. Runs
   * are judged dead before the snapshot starts: a process that was alive then
   * may still commit rows the snapshot would miss, so it counts as writing.
   */
  begin(): Snapshot {
    const db = this.wh.sqlite;
    const open = db.prepare("SELECT id, pid FROM runs WHERE status = 'running'").all() as Array<{ id: number; pid: number | null }>;
    const dead = new Set(open.filter((r) => r.pid === null || !this.isAlive(r.pid)).map((r) => r.id));
    db.exec('BEGIN');
    const running = (db.prepare("SELECT id, kind FROM runs WHERE status = 'running' ORDER BY id").all() as Array<{ id: number; kind: string }>).filter(
      (r) => !dead.has(r.id),
    );
    const newest = (db.prepare('SELECT coalesce(max(id), 0) FROM runs').pluck().get() as number) ?? 0;
    // A sync's own run writes no rows: it holds nothing back.
    const horizon = running.find((r) => r.kind !== 'sync')?.id ?? newest + 1;
    this.snap = { horizon, running: running.filter((r) => r.id < horizon).map((r) => r.id), newest };
    return this.snap;
  }

  /** `started_at` of a run, as stored (identifies this warehouse's history), or undefined. */
  runStartedAt(id: number): string | undefined {
    return this.wh.sqlite.prepare('SELECT started_at FROM runs WHERE id = ?').pluck().get(id) as string | undefined;
  }

  /** The rows of `table` this sync sends: what changed in `window`, or for appended tables, what came after `lastSent`. */
  rows(table: ReplicatedTable, window: ChangeWindow, lastSent = 0): TableRows {
    if (!this.snap) throw new Error('ChangeReader.rows before begin()');
    const columns = Object.keys(table.columns);
    const select = `SELECT ${columns.map((c) => `t.${q(c)}`).join(', ')} FROM ${q(table.name)} t`;
    const find: Finder = table.find;
    const db = this.wh.sqlite;
    if (find.kind === 'whole') {
      if (!find.horizon) return once(db.prepare(select).raw().iterate() as Iterable<unknown[]>);
      const stmt = db.prepare(`${select} WHERE t.id < ? AND t.id NOT IN (SELECT value FROM json_each(?))`).raw();
      return once(stmt.iterate(window.before, JSON.stringify(this.snap.running)) as Iterable<unknown[]>);
    }
    if (find.kind === 'appended') return this.appended(table.name, select, columns, find, lastSent, window);
    if (window.after === undefined) {
      // First sync: every row, but none of a run still writing. NULL: written before runs were recorded.
      return once(db.prepare(`${select} WHERE t.run_id IS NULL OR t.run_id < ?`).raw().iterate(window.before) as Iterable<unknown[]>);
    }
    return once(this.changed(table, select, find, window));
  }

  private appended(table: string, select: string, columns: string[], find: Extract<Finder, { kind: 'appended' }>, lastSent: number, window: ChangeWindow): TableRows {
    const db = this.wh.sqlite;
    let bound: number | null = null;
    // Only while a run is writing can a new row belong to it.
    if (find.creator && window.before <= this.snap!.newest) {
      const sql = find.creator === 'run_id' ? `SELECT min(id) FROM ${q(table)} WHERE id > ? AND run_id >= ?` : REVISION_BOUND;
      bound = db.prepare(sql).pluck().get(lastSent, window.before) as number | null;
    }
    const stmt = db.prepare(`${select} WHERE t.id > ? AND t.id < ? ORDER BY t.id`).raw();
    const at = columns.indexOf('id');
    let last: number | undefined;
    const rows = function* (): Generator<unknown[]> {
      for (const row of stmt.iterate(lastSent, bound ?? Number.MAX_SAFE_INTEGER) as Iterable<unknown[]>) {
        last = row[at] as number;
        yield row;
      }
    };
    return { rows: rows(), lastId: () => last };
  }

  /**
   * Rows of runs in the window, through run_changes: each changed profile's
   * leads (the profile, its series, or its posts stamped since the cursor),
   * then per lead an index seek on the key down to the day range. Key columns
   * between the lead and `day` (platform, snapshot) are walked one seek per
   * value, so a profile's year of history is never scanned for one new day.
   */
  private *changed(table: ReplicatedTable, select: string, find: Extract<Finder, { kind: 'changed' }>, window: ChangeWindow): Generator<unknown[]> {
    const db = this.wh.sqlite;
    const after = window.after!;
    const ranges = new Map(
      (db.prepare('SELECT profile_id, min(from_day), max(to_day) FROM run_changes WHERE run_id > ? AND run_id < ? GROUP BY profile_id').raw().all(after, window.before) as Array<
        [number, string, string]
      >).map(([p, lo, hi]) => [p, [lo, hi] as const]),
    );
    const lead = find.via === 'profile' ? 'profile_id' : find.via === 'series' ? 'series_id' : 'request_id';
    const dayAt = table.key.indexOf('day');
    const mids = find.byDay && table.key[0] === lead && dayAt > 0 ? table.key.slice(1, dayAt) : [];
    const where = [`t.${q(lead)} = ?`, ...mids.map((m) => `t.${q(m)} = ?`), ...(find.byDay ? ['t.day BETWEEN ? AND ?'] : []), 't.run_id > ? AND t.run_id < ?'];
    const stmt = db.prepare(`${select} WHERE ${where.join(' AND ')}`).raw();
    const walk = mids.map((m, i) => {
      const fixed = [lead, ...mids.slice(0, i)].map((c) => `${q(c)} = ?`).join(' AND ');
      return db.prepare(`SELECT ${q(m)} FROM ${q(table.name)} WHERE ${fixed} AND ${q(m)} > ? ORDER BY ${q(m)} LIMIT 1`).pluck();
    });
    const leadsOf = this.leads(find.via, after, ranges);
    for (const [value, [lo, hi]] of leadsOf) {
      for (const fixed of tuples(walk, [value])) {
        yield* stmt.all(...fixed, ...(find.byDay ? [lo, hi] : []), after, window.before) as unknown[][];
      }
    }
  }

  /** The lead values of the changed rows, each with the day range to read. */
  private *leads(via: 'profile' | 'series' | 'post', after: number, ranges: Map<number, readonly [string, string]>): Generator<[unknown, readonly [string, string]]> {
    const db = this.wh.sqlite;
    if (via === 'profile') {
      yield* ranges.entries();
      return;
    }
    if (via === 'series') {
      // SEARCH series USING COVERING INDEX series_key_idx (profile_id=?)
      const ids = db.prepare('SELECT id FROM series WHERE profile_id = ?').pluck();
      for (const [profile, range] of ranges) for (const id of ids.all(profile)) yield [id, range];
      return;
    }
    // A post's rows are stamped on its row too: the posts read since the cursor are one scan of a small table.
    // A post whose profile the change log does not name is read over all its days.
    for (const [requestId, profile] of db.prepare('SELECT request_id, profile_id FROM posts WHERE run_id > ?').raw().all(after) as Array<[string, number]>) {
      yield [requestId, ranges.get(profile) ?? ALL_DAYS];
    }
  }

  /** End the snapshot and close the file. */
  close(): void {
    if (this.wh.sqlite.inTransaction) this.wh.sqlite.exec('COMMIT');
    this.wh.close();
  }
}

/** Every combination of the leading key values, found one seek at a time (a skip scan). */
function* tuples(walk: Statement[], fixed: unknown[]): Generator<unknown[]> {
  const i = fixed.length - 1;
  if (i === walk.length) {
    yield fixed;
    return;
  }
  const stmt = walk[i]!;
  // SQLite orders numbers before text: -Infinity is below every value a key column holds.
  let value = stmt.get(...fixed, Number.NEGATIVE_INFINITY) as unknown;
  while (value !== undefined) {
    yield* tuples(walk, [...fixed, value]);
    value = stmt.get(...fixed, value) as unknown;
  }
}

function once(rows: Iterable<unknown[]>): TableRows {
  return { rows, lastId: () => undefined };
}
