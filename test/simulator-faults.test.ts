// Injected failures by day, profile, platform and route, the platform-level and
// total-impressions-specific kinds, and the refusal of an over-long range: what the
// collector's and the backfill's error branches are driven by.
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../src/simulator/index.js';
import type { FaultKind, Simulator, SimulatorOptions } from '../src/simulator/index.js';

const opened: Simulator[] = [];
let now = new Date('2026-03-03T12:00:00Z');
const PROFILES: SimulatorOptions['profiles'] = [
  { username: 'a', platforms: ['instagram', 'youtube', 'reddit'] },
  { username: 'b', platforms: ['instagram', 'youtube'] },
];

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ now: () => now, profiles: PROFILES, ...options });
  opened.push(sim);
  return sim;
}
async function get(sim: Simulator, path: string): Promise<Response> {
  return fetch(sim.url + path, { headers: { Authorization: 'Apikey demo-key' }, signal: AbortSignal.timeout(2000) });
}
async function json(sim: Simulator, path: string): Promise<{ status: number; body: any }> {
  const res = await get(sim, path);
  return { status: res.status, body: await res.json() };
}

afterEach(async () => {
  now = new Date('2026-03-03T12:00:00Z');
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

describe('faults on given days', () => {
  it('makes one profile miss one server day, every time it asks that day', async () => {
    const sim = await start();
    sim.faults.add({ kind: 'http500', profile: 'a', day: '2026-03-04', times: Infinity });
    const statuses: string[] = [];
    for (const [iso, profile] of [['2026-03-03T23:59:59Z', 'a'], ['2026-03-04T00:00:00Z', 'a'], ['2026-03-04T18:00:00Z', 'a'], ['2026-03-04T18:00:00Z', 'b'], ['2026-03-05T00:00:00Z', 'a']] as const) {
      now = new Date(iso);
      statuses.push(`${iso.slice(0, 10)} ${profile} ${(await get(sim, `/analytics/${profile}?platforms=instagram`)).status}`);
    }
    expect(statuses).toEqual(['2026-03-03 a 200', '2026-03-04 a 500', '2026-03-04 a 500', '2026-03-04 b 200', '2026-03-05 a 200']);
    expect((await get(sim, '/uploadposts/total-impressions/a')).status).toBe(200); // 5 March
  });

  it('fails only one platform of one profile on that day, the others answering in the same request', async () => {
    const sim = await start();
    sim.faults.add({ kind: 'platformError', profile: 'a', platform: 'instagram', day: '2026-03-04', times: Infinity });
    sim.faults.add({ kind: 'platformUnavailable', profile: 'a', platform: 'reddit', day: '2026-03-04', times: Infinity });
    now = new Date('2026-03-04T08:00:00Z');
    const on = (await json(sim, '/analytics/a?platforms=instagram,youtube,reddit')).body;
    expect(on.instagram).toEqual({ error: 'Token expired for instagram' });
    expect(on.reddit).toBe('reddit_unavailable');
    expect(typeof on.youtube.followers).toBe('number');
    expect(typeof (await json(sim, '/analytics/b?platforms=instagram')).body.instagram.followers).toBe('number');
    now = new Date('2026-03-05T08:00:00Z');
    const after = (await json(sim, '/analytics/a?platforms=instagram,reddit')).body;
    expect([typeof after.instagram.followers, typeof after.reddit.followers]).toEqual(['number', 'number']);
  });

  it('matches the day in the server zone', async () => {
    // 16:00 UTC on 3 March is already 4 March in Tokyo.
    now = new Date('2026-03-03T16:00:00Z');
    const tokyo = await start({ serverTimezone: 'Asia/Tokyo' });
    tokyo.faults.add({ kind: 'http503', day: '2026-03-04' });
    const utc = await start();
    utc.faults.add({ kind: 'http503', day: '2026-03-04' });
    expect((await get(tokyo, '/uploadposts/users')).status).toBe(503);
    expect((await get(utc, '/uploadposts/users')).status).toBe(200);
    expect(utc.faults.pending()).toBe(1);
  });

  it('refuses a rule whose day is not a calendar day', async () => {
    const sim = await start();
    expect(() => sim.faults.add({ kind: 'http500', day: '2026-02-30' })).toThrow(/2026-02-30/);
    expect(() => sim.faults.add({ kind: 'platformUnavailable' })).toThrow(/platform/);
  });
});

describe('platform-level kinds', () => {
  it('answers <platform>_unavailable as a plain string, {message} or {error}', async () => {
    const sim = await start();
    sim.faults.add({ kind: 'platformUnavailable', platform: 'reddit' });
    sim.faults.add({ kind: 'platformUnavailable', platform: 'reddit', shape: 'message' });
    sim.faults.add({ kind: 'platformUnavailable', platform: 'reddit', shape: 'error' });
    sim.faults.add({ kind: 'platformUnavailable', platform: 'instagram', shape: 'string' });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push((await json(sim, '/analytics/a?platforms=reddit')).body.reddit);
    expect(answers).toEqual(['reddit_unavailable', { message: 'reddit_unavailable' }, { error: 'reddit_unavailable' }]);
    expect((await json(sim, '/analytics/a?platforms=instagram')).body.instagram).toBe('instagram_unavailable');
  });

  it('never applies to other routes unless told to', async () => {
    const sim = await start();
    sim.faults.add({ kind: 'platformUnavailable', platform: 'reddit' });
    expect((await json(sim, '/uploadposts/total-impressions/a?platform=reddit')).status).toBe(200);
    expect(sim.faults.pending()).toBe(1);
  });
});

describe('total-impressions faults', () => {
  it('answers a 200 without per_platform and per_day for noBreakdown, totals unchanged', async () => {
    const sim = await start();
    sim.faults.add({ kind: 'noBreakdown' });
    // noBreakdown belongs to total-impressions: an analytics request leaves it queued.
    expect((await get(sim, '/analytics/a?platforms=instagram')).status).toBe(200);
    const cut = await json(sim, '/uploadposts/total-impressions/a?breakdown=true');
    const whole = await json(sim, '/uploadposts/total-impressions/a?breakdown=true');
    expect(cut.status).toBe(200);
    expect(Object.keys(cut.body)).toEqual(['success', 'profile_username', 'start_date', 'end_date', 'total_impressions']);
    expect(Object.keys(whole.body)).toContain('per_day');
    expect(cut.body.total_impressions).toBe(whole.body.total_impressions);
  });

  it('answers http400 in each endpoint\'s documented shape, rate headers included', async () => {
    const sim = await start();
    sim.faults.add({ kind: 'http400', route: 'total-impressions', message: 'Date range too long' });
    sim.faults.add({ kind: 'http400', route: 'history' });
    const total = await get(sim, '/uploadposts/total-impressions/a');
    expect([total.status, await total.json()]).toEqual([400, { success: false, error: 'Date range too long' }]);
    expect(total.headers.get('x-ratelimit-remaining')).not.toBeNull();
    expect(await json(sim, '/uploadposts/history')).toEqual({ status: 400, body: { error: 'Bad Request' } });
  });

  it('lets every whole-answer kind target total-impressions by route, profile, platform and day', async () => {
    const expected: [FaultKind, number | 'unparsable' | 'no answer'][] = [
      ['http400', 400], ['http500', 500], ['http502', 502], ['http503', 503], ['unauthorized', 401], ['notFound', 404],
      ['rateLimited', 429], ['malformed', 'unparsable'], ['timeout', 'no answer'], ['reset', 'no answer'],
    ];
    const sim = await start();
    const seen: [FaultKind, number | string][] = [];
    for (const [kind] of expected) {
      sim.faults.add({ kind, route: 'total-impressions', profile: 'a', platform: 'youtube', day: '2026-03-03', resetInSeconds: 7 });
      // Requests the rule does not match: another platform, another profile, another route.
      for (const path of ['/uploadposts/total-impressions/a?platform=instagram', '/uploadposts/total-impressions/b?platform=youtube', '/analytics/a?platforms=youtube']) {
        expect([kind, path, (await get(sim, path)).status]).toEqual([kind, path, 200]);
      }
      try {
        const res = await get(sim, '/uploadposts/total-impressions/a?platform=youtube,instagram');
        const text = await res.text();
        let parsed = true;
        try { JSON.parse(text); } catch { parsed = false; }
        seen.push([kind, parsed ? res.status : 'unparsable']);
        if (kind === 'rateLimited') expect(res.headers.get('x-ratelimit-reset')).toBe(String(Date.parse('2026-03-03T12:00:07Z') / 1000));
        if (kind === 'notFound' || kind === 'unauthorized') expect(res.headers.get('x-ratelimit-limit')).toBeNull();
      } catch {
        seen.push([kind, 'no answer']);
      }
      expect(sim.faults.pending()).toBe(0);
    }
    expect(seen).toEqual(expected);
  });
});

describe('the longest range', () => {
  it('answers last_year (366 days with both ends) and refuses one day more with a 400', async () => {
    now = new Date('2026-03-15T12:00:00Z');
    const sim = await start();
    expect((await json(sim, '/uploadposts/total-impressions/a?period=last_year')).body.start_date).toBe('2025-03-15');
    expect((await json(sim, '/uploadposts/total-impressions/a?start_date=2025-03-15&end_date=2026-03-15')).status).toBe(200);
    // 14 March 2025 to 15 March 2026: 366 days apart, 367 counted with both ends.
    const { status, body } = await json(sim, '/uploadposts/total-impressions/a?start_date=2025-03-14&end_date=2026-03-15');
    expect(status).toBe(400);
    expect(body.success).toBe(false);
    expect(body.error).toContain('367 days');
  });

  it('takes its maximum from maxRangeDays, even when a period exceeds it', async () => {
    now = new Date('2026-03-15T12:00:00Z');
    const sim = await start({ maxRangeDays: 90 });
    // 1 January to 31 March is 31 + 28 + 31 = 90 days; one more day is too many.
    expect((await get(sim, '/uploadposts/total-impressions/a?start_date=2026-01-01&end_date=2026-03-31')).status).toBe(200);
    expect((await get(sim, '/uploadposts/total-impressions/a?start_date=2025-12-31&end_date=2026-03-31')).status).toBe(400);
    // last_3months is today−90 … today: 91 days.
    expect((await get(sim, '/uploadposts/total-impressions/a?period=last_3months')).status).toBe(400);
    expect((await get(sim, '/uploadposts/total-impressions/a?period=last_month')).status).toBe(200);
  });
});
