/**
 * Rows into PostgreSQL by COPY FROM STDIN, text format: rows become lines as
 * they are read and go out in chunks, with backpressure, so a first sync of
 * millions of values holds one chunk in memory, not the table.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

// Big enough that per-chunk costs vanish, small enough to keep memory flat.
const CHUNK_CHARS = 256 * 1024;
const SPECIAL = /[\\\t\n\r\0]/;
const SPECIAL_ALL = /[\\\t\n\r\0]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\uFFFD' };

/**
 * One value in COPY's text format: NULL as \N, numbers as JavaScript writes
 * them (float8 and bigint read them back exactly), text with its specials
 * escaped. PostgreSQL text cannot hold U+0000: it becomes U+FFFD.
 */
export function copyValue(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  const s = typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  return SPECIAL.test(s) ? s.replace(SPECIAL_ALL, (c) => ESCAPES[c]!) : s;
}

/** Counts what passed through, for the sync's summary. */
export interface Counter {
  rows: number;
}

/** COPY's text lines for `rows`, each prefixed with `lead` (the account), joined into chunks. */
export function* copyChunks(lead: string, rows: Iterable<readonly unknown[]>, counter: Counter): Generator<string> {
  const prefix = `${copyValue(lead)}\t`;
  let chunk = '';
  for (const row of rows) {
    let line = prefix;
    for (let i = 0; i < row.length; i++) line += (i === 0 ? '' : '\t') + copyValue(row[i]);
    chunk += `${line}\n`;
    counter.rows++;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * COPY `table (account, columns)` from the rows (values in `columns` order),
 * every line led by `account`; resolves once PostgreSQL has taken them all.
 * Returns the row count.
 */
export async function copyRows(client: pg.Client, table: string, columns: readonly string[], account: string, rows: Iterable<readonly unknown[]>): Promise<number> {
  const counter: Counter = { rows: 0 };
  const sql = `COPY ${table} (account, ${columns.map(ident).join(', ')}) FROM STDIN`;
  await pipeline(Readable.from(copyChunks(account, rows, counter), { objectMode: false }), client.query(copyFrom(sql)));
  return counter.rows;
}

/** A quoted SQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
