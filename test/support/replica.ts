/**
 * Compare a warehouse file with what PostgreSQL holds of it, table by table
 * and row by row, each value brought to one form (instants as ISO to the
 * millisecond, JSON with sorted keys, whole numbers as numbers).
 */
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { REPLICATED, type ColumnKind, type ReplicatedTable } from '../../src/replication.js';
import { query } from './postgres.js';

type Row = unknown[];

const sortedJson = (text: string): string =>
  JSON.stringify(JSON.parse(text), (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));

function normal(kind: ColumnKind, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (kind === 'instant') return new Date(typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : (v as string)).toISOString();
  if (kind === 'json') return sortedJson(String(v));
  if (kind === 'int' || kind === 'epoch' || kind === 'number') return Number(v);
  // PostgreSQL text cannot hold U+0000; the sync sends U+FFFD in its place.
  return String(v).replace(/\0/g, '\uFFFD');
}

const byKey = (t: ReplicatedTable) => {
  const columns = Object.keys(t.columns);
  const at = t.key.map((k) => columns.indexOf(k));
  const key = (r: Row) => JSON.stringify(at.map((i) => r[i]));
  return (a: Row, b: Row) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
};

/** The table's rows in the warehouse file, in key order. */
export function sqliteRows(file: string, t: ReplicatedTable): Row[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const columns = Object.entries(t.columns);
    const rows = db.prepare(`SELECT ${columns.map(([c]) => `"${c}"`).join(', ')} FROM "${t.name}"`).raw().all() as Row[];
    return rows.map((r) => r.map((v, i) => normal(columns[i]![1], v))).sort(byKey(t));
  } finally {
    db.close();
  }
}

/** The account's rows of the table in PostgreSQL, in key order. */
export async function pgRows(url: string, account: string, t: ReplicatedTable): Promise<Row[]> {
  const columns = Object.entries(t.columns);
  const expr = ([c, kind]: [string, ColumnKind]) =>
    kind === 'instant' ? `(extract(epoch FROM "${c}") * 1000)::bigint::text` : kind === 'day' ? `"${c}"::text` : kind === 'json' ? `"${c}"::text` : `"${c}"`;
  const rows = await query<Record<string, unknown>>(url, `SELECT ${columns.map((c, i) => `${expr(c)} AS c${i}`).join(', ')} FROM upw."${t.name}" WHERE account = $1`, [account]);
  return rows.map((r) => columns.map(([, kind], i) => normal(kind, r[`c${i}`]))).sort(byKey(t));
}

/** Every replicated table of the file equals the account's rows in PostgreSQL. Returns the row count. */
export async function expectSameRows(file: string, url: string, account: string, tables: readonly ReplicatedTable[] = REPLICATED): Promise<number> {
  let n = 0;
  for (const t of tables) {
    const want = sqliteRows(file, t);
    const got = await pgRows(url, account, t);
    expect(got.length, `${t.name}: row count`).toBe(want.length);
    expect(got, t.name).toEqual(want);
    n += want.length;
  }
  return n;
}

/**
 * Each row's physical version (ctid, xmin) in every table of schema upw but
 * sync_state: equal before and after means no row was written at all.
 */
export async function rowVersions(url: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of REPLICATED) {
    out[t.name] = (await query<{ v: string }>(url, `SELECT ctid::text || ':' || xmin::text AS v FROM upw."${t.name}" ORDER BY 1`)).map((r) => r.v);
  }
  return out;
}

/** Rows per account of one table. */
export async function countByAccount(url: string, table: string): Promise<Record<string, number>> {
  const rows = await query<{ account: string; n: string }>(url, `SELECT account, count(*)::text AS n FROM upw."${table}" GROUP BY account`);
  return Object.fromEntries(rows.map((r) => [r.account, Number(r.n)]));
}
