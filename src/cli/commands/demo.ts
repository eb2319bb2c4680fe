/**
 * `upw demo`: the whole product on the built-in simulator, no API key needed.
 * Starts the simulator on loopback, collects (and backfills) its demo
 * profiles into data/demo.sqlite, and prints what landed.
 */
import { resolve } from 'node:path';
import { ApiClient } from '../../api/client.js';
import { collect } from '../../collect/collect.usecases.js';
import { resolveConfig } from '../../config/config.js';
import { ExitCode } from '../../errors.js';
import { createLogger } from '../../logger.js';
import { totalImpressions } from '../../query/impressions.usecases.js';
import { openWarehouse, type Warehouse } from '../../store/warehouse.js';
import { COMMON_OPTIONS, parseFlags, writeJson, type CommandIo } from '../common.js';
import { progressBar } from '../progress.js';

const HELP = `Usage: upw demo [--db FILE] [--json]

Starts the built-in Upload-Post simulator on 127.0.0.1, collects its demo
profiles into data/demo.sqlite (or --db), and prints a short report with a
sqlite3 command to look inside. Needs no API key and no network.`;

const DEMO_KEY = 'demo-key';

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const { values: flags } = parseFlags(argv, { db: COMMON_OPTIONS.db, json: COMMON_OPTIONS.json, help: COMMON_OPTIONS.help });
  if (flags.help) {
    io.stdout.write(`${HELP}\n`);
    return ExitCode.ok;
  }
  const dbPath = resolve(io.cwd, flags.db ?? 'data/demo.sqlite');
  const log = createLogger({ level: io.env.LOG_LEVEL ?? 'warn', apiKey: DEMO_KEY, format: io.logFormat });
  const { startSimulator } = await import('../../simulator/index.js');
  const sim = await startSimulator({ seed: 1, apiKey: DEMO_KEY });
  const wh = openWarehouse(dbPath);
  try {
    const config = resolveConfig({ profiles: 'all', database: dbPath }, undefined, io.cwd);
    const client = new ApiClient({ baseUrl: sim.url, apiKey: DEMO_KEY, retries: 2, retryBaseMs: 100 });
    const deps = { wh, client, log, config };
    const { trackPosts } = await import('../../posts/posts.usecases.js');

    const collectBar = progressBar(io.stderr, 'collect ');
    const collected = await collect(deps, { onProgress: (d, t) => collectBar.update(d, t), afterProfiles: (ctx) => trackPosts(deps, ctx) });
    collectBar.end();
    const { backfill } = await import('../../backfill/backfill.usecases.js');
    const backfillBar = progressBar(io.stderr, 'backfill');
    // The series came with the collect just made; step 2 brings the server's year of snapshots.
    const backfilled = await backfill(deps, { timeseries: false, onProgress: (d, t) => backfillBar.update(d, t) });
    backfillBar.end();

    const report = demoReport(wh, [collected.run.id, backfilled.run.id]);
    if (flags.json) writeJson(io, { database: dbPath, simulator: sim.url, ...report });
    else io.stdout.write(formatReport(dbPath, report));
    return collected.run.status === 'ok' && backfilled.run.status === 'ok' ? ExitCode.ok : ExitCode.partial;
  } finally {
    wh.close();
    await sim.close();
  }
}

interface DemoReport {
  runs: { id: number; kind: string; status: string; requests: number; valuesWritten: number }[];
  profiles: { profile: string; platforms: number; firstDay: string; lastDay: string; values: number; impressionsLast30Days: number }[];
}

function demoReport(wh: Warehouse, runIds: number[]): DemoReport {
  const runs = runIds.map(
    (id) => wh.sqlite.prepare('SELECT id, kind, status, requests, values_written AS valuesWritten FROM runs WHERE id = ?').get(id) as DemoReport['runs'][number],
  );
  const held = wh.sqlite
    .prepare(
      `SELECT p.username AS profile, COUNT(DISTINCT s.platform) AS platforms, MIN(v.day) AS firstDay, MAX(v.day) AS lastDay, COUNT(*) AS "values"
       FROM profiles p JOIN series s ON s.profile_id = p.id AND s.kind = 'snapshot' JOIN daily_values v ON v.series_id = s.id
       GROUP BY p.id ORDER BY p.username`,
    )
    .all() as Omit<DemoReport['profiles'][number], 'impressionsLast30Days'>[];
  // The same arithmetic as `upw impressions <profile> --period last_month`.
  const profiles = held.map((p) => ({ ...p, impressionsLast30Days: totalImpressions(wh, p.profile, { period: 'last_month', as_of: p.lastDay }).total_impressions }));
  return { runs, profiles };
}

function formatReport(dbPath: string, r: DemoReport): string {
  const runs = r.runs.map((run) => `  ${run.kind.padEnd(8)} run ${run.id}: ${run.status}, ${run.requests} requests, ${run.valuesWritten} values written`);
  const header = `  ${'profile'.padEnd(16)} ${'platforms'.padStart(9)}  ${'days held'.padEnd(23)} ${'values'.padStart(7)}  ${'impressions, last 30 days'.padStart(25)}`;
  const rows = r.profiles.map(
    (p) => `  ${p.profile.padEnd(16)} ${String(p.platforms).padStart(9)}  ${`${p.firstDay}…${p.lastDay}`.padEnd(23)} ${String(p.values).padStart(7)}  ${p.impressionsLast30Days.toLocaleString('en-US').padStart(25)}`,
  );
  const db = JSON.stringify(dbPath);
  return [
    `Demo warehouse: ${dbPath}`,
    ...runs,
    '',
    header,
    ...rows,
    '',
    'Next:',
    `  npx upw impressions ${r.profiles[0]?.profile ?? 'acme-studio'} --db ${db} --period last_month --breakdown`,
    `  npx upw report --db ${db} --out data/demo-report.html`,
    `  sqlite3 -readonly -header -column ${db} "SELECT * FROM v_latest_snapshot ORDER BY profile_username, platform"`,
    '',
  ].join('\n');
}
