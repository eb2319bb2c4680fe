/**
 * What a collect says about itself beyond its rows, in process so the
 * mutation run reaches it: its log lines and their fields (run, day, each
 * profile's counts, the platform-metrics warning, the pruning), its status
 * and message when the key is refused or a signal came first, its own
 * retries only, its total, and a store that fails under it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collect } from '../src/collect/collect.usecases.js';
import { ApiServerError } from '../src/errors.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { recordRaw } from '../src/store/raw.repository.js';
import { tempDir } from './helpers.js';
import { harness } from './support/collector.js';
import { captureLogs } from './support/log-capture.js';

const DAY = '2026-03-15';
const NOW = new Date(`${DAY}T12:00:00Z`);
const dir = tempDir('upw-run-books-');
const off = { posts: { track: false } };
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({
    seed: 41,
    now: () => NOW,
    rateLimitPerMinute: Number.POSITIVE_INFINITY,
    profiles: [
      { username: 'alpha', platforms: ['instagram', 'x'] },
      { username: 'beta', platforms: ['youtube', 'tiktok'] },
    ],
  });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.faults.clear();
  sim.clearLog();
});

/** A collector whose log lines at `level` and up are kept. */
function logged(config: Parameters<typeof harness>[2] = off, level = 'warn', options: Parameters<typeof harness>[3] = {}) {
  const h = harness(dir, sim.url, config, { client: { retries: 2, retryBaseMs: 5 }, ...options });
  const logs = captureLogs(level);
  const deps = { ...h.deps, log: logs.log };
  return { h, deps, lines: logs.lines };
}
const analyticsAsked = () => sim.requests().filter((r) => r.route === 'analytics').map((r) => r.profile);

describe('the log of a collect', () => {
  it("says at debug what each profile brought, under the run and its day, and the values add up to the run's and the warehouse's", async () => {
    sim.faults.add({ kind: 'unsupportedPlatform', profile: 'beta', platform: 'tiktok' });
    const { h, deps, lines } = logged(off, 'debug');
    const { run } = await collect(deps, { now: NOW });
    const collected = lines.filter((l) => l.msg === 'collected').sort((a, b) => String(a.profile).localeCompare(String(b.profile)));
    // alpha: instagram and x answered; beta: youtube answered, tiktok "not supported" (a note).
    expect(collected.map((l) => [l.profile, l.run, l.day, l.platformsOk, l.platformsFailed, l.notes, l.badValues])).toEqual([
      ['alpha', run.id, DAY, 2, 0, 0, 0],
      ['beta', run.id, DAY, 1, 0, 1, 0],
    ]);
    // A new warehouse: every value the run wrote is a row it holds, demographics included (Instagram has them).
    const held = h.count('SELECT count(*) FROM daily_values WHERE run_id = ?', run.id) + h.count('SELECT count(*) FROM demographics WHERE run_id = ?', run.id);
    expect(h.count('SELECT count(*) FROM demographics WHERE run_id = ?', run.id)).toBeGreaterThan(0);
    expect(run.valuesWritten).toBe(held);
    expect(collected.reduce((sum, l) => sum + Number(l.valuesWritten), 0)).toBe(held);
  });

  it('warns, with the failure, when platform-metrics fails, and goes on by the built-in rules', async () => {
    sim.faults.add({ kind: 'http500', route: 'platform-metrics', times: Number.POSITIVE_INFINITY });
    const { deps, lines } = logged();
    const { run } = await collect(deps, { now: NOW });
    expect(run).toMatchObject({ status: 'partial', profilesOk: 2 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, msg: 'platform-metrics unavailable; using the cached or built-in rules', run: run.id, day: DAY });
    expect(lines[0]!.err).toMatchObject({ kind: 'server_error', status: 500 });
  });

  it('says at info how many old raw answers it pruned', async () => {
    const { h, deps, lines } = logged({ ...off, rawRetentionDays: 30 }, 'info');
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    h.wh.transaction(() => recordRaw(h.wh, null, { endpoint: 'analytics', profile: 'gamma', params: {}, status: 200, receivedAt: old, body: '{}' }));
    await collect(deps, { now: NOW });
    expect(lines.filter((l) => l.msg === 'pruned raw answers').map((l) => l.pruned)).toEqual([1]);
  });
});

