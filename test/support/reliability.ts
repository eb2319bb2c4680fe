/**
 * Plumbing shared by the reliability suites: a seeded random source, `upw` as
 * a killable child process, and the checks every crash or concurrent read must
 * pass (integrity, whole-or-absent days, a canonical dump to compare runs by).
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { ApiClientOptions } from '../../src/api/client.js';
import type { UserConfig } from '../../src/config/config.js';
import type { Platform, Simulator } from '../../src/simulator/index.js';
export { startUpw, writeConfig, type Child } from '../helpers.js';
export { inspect, integrity, sleep } from './upw-process.js';
import { canonicalDump as dump, inspect } from './upw-process.js';
import { harness, type Harness } from './collector.js';

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


export type Collector = Harness;

/** An in-process collector on a real file, post tracking off unless the test turns it on. */
export function collector(dir: string, baseUrl: string, options: { config?: Partial<UserConfig>; client?: Partial<ApiClientOptions> } = {}): Collector {
  return harness(dir, baseUrl, { posts: { track: false }, ...options.config }, { client: { retryBaseMs: 10, ...options.client } });
}

export const hasTable = (db: Database.Database, name: string): boolean =>
  db.prepare("SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?").pluck().get(name) === 1;

/** The warehouse content that must not depend on how a run went; revisions are not compared after a crash. */
export function canonicalDump(file: string): string[] {
  return dump(file, { revisions: false });
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
