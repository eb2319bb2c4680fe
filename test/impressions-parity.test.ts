// Parity: for hundreds of generated queries, the warehouse's answer is the
// live total-impressions answer, byte for byte as JSON text. The warehouse is
// filled only through the real write path, over simulated days with a moving
// clock: a backfill of all 400 days the server keeps (refused as too long,
// so it splits), daily collects, downtime across a rule change, then the
// daemon's start-up (collect, catch-up).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backfill } from '../src/backfill/backfill.usecases.js';
import { addDays, eachDay } from '../src/dates.js';
import { BadInputError } from '../src/errors.js';
import { PLATFORMS, QUERY_METRICS } from '../src/platforms.js';
import { totalImpressions } from '../src/query/impressions.usecases.js';
import type { ImpressionsQuery } from '../src/query/impressions.types.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { tempDir } from './helpers.js';
import { harness, type Harness } from './support/collector.js';
import { daemonStartUp } from './support/daemon-day.js';
import { liveText } from './support/parity.js';
import { gaps } from './support/truth-checks.js';

const TODAY = '2026-03-15';
// The simulator keeps 400 days of history, today included: all of it is stored.
const FIRST = addDays(TODAY, -399);
const PROFILES = { alpha: [...PLATFORMS], beta: ['instagram', 'facebook', 'tiktok', 'youtube'], gamma: ['x', 'threads', 'bluesky', 'reddit', 'pinterest'] } as const;
const dir = tempDir('upw-parity-');
// A request timed out on a loaded machine is retried and logged twice: not what is under test.
const PATIENT_MS = 15_000;

let sim: Simulator;
let h: Harness;
let clock = new Date(`${TODAY}T12:00:00Z`);

beforeAll(async () => {
  sim = await startSimulator({
    seed: 7,
    now: () => clock,
    rateLimitPerMinute: Number.POSITIVE_INFINITY,
    profiles: [
      { username: 'alpha', platforms: [...PROFILES.alpha] },
      { username: 'beta', platforms: [...PROFILES.beta] },
      // Created inside the window: no snapshots before 2026-01-20.
      { username: 'gamma', platforms: [...PROFILES.gamma], createdAt: '2026-01-20T08:00:00Z' },
    ],
    ruleChanges: [
      // Inside the backfilled span, one changed back.
      { platform: 'instagram', primary_impressions_field: 'impressions', fromDay: '2026-01-10' },
      { platform: 'instagram', primary_impressions_field: 'reach', fromDay: '2026-02-20' },
      { platform: 'youtube', primary_impressions_field: 'views', metric_type: 'views', fromDay: '2025-11-01' },
      { platform: 'bluesky', primary_impressions_field: 'likes', fromDay: '2026-03-01' },
      // While the collector is down (03-11…03-14).
      { platform: 'x', primary_impressions_field: 'likes', fromDay: '2026-03-12' },
      { platform: 'reddit', primary_impressions_field: 'comments', fromDay: '2026-03-13' },
    ],
  });
  // A zero that must still appear in the breakdowns.
  sim.world.set('beta', 'tiktok', '2026-03-03', 'impressions', 0);
  h = harness(dir, sim.url, { profiles: Object.entries(PROFILES).map(([username, platforms]) => ({ username, platforms: [...platforms] })), posts: { track: false } }, { client: { timeoutMs: PATIENT_MS } });
  vi.useFakeTimers({ toFake: ['Date'] });
  const setNow = (day: string) => {
    clock = new Date(`${day}T12:00:00Z`);
    vi.setSystemTime(clock);
  };
  try {
    setNow('2026-03-05');
    const b = await backfill(h.deps, { ranges: [{ since: FIRST, until: '2026-03-05' }] });
    expect(b.run.status).toBe('ok');
    for (const day of eachDay('2026-03-06', '2026-03-10')) {
      setNow(day);
      expect((await h.collect()).run.status).toBe('ok');
    }
    setNow(TODAY);
    await daemonStartUp({ wh: h.wh, client: h.client, config: h.deps.config });
  } finally {
    vi.useRealTimers();
  }
}, 120_000);

afterAll(async () => {
  h?.wh.close();
  await sim?.close();
});

async function expectParity(profile: string, query: Record<string, string>): Promise<void> {
  const remote = await liveText(sim, profile, query);
  // The simulator refuses ranges over 366 days, as the API may (its limit is unknown, FACTS.md);
  // the warehouse answers them. Not a parity question.
  if (remote.status === 400 && remote.text.includes('Date range too long')) return;
  let local: unknown;
  try {
    local = totalImpressions(h.wh, profile, { ...query, as_of: TODAY } as ImpressionsQuery);
  } catch (error) {
    if (!(error instanceof BadInputError)) throw error;
    expect(remote.status, `local rejected ${JSON.stringify(query)}: ${error.message}`).toBe(400);
    return;
  }
  expect(remote.status, JSON.stringify({ query, body: remote.text })).toBe(200);
  // Serialized text: key order included.
  expect(JSON.stringify(local), JSON.stringify(query)).toBe(remote.text);
}

