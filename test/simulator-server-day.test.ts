// The server's day: the calendar day of the simulator's clock in serverTimezone, on every
// route, and the server's own clock in every answer's Date header. The instants below are
// picked on both sides of a zone's midnight; each expected day is worked out from the
// zone's offset (Tokyo +9 h all year; Los Angeles −7 h and New York −4 h after their DST
// starts on 2026-03-08, −5 h for New York before it).
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../src/simulator/index.js';
import type { Simulator, SimulatorOptions } from '../src/simulator/index.js';

// 16:00 UTC on 15 March is 01:00 on 16 March in Tokyo.
const LATE_UTC = new Date('2026-03-15T16:00:00Z');
const opened: Simulator[] = [];

async function start(options: SimulatorOptions): Promise<Simulator> {
  const sim = await startSimulator(options);
  opened.push(sim);
  return sim;
}
async function get(sim: Simulator, path: string, key = 'demo-key'): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(sim.url + path, { headers: { Authorization: `Apikey ${key}` } });
  return { status: res.status, body: await res.json(), headers: res.headers };
}
const dayOfZone = (iso: string, zone: string): string => new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date(iso));

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

describe('the server day', () => {
  it('is the calendar day of the clock in the server zone, UTC by default', async () => {
    const utc = await start({ now: () => LATE_UTC });
    const tokyo = await start({ now: () => LATE_UTC, serverTimezone: 'Asia/Tokyo' });
    const la = await start({ now: () => new Date('2026-03-16T03:00:00Z'), serverTimezone: 'America/Los_Angeles' });
    expect([utc.world.today(), tokyo.world.today(), la.world.today()]).toEqual(['2026-03-15', '2026-03-16', '2026-03-15']);
    expect(tokyo.world.serverTimezone()).toBe('Asia/Tokyo');
  });

  it('turns at local midnight on both sides of a DST change', async () => {
    let now = new Date('2026-03-08T04:59:59Z');
    const ny = await start({ now: () => now, serverTimezone: 'America/New_York' });
    const days: string[] = [];
    for (const iso of ['2026-03-08T04:59:59Z', '2026-03-08T05:00:00Z', '2026-03-09T03:59:59Z', '2026-03-09T04:00:00Z']) {
      now = new Date(iso);
      days.push(ny.world.today());
      // The simulator's calendar agrees with the platform's own for the same instant.
      expect(ny.world.today()).toBe(dayOfZone(iso, 'America/New_York'));
    }
    expect(days).toEqual(['2026-03-07', '2026-03-08', '2026-03-08', '2026-03-09']);
  });

  it('moves with setServerTimezone and refuses a zone that does not exist', async () => {
    const sim = await start({ now: () => LATE_UTC });
    expect(sim.world.today()).toBe('2026-03-15');
    sim.setServerTimezone('Asia/Tokyo');
    expect(sim.world.today()).toBe('2026-03-16');
    expect((await get(sim, '/uploadposts/total-impressions/acme-studio')).body.end_date).toBe('2026-03-16');
    expect(() => sim.setServerTimezone('Mars/Olympus_Mons')).toThrow(RangeError);
    expect(sim.world.today()).toBe('2026-03-16');
  });

  it('ends total-impressions\' default range and periods on the server day', async () => {
    const utc = await start({ now: () => LATE_UTC });
    const tokyo = await start({ now: () => LATE_UTC, serverTimezone: 'Asia/Tokyo' });
    const range = async (sim: Simulator, query: string) => {
      const { body } = await get(sim, `/uploadposts/total-impressions/acme-studio${query}`);
      return [body.start_date, body.end_date];
    };
    // 16 March − 30 days: 16 days back to 28 February, 14 more to 14 February.
    expect(await range(tokyo, '')).toEqual(['2026-02-14', '2026-03-16']);
    expect(await range(utc, '')).toEqual(['2026-02-13', '2026-03-15']);
    expect(await range(tokyo, '?period=last_week')).toEqual(['2026-03-09', '2026-03-16']);
  });

  it('holds a snapshot for the server day that UTC has not reached yet', async () => {
    const profiles = [{ username: 'calc', platforms: ['instagram' as const], createdAt: '2026-03-10' }];
    const utc = await start({ now: () => LATE_UTC, profiles });
    const tokyo = await start({ now: () => LATE_UTC, profiles, serverTimezone: 'Asia/Tokyo' });
    for (const sim of [utc, tokyo]) {
      sim.world.set('calc', 'instagram', '2026-03-15', 'reach', 15);
      sim.world.set('calc', 'instagram', '2026-03-16', 'reach', 16);
    }
    expect(utc.world.snapshot('calc', 'instagram', '2026-03-16')).toBeUndefined();
    expect(tokyo.world.snapshot('calc', 'instagram', '2026-03-16')?.reach).toBe(16);
    // The live answer is the snapshot of the server day.
    expect((await get(tokyo, '/analytics/calc?platforms=instagram')).body.instagram.reach).toBe(16);
    expect((await get(utc, '/analytics/calc?platforms=instagram')).body.instagram.reach).toBe(15);
    expect((await get(tokyo, '/uploadposts/total-impressions/calc?date=2026-03-16')).body.total_impressions).toBe(16);
    expect((await get(utc, '/uploadposts/total-impressions/calc?date=2026-03-16')).body.total_impressions).toBe(0);
  });

  it('reads a bare createdAt as a server day and a full instant by the server zone', async () => {
    const profiles = [
      { username: 'bare', platforms: ['x' as const], createdAt: '2026-03-10' },
      // 20:00 UTC on the 10th is 05:00 on the 11th in Tokyo.
      { username: 'instant', platforms: ['x' as const], createdAt: '2026-03-10T20:00:00Z' },
    ];
    const tokyo = await start({ now: () => LATE_UTC, profiles, serverTimezone: 'Asia/Tokyo' });
    const utc = await start({ now: () => LATE_UTC, profiles });
    expect(tokyo.world.snapshot('bare', 'x', '2026-03-10')).toBeDefined();
    expect(tokyo.world.snapshot('bare', 'x', '2026-03-09')).toBeUndefined();
    expect(tokyo.world.snapshot('instant', 'x', '2026-03-10')).toBeUndefined();
    expect(tokyo.world.snapshot('instant', 'x', '2026-03-11')).toBeDefined();
    expect(utc.world.snapshot('instant', 'x', '2026-03-10')).toBeDefined();
  });

  it('ends the analytics series on the server day', async () => {
    const tokyo = await start({ now: () => LATE_UTC, serverTimezone: 'Asia/Tokyo' });
    const series = (await get(tokyo, '/analytics/acme-studio?platforms=instagram')).body.instagram.reach_timeseries;
    expect(series).toHaveLength(30);
    // 30 days ending 16 March start 29 days earlier: 15 February.
    expect([series[0].date, series[29].date]).toEqual(['2026-02-15', '2026-03-16']);
  });

  it('shows uploads from the first server day of a profile, by the server zone', async () => {
    // 40 profiles created on the server day 10 March (Tokyo): its first 9 hours are still 9 March in UTC.
    const profiles = Array.from({ length: 40 }, (_, i) => ({ username: `shop-${i}`, platforms: ['x' as const], createdAt: '2026-03-10' }));
    const tokyo = await start({ now: () => LATE_UTC, profiles, serverTimezone: 'Asia/Tokyo' });
    const firstDay: string[] = [];
    for (const { username } of profiles) {
      const { body } = await get(tokyo, `/uploadposts/history?profile_username=${username}&limit=100`);
      const days = body.history.map((r: any) => dayOfZone(r.upload_timestamp, 'Asia/Tokyo'));
      for (const day of days) expect(day >= '2026-03-10' && day <= '2026-03-16').toBe(true);
      for (const r of body.history) expect(Date.parse(r.upload_timestamp)).toBeLessThanOrEqual(LATE_UTC.getTime());
      firstDay.push(...body.history.filter((r: any) => r.upload_timestamp < '2026-03-10').map((r: any) => r.request_id));
    }
    // Uploads made before UTC midnight of the 10th but on Tokyo's 10th are shown: what a UTC day would hide.
    expect(firstDay.length).toBeGreaterThan(0);
  });

  it('dates post snapshots and cached reads by the server day', async () => {
    const tokyo = await start({ now: () => LATE_UTC, serverTimezone: 'Asia/Tokyo' });
    const post = tokyo.world.posts('acme-studio')[0]!;
    const { body } = await get(tokyo, `/uploadposts/post-analytics/${post.requestId}`);
    for (const entry of Object.values(body.platforms) as any[]) expect(entry.profile_snapshot_latest_date).toBe('2026-03-16');
    const cached = (await get(tokyo, '/uploadposts/post-analytics/cached?user=acme-studio')).body;
    expect(cached.until).toBe('2026-03-16');
    for (const row of cached.posts) expect(row.date).toBe('2026-03-16');
  });
});

describe('the Date header', () => {
  it('carries the simulator\'s clock on every answer, refusals included', async () => {
    const sim = await start({ now: () => LATE_UTC, rateLimitPerMinute: 1 });
    const answers = [
      await get(sim, '/analytics/acme-studio?platforms=x'),
      await get(sim, '/analytics/acme-studio?platforms=x'), // 429: the one request of the minute is used
      await get(sim, '/analytics/acme-studio?platforms=x', 'wrong'), // 401
      await get(sim, '/uploadposts/nowhere'), // 404
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 429, 401, 404]);
    // 15 March 2026 is a Sunday; this machine's clock is elsewhere.
    for (const a of answers) expect(a.headers.get('date')).toBe('Sun, 15 Mar 2026 16:00:00 GMT');
  });

  it('follows a moving clock', async () => {
    let now = LATE_UTC;
    const sim = await start({ now: () => now });
    now = new Date('2026-07-04T09:30:15Z');
    const { headers } = await get(sim, '/uploadposts/users');
    expect(Date.parse(headers.get('date') ?? '')).toBe(now.getTime());
  });
});
