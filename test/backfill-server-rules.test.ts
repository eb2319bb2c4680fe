/**
 * Issue 11, items 2, 4 and 5, with `upw backfill` as a user runs it: a backfill
 * across rule changes the server made in the past matches the live endpoint,
 * files no number under another metric's name and dates the rules it learned;
 * a backfill at 00:30 in a zone ahead of the server leaves the server's open
 * day open; and the views add what the query adds for a platform whose rule
 * no answer named.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { openWarehouse } from '../src/store/warehouse.js';
import { totalImpressions } from '../src/query/impressions.usecases.js';
import { runCli, tempDir } from './helpers.js';
import { answerSums, compact, liveText, viewSums } from './support/parity.js';
import { falseNumbers, falseRules } from './support/truth-checks.js';
import { inspect, simEnv, writeConfig } from './support/upw-process.js';
import { instantAt } from './support/zones.js';

const dir = tempDir('upw-backfill-rules-');
let sim: Simulator;
let clock = new Date('2026-03-10T12:00:00Z');
const env = () => simEnv(sim, { UPW_NOW: clock.toISOString() });

beforeAll(async () => {
  sim = await startSimulator({
    seed: 31,
    now: () => clock,
    rateLimitPerMinute: Number.POSITIVE_INFINITY,
    profiles: [
      { username: 'rules', platforms: ['x', 'instagram', 'bluesky'] },
      { username: 'open', platforms: ['x', 'facebook'] },
      { username: 'unruled', platforms: ['bluesky', 'x'] },
    ],
    // In the past of the backfill's today (03-10): x counted likes from 03-05, Instagram
    // impressions (an alias of views) from 03-06, Bluesky likes on 03-03 and 03-04 only.
    ruleChanges: [
      { platform: 'x', primary_impressions_field: 'likes', fromDay: '2026-03-05' },
      { platform: 'instagram', primary_impressions_field: 'impressions', fromDay: '2026-03-06' },
      { platform: 'bluesky', primary_impressions_field: 'likes', fromDay: '2026-03-03' },
      { platform: 'bluesky', primary_impressions_field: 'engagement', fromDay: '2026-03-05' },
    ],
  });
});

afterAll(async () => {
  await sim?.close();
});

async function impressionsJson(db: string, profile: string, q: Record<string, string>): Promise<string> {
  const flags = Object.entries(q).flatMap(([k, v]) => (v === 'true' ? [`--${k.replace('_', '-')}`] : [`--${k.replace('_', '-')}`, v]));
  const r = await runCli(['impressions', profile, '--db', db, '--json', ...flags], { env: env() });
  expect(r.code).toBe(0);
  return compact(r.stdout);
}

describe('a backfill across rule changes the server made in the past', () => {
  const db = join(dir, 'rules.sqlite');

  beforeAll(async () => {
    clock = new Date('2026-03-10T12:00:00Z');
    const config = writeConfig(dir, { profiles: [{ username: 'rules' }], posts: { track: false } }, 'rules.config.mjs');
    const r = await runCli(['backfill', '--config', config, '--db', db, '--since', '2026-03-01'], { env: env() });
    expect(r.code).toBe(0);
  });

  it('answers three-day ranges across each change exactly as the live endpoint, as JSON text', async () => {
    const queries: Array<Record<string, string>> = [
      { start_date: '2026-03-04', end_date: '2026-03-06' },
      { start_date: '2026-03-04', end_date: '2026-03-06', breakdown: 'true' },
      { start_date: '2026-03-02', end_date: '2026-03-05', platform: 'bluesky', breakdown: 'true' },
      { start_date: '2026-03-05', end_date: '2026-03-07', platform: 'instagram,x', breakdown: 'true' },
      { start_date: '2026-03-01', end_date: '2026-03-10', metrics: 'likes,impressions,reach,views', breakdown: 'true' },
    ];
    for (const q of queries) {
      expect(await impressionsJson(db, 'rules', q), JSON.stringify(q)).toBe((await liveText(sim, 'rules', q)).text);
    }
  });

  it("shows in v_daily_metrics only each metric's own numbers, and in v_daily_impressions what the server counted", () => {
    const wh = openWarehouse(db, { readonly: true });
    try {
      expect(falseNumbers(wh, sim)).toEqual([]);
      // x's likes on 03-05 are likes, and its impressions are impressions: different numbers.
      const x = Object.fromEntries(wh.sqlite.prepare("SELECT metric, value FROM v_daily_metrics WHERE platform = 'x' AND day = '2026-03-05' AND metric IN ('likes', 'impressions')").raw().all() as Array<[string, number]>);
      expect(x).toEqual({ likes: sim.world.snapshot('rules', 'x', '2026-03-05')!.likes, impressions: sim.world.snapshot('rules', 'x', '2026-03-05')!.impressions });
      expect(x.likes).not.toBe(x.impressions);
    } finally {
      wh.close();
    }
  });

  it('dates the rules it learned in v_platform_rules', () => {
    inspect(db, (d) => {
      const rows = d.prepare("SELECT platform, valid_from, valid_to, primary_field FROM v_platform_rules WHERE platform IN ('x', 'bluesky') ORDER BY platform, valid_from IS NOT NULL, valid_from").raw().all();
      expect(rows).toEqual([
        // Bluesky's engagement is not a field metrics mode brings: those days are known only not to be likes.
        ['bluesky', null, '2026-03-03', 'engagement'],
        ['bluesky', '2026-03-03', '2026-03-05', 'likes'],
        ['bluesky', '2026-03-05', null, 'engagement'],
        ['x', null, '2026-03-05', 'impressions'],
        ['x', '2026-03-05', null, 'likes'],
      ]);
    });
    const wh = openWarehouse(db, { readonly: true });
    expect(falseRules(wh, sim)).toEqual([]);
    wh.close();
  });
});

describe('a backfill at 00:30 in Tokyo, a zone ahead of the server (UTC)', () => {
  it("leaves the server's still-open day open: a rerun the next day asks for it again and keeps its final count", async () => {
    const db = join(dir, 'open.sqlite');
    const config = writeConfig(dir, { profiles: [{ username: 'open' }], timezone: 'Asia/Tokyo', posts: { track: false } }, 'open.config.mjs');
    const backfillAt = async (local: string, until: string) => {
      clock = instantAt(local, '00:30', 'Asia/Tokyo');
      sim.clearLog();
      const r = await runCli(['backfill', '--config', config, '--db', db, '--since', '2026-03-10', '--until', until], { env: env() });
      expect(r.code).toBe(0);
      return r.stdout;
    };
    // 00:30 on 03-15 in Tokyo is 15:30 on 03-14 in UTC: the server's day 03-14 is still open.
    // `--until` the user's today: the server holds nothing after its own.
    expect(await backfillAt('2026-03-15', '2026-03-15')).toMatch(/^backfill run 1 for 2026-03-10…2026-03-14: ok/);
    // The rest of the server's day: x's count grows.
    const field = sim.world.ruleOn('x', '2026-03-14').primary_impressions_field;
    const final = sim.world.snapshot('open', 'x', '2026-03-14')![field]! + 500;
    sim.world.set('open', 'x', '2026-03-14', field, final);
    // The next night, the same range again: 03-14 was read while open, so it is asked again.
    expect(await backfillAt('2026-03-16', '2026-03-14')).toMatch(/^backfill run 2 for 2026-03-10…2026-03-14: ok — 3 imported, 0 already complete/);
    expect(sim.requests().filter((r) => r.route === 'total-impressions').map((r) => `${r.query.platform} ${r.query.end_date}`).sort()).toEqual(['facebook 2026-03-14', 'facebook 2026-03-14', 'x 2026-03-14', 'x 2026-03-14']);
    inspect(db, (d) => expect(d.prepare("SELECT impressions FROM v_daily_impressions WHERE platform = 'x' AND day = '2026-03-14'").pluck().get()).toBe(final));
    const q = { start_date: '2026-03-10', end_date: '2026-03-14', breakdown: 'true' };
    expect(await impressionsJson(db, 'open', q)).toBe((await liveText(sim, 'open', q)).text);
  });
});

describe('a platform whose rule no answer named', () => {
  it('is added by v_daily_impressions exactly as by the query and the live endpoint', async () => {
    clock = new Date('2026-03-10T12:00:00Z');
    const db = join(dir, 'unruled.sqlite');
    const config = writeConfig(dir, { profiles: [{ username: 'unruled' }], posts: { track: false } }, 'unruled.config.mjs');
    // Bluesky's analytics fail, so only total-impressions speaks of it: its counts, no field name.
    sim.faults.add({ kind: 'platformError', profile: 'unruled', platform: 'bluesky', times: Number.POSITIVE_INFINITY });
    try {
      expect((await runCli(['backfill', '--config', config, '--db', db, '--since', '2026-03-06'], { env: env() })).code).toBe(5);
    } finally {
      sim.faults.clear();
    }
    const wh = openWarehouse(db, { readonly: true });
    try {
      expect(wh.sqlite.prepare("SELECT count(*) FROM platform_rules WHERE platform = 'bluesky' AND primary_field IS NOT NULL").pluck().get()).toBe(0);
      const q = { start_date: '2026-03-06', end_date: '2026-03-09', breakdown: 'true' };
      const answer = totalImpressions(wh, 'unruled', { ...q, as_of: '2026-03-10' });
      expect(JSON.stringify(answer)).toBe((await liveText(sim, 'unruled', q)).text);
      expect(Object.keys(answer.per_platform ?? {})).toEqual(['bluesky', 'x']);
      expect(viewSums(wh.sqlite, { impressions: true }, 'unruled', q.start_date, q.end_date)).toEqual(answerSums(answer));
    } finally {
      wh.close();
    }
  });
});
