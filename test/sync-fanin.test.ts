/**
 * Fan-in: collectors of two accounts, each with its own API (two simulators)
 * and a profile of the same username, sync into one database at the same
 * time. Each account's rows and sums are its own; a second warehouse under a
 * taken account is refused until it asks to replace it.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { startSimulator, type Platform, type Simulator } from '../src/simulator/index.js';
import { runCli, startUpw, tempDir } from './helpers.js';
import { beforeAllPg, describePg, freshDatabase, query } from './support/postgres.js';
import { countByAccount, expectSameRows } from './support/replica.js';
import { simEnv, within, writeConfig } from './support/upw-process.js';

const TODAY = '2026-03-15';
const NOW = `${TODAY}T12:00:00Z`;
const dir = tempDir();
const pg = freshDatabase();

interface Collector {
  account: string;
  sim: Simulator;
  db: string;
  config: string;
}
const collectors: Collector[] = [];
const env = (c: Collector) => simEnv(c.sim, { UPW_NOW: NOW });

/** SUM(impressions) per profile from a warehouse file's own view. */
function fileSums(db: string): Record<string, number> {
  const file = new Database(db, { readonly: true });
  try {
    const rows = file.prepare('SELECT profile_username AS p, SUM(impressions) AS n FROM v_daily_impressions GROUP BY 1').all() as Array<{ p: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.p, r.n]));
  } finally {
    file.close();
  }
}

describePg('several collectors syncing into one database', () => {
  beforeAllPg(async () => {
    for (const [account, seed, others] of [
      ['agency-a', 31, ['northwind']],
      ['agency-b', 32, ['contoso', 'fabrikam']],
    ] as const) {
      const sim = await startSimulator({
        seed,
        now: () => new Date(NOW),
        profiles: [
          { username: 'acme', platforms: ['instagram', 'tiktok', 'youtube'] as Platform[] },
          ...others.map((username) => ({ username, platforms: ['x', 'linkedin'] as Platform[] })),
        ],
      });
      const c = { account, sim, db: join(dir, `${account}.sqlite`), config: writeConfig(dir, { profiles: 'all', account, posts: { track: true } }, `${account}.config.mjs`) };
      collectors.push(c);
      for (const args of [['backfill', '--since', '2026-01-01'], ['collect']]) {
        const r = await runCli([...args, '--config', c.config, '--db', c.db], { env: env(c) });
        expect(r.code, r.stderr).toBe(0);
      }
    }
  });
  afterAll(async () => {
    for (const c of collectors) await c.sim.close();
  });

  it('syncs both at once, each under its own account, the same username kept apart', async () => {
    const children = collectors.map((c) => startUpw(['sync', '--config', c.config, '--db', c.db, '--to', pg.url()], env(c), dir));
    for (const child of children) expect(await within('a sync', 60_000, child.exited)).toEqual({ code: 0, signal: null });
    for (const c of collectors) await expectSameRows(c.db, pg.url(), c.account);
    const byAccount = await countByAccount(pg.url(), 'profiles');
    expect(byAccount).toEqual({ 'agency-a': 2, 'agency-b': 3 });
    // acme is two profiles, one per account, each with its own numbers.
    const acme = await query<{ account: string; n: string }>(
      pg.url(),
      "SELECT account, SUM(impressions)::text AS n FROM upw.v_daily_impressions WHERE profile_username = 'acme' GROUP BY account ORDER BY account",
    );
    expect(acme.map((r) => [r.account, Number(r.n)])).toEqual(collectors.map((c) => [c.account, fileSums(c.db).acme]));
    expect(Number(acme[0]!.n)).not.toBe(Number(acme[1]!.n));
    // Every view keeps the accounts apart: each account's view rows are its own file's.
    for (const view of ['v_daily_metrics', 'v_daily_impressions', 'v_timeseries', 'v_latest_snapshot', 'v_post_metrics', 'v_platform_rules']) {
      for (const c of collectors) {
        const [{ n }] = (await query<{ n: string }>(pg.url(), `SELECT count(*)::text AS n FROM upw.${view} WHERE account = $1`, [c.account])) as [{ n: string }];
        const file = new Database(c.db, { readonly: true });
        const want = file.prepare(`SELECT count(*) FROM ${view}`).pluck().get() as number;
        file.close();
        expect(Number(n), `${view} ${c.account}`).toBe(want);
      }
    }
  });

  it('refuses a second warehouse under an account another one fills, until asked to replace it', async () => {
    const [a] = collectors as [Collector, Collector];
    const stranger = join(dir, 'stranger.sqlite');
    const r0 = await runCli(['collect', '--config', a.config, '--db', stranger, '--profile', 'northwind'], { env: env(a) });
    expect(r0.code).toBe(0);
    const refused = await runCli(['sync', '--config', a.config, '--db', stranger, '--to', pg.url()], { env: env(a) });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^upw sync: PostgreSQL at \S+ already holds account "agency-a" from another warehouse \(.*agency-a\.sqlite, through its run 2\): give this collector its own `account`/);
    await expectSameRows(a.db, pg.url(), a.account);

    const replaced = await runCli(['sync', '--config', a.config, '--db', stranger, '--to', pg.url(), '--full', '--json'], { env: env(a) });
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(JSON.parse(replaced.stdout)).toMatchObject({ first: true, account: 'agency-a' });
    await expectSameRows(stranger, pg.url(), 'agency-a');
    // The other account did not move.
    await expectSameRows(collectors[1]!.db, pg.url(), 'agency-b');
  });
});
