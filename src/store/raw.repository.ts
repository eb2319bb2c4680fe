/**
 * Raw API answers, stored compressed (raw.codec.ts): written with each answer,
 * read back byte for byte, pruned by age.
 *
 * An answer is either a base (deflated alone) or a delta against the latest
 * base of the same endpoint and profile, if that base was served less than
 * BASE_MAX_AGE_S before it. Deltas only ever point at bases, so reading any
 * answer takes at most two inflates, and a base can go once no kept delta
 * points at it. Answers written before 0006 wait in `raw_responses_legacy`,
 * as text, until a writer compresses them (compressLegacyRaw).
 */
import type { Database, Statement } from 'better-sqlite3';
import { instantOfAnswer } from '../dates.js';
import { deflate, deflateAgainst, deltaDecodesTo, inflate, type RawCodec } from './raw.codec.js';
import type { Warehouse } from './warehouse.js';

export interface RawRecord {
  endpoint: string;
  profile: string | undefined;
  params: Record<string, string>;
  status: number | undefined;
  receivedAt: string;
  /** The server's `Date` header, when it sent one. */
  serverDate?: string;
  body: string;
  /** `body` as UTF-8 bytes, when the caller holds them already (the API client does). */
  bytes?: Buffer;
}

/** One stored answer, its body decoded. */
export interface StoredRaw {
  id: number;
  runId: number | null;
  endpoint: string;
  profile: string | null;
  params: string;
  status: number | null;
  receivedAt: string;
  /** Unix seconds of the server's Date header (of receipt when it sent none, and for answers stored before 0006). */
  servedAt: number;
  /** The body exactly as received. */
  body: Buffer;
}

/** What to read; every field narrows, none set reads everything. */
export interface RawFilter {
  id?: number;
  runId?: number;
  profile?: string;
  endpoint?: string;
  /** Served in [from, to), Unix seconds. */
  servedFrom?: number;
  servedTo?: number;
}

// Measured on the simulator's daily answers (BENCHMARKS.md, figure 6): a delta grows with the
// distance from its base, a base costs 3 to 4 KB; a new base every ten days stores the least.
const BASE_MAX_AGE_S = 10 * 86_400;
// A delta this close to its base's own size gains nothing: try the answer alone too.
const DELTA_NOT_WORTH = 0.8;
const LEGACY = 'raw_responses_legacy';
const LEGACY_BATCH = 500;

interface Statements {
  base: Statement;
  insert: Statement;
}

const cache = new WeakMap<Database, Statements>();

function statements(wh: Warehouse): Statements {
  let st = cache.get(wh.sqlite);
  if (!st) {
    const db = wh.sqlite;
    st = {
      // SEARCH raw_responses USING INDEX raw_responses_series_idx (profile=? AND endpoint=? AND base_id=? AND rowid<?)
      base: db.prepare('SELECT id, served_at AS servedAt, body FROM raw_responses WHERE profile IS ? AND endpoint = ? AND base_id IS NULL AND id < ? ORDER BY id DESC LIMIT 1'),
      insert: db.prepare(
        `INSERT INTO raw_responses (id, run_id, endpoint, profile, params, status, received_at, served_at, size, codec, base_id, body)
         VALUES (:id, :runId, :endpoint, :profile, :params, :status, :receivedAt, :servedAt, :size, :codec, :baseId, :body) RETURNING id`,
      ),
    };
    cache.set(wh.sqlite, st);
  }
  return st;
}

interface Encoded {
  codec: RawCodec;
  baseId: number | null;
  body: Buffer;
}

/** The smallest way to store `bytes`: against the series' latest base when it is recent, else alone. */
function encode(wh: Warehouse, series: { endpoint: string; profile: string | null; servedAt: number; before: number }, bytes: Buffer): Encoded {
  const alone = (): Encoded => ({ codec: 'deflate', baseId: null, body: deflate(bytes) });
  const base = statements(wh).base.get(series.profile, series.endpoint, series.before) as { id: number; servedAt: number; body: Buffer } | undefined;
  if (!base || Math.abs(series.servedAt - base.servedAt) >= BASE_MAX_AGE_S) return alone();
  const baseBytes = inflate('deflate', base.body);
  const body = deflateAgainst(bytes, baseBytes);
  // The delta is our own code, not zlib's: check that it gives the answer back before trusting it.
  if (!deltaDecodesTo(body, baseBytes, bytes)) return alone();
  if (body.length >= base.body.length * DELTA_NOT_WORTH) {
    const single = alone();
    if (single.body.length <= body.length) return single;
  }
  return { codec: 'delta', baseId: base.id, body };
}

