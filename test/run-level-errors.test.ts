/**
 * A failure that belongs to no profile (platform-metrics that never answers
 * well) still makes the run partial, for collect and backfill alike: every
 * profile is stored by the cached or built-in rules, and the run says that
 * something failed. Only a run with no failure at all is ok.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type FaultRule, type Simulator } from '../src/simulator/index.js';
import { tempDir } from './helpers.js';
import { backfiller, differences, errorsOf, expectBooks } from './support/backfill.js';
import { harness } from './support/collector.js';

const NOW = new Date('2026-03-15T12:00:00Z');
const dir = tempDir('upw-run-level-');
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 23, now: () => NOW, rateLimitPerMinute: Number.POSITIVE_INFINITY, profiles: [{ username: 'alpha', platforms: ['instagram', 'x'] }] });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.faults.clear();
  sim.stats.reset();
});

const FAULTS: Array<[string, FaultRule, string, number]> = [
  ['a 500 outlasting the retries', { kind: 'http500', route: 'platform-metrics', times: Number.POSITIVE_INFINITY }, 'server_error', 500],
  ['a malformed body', { kind: 'malformed', route: 'platform-metrics' }, 'malformed', 200],
];

describe.each(FAULTS)('platform-metrics failing with %s', (_what, fault, kind, status) => {
  it('leaves a collect partial, with every profile stored by the built-in rules', async () => {
    const h = harness(dir, sim.url, { posts: { track: false } }, { client: { retries: 1, retryBaseMs: 5 } });
    sim.faults.add(fault);
    const { run } = await h.collect({ now: NOW });
    expect(h.rows('SELECT profile, platform, kind, status FROM run_errors WHERE run_id = ?', run.id)).toEqual([{ profile: null, platform: null, kind, status }]);
    expect(run).toMatchObject({ status: 'partial', profilesOk: 1, profilesFailed: 0, platformsOk: 2, platformsFailed: 0 });
    const snap = sim.world.snapshot('alpha', 'x', '2026-03-15')!;
    expect(h.rows("SELECT primary_field, impressions FROM v_daily_impressions WHERE platform = 'x'")).toEqual([{ primary_field: 'impressions', impressions: snap.impressions }]);
  });

  it('leaves a backfill partial, with every piece imported', async () => {
    const h = backfiller(dir, sim, NOW, {}, { retries: 1 });
    sim.faults.add(fault);
    const summary = await h.backfill({ ranges: [{ since: '2026-03-01', until: '2026-03-14' }], timeseries: false });
    expect(errorsOf(h, summary.run)).toEqual([[null, null, kind, status]]);
    expect([summary.run.status, summary.imported, summary.failed]).toEqual(['partial', 2, 0]);
    // The run-level failure is no profile's: the profile itself came through whole.
    expect(summary.run).toMatchObject({ profilesOk: 1, profilesFailed: 0 });
    for (const platform of ['instagram', 'x']) expect(differences(h, sim, 'alpha', platform, '2026-03-01', '2026-03-14')).toEqual([]);
    expectBooks(h, sim, summary.run);
  });
});

describe('without any failure', () => {
  it('a collect and a backfill are ok', async () => {
    const c = harness(dir, sim.url, { posts: { track: false } });
    expect((await c.collect({ now: NOW })).run.status).toBe('ok');
    const b = backfiller(dir, sim, NOW);
    expect((await b.backfill({ ranges: [{ since: '2026-03-10', until: '2026-03-14' }], timeseries: false })).run.status).toBe('ok');
  });
});
