/**
 * Which profiles and platforms a collect polls, and what it tidies up around
 * them, read from the simulator's request log and the warehouse: discovery
 * from /users only when needed, the command line over the config, page ids
 * passed on, abandoned runs closed, the platform-metrics cache aged, old raw
 * answers pruned, notes that are no failure, and the days each run wrote.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collect } from '../src/collect/collect.usecases.js';
import { resolveConfig } from '../src/config/config.js';
import { BadInputError } from '../src/errors.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
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
    await h.collect({ now: NOW });
    expect(routes()).not.toContain('users');
    expect(asked()).toEqual([['alpha', 'facebook,linkedin', '123', 'urn:li:organization:9']]);
  });

  it('come from the command line before the config: a profile named only there polls its connected platforms', async () => {
    const h = harness(dir, sim.url, { ...off, profiles: [{ username: 'alpha', platforms: ['instagram'] }, { username: 'beta' }] });
    await h.collect({ now: NOW, overrides: { profiles: ['alpha'] } });
    expect([routes().includes('users'), asked()]).toEqual([false, [['alpha', 'instagram', undefined, undefined]]]);
    sim.clearLog();
    await h.collect({ now: NOW, overrides: { profiles: ['alpha'], platforms: ['x'] } });
    expect([routes().includes('users'), asked()]).toEqual([false, [['alpha', 'x', undefined, undefined]]]);
    sim.clearLog();
    await h.collect({ now: NOW, overrides: { profiles: ['beta'] } });
    expect([routes().includes('users'), asked()]).toEqual([true, [['beta', 'x,youtube', undefined, undefined]]]);
  });

  it('must name somebody: without a profile anywhere the collect is bad input, and no run is recorded', async () => {
    const h = harness(dir, sim.url, off);
    const deps = { ...h.deps, config: resolveConfig(undefined, undefined, dir) };
    await expect(collect(deps, { now: NOW })).rejects.toThrow(BadInputError);
    expect([h.count('SELECT count(*) FROM runs'), sim.stats.requests]).toEqual([0, 0]);
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

  it('asks platform-metrics again once its cached answer is a day old, and not before', async () => {
    const h = harness(dir, sim.url, off);
    const metricsAsked = async () => {
      sim.stats.reset();
      await h.collect({ now: NOW });
      return sim.stats.byRoute['platform-metrics'] ?? 0;
    };
    expect(await metricsAsked()).toBe(1);
    expect(await metricsAsked()).toBe(0);
    h.wh.sqlite.prepare('UPDATE platform_metrics_cache SET fetched_at = ?').run(new Date(Date.now() - 23 * 3_600_000).toISOString());
    expect(await metricsAsked()).toBe(0);
    h.wh.sqlite.prepare('UPDATE platform_metrics_cache SET fetched_at = ?').run(new Date(Date.now() - 25 * 3_600_000).toISOString());
    expect(await metricsAsked()).toBe(1);
  });

  it('drops raw answers older than rawRetentionDays, and keeps every one with 0', async () => {
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    const oldRaws = (h: ReturnType<typeof harness>) => h.count('SELECT count(*) FROM raw_responses WHERE received_at = ?', old);
    for (const [days, left] of [[30, 0], [0, 1], [50, 1]] as const) {
      const h = harness(dir, sim.url, { ...off, rawRetentionDays: days });
      h.wh.sqlite.prepare("INSERT INTO raw_responses (run_id, endpoint, profile, params, status, received_at, body) VALUES (NULL, 'analytics', 'alpha', '{}', 200, ?, '{}')").run(old);
      await h.collect({ now: NOW });
      expect(oldRaws(h), `rawRetentionDays ${days}`).toBe(left);
      expect(h.count('SELECT count(*) FROM raw_responses WHERE received_at > ?', old)).toBeGreaterThan(0);
    }
  });

  it('counts a profile whose every platform is a note ("not supported", *_unavailable) as ok, and reports each profile done', async () => {
    const h = harness(dir, sim.url, off);
    sim.faults.add({ kind: 'unsupportedPlatform', profile: 'beta', platform: 'x' });
    sim.faults.add({ kind: 'platformUnavailable', profile: 'beta', platform: 'youtube' });
    const progress: Array<[number, number]> = [];
    const { run } = await h.collect({ now: NOW, onProgress: (done, total) => void progress.push([done, total]) });
    expect(run).toMatchObject({ status: 'ok', profilesOk: 2, profilesFailed: 0, platformsOk: 3, platformsFailed: 0 });
    expect(h.rows('SELECT profile, platform, kind FROM run_errors ORDER BY platform')).toEqual([
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
