/**
 * An in-process backfill against the simulator (real client, real SQLite
 * file), and the checks its error tests share: every day of a piece equal to
 * the simulator's own snapshot and count, the books of requests against the
 * simulator's, and a way to change the world between two requests of a piece.
 */
import { expect } from 'vitest';
import type { ApiClientOptions } from '../../src/api/client.js';
import { backfill, type BackfillInput } from '../../src/backfill/backfill.usecases.js';
import type { UserConfig } from '../../src/config/config.js';
import { eachDay } from '../../src/dates.js';
import type { SimRequest, Simulator } from '../../src/simulator/index.js';
import type { Run } from '../../src/store/schema.js';
import { harness, type Harness } from './collector.js';
import { counted, importable, storedCount, storedSnapshot } from './upw-process.js';

export interface Backfiller extends Harness {
  backfill(input?: BackfillInput): ReturnType<typeof backfill>;
}

/** A fresh warehouse in `dir` whose backfills run on the simulator's day (`now`). */
export function backfiller(dir: string, sim: Simulator, now: Date, config: Partial<UserConfig> = {}, client: Partial<ApiClientOptions> = {}): Backfiller {
  const h = harness(dir, sim.url, { posts: { track: false }, concurrency: 1, ...config }, { client: { retries: 2, retryBaseMs: 5, ...client } });
  return { ...h, backfill: (input = {}) => backfill(h.deps, { now, ...input }) };
}

/**
 * Days from `since` to `until` on which the warehouse differs from the
 * simulator's world: every field metrics mode can bring, and what the server
 * counted (its rule of the day applied to its snapshot). Nothing stored is
 * "absent", which differs from any day the server holds.
 */
export function differences(h: Harness, sim: Simulator, profile: string, platform: string, since: string, until: string): string[] {
  return eachDay(since, until).flatMap((day) => {
    const stored = JSON.stringify([storedSnapshot(h.wh.sqlite, profile, platform, day), storedCount(h.wh.sqlite, profile, platform, day) ?? null]);
    const want = JSON.stringify([importable(sim, profile, platform, day), counted(sim, profile, platform, day) ?? null]);
    return stored === want ? [] : [`${profile}/${platform} ${day}: stored ${stored}, the simulator has ${want}`];
  });
}

/** Days of a platform the warehouse holds anything for (values or a count). */
export function daysHeld(h: Harness, profile: string, platform: string): string[] {
  return h.rows<{ day: string }>(
    `SELECT day FROM v_daily_metrics WHERE profile_username = ? AND platform = ?
     UNION SELECT day FROM v_daily_impressions WHERE profile_username = ? AND platform = ? ORDER BY day`,
    profile,
    platform,
    profile,
    platform,
  ).map((r) => r.day);
}

/**
 * The run's books against what the simulator saw since its stats were reset:
 * every request counted, and each one either retried, answered and kept raw,
 * or lost to the network (`lost`).
 */
export function expectBooks(h: Harness, sim: Simulator, run: Run, lost = 0): void {
  const raws = h.count('SELECT count(*) FROM raw_responses WHERE run_id = ?', run.id);
  expect(run.requests, 'requests counted vs requests the simulator saw').toBe(sim.stats.requests);
  expect(run.requests, 'requests = retries + raw answers kept + calls lost').toBe(run.retries + raws + lost);
  expect(run.rateLimited, "429s counted vs the simulator's").toBe(sim.stats.rateLimited);
}

/** The run's recorded failures and notes, as [profile, platform, kind, status]. */
export function errorsOf(h: Harness, run: Run): Array<[string | null, string | null, string, number | null]> {
  return h
    .rows<{ profile: string | null; platform: string | null; kind: string; status: number | null }>('SELECT profile, platform, kind, status FROM run_errors WHERE run_id = ? ORDER BY id', run.id)
    .map((e) => [e.profile, e.platform, e.kind, e.status]);
}

/**
 * Run `then` as soon as a request matching `match` has arrived, before the
 * simulator answers it (give the simulator a latency): the next request of the
 * same piece meets whatever `then` changed. Everything runs in this process,
 * so the poll is only ever a few event-loop turns behind the arrival.
 */
export async function onArrival(sim: Simulator, match: (r: SimRequest) => boolean, then: () => void): Promise<void> {
  for (let i = 0; i < 20_000; i++) {
    if (sim.log.some(match)) return then();
    await new Promise<void>((r) => setTimeout(r, 1));
  }
  throw new Error('the awaited request never arrived');
}

/** The total-impressions requests the simulator answered 200, as [platform, mode, start, end]. */
export function answeredRanges(log: readonly SimRequest[]): Array<[string, 'metrics' | 'counted', string, string]> {
  return log
    .filter((r) => r.route === 'total-impressions' && r.status === 200 && r.query.start_date !== undefined)
    .map((r) => [r.query.platform ?? '', r.query.metrics === undefined ? 'counted' : 'metrics', r.query.start_date!, r.query.end_date!]);
}
