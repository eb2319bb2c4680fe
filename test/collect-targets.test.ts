/**
 * Which profiles and platforms a collect polls, and what it tidies up around
 * them, read from the simulator's request log and the warehouse: /users asked
 * once per run, and needed only when it must name profiles or platforms (a run
 * that knows them goes on without it), the command line over the config, page
 * ids passed on, abandoned runs closed, the platform-metrics cache read again
 * on a new server day, old raw answers pruned, notes that are no failure, and
 * the days each run wrote.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backfill } from '../src/backfill/backfill.usecases.js';
import { collect } from '../src/collect/collect.usecases.js';
import { resolveConfig } from '../src/config/config.js';
import { BadInputError } from '../src/errors.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { readRaw, recordRaw } from '../src/store/raw.repository.js';
import { harness } from './support/collector.js';
import { tempDir } from './helpers.js';

const DAY = '2026-03-15';
const NOW = new Date(`${DAY}T12:00:00Z`);
const dir = tempDir('upw-targets-');
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({
    seed: 29,
    now: () => NOW,
    rateLimitPerMinute: Number.POSITIVE_INFINITY,
    profiles: [
      { username: 'alpha', platforms: ['instagram', 'facebook', 'linkedin'], createdAt: '2025-06-01T08:00:00Z' },
      { username: 'beta', platforms: ['x', 'youtube'] },
    ],
  });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.faults.clear();
  sim.stats.reset();
  sim.clearLog();
});

const off = { posts: { track: false } };
/** Each analytics request as "profile: platforms (sorted) page_id page_urn". */
const asked = () =>
  sim.requests().filter((r) => r.route === 'analytics').map((r) => [r.profile, r.query.platforms!.split(',').sort().join(','), r.query.page_id, r.query.page_urn]);
const routes = () => sim.requests().map((r) => r.route);
/** How many times /uploadposts/users was asked. */
const usersAsked = () => routes().filter((r) => r === 'users').length;
/** /users failing for good: the first call and the harness's three retries, all 500. */
const USERS_DOWN_CALLS = 1 + 3;

