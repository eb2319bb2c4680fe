// Where the simulator follows docs/get-analytics.md and docs/rate-limits.md (issue 12):
// Facebook's `days`, google_business, Instagram's two demographics, YouTube's average view
// duration, the plan's rate limit and where its headers are absent, each endpoint's 400
// shape, and post analytics by platform id.
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_PROFILES, GOOGLE_BUSINESS_PROFILE, startSimulator } from '../src/simulator/index.js';
import type { Simulator, SimulatorOptions } from '../src/simulator/index.js';

let now = new Date('2026-03-15T12:00:00Z');
const opened: Simulator[] = [];

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ now: () => now, ...options });
  opened.push(sim);
  return sim;
}
async function get(sim: Simulator, path: string, key: string | null = 'demo-key'): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(sim.url + path, { headers: key === null ? {} : { Authorization: `Apikey ${key}` } });
  return { status: res.status, body: await res.json(), headers: res.headers };
}
const facebook = async (sim: Simulator, query = '') => (await get(sim, `/analytics/acme-studio?platforms=facebook${query}`)).body.facebook;
const sum = (points: { value: number }[]): number => points.reduce((n, p) => n + p.value, 0);

afterEach(async () => {
  now = new Date('2026-03-15T12:00:00Z');
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

describe('Facebook\'s days', () => {
  it('makes the live flows totals over that many days, and the series cover them', async () => {
    const sim = await start();
    const week = await facebook(sim, '&days=7');
    expect(week.period_days).toBe(7);
    expect(week.reach_timeseries.map((p: any) => p.date)).toEqual(['2026-03-09', '2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13', '2026-03-14', '2026-03-15']);
    expect(week.impressions_timeseries).toHaveLength(7);
    // Two days later every one of those seven days is final in a nine-day series: their sum is the week's total.
    now = new Date('2026-03-17T12:00:00Z');
    const later = await facebook(sim, '&days=9');
    expect(later.reach_timeseries[0].date).toBe('2026-03-09');
    expect(week.reach).toBe(sum(later.reach_timeseries.slice(0, 7)));
    expect(week.impressions).toBe(sum(later.impressions_timeseries.slice(0, 7)));
    expect(week.followers).toBe(sim.world.snapshot('acme-studio', 'facebook', '2026-03-15')?.followers);
  });

  it('leaves the stored daily snapshot, which total-impressions sums, at the 30-day rolling value', async () => {
    const sim = await start();
    const stored = sim.world.snapshot('acme-studio', 'facebook', '2026-03-15')?.reach;
    const [month, quarter, plain] = [await facebook(sim, '&days=30'), await facebook(sim, '&days=90'), await facebook(sim)];
    expect([month.reach, plain.reach, plain.period_days]).toEqual([stored, stored, 30]);
    expect(quarter.reach).toBeGreaterThan(month.reach);
    expect(quarter.reach_timeseries).toHaveLength(90);
    const total = await get(sim, '/uploadposts/total-impressions/acme-studio?date=2026-03-15&platform=facebook');
    expect(total.body.total_impressions).toBe(stored);
  });

  it('accepts 1 and 365 and refuses anything else with a 400 naming the value', async () => {
    const sim = await start();
    expect((await facebook(sim, '&days=1')).reach_timeseries).toHaveLength(1);
    expect((await facebook(sim, '&days=365')).reach_timeseries).toHaveLength(365);
    // Instagram's window is not Facebook's.
    expect((await get(sim, '/analytics/acme-studio?platforms=instagram&days=7')).body.instagram.reach_timeseries).toHaveLength(30);
    for (const days of ['0', '366', '7.5', 'week', '-3']) {
      const { status, body } = await get(sim, `/analytics/acme-studio?platforms=facebook&days=${days}`);
      expect([days, status, body.success]).toEqual([days, 400, false]);
      expect(body.error).toContain(days);
    }
  });
});

describe('google_business', () => {
  it('is connected only by the clearly named profile the googleBusiness option adds', async () => {
    const plain = await start();
    expect(plain.world.profiles()).toEqual(DEMO_PROFILES.map((p) => p.username));
    const sim = await start({ googleBusiness: true });
    expect(sim.world.profiles()).toEqual([...DEMO_PROFILES.map((p) => p.username), 'corner-bakery-google-business']);
    const { profiles } = (await get(sim, '/uploadposts/users')).body;
    const bakery = profiles.find((p: any) => p.username === GOOGLE_BUSINESS_PROFILE.username);
    expect(bakery.social_accounts.google_business).toMatchObject({ reauth_required: false });
    for (const p of profiles.filter((x: any) => x !== bakery)) expect(p.social_accounts.google_business).toBeNull();
  });

  it('answers analytics with its own rule, total-impressions and platform-metrics', async () => {
    const sim = await start({ googleBusiness: true });
    const user = GOOGLE_BUSINESS_PROFILE.username;
    const answer = (await get(sim, `/analytics/${user}?platforms=google_business,instagram`)).body;
    const gb = answer.google_business;
    expect([gb.primary_impressions_field, gb.metric_type]).toEqual(['impressions', 'impressions']);
    expect(gb.impressions).toBe(sim.world.snapshot(user, 'google_business', '2026-03-15')?.impressions);
    expect(gb.available_metrics).toContain('website_clicks');
    expect(gb.reach_timeseries).toHaveLength(30);
    expect(typeof answer.instagram.followers).toBe('number');
    sim.world.set(user, 'google_business', '2026-03-14', 'impressions', 400);
    sim.world.set(user, 'google_business', '2026-03-15', 'impressions', 25);
    const total = await get(sim, `/uploadposts/total-impressions/${user}?platform=google_business&start_date=2026-03-14&breakdown=true`);
    expect([total.body.total_impressions, total.body.per_platform]).toEqual([425, { google_business: 425 }]);
    expect((await get(sim, '/uploadposts/platform-metrics', null)).body.google_business.primary_impressions_field).toBe('impressions');
    expect((await get(sim, '/analytics/acme-studio?platforms=google_business')).body.google_business)
      .toEqual({ error: 'Google Business is not connected for this profile' });
  });
});

describe('Instagram demographics and YouTube\'s average view duration', () => {
  it('sends both demographics as {age, gender, country, city} maps of counts', async () => {
    const sim = await start({ profiles: [{ username: 'big', platforms: ['instagram'] }] });
    sim.world.set('big', 'instagram', '2026-03-15', 'followers', 5000);
    sim.world.set('big', 'instagram', '2026-03-15', 'profileViews', 800);
    const ig = (await get(sim, '/analytics/big?platforms=instagram')).body.instagram;
    for (const [field, population] of [['follower_demographics', 5000], ['engaged_audience_demographics', 800]] as const) {
      expect(Object.keys(ig[field])).toEqual(['age', 'gender', 'country', 'city']);
      for (const map of Object.values(ig[field]) as Record<string, number>[]) {
        for (const count of Object.values(map)) expect(Number.isInteger(count) && count >= 0).toBe(true);
      }
      const genders = Object.values(ig[field].gender as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(genders).toBeLessThanOrEqual(population);
      expect(genders).toBeGreaterThan(population * 0.9);
    }
  });

  it('answers {} below Meta\'s floor of 100, for each population on its own', async () => {
    const sim = await start({ profiles: [{ username: 'small', platforms: ['instagram'] }] });
    sim.world.set('small', 'instagram', '2026-03-15', 'followers', 99);
    sim.world.set('small', 'instagram', '2026-03-15', 'profileViews', 20);
    const small = (await get(sim, '/analytics/small?platforms=instagram')).body.instagram;
    expect([small.follower_demographics, small.engaged_audience_demographics]).toEqual([{}, {}]);
    sim.world.set('small', 'instagram', '2026-03-15', 'followers', 100);
    const grown = (await get(sim, '/analytics/small?platforms=instagram')).body.instagram;
    expect(Object.keys(grown.follower_demographics)).toHaveLength(4);
    expect(grown.engaged_audience_demographics).toEqual({});
  });

  it('derives YouTube\'s average_view_duration_seconds from watch time and views', async () => {
    const sim = await start({ profiles: [{ username: 'tube', platforms: ['youtube'] }] });
    sim.world.set('tube', 'youtube', '2026-03-15', 'views', 120);
    sim.world.set('tube', 'youtube', '2026-03-15', 'watch_time_minutes', 30);
    sim.world.set('tube', 'youtube', '2026-03-14', 'views', 0);
    // 30 minutes over 120 views: 1800 s / 120 = 15 s each.
    expect((await get(sim, '/analytics/tube?platforms=youtube')).body.youtube.average_view_duration_seconds).toBe(15);
    expect(sim.world.snapshot('tube', 'youtube', '2026-03-15')?.average_view_duration_seconds).toBe(15);
    expect(sim.world.snapshot('tube', 'youtube', '2026-03-14')?.average_view_duration_seconds).toBe(0);
  });
});

describe('rate-limit headers', () => {
  it('report a real plan by default: 500 a minute plus 2 per profile, at most 1000', async () => {
    const demo = await start();
    const first = await get(demo, '/uploadposts/users');
    // Four demo profiles on the business plan: 500 + 4 × 2.
    expect([first.headers.get('x-ratelimit-limit'), first.headers.get('x-ratelimit-remaining'), first.headers.get('x-ratelimit-reset')])
      .toEqual(['508', '507', String(Date.parse('2026-03-15T12:01:00Z') / 1000)]);
    const free = await start({ plan: 'free', profiles: [{ username: 'a' }, { username: 'b' }, { username: 'c' }] });
    expect((await get(free, '/uploadposts/users')).headers.get('x-ratelimit-limit')).toBe('66');
    const many = await start({ profileCount: 1000 });
    expect((await get(many, '/uploadposts/users')).headers.get('x-ratelimit-limit')).toBe('1000');
    const unlimited = await start({ rateLimitPerMinute: Number.POSITIVE_INFINITY });
    expect((await get(unlimited, '/uploadposts/users')).headers.get('x-ratelimit-limit')).toBe('1000000');
  });

  it('enforce that default: a free account with no profiles gets 60 answers a minute', async () => {
    const sim = await start({ plan: 'free', profiles: [] });
    const answers = [];
    for (let i = 0; i < 61; i++) answers.push(await get(sim, '/uploadposts/users'));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(60);
    expect(answers.at(-1)?.status).toBe(429);
    expect(answers[0]?.body.plan).toBe('free');
  });

  it('are absent where the live API sends none: platform-metrics, 401 and 404 answers', async () => {
    const sim = await start();
    const answers = {
      'platform-metrics': await get(sim, '/uploadposts/platform-metrics', null),
      '401': await get(sim, '/uploadposts/users', 'wrong'),
      '404 profile': await get(sim, '/analytics/nobody?platforms=x'),
      '404 post': await get(sim, '/uploadposts/post-analytics/req-nope-1'),
      '404 route': await get(sim, '/uploadposts/nothing'),
      '200': await get(sim, '/uploadposts/users'),
      '400': await get(sim, '/uploadposts/history?limit=7'),
    };
    const present = Object.fromEntries(Object.entries(answers).map(([name, a]) => [name, a.headers.get('x-ratelimit-limit') !== null]));
    expect(present).toEqual({ 'platform-metrics': false, '401': false, '404 profile': false, '404 post': false, '404 route': false, '200': true, '400': true });
  });
});

describe('400 answers', () => {
  it('use each endpoint\'s documented shape: history a bare {error}, the others {success: false, error}', async () => {
    const sim = await start();
    const shapes: Record<string, string[]> = {};
    for (const path of [
      '/analytics/acme-studio', '/uploadposts/total-impressions/acme-studio?date=2026-13-01', '/uploadposts/history?page=0',
      '/uploadposts/post-analytics/cached?user=acme-studio&cursor=nonsense', '/uploadposts/post-analytics?platform=x&user=acme-studio',
    ]) {
      const { status, body } = await get(sim, path);
      expect([path, status]).toEqual([path, 400]);
      shapes[path.split('?')[0] ?? path] = Object.keys(body);
    }
    expect(shapes).toEqual({
      '/analytics/acme-studio': ['success', 'error'], '/uploadposts/total-impressions/acme-studio': ['success', 'error'],
      '/uploadposts/history': ['error'], '/uploadposts/post-analytics/cached': ['success', 'error'], '/uploadposts/post-analytics': ['success', 'error'],
    });
  });
});

describe('post analytics by platform id', () => {
  it('finds an uploaded post by its id on the platform and answers what the request-id endpoint does', async () => {
    const sim = await start();
    const byRequest = async (requestId: string) => (await get(sim, `/uploadposts/post-analytics/${requestId}`)).body;
    const post = sim.world.posts('acme-studio').find((p) => !p.platforms.includes('tiktok'))!;
    const platform = post.platforms[0]!;
    const live = (await byRequest(post.requestId)).platforms[platform];
    const { status, body } = await get(sim, `/uploadposts/post-analytics?platform_post_id=${encodeURIComponent(live.platform_post_id)}&platform=${platform}&user=acme-studio`);
    expect(status).toBe(200);
    expect(body.post).toEqual({ platform_post_id: live.platform_post_id, platform, profile_username: 'acme-studio', source: 'api_uploaded', request_id: post.requestId });
    expect(body.platforms[platform].post_metrics).toEqual(live.post_metrics);
    expect(Object.keys(body.platforms[platform])).toEqual([
      'success', 'platform_post_id', 'post_metrics', 'post_metrics_source', 'available_metrics', 'metric_labels', 'primary_impressions_field',
    ]);
  });

  it('answers organic posts too, 404s an unknown user and counts against the live per-post window', async () => {
    const sim = await start({ postAnalyticsLimit: { max: 2, windowMs: 300_000 } });
    const organic = await get(sim, '/uploadposts/post-analytics?platform_post_id=18330983293218037&platform=instagram&user=acme-studio');
    expect(organic.body.post).toEqual({ platform_post_id: '18330983293218037', platform: 'instagram', profile_username: 'acme-studio', source: 'organic' });
    expect(typeof organic.body.platforms.instagram.post_metrics.views).toBe('number');
    expect(organic.headers.get('x-ratelimit-limit')).toBe('2');
    expect((await get(sim, '/uploadposts/post-analytics?platform_post_id=1&platform=x&user=nobody')).status).toBe(404);
    expect((await get(sim, '/uploadposts/post-analytics/abc123-def456')).status).toBe(429);
  });
});
