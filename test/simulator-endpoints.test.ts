// The shapes the simulator answers on each documented endpoint, over real loopback HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_PLATFORMS, PLATFORMS, startSimulator } from '../src/simulator/index.js';
import type { Simulator } from '../src/simulator/index.js';

let now = new Date('2026-03-15T12:00:00Z');
let sim: Simulator;

async function get(path: string, target: Simulator = sim): Promise<{ status: number; body: any }> {
  const res = await fetch(target.url + path, { headers: { Authorization: 'Apikey demo-key' } });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  sim = await startSimulator({
    now: () => now,
    profiles: [
      { username: 'acme-studio' }, { username: 'bluebird-cafe', platforms: ['instagram', 'facebook', 'tiktok', 'youtube'] },
      { username: 'myprofile', platforms: ['youtube', 'tiktok', 'instagram'] }, { username: 'doomed', platforms: ['x'] },
      { username: 'fresh', platforms: ['instagram'], createdAt: '2026-03-10' },
    ],
  });
});
afterAll(() => sim.close());

describe('GET /analytics/:profile', () => {
  it('answers every requested platform at the top level, names case-insensitive', async () => {
    const { status, body } = await get('/analytics/acme-studio?platforms=instagram,X,Linkedin,reddit,bluesky,discord');
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['instagram', 'x', 'linkedin', 'reddit', 'bluesky', 'discord']);
    expect(body.discord).toBe('Analytics are not supported for Discord.');
    expect(body.instagram.metric_type).toBe('reach');
    expect(body.instagram.primary_impressions_field).toBe('reach');
    expect(body.x.primary_impressions_field).toBe('impressions');
    // Left out on purpose so that clients fall back to platform-metrics or their defaults.
    expect('primary_impressions_field' in body.reddit).toBe(false);
    expect(body.bluesky.metric_type).toBe('engagement');
    expect(body.instagram.followers).toBe(sim.world.snapshot('acme-studio', 'instagram', '2026-03-15')?.followers);
    expect(body.instagram.available_metrics).toContain('profileViews');
    expect(body.instagram.metric_labels.profileViews).toBe('Accounts Engaged');
  });

  it('reports a 30-day series whose two newest days are still being revised', async () => {
    ['2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13', '2026-03-14', '2026-03-15']
      .forEach((day) => sim.world.set('fresh', 'instagram', day, 'reach', 100));
    const series = (await get('/analytics/fresh?platforms=instagram')).body.instagram.reach_timeseries;
    expect(series).toHaveLength(30);
    expect(series[0]).toEqual({ date: '2026-02-14', value: 0 }); // before the profile existed
    expect(series.slice(-3)).toEqual([
      { date: '2026-03-13', value: 100 }, { date: '2026-03-14', value: 80 }, { date: '2026-03-15', value: 60 },
    ]);
  });

  it('gives facebook rolling 30-day snapshot totals but a daily series', async () => {
    const first = (await get('/analytics/acme-studio?platforms=facebook')).body.facebook;
    expect(first.period_days).toBe(30);
    expect(first.impressions_timeseries).toHaveLength(30);
    now = new Date('2026-03-17T12:00:00Z');
    const later = (await get('/analytics/acme-studio?platforms=facebook')).body.facebook;
    now = new Date('2026-03-15T12:00:00Z');
    // Final daily values of 02-14 … 03-15 come from the two polls (each is final two days after).
    const finals = new Map<string, number>();
    for (const p of [...first.reach_timeseries.slice(0, 28), ...later.reach_timeseries.slice(0, 28)]) finals.set(p.date, p.value);
    expect(finals.size).toBe(30);
    const sum = [...finals.values()].reduce((a, b) => a + b, 0);
    expect(sim.world.snapshot('acme-studio', 'facebook', '2026-03-15')?.reach).toBe(sum);
  });

  it('says which platforms a profile has not connected', async () => {
    const { body } = await get('/analytics/bluebird-cafe?platforms=x,instagram');
    expect(body.x).toEqual({ error: 'X is not connected for this profile' });
    expect(typeof body.instagram.followers).toBe('number');
  });

  it('answers 400 without platforms and 404 for an unknown profile', async () => {
    expect(await get('/analytics/acme-studio')).toEqual({ status: 400, body: { success: false, error: 'platforms query parameter is required' } });
    expect(await get('/analytics/ghost?platforms=x')).toEqual({ status: 404, body: { success: false, message: 'Profile not found' } });
  });

  it('can wrap the platforms in {success, analytics}', async () => {
    const wrapped = await startSimulator({ now: () => now, analyticsWrapped: true });
    try {
      const { body } = await get('/analytics/acme-studio?platforms=youtube', wrapped);
      expect(body.success).toBe(true);
      expect(body.analytics.youtube.metric_type).toBe('views');
    } finally {
      await wrapped.close();
    }
  });
});

