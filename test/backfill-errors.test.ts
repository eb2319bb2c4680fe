/**
 * Every way a backfill's piece can go wrong, one at a time, in process against
 * the simulator: 5xx, timeouts and 429s it must ride out; a 5xx that outlasts
 * the retries and a key refused between the two calls of one piece, which
 * must leave that piece absent and its answers kept; a body without its
 * breakdown; profiles the account does not list, or that answer 404. A rerun
 * finishes what failed, and only that.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { readRaw } from '../src/store/raw.repository.js';
import { tempDir } from './helpers.js';
import { backfiller, daysHeld, differences, errorsOf, expectBooks, onArrival } from './support/backfill.js';

const NOW = new Date('2026-03-15T12:00:00Z');
const RANGE = { since: '2026-03-01', until: '2026-03-14' };
const PROFILES = { alpha: ['instagram', 'youtube'], beta: ['x'] } as const;
const PIECES = Object.entries(PROFILES).flatMap(([profile, platforms]) => platforms.map((platform) => [profile, platform] as const));

let sim: Simulator;
const dir = tempDir('upw-backfill-errors-');
const start = () =>
  startSimulator({ seed: 21, now: () => NOW, rateLimitPerMinute: Number.POSITIVE_INFINITY, profiles: Object.entries(PROFILES).map(([username, platforms]) => ({ username, platforms: [...platforms] })) });
// The first call of a piece: metrics mode (every field); the second asks what was counted.
const metricsCall = (profile: string, platform: string) => (r: { route?: string; profile?: string; query: Record<string, string> }) =>
  r.route === 'total-impressions' && r.profile === profile && r.query.platform === platform && r.query.metrics !== undefined;

beforeAll(async () => {
  sim = await start();
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.faults.clear();
  sim.setLatency(0);
  sim.stats.reset();
  sim.clearLog();
});

describe('faults a backfill rides out', () => {
  it('retries a 503, two 429s and a timeout met between the two calls of a piece, and every piece ends whole', async () => {
    const h = backfiller(dir, sim, NOW, {}, { timeoutMs: 300 });
    sim.setLatency(100);
    // Each fault is armed once the piece's first call (metrics mode) has arrived: its second call meets it.
    const armed = Promise.all([
      onArrival(sim, metricsCall('alpha', 'instagram'), () => sim.faults.add({ kind: 'http503', route: 'total-impressions', profile: 'alpha', platform: 'instagram' })),
      onArrival(sim, metricsCall('alpha', 'youtube'), () => sim.faults.add({ kind: 'rateLimited', route: 'total-impressions', profile: 'alpha', platform: 'youtube', times: 2 })),
      onArrival(sim, metricsCall('beta', 'x'), () => sim.faults.add({ kind: 'timeout', route: 'total-impressions', profile: 'beta', platform: 'x' })),
    ]);
    const summary = await h.backfill({ ranges: [RANGE], timeseries: false });
    await armed;
    expect(summary.run.status).toBe('ok');
    expect(errorsOf(h, summary.run)).toEqual([]);
    expect([summary.run.retries, summary.run.rateLimited]).toEqual([4, 2]);
    // The faults met the second calls: what was counted, not the metrics.
    expect(sim.requests().filter((r) => r.fault !== undefined).map((r) => [r.profile, r.query.platform, r.fault, r.query.metrics === undefined])).toEqual([
      ['alpha', 'instagram', 'http503', true],
      ['alpha', 'youtube', 'rateLimited', true],
      ['alpha', 'youtube', 'rateLimited', true],
      ['beta', 'x', 'timeout', true],
    ]);
    for (const [profile, platform] of PIECES) expect(differences(h, sim, profile, platform, RANGE.since, RANGE.until)).toEqual([]);
    expectBooks(h, sim, summary.run);
  });
});

describe('a piece that fails between its two calls', () => {
  it('when a 5xx outlasts the retries, is absent, recorded as server_error with both answers kept, and the others are stored', async () => {
    const h = backfiller(dir, sim, NOW);
    sim.setLatency(100);
    const arrived = onArrival(sim, metricsCall('alpha', 'instagram'), () =>
      sim.faults.add({ kind: 'http500', route: 'total-impressions', profile: 'alpha', platform: 'instagram', times: Number.POSITIVE_INFINITY }),
    );
    const summary = await h.backfill({ ranges: [RANGE], timeseries: false });
    await arrived;
    expect([summary.run.status, summary.imported, summary.failed]).toEqual(['partial', 2, 1]);
    expect(errorsOf(h, summary.run)).toEqual([['alpha', 'instagram', 'server_error', 500]]);
    // Whole or absent: the metrics half that was answered is not stored without its counts.
    expect(daysHeld(h, 'alpha', 'instagram')).toEqual([]);
    expect(differences(h, sim, 'alpha', 'youtube', RANGE.since, RANGE.until)).toEqual([]);
    expect(h.count("SELECT count(*) FROM raw_responses WHERE run_id = ? AND profile = 'alpha' AND status = 200 AND params LIKE '%instagram%'", summary.run.id)).toBe(1);
    expect(summary.run).toMatchObject({ profilesOk: 1, profilesFailed: 1, platformsOk: 2, platformsFailed: 1 });
    expectBooks(h, sim, summary.run);

    // Resumed: the rerun asks for the failed piece alone and ends as an uninterrupted backfill.
    sim.faults.clear();
    sim.setLatency(0);
    sim.stats.reset();
    sim.clearLog();
    const rerun = await h.backfill({ ranges: [RANGE], timeseries: false });
    expect([rerun.run.status, rerun.imported, rerun.skipped, rerun.failed]).toEqual(['ok', 1, 2, 0]);
    expect(sim.requests().filter((r) => r.route === 'total-impressions').map((r) => [r.profile, r.query.platform])).toEqual([
      ['alpha', 'instagram'],
      ['alpha', 'instagram'],
    ]);
    for (const [profile, platform] of PIECES) expect(differences(h, sim, profile, platform, RANGE.since, RANGE.until)).toEqual([]);
    expect(rerun.run).toMatchObject({ profilesOk: 2, profilesFailed: 0 });
  });

  it('when the key is refused, stops the backfill: that piece absent, nothing new started, what came before kept', async () => {
    const h = backfiller(dir, sim, NOW);
    sim.setLatency(100);
    const arrived = onArrival(sim, metricsCall('alpha', 'youtube'), () => sim.faults.add({ kind: 'unauthorized', times: Number.POSITIVE_INFINITY }));
    const summary = await h.backfill({ ranges: [RANGE], timeseries: false });
    await arrived;
    expect(summary.keyRefused).toBe(true);
    expect(summary.run.status).toBe('failed');
    expect(summary.run.message).toMatch(/refused the key/);
    expect(errorsOf(h, summary.run)).toEqual([['alpha', 'youtube', 'unauthorized', 401]]);
    // Never retried, and beta's piece never started.
    expect(sim.requests().filter((r) => r.status === 401)).toHaveLength(1);
    expect(sim.requests().filter((r) => r.profile === 'beta')).toEqual([]);
    expect(differences(h, sim, 'alpha', 'instagram', RANGE.since, RANGE.until)).toEqual([]);
    expect(daysHeld(h, 'alpha', 'youtube')).toEqual([]);
    expectBooks(h, sim, summary.run);
  });
});

describe('an answer without its breakdown', () => {
  it('fails that piece as malformed and keeps the body it came in', async () => {
    const h = backfiller(dir, sim, NOW);
    sim.faults.add({ kind: 'noBreakdown', route: 'total-impressions', profile: 'beta', platform: 'x' });
    const summary = await h.backfill({ ranges: [RANGE], timeseries: false });
    expect([summary.run.status, summary.imported, summary.failed]).toEqual(['partial', 2, 1]);
    expect(errorsOf(h, summary.run)).toEqual([['beta', 'x', 'malformed', 200]]);
    expect(h.rows('SELECT message FROM run_errors WHERE run_id = ?', summary.run.id)).toEqual([
      { message: 'total-impressions answered without a per_day breakdown (GET uploadposts/total-impressions/beta?platform=x → 200)' },
    ]);
    const body = JSON.parse([...readRaw(h.wh, { runId: summary.run.id, profile: 'beta' })][0]!.body.toString('utf8')) as Record<string, unknown>;
    expect(body).toMatchObject({ success: true, profile_username: 'beta', start_date: RANGE.since, end_date: RANGE.until });
    expect(Object.keys(body)).not.toContain('per_day');
    expect(daysHeld(h, 'beta', 'x')).toEqual([]);
    expectBooks(h, sim, summary.run);
  });
});

describe('profiles the server does not know', () => {
  it('records a profile /uploadposts/users does not list as not found once, asks nothing of it, and imports the others', async () => {
    const h = backfiller(dir, sim, NOW, { profiles: [{ username: 'alpha' }, { username: 'ghost', platforms: ['instagram', 'x'] }] });
    const summary = await h.backfill({ ranges: [RANGE] });
    expect(summary.notFound).toEqual(['ghost']);
    expect(summary.run.status).toBe('partial');
    // Found missing from the account's list, not from an answer of its own: no HTTP status.
    expect(errorsOf(h, summary.run)).toEqual([['ghost', null, 'not_found', null]]);
    expect(sim.requests().filter((r) => r.profile === 'ghost')).toEqual([]);
    expect(summary.run).toMatchObject({ profilesOk: 1, profilesFailed: 1 });
    for (const platform of PROFILES.alpha) expect(differences(h, sim, 'alpha', platform, RANGE.since, RANGE.until)).toEqual([]);
    expectBooks(h, sim, summary.run);
  });

  it('records a 404 at the analytics step once, asks nothing more of that profile, and imports the others', async () => {
    const h = backfiller(dir, sim, NOW, { profiles: [{ username: 'alpha' }, { username: 'beta' }] });
    // Listed by /users, then answered 404 once: its history, which would be answered, is not asked.
    sim.faults.add({ kind: 'notFound', route: 'analytics', profile: 'beta' });
    const summary = await h.backfill({ ranges: [RANGE] });
    expect(summary.notFound).toEqual(['beta']);
    expect(summary.run.status).toBe('partial');
    expect(errorsOf(h, summary.run)).toEqual([['beta', null, 'not_found', 404]]);
    expect(sim.requests().filter((r) => r.profile === 'beta').map((r) => r.route)).toEqual(['analytics']);
    expect(daysHeld(h, 'beta', 'x')).toEqual([]);
    expect(summary.run).toMatchObject({ profilesOk: 1, profilesFailed: 1 });
    for (const platform of PROFILES.alpha) expect(differences(h, sim, 'alpha', platform, RANGE.since, RANGE.until)).toEqual([]);
    expectBooks(h, sim, summary.run);
  });

  it('records a profile deleted during the backfill once, whichever of its pieces met the 404', async () => {
    const own = await start();
    try {
      const h = backfiller(dir, own, NOW, {}, {});
      // Pieces go one at a time: alpha/instagram, alpha/youtube, beta/x. Alpha vanishes after its first.
      own.stats.reset();
      const summary = await h.backfill({ ranges: [RANGE], timeseries: false, onProgress: (done) => void (done === 1 && own.world.deleteProfile('alpha')) });
      expect(summary.notFound).toEqual(['alpha']);
      expect(errorsOf(h, summary.run)).toEqual([['alpha', 'youtube', 'not_found', 404]]);
      expect([summary.run.status, summary.imported, summary.failed]).toEqual(['partial', 2, 1]);
      expect(differences(h, own, 'beta', 'x', RANGE.since, RANGE.until)).toEqual([]);
      expectBooks(h, own, summary.run);
    } finally {
      await own.close();
    }
  });
});