/** Store one answer (inside the caller's transaction); returns its id. The body is the text as received. */
export function recordRaw(wh: Warehouse, runId: number | null, raw: RawRecord): number {
  const bytes = raw.bytes ?? Buffer.from(raw.body, 'utf8');
  const profile = raw.profile ?? null;
  const servedAt = Math.floor(instantOfAnswer(raw).getTime() / 1000);
  const encoded = encode(wh, { endpoint: raw.endpoint, profile, servedAt, before: Number.MAX_SAFE_INTEGER }, bytes);
  const row = { id: null, runId, endpoint: raw.endpoint, profile, params: JSON.stringify(raw.params), status: raw.status ?? null, receivedAt: raw.receivedAt, servedAt, size: bytes.length, ...encoded };
  return (statements(wh).insert.get(row) as { id: number }).id;
}

function hasTable(db: Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/** True when `raw_responses` itself still has the text shape of before 0006 (a read-only open of an old file). */
function rawIsLegacyShaped(db: Database): boolean {
  return db.prepare("SELECT 1 FROM pragma_table_info('raw_responses') WHERE name = 'codec'").get() === undefined;
}

/**
 * Drop answers received more than `days` days ago (0 keeps everything), except
 * bases that kept answers are stored against: those go with their last delta.
 */
export function pruneRaw(wh: Warehouse, days: number): number {
  if (days <= 0) return 0;
  const cutoff = new Date(Date.now() - days * 86_400_000).toISOString();
  const db = wh.sqlite;
  return wh.transaction(() => {
    let pruned = 0;
    if (hasTable(db, LEGACY)) pruned += db.prepare(`DELETE FROM ${LEGACY} WHERE received_at < ?`).run(cutoff).changes;
    if (rawIsLegacyShaped(db)) return pruned + db.prepare('DELETE FROM raw_responses WHERE received_at < ?').run(cutoff).changes;
    // Ids grow with time (one writer at a time): everything before the first answer inside the
    // retention is older. SCAN raw_responses in rowid order, stopping at the first kept answer:
    // it reads only what is about to go and the few bases still held.
    const firstKept = (db.prepare('SELECT id FROM raw_responses WHERE received_at >= ? ORDER BY id LIMIT 1').pluck().get(cutoff) as number | undefined) ??
      ((db.prepare('SELECT MAX(id) FROM raw_responses').pluck().get() as number | null) ?? 0) + 1;
    // EXPLAIN QUERY PLAN: SEARCH r USING INTEGER PRIMARY KEY (rowid<?), and for each old base
    //   SEARCH d USING COVERING INDEX raw_responses_series_idx (profile=? AND endpoint=? AND base_id=? AND rowid>?)
    pruned += db
      .prepare(
        `DELETE FROM raw_responses AS r WHERE r.id < :firstKept AND NOT (r.base_id IS NULL AND EXISTS (
           SELECT 1 FROM raw_responses d WHERE d.profile IS r.profile AND d.endpoint = r.endpoint AND d.base_id = r.id AND d.id >= :firstKept))`,
      )
      .run({ firstKept }).changes;
    return pruned;
  });
}

const COLUMNS = 'id, run_id AS runId, endpoint, profile, params, status, received_at AS receivedAt';

function where(filter: RawFilter, served: string, alias = ''): { sql: string; params: Record<string, unknown> } {
  const parts: string[] = [];
  if (filter.id !== undefined) parts.push(`${alias}id = :id`);
  if (filter.runId !== undefined) parts.push(`${alias}run_id = :runId`);
  if (filter.profile !== undefined) parts.push(`${alias}profile = :profile`);
  if (filter.endpoint !== undefined) parts.push(`${alias}endpoint = :endpoint`);
  if (filter.servedFrom !== undefined) parts.push(`${served} >= :servedFrom`);
  if (filter.servedTo !== undefined) parts.push(`${served} < :servedTo`);
  const params = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
  return { sql: parts.length > 0 ? `WHERE ${parts.join(' AND ')}` : '', params };
}

/** Answers of the legacy (text) shape in `table`, bodies as stored. */
function* legacyRows(db: Database, table: string, filter: RawFilter): Generator<StoredRaw> {
  const served = "CAST(strftime('%s', received_at) AS INTEGER)";
  const w = where(filter, served);
  const rows = db.prepare(`SELECT ${COLUMNS}, ${served} AS servedAt, CAST(body AS BLOB) AS body FROM ${table} ${w.sql} ORDER BY id`).iterate(w.params);
  for (const row of rows as Iterable<StoredRaw>) yield { ...row, body: row.body ?? Buffer.alloc(0) };
}

/** Compressed answers, decoded; each base is inflated once however many deltas use it. */
function* compressedRows(db: Database, filter: RawFilter): Generator<StoredRaw> {
  const w = where(filter, 'r.served_at', 'r.');
  const rows = db
    .prepare(
      `SELECT r.id, r.run_id AS runId, r.endpoint, r.profile, r.params, r.status, r.received_at AS receivedAt, r.served_at AS servedAt,
              r.codec, r.body AS data, r.base_id AS baseId, b.body AS baseData
       FROM raw_responses r LEFT JOIN raw_responses b ON b.id = r.base_id ${w.sql} ORDER BY r.id`,
    )
    .iterate(w.params) as Iterable<StoredRaw & { codec: RawCodec; data: Buffer; baseId: number | null; baseData: Buffer | null }>;
  let lastBase: { id: number; bytes: Buffer } | undefined;
  for (const { codec, data, baseId, baseData, ...row } of rows) {
    let base: Buffer | undefined;
    if (baseId !== null) {
      if (baseData === null) throw new Error(`raw answer ${row.id}: its base ${baseId} is missing`);
      if (lastBase?.id !== baseId) lastBase = { id: baseId, bytes: inflate('deflate', baseData) };
      base = lastBase.bytes;
    }
    yield { ...row, body: inflate(codec, data, base) };
  }
}

/** Merge two streams ordered by id. */
function* byId(a: Iterator<StoredRaw>, b: Iterator<StoredRaw>): Generator<StoredRaw> {
  let x = a.next();
  let y = b.next();
  while (!x.done || !y.done) {
    if (y.done || (!x.done && x.value.id < y.value.id)) {
      yield x.value as StoredRaw;
      x = a.next();
    } else {
      yield y.value;
      y = b.next();
    }
  }
}

/** The stored answers that match, oldest first, each body exactly as received. */
export function* readRaw(wh: Warehouse, filter: RawFilter = {}): Generator<StoredRaw> {
  const db = wh.sqlite;
  if (rawIsLegacyShaped(db)) return yield* legacyRows(db, 'raw_responses', filter);
  const current = compressedRows(db, filter);
  yield* hasTable(db, LEGACY) ? byId(legacyRows(db, LEGACY, filter), current) : current;
}

/** True when the warehouse holds any answer about `profile`. */
export function hasRawOf(wh: Warehouse, profile: string): boolean {
  const db = wh.sqlite;
  const tables = rawIsLegacyShaped(db) ? ['raw_responses'] : ['raw_responses', ...(hasTable(db, LEGACY) ? [LEGACY] : [])];
  return tables.some((t) => db.prepare(`SELECT 1 FROM ${t} WHERE profile = ? LIMIT 1`).get(profile) !== undefined);
}

/** Drop the legacy table a fresh or fully compressed warehouse has no use for (migration 0006 leaves it, maybe empty). */
export function dropEmptyLegacyRaw(db: Database): void {
  if (hasTable(db, LEGACY) && db.prepare(`SELECT 1 FROM ${LEGACY} LIMIT 1`).get() === undefined) db.exec(`DROP TABLE ${LEGACY}`);
}

/**
 * Compress the answers an older version stored as text, oldest first, a batch
 * per transaction (a crash loses nothing: a batch is moved whole or not at
 * all), each checked to decode to its exact bytes before its text is deleted.
 * Returns how many were moved.
 */
export function compressLegacyRaw(wh: Warehouse): number {
  const db = wh.sqlite;
  if (!hasTable(db, LEGACY)) return 0;
  const batch = db.prepare(`SELECT ${COLUMNS}, CAST(body AS BLOB) AS body FROM ${LEGACY} ORDER BY id LIMIT ${LEGACY_BATCH}`);
  const remove = db.prepare(`DELETE FROM ${LEGACY} WHERE id <= ?`);
  let moved = 0;
  for (;;) {
    const rows = batch.all() as Array<Omit<StoredRaw, 'servedAt'>>;
    if (rows.length === 0) break;
    wh.transaction(() => {
      for (const row of rows) {
        const bytes = row.body ?? Buffer.alloc(0);
        // Before 0006 the server's Date header was not kept: the time of receipt stands in for it.
        const servedAt = Math.floor(Date.parse(row.receivedAt) / 1000);
        const encoded = encode(wh, { endpoint: row.endpoint, profile: row.profile, servedAt, before: row.id }, bytes);
        if (encoded.codec === 'deflate' && !inflate('deflate', encoded.body).equals(bytes)) throw new Error(`raw answer ${row.id} does not survive compression`);
        const { id, runId, endpoint, profile, params, status, receivedAt } = row;
        statements(wh).insert.get({ id, runId, endpoint, profile, params, status, receivedAt, servedAt, size: bytes.length, ...encoded });
      }
      remove.run(rows.at(-1)!.id);
    });
    moved += rows.length;
  }
  dropEmptyLegacyRaw(db);
  return moved;
}
