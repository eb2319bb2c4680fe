/**
 * A sync SIGKILLed in the middle, for real: the `upw sync` process is killed
 * while PostgreSQL is taking its rows (held there by a lock the test owns, so
 * the moment is certain, not a race). PostgreSQL then holds exactly what it
 * held before, and the rerun brings it to the warehouse's rows, each once.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { runCli, tempDir } from './helpers.js';
import { beforeAllPg, describePg, eventually, freshDatabase, query } from './support/postgres.js';
import { countByAccount, expectSameRows, rowVersions } from './support/replica.js';
import { simEnv, startUpw, within, writeConfig } from './support/upw-process.js';

const DAY1 = '2026-03-15';
const DAY2 = '2026-03-16';
const noon = (day: string) => `${day}T12:00:00Z`;

let sim: Simulator;
const dir = tempDir();
const db = join(dir, 'w.sqlite');
const other = join(dir, 'other.sqlite');
const pgdb = freshDatabase();
let config: string;
const env = (day: string) => simEnv(sim, { UPW_NOW: noon(day) });
const upw = async (args: string[], day = DAY1) => {
  const r = await runCli(args, { env: env(day) });
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
};

/** A connection of the test's own that holds a lock in an open transaction until released. */
async function holder(sql: string, params: unknown[] = []): Promise<{ release: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: pgdb.url() });
  await client.connect();
  await client.query('BEGIN');
  await client.query(sql, params);
  return {
    release: async () => {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

/** The backend of the running `upw sync`, once it waits on a lock. */
const blockedSync = () =>
  eventually('upw sync waiting on the test lock', async () => {
    const [row] = await query<{ pid: number }>(pgdb.url(), "SELECT pid FROM pg_stat_activity WHERE application_name = 'upw sync' AND datname = current_database() AND wait_event_type = 'Lock'");
    return row?.pid;
  });

/** The sync's backend is gone: PostgreSQL has rolled its transaction back. */
const syncGone = () =>
  eventually('the killed sync to leave PostgreSQL', async () => {
    const rows = await query(pgdb.url(), "SELECT 1 FROM pg_stat_activity WHERE application_name = 'upw sync' AND datname = current_database()");
    return rows.length === 0;
  });

const stateOf = async () => query(pgdb.url(), 'SELECT account, through_run, through_run_started_at, appended, source FROM upw.sync_state ORDER BY account');

describePg('upw sync, SIGKILLed in the middle', () => {
  beforeAllPg(async () => {
    sim = await startSimulator({
      seed: 21,
      now: () => new Date(noon(DAY1)),
      profiles: [
        { username: 'alpha', platforms: ['instagram', 'facebook', 'youtube'] },
        { username: 'beta', platforms: ['tiktok', 'x', 'pinterest'] },
        { username: 'gamma', platforms: ['linkedin', 'threads'] },
        { username: 'delta', platforms: ['reddit', 'bluesky', 'instagram'] },
      ],
    });
    config = writeConfig(dir, { profiles: 'all', posts: { track: true, days: 30 } });
    await upw(['backfill', '--config', config, '--db', db, '--since', '2025-06-01', '--until', DAY1]);
    await upw(['collect', '--config', config, '--db', db]);
    // Another collector's account is already there, and must come out of all this untouched.
    const small = writeConfig(dir, { profiles: [{ username: 'alpha' }], account: 'other', posts: { track: false } }, 'other.config.mjs');
    await upw(['collect', '--config', small, '--db', other]);
    await upw(['sync', '--config', small, '--db', other, '--to', pgdb.url()]);
  });
  afterAll(async () => {
    await sim?.close();
  });

  const sync = (day: string) => startUpw(['sync', '--config', config, '--db', db, '--to', pgdb.url()], env(day), dir);

  it('killed while COPY streams the first sync in, leaves nothing of it; the rerun copies every row once', async () => {
    const otherBefore = await rowVersions(pgdb.url());
    // Hold one key of the middle of daily_values (uncommitted): the COPY stops on it, rows before it sent.
    const file = new Database(db, { readonly: true });
    const keys = file.prepare('SELECT series_id, day FROM daily_values ORDER BY series_id, day').raw().all() as [number, string][];
    file.close();
    const [seriesId, day] = keys[Math.floor(keys.length / 2)]!;
    const lock = await holder("INSERT INTO upw.daily_values (account, series_id, day, value, source, observed_at) VALUES ('default', $1, $2, 0, 'collect', 0)", [seriesId, day]);
    const child = sync(DAY1);
    try {
      const pid = await blockedSync();
      const [progress] = await query<{ relname: string; done: string }>(
        pgdb.url(),
        'SELECT c.relname, p.tuples_processed::text AS done FROM pg_stat_progress_copy p JOIN pg_class c ON c.oid = p.relid WHERE p.pid = $1',
        [pid],
      );
      expect(progress?.relname).toBe('daily_values');
      expect(Number(progress?.done)).toBeGreaterThan(1000);
      child.child.kill('SIGKILL');
      expect(await within('the killed sync to exit', 10_000, child.exited)).toEqual({ code: null, signal: 'SIGKILL' });
    } finally {
      await lock.release();
    }
    await syncGone();
    expect((await stateOf()).map((s) => s.account)).toEqual(['other']);
    for (const [table, n] of Object.entries(await rowVersions(pgdb.url()))) expect(n, table).toEqual(otherBefore[table]);
    expect(await countByAccount(pgdb.url(), 'daily_values')).toEqual({ other: expect.any(Number) });

    const rerun = await upw(['sync', '--config', config, '--db', db, '--to', pgdb.url(), '--json']);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ first: true, throughRun: 2 });
    await expectSameRows(db, pgdb.url(), 'default');
    await expectSameRows(other, pgdb.url(), 'other');
  });

  it('killed while an incremental sync updates rows, loses and duplicates nothing; the rerun sends that day once', async () => {
    sim.setNow(new Date(noon(DAY2)));
    await upw(['collect', '--config', config, '--db', db], DAY2);
    const before = { rows: await rowVersions(pgdb.url()), state: await stateOf() };
    // A series point the day-2 collect revised: the sync's update of daily_values must wait for this row.
    const file = new Database(db, { readonly: true });
    const [seriesId, day] = file.prepare('SELECT series_id, day FROM daily_values WHERE run_id = 3 AND day < ? ORDER BY series_id, day LIMIT 1').raw().get(DAY2) as [number, string];
    file.close();
    const lock = await holder("SELECT 1 FROM upw.daily_values WHERE account = 'default' AND series_id = $1 AND day = $2 FOR UPDATE", [seriesId, day]);
    const child = sync(DAY2);
    try {
      const pid = await blockedSync();
      // By now it has staged and merged the tables before daily_values in its transaction.
      const held = await query<{ relname: string }>(pgdb.url(), "SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE l.pid = $1 AND l.mode = 'RowExclusiveLock' ORDER BY 1", [pid]);
      expect(held.map((h) => h.relname)).toContain('daily_values');
      child.child.kill('SIGKILL');
      await within('the killed sync to exit', 10_000, child.exited);
    } finally {
      await lock.release();
    }
    await syncGone();
    expect(await rowVersions(pgdb.url())).toEqual(before.rows);
    expect(await stateOf()).toEqual(before.state);

    const rerun = await upw(['sync', '--config', config, '--db', db, '--to', pgdb.url(), '--json'], DAY2);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ first: false, fromRun: 2, throughRun: 3 });
    await expectSameRows(db, pgdb.url(), 'default');
    await expectSameRows(other, pgdb.url(), 'other');
    // And once more: nothing left to send.
    const again = JSON.parse((await upw(['sync', '--config', config, '--db', db, '--to', pgdb.url(), '--json'], DAY2)).stdout);
    expect(again).toMatchObject({ fromRun: 3, throughRun: 3, changed: 0 });
  });
});
