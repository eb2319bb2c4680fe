/**
 * A real PostgreSQL server for the team-warehouse suites, from
 * UPW_TEST_POSTGRES_URL (.ci/run starts one and sets it). Each suite gets a
 * database of its own, dropped at the end. Without a server the suites skip
 * saying how to start one; under CI=true they fail instead.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';

const START = 'pg_ctlcluster --skip-systemctl-redirect 15 main start, create a role and database, then export UPW_TEST_POSTGRES_URL=postgres://user:password@127.0.0.1:5432/db (.ci/run does all three)';

async function reachable(url: string | undefined): Promise<string | undefined> {
  if (!url) return `UPW_TEST_POSTGRES_URL is not set (${START})`;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return `PostgreSQL at UPW_TEST_POSTGRES_URL is not reachable (${(err as Error).message}); start it: ${START}`;
  } finally {
    await client.end().catch(() => {});
  }
}

const adminUrl = process.env.UPW_TEST_POSTGRES_URL;
const problem = await reachable(adminUrl);
if (problem && process.env.CI === 'true') throw new Error(`PostgreSQL suites cannot run under CI: ${problem}`);
// Said where a default run shows it too (a skipped suite's name shows only in the verbose reporter).
if (problem) process.stderr.write(`PostgreSQL suites skipped: ${problem}\n`);

// These suites run real processes against two servers; on a busy machine 30 s is not enough.
const TIMEOUT = 180_000;

/** `describe` for a suite that needs PostgreSQL: skipped, with the reason in its name, when there is none. */
export function describePg(name: string, fn: () => void): void {
  if (problem) describe.skip(`${name} — skipped: ${problem}`, fn);
  else describe(name, { timeout: TIMEOUT }, fn);
}

/** `beforeAll` with the suites' longer timeout (a backfill and a sync on a busy machine). */
export function beforeAllPg(fn: () => Promise<void>): void {
  beforeAll(fn, TIMEOUT);
}

/** The URL of `database` on the test server, with the test role's credentials. */
export function urlOf(database: string): string {
  const url = new URL(adminUrl!);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Run SQL as the test role against `url`. */
export async function query<T extends Record<string, unknown> = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * A fresh database for this suite (created in beforeAll, dropped in afterAll):
 * suites running at once never see each other's rows. `url()` is its URL.
 */
export function freshDatabase(prefix = 'upw_t'): { url: () => string; name: () => string } {
  let name: string | undefined;
  beforeAll(async () => {
    if (problem) return;
    name = `${prefix}_${randomBytes(5).toString('hex')}`;
    await query(adminUrl!, `CREATE DATABASE ${name}`);
  });
  afterAll(async () => {
    if (problem || !name) return;
    await dropDatabase(adminUrl!, name);
  });
  return {
    url: () => urlOf(name!),
    name: () => name!,
  };
}

/**
 * Drop a database once the last connection to it is gone. Not WITH (FORCE): that
 * would have to signal an autovacuum worker, which only a superuser may; a plain
 * DROP stops autovacuum by itself, and waits out a sync process just killed.
 */
export async function dropDatabase(admin: string, name: string): Promise<void> {
  await eventually(`database ${name} dropped`, async () => {
    try {
      await query(admin, `DROP DATABASE IF EXISTS ${name}`);
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === '55006') return false; // still in use
      throw err;
    }
  }, 30_000, 200);
}

/** Poll an async `check` until it returns a truthy value; fail with `what` after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false | null>, timeoutMs = 60_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
