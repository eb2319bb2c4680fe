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
    // Read-only: a file an older upw wrote is refused (exit 2), since the sync cannot migrate it.
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
    const list = columns.map((c) => `t.${q(c)}`).join(', ');
    const select = `SELECT ${list} FROM ${q(table.name)} t`;
    const find: Finder = table.find;
    const db = this.wh.sqlite;
    if (find.kind === 'whole') {
      if (!find.horizon) return lazy(() => db.prepare(select).raw().iterate());
      const stmt = db.prepare(`${select} WHERE t.id < ? AND t.id NOT IN (SELECT value FROM json_each(?))`).raw();
      const running = JSON.stringify(this.snap.running);
      return lazy(() => stmt.iterate(window.before, running));
    }
    if (find.kind === 'appended') return this.appended(table.name, select, columns, find, lastSent, window);
    if (window.after === undefined) {
      // First sync: every row, but none of a run still writing. NULL: written before runs were recorded.
      const stmt = db.prepare(`${select} WHERE t.run_id IS NULL OR t.run_id < ?`).raw();
      return lazy(() => stmt.iterate(window.before));
    }
    const stmt = this.changed(table, list, find);
    return lazy(() => stmt.iterate({ after: window.after, before: window.before }));
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
   * Rows of runs in the window, through run_changes, in one statement: each
   * changed profile's leads (the profile, its series, or its posts stamped
   * since the cursor) with the days the runs wrote, then per lead an index
   * seek on the key down to that day range. Key columns between the lead and
   * `day` (platform, snapshot) are walked one seek per value (a skip scan, in
   * recursive CTEs), so a year of a profile's history is never read for one
   * new day. One statement, streamed, rather than a call from JavaScript per
   * lead (76,000 series for 1,000 profiles). The plans, pinned by CROSS JOIN
   * and MATERIALIZED (a user's file has no ANALYZE statistics):
   *   daily_values: MATERIALIZE ch: SEARCH run_changes USING PRIMARY KEY (run_id>? AND run_id<?);
   *     MATERIALIZE lv0: SCAN ch, SEARCH s USING COVERING INDEX series_key_idx (profile_id=?);
   *     SCAN lv0, SEARCH t USING PRIMARY KEY (series_id=? AND day>? AND day<?)
   *   daily_impressions: lv1 is a RECURSIVE STEP of SEARCH x USING PRIMARY KEY (profile_id=? AND
   *     platform>?); SCAN lv1, SEARCH t USING PRIMARY KEY (profile_id=? AND platform=? AND day>? AND day<?)
   */
  private changed(table: ReplicatedTable, list: string, find: Extract<Finder, { kind: 'changed' }>): Statement {
    const lead = find.via === 'profile' ? 'profile_id' : find.via === 'series' ? 'series_id' : 'request_id';
    const dayAt = table.key.indexOf('day');
    const mids = find.byDay && table.key[0] === lead && dayAt > 0 ? table.key.slice(1, dayAt) : [];
    const t = q(table.name);
    // lv0 (lead, lo, hi): what to read, and over which days.
    const leads = {
      profile: 'SELECT profile_id AS lead, lo, hi FROM ch',
      series: 'SELECT s.id AS lead, ch.lo, ch.hi FROM ch CROSS JOIN series s ON s.profile_id = ch.profile_id',
      // A post's rows are stamped on its row too: the posts read since the cursor are one scan of a
      // small table. A post whose profile the change log does not name is read over all its days.
      post: `SELECT po.request_id AS lead, coalesce(ch.lo, '${ALL_DAYS[0]}') AS lo, coalesce(ch.hi, '${ALL_DAYS[1]}') AS hi
             FROM posts po LEFT JOIN ch ON ch.profile_id = po.profile_id WHERE po.run_id > :after`,
    }[find.via];
    const ctes = [
      `ch AS MATERIALIZED (SELECT profile_id, min(from_day) AS lo, max(to_day) AS hi FROM run_changes WHERE run_id > :after AND run_id < :before GROUP BY profile_id)`,
      `lv0 AS MATERIALIZED (${leads})`,
    ];
    // lvN adds mid column N: its first value per (lead, mids before it), then each next one, one seek each.
    mids.forEach((m, i) => {
      const carried = ['lead', 'lo', 'hi', ...mids.slice(0, i).map((_, j) => `m${j}`)];
      const fixed = (alias: string) => [`x.${q(lead)} = ${alias}.lead`, ...mids.slice(0, i).map((mm, j) => `x.${q(mm)} = ${alias}.m${j}`)].join(' AND ');
      const self = `lv${i + 1}`;
      ctes.push(
        `${self} (${[...carried, `m${i}`].join(', ')}) AS (
           SELECT ${carried.join(', ')}, (SELECT min(x.${q(m)}) FROM ${t} x WHERE ${fixed(`lv${i}`)}) FROM lv${i} ${i > 0 ? `WHERE m${i - 1} IS NOT NULL` : ''}
           UNION ALL
           SELECT ${carried.join(', ')}, (SELECT min(x.${q(m)}) FROM ${t} x WHERE ${fixed(self)} AND x.${q(m)} > ${self}.m${i}) FROM ${self} WHERE m${i} IS NOT NULL
         )`,
      );
    });
    const last = `lv${mids.length}`;
    const on = [`t.${q(lead)} = ${last}.lead`, ...mids.map((m, j) => `t.${q(m)} = ${last}.m${j}`), ...(find.byDay ? [`t.day BETWEEN ${last}.lo AND ${last}.hi`] : [])];
    const sql = `WITH RECURSIVE ${ctes.join(',\n')}
      SELECT ${list} FROM ${last} CROSS JOIN ${t} t ON ${on.join(' AND ')}
      WHERE t.run_id > :after AND t.run_id < :before`;
    return this.wh.sqlite.prepare(sql).raw();
  }

  /** End the snapshot and close the file (after a failure too: nothing was written, there is nothing to keep). */
  close(): void {
    try {
      if (this.wh.sqlite.inTransaction) this.wh.sqlite.exec('COMMIT');
    } finally {
      this.wh.close();
    }
  }
}

/**
 * Rows read only when iterated: an open statement holds the connection, so a
 * table whose rows never get sent (the sync failed before) must not open one.
 */
function lazy(open: () => Iterable<unknown>): TableRows {
  const rows = function* (): Generator<unknown[]> {
    yield* open() as Iterable<unknown[]>;
  };
  return { rows: rows(), lastId: () => undefined };
}