describe('the profiles and platforms of a collect', () => {
  it('are discovered from /uploadposts/users with "all": every profile, its connected platforms, its creation time', async () => {
    const h = harness(dir, sim.url, off);
    expect((await h.collect({ now: NOW })).run.status).toBe('ok');
    expect(asked()).toEqual([
      ['alpha', 'facebook,instagram,linkedin', undefined, undefined],
      ['beta', 'x,youtube', undefined, undefined],
    ]);
    // As /users gave it: the warehouse keeps the server's creation time of each profile.
    const users = (await (await fetch(`${sim.url}/uploadposts/users`, { headers: { Authorization: 'Apikey demo-key' } })).json()) as { profiles: { username: string; created_at: string }[] };
    // It sends ISO text or RFC 1123 (both seen live); the warehouse keeps the instant as ISO.
    const created = Object.fromEntries(users.profiles.map((p) => [p.username, new Date(p.created_at).toISOString()]));
    expect(created.alpha?.startsWith('2025-06-01')).toBe(true);
    expect(h.rows('SELECT username, created_at FROM profiles ORDER BY username')).toEqual([
      { username: 'alpha', created_at: created.alpha },
      { username: 'beta', created_at: created.beta },
    ]);
  });

  it('need no discovery when every profile names its platforms, and carry its page id and urn', async () => {
    const h = harness(dir, sim.url, { ...off, profiles: [{ username: 'alpha', platforms: ['facebook', 'linkedin'], facebookPageId: '123', linkedinPageUrn: 'urn:li:organization:9' }] });
    expect((await h.collect({ now: NOW })).run.status).toBe('ok');
    // /users is asked once, to check the account has the profile; the platforms are the config's, not its connected three.
    expect(routes()).toEqual(['users', 'platform-metrics', 'analytics']);
    expect(asked()).toEqual([['alpha', 'facebook,linkedin', '123', 'urn:li:organization:9']]);
    // Not needed: with /users down the same profile is polled the same way, unchecked.
    sim.clearLog();
    sim.faults.add({ kind: 'http500', route: 'users', times: Number.POSITIVE_INFINITY });
    expect((await h.collect({ now: NOW })).run.status).toBe('ok');
    expect([usersAsked(), asked()]).toEqual([USERS_DOWN_CALLS, [['alpha', 'facebook,linkedin', '123', 'urn:li:organization:9']]]);
  });

  it('come from the command line before the config: a profile named only there polls its connected platforms', async () => {
    const h = harness(dir, sim.url, { ...off, profiles: [{ username: 'alpha', platforms: ['instagram'] }, { username: 'beta' }] });
    /** One collect with these overrides: its status, how often /users was asked, what analytics was asked. */
    const poll = async (overrides: { profiles: string[]; platforms?: string[] }) => {
      sim.clearLog();
      const { run } = await h.collect({ now: NOW, overrides });
      return [run.status, usersAsked(), asked()];
    };
    // /users is asked once by every run: it checks the profiles, and lists beta's connected platforms.
    expect(await poll({ profiles: ['alpha'] })).toEqual(['ok', 1, [['alpha', 'instagram', undefined, undefined]]]);
    // --platforms over the config's: linkedin, connected to alpha but not configured.
    expect(await poll({ profiles: ['alpha'], platforms: ['linkedin'] })).toEqual(['ok', 1, [['alpha', 'linkedin', undefined, undefined]]]);
    expect(await poll({ profiles: ['beta'] })).toEqual(['ok', 1, [['beta', 'x,youtube', undefined, undefined]]]);
    // With /users down, only the run that needs it to find platforms fails (and asks no analytics).
    sim.faults.add({ kind: 'http500', route: 'users', times: Number.POSITIVE_INFINITY });
    expect(await poll({ profiles: ['alpha'] })).toEqual(['ok', USERS_DOWN_CALLS, [['alpha', 'instagram', undefined, undefined]]]);
    expect(await poll({ profiles: ['alpha'], platforms: ['linkedin'] })).toEqual(['ok', USERS_DOWN_CALLS, [['alpha', 'linkedin', undefined, undefined]]]);
    expect(await poll({ profiles: ['beta'] })).toEqual(['failed', USERS_DOWN_CALLS, []]);
  });

  it('must name somebody: without a profile anywhere the collect is bad input, and no run is recorded', async () => {
    const h = harness(dir, sim.url, off);
    const deps = { ...h.deps, config: resolveConfig(undefined, undefined, dir) };
    await expect(collect(deps, { now: NOW })).rejects.toThrow(BadInputError);
    expect([h.count('SELECT count(*) FROM runs'), sim.stats.requests]).toEqual([0, 0]);
  });

  it('must name somebody even with --platforms, and say how: the words of the bad input, no run recorded', async () => {
    const h = harness(dir, sim.url, off);
    const deps = { ...h.deps, config: resolveConfig(undefined, undefined, dir) };
    const why = 'No profiles to collect: pass --profile NAME or write a collector.config.ts with `profiles`';
    await expect(collect(deps, { now: NOW, overrides: { platforms: ['x'] } })).rejects.toThrow(new BadInputError(why));
    expect([h.count('SELECT count(*) FROM runs'), sim.stats.requests]).toEqual([0, 0]);
  });

  it('must name somebody for a backfill too: bad input in its own words, before any request, no run recorded', async () => {
    const h = harness(dir, sim.url, off);
    const deps = { ...h.deps, config: resolveConfig(undefined, undefined, dir) };
    const why = 'No profiles to backfill: pass --profile NAME or write a collector.config.ts with `profiles`';
    await expect(backfill(deps, { now: NOW, ranges: [{ since: '2026-03-10', until: '2026-03-14' }] })).rejects.toThrow(new BadInputError(why));
    await expect(backfill(deps, { now: NOW, overrides: { profiles: [], platforms: ['x'] } })).rejects.toThrow(new BadInputError(why));
    await expect(backfill(deps, { now: NOW, overrides: { platforms: ['x'] } })).rejects.toThrow(new BadInputError(why));
    expect([h.count('SELECT count(*) FROM runs'), sim.stats.requests]).toEqual([0, 0]);
  });

  it('a backfill given --profile needs no profiles in the config', async () => {
    const h = harness(dir, sim.url, off);
    const deps = { ...h.deps, config: resolveConfig(undefined, undefined, dir) };
    const s = await backfill(deps, { now: NOW, ranges: [{ since: '2026-03-13', until: '2026-03-14' }], overrides: { profiles: ['beta'] }, timeseries: false });
    expect(s.run.status).toBe('ok');
    expect(h.rows('SELECT DISTINCT profile FROM raw_responses WHERE profile IS NOT NULL')).toEqual([{ profile: 'beta' }]);
  });

  it('take an empty --profile list as none given: the configured profiles are polled', async () => {
    const h = harness(dir, sim.url, off);
    expect((await h.collect({ now: NOW, overrides: { profiles: [] } })).run.status).toBe('ok');
    expect(asked()).toEqual([
      ['alpha', 'facebook,instagram,linkedin', undefined, undefined],
      ['beta', 'x,youtube', undefined, undefined],
    ]);
  });

  it('need /uploadposts/users when any one configured profile polls its connected platforms: with it down the run fails and asks no analytics', async () => {
    const h = harness(dir, sim.url, { ...off, profiles: [{ username: 'alpha', platforms: ['instagram'] }, { username: 'beta' }] });
    sim.faults.add({ kind: 'http500', route: 'users', times: Number.POSITIVE_INFINITY });
    const { run } = await h.collect({ now: NOW });
    expect(run.status).toBe('failed');
    expect([usersAsked(), asked()]).toEqual([USERS_DOWN_CALLS, []]);
  });

  it('go on unchecked past a /users that never answers, keeping the last 500 it did answer and nothing for a dropped connection', async () => {
    const h = harness(dir, sim.url, { ...off, profiles: [{ username: 'alpha', platforms: ['instagram'] }] });
    sim.faults.add({ kind: 'http500', route: 'users', times: Number.POSITIVE_INFINITY });
    const first = await h.collect({ now: NOW });
    expect(first.run.status).toBe('ok');
    // The client gives up after its retries; the answer it gave up on is the one kept.
    expect(h.rows('SELECT status FROM raw_responses WHERE run_id = ? AND endpoint = ?', first.run.id, 'users')).toEqual([{ status: 500 }]);
    sim.faults.clear();
    sim.faults.add({ kind: 'reset', route: 'users', times: Number.POSITIVE_INFINITY });
    sim.clearLog();
    const second = await h.collect({ now: NOW });
    expect(second.run.status).toBe('ok');
    expect(asked()).toEqual([['alpha', 'instagram', undefined, undefined]]);
    expect(h.count('SELECT count(*) FROM raw_responses WHERE run_id = ? AND endpoint = ?', second.run.id, 'users')).toBe(0);
  });

  it('count a profile the account does not have, polling its connected platforms, as one failed profile of no platform', async () => {
    const h = harness(dir, sim.url, { ...off, profiles: [{ username: 'nobody' }, { username: 'beta' }] });
    const { run, notFound, total } = await h.collect({ now: NOW });
    // nobody: not listed by /users, so no connected platform is known to have failed.
    expect(run).toMatchObject({ status: 'partial', profilesOk: 1, profilesFailed: 1, platformsOk: 2, platformsFailed: 0 });
    expect([notFound, total]).toEqual([['nobody'], 2]);
    expect(asked()).toEqual([['beta', 'x,youtube', undefined, undefined]]);
  });
});

