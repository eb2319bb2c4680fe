/**
 * Plumbing shared by the reliability suites: a seeded random source, `upw` as
 * a killable child process, and the checks every crash or concurrent read must
 * pass (integrity, whole-or-absent days, a canonical dump to compare runs by).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ApiClient, type ApiClientOptions } from '../../src/api/client.js';
import { collect, type CollectDeps, type CollectInput } from '../../src/collect/collect.usecases.js';
import { resolveConfig, type UserConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logger.js';
import type { Platform, Simulator } from '../../src/simulator/index.js';
import { openWarehouse, type Warehouse } from '../../src/store/warehouse.js';
import { BIN } from '../helpers.js';

/** The seed of every random choice in the reliability suites; override with RELIABILITY_SEED to replay. */
export const SEED = Number(process.env.RELIABILITY_SEED ?? 20260315);

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface Collector {
  wh: Warehouse;
  client: ApiClient;
  /** What a use case needs (collect, backfill). */
  deps: CollectDeps;
  collect(input?: CollectInput): ReturnType<typeof collect>;
  /** One number from SQL. */
  count(sql: string, ...params: unknown[]): number;
  rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[];
}

/** An in-process collector on a real file with client options of the test's choosing. */
export function collector(dir: string, baseUrl: string, options: { config?: Partial<UserConfig>; client?: Partial<ApiClientOptions> } = {}): Collector {
  const wh = openWarehouse(join(dir, `w-${Math.random().toString(36).slice(2)}.sqlite`));
  const client = new ApiClient({ baseUrl, apiKey: 'demo-key', retries: 3, retryBaseMs: 10, timeoutMs: 2_000, ...options.client });
  const config = resolveConfig({ profiles: 'all', posts: { track: false }, ...options.config }, undefined, dir);
  const log = createLogger({ level: 'silent', pretty: false });
  return {
    wh,
    client,
    deps: { wh, client, log, config },
    collect: (input) => collect({ wh, client, log, config }, input),
    count: (sql, ...params) => wh.sqlite.prepare(sql).pluck().get(...params) as number,
    rows: <T>(sql: string, ...params: unknown[]) => wh.sqlite.prepare(sql).all(...params) as T[],
  };
}

/** A plain-JS config file (quick to load) in `dir`. */
export function writeConfig(dir: string, config: Record<string, unknown>, name = 'collector.config.mjs'): string {
  const file = join(dir, name);
  writeFileSync(file, `export default ${JSON.stringify(config)};\n`);
  return file;
}

export interface Child {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Start `upw ...args` and hand back the process, to wait for or to kill. */
export function startUpw(args: string[], env: Record<string, string | undefined>, cwd: string, timeoutMs = 60_000): Child {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    }),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Open a file for checking as the next process after a crash would: WAL recovered, no migrations. */
export function inspect<T>(file: string, fn: (db: Database.Database) => T): T {
  const db = new Database(file, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

export const hasTable = (db: Database.Database, name: string): boolean =>
  db.prepare("SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?").pluck().get(name) === 1;

/** `PRAGMA integrity_check` of the file ('ok' when it does not exist yet: nothing to corrupt). */
export function integrity(file: string): string {
  if (!existsSync(file)) return 'ok';
  return inspect(file, (db) => (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; '));
}

/**
 * The warehouse content that must not depend on how a run went: every
 * current value with its key, and the dated rules. Observation times and run
 * ids are left out.
 */
export function canonicalDump(file: string): string[] {
  return inspect(file, (db) => [
    ...(db
      .prepare(
        `SELECT p.username || '|' || s.platform || '|' || s.kind || '|' || s.name || '|' || v.day || '|' || v.value || '|' || v.source
         FROM daily_values v JOIN series s ON s.id = v.series_id JOIN profiles p ON p.id = s.profile_id
         ORDER BY p.username, s.platform, s.kind, s.name, v.day`,
      )
      .pluck()
      .all() as string[]),
    ...(db.prepare("SELECT 'rule|' || platform || '|' || valid_from || '|' || ifnull(primary_field, '') || '|' || ifnull(metric_type, '') FROM platform_rules ORDER BY 1").pluck().all() as string[]),
  ]);
}

/**
 * Every profile's `day` must be whole or absent: a profile with any snapshot
 * row for the day has, for every platform the simulator has it on, exactly the
 * simulator's snapshot, and its 30-day reach series. Returns the violations.
 */
export function wholeOrAbsent(file: string, sim: Simulator, day: string): { violations: string[]; whole: number } {
  if (!existsSync(file)) return { violations: [], whole: 0 };
  return inspect(file, (db) => {
    if (!hasTable(db, 'daily_values')) return { violations: [], whole: 0 };
    const rows = db
      .prepare(
        `SELECT p.username AS profile, s.platform AS platform, s.name AS metric, v.value AS value
         FROM daily_values v JOIN series s ON s.id = v.series_id AND s.kind = 'snapshot' JOIN profiles p ON p.id = s.profile_id
         WHERE v.day = ?`,
      )
      .all(day) as { profile: string; platform: string; metric: string; value: number }[];
    const seriesDays = db.prepare(
      `SELECT s.platform AS platform, count(*) AS n FROM daily_values v JOIN series s ON s.id = v.series_id AND s.kind = 'timeseries' AND s.name = 'reach'
       JOIN profiles p ON p.id = s.profile_id WHERE p.username = ? AND v.day <= ? GROUP BY s.platform`,
    );
    const stored = new Map<string, Map<string, Record<string, number>>>();
    for (const r of rows) {
      const byPlatform = stored.get(r.profile) ?? new Map<string, Record<string, number>>();
      stored.set(r.profile, byPlatform);
      byPlatform.set(r.platform, { ...byPlatform.get(r.platform), [r.metric]: r.value });
    }
    const violations: string[] = [];
    for (const [profile, byPlatform] of stored) {
      const reach = new Map((seriesDays.all(profile, day) as { platform: string; n: number }[]).map((r) => [r.platform, r.n]));
      for (const platform of sim.world.platformsOf(profile)) {
        const want = JSON.stringify(sortKeys(sim.world.snapshot(profile, platform as Platform, day) ?? {}));
        const got = JSON.stringify(sortKeys(byPlatform.get(platform) ?? {}));
        if (got !== want) violations.push(`${profile}/${platform} on ${day}: stored ${got}, the simulator has ${want}`);
        if ((reach.get(platform) ?? 0) < 30) violations.push(`${profile}/${platform}: ${reach.get(platform) ?? 0} days of reach series, not 30`);
      }
    }
    return { violations, whole: stored.size };
  });
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The number of snapshot metrics a whole profile has on `day` (all its platforms). */
export function metricsOf(sim: Simulator, profile: string, day: string): number {
  return sim.world.platformsOf(profile).reduce((n, p) => n + Object.keys(sim.world.snapshot(profile, p, day) ?? {}).length, 0);
}