describe('the books of a collect', () => {
  it('records a platform-metrics call that never connected as a network failure with no raw answer, and polls every profile', async () => {
    sim.faults.add({ kind: 'reset', route: 'platform-metrics', times: Number.POSITIVE_INFINITY });
    const h = harness(dir, sim.url, off, { client: { retries: 1, retryBaseMs: 5 } });
    const { run } = await h.collect({ now: NOW });
    expect(run).toMatchObject({ status: 'partial', profilesOk: 2, profilesFailed: 0 });
    expect(h.rows('SELECT profile, kind FROM run_errors WHERE run_id = ?', run.id)).toEqual([{ profile: null, kind: 'network' }]);
    expect(h.count("SELECT count(*) FROM raw_responses WHERE endpoint = 'platform-metrics'")).toBe(0);
  });

  it('stops before any profile when platform-metrics refuses the key, and says why', async () => {
    sim.faults.add({ kind: 'unauthorized', route: 'platform-metrics' });
    const h = harness(dir, sim.url, off);
    const summary = await h.collect({ now: NOW });
    expect([summary.keyRefused, summary.run.status, summary.run.message]).toEqual([true, 'failed', 'stopped: the API refused the key']);
    expect(h.rows('SELECT profile, kind, status FROM run_errors WHERE run_id = ?', summary.run.id)).toEqual([{ profile: null, kind: 'unauthorized', status: 401 }]);
    expect(analyticsAsked()).toEqual([]);
  });

  it('counts no target when /uploadposts/users refuses the key', async () => {
    const h = harness(dir, sim.url, off, { apiKey: 'not-a-key' });
    const summary = await h.collect({ now: NOW });
    expect([summary.keyRefused, summary.total, summary.notFound, summary.run.status]).toEqual([true, 0, [], 'failed']);
    expect(sim.requests().map((r) => r.route)).toEqual(['users']);
  });

  it('counts no target when /uploadposts/users is needed and down', async () => {
    sim.faults.add({ kind: 'http500', route: 'users', times: Number.POSITIVE_INFINITY });
    const h = harness(dir, sim.url, off, { client: { retries: 1, retryBaseMs: 5 } });
    const summary = await h.collect({ now: NOW });
    expect([summary.keyRefused, summary.total, summary.run.status]).toEqual([false, 0, 'failed']);
  });

  it('polls nobody when the signal came before it started, and ends failed as stopped early', async () => {
    const h = harness(dir, sim.url, off);
    const abort = new AbortController();
    abort.abort();
    const { run } = await h.collect({ now: NOW, signal: abort.signal });
    expect([run.status, run.message, run.profilesOk, run.profilesFailed]).toEqual(['failed', 'stopped early by a signal', 0, 0]);
    expect(analyticsAsked()).toEqual([]);
  });

  it('counts only its own retries and 429s when its client retried in an earlier run', async () => {
    const h = harness(dir, sim.url, off);
    sim.faults.add({ kind: 'http503', route: 'analytics', profile: 'alpha' });
    sim.faults.add({ kind: 'rateLimited', route: 'analytics', profile: 'beta', resetInSeconds: 0 });
    const first = await h.collect({ now: NOW });
    expect([first.run.status, first.run.rateLimited]).toEqual(['ok', 1]);
    expect(first.run.retries).toBeGreaterThan(0);
    const second = await h.collect({ now: NOW });
    expect([second.run.status, second.run.retries, second.run.rateLimited]).toEqual(['ok', 0, 0]);
  });

  it('counts a profile the account lacks in its total when the step after the profiles fails with an API error', async () => {
    const h = harness(dir, sim.url, { ...off, profiles: [{ username: 'nobody', platforms: ['x'] }, { username: 'alpha' }] });
    const afterProfiles = async () => {
      throw new ApiServerError('post tracking: 500', { method: 'GET', url: `${sim.url}/uploadposts/history` }, 500);
    };
    const summary = await h.collect({ now: NOW, afterProfiles });
    expect([summary.total, summary.notFound, summary.run.status]).toEqual([2, ['nobody'], 'failed']);
  });

  it('is ok with nothing to do when the account has no profile', async () => {
    const empty = await startSimulator({ seed: 1, now: () => NOW, profiles: [] });
    try {
      const h = harness(dir, empty.url, off);
      const summary = await h.collect({ now: NOW });
      expect([summary.total, summary.run.status, summary.run.profilesOk]).toEqual([0, 'ok', 0]);
      expect(empty.requests().filter((r) => r.route === 'analytics')).toEqual([]);
    } finally {
      await empty.close();
    }
  });
});

describe('a warehouse that refuses a write', () => {
  it("fails the collect with SQLite's error when a profile's values cannot be stored", async () => {
    const h = harness(dir, sim.url, { ...off, concurrency: 1 });
    h.wh.sqlite.exec("CREATE TRIGGER no_values BEFORE INSERT ON daily_values BEGIN SELECT RAISE(ABORT, 'values refused'); END");
    await expect(h.collect({ now: NOW })).rejects.toThrow('values refused');
    expect(h.rows('SELECT status FROM runs')).toEqual([{ status: 'failed' }]);
  });

  it("fails the collect with SQLite's error when the platform-metrics answer cannot be cached, before any profile", async () => {
    const h = harness(dir, sim.url, off);
    h.wh.sqlite.exec("CREATE TRIGGER no_cache BEFORE INSERT ON platform_metrics_cache BEGIN SELECT RAISE(ABORT, 'cache refused'); END");
    await expect(h.collect({ now: NOW })).rejects.toThrow('cache refused');
    expect(h.rows('SELECT status FROM runs')).toEqual([{ status: 'failed' }]);
    expect(analyticsAsked()).toEqual([]);
  });
});
