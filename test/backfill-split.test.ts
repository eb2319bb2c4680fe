/**
 * A server that refuses total-impressions ranges longer than a week (the real
 * limit is undocumented): backfill halves each refused range until it is
 * answered, and no day is lost or asked twice at a seam. A range the server
 * refuses even for one day fails that piece alone, with every refusal kept.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backfill } from '../src/backfill/backfill.usecases.js';
import { addDays, daysBetween, eachDay } from '../src/dates.js';
import { totalImpressions } from '../src/query/impressions.usecases.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { tempDir } from './helpers.js';
import { answeredRanges, backfiller, daysHeld, differences, errorsOf, expectBooks } from './support/backfill.js';
import { captureLogs } from './support/log-capture.js';

const NOW = new Date('2026-03-15T12:00:00Z');
const TODAY = '2026-03-15';
const SINCE = '2026-02-01';
const UNTIL = '2026-03-14'; // 42 days: refused, then 21, 11 and 10, answered as 6 and 5 days
const WEEK = 7;
const PROFILES = { alpha: ['instagram', 'youtube'], beta: ['x'] } as const;
const PIECES = Object.entries(PROFILES).flatMap(([profile, platforms]) => platforms.map((platform) => [profile, platform] as const));

let sim: Simulator;
const dir = tempDir('upw-split-');

beforeAll(async () => {
  sim = await startSimulator({
    seed: 13,
    now: () => NOW,
    maxRangeDays: WEEK,
    rateLimitPerMinute: Number.POSITIVE_INFINITY,
    profiles: Object.entries(PROFILES).map(([username, platforms]) => ({ username, platforms: [...platforms] })),
  });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.faults.clear();
  sim.stats.reset();
  sim.clearLog();
});

describe('a backfill against a server that answers at most a week per request', () => {
  let h: ReturnType<typeof backfiller>;
  let logged: ReturnType<Simulator['requests']>;
  // Per test, not once for the describe: mutation testing credits code run in beforeAll to no test (TESTING.md).
  beforeEach(async () => {
    h = backfiller(dir, sim, NOW);
    const summary = await h.backfill({ ranges: [{ since: SINCE, until: UNTIL }], timeseries: false });
    logged = sim.requests();
    expect(summary.run.status).toBe('ok');
    expect([summary.imported, summary.failed]).toEqual([3, 0]);
    expectBooks(h, sim, summary.run);
  });

  it('asks again in halves, and the ranges answered tile since…until exactly, per platform and mode', () => {
    const answered = answeredRanges(logged);
    // Every refusal was of a range longer than the limit.
    const refused = logged.filter((r) => r.status === 400);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(daysBetween(r.query.start_date!, r.query.end_date!) + 1).toBeGreaterThan(WEEK);
    for (const [, platform] of PIECES) {
      for (const mode of ['metrics', 'counted'] as const) {
        const spans = answered.filter(([p, m]) => p === platform && m === mode).map(([, , start, end]) => [start, end] as const);
        spans.sort(([a], [b]) => a.localeCompare(b));
        expect(spans.length, `${platform} ${mode}`).toBeGreaterThan(1);
        expect(spans[0]![0]).toBe(SINCE);
        expect(spans.at(-1)![1]).toBe(UNTIL);
        for (let i = 1; i < spans.length; i++) expect(spans[i]![0], `${platform} ${mode}: the day after ${spans[i - 1]![1]}`).toBe(addDays(spans[i - 1]![1], 1));
        for (const [start, end] of spans) expect(daysBetween(start, end) + 1).toBeLessThanOrEqual(WEEK);
      }
    }
  });

  it('stores every day of the range as the simulator holds it, the seam days included, and no day outside it', () => {
    for (const [profile, platform] of PIECES) {
      expect(differences(h, sim, profile, platform, SINCE, UNTIL)).toEqual([]);
      expect(daysHeld(h, profile, platform)).toEqual(eachDay(SINCE, UNTIL));
    }
  });

  it('then answers every week across the seams exactly as the live endpoint does, as text', async () => {
    for (const profile of Object.keys(PROFILES)) {
      for (let start = SINCE; addDays(start, WEEK - 1) <= UNTIL; start = addDays(start, 3)) {
        for (const mode of [{ breakdown: 'true' }, { metrics: 'likes,reach,impressions', breakdown: 'true' }] as Record<string, string>[]) {
          const query = { start_date: start, end_date: addDays(start, WEEK - 1), ...mode };
          const live = await fetch(`${sim.url}/uploadposts/total-impressions/${profile}?${new URLSearchParams(query)}`, { headers: { Authorization: 'Apikey demo-key' } });
          expect(live.status).toBe(200);
          expect(JSON.stringify(totalImpressions(h.wh, profile, { ...query, as_of: TODAY })), `${profile} ${JSON.stringify(query)}`).toBe(await live.text());
        }
      }
    }
  });
});

describe('a range the server refuses whatever its length', () => {
  it('is not split below one day: that piece fails as bad_request, its 400 kept, and the other pieces are stored', async () => {
    const h = backfiller(dir, sim, NOW);
    sim.faults.add({ kind: 'http400', route: 'total-impressions', profile: 'beta', platform: 'x', times: Number.POSITIVE_INFINITY });
    const summary = await h.backfill({ ranges: [{ since: '2026-03-10', until: '2026-03-10' }], timeseries: false });
    expect(summary.run.status).toBe('partial');
    // One day of alpha's two platforms is one piece (asked for both at once), beta's is the other.
    expect([summary.imported, summary.failed]).toEqual([1, 1]);
    expect(errorsOf(h, summary.run)).toEqual([['beta', 'x', 'bad_request', 400]]);
    // Asked once: a 400 is never retried, and one day cannot be halved.
    expect(sim.requests().filter((r) => r.profile === 'beta').map((r) => r.status)).toEqual([400]);
    expect(daysHeld(h, 'beta', 'x')).toEqual([]);
    for (const platform of PROFILES.alpha) expect(differences(h, sim, 'alpha', platform, '2026-03-10', '2026-03-10')).toEqual([]);
    expectBooks(h, sim, summary.run);
  });

  it('is halved down to single days and then fails, keeping every refusal it met in the raw answers', async () => {
    const h = backfiller(dir, sim, NOW);
    sim.faults.add({ kind: 'http400', route: 'total-impressions', profile: 'beta', platform: 'x', times: Number.POSITIVE_INFINITY });
    const summary = await h.backfill({ ranges: [{ since: '2026-03-01', until: '2026-03-08' }], overrides: { profiles: ['beta'] }, timeseries: false });
    expect(summary.run.status).toBe('failed');
    // 8 days, then its first half of 4, 2 and 1: the first single day refused ends the piece.
    expect(sim.requests().filter((r) => r.route === 'total-impressions').map((r) => `${r.query.start_date}…${r.query.end_date}`)).toEqual([
      '2026-03-01…2026-03-08', '2026-03-01…2026-03-04', '2026-03-01…2026-03-02', '2026-03-01…2026-03-01',
    ]);
    expect(errorsOf(h, summary.run)).toEqual([['beta', 'x', 'bad_request', 400]]);
    expect(h.count("SELECT count(*) FROM raw_responses WHERE run_id = ? AND endpoint = 'total-impressions' AND status = 400", summary.run.id)).toBe(4);
    expectBooks(h, sim, summary.run);
  });
});

describe('a refusal of a range short enough to be answered', () => {
  it('is answered by its two halves just the same, and the piece is whole', async () => {
    const h = backfiller(dir, sim, NOW);
    sim.faults.add({ kind: 'http400', route: 'total-impressions', profile: 'alpha', platform: 'youtube' });
    const log = captureLogs();
    const summary = await backfill({ ...h.deps, log: log.log }, { now: NOW, ranges: [{ since: '2026-03-01', until: '2026-03-06' }], overrides: { profiles: ['alpha'] }, timeseries: false });
    expect(summary.run.status).toBe('ok');
    // The refusal is said once, at warn level, with the range it was for.
    expect(log.lines.filter((l) => l.level === 40).map((l) => [l.msg, l.profile, l.platform, l.since, l.until, (l.err as { type?: string }).type])).toEqual([
      ['range refused; asking in two halves', 'alpha', 'youtube', '2026-03-01', '2026-03-06', 'ApiBadRequestError'],
    ]);
    const youtube = answeredRanges(sim.requests()).filter(([p]) => p === 'youtube');
    expect(youtube.map(([, mode, start, end]) => `${mode} ${start}…${end}`)).toEqual(['metrics 2026-03-01…2026-03-03', 'metrics 2026-03-04…2026-03-06', 'counted 2026-03-01…2026-03-06']);
    for (const platform of PROFILES.alpha) expect(differences(h, sim, 'alpha', platform, '2026-03-01', '2026-03-06')).toEqual([]);
    expectBooks(h, sim, summary.run);
  });
});

describe('a missed day of several platforms, asked for all of them at once', () => {
  const gaps = new Map([['alpha', PROFILES.alpha.map((platform) => ({ platform, since: '2026-03-12', until: '2026-03-12' }))]]);

  it('fails as one piece when the server refuses it, and a rerun without the fault imports exactly that piece', async () => {
    const h = backfiller(dir, sim, NOW);
    sim.faults.add({ kind: 'http400', route: 'total-impressions', profile: 'alpha' });
    const failed = await h.backfill({ gaps, timeseries: false });
    expect(errorsOf(h, failed.run)).toEqual([['alpha', 'instagram,youtube', 'bad_request', 400]]);
    expect([failed.imported, failed.failed, failed.run.status]).toEqual([0, 1, 'failed']);
    expect(daysHeld(h, 'alpha', 'instagram')).toEqual([]);
    expectBooks(h, sim, failed.run);

    sim.stats.reset();
    sim.clearLog();
    const rerun = await h.backfill({ gaps, timeseries: false });
    expect([rerun.imported, rerun.skipped, rerun.failed, rerun.run.status]).toEqual([1, 0, 0, 'ok']);
    // One day for both platforms: two calls (metrics mode, then what was counted), each a single date.
    expect(sim.requests().map((r) => [r.route, r.query.date, r.query.platform])).toEqual([
      ['users', undefined, undefined],
      ['total-impressions', '2026-03-12', undefined],
      ['total-impressions', '2026-03-12', undefined],
    ]);
    for (const platform of PROFILES.alpha) expect(differences(h, sim, 'alpha', platform, '2026-03-12', '2026-03-12')).toEqual([]);
  });

  it('fails as malformed when the answer lacks its per_platform breakdown, naming every platform it stood for', async () => {
    const h = backfiller(dir, sim, NOW);
    sim.faults.add({ kind: 'noBreakdown', route: 'total-impressions', profile: 'alpha' });
    const s = await h.backfill({ gaps, timeseries: false });
    expect([s.imported, s.failed, s.run.status]).toEqual([0, 1, 'failed']);
    expect(h.rows('SELECT platform, kind, message FROM run_errors WHERE run_id = ?', s.run.id)).toEqual([
      { platform: 'instagram,youtube', kind: 'malformed', message: 'total-impressions answered without a per_platform breakdown (GET uploadposts/total-impressions/alpha?platform=instagram,youtube → 200)' },
    ]);
  });
});
