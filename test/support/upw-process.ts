/**
 * Plumbing for the daemon, backfill and status suites: `upw` as a long-running
 * child process to signal or kill, bounded waits, and read-only looks into the
 * warehouse file while that process writes it.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { QUERY_METRICS } from '../../src/platforms.js';
import type { Platform, Simulator } from '../../src/simulator/index.js';
export { startUpw, writeConfig, type Child } from '../helpers.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The environment that points `upw` at a simulator. */
export function simEnv(sim: Simulator, extra: Record<string, string> = {}): Record<string, string> {
  return { UPLOAD_POST_API_KEY: 'demo-key', UPLOAD_POST_BASE_URL: sim.url, ...extra };
}

/** Poll `check` until it returns a truthy value; fail with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | null, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let value: T | undefined | false | null;
    try {
      value = check();
    } catch {
      value = undefined; // the file or table may not exist yet
    }
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Look into a warehouse file as another reader would (WAL: the writer may be running). */
export function inspect<T>(file: string, fn: (db: Database.Database) => T): T {
  if (!existsSync(file)) throw new Error(`no database at ${file}`);
  const db = new Database(file, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

export interface RunRow {
  id: number;
  kind: string;
  status: string;
  day: string | null;
  since: string | null;
  until: string | null;
  started_at: string;
  finished_at: string | null;
  message: string | null;
  profilesOk: number;
  profilesFailed: number;
}

export function runs(file: string): RunRow[] {
  return inspect(file, (db) => db.prepare('SELECT id, kind, status, day, since, until, started_at, finished_at, message, profiles_ok AS profilesOk, profiles_failed AS profilesFailed FROM runs ORDER BY id').all() as RunRow[]);
}

/** Stored snapshot values of one profile's platform on a day, as {metric: value}. */
export function storedSnapshot(db: Database.Database, profile: string, platform: string, day: string): Record<string, number> {
  const rows = db
    .prepare('SELECT metric, value FROM v_daily_metrics WHERE profile_username = ? AND platform = ? AND day = ? ORDER BY metric')
    .all(profile, platform, day) as { metric: string; value: number }[];
  return Object.fromEntries(rows.map((r) => [r.metric, r.value]));
}

/**
 * What a backfill can bring of the server's snapshot of a day as named
 * fields: every metric total-impressions accepts (its metrics mode). The
 * counting field's value comes too, but as the day's count (`counted`), never
 * under a name metrics mode could not confirm.
 */
export function importable(sim: Simulator, profile: string, platform: string, day: string): Record<string, number> {
  const snap = sim.world.snapshot(profile, platform as Platform, day) ?? {};
  const keep = new Set<string>(QUERY_METRICS);
  return Object.fromEntries(Object.entries(snap).filter(([m]) => keep.has(m)).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** What the server counts for a platform on a day in default mode: the snapshot's value of that day's field. */
export function counted(sim: Simulator, profile: string, platform: string, day: string): number | undefined {
  const field = sim.world.ruleOn(platform as Platform, day).primary_impressions_field;
  return sim.world.snapshot(profile, platform as Platform, day)?.[field];
}

/** The warehouse's count for a platform on a day (v_daily_impressions), undefined when it has none. */
export function storedCount(db: Database.Database, profile: string, platform: string, day: string): number | undefined {
  return db.prepare('SELECT impressions FROM v_daily_impressions WHERE profile_username = ? AND platform = ? AND day = ?').pluck().get(profile, platform, day) as number | undefined;
}

/**
 * Every current value with its key, the dated rules and (unless left out) the
 * revisions: what must not depend on how a run went. Observation times and run
 * ids are left out.
 */
export function canonicalDump(file: string, options: { revisions?: boolean } = {}): string[] {
  const revisions = options.revisions ?? true;
  return inspect(file, (db) => [
    ...(db
      .prepare(
        `SELECT p.username || '|' || s.platform || '|' || s.kind || '|' || s.name || '|' || v.day || '|' || v.value || '|' || v.source
         FROM daily_values v JOIN series s ON s.id = v.series_id JOIN profiles p ON p.id = s.profile_id
         ORDER BY p.username, s.platform, s.kind, s.name, v.day`,
      )
      .pluck()
      .all() as string[]),
    ...(!revisions
      ? []
      : (db
      .prepare(
        `SELECT 'revision|' || p.username || '|' || s.platform || '|' || s.kind || '|' || s.name || '|' || r.day || '|' || r.value
         FROM value_revisions r JOIN series s ON s.id = r.series_id JOIN profiles p ON p.id = s.profile_id ORDER BY 1`,
      )
      .pluck()
      .all() as string[])),
    ...(db.prepare("SELECT 'rule|' || platform || '|' || valid_from || '|' || ifnull(primary_field, '') || '|' || ifnull(metric_type, '') FROM platform_rules ORDER BY 1").pluck().all() as string[]),
  ]);
}

/** `PRAGMA integrity_check` of the file ('ok' when it does not exist yet: nothing to corrupt). */
export function integrity(file: string): string {
  if (!existsSync(file)) return 'ok';
  return inspect(file, (db) => (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; '));
}

/** `promise`, or a failure naming `what` if it takes longer than `ms`. */
export function within<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
