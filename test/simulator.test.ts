// The simulator's total-impressions arithmetic, checked against numbers worked out by hand:
// a profile created on 2026-03-10, a clock stopped at 2026-03-15 noon, and overrides for
// every value the sums read, so that each expected number below can be added up on paper.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../src/simulator/index.js';
import type { Simulator } from '../src/simulator/index.js';

const NOW = new Date('2026-03-15T12:00:00Z');
const DAYS = ['2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13', '2026-03-14', '2026-03-15'];

let sim: Simulator;

async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(sim.url + path, { headers: { Authorization: 'Apikey demo-key' } });
  return { status: res.status, body: await res.json() };
}
const total = (query: string): Promise<{ status: number; body: any }> => get(`/uploadposts/total-impressions/calc${query}`);

beforeAll(async () => {
  sim = await startSimulator({
    now: () => NOW,
    profiles: [{ username: 'calc', platforms: ['instagram', 'youtube', 'facebook'], createdAt: '2026-03-10T08:00:00Z' }],
  });
  DAYS.forEach((day, i) => {
    sim.world.set('calc', 'instagram', day, 'reach', 100 + i); // 100..105, sum 615
    sim.world.set('calc', 'youtube', day, 'impressions', 10 * (i + 1)); // 10..60, sum 210
    sim.world.set('calc', 'facebook', day, 'reach', 1000); // sum 6000
    sim.world.set('calc', 'instagram', day, 'likes', 5);
    sim.world.set('calc', 'facebook', day, 'likes', 7);
  });
});
afterAll(() => sim.close());

