/**
 * Faults that change the world during a run: a key that stops working after
 * some requests, profiles deleted between runs or while a slow run is under
 * way, a discovery call that never succeeds; then seeded mixed chaos where
 * every run's books are audited against what the simulator saw.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backfill } from '../src/backfill/backfill.usecases.js';
import { startSimulator, type FaultRule, type Simulator } from '../src/simulator/index.js';
import { tempDir } from './helpers.js';
import { PROFILES, TARGETS, audit, count, kinds, runWith, runs, tally } from './support/audit.js';
import { SEED, collector, inspect, random, startUpw, writeConfig } from './support/reliability.js';

let sim: Simulator;
const dir = tempDir('upw-midrun-');

beforeAll(async () => {
  sim = await startSimulator({ seed: 4, profiles: PROFILES });
});
afterAll(async () => {
  process.stderr.write(`reliability-faults-midrun (seed ${SEED}): runs ${JSON.stringify(runs)}; served ${JSON.stringify(tally)}\n`);
  await sim.close();
});
beforeEach(() => {
  sim.faults.clear();
  sim.setLatency(0);
});

describe('a key that becomes invalid mid-run', () => {
  it('stops after the first 401, never retries it, and keeps the profiles already collected', async () => {
    const { run, summary, errors } = await runWith(sim, dir, 'key refused mid-run', [], { config: { concurrency: 1 } }, {
      // After the third profile the key stops working for every request.
      onProgress: (done) => void (done === 3 && sim.faults.add({ kind: 'unauthorized', times: Infinity })),
    });
    expect(summary.keyRefused).toBe(true);
    expect(run.status).toBe('failed');
    expect(sim.stats.byStatus[401]).toBe(1);
    expect(run.retries).toBe(0);
    expect(kinds(errors)).toEqual([['p4', null, 'unauthorized']]);
    expect([run.profilesOk, run.profilesFailed]).toEqual([3, 1]);
  });

  it('records every profile that was in flight when the key went bad, and starts no other', async () => {
    sim.setLatency(60);
    const { run, summary, errors } = await runWith(sim, dir, 'key refused mid-run', [], { config: { concurrency: 3 } }, {
      onProgress: (done) => void (done === 1 && sim.faults.add({ kind: 'unauthorized', times: Infinity })),
    });
    expect(summary.keyRefused).toBe(true);
    expect(run.status).toBe('failed');
    // p1…p3 went out together; p4…p6 each took a freed slot before the first 401 came back.
    expect(sim.stats.byStatus[401]).toBe(3);
    expect(errors.every((e) => e.kind === 'unauthorized')).toBe(true);
    expect([run.profilesOk, run.profilesFailed]).toEqual([3, 3]);
  });

  it('fails the run at discovery when the key is refused there, recording the 401', async () => {
    const { run, summary, errors } = await runWith(sim, dir, 'key refused at discovery', [{ kind: 'unauthorized', route: 'users' }]);
    expect(summary.keyRefused).toBe(true);
    expect(run.status).toBe('failed');
    expect(kinds(errors)).toEqual([[null, null, 'unauthorized']]);
  });
});

describe('a backfill whose key goes bad mid-run', () => {
  it('records every refused request of the pieces in flight, so its books add up', async () => {
    sim.setLatency(40);
    const c = collector(dir, sim.url, { config: { concurrency: 3 } });
    sim.stats.reset();
    const today = sim.world.today();
    const since = new Date(Date.parse(`${today}T00:00:00Z`) - 10 * 86_400_000).toISOString().slice(0, 10);
    const summary = await backfill(c.deps, { ranges: [{ since, until: today }], onProgress: (done) => void (done === 2 && sim.faults.add({ kind: 'unauthorized', times: Infinity })) });
    runs['key refused mid-backfill'] = 1;
    count('401 (key refused)', sim.stats.byStatus[401] ?? 0);
    expect(summary.keyRefused).toBe(true);
    expect(summary.run.status).toBe('failed');
    const raws = c.count('SELECT count(*) FROM raw_responses WHERE run_id = ?', summary.run.id);
    expect(summary.run.requests).toBe(sim.stats.requests);
    expect(summary.run.requests).toBe(summary.run.retries + raws);
    expect(sim.stats.byStatus[401]).toBeGreaterThan(1);
    expect(c.count("SELECT count(*) FROM run_errors WHERE kind = 'unauthorized'")).toBe(sim.stats.byStatus[401]);
  });
});

describe('upw collect as a process when the key goes bad mid-run', () => {
  it('exits 3, says the key was refused, and keeps what it stored before', async () => {
    const config = writeConfig(dir, { profiles: 'all', concurrency: 1, posts: { track: false } }, 'refused.config.mjs');
    const db = join(dir, 'refused.sqlite');
    sim.faults.add({ kind: 'unauthorized', route: 'analytics', profile: 'p4', times: Infinity });
    sim.stats.reset();
    const child = startUpw(['collect', '--config', config, '--db', db], { UPLOAD_POST_API_KEY: 'demo-key', UPLOAD_POST_BASE_URL: sim.url }, dir);
    const r = await child.exited;
    runs['key refused mid-run'] = (runs['key refused mid-run'] ?? 0) + 1;
    count('401 (key refused)', 1);
    expect(r.code).toBe(3);
    expect(child.stdout()).toMatch(/failed/);
    expect(child.stderr()).toMatch(/refused the key/);
    inspect(db, (d) => {
      expect(d.prepare('SELECT status, profiles_ok, profiles_failed, requests FROM runs').get()).toEqual({ status: 'failed', profiles_ok: 3, profiles_failed: 1, requests: sim.stats.requests });
      expect(d.prepare('SELECT DISTINCT profile_username FROM v_daily_metrics ORDER BY 1').pluck().all()).toEqual(['p1', 'p2', 'p3']);
    });
  });
});

describe('a discovery call that never succeeds', () => {
  it('fails the run, but records the failure with its kind and counts its requests', async () => {
    const c = collector(dir, sim.url);
    sim.faults.add({ kind: 'http503', route: 'users', times: 10 });
    sim.stats.reset();
    // A failed run, not a crash: collect answers with it (the CLI exits 5, not 1).
    const summary = await c.collect();
    expect(summary.run.status).toBe('failed');
    runs['discovery never answers'] = 1;
    const run = c.rows<{ status: string; requests: number; retries: number }>('SELECT status, requests, retries FROM runs')[0]!;
    expect(run).toEqual({ status: 'failed', requests: 4, retries: 3 });
    expect(sim.stats.requests).toBe(4);
    count('HTTP 503', 4);
    expect(c.rows('SELECT profile, kind, status FROM run_errors')).toEqual([{ profile: null, kind: 'server_error', status: 503 }]);
    expect(c.count("SELECT count(*) FROM raw_responses WHERE endpoint = 'users' AND status = 503")).toBe(1);
  });
});

describe('profiles deleted', () => {
  let own: Simulator;
  const day = (d: number) => new Date(Date.UTC(2026, 2, d, 12));
  beforeAll(async () => {
    own = await startSimulator({ seed: 9, profiles: PROFILES, now: () => day(14) });
  });
  afterAll(() => own.close());

  it('between runs: an explicit profile answers 404, is recorded, and keeps every day already stored', async () => {
    const configured = { profiles: PROFILES.map((p) => ({ username: p.username, platforms: p.platforms })) };
    const c = collector(dir, own.url, { config: configured });
    own.stats.reset();
    audit(c, own, await c.collect({ now: day(14) }), TARGETS, '2026-03-14');
    const before = c.count("SELECT count(*) FROM v_daily_metrics WHERE profile_username = 'p2'");
    own.world.deleteProfile('p2');
    own.setNow(day(15));
    own.stats.reset();
    const summary = await c.collect({ now: day(15) });
    runs['profile deleted between runs'] = 1;
    const errors = audit(c, own, summary, TARGETS, '2026-03-15');
    expect(summary.run.status).toBe('partial');
    expect(summary.notFound).toEqual(['p2']);
    expect(kinds(errors)).toEqual([['p2', null, 'not_found']]);
    // /uploadposts/users no longer lists it: no analytics call is spent on it.
    expect(own.stats.byRoute.analytics).toBe(PROFILES.length - 1);
    expect(c.count("SELECT count(*) FROM v_daily_metrics WHERE profile_username = 'p2'")).toBe(before);
    expect(before).toBeGreaterThan(0);
  });

  it('during a slow run: the profile that vanished is recorded as not found, the others are whole', async () => {
    own.setNow(day(16));
    own.setLatency(40);
    const c = collector(dir, own.url, { config: { concurrency: 1 } });
    own.stats.reset();
    const targets = Object.fromEntries(Object.entries(TARGETS).filter(([p]) => p !== 'p2'));
    const summary = await c.collect({ now: day(16), onProgress: (done) => void (done === 2 && own.world.deleteProfile('p5')) });
    runs['profile deleted mid-run'] = 1;
    const errors = audit(c, own, summary, targets, '2026-03-16');
    expect(summary.run.status).toBe('partial');
    expect(kinds(errors)).toEqual([['p5', null, 'not_found']]);
    expect(summary.run.profilesOk).toBe(4);
  });
});

describe(`mixed faults (seed ${SEED})`, () => {
  const N = 14;
  it(`${N} runs under random mixes of every fault class keep exact books and lose no good answer`, async () => {
    const rand = random(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
    for (let i = 0; i < N; i++) {
      const faults: FaultRule[] = [];
      for (let k = int(2, 7); k > 0; k--) {
        const profile = pick(PROFILES);
        const kind = pick(['http500', 'http502', 'http503', 'timeout', 'reset', 'malformed', 'notFound', 'platformError', 'unsupportedPlatform'] as const);
        if (kind === 'platformError' || kind === 'unsupportedPlatform') faults.push({ kind, profile: profile.username, platform: pick(profile.platforms), shape: pick(['error', 'message'] as const) });
        else faults.push({ kind, route: 'analytics', profile: profile.username, times: kind === 'malformed' || kind === 'notFound' ? 1 : int(1, 5) });
      }
      // Discovery and platform-metrics see only what the retries absorb (one rule each, at most the retry limit).
      if (rand() < 0.5) faults.push({ kind: pick(['http500', 'reset', 'timeout'] as const), route: pick(['users', 'platform-metrics']), times: int(1, 3) });
      if (rand() < 0.3) faults.push({ kind: 'malformed', route: 'platform-metrics' });
      // A 429 costs a second of waiting for its reset: one short storm in some runs.
      if (rand() < 0.4) faults.push({ kind: 'rateLimited', route: 'analytics', profile: pick(PROFILES).username, times: int(1, 2), resetInSeconds: 1 });
      sim.setLatency(int(0, 10));
      const { run } = await runWith(sim, dir, 'mixed', faults, { config: { concurrency: int(1, 4) }, client: { timeoutMs: 150, retries: 3 } });
      expect(['ok', 'partial']).toContain(run.status);
      sim.faults.clear();
    }
  });
});
