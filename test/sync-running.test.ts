/**
 * A sync beside a collection in progress: it reads the file without the
 * writer lock, sends every finished run and nothing of the one still
 * writing, and the next sync sends that run whole. A run whose process was
 * killed counts as finished: what it committed is sent, and its row follows
 * when a later writer marks it failed.
 */
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { REPLICATED } from '../src/replication.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { runCli, tempDir } from './helpers.js';
import { beforeAllPg, describePg, freshDatabase, query } from './support/postgres.js';
import { expectSameRows } from './support/replica.js';
import { inspect, runs, simEnv, startUpw, waitFor, within, writeConfig } from './support/upw-process.js';

const DAY1 = '2026-03-15';
const DAY2 = '2026-03-16';
const DAY3 = '2026-03-17';
const noon = (day: string) => `${day}T12:00:00Z`;

let sim: Simulator;
const dir = tempDir();
const db = join(dir, 'w.sqlite');
const pg = freshDatabase();
let config: string;
const env = (day: string) => simEnv(sim, { UPW_NOW: noon(day) });
const sync = async (day: string) => {
  const r = await runCli(['sync', '--config', config, '--db', db, '--to', pg.url(), '--json'], { env: env(day) });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};
/** Rows of run `id` in any PostgreSQL table that carries run_id. */
const rowsOfRun = async (id: number) => {
  let n = 0;
  for (const t of REPLICATED.filter((t) => 'run_id' in t.columns && t.name !== 'run_errors')) {
    n += Number((await query<{ n: string }>(pg.url(), `SELECT count(*)::text AS n FROM upw.${t.name} WHERE run_id = $1`, [id]))[0]!.n);
  }
  return n;
};
const committedOfRun = (id: number) => inspect(db, (d) => d.prepare('SELECT count(*) FROM daily_values WHERE run_id = ?').pluck().get(id) as number);

describePg('upw sync beside a running collection', () => {
  beforeAllPg(async () => {
    sim = await startSimulator({
      seed: 23,
      now: () => new Date(noon(DAY1)),
      profiles: ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'].map((username) => ({ username, platforms: ['instagram', 'tiktok'] })),
    });
    config = writeConfig(dir, { profiles: 'all', concurrency: 1, posts: { track: false } });
    const r = await runCli(['collect', '--config', config, '--db', db], { env: env(DAY1) });
    expect(r.code).toBe(0);
    expect((await sync(DAY1)).throughRun).toBe(1);
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('sends nothing of a run still writing, then the whole run once it has finished', async () => {
    sim.setNow(new Date(noon(DAY2)));
    sim.setLatency(1_500);
    const revisions = async () => Number((await query<{ n: string }>(pg.url(), 'SELECT count(*)::text AS n FROM upw.value_revisions'))[0]!.n);
    const revisionsBefore = await revisions();
    const collect = startUpw(['collect', '--config', config, '--db', db], env(DAY2), dir);
    try {
      // Part of the run is committed: some profiles stored (their series points revised), others not yet.
      await waitFor('the running collect to commit a profile', () => committedOfRun(2) > 0, 60_000);
      const during = await sync(DAY2);
      // waitingRun: run 2 was still running in the sync's snapshot (it may have finished since).
      expect(during).toMatchObject({ fromRun: 1, throughRun: 1, waitingRun: 2 });
      expect(await rowsOfRun(2)).toBe(0);
      // The revisions run 2 made (they carry the run of the value they replaced) wait with it.
      expect(await revisions()).toBe(revisionsBefore);
      expect(inspect(db, (d) => d.prepare('SELECT count(*) FROM value_revisions').pluck().get() as number)).toBeGreaterThan(revisionsBefore);
      expect((await query(pg.url(), 'SELECT id FROM upw.runs ORDER BY id')).map((r) => Number(r.id))).toEqual([1]);
    } finally {
      expect(await within('the collect to finish', 60_000, collect.exited)).toEqual({ code: 0, signal: null });
      sim.setLatency(0);
    }
    const after = await sync(DAY2);
    expect(after).toMatchObject({ fromRun: 1, throughRun: 2, waitingRun: null });
    expect(await rowsOfRun(2)).toBeGreaterThan(0);
    await expectSameRows(db, pg.url(), 'default');
  });

  it("sends what a killed run committed, and the run's failed status once a writer has closed it", async () => {
    sim.setNow(new Date(noon(DAY3)));
    sim.setLatency(1_500);
    const collect = startUpw(['collect', '--config', config, '--db', db], env(DAY3), dir);
    await waitFor('the collect to commit a profile', () => committedOfRun(3) > 0, 60_000);
    collect.child.kill('SIGKILL');
    await within('the killed collect to exit', 10_000, collect.exited);
    sim.setLatency(0);
    expect(runs(db).find((r) => r.id === 3)?.status).toBe('running');
    // Nothing more can come of run 3: it is sent as it stands.
    const dead = await sync(DAY3);
    expect(dead).toMatchObject({ fromRun: 2, throughRun: 3, waitingRun: null });
    expect(await rowsOfRun(3)).toBeGreaterThan(0);
    await expectSameRows(db, pg.url(), 'default');
    expect((await query(pg.url(), 'SELECT status FROM upw.runs WHERE id = 3'))[0]?.status).toBe('running');
    // The next collect closes it as failed; the next sync carries that too.
    expect((await runCli(['collect', '--config', config, '--db', db], { env: env(DAY3) })).code).toBe(0);
    expect(runs(db).find((r) => r.id === 3)?.status).toBe('failed');
    expect(await sync(DAY3)).toMatchObject({ fromRun: 3, throughRun: 4 });
    expect((await query(pg.url(), 'SELECT status FROM upw.runs WHERE id = 3'))[0]?.status).toBe('failed');
    await expectSameRows(db, pg.url(), 'default');
  });
});
