/**
 * `upw sync` as a real process, from a warehouse the real collector and
 * backfill filled from the simulator, into a real PostgreSQL: the first sync
 * copies every replicated table row for row, a rerun writes nothing, the next
 * day's sync sends only what changed (revisions included), and the views have
 * the declared columns and types.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { REPLICATED } from '../src/replication.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { ROOT, runCli, tempDir } from './helpers.js';
import { beforeAllPg, describePg, freshDatabase, query } from './support/postgres.js';
import { expectSameRows, rowVersions } from './support/replica.js';
import { simEnv, writeConfig } from './support/upw-process.js';

const DAY1 = '2026-03-15';
const DAY2 = '2026-03-16';
const noon = (day: string) => `${day}T12:00:00Z`;

let sim: Simulator;
const dir = tempDir();
const db = join(dir, 'w.sqlite');
const pg = freshDatabase();
let config: string;
const env = (day: string) => simEnv(sim, { UPW_NOW: noon(day) });
const upw = async (args: string[], day = DAY1) => {
  const r = await runCli([...args, '--config', config, '--db', db], { env: env(day) });
  expect(r.stderr, args.join(' ')).toBe('');
  expect(r.code, `${args.join(' ')}: ${r.stdout}`).toBe(0);
  return r;
};
const sync = async (day = DAY1) => JSON.parse((await upw(['sync', '--to', pg.url(), '--json'], day)).stdout);

describePg('upw sync', () => {
  beforeAllPg(async () => {
    sim = await startSimulator({
      seed: 14,
      now: () => new Date(noon(DAY1)),
      profiles: [
        { username: 'alpha', platforms: ['instagram', 'facebook', 'youtube'] },
        { username: 'beta', platforms: ['tiktok', 'x', 'bluesky'] },
        { username: 'gamma', platforms: ['linkedin', 'reddit'] },
      ],
    });
    // Named, so that alpha's Facebook has its page id (without one every run warns, and stderr must stay empty).
    config = writeConfig(dir, { profiles: [{ username: 'alpha', facebookPageId: '1234567890' }, { username: 'beta' }, { username: 'gamma' }], posts: { track: true, days: 30 } });
    await upw(['backfill', '--since', '2026-01-01', '--until', DAY1]);
    await upw(['collect']);
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('first copies every replicated table of the warehouse, row for row, under the account', async () => {
    const summary = await sync();
    expect(summary).toMatchObject({ account: 'default', first: true, fromRun: 0, throughRun: 2, waitingRun: null });
    expect(summary.to).toMatch(/^postgres:\/\/[^:]+:\*\*\*@/);
    const rows = await expectSameRows(db, pg.url(), 'default');
    expect(summary.sent).toBe(rows);
    // Every table went straight in by COPY: PostgreSQL held nothing of the account.
    expect(new Set(summary.tables.map((t: { mode: string }) => t.mode))).toEqual(new Set(['copy']));
    for (const table of ['daily_values', 'daily_impressions', 'posts', 'post_platforms', 'post_metrics', 'runs', 'platform_rules', 'platform_metrics_cache']) {
      expect((await query(pg.url(), `SELECT 1 FROM upw.${table} LIMIT 1`)).length, `${table} holds rows`).toBe(1);
    }
    const [state] = await query(pg.url(), 'SELECT account, through_run, source FROM upw.sync_state');
    expect(state).toMatchObject({ account: 'default', through_run: '2' });
  });

  it("runs the docs' PostgreSQL example queries, each returning rows", async () => {
    const docs = readFileSync(join(ROOT, 'docs/warehouse.md'), 'utf8');
    const examples = [...docs.matchAll(/```postgresql\n(-- example: [\w-]+\n[\s\S]*?)```/g)].map((m) => m[1]!);
    expect(examples.length).toBeGreaterThan(0);
    for (const sql of examples) expect((await query(pg.url(), sql)).length, sql).toBeGreaterThan(0);
  });

  it('run again, sends nothing new and rewrites no row', async () => {
    const before = await rowVersions(pg.url());
    const summary = await sync();
    expect(summary).toMatchObject({ first: false, fromRun: 2, throughRun: 2, changed: 0 });
    // Only the small tables that are compared whole travel again.
    expect(summary.tables.filter((t: { sent: number }) => t.sent > 0).map((t: { table: string }) => t.table).sort()).toEqual(['platform_metrics_cache', 'platform_rules', 'profiles', 'runs']);
    expect(await rowVersions(pg.url())).toEqual(before);
  });

  it("after the next day's collect, sends only what that run changed, with the revisions it made", async () => {
    sim.setNow(new Date(noon(DAY2)));
    await upw(['collect'], DAY2);
    const revisionsBefore = (await query<{ n: string }>(pg.url(), 'SELECT count(*) AS n FROM upw.value_revisions'))[0]!.n;
    const total = (await query<{ n: string }>(pg.url(), 'SELECT count(*) AS n FROM upw.daily_values'))[0]!.n;
    const summary = await sync(DAY2);
    expect(summary).toMatchObject({ first: false, fromRun: 2, throughRun: 3 });
    const values = summary.tables.find((t: { table: string }) => t.table === 'daily_values');
    // The new day's readings and the revised points of the 30-day series: a small part of the table.
    expect(values.sent).toBeGreaterThan(0);
    expect(values.sent).toBeLessThan(Number(total) / 5);
    expect(values.changed).toBe(values.sent);
    await expectSameRows(db, pg.url(), 'default');
    const revisionsAfter = (await query<{ n: string }>(pg.url(), 'SELECT count(*) AS n FROM upw.value_revisions'))[0]!.n;
    expect(Number(revisionsAfter)).toBeGreaterThan(Number(revisionsBefore));
    // The revision history reads the same on both sides, through the views.
    const pgRevisions = await query(
      pg.url(),
      `SELECT profile_username, platform, kind, name, day::text AS day, value, source, to_char(observed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS observed_at,
              to_char(replaced_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS replaced_at
       FROM upw.v_value_revisions WHERE account = 'default' ORDER BY 1, 2, 3, 4, 5, 8`,
    );
    const { default: Database } = await import('better-sqlite3');
    const file = new Database(db, { readonly: true });
    const sqliteRevisions = file.prepare('SELECT * FROM v_value_revisions ORDER BY 1, 2, 3, 4, 5, 8').all();
    file.close();
    expect(pgRevisions).toEqual(sqliteRevisions);
  });

  it('offers the BI views with account first, days as date, instants as timestamptz, counts as bigint', async () => {
    const columns = await query<{ table_name: string; column_name: string; data_type: string; ordinal_position: number }>(
      pg.url(),
      "SELECT table_name, column_name, data_type, ordinal_position FROM information_schema.columns WHERE table_schema = 'upw' AND table_name LIKE 'v\\_%' ORDER BY table_name, ordinal_position",
    );
    const views = new Map<string, Record<string, string>>();
    for (const c of columns) views.set(c.table_name, { ...views.get(c.table_name), [c.column_name]: c.data_type });
    const expected = {
      v_daily_metrics: { account: 'text', profile_username: 'text', platform: 'text', day: 'date', time: 'timestamp with time zone', metric: 'text', value: 'double precision', source: 'text', observed_at: 'timestamp with time zone' },
      v_daily_impressions: { account: 'text', profile_username: 'text', platform: 'text', day: 'date', time: 'timestamp with time zone', metric_type: 'text', primary_field: 'text', impressions: 'bigint' },
      v_monthly_impressions: { account: 'text', profile_username: 'text', platform: 'text', month: 'text', time: 'timestamp with time zone', impressions: 'bigint', days: 'bigint' },
      v_latest_snapshot: {
        account: 'text', profile_username: 'text', platform: 'text', day: 'date',
        followers: 'bigint', impressions: 'bigint', reach: 'bigint', profile_views: 'bigint', likes: 'bigint', comments: 'bigint', shares: 'bigint', saves: 'bigint',
      },
      v_timeseries: { account: 'text', profile_username: 'text', platform: 'text', day: 'date', time: 'timestamp with time zone', series: 'text', metric_type: 'text', value: 'bigint', source: 'text', observed_at: 'timestamp with time zone' },
      v_post_metrics: {
        account: 'text', request_id: 'text', profile_username: 'text', platform: 'text', day: 'date', time: 'timestamp with time zone',
        platform_post_id: 'text', post_url: 'text', metric: 'text', value: 'double precision',
      },
      v_value_revisions: {
        account: 'text', profile_username: 'text', platform: 'text', kind: 'text', name: 'text', day: 'date', value: 'double precision', source: 'text',
        observed_at: 'timestamp with time zone', replaced_at: 'timestamp with time zone',
      },
      v_platform_rules: { account: 'text', platform: 'text', valid_from: 'date', valid_to: 'date', primary_field: 'text', metric_type: 'text', source: 'text' },
      v_demographics: { account: 'text', profile_username: 'text', platform: 'text', day: 'date', audience: 'text', dimension: 'text', segment: 'text', value: 'bigint' },
      v_post_profile_snapshots: { account: 'text', request_id: 'text', profile_username: 'text', platform: 'text', snapshot: 'text', day: 'date', metric: 'text', value: 'double precision' },
    };
    expect(Object.fromEntries(views)).toEqual(expected);
    for (const [view, cols] of Object.entries(expected)) expect(Object.keys(cols)[0], view).toBe('account');
    // Every replicated table carries the account first too.
    for (const t of REPLICATED) {
      const [first] = await query<{ column_name: string }>(pg.url(), "SELECT column_name FROM information_schema.columns WHERE table_schema = 'upw' AND table_name = $1 ORDER BY ordinal_position LIMIT 1", [t.name]);
      expect(first?.column_name, t.name).toBe('account');
    }
    // And the views read: today's latest snapshot per platform, the posts' metrics.
    const latest = await query<{ profile_username: string; day: string }>(pg.url(), "SELECT profile_username, day::text AS day FROM upw.v_latest_snapshot WHERE account = 'default'");
    expect(latest.length).toBe(8);
    for (const l of latest) expect(l.day).toBe(DAY2);
    expect((await query(pg.url(), 'SELECT 1 FROM upw.v_post_metrics LIMIT 1')).length).toBe(1);
  });
});
