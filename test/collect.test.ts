/**
 * The collector against the simulator over real loopback HTTP, into a real
 * SQLite file: what is kept, what is recorded, and how a run ends.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { readRaw } from '../src/store/raw.repository.js';
import { harness } from './support/collector.js';
import { earlyRetries, retriesAfter429 } from './support/request-log.js';
import { tempDir } from './helpers.js';

let sim: Simulator;
const dir = tempDir();
const NOW = new Date('2026-03-15T12:00:00Z');
const profiles = [
  { username: 'alpha', platforms: ['instagram', 'youtube', 'tiktok'] as const },
  { username: 'beta', platforms: ['x', 'facebook'] as const },
];

beforeAll(async () => {
  sim = await startSimulator({ seed: 7, profiles: profiles.map((p) => ({ username: p.username, platforms: [...p.platforms] })) });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.faults.clear();
  sim.stats.reset();
  sim.setNow(NOW);
});

describe('collect', () => {
  it('stores every metric of every platform for the day, matching the server snapshot', async () => {
    const h = harness(dir, sim.url);
    const { run } = await h.collect({ now: NOW });
    expect(run.status).toBe('ok');
    expect([run.profilesOk, run.platformsOk]).toEqual([2, 5]);
    const snap = sim.world.snapshot('alpha', 'instagram', '2026-03-15')!;
    const rows = h.wh.sqlite
      .prepare("SELECT metric, value FROM v_daily_metrics WHERE profile_username = 'alpha' AND platform = 'instagram' AND day = '2026-03-15'")
      .all() as { metric: string; value: number }[];
    expect(Object.fromEntries(rows.map((r) => [r.metric, r.value]))).toEqual(snap);
    // 30 days of reach per platform, 30 more of impressions for Facebook.
    expect(h.count('SELECT count(*) FROM v_timeseries')).toBe(5 * 30 + 30);
    // users + platform-metrics + one analytics request per profile.
    expect(sim.stats.byRoute).toEqual({ users: 1, 'platform-metrics': 1, analytics: 2 });
    expect(run.requests).toBe(4);
  });

  it('keeps the other platforms when one is unsupported, and records the API\'s message as a note, not a failure', async () => {
    const h = harness(dir, sim.url);
    sim.faults.add({ kind: 'unsupportedPlatform', platform: 'youtube', route: 'analytics' });
    const { run } = await h.collect({ now: NOW });
    expect(run.status).toBe('ok');
    expect([run.profilesOk, run.platformsOk, run.platformsFailed]).toEqual([2, 4, 0]);
    expect(h.rows("SELECT message FROM run_errors WHERE kind = 'unsupported'")).toEqual([{ message: 'Analytics are not supported for YouTube.' }]);
    expect(h.count("SELECT count(*) FROM v_daily_metrics WHERE profile_username = 'alpha' AND platform = 'youtube'")).toBe(0);
    expect(h.count("SELECT count(*) FROM v_daily_metrics WHERE profile_username = 'alpha' AND platform = 'tiktok'")).toBeGreaterThan(0);
    // beta's Facebook is asked for without a page id: a note as well, said once.
    expect(h.wh.sqlite.prepare('SELECT profile, platform, kind FROM run_errors ORDER BY profile').all()).toEqual([
      { profile: 'alpha', platform: 'youtube', kind: 'unsupported' },
      { profile: 'beta', platform: 'facebook', kind: 'no_page_id' },
    ]);
  });

  it('records a profile /uploadposts/users does not list as not found, without asking its analytics, and collects the others', async () => {
    sim.clearLog();
    const h = harness(dir, sim.url, { profiles: [{ username: 'ghost', platforms: ['instagram'] }, { username: 'beta', platforms: ['x', 'facebook'], facebookPageId: '77' }] });
    const summary = await h.collect({ now: NOW });
    expect(summary.run.status).toBe('partial');
    expect(summary.notFound).toEqual(['ghost']);
    expect(h.wh.sqlite.prepare('SELECT profile, kind, status FROM run_errors').all()).toEqual([{ profile: 'ghost', kind: 'not_found', status: null }]);
    expect(sim.requests().filter((r) => r.profile === 'ghost')).toEqual([]);
    expect(h.count("SELECT count(DISTINCT platform) FROM v_latest_snapshot WHERE profile_username = 'beta'")).toBe(2);
  });

  it('records a profile the analytics endpoint answers 404 for, and collects the others', async () => {
    const h = harness(dir, sim.url, { profiles: [{ username: 'alpha', platforms: ['instagram'] }, { username: 'beta', platforms: ['x', 'facebook'], facebookPageId: '77' }] });
    sim.faults.add({ kind: 'notFound', route: 'analytics', profile: 'alpha' });
    const summary = await h.collect({ now: NOW });
    expect(summary.run.status).toBe('partial');
    expect(summary.notFound).toEqual(['alpha']);
    expect(h.wh.sqlite.prepare('SELECT profile, kind, status FROM run_errors').all()).toEqual([{ profile: 'alpha', kind: 'not_found', status: 404 }]);
    expect(h.count("SELECT count(DISTINCT platform) FROM v_latest_snapshot WHERE profile_username = 'beta'")).toBe(2);
  });

  it('records a malformed body as an error and keeps its raw text', async () => {
    const h = harness(dir, sim.url);
    sim.faults.add({ kind: 'malformed', route: 'analytics', profile: 'alpha' });
    const { run } = await h.collect({ now: NOW });
    expect(run.status).toBe('partial');
    expect(h.wh.sqlite.prepare("SELECT profile, kind FROM run_errors WHERE kind <> 'no_page_id'").all()).toEqual([{ profile: 'alpha', kind: 'malformed' }]);
    const raw = [...readRaw(h.wh, { endpoint: 'analytics', profile: 'alpha' })][0]!.body.toString('utf8');
    expect(raw.length).toBeGreaterThan(0);
    expect(() => JSON.parse(raw)).toThrow();
    expect(h.count("SELECT count(*) FROM v_daily_metrics WHERE profile_username = 'alpha'")).toBe(0);
    expect(h.count("SELECT count(*) FROM v_daily_metrics WHERE profile_username = 'beta'")).toBeGreaterThan(0);
  });

  it('waits out 429s until their reset time and completes the run', async () => {
    const h = harness(dir, sim.url);
    sim.setNow(() => new Date()); // rate windows follow a running clock
    sim.clearLog();
    sim.faults.add({ kind: 'rateLimited', route: 'analytics', times: 2, resetInSeconds: 1 });
    const { run } = await h.collect();
    expect(run.status).toBe('ok');
    expect(run.profilesOk).toBe(2);
    expect(run.rateLimited).toBe(2);
    expect(sim.stats.byStatus[429]).toBe(2);
    // It waited for the announced reset rather than hammering: by the simulator's own clock,
    // each refused profile was asked again only once its X-RateLimit-Reset had come.
    const pairs = retriesAfter429(sim.requests(), 1);
    expect(pairs.map((p) => p.refused.profile).sort()).toEqual(['alpha', 'beta']);
    expect(earlyRetries(pairs)).toEqual([]);
  });

  it('retries 5xx and resets, and counts every request it made', async () => {
    const h = harness(dir, sim.url);
    sim.faults.add({ kind: 'http503', route: 'analytics', profile: 'alpha' });
    sim.faults.add({ kind: 'reset', route: 'analytics', profile: 'beta' });
    const { run } = await h.collect({ now: NOW });
    expect(run.status).toBe('ok');
    expect(run.retries).toBe(2);
    expect(run.requests).toBe(sim.stats.requests);
    expect(run.requests).toBe(6);
  });

  it('on a rerun the same day duplicates nothing and keeps a changed value in the revision history', async () => {
    const h = harness(dir, sim.url);
    await h.collect({ now: NOW });
    const rows = h.count('SELECT count(*) FROM daily_values');
    const old = sim.world.snapshot('alpha', 'instagram', '2026-03-15')!.followers!;
    sim.world.set('alpha', 'instagram', '2026-03-15', 'followers', old + 5);
    sim.setNow(new Date('2026-03-15T18:00:00Z'));
    await h.collect();
    expect(h.count('SELECT count(*) FROM daily_values')).toBe(rows);
    expect(h.count("SELECT followers FROM v_latest_snapshot WHERE profile_username = 'alpha' AND platform = 'instagram'")).toBe(old + 5);
    expect(h.wh.sqlite.prepare("SELECT name, day, value, replaced_at FROM v_value_revisions WHERE kind = 'snapshot'").all()).toEqual([
      { name: 'followers', day: '2026-03-15', value: old, replaced_at: '2026-03-15T18:00:00Z' },
    ]);
  });
});
