// Parity: for hundreds of generated queries, the warehouse's answer (SQL over
// stored snapshots) is deep-equal, key order included, to the simulator's
// total-impressions answer (computed from its in-memory world by separate code).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../src/dates.js';
import { BadInputError } from '../src/errors.js';
import { PLATFORMS, QUERY_METRICS } from '../src/platforms.js';
import { totalImpressions } from '../src/query/impressions.usecases.js';
import type { ImpressionsQuery } from '../src/query/impressions.types.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { openWarehouse, type Warehouse } from '../src/store/warehouse.js';
import { fillFromWorld } from './impressions-fixtures.js';

const TODAY = '2026-03-15';
// The simulator keeps 400 days of history; copying all of it makes every range comparable.
const FIRST = addDays(TODAY, -399);
const PROFILES = ['alpha', 'beta', 'gamma'];

let sim: Simulator;
let wh: Warehouse;

beforeAll(async () => {
  sim = await startSimulator({
    seed: 7,
    now: () => new Date(`${TODAY}T12:00:00Z`),
    // The arithmetic is compared over every range, the 400 days kept included; the refusal
    // of over-long ranges (366 days by default) is the backfill's concern, tested there.
    maxRangeDays: Number.POSITIVE_INFINITY,
    profiles: [
      { username: 'alpha', platforms: [...PLATFORMS] },
      { username: 'beta', platforms: ['instagram', 'facebook', 'tiktok', 'youtube'] },
      // Created inside the window: no snapshots before 2026-01-20.
      { username: 'gamma', platforms: ['x', 'threads', 'bluesky', 'reddit', 'pinterest'], createdAt: '2026-01-20T08:00:00Z' },
    ],
  });
  // Dated rule changes inside the window, one of them changed back.
  sim.world.setRule('instagram', { primary_impressions_field: 'impressions' }, '2026-01-10');
  sim.world.setRule('instagram', { primary_impressions_field: 'reach' }, '2026-02-20');
  sim.world.setRule('youtube', { primary_impressions_field: 'views', metric_type: 'views' }, '2025-11-01');
  sim.world.setRule('bluesky', { primary_impressions_field: 'likes' }, '2026-03-01');
  // A zero that must still appear in the breakdowns.
  sim.world.set('beta', 'tiktok', '2026-03-03', 'impressions', 0);
  wh = openWarehouse(':memory:');
  // x and pinterest get no stored rule: the built-in defaults must agree with the server's.
  fillFromWorld(wh, sim.world, FIRST, TODAY, ['x', 'pinterest']);
});

afterAll(async () => {
  wh?.close();
  await sim?.close();
});

async function live(profile: string, query: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const url = new URL(`${sim.url}/uploadposts/total-impressions/${profile}`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const response = await fetch(url, { headers: { Authorization: 'Apikey demo-key' } });
  return { status: response.status, body: await response.json() };
}

async function expectParity(profile: string, query: Record<string, string>): Promise<void> {
  const remote = await live(profile, query);
  let local: unknown;
  try {
    local = totalImpressions(wh, profile, { ...query, as_of: TODAY } as ImpressionsQuery);
  } catch (error) {
    if (!(error instanceof BadInputError)) throw error;
    expect(remote.status, `local rejected ${JSON.stringify(query)}: ${error.message}`).toBe(400);
    return;
  }
  expect(remote.status, JSON.stringify({ query, body: remote.body })).toBe(200);
  expect(local).toStrictEqual(remote.body);
  // toStrictEqual ignores key order; the serialized text does not.
  expect(JSON.stringify(local)).toBe(JSON.stringify(remote.body));
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

describe('parity with the simulator', () => {
  it('answers hundreds of generated queries exactly as the live endpoint does', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PROFILES), query, async (profile, q) => expectParity(profile, q)),
      { numRuns: 400, seed: 20260315 },
    );
  });

  it('agrees across the rule changes on the days around them', async () => {
    const around: Array<Record<string, string>> = [
      { start_date: '2026-01-05', end_date: '2026-01-15', breakdown: 'true', platform: 'instagram' },
      { start_date: '2026-02-15', end_date: '2026-02-25', breakdown: 'true' },
      { start_date: '2025-10-25', end_date: '2025-11-05', breakdown: 'true', platform: 'youtube,x' },
      { start_date: '2026-02-25', end_date: '2026-03-05', breakdown: 'true', platform: 'bluesky,pinterest' },
    ];
    for (const q of around) for (const profile of PROFILES) await expectParity(profile, q);
  });

  it('agrees on the breakdown of a zero value', async () => {
    await expectParity('beta', { date: '2026-03-03', breakdown: 'true', platform: 'tiktok' });
  });

  it('rejects the same bad input the endpoint rejects', async () => {
    const bad: Array<Record<string, string>> = [{ date: '2026-02-30' }, { start_date: '2026-3-1' }, { period: 'last_decade' }, { metrics: 'likes,clicks' }, { start_date: '2026-03-10', end_date: '2026-03-01' }];
    for (const q of bad) await expectParity('alpha', q);
  });
});