describe('around the profiles', () => {
  it('closes the runs a dead process left open, as abandoned, and leaves a live process\'s run alone', async () => {
    const h = harness(dir, sim.url, off);
    const open = h.wh.sqlite.prepare("INSERT INTO runs (kind, status, day, started_at, pid) VALUES ('collect', 'running', ?, ?, ?)");
    open.run(DAY, '2026-03-15T03:00:00Z', 999_999_999); // no such process
    open.run(DAY, '2026-03-15T03:00:00Z', 1); // init is always alive
    await h.collect({ now: NOW });
    expect(h.rows('SELECT pid, status, message FROM runs WHERE pid <> ? ORDER BY id', process.pid)).toEqual([
      { pid: 999_999_999, status: 'failed', message: 'abandoned: the process ended before the run finished' },
      { pid: 1, status: 'running', message: null },
    ]);
  });

  it("asks platform-metrics again once its cached answer is from an earlier server day (in serverTimezone), and not before", async () => {
    // The cache holds the server's instant of its answer (its Date header); the simulator's clock is NOW, 12:00 UTC.
    const metricsAsked = async (h: ReturnType<typeof harness>) => {
      sim.stats.reset();
      await h.collect({ now: NOW });
      return sim.stats.byRoute['platform-metrics'] ?? 0;
    };
    const readAt = (h: ReturnType<typeof harness>, instant: string) => h.wh.sqlite.prepare('UPDATE platform_metrics_cache SET fetched_at = ?').run(instant);
    const h = harness(dir, sim.url, off);
    expect(await metricsAsked(h)).toBe(1);
    expect(await metricsAsked(h)).toBe(0);
    readAt(h, `${DAY}T00:00:00.000Z`); // twelve hours old, the same server day
    expect(await metricsAsked(h)).toBe(0);
    readAt(h, '2026-03-14T23:59:59.000Z'); // one second older, the day before
    expect(await metricsAsked(h)).toBe(1);
    // The server's day is the one of serverTimezone: 03:00 UTC on the 15th is still the 14th in New York (UTC-4).
    const west = harness(dir, sim.url, { ...off, serverTimezone: 'America/New_York' });
    expect(await metricsAsked(west)).toBe(1);
    readAt(west, `${DAY}T04:00:00.000Z`); // midnight in New York: its server day began
    expect(await metricsAsked(west)).toBe(0);
    readAt(west, `${DAY}T03:00:00.000Z`); // 23:00 on the 14th there
    expect(await metricsAsked(west)).toBe(1);
  });

  it('drops raw answers older than rawRetentionDays, and keeps every one with 0', async () => {
    // Retention counts from receipt. The old answer is about a profile this collect does not poll, so
    // none of its answers is stored against it (a kept answer's base stays: raw-store.test.ts).
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    const oldRaws = (h: ReturnType<typeof harness>) => [...readRaw(h.wh)].filter((r) => r.receivedAt === old).map((r) => [r.profile, r.body.toString('utf8')]);
    for (const [days, left] of [[30, 0], [0, 1], [50, 1]] as const) {
      const h = harness(dir, sim.url, { ...off, rawRetentionDays: days });
      h.wh.transaction(() => recordRaw(h.wh, null, { endpoint: 'analytics', profile: 'gamma', params: {}, status: 200, receivedAt: old, body: '{}' }));
      await h.collect({ now: NOW });
      expect(oldRaws(h), `rawRetentionDays ${days}`).toEqual(left === 0 ? [] : [['gamma', '{}']]);
      expect([...readRaw(h.wh)].filter((r) => r.receivedAt > old).length).toBeGreaterThan(0);
    }
  });

  it('counts a profile whose every platform is a note ("not supported", *_unavailable) as ok, and reports each profile done', async () => {
    const h = harness(dir, sim.url, off);
    sim.faults.add({ kind: 'unsupportedPlatform', profile: 'beta', platform: 'x' });
    sim.faults.add({ kind: 'platformUnavailable', profile: 'beta', platform: 'youtube' });
    const progress: Array<[number, number]> = [];
    const { run } = await h.collect({ now: NOW, onProgress: (done, total) => void progress.push([done, total]) });
    expect(run).toMatchObject({ status: 'ok', profilesOk: 2, profilesFailed: 0, platformsOk: 3, platformsFailed: 0 });
    // Notes all: beta's two, and alpha's Facebook asked for without a page id (profiles "all" names none).
    expect(h.rows('SELECT profile, platform, kind FROM run_errors ORDER BY platform')).toEqual([
      { profile: 'alpha', platform: 'facebook', kind: 'no_page_id' },
      { profile: 'beta', platform: 'x', kind: 'unsupported' },
      { profile: 'beta', platform: 'youtube', kind: 'unavailable' },
    ]);
    expect(progress).toEqual([[1, 2], [2, 2]]);
  });

  it('notes, per profile, the days the run wrote: from the oldest day of the series read to the day of the answer', async () => {
    const h = harness(dir, sim.url, off);
    const { run } = await h.collect({ now: NOW });
    // 30 days of series end on the 15th: the oldest is 29 days before.
    expect(h.rows('SELECT p.username, c.from_day, c.to_day FROM run_changes c JOIN profiles p ON p.id = c.profile_id WHERE c.run_id = ? ORDER BY 1', run.id)).toEqual([
      { username: 'alpha', from_day: '2026-02-14', to_day: DAY },
      { username: 'beta', from_day: '2026-02-14', to_day: DAY },
    ]);
  });
});
