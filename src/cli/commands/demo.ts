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
import { openWarehouse } from '../../store/warehouse.js';
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
  const log = createLogger({ level: io.env.LOG_LEVEL ?? 'warn', apiKey: DEMO_KEY });
  const { startSimulator } = await import('../../simulator/index.js');
  const sim = await startSimulator({ seed: 1, apiKey: DEMO_KEY });
  const wh = openWarehouse(dbPath);
  try {
    const config = resolveConfig({ profiles: 'all', database: dbPath }, undefined, io.cwd);
    const client = new ApiClient({ baseUrl: sim.url, apiKey: DEMO_KEY, retries: 2, retryBaseMs: 100 });
    const deps = { wh, client, log, config };
    const { trackPosts } = await import('../../posts/posts.usecases.js');

    const bar = progressBar(io.stderr, 'collect');
    const summary = await collect(deps, { onProgress: (d, t) => bar.update(d, t), afterProfiles: (ctx) => trackPosts(deps, ctx) });
    bar.end();

    const report = demoReport(wh, summary.run.id);
    if (flags.json) writeJson(io, { database: dbPath, simulator: sim.url, ...report });
    else io.stdout.write(formatReport(dbPath, report));
    return summary.run.status === 'ok' ? ExitCode.ok : ExitCode.partial;
  } finally {
    wh.close();
    await sim.close();
  }
}

interface DemoReport {
  run: { id: number; status: string; day: string | null; requests: number; valuesWritten: number };
  profiles: { profile: string; platforms: number; days: number; values: number }[];
}

function demoReport(wh: ReturnType<typeof openWarehouse>, runId: number): DemoReport {
  const run = wh.sqlite.prepare('SELECT id, status, day, requests, values_written AS valuesWritten FROM runs WHERE id = ?').get(runId) as DemoReport['run'];
  const profiles = wh.sqlite
    .prepare(
      `SELECT p.username AS profile, COUNT(DISTINCT s.platform) AS platforms, COUNT(DISTINCT v.day) AS days, COUNT(*) AS "values"
       FROM profiles p JOIN series s ON s.profile_id = p.id JOIN daily_values v ON v.series_id = s.id
       GROUP BY p.id ORDER BY p.username`,
    )
    .all() as DemoReport['profiles'];
  return { run, profiles };
}

function formatReport(dbPath: string, r: DemoReport): string {
  const rows = r.profiles.map((p) => `  ${p.profile.padEnd(16)} ${String(p.platforms).padStart(3)} platforms  ${String(p.days).padStart(4)} days  ${String(p.values).padStart(6)} values`);
  return [
    `Demo warehouse: ${dbPath}`,
    `Run ${r.run.id} for ${r.run.day}: ${r.run.status}, ${r.run.requests} requests, ${r.run.valuesWritten} values written`,
    '',
    ...rows,
    '',
    'Look inside:',
    `  sqlite3 -readonly -header -column ${JSON.stringify(dbPath)} "SELECT * FROM v_latest_snapshot ORDER BY profile_username, platform"`,
    '',
  ].join('\n');
}
