/**
 * Figure 6: `upw sync` into PostgreSQL. A first sync of a generated year
 * against `psql \copy` of the same daily values into a table with the same
 * primary key, on the same server in the same run; and a daily incremental
 * sync of 1,000 profiles after a day the product's own write path stored
 * from simulator answers (new readings, revised series points, revisions).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { RawAnswer } from '../src/api/client.js';
import { storeProfile } from '../src/collect/collect.usecases.js';
import { addDays } from '../src/dates.js';
import { createLogger } from '../src/logger.js';
// The ten platforms the simulator's generated profiles connect (google_business is not among them).
import { PLATFORMS } from '../src/simulator/index.js';
import { REPLICATED } from '../src/replication.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { readPlatformMetricsCache } from '../src/store/rules.repository.js';
import { finishRun, startRun } from '../src/store/runs.repository.js';
import { ValueWriter } from '../src/store/values.repository.js';
import { openWarehouse } from '../src/store/warehouse.js';
import { syncWarehouse, type SyncSummary } from '../src/sync/sync.usecases.js';
import { copyChunks } from '../src/team/copy.js';
import { parseTeamUrl } from '../src/team/url.js';
import { generateWarehouse } from './generate.js';
import { generatedNames, int, sec, tempDir, type FigureResult, type Row } from './lib.js';

const AS_OF = '2026-06-30';
const BUDGET_MS = 5_000;
const log = createLogger({ level: 'silent', pretty: false });

export interface SyncCase {
  /** First sync: profiles × days of history, `platforms` each. */
  first: { profiles: number; days: number; platforms: number; rounds: number };
  /** Daily incremental: profiles with `days` of history. */
  daily: { profiles: number; days: number; platforms: number };
}

async function sql(url: string, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

/** A database of the bench's own on the server, dropped at the end. */
async function benchDatabase(admin: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `upw_bench_${randomBytes(4).toString('hex')}`;
  await sql(admin, `CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  // Not WITH (FORCE): only a superuser may signal the autovacuum worker it would stop; a plain DROP stops it.
  const drop = async () => {
    for (let i = 0; ; i++) {
      try {
        await sql(admin, `DROP DATABASE IF EXISTS ${name}`);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== '55006' || i === 50) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  return { url: url.toString(), drop };
}

const sync = (warehouse: string, url: string, account: string): Promise<SyncSummary> => syncWarehouse({ warehouse, url: parseTeamUrl(url, 'bench'), account, log });
const emptyTeam = (url: string) => sql(url, `TRUNCATE ${[...REPLICATED.map((t) => `upw."${t.name}"`), 'upw.sync_state'].join(', ')}`);

/** psql's own \copy of a file into a fresh table shaped like upw.daily_values (same primary key); ms. */
async function psqlCopy(url: string, file: string, columns: string[]): Promise<number> {
  await sql(url, 'DROP TABLE IF EXISTS public.copy_baseline');
  await sql(url, 'CREATE TABLE public.copy_baseline (LIKE upw.daily_values INCLUDING ALL)');
  const t0 = performance.now();
  execFileSync('psql', [url, '-q', '-v', 'ON_ERROR_STOP=1', '-c', `\\copy public.copy_baseline (account, ${columns.join(', ')}) FROM '${file}'`], { stdio: 'pipe' });
  return performance.now() - t0;
}

async function firstSync(admin: string, dir: string, c: SyncCase['first']): Promise<{ rows: Row[]; notes: string[] }> {
  const path = join(dir, 'first.sqlite');
  const g = generateWarehouse(path, { profiles: c.profiles, days: c.days, asOf: AS_OF, platforms: c.platforms });
  const values = g.values;
  const columns = Object.keys(REPLICATED.find((t) => t.name === 'daily_values')!.columns);
  // The very lines the sync sends for daily_values, in a file for psql.
  const file = join(dir, 'daily_values.copy');
  const rows = g.wh.sqlite.prepare(`SELECT ${columns.join(', ')} FROM daily_values`).raw().iterate() as Iterable<unknown[]>;
  writeFileSync(file, [...copyChunks('bench', rows, { rows: 0 })].join(''));
  g.wh.close();
  const db = await benchDatabase(admin);
  try {
    await sync(path, db.url, 'warm-up'); // creates schema upw; its rows go before the timed rounds
    const syncMs: number[] = [];
    const copyMs: number[] = [];
    let sent = 0;
    // Alternating, so that whatever else the machine does weighs on both alike.
    for (let round = 0; round < c.rounds; round++) {
      const order = round % 2 === 0 ? ['copy', 'sync'] : ['sync', 'copy'];
      for (const what of order) {
        await emptyTeam(db.url);
        if (what === 'copy') copyMs.push(await psqlCopy(db.url, file, columns));
        else {
          const t0 = performance.now();
          sent = (await sync(path, db.url, 'bench')).sent;
          syncMs.push(performance.now() - t0);
        }
      }
    }
    const s = Math.min(...syncMs);
    const b = Math.min(...copyMs);
    const ratio = b / s;
    return {
      rows: [
        {
          figure: `9. sync: first sync, ${int(c.profiles)} profiles × ${c.days} days (${int(values)} values)`,
          value: `${int((values / s) * 1000)} values/s (${sec(s)})`,
          baseline: `${int((values / b) * 1000)} values/s (${sec(b)}, psql \\copy)`,
          ratio,
          target: '≥ 0.5 × psql \\copy',
          met: ratio >= 0.5,
        },
      ],
      notes: [
        `9. First sync: a generated warehouse of ${int(c.profiles)} profiles × ${c.platforms} platforms × ${c.days} days (${int(values)} daily values; ${int(sent)} rows in all with series, ` +
          `daily_impressions, profiles and rules) synced by syncWarehouse into an empty account; baseline: psql \\copy of the same daily_values lines (as the sync sends them) into a fresh table ` +
          `with the same primary key, on the same server. Best of ${c.rounds} alternating rounds each; the ratio counts only the daily values against the sync's whole time.`,
      ],
    };
  } finally {
    await dropQuietly(db);
  }
}

