/**
 * The team warehouse's one connection factory: connect with bounded waits,
 * bring schema `upw` up to date (drizzle-pg/, found from this module), and
 * turn every PostgreSQL failure into one line that names the server with its
 * password masked.
 */
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import pg from 'pg';
import { TeamWarehouseError } from '../errors.js';
import { scrub, type TeamUrl } from './url.js';

const migrationsFolder = fileURLToPath(new URL('../../drizzle-pg', import.meta.url));
const MIGRATIONS = { migrationsFolder, migrationsSchema: 'upw', migrationsTable: '__drizzle_migrations' };
// One key for every upw process: two collectors starting their first sync at once must not both create the schema.
const MIGRATION_LOCK = 7_104_235_331;

export interface TeamConnection {
  client: pg.Client;
  url: TeamUrl;
  close(): Promise<void>;
}

// Failures of the network path: the server is not there (or not any more).
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'ENOENT']);

/** One line for any failure talking to PostgreSQL: what happened, the server, and nothing secret. */
export function teamError(url: TeamUrl, error: unknown, doing?: string): TeamWarehouseError {
  if (error instanceof TeamWarehouseError) return error;
  const e = error as { code?: string; message?: string; severity?: string; where?: string };
  const said = scrub(String(e.message ?? error).split('\n')[0]!, url.secrets);
  const where = url.shown;
  let message: string;
  if (e.code === '28P01' || e.code === '28000') message = `PostgreSQL at ${where} refused the login: ${said}`;
  else if (e.code === '3D000') message = `PostgreSQL at ${where} has no such database: ${said}`;
  else if ((e.code && UNREACHABLE.has(e.code)) || /timeout|terminated|Connection ended|closed the connection/i.test(said)) {
    message = `cannot reach PostgreSQL at ${where}: ${said}`;
  } else if (e.severity) {
    // COPY says which line and column in `where`: with the table, enough to find the value.
    const context = [doing, e.where?.split('\n')[0]].filter(Boolean).join('; ');
    message = `PostgreSQL at ${where} refused the sync: ${said}${e.code ? ` (SQLSTATE ${e.code})` : ''}${context ? ` [${scrub(context, url.secrets)}]` : ''}`;
  }
  else message = `the sync to PostgreSQL at ${where} failed: ${said}`;
  // The cause goes along for LOG_LEVEL=debug; pg's errors carry no connection string.
  return new TeamWarehouseError(message, { cause: error });
}

/** The error as a TeamWarehouseError when it came from PostgreSQL or the way to it; anything else (a SQLite error, a bug) as it is. */
export function fromTeam(url: TeamUrl, error: unknown, doing?: string): unknown {
  const e = error as { code?: unknown; severity?: unknown; message?: unknown };
  const fromPg =
    error instanceof TeamWarehouseError ||
    typeof e?.severity === 'string' ||
    (typeof e?.code === 'string' && UNREACHABLE.has(e.code)) ||
    /^Connection terminated|^Client has encountered a connection error|^Connection ended|not queryable/.test(String(e?.message ?? ''));
  return fromPg ? teamError(url, error, doing) : error;
}

/** Connect and migrate; a failure is a TeamWarehouseError (exit 5). */
export async function connectTeam(url: TeamUrl, options: { connectTimeoutMs?: number } = {}): Promise<TeamConnection> {
  const client = new pg.Client({
    connectionString: url.url,
    // A server that never answers must not hold a daemon's sync for ever.
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    // A peer that vanished mid-sync (no FIN, no RST) is found by TCP keepalive probes after 30 s idle.
    keepAlive: true,
    keepAliveInitialDelayMillis: 30_000,
    application_name: 'upw sync',
  });
  // A connection that drops between queries emits 'error' on the client: the next query fails and says so.
  client.on('error', () => {});
  let open = false;
  const close = async () => {
    if (!open) return;
    open = false;
    await client.end().catch(() => {});
  };
  try {
    await client.connect();
    open = true;
    // Timestamps read and written as UTC, whatever the server's or the role's setting.
    await client.query("SET TIME ZONE 'UTC'");
    await migrateTeam(client);
  } catch (error) {
    open = true;
    await close();
    throw teamError(url, error);
  }
  return { client, url, close };
}

/** Apply drizzle-pg/'s migrations unless the newest is already there (then no lock, no DDL: a sync role needs no CREATE). */
async function migrateTeam(client: pg.Client): Promise<void> {
  const newest = Math.max(...readMigrationFiles(MIGRATIONS).map((m) => m.folderMillis));
  const applied = async (): Promise<number> => {
    const table = await client.query<{ t: string | null }>("SELECT to_regclass('upw.__drizzle_migrations')::text AS t");
    if (!table.rows[0]?.t) return 0;
    const r = await client.query<{ at: string | null }>('SELECT max(created_at)::text AS at FROM upw.__drizzle_migrations');
    return Number(r.rows[0]?.at ?? 0);
  };
  if ((await applied()) >= newest) return;
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await migrate(drizzle(client), MIGRATIONS);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}
