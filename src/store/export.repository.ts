/**
 * Reading a BI view row by row for `upw export`. View names come from the
 * schema itself, never from the caller's text, so nothing user-typed is ever
 * spliced into SQL; values are bound.
 */
import type { Warehouse } from './warehouse.js';

export interface ViewColumn {
  name: string;
  /** The declared type PRAGMA table_info reports ('' when SQLite infers none). */
  type: string;
}

/** Row filters, each on the column it names: pass one only for a view that has that column (upw export refuses the others). */
export interface ViewFilter {
  /** `profile_username IN (…)` */
  profiles?: readonly string[];
  /** `platform IN (…)` */
  platforms?: readonly string[];
  /** `day >= startDay` */
  startDay?: string;
  /** `day <= endDay` */
  endDay?: string;
}

/** The BI views (`v_*`) the warehouse has, sorted by name. */
export function listViews(wh: Warehouse): string[] {
  return wh.sqlite
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'view' AND name LIKE 'v\\_%' ESCAPE '\\' ORDER BY name")
    .pluck()
    .all() as string[];
}

/** The columns of a view as BI tools see them. `view` must come from listViews. */
export function viewColumns(wh: Warehouse, view: string): ViewColumn[] {
  return wh.sqlite.prepare('SELECT name, type FROM pragma_table_info(?) ORDER BY cid').all(view) as ViewColumn[];
}

function inList(column: string, values: readonly string[], params: unknown[]): string {
  params.push(...values);
  return `"${column}" IN (${values.map(() => '?').join(', ')})`;
}

/**
 * The rows of `view` (a name from listViews) matching `filter`, as arrays in
 * column order, streamed from SQLite. Ordered by every column so that two
 * exports of the same data are byte-identical.
 */
export function selectView(wh: Warehouse, view: string, filter: ViewFilter): { columns: string[]; rows: IterableIterator<unknown[]> } {
  if (!listViews(wh).includes(view)) throw new Error(`selectView: ${view} is not a BI view`);
  const columns = viewColumns(wh, view).map((c) => c.name);
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.profiles?.length) where.push(inList('profile_username', filter.profiles, params));
  if (filter.platforms?.length) where.push(inList('platform', filter.platforms, params));
  if (filter.startDay !== undefined) {
    where.push('"day" >= ?');
    params.push(filter.startDay);
  }
  if (filter.endDay !== undefined) {
    where.push('"day" <= ?');
    params.push(filter.endDay);
  }
  const sql = `SELECT * FROM "${view}"${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${columns.map((_, i) => i + 1).join(', ')}`;
  const rows = wh.sqlite.prepare(sql).raw(true).iterate(...params) as IterableIterator<unknown[]>;
  return { columns, rows };
}
