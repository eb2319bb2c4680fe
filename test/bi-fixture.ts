/**
 * A warehouse file filled the way a user's fills: the simulator's demo
 * profiles (acme-studio is the docs' example profile), collected once a day at
 * 06:00 UTC over March 2026 with post tracking, through the real client,
 * collector and SQLite file.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApiClient } from '../src/api/client.js';
import { collect, type RunSummary } from '../src/collect/collect.usecases.js';
import { resolveConfig } from '../src/config/config.js';
import { addDays, eachDay } from '../src/dates.js';
import { createLogger } from '../src/logger.js';
import { trackPosts } from '../src/posts/posts.usecases.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { openWarehouse, type Warehouse } from '../src/store/warehouse.js';

/** The days the docs' examples are written for. */
export const FIRST_DAY = '2026-03-01';
export const LAST_DAY = '2026-03-14';
/** The day a test may collect while it reads. */
export const NEXT_DAY = '2026-03-15';
export const PROFILE = 'acme-studio';

export interface BiWarehouse {
  sim: Simulator;
  dbPath: string;
  wh: Warehouse;
  /** One collect for `day` at 06:00 UTC; posts are tracked unless told not to. */
  collectDay(day: string, options?: { posts?: boolean }): Promise<RunSummary>;
  close(): Promise<void>;
}

/** Collect FIRST_DAY…`lastDay` (default LAST_DAY) into a fresh file in `dir`. */
export async function biWarehouse(dir: string, { seed = 11, lastDay = LAST_DAY }: { seed?: number; lastDay?: string } = {}): Promise<BiWarehouse> {
  const sim = await startSimulator({ seed, apiKey: 'demo-key' });
  const dbPath = join(dir, `warehouse-${seed}.sqlite`);
  const wh = openWarehouse(dbPath);
  const client = new ApiClient({ baseUrl: sim.url, apiKey: 'demo-key', retries: 3, retryBaseMs: 20, timeoutMs: 5_000 });
  const deps = {
    wh,
    client,
    log: createLogger({ level: 'silent', pretty: false }),
    // One profile at a time, so a slow collect commits its profiles one by one while a test reads.
    config: resolveConfig({ profiles: 'all', database: dbPath, concurrency: 1 }, undefined, dir),
  };
  const collectDay = (day: string, options: { posts?: boolean } = {}) => {
    const now = new Date(`${day}T06:00:00Z`);
    sim.setNow(now);
    return collect(deps, { now, afterProfiles: options.posts === false ? undefined : (ctx) => trackPosts(deps, ctx) });
  };
  for (const day of eachDay(FIRST_DAY, lastDay)) {
    const { run } = await collectDay(day);
    if (run.status !== 'ok') throw new Error(`fixture collect for ${day} ended ${run.status}`);
  }
  return { sim, dbPath, wh, collectDay, close: async () => (wh.close(), await sim.close()) };
}

const run = promisify(execFile);

/** True when the sqlite3 shell is on PATH. */
export async function hasSqliteShell(): Promise<boolean> {
  return run('sqlite3', ['-version']).then(
    () => true,
    () => false,
  );
}

/**
 * Run SQL in the sqlite3 shell, read-only, as a BI user would; rows as JSON.
 * Asynchronous on purpose: a collect in this process keeps running meanwhile.
 * The SQL goes in on stdin, as pasted: the shell takes an argument that starts
 * with `--` for an option.
 */
export function sqliteShell(dbPath: string, sql: string): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const child = execFile('sqlite3', ['-readonly', '-json', '-cmd', '.timeout 10000', dbPath], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`sqlite3 failed: ${stderr || err.message}`));
      resolve(stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>[]) : []);
    });
    child.stdin?.end(sql);
  });
}

/** Unix seconds of a day's midnight UTC. */
export const unixDay = (day: string): number => Date.parse(`${day}T00:00:00Z`) / 1000;

/** The Monday that starts `day`'s week. */
export function weekStart(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return addDays(day, -((weekday + 6) % 7));
}
