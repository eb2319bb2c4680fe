/**
 * Faults: the simulator injects 5xx bursts, timeouts, resets, malformed JSON,
 * 429 storms, per-platform errors, a key that goes bad and profiles that
 * vanish, one kind at a time and then mixed. Every run must end ok or partial
 * (failed only when the key is refused), keep every good answer, record every
 * failure with its kind, and count exactly the requests the simulator saw.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type FaultRule, type Simulator } from '../src/simulator/index.js';
import { readRaw } from '../src/store/raw.repository.js';
import { tempDir } from './helpers.js';
import { PROFILES, kinds, runWith as runFaults, runs, tally } from './support/audit.js';
import { SEED, collector } from './support/reliability.js';
import { earlyRetries, retriesAfter429 } from './support/request-log.js';

let sim: Simulator;
const dir = tempDir('upw-faults-');

beforeAll(async () => {
  // The real clock: the simulator's rate-limit windows and the client's waits must agree.
  sim = await startSimulator({ seed: 3, profiles: PROFILES });
});
afterAll(async () => {
  process.stderr.write(`reliability-faults (seed ${SEED}): runs ${JSON.stringify(runs)}; served ${JSON.stringify(tally)}\n`);
  await sim.close();
});
beforeEach(() => {
  sim.faults.clear();
  sim.setLatency(0);
});

const runWith = (label: string, faults: FaultRule[], options: Parameters<typeof collector>[2] = {}) => runFaults(sim, dir, label, faults, options);

describe('one fault class at a time', () => {
  it('rides out 5xx bursts within the retries and records the one that outlasts them as server_error', async () => {
    const { run, errors } = await runWith('5xx bursts', [
      { kind: 'http500', route: 'users' },
      { kind: 'http500', route: 'analytics', profile: 'p1', times: 2 },
      { kind: 'http502', route: 'analytics', profile: 'p2' },
      { kind: 'http503', route: 'analytics', profile: 'p3', times: 3 },
      { kind: 'http503', route: 'analytics', profile: 'p4', times: 10 },
    ]);
    expect(run.status).toBe('partial');
    expect(kinds(errors)).toEqual([['p4', null, 'server_error']]);
    // users 1 retry; p1 2, p2 1, p3 3, p4 3 (then gives up).
    expect(run.retries).toBe(10);
    expect([run.profilesOk, run.profilesFailed]).toEqual([5, 1]);
  });

  it('retries a timed-out request and records one that never answers as a network failure', async () => {
    const { run, errors } = await runWith(
      'timeouts',
      [
        { kind: 'timeout', route: 'analytics', profile: 'p1' },
        { kind: 'timeout', route: 'platform-metrics' },
        { kind: 'timeout', route: 'analytics', profile: 'p5', times: 10 },
      ],
      { client: { timeoutMs: 150, retries: 2 } },
    );
    expect(run.status).toBe('partial');
    expect(kinds(errors)).toEqual([['p5', null, 'network']]);
    expect(run.retries).toBe(1 + 1 + 2);
  });

  it('retries connection resets and records one that keeps resetting as a network failure', async () => {
    const { run, errors } = await runWith('connection resets', [
      { kind: 'reset', route: 'analytics', profile: 'p2', times: 2 },
      { kind: 'reset', route: 'users' },
      { kind: 'reset', route: 'analytics', profile: 'p6', times: 10 },
    ]);
    expect(run.status).toBe('partial');
    expect(kinds(errors)).toEqual([['p6', null, 'network']]);
    expect(run.retries).toBe(2 + 1 + 3);
  });

  it('keeps the raw text of malformed JSON, records it, and goes on with the other profiles', async () => {
    const { c, run, errors } = await runWith('malformed JSON', [
      { kind: 'malformed', route: 'analytics', profile: 'p3' },
      { kind: 'malformed', route: 'platform-metrics' },
    ]);
    expect(run.status).toBe('partial');
    expect(kinds(errors)).toEqual([
      [null, null, 'malformed'],
      ['p3', null, 'malformed'],
    ]);
    const truncated = [...readRaw(c.wh)].filter((r) => r.body.toString('utf8') === '{"instagram": {"followers": 4');
    expect(truncated.map(({ endpoint, status }) => ({ endpoint, status })).sort((a, b) => a.endpoint.localeCompare(b.endpoint))).toEqual([
      { endpoint: 'analytics', status: 200 },
      { endpoint: 'platform-metrics', status: 200 },
    ]);
  });

  it('waits out a 429 storm until each announced reset and loses nothing', async () => {
    sim.clearLog();
    // Concurrent requests meet the storm together, and each wave waits for the reset.
    const { run, errors } = await runWith('429 storm, waited out', [{ kind: 'rateLimited', route: 'analytics', times: 6, resetInSeconds: 1 }], {
      config: { concurrency: 3 },
      client: { retries: 6 },
    });
    expect(errors).toEqual([]);
    expect(run.status).toBe('ok');
    expect(run.rateLimited).toBe(6);
    expect(run.profilesOk).toBe(6);
    // By the simulator's clock, no refused profile was asked again before its announced reset.
    const pairs = retriesAfter429(sim.requests(), 1);
    expect(pairs).toHaveLength(6);
    expect(earlyRetries(pairs)).toEqual([]);
  });

  it('gives up on a profile whose 429s outlast the retries, as rate_limited, and keeps the rest', async () => {
    const { run, errors } = await runWith('429 storm, outlasting retries', [{ kind: 'rateLimited', route: 'analytics', profile: 'p4', times: 10, resetInSeconds: 1 }], {
      client: { retries: 1 },
    });
    expect(kinds(errors)).toEqual([['p4', null, 'rate_limited']]);
    expect(run.status).toBe('partial');
    expect(run.rateLimited).toBe(2);
  });

  it('keeps the other platforms when some answer errors inside a 200, in every shape', async () => {
    const { run, errors } = await runWith('per-platform errors in a 200', [
      { kind: 'platformError', platform: 'youtube', profile: 'p1' },
      { kind: 'platformError', platform: 'x', profile: 'p2', shape: 'message' },
      { kind: 'unsupportedPlatform', platform: 'reddit', profile: 'p3' },
      { kind: 'platformError', platform: 'instagram', profile: 'p4' },
    ]);
    expect(run.status).toBe('partial');
    expect(kinds(errors).sort()).toEqual([
      ['p1', 'youtube', 'platform_error'],
      ['p2', 'x', 'platform_error'],
      ['p3', 'reddit', 'unsupported'],
      ['p4', 'instagram', 'platform_error'],
    ]);
    // Reddit's "not supported" is a note, not one of the failed platforms.
    expect([run.profilesOk, run.profilesFailed, run.platformsOk, run.platformsFailed]).toEqual([6, 0, 13, 3]);
  });
});
