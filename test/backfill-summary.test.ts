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
import { tempDir } from './helpers.js';
import { backfiller, type Backfiller } from './support/backfill.js';
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
    expect(log.lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual(['platform-metrics unavailable; using the cached or built-in rules']);
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
});