/** A database left behind is a message, not a lost figure. */
async function dropQuietly(db: { drop: () => Promise<void> }): Promise<void> {
  await db.drop().catch((err: unknown) => process.stderr.write(`bench: could not drop its database: ${(err as Error).message}\n`));
}

/** One day as `upw collect` stores it: the simulator's analytics answers through storeProfile, in a run. */
async function collectDay(path: string, sim: Simulator, day: string, names: string[]): Promise<{ runId: number; values: number }> {
  sim.setNow(new Date(`${day}T12:00:00Z`));
  const serverDate = new Date(`${day}T12:00:00Z`).toUTCString();
  const list = PLATFORMS.join(',');
  const wh = openWarehouse(path);
  try {
    const runId = startRun(wh, 'collect', day);
    const writer = new ValueWriter(wh, runId);
    const cached = readPlatformMetricsCache(wh);
    for (const username of names) {
      const text = await (await fetch(`${sim.url}/analytics/${username}?platforms=${list}`, { headers: { authorization: 'Apikey demo-key' } })).text();
      const raw: RawAnswer = { endpoint: 'analytics', profile: username, params: { platforms: list }, status: 200, receivedAt: new Date().toISOString(), serverDate, body: text };
      storeProfile({ wh, writer, runId, raw, body: JSON.parse(text), cached, source: 'collect', serverTimezone: 'UTC', target: { username, platforms: [...PLATFORMS], createdAt: undefined, pageId: undefined, pageUrn: undefined } });
    }
    finishRun(wh, runId, 'ok', {});
    return { runId, values: writer.written };
  } finally {
    wh.close();
  }
}

async function dailySync(admin: string, dir: string, c: SyncCase['daily']): Promise<{ rows: Row[]; notes: string[] }> {
  const path = join(dir, 'daily.sqlite');
  const yesterday = addDays(AS_OF, -1);
  const g = generateWarehouse(path, { profiles: c.profiles, days: c.days, asOf: addDays(AS_OF, -2), platforms: c.platforms });
  g.wh.close();
  const db = await benchDatabase(admin);
  const sim = await startSimulator({ seed: 6, apiKey: 'demo-key', profileCount: c.profiles, now: () => new Date(`${yesterday}T12:00:00Z`) });
  try {
    const first = await sync(path, db.url, 'bench');
    // Yesterday, synced: today's sync then finds what a day of collecting changes, and no more.
    await collectDay(path, sim, yesterday, generatedNames(c.profiles));
    await sync(path, db.url, 'bench');
    const today = await collectDay(path, sim, AS_OF, generatedNames(c.profiles));
    const t0 = performance.now();
    const s = await sync(path, db.url, 'bench');
    const ms = performance.now() - t0;
    const by = (name: string) => s.tables.find((t) => t.table === name)!;
    return {
      rows: [
        {
          figure: `9. sync: daily incremental, ${int(c.profiles)} profiles`,
          value: `${sec(ms)} (${int(s.sent)} rows)`,
          baseline: `${sec(BUDGET_MS)} budget`,
          ratio: ms / BUDGET_MS,
          target: '< 5 s',
          met: ms < BUDGET_MS,
        },
      ],
      notes: [
        `9. Daily incremental: ${int(c.profiles)} profiles with ${c.days} days of generated history (${int(g.values)} values; their first sync took ${sec(first.ms)} at ` +
          `${int((first.sent / first.ms) * 1000)} rows/s), then two days of simulator answers stored by storeProfile as upw collect does; the second day's run wrote ${int(today.values)} values. ` +
          `The timed syncWarehouse sent ${int(by('daily_values').sent)} daily values (${sec(by('daily_values').ms)} of its time: reading the file and COPY, ` +
          `then ${sec(by('daily_values').mergeMs)} for PostgreSQL's merge), ` +
          `${int(by('value_revisions').sent)} revisions, ${int(by('daily_impressions').sent)} daily counts and the whole-table ones (profiles, rules, runs). No posts in the generated warehouse: their rows are found the same way, through the posts a run stamped.`,
      ],
    };
  } finally {
    await sim.close();
    await dropQuietly(db);
  }
}

export async function syncFigure(c: SyncCase): Promise<FigureResult> {
  const admin = process.env.UPW_BENCH_POSTGRES_URL ?? process.env.UPW_TEST_POSTGRES_URL;
  if (!admin) {
    return {
      rows: [{ figure: '9. sync', value: 'not measured', baseline: '—', ratio: undefined, target: '≥ 0.5 × psql \\copy; < 5 s', met: undefined }],
      notes: ['9. Set UPW_BENCH_POSTGRES_URL (or UPW_TEST_POSTGRES_URL) to a PostgreSQL role that may create databases; .ci/run shows how to start one.'],
    };
  }
  const tmp = tempDir('sync');
  try {
    const a = await firstSync(admin, tmp.dir, c.first);
    const b = await dailySync(admin, tmp.dir, c.daily);
    return { rows: [...a.rows, ...b.rows], notes: [...a.notes, ...b.notes] };
  } finally {
    tmp.remove();
  }
}