describe('the simulated world', () => {
  it('has snapshots only from the profile creation day through today', () => {
    expect(sim.world.snapshot('calc', 'instagram', '2026-03-09')).toBeUndefined();
    expect(sim.world.snapshot('calc', 'instagram', '2026-03-10')?.reach).toBe(100);
    expect(sim.world.snapshot('calc', 'instagram', '2026-03-16')).toBeUndefined();
    expect(sim.world.snapshot('calc', 'x', '2026-03-12')).toBeUndefined();
  });

  it('generates the same non-negative integers for the same seed and different ones for another seed', async () => {
    const a = await startSimulator({ seed: 7, now: () => NOW });
    const b = await startSimulator({ seed: 7, now: () => NOW });
    const c = await startSimulator({ seed: 8, now: () => NOW });
    try {
      for (const day of ['2025-06-01', '2026-01-31', '2026-03-15']) {
        const snap = a.world.snapshot('acme-studio', 'tiktok', day);
        expect(snap).toEqual(b.world.snapshot('acme-studio', 'tiktok', day));
        for (const value of Object.values(snap ?? {})) expect(Number.isInteger(value) && value >= 0).toBe(true);
      }
      expect(a.world.snapshot('acme-studio', 'tiktok', '2026-03-15')).not.toEqual(c.world.snapshot('acme-studio', 'tiktok', '2026-03-15'));
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('lets followers grow without ever falling from one day to the next', async () => {
    const demo = await startSimulator({ now: () => NOW });
    try {
      const days = Array.from({ length: 120 }, (_, i) => new Date(Date.UTC(2025, 10, 1 + i)).toISOString().slice(0, 10));
      const followers = days.map((day) => demo.world.snapshot('nova-creators', 'youtube', day)?.followers ?? -1);
      for (let i = 1; i < followers.length; i++) expect(followers[i]).toBeGreaterThanOrEqual(followers[i - 1] ?? 0);
      expect(followers[0]).toBeGreaterThanOrEqual(0);
    } finally {
      await demo.close();
    }
  });
});

describe('total-impressions arithmetic', () => {
  it('sums each platform\'s primary field over the default range, today-30 through today', async () => {
    const { status, body } = await total('?breakdown=true');
    expect(status).toBe(200);
    expect(body.start_date).toBe('2026-02-13');
    expect(body.end_date).toBe('2026-03-15');
    expect(body.total_impressions).toBe(615 + 210 + 6000);
    expect(body.per_platform).toEqual({ facebook: 6000, instagram: 615, youtube: 210 });
    expect(Object.keys(body.per_platform)).toEqual(['facebook', 'instagram', 'youtube']);
    expect(body.per_day['2026-03-10']).toBe(100 + 10 + 1000);
    expect(body.per_day['2026-03-15']).toBe(105 + 60 + 1000);
    expect(Object.keys(body.per_day)).toEqual(DAYS);
  });

  it('answers the documented keys in order and leaves out breakdowns unless asked', async () => {
    const plain = await total('');
    expect(Object.keys(plain.body)).toEqual(['success', 'profile_username', 'start_date', 'end_date', 'total_impressions']);
    const full = await total('?platform=youtube&breakdown=TRUE');
    expect(Object.keys(full.body)).toEqual([
      'success', 'profile_username', 'start_date', 'end_date', 'total_impressions', 'platforms_filter', 'per_platform', 'per_day',
    ]);
  });

  it('counts a single date with date=', async () => {
    const { body } = await total('?date=2026-03-12');
    expect(body).toEqual({ success: true, profile_username: 'calc', start_date: '2026-03-12', end_date: '2026-03-12', total_impressions: 102 + 30 + 1000 });
  });

  it('gives each period its documented start, ending today', async () => {
    const expected: Record<string, string> = {
      last_day: '2026-03-14', last_week: '2026-03-08', last_month: '2026-02-13', last_3months: '2025-12-15', last_year: '2025-03-15',
    };
    for (const [period, start] of Object.entries(expected)) {
      const { body } = await total(`?period=${period}&start_date=2020-01-01&end_date=2020-01-02`);
      expect([period, body.start_date, body.end_date]).toEqual([period, start, '2026-03-15']);
    }
    expect((await total('?period=last_day')).body.total_impressions).toBe(104 + 105 + 50 + 60 + 2000);
  });

  it('prefers date over period and period over start/end', async () => {
    const { body } = await total('?date=2026-03-11&period=last_year&start_date=2026-03-01');
    expect([body.start_date, body.end_date, body.total_impressions]).toEqual(['2026-03-11', '2026-03-11', 101 + 20 + 1000]);
  });

  it('filters platforms case-insensitively and echoes the parsed filter', async () => {
    const { body } = await total('?platform=YouTube,%20instagram%20,,&breakdown=true');
    expect(body.platforms_filter).toEqual(['youtube', 'instagram']);
    expect(body.total_impressions).toBe(825);
    expect(body.per_platform).toEqual({ instagram: 615, youtube: 210 });
  });

  it('sums requested metrics instead, once each, nested by metric in the breakdowns', async () => {
    const { body } = await total('?metrics=likes,%20likes,reach&platform=instagram,facebook&breakdown=true');
    expect(body.metrics).toEqual({ likes: 6 * 5 + 6 * 7, reach: 615 + 6000 });
    expect(Object.keys(body.metrics)).toEqual(['likes', 'reach']);
    expect(body.per_platform).toEqual({ likes: { facebook: 42, instagram: 30 }, reach: { facebook: 6000, instagram: 615 } });
    expect(body.per_day.likes['2026-03-10']).toBe(12);
    expect('total_impressions' in body).toBe(false);
  });

  it('answers zero and empty breakdowns for a metric no considered platform has', async () => {
    const { body } = await total('?metrics=pin_clicks&breakdown=true');
    expect(body.metrics).toEqual({ pin_clicks: 0 });
    expect(body.per_platform).toEqual({ pin_clicks: {} });
    expect(body.per_day).toEqual({ pin_clicks: {} });
  });

  it('counts each day through the rule in force that day', async () => {
    const other = await startSimulator({ now: () => NOW, profiles: [{ username: 'calc', platforms: ['youtube'], createdAt: '2026-03-10' }] });
    try {
      DAYS.forEach((day, i) => {
        other.world.set('calc', 'youtube', day, 'impressions', 10 * (i + 1));
        other.world.set('calc', 'youtube', day, 'views', 1);
      });
      other.world.setRule('youtube', { primary_impressions_field: 'views' }, '2026-03-13');
      expect(other.world.ruleOn('youtube', '2026-03-12')).toEqual({ primary_impressions_field: 'impressions', metric_type: 'views' });
      expect(other.world.ruleOn('youtube', '2026-03-13')).toEqual({ primary_impressions_field: 'views', metric_type: 'views' });
      const res = await fetch(`${other.url}/uploadposts/total-impressions/calc`, { headers: { Authorization: 'Apikey demo-key' } });
      expect(((await res.json()) as any).total_impressions).toBe(10 + 20 + 30 + 1 + 1 + 1);
      const rules = (await (await fetch(`${other.url}/uploadposts/platform-metrics`)).json()) as any;
      expect(rules.youtube.primary_impressions_field).toBe('views');
      expect('metric_type' in rules.youtube).toBe(false);
    } finally {
      await other.close();
    }
  });

  it('rejects bad input with a 400 that names the bad value', async () => {
    const cases: [string, string][] = [
      ['?date=2026-02-30', '2026-02-30'],
      ['?start_date=2026-3-01', '2026-3-01'],
      ['?start_date=2026-03-10&end_date=2026-03-01', '2026-03-10'],
      ['?start_date=2026-03-16', '2026-03-16'],
      ['?metrics=likes,pins', 'pins'],
      ['?period=last_decade', 'last_decade'],
    ];
    for (const [query, named] of cases) {
      const { status, body } = await total(query);
      expect([query, status, body.success]).toEqual([query, 400, false]);
      expect(body.error).toContain(named);
    }
  });

  it('answers 404 for a profile it does not know', async () => {
    const { status, body } = await get('/uploadposts/total-impressions/nobody');
    expect(status).toBe(404);
    expect(body).toEqual({ success: false, message: 'Profile not found' });
  });
});
