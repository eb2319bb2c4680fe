/**
 * What a backfill says of itself, in process against the simulator: the pieces
 * it imported, skipped and failed, its progress, its run's span, notes and
 * request counts, and how a rerun, a signal, a refused key and a missing
 * platform-metrics answer show there. The numbers of pieces are counted by hand
 * from the profiles and ranges below (one piece per profile for the time
 * series, one per platform and range for the snapshots).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backfill, type BackfillInput } from '../src/backfill/backfill.usecases.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import type { Run } from '../src/store/schema.js';
import { tempDir } from './helpers.js';
import { backfiller, errorsOf, type Backfiller } from './support/backfill.js';
import { captureLogs } from './support/log-capture.js';

const NOW = new Date('2026-03-15T12:00:00Z');
const PROFILES = { alpha: ['instagram', 'youtube'], beta: ['x'] } as const;
// Out of order on purpose: the run's span is the earliest start to the latest end.
const RANGES = [
  { since: '2026-03-08', until: '2026-03-10' },
  { since: '2026-03-01', until: '2026-03-05' },
];

let sim: Simulator;
const dir = tempDir('upw-backfill-summary-');
beforeAll(async () => {
  sim = await startSimulator({ seed: 23, now: () => NOW, rateLimitPerMinute: Number.POSITIVE_INFINITY, profiles: Object.entries(PROFILES).map(([username, platforms]) => ({ username, platforms: [...platforms] })) });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.faults.clear();
  sim.setLatency(0);
  sim.stats.reset();
  sim.clearLog();
});

const run = (h: Backfiller, input: BackfillInput, log = captureLogs('debug')) => {
  const progress: Array<[number, number]> = [];
  const done = backfill({ ...h.deps, log: log.log }, { now: NOW, onProgress: (d, t) => void progress.push([d, t]), ...input });
  return { done, progress, log };
};

describe('the books of a backfill', () => {
  it('counts every piece imported, then skips them all on a rerun, and says so in its run', async () => {
    const h = backfiller(dir, sim, NOW);
    // 2 profiles' time series + (2 platforms of alpha + 1 of beta) × 2 ranges = 8 pieces.
    const first = run(h, { ranges: RANGES });
    const s1 = await first.done;
    expect([s1.imported, s1.skipped, s1.failed, s1.total, s1.keyRefused]).toEqual([8, 0, 0, 2, false]);
    expect(first.progress).toEqual([[0, 8], [1, 8], [2, 8], [3, 8], [4, 8], [5, 8], [6, 8], [7, 8], [8, 8]]);
    expect(s1.run).toMatchObject({ kind: 'backfill', status: 'ok', day: '2026-03-15', since: '2026-03-01', until: '2026-03-10', message: '8 imported, 0 already complete, 0 failed', profilesOk: 2, profilesFailed: 0, platformsFailed: 0, retries: 0, rateLimited: 0 });
    expect(s1.run.requests).toBe(sim.stats.requests);
    expect(first.log.lines.filter((l) => l.msg === 'history imported').map((l) => [l.profile, l.platform, l.since, l.until, l.run, l.kind])).toEqual([
      ['alpha', 'instagram', '2026-03-08', '2026-03-10', s1.run.id, 'backfill'],
      ['alpha', 'instagram', '2026-03-01', '2026-03-05', s1.run.id, 'backfill'],
      ['alpha', 'youtube', '2026-03-08', '2026-03-10', s1.run.id, 'backfill'],
      ['alpha', 'youtube', '2026-03-01', '2026-03-05', s1.run.id, 'backfill'],
      ['beta', 'x', '2026-03-08', '2026-03-10', s1.run.id, 'backfill'],
      ['beta', 'x', '2026-03-01', '2026-03-05', s1.run.id, 'backfill'],
    ]);
    expect(first.log.lines.filter((l) => l.msg === 'time series stored').map((l) => l.profile)).toEqual(['alpha', 'beta']);
    expect(first.log.messages()).not.toContain('skipping what an earlier backfill finished');

    // The same client: the second run counts only its own requests.
    sim.stats.reset();
    sim.clearLog();
    const second = run(h, { ranges: RANGES });
    const s2 = await second.done;
    expect([s2.imported, s2.skipped, s2.failed, s2.total]).toEqual([0, 8, 0, 2]);
    expect(second.progress).toEqual([[0, 0]]);
    expect(s2.run).toMatchObject({ status: 'ok', since: '2026-03-01', until: '2026-03-10', message: '0 imported, 8 already complete, 0 failed', profilesOk: 2, profilesFailed: 0 });
    expect(s2.run.requests).toBe(sim.stats.requests);
    expect(sim.requests().filter((r) => r.route === 'total-impressions' || r.route === 'analytics')).toEqual([]);
    expect(second.log.lines.find((l) => l.msg === 'skipping what an earlier backfill finished')).toMatchObject({ skipped: 8, level: 30 });
  });

  it('stopped by a signal before it starts, imports nothing and says it was stopped', async () => {
    const h = backfiller(dir, sim, NOW);
    const abort = new AbortController();
    abort.abort();
    const { done } = run(h, { ranges: RANGES, signal: abort.signal });
    const s = await done;
    expect([s.imported, s.skipped, s.failed]).toEqual([0, 0, 0]);
    expect(s.run).toMatchObject({ status: 'partial', message: '0 imported, 0 already complete, 0 failed; stopped early by a signal', profilesOk: 0 });
    expect(sim.requests().filter((r) => r.route === 'total-impressions' || r.route === 'analytics')).toEqual([]);
  });

  it('a refused key fails the piece that met it, starts no other, and counts that one failure', async () => {
    const h = backfiller(dir, sim, NOW);
    sim.faults.add({ kind: 'unauthorized', route: 'total-impressions' });
    const { done } = run(h, { ranges: RANGES, timeseries: false });
    const s = await done;
    expect([s.imported, s.skipped, s.failed, s.keyRefused]).toEqual([0, 0, 1, true]);
    expect(s.run).toMatchObject({ status: 'failed', message: '0 imported, 0 already complete, 1 failed; stopped: the API refused the key', profilesOk: 0, profilesFailed: 1, platformsFailed: 1 });
    expect(sim.requests().filter((r) => r.route === 'total-impressions')).toHaveLength(1);
  });

  it('without platform-metrics, imports with the cached or built-in rules and ends partial, the failure not counted as a piece', async () => {
    const h = backfiller(dir, sim, NOW);
    sim.faults.add({ kind: 'http500', route: 'platform-metrics', times: Number.POSITIVE_INFINITY });
    const { done, log } = run(h, { ranges: [RANGES[0]!], timeseries: false });
    const s = await done;
    // 3 platforms × 1 range.
    expect([s.imported, s.skipped, s.failed]).toEqual([3, 0, 0]);
    expect(s.run).toMatchObject({ status: 'partial', message: '3 imported, 0 already complete, 0 failed', profilesOk: 2, profilesFailed: 0, platformsFailed: 0, platformsOk: 3 });
    expect(log.lines.filter((l) => l.level === 40).map((l) => [l.msg, (l.err as { type?: string } | undefined)?.type])).toEqual([['platform-metrics unavailable; using the cached or built-in rules', 'ApiServerError']]);
  });

  it('notes in run_changes, per profile, the first and last day its pieces wrote', async () => {
    const h = backfiller(dir, sim, NOW);
    const s = await run(h, { ranges: RANGES, timeseries: false }).done;
    expect(s.imported).toBe(6);
    expect(h.rows('SELECT p.username AS profile, c.from_day AS fromDay, c.to_day AS toDay FROM run_changes c JOIN profiles p ON p.id = c.profile_id WHERE c.run_id = ? ORDER BY p.username', s.run.id)).toEqual([
      { profile: 'alpha', fromDay: '2026-03-01', toDay: '2026-03-10' },
      { profile: 'beta', fromDay: '2026-03-01', toDay: '2026-03-10' },
    ]);
  });

  it('without ranges takes the 365 days up to today; with gaps, exactly those days, the run spanning them', async () => {
    const h = backfiller(dir, sim, NOW);
    const whole = await run(h, { timeseries: false }).done;
    expect(whole.ranges).toEqual([{ since: '2025-03-15', until: '2026-03-15' }]);
    expect(whole.run).toMatchObject({ since: '2025-03-15', until: '2026-03-15', message: '3 imported, 0 already complete, 0 failed' });

    const g = backfiller(dir, sim, NOW);
    const gaps = new Map([
      ['beta', [{ platform: 'x', since: '2026-03-09', until: '2026-03-09' }]],
      ['alpha', [{ platform: 'instagram', since: '2026-03-03', until: '2026-03-04' }]],
    ]);
    const s = await run(g, { gaps, timeseries: false }).done;
    expect(s.run).toMatchObject({ since: '2026-03-03', until: '2026-03-09', message: '2 imported, 0 already complete, 0 failed', profilesOk: 2 });
    expect(sim.requests().filter((r) => r.route === 'total-impressions' && r.query.metrics === undefined).map((r) => [r.profile, r.query.platform, r.query.start_date, r.query.end_date]).slice(-2)).toEqual([
      ['alpha', 'instagram', '2026-03-03', '2026-03-04'],
      ['beta', 'x', '2026-03-09', '2026-03-09'],
    ]);
  });

  it('counts a configured profile the account does not list in its total, as not found and failed', async () => {
    const h = backfiller(dir, sim, NOW, { profiles: [{ username: 'alpha' }, { username: 'beta' }, { username: 'ghost' }] });
    const s = await run(h, { ranges: [RANGES[0]!], timeseries: false }).done;
    expect([s.total, s.notFound, s.imported, s.failed]).toEqual([3, ['ghost'], 3, 0]);
    expect(s.run).toMatchObject({ profilesOk: 2, profilesFailed: 1 });
  });

  it('counts only its own retries and 429s when its client retried before it', async () => {
    const h = backfiller(dir, sim, NOW);
    // A first run on the client meets a 503 and a 429 at platform-metrics: one retry each.
    sim.faults.add({ kind: 'http503', route: 'platform-metrics' });
    sim.faults.add({ kind: 'rateLimited', route: 'platform-metrics', resetInSeconds: 0 });
    const first = await run(h, { ranges: [RANGES[0]!], timeseries: false }).done;
    expect([first.run.retries, first.run.rateLimited]).toEqual([2, 1]);
    // The second, on the same client, meets nothing (platform-metrics is cached for the day).
    sim.stats.reset();
    const second = await run(h, { ranges: [RANGES[1]!], timeseries: false }).done;
    expect(second.run).toMatchObject({ status: 'ok', retries: 0, rateLimited: 0, requests: sim.stats.requests });
  });

  it('a key refused at platform-metrics stops the run before any piece: nothing counted failed, and no talk of rules to fall back on', async () => {
    const h = backfiller(dir, sim, NOW);
    sim.faults.add({ kind: 'unauthorized', route: 'platform-metrics' });
    const { done, log } = run(h, { ranges: RANGES });
    const s = await done;
    expect([s.imported, s.skipped, s.failed, s.total, s.keyRefused]).toEqual([0, 0, 0, 2, true]);
    expect(s.run).toMatchObject({ status: 'failed', message: '0 imported, 0 already complete, 0 failed; stopped: the API refused the key', profilesOk: 0, profilesFailed: 0, platformsOk: 0, platformsFailed: 0 });
    expect(errorsOf(h, s.run)).toEqual([[null, null, 'unauthorized', 401]]);
    expect(sim.requests().filter((r) => r.route === 'total-impressions' || r.route === 'analytics')).toEqual([]);
    expect(log.lines.filter((l) => l.level >= 40)).toEqual([]);
  });

  it('a key refused at /uploadposts/users fails the run with no target and nothing counted', async () => {
    const h = backfiller(dir, sim, NOW);
    sim.faults.add({ kind: 'unauthorized', route: 'users' });
    const s = await run(h, { ranges: RANGES }).done;
    expect([s.imported, s.skipped, s.failed, s.total, s.keyRefused, s.notFound]).toEqual([0, 0, 0, 0, true, []]);
    expect(s.run).toMatchObject({ status: 'failed', message: '0 imported, 0 already complete, 0 failed; stopped: the API refused the key', profilesOk: 0, profilesFailed: 0, platformsFailed: 0, requests: 1 });
    expect(errorsOf(h, s.run)).toEqual([[null, null, 'unauthorized', 401]]);
    expect(h.count('SELECT count(*) FROM raw_responses WHERE run_id = ? AND status = 401', s.run.id)).toBe(1);
  });

  it('a failure that is not the API\'s (the warehouse refusing a write) fails the run with its message and is thrown', async () => {
    const h = backfiller(dir, sim, NOW);
    h.wh.sqlite.exec("CREATE TRIGGER refuse_youtube BEFORE INSERT ON backfill_progress WHEN NEW.platform = 'youtube' BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
    await expect(run(h, { ranges: [RANGES[0]!], timeseries: false }).done).rejects.toThrow('disk says no');
    const runs = h.rows<Run>('SELECT status, message, requests FROM runs');
    expect(runs).toEqual([{ status: 'failed', message: 'disk says no', requests: sim.stats.requests }]);
    // Whole or absent: the refused piece left nothing; the ones before and after it are stored.
    expect(h.rows("SELECT DISTINCT platform FROM v_daily_impressions ORDER BY platform").map((r) => (r as { platform: string }).platform)).toEqual(['instagram', 'x']);
    expect(h.count('SELECT count(*) FROM run_errors')).toBe(0);
  });

  it('counts a profile whose analytics failed as a failed profile, not a failed platform, and warns of each failure by name', async () => {
    const h = backfiller(dir, sim, NOW);
    sim.faults.add({ kind: 'http500', route: 'analytics', profile: 'beta', times: Number.POSITIVE_INFINITY });
    sim.faults.add({ kind: 'http500', route: 'total-impressions', profile: 'alpha', platform: 'youtube', times: Number.POSITIVE_INFINITY });
    const { done, log } = run(h, { ranges: [RANGES[0]!] });
    const s = await done;
    // 2 time series + 3 platforms × 1 range = 5 pieces: beta's time series and alpha/youtube failed.
    expect([s.imported, s.skipped, s.failed]).toEqual([3, 0, 2]);
    expect(s.run).toMatchObject({ status: 'partial', message: '3 imported, 0 already complete, 2 failed', profilesOk: 0, profilesFailed: 2, platformsFailed: 1 });
    expect(log.lines.filter((l) => l.level === 40).map((l) => [l.msg, l.profile, l.platform, (l.err as { type?: string } | undefined)?.type])).toEqual([
      ['profile failed', 'beta', undefined, 'ApiServerError'],
      ['history import failed', 'alpha', 'youtube', 'ApiServerError'],
    ]);
  });

  it('a key refused at the analytics step fails that profile, not a platform', async () => {
    const h = backfiller(dir, sim, NOW);
    sim.faults.add({ kind: 'unauthorized', route: 'analytics' });
    const s = await run(h, { ranges: RANGES }).done;
    expect([s.imported, s.failed, s.keyRefused]).toEqual([0, 1, true]);
    expect(s.run).toMatchObject({ status: 'failed', profilesOk: 0, profilesFailed: 1, platformsFailed: 0 });
    expect(errorsOf(h, s.run)).toEqual([['alpha', null, 'unauthorized', 401]]);
  });

  it('a time series with a failed platform is a failed piece, not marked done: the rerun asks for it again', async () => {
    const h = backfiller(dir, sim, NOW);
    sim.faults.add({ kind: 'platformError', profile: 'alpha', platform: 'youtube' });
    const s = await run(h, { ranges: [RANGES[0]!] }).done;
    // 2 time series + 3 ranges; alpha's time series failed on youtube.
    expect([s.imported, s.skipped, s.failed]).toEqual([4, 0, 1]);
    expect(s.run).toMatchObject({ status: 'partial', message: '4 imported, 0 already complete, 1 failed', profilesOk: 1, profilesFailed: 1 });
    sim.clearLog();
    const rerun = await run(h, { ranges: [RANGES[0]!] }).done;
    expect([rerun.imported, rerun.skipped, rerun.failed]).toEqual([1, 4, 0]);
    expect(sim.requests().filter((r) => r.route === 'analytics' || r.route === 'total-impressions').map((r) => [r.route, r.profile])).toEqual([['analytics', 'alpha']]);
    expect(rerun.run).toMatchObject({ status: 'ok', profilesOk: 2, profilesFailed: 0 });
  });

  it('records a profile that vanished once, though two of its pieces in flight met the 404', async () => {
    const h = backfiller(dir, sim, NOW, { concurrency: 2 });
    sim.setLatency(50);
    sim.faults.add({ kind: 'notFound', route: 'total-impressions', profile: 'alpha', times: Number.POSITIVE_INFINITY });
    const s = await run(h, { ranges: [RANGES[0]!], timeseries: false }).done;
    // alpha's two pieces ran side by side and both met the 404.
    expect(sim.requests().filter((r) => r.status === 404).map((r) => r.query.platform).sort()).toEqual(['instagram', 'youtube']);
    expect([s.notFound, s.imported, s.failed]).toEqual([['alpha'], 1, 1]);
    expect(h.count("SELECT count(*) FROM run_errors WHERE run_id = ? AND profile = 'alpha' AND kind = 'not_found'", s.run.id)).toBe(1);
    expect(s.run).toMatchObject({ profilesOk: 1, profilesFailed: 1, platformsFailed: 1 });
  });

  it('says Facebook lacks a page id only when it asks the analytics endpoint, and hands the page id over when it has one', async () => {
    const own = await startSimulator({ seed: 23, now: () => NOW, rateLimitPerMinute: Number.POSITIVE_INFINITY, profiles: [{ username: 'gamma', platforms: ['facebook'] }] });
    try {
      const noPageId = ['gamma', 'facebook', 'no_page_id', null];
      const bare = backfiller(dir, own, NOW, { profiles: [{ username: 'gamma' }] });
      const snapshotsOnly = await run(bare, { ranges: [RANGES[0]!], timeseries: false }).done;
      expect(errorsOf(bare, snapshotsOnly.run)).toEqual([]);
      const asked = backfiller(dir, own, NOW, { profiles: [{ username: 'gamma' }] });
      const withSeries = await run(asked, { ranges: [RANGES[0]!] }).done;
      expect(errorsOf(asked, withSeries.run)).toContainEqual(noPageId);

      own.clearLog();
      const paged = backfiller(dir, own, NOW, { profiles: [{ username: 'gamma', facebookPageId: '4321' }] });
      const s = await run(paged, { ranges: [RANGES[0]!] }).done;
      expect(errorsOf(paged, s.run)).not.toContainEqual(noPageId);
      expect(own.requests().filter((r) => r.route === 'analytics').map((r) => r.query.page_id)).toEqual(['4321']);
    } finally {
      await own.close();
    }
  });

  it('a missed day of two platforms is one piece, done only once both are, and logged by its day', async () => {
    const h = backfiller(dir, sim, NOW);
    const day = '2026-03-09';
    const one = await run(h, { gaps: new Map([['alpha', [{ platform: 'instagram', since: day, until: day }]]]), timeseries: false }).done;
    expect([one.imported, one.skipped]).toEqual([1, 0]);
    // Instagram's day is done, YouTube's is not: the piece of both is asked for.
    const both = new Map([['alpha', [{ platform: 'instagram', since: day, until: day }, { platform: 'youtube', since: day, until: day }]]]);
    const first = run(h, { gaps: both, timeseries: false });
    const s = await first.done;
    expect([s.imported, s.skipped, s.failed]).toEqual([1, 0, 0]);
    expect(first.log.lines.filter((l) => l.msg === 'history imported').map((l) => [l.profile, l.platform, l.day, l.since, l.until])).toEqual([['alpha', 'instagram,youtube', day, undefined, undefined]]);
    // Now both are: skipped.
    const again = await run(h, { gaps: both, timeseries: false }).done;
    expect([again.imported, again.skipped, again.failed]).toEqual([0, 1, 0]);
  });
});
