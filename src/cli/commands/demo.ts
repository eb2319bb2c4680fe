/**
 * `upw demo`: the whole product on the built-in simulator, no API key needed.
 * Starts the simulator on loopback, collects (and backfills) its demo
 * profiles into data/demo.sqlite, writes the HTML report beside it
 * (data/demo-report.html) and prints what landed.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { ApiClient } from '../../api/client.js';
import { collect } from '../../collect/collect.usecases.js';
import { resolveConfig } from '../../config/config.js';
import { now } from '../../dates.js';
import { ExitCode } from '../../errors.js';
import { createLogger } from '../../logger.js';
import { explainImpressions } from '../../query/impressions.usecases.js';
import { buildReport, chartJsSource } from '../../report/report.usecases.js';
import { renderReport } from '../../report/report.template.js';
import { openWriter, type Warehouse } from '../../store/warehouse.js';
import { COMMON_OPTIONS, parseFlags, writeJson, type CommandIo } from '../common.js';
import { progressBar } from '../progress.js';

const HELP = `Usage: upw demo [--db FILE] [--json]

Starts the built-in Upload-Post simulator on 127.0.0.1, collects and backfills
its demo profiles into data/demo.sqlite (or --db), writes the HTML report
(upw report) beside it as data/demo-report.html, and prints a summary with
commands to look further. Needs no API key and no network.`;

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
  // The product's clock: with UPW_NOW the built-in server's day moves with the queries' "today".
  const sim = await startSimulator({ seed: 1, apiKey: DEMO_KEY, now });
  const wh = openWriter(dbPath);
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
    const lastDay = report.profiles.map((p) => p.last_day).sort().at(-1);
    const reportPath = writeDemoReport(wh, dbPath, lastDay);
    if (flags.json) writeJson(io, { database: dbPath, report: reportPath, simulator: sim.url, ...report });
    else io.stdout.write(formatReport(dbPath, reportPath, report));
    return collected.run.status === 'ok' && backfilled.run.status === 'ok' ? ExitCode.ok : ExitCode.partial;
  } finally {
    wh.close();
    await sim.close();
  }
}

interface DemoReport {
  runs: { id: number; kind: string; status: string; requests: number; values_written: number }[];
  profiles: { profile: string; platforms: number; first_day: string; last_day: string; values: number; impressions_last_30_days: number; warnings: string[] }[];
}

function demoReport(wh: Warehouse, runIds: number[]): DemoReport {
  const runs = runIds.map(
    (id) => wh.sqlite.prepare('SELECT id, kind, status, requests, values_written FROM runs WHERE id = ?').get(id) as DemoReport['runs'][number],
  );
  const held = wh.sqlite
    .prepare(
      `SELECT p.username AS profile, COUNT(DISTINCT s.platform) AS platforms, MIN(v.day) AS first_day, MAX(v.day) AS last_day, COUNT(*) AS "values"
       FROM profiles p JOIN series s ON s.profile_id = p.id AND s.kind = 'snapshot' JOIN daily_values v ON v.series_id = s.id
       GROUP BY p.id ORDER BY p.username`,
    )
    .all() as Omit<DemoReport['profiles'][number], 'impressions_last_30_days' | 'warnings'>[];
  // The same arithmetic as `upw impressions <profile> --period last_month`, and the same warnings.
  const profiles = held.map((p) => {
    const { answer, warnings } = explainImpressions(wh, p.profile, { period: 'last_month', as_of: p.last_day });
    return { ...p, impressions_last_30_days: 'total_impressions' in answer ? answer.total_impressions : 0, warnings };
  });
  return { runs, profiles };
}

/** The HTML report (upw report) of the demo's data, beside the demo warehouse. */
function writeDemoReport(wh: Warehouse, dbPath: string, asOf: string | undefined): string {
  const out = join(dirname(dbPath), `${basename(dbPath, extname(dbPath))}-report.html`);
  const html = renderReport(buildReport({ wh, ...(asOf !== undefined && { as_of: asOf }) }), chartJsSource());
  const partial = `${out}.partial-${process.pid}`;
  writeFileSync(partial, html);
  renameSync(partial, out);
  return out;
}

function formatReport(dbPath: string, reportPath: string, r: DemoReport): string {
  const runs = r.runs.map((run) => `  ${run.kind.padEnd(8)} run ${run.id}: ${run.status}, ${run.requests} requests, ${run.values_written} values written`);
  const header = `  ${'profile'.padEnd(16)} ${'platforms'.padStart(9)}  ${'days held'.padEnd(23)} ${'values'.padStart(7)}  ${'impressions, last 30 days'.padStart(25)}`;
  // The headline sums Facebook's rolling 30-day values over 30 days, as the API does: marked, and said why below.
  const marked = (p: DemoReport['profiles'][number]) => p.warnings.some((w) => w.startsWith('facebook:'));
  const rows = r.profiles.map(
    (p) => `  ${p.profile.padEnd(16)} ${String(p.platforms).padStart(9)}  ${`${p.first_day}…${p.last_day}`.padEnd(23)} ${String(p.values).padStart(7)}  ${`${p.impressions_last_30_days.toLocaleString('en-US')}${marked(p) ? '*' : ' '}`.padStart(26)}`,
  );
  const note = r.profiles.some(marked)
    ? [
        '',
        "  * includes Facebook, whose snapshot values are rolling 30-day totals: summed day by day (the API's",
        '    own arithmetic) they count each real day up to 30 times. Its daily values: --source timeseries.',
      ]
    : [];
  const db = JSON.stringify(dbPath);
  const first = r.profiles[0]?.profile ?? 'acme-studio';
  return [
    `Demo warehouse: ${dbPath}`,
    ...runs,
    '',
    header,
    ...rows,
    ...note,
    '',
    `Report: ${reportPath} (open it in a browser; it needs no network)`,
    '',
    'Next:',
    `  npx upw impressions ${first} --db ${db} --period last_month --breakdown`,
    `  npx upw impressions ${first} --db ${db} --period last_month --source timeseries`,
    `  sqlite3 -readonly -header -column ${db} "SELECT * FROM v_latest_snapshot ORDER BY profile_username, platform"`,
    '',
  ].join('\n');
}
