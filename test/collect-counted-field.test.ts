/**
 * Which field a collect counts as a platform's impressions for the day: the
 * answer's own primary_impressions_field first, then the cached
 * platform-metrics answer, then the built-in rule. Checked through what the
 * collector writes (daily_impressions, v_daily_impressions) and against what
 * the live endpoint counts for that day.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { totalImpressions } from '../src/query/impressions.usecases.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { readPlatformMetricsCache } from '../src/store/rules.repository.js';
import { harness } from './support/collector.js';
import { tempDir } from './helpers.js';

const DAY1 = '2026-03-14';
const DAY2 = '2026-03-15';
const at = (day: string) => new Date(`${day}T12:00:00Z`);
const dir = tempDir('upw-counted-field-');
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({
    seed: 17,
    now: () => at(DAY1),
    rateLimitPerMinute: Number.POSITIVE_INFINITY,
    profiles: [{ username: 'alpha', platforms: ['instagram', 'reddit', 'x'] }],
    // Reddit's answer never names its field: only platform-metrics says it counts comments now.
    ruleChanges: [{ platform: 'reddit', primary_impressions_field: 'comments', fromDay: '2026-01-01' }],
  });
});
afterAll(() => sim.close());

/** The live endpoint's answer for one day, as text. */
async function liveDay(day: string): Promise<string> {
  const res = await fetch(`${sim.url}/uploadposts/total-impressions/alpha?date=${day}&breakdown=true`, { headers: { Authorization: 'Apikey demo-key' } });
  return res.text();
}

describe('the field a collect counts', () => {
  let wh: ReturnType<typeof harness>['wh'];
  const counted = (platform: string, day: string) =>
    wh.sqlite.prepare('SELECT primary_field AS field, impressions FROM v_daily_impressions WHERE profile_username = ? AND platform = ? AND day = ?').get('alpha', platform, day);

  // Each test collects afresh (beforeEach, not beforeAll): mutation testing credits code run in a
  // test's hooks to that test only (TESTING.md).
  beforeEach(async () => {
    sim.setNow(at(DAY1));
    const c = harness(dir, sim.url, { posts: { track: false } });
    wh = c.wh;
    expect((await c.collect({ now: at(DAY1) })).run.status).toBe('ok');
    // From DAY2 the server counts Instagram's impressions; the platform-metrics answer cached on DAY1 still says reach.
    sim.world.setRule('instagram', { primary_impressions_field: 'impressions' }, DAY2);
    sim.setNow(at(DAY2));
    sim.stats.reset();
    expect((await c.collect({ now: at(DAY2) })).run.status).toBe('ok');
    expect(sim.stats.byRoute['platform-metrics'] ?? 0).toBe(0);
    expect(readPlatformMetricsCache(wh).get('instagram')?.primaryField).toBe('reach');
  });
  afterEach(() => wh.close());

  it("is the answer's own primary_impressions_field, even when the cached platform-metrics names another", () => {
    const snap = sim.world.snapshot('alpha', 'instagram', DAY2)!;
    expect(snap.impressions).not.toBe(snap.reach);
    expect(counted('instagram', DAY2)).toEqual({ field: 'impressions', impressions: snap.impressions });
    // The day before keeps the rule of its own day.
    expect(counted('instagram', DAY1)).toEqual({ field: 'reach', impressions: sim.world.snapshot('alpha', 'instagram', DAY1)!.reach });
  });

  it('is the cached platform-metrics field when the answer names none, before the built-in rule', () => {
    const snap = sim.world.snapshot('alpha', 'reddit', DAY2)!;
    expect(snap.comments).not.toBe(snap.impressions);
    expect(counted('reddit', DAY2)).toEqual({ field: 'comments', impressions: snap.comments });
  });

  it('adds up, for each day, to exactly what the live endpoint answers, as text', async () => {
    for (const day of [DAY1, DAY2]) {
      expect(JSON.stringify(totalImpressions(wh, 'alpha', { date: day, breakdown: true, as_of: DAY2 })), day).toBe(await liveDay(day));
    }
  });
});