const day = fc.integer({ min: -430, max: 5 }).map((n) => addDays(TODAY, n));
const platformList = fc
  .subarray([...PLATFORMS, 'myspace'], { minLength: 0, maxLength: 5 })
  .chain((names) => fc.tuple(fc.constant(names), fc.array(fc.boolean(), { minLength: names.length, maxLength: names.length })))
  // Mixed case and stray spaces, as users type them.
  .map(([names, upper]) => names.map((n, i) => (upper[i] ? ` ${n.toUpperCase()}` : n)).join(','));
const metricList = fc.array(fc.constantFrom(...QUERY_METRICS), { minLength: 1, maxLength: 5 }).map((m) => m.join(','));
const range = fc.oneof(
  fc.record({ date: day }),
  fc.record({ period: fc.constantFrom('last_day', 'last_week', 'last_month', 'last_3months', 'last_year') }),
  fc.record({ start_date: day, end_date: day }, { requiredKeys: [] }),
);
const query = fc
  .tuple(range, fc.option(platformList, { nil: undefined }), fc.option(metricList, { nil: undefined }), fc.boolean())
  .map(([r, platform, metrics, breakdown]) => {
    const q: Record<string, string> = { ...r };
    if (platform !== undefined) q.platform = platform;
    if (metrics !== undefined) q.metrics = metrics;
    if (breakdown) q.breakdown = 'true';
    return q;
  });

describe('parity with the simulator, through the collector, the daemon and the backfill', () => {
  it('holds every day of every profile, the over-long first range split in halves the server accepted', () => {
    expect(gaps(h.wh, PROFILES, TODAY)).toEqual([]);
    const asked = sim.requests().filter((r) => r.route === 'total-impressions' && r.profile === 'alpha');
    const x = asked.filter((r) => r.query.platform === 'x' && r.query.metrics !== undefined);
    expect(x.map((r) => [r.query.start_date, r.query.end_date, r.status])).toEqual([
      [FIRST, '2026-03-05', 400],
      [FIRST, '2025-08-22', 200],
      ['2025-08-23', '2026-03-05', 200],
    ]);
    // The days missed while down, all ten platforms a day at once, in both modes.
    const days = asked.filter((r) => r.query.date !== undefined).map((r) => `${r.query.date} ${r.query.metrics === undefined ? 'counted' : 'metrics'}`);
    expect(days.sort()).toEqual(eachDay('2026-03-11', '2026-03-14').flatMap((d) => [`${d} counted`, `${d} metrics`]));
  });

  it('answers hundreds of generated queries exactly as the live endpoint does', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(PROFILES)), query, async (profile, q) => expectParity(profile, q)),
      { numRuns: 400, seed: 20260315 },
    );
  });

  it('agrees across the rule changes on the days around them, those made while the collector was down included', async () => {
    const around: Array<Record<string, string>> = [
      { start_date: '2026-01-05', end_date: '2026-01-15', breakdown: 'true', platform: 'instagram' },
      { start_date: '2026-02-15', end_date: '2026-02-25', breakdown: 'true' },
      { start_date: '2025-10-25', end_date: '2025-11-05', breakdown: 'true', platform: 'youtube,x' },
      { start_date: '2026-02-25', end_date: '2026-03-05', breakdown: 'true', platform: 'bluesky,pinterest' },
      { start_date: '2026-03-09', end_date: TODAY, breakdown: 'true', platform: 'x,reddit' },
      { start_date: '2026-03-09', end_date: TODAY, breakdown: 'true', metrics: 'likes,impressions,comments' },
    ];
    for (const q of around) for (const profile of Object.keys(PROFILES)) await expectParity(profile, q);
  });

  it('agrees on the breakdown of a zero value', async () => {
    await expectParity('beta', { date: '2026-03-03', breakdown: 'true', platform: 'tiktok' });
  });

  it('rejects the same bad input the endpoint rejects', async () => {
    const bad: Array<Record<string, string>> = [{ date: '2026-02-30' }, { start_date: '2026-3-1' }, { period: 'last_decade' }, { metrics: 'likes,clicks' }, { start_date: '2026-03-10', end_date: '2026-03-01' }];
    for (const q of bad) await expectParity('alpha', q);
  });
});
