/**
 * How `upw sync` fails: a server that is not there, a refused login or a
 * missing database is one line and exit 5; a malformed URL is exit 2; the
 * password shows in no output, log line (at debug level) or stored byte; and
 * a collection with an unreachable PostgreSQL configured is not affected.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { REPLICATED } from '../src/replication.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { runCli, tempDir } from './helpers.js';
import { beforeAllPg, describePg, freshDatabase, query, urlOf } from './support/postgres.js';
import { simEnv, writeConfig } from './support/upw-process.js';

const NOW = '2026-03-15T12:00:00Z';
const PASSWORD = 'S3cret-pa55:word';
const ENCODED = encodeURIComponent(PASSWORD);

let sim: Simulator;
const dir = tempDir();
const db = join(dir, 'w.sqlite');
const pg = freshDatabase();
let config: string;
const env = (extra: Record<string, string> = {}) => simEnv(sim, { UPW_NOW: NOW, ...extra });

/** A URL of the test server with this password in it. */
const withPassword = (url: string, password: string) => {
  const u = new URL(url);
  u.password = encodeURIComponent(password);
  return u.toString();
};

const sync = (to: string | undefined, extra: Record<string, string> = {}, args: string[] = []) =>
  runCli(['sync', ...(to === undefined ? [] : ['--to', to]), '--config', config, '--db', db, ...args], { env: env(extra) });

const expectNoPassword = (text: string) => {
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(ENCODED);
};

describePg('upw sync, when things go wrong', () => {
  beforeAllPg(async () => {
    sim = await startSimulator({ seed: 5, now: () => new Date(NOW), profiles: [{ username: 'alpha', platforms: ['instagram', 'tiktok'] }] });
    config = writeConfig(dir, { profiles: 'all', posts: { track: false } });
    const r = await runCli(['collect', '--config', config, '--db', db], { env: env() });
    expect(r.code).toBe(0);
  });
  afterAll(async () => {
    await sim?.close();
  });

  const cases = [
    { what: 'a server that is not listening', url: () => `postgres://upw:${ENCODED}@127.0.0.1:1/upw`, says: /^upw sync: cannot reach PostgreSQL at postgres:\/\/upw:\*\*\*@127\.0\.0\.1:1\/upw: .*ECONNREFUSED/ },
    { what: 'a refused login', url: () => withPassword(pg.url(), PASSWORD), says: /^upw sync: PostgreSQL at postgres:\/\/[^:]+:\*\*\*@[^ ]+ refused the login: password authentication failed/ },
    { what: 'a database that does not exist', url: () => urlOf('upw_no_such_database'), says: /^upw sync: PostgreSQL at \S+ has no such database: database "upw_no_such_database" does not exist/ },
  ];
  for (const c of cases) {
    it(`answers ${c.what} with one line and exit 5, naming the server without its password`, async () => {
      const r = await sync(c.url());
      expect(r.code).toBe(5);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(c.says);
      expectNoPassword(r.stdout + r.stderr);
      // At debug level too, and through the environment variable.
      const debug = await sync(undefined, { LOG_LEVEL: 'debug', UPW_POSTGRES_URL: c.url() });
      expect(debug.code).toBe(5);
      expectNoPassword(debug.stdout + debug.stderr);
    });
  }

  it('answers a malformed URL with exit 2, from --to, the environment or the config, without quoting it', async () => {
    for (const bad of ['http://upw@127.0.0.1/upw', `postgres://upw:${ENCODED}@[::1/upw`, 'not a url']) {
      const r = await sync(bad);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toMatch(/^upw sync: --to: not a PostgreSQL URL \(expected postgres:\/\/user:password@host:5432\/database\)\n$/);
      expectNoPassword(r.stderr);
      const fromEnv = await sync(undefined, { UPW_POSTGRES_URL: bad });
      expect(fromEnv.code).toBe(2);
      expect(fromEnv.stderr).toContain('UPW_POSTGRES_URL: not a PostgreSQL URL');
    }
    const broken = writeConfig(dir, { profiles: 'all', postgres: `postgresql://upw:${ENCODED}@[oops/db` }, 'broken.config.mjs');
    const r = await runCli(['sync', '--config', broken, '--db', db], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('postgres: not a PostgreSQL URL');
    expectNoPassword(r.stderr);
  });

  it('asks for a warehouse file from an older upw to be upgraded first: a sync only reads it', async () => {
    const old = join(dir, 'old.sqlite');
    copyFileSync(db, old);
    const file = new Database(old);
    file.prepare('DELETE FROM __drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM __drizzle_migrations)').run();
    file.close();
    const r = await runCli(['sync', '--db', old, '--to', pg.url()], { env: env() });
    expect(r.code).toBe(2);
    // Read-only, like every reading command: the message says how to upgrade it, and the file is untouched.
    expect(r.stderr).toBe(`upw sync: ${old} was made by an older upw: run any writing command (upw collect, or restart the daemon) with this version to upgrade it; read commands never write\n`);
  });

  it('asks for a URL when none is given', async () => {
    const r = await sync(undefined);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('upw sync: no PostgreSQL URL: pass --to URL, set UPW_POSTGRES_URL, or add `postgres` to the config\n');
  });

  it('lets a collection run as usual with an unreachable PostgreSQL configured', async () => {
    const unreachable = writeConfig(dir, { profiles: 'all', posts: { track: false }, postgres: `postgres://upw:${ENCODED}@127.0.0.1:1/upw` }, 'unreachable.config.mjs');
    const r = await runCli(['collect', '--config', unreachable, '--db', db, '--json'], { env: env({ LOG_LEVEL: 'debug' }) });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).run.status).toBe('ok');
    expectNoPassword(r.stdout + r.stderr);
  });

  it('keeps the password out of everything it stores, in PostgreSQL and in the warehouse file', async () => {
    // The test role's own password, which the sync must use and must not keep (.ci/run makes it long enough not to occur by chance).
    const password = decodeURIComponent(new URL(pg.url()).password);
    expect(password.length).toBeGreaterThanOrEqual(12);
    const r = await sync(pg.url(), { LOG_LEVEL: 'debug' });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(`:${password}@`);
    for (const table of [...REPLICATED.map((t) => t.name), 'sync_state']) {
      const [hit] = await query<{ n: string }>(pg.url(), `SELECT count(*) AS n FROM upw.${table} t WHERE t::text LIKE '%' || $1 || '%'`, [password]);
      expect(Number(hit!.n), table).toBe(0);
    }
    for (const file of [db, `${db}-wal`]) {
      try {
        expect(readFileSync(file).includes(password), file).toBe(false);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
  });
});
