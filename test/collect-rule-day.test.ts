/**
 * Reddit and Bluesky answer analytics without `primary_impressions_field`, so
 * a collect counts them by the field /platform-metrics names. That answer is
 * the server's rule of the day it was read: read yesterday, it is not today's.
 * A rule change on today's server day must be counted from its first day,
 * even when the previous read is only hours old.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { tempDir } from './helpers.js';
import { harness } from './support/collector.js';
import { liveText, offlineText } from './support/parity.js';
import { falseNumbers } from './support/truth-checks.js';

const dir = tempDir('upw-rule-day-');
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({
    seed: 5,
    // The test's Date is the server's clock too (faked below, timers stay real).
    now: () => new Date(),
    rateLimitPerMinute: Number.POSITIVE_INFINITY,
    profiles: [{ username: 'a', platforms: ['bluesky', 'reddit', 'x'] }],
  });
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  await sim?.close();
});

describe('a collect after a rule change the server made overnight', () => {
  it('counts the new field from its first day, though platform-metrics was read three hours before, yesterday', async () => {
    sim.world.setRule('bluesky', { primary_impressions_field: 'likes' }, '2026-03-11');
    sim.world.setRule('reddit', { primary_impressions_field: 'comments' }, '2026-03-11');
    const h = harness(dir, sim.url, { profiles: [{ username: 'a', platforms: ['bluesky', 'reddit', 'x'] }], posts: { track: false } }, { client: { timeoutMs: 15_000 } });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      // 22:00 UTC, then 01:00 UTC: two server days, three hours apart (a restart, a hand-run collect).
      vi.setSystemTime(new Date('2026-03-10T22:00:00Z'));
      expect((await h.collect()).run.status).toBe('ok');
      vi.setSystemTime(new Date('2026-03-11T01:00:00Z'));
      expect((await h.collect()).run.status).toBe('ok');

      const counted = h.rows<{ platform: string; day: string; impressions: number }>("SELECT platform, day, impressions FROM v_daily_impressions WHERE platform IN ('bluesky', 'reddit') ORDER BY 1, 2");
      expect(counted).toEqual([
        { platform: 'bluesky', day: '2026-03-10', impressions: sim.world.snapshot('a', 'bluesky', '2026-03-10')!.engagement },
        { platform: 'bluesky', day: '2026-03-11', impressions: sim.world.snapshot('a', 'bluesky', '2026-03-11')!.likes },
        { platform: 'reddit', day: '2026-03-10', impressions: sim.world.snapshot('a', 'reddit', '2026-03-10')!.impressions },
        { platform: 'reddit', day: '2026-03-11', impressions: sim.world.snapshot('a', 'reddit', '2026-03-11')!.comments },
      ]);
      expect(falseNumbers(h.wh, sim)).toEqual([]);
      const q = { start_date: '2026-03-10', end_date: '2026-03-11', breakdown: 'true' };
      expect(offlineText(h.wh, 'a', q, '2026-03-11')).toBe((await liveText(sim, 'a', q)).text);
      // One platform-metrics read per server day, not one per run.
      expect(sim.requests().filter((r) => r.route === 'platform-metrics').map((r) => r.day)).toEqual(['2026-03-10', '2026-03-11']);
      h.wh.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