describe('platform-metrics and users', () => {
  it('serves platform-metrics for the ten platforms and google_business without a key', async () => {
    const res = await fetch(`${sim.url}/uploadposts/platform-metrics`);
    const body = (await res.json()) as any;
    expect(res.status).toBe(200);
    expect(Object.keys(body)).toEqual([...ALL_PLATFORMS]);
    expect(Object.keys(body)).toHaveLength(11);
    expect(body.instagram.primary_impressions_field).toBe('reach');
    expect(body.bluesky.primary_impressions_field).toBe('engagement');
  });

  it('lists profiles with connected accounts as objects, the rest as null, and mixed date formats', async () => {
    const { body } = await get('/uploadposts/users');
    expect(body.success).toBe(true);
    const bluebird = body.profiles.find((p: any) => p.username === 'bluebird-cafe');
    expect(bluebird.social_accounts.x).toBeNull();
    expect(bluebird.social_accounts.tiktok).toMatchObject({ reauth_required: false, capabilities: [] });
    const formats = body.profiles.map((p: any) => (/GMT$/.test(p.created_at) ? 'rfc1123' : 'iso'));
    expect(new Set(formats)).toEqual(new Set(['rfc1123', 'iso']));
    for (const p of body.profiles) expect(Number.isNaN(Date.parse(p.created_at))).toBe(false);
  });

  it('generates profileCount extra profiles with all ten platforms, cheaply', async () => {
    const big = await startSimulator({ now: () => now, profileCount: 10_000 });
    try {
      expect(big.world.profiles()).toHaveLength(4 + 10_000);
      expect(big.world.platformsOf('profile-10000')).toEqual([...PLATFORMS]);
      expect((await get('/analytics/profile-10001?platforms=x', big)).status).toBe(404);
      expect((await get('/analytics/profile-00042?platforms=x', big)).body.x.metric_type).toBe('impressions');
    } finally {
      await big.close();
    }
  });
});

describe('history and post analytics', () => {
  it('pages one row per platform of each upload, most recent first', async () => {
    const { body } = await get('/uploadposts/history?profile_username=acme-studio&limit=50&page=1');
    expect(body.limit).toBe(50);
    expect(body.history).toHaveLength(50);
    const times = body.history.map((r: any) => Date.parse(r.upload_timestamp));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const posts = sim.world.posts('acme-studio');
    expect(body.total).toBe(posts.reduce((n, p) => n + p.platforms.length, 0));
    const first = posts[0];
    expect(body.history.filter((r: any) => r.request_id === first?.requestId)).toHaveLength(first?.platforms.length ?? -1);
    const page2 = (await get('/uploadposts/history?profile_username=acme-studio&limit=50&page=2')).body.history;
    expect(page2[0]).not.toEqual(body.history[49]);
  });

  it('rejects a bad limit or page the way the API does', async () => {
    expect(await get('/uploadposts/history?limit=15')).toEqual({ status: 400, body: { error: 'Invalid limit' } });
    expect(await get('/uploadposts/history?page=0')).toEqual({ status: 400, body: { error: 'Invalid page' } });
  });

  it('answers the worked example of analytics-api.txt exactly', async () => {
    const { status, body } = await get('/uploadposts/post-analytics/abc123-def456');
    expect(status).toBe(200);
    expect(body.post).toEqual({
      request_id: 'abc123-def456', profile_username: 'myprofile', post_title: 'My Video', post_caption: 'Check this out!',
      media_type: 'video', upload_timestamp: '2026-02-10 14:30:00',
    });
    expect(body.platforms.youtube).toEqual({
      success: true, platform_post_id: 'dQw4w9WgXcQ', post_url: 'https://youtube.com/watch?v=dQw4w9WgXcQ',
      post_metrics: { views: 5200, likes: 120, comments: 8, favorites: 3 }, post_metrics_source: 'platform_api',
      profile_snapshot_at_post_date: { followers: 1500, impressions: 45000, likes: 320, comments: 15, shares: 8 },
      profile_snapshot_latest: { followers: 1650, impressions: 52000, likes: 410, comments: 22, shares: 12 },
      profile_snapshot_latest_date: '2026-02-20',
    });
    expect(body.platforms.tiktok.post_metrics_error).toBe('TikTok video not found (ID: 7123456789). The token may need to be refreshed.');
    expect('post_metrics' in body.platforms.tiktok).toBe(false);
    const one = await get('/uploadposts/post-analytics/abc123-def456?platform=youtube');
    expect(Object.keys(one.body.platforms)).toEqual(['youtube']);
  });

  it('grows post metrics with age and fails about one TikTok post in five', async () => {
    const many = await startSimulator({ now: () => now, postAnalyticsLimit: { max: 1000, windowMs: 300_000 } });
    let failed = 0;
    let fine = 0;
    try {
      for (const username of many.world.profiles()) {
        for (const post of many.world.posts(username).filter((p) => p.platforms.includes('tiktok'))) {
          const entry = (await get(`/uploadposts/post-analytics/${post.requestId}?platform=tiktok`, many)).body.platforms.tiktok;
          if (entry.post_metrics_error) failed += 1;
          else fine += 1;
          if (entry.post_metrics) expect(entry.post_metrics.views).toBeGreaterThanOrEqual(entry.post_metrics.reach);
        }
      }
    } finally {
      await many.close();
    }
    expect(failed / (failed + fine)).toBeGreaterThan(0.1);
    expect(failed / (failed + fine)).toBeLessThan(0.3);
    const young = sim.world.posts('acme-studio')[0];
    const before = (await get(`/uploadposts/post-analytics/${young?.requestId}`)).body;
    now = new Date('2026-03-20T12:00:00Z');
    const after = (await get(`/uploadposts/post-analytics/${young?.requestId}`)).body;
    now = new Date('2026-03-15T12:00:00Z');
    const platform = young?.platforms.find((p) => before.platforms[p].post_metrics) ?? 'none';
    expect(after.platforms[platform].post_metrics.views).toBeGreaterThan(before.platforms[platform].post_metrics.views);
  });

  it('replays live reads from the cached endpoint and 404s unknown posts', async () => {
    await get('/uploadposts/post-analytics/abc123-def456');
    const { body } = await get('/uploadposts/post-analytics/cached?user=myprofile&platform=youtube');
    expect(body.posts[0]).toMatchObject({ post_id: 'dQw4w9WgXcQ', platform: 'youtube', date: '2026-03-15', metrics: { views: 5200 } });
    expect(body.has_more).toBe(false);
    expect(await get('/uploadposts/post-analytics/req-nope-1')).toEqual({ status: 404, body: { detail: 'Post not found' } });
  });

  it('answers 404 everywhere for a deleted profile', async () => {
    sim.world.deleteProfile('doomed');
    expect((await get('/analytics/doomed?platforms=x')).status).toBe(404);
    expect((await get('/uploadposts/total-impressions/doomed')).status).toBe(404);
    expect((await get('/uploadposts/history?profile_username=doomed')).status).toBe(404);
    expect((await get('/uploadposts/post-analytics/cached?user=doomed')).status).toBe(404);
    expect((await get('/uploadposts/users')).body.profiles.map((p: any) => p.username)).not.toContain('doomed');
  });
});
