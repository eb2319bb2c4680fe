/**
 * Post tracking during collect, against the simulator over real loopback HTTP
 * and into a real SQLite file: the documented example stored exactly, one row
 * per post, platform, day and metric, and failures recorded without stopping.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { readRaw } from '../src/store/raw.repository.js';
import { tempDir } from './helpers.js';
import { postsCollector } from './support/posts.js';

const dir = tempDir();
const NOW = new Date('2026-02-20T12:00:00Z');
const TIKTOK_ERROR = 'TikTok video not found (ID: 7123456789). The token may need to be refreshed.';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 3, profiles: [{ username: 'myprofile', platforms: ['youtube', 'tiktok', 'instagram'] }, { username: 'other', platforms: ['tiktok', 'x'] }] });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.faults.clear();
  sim.stats.reset();
  sim.setNow(NOW);
});

describe('post tracking during collect', () => {
  it('stores the documented example for abc123-def456 exactly, TikTok with its error and no metrics', async () => {
    const c = postsCollector(dir, sim.url, { profiles: [{ username: 'myprofile', platforms: ['youtube', 'tiktok'] }] });
    const { run, posts } = await c.run(NOW);
    expect(run.status).toBe('ok');
    expect(posts?.left).toBe(0);

    const rows = c.all("SELECT * FROM v_post_metrics WHERE request_id = 'abc123-def456' ORDER BY platform, metric");
    expect(rows).toEqual(
      [['comments', 8], ['favorites', 3], ['likes', 120], ['views', 5200]].map(([metric, value]) => ({
        request_id: 'abc123-def456', profile_username: 'myprofile', platform: 'youtube', day: '2026-02-20', time: Date.parse('2026-02-20') / 1000,
        platform_post_id: 'dQw4w9WgXcQ', post_url: 'https://youtube.com/watch?v=dQw4w9WgXcQ', metric, value,
      })),
    );
    expect(c.all("SELECT title, caption, media_type, upload_timestamp, last_checked_day FROM posts WHERE request_id = 'abc123-def456'")).toEqual([
      { title: 'My Video', caption: 'Check this out!', media_type: 'video', upload_timestamp: '2026-02-10T14:30:00.000Z', last_checked_day: '2026-02-20' },
    ]);
    expect(c.all("SELECT platform, platform_post_id, post_url, last_error, last_error_day FROM post_platforms WHERE request_id = 'abc123-def456' ORDER BY platform")).toEqual([
      { platform: 'tiktok', platform_post_id: '7123456789', post_url: 'https://tiktok.com/@user/video/7123456789', last_error: TIKTOK_ERROR, last_error_day: '2026-02-20' },
      { platform: 'youtube', platform_post_id: 'dQw4w9WgXcQ', post_url: 'https://youtube.com/watch?v=dQw4w9WgXcQ', last_error: null, last_error_day: null },
    ]);
    expect(c.count("SELECT count(*) FROM post_metrics WHERE request_id = 'abc123-def456' AND platform = 'tiktok'")).toBe(0);
    expect(c.all("SELECT platform, metrics_source FROM post_platforms WHERE request_id = 'abc123-def456' ORDER BY platform")).toEqual([
      { platform: 'tiktok', metrics_source: null },
      { platform: 'youtube', metrics_source: 'platform_api' },
    ]);
    // The profile snapshots of analytics-api.txt's example, at the post's day (2026-02-10) and at its latest date.
    const snapshot = (platform: string, snapshot: string, day: string, values: Record<string, number>) =>
      Object.entries(values).map(([metric, value]) => ({ request_id: 'abc123-def456', profile_username: 'myprofile', platform, snapshot, day, metric, value }));
    expect(c.all("SELECT * FROM v_post_profile_snapshots WHERE request_id = 'abc123-def456' ORDER BY platform, snapshot, metric")).toEqual(
      [
        ...snapshot('tiktok', 'at_post_date', '2026-02-10', { comments: 30, followers: 800, impressions: 12000, likes: 500 }),
        ...snapshot('tiktok', 'latest', '2026-02-20', { comments: 45, followers: 950, impressions: 18500, likes: 780 }),
        ...snapshot('youtube', 'at_post_date', '2026-02-10', { comments: 15, followers: 1500, impressions: 45000, likes: 320, shares: 8 }),
        ...snapshot('youtube', 'latest', '2026-02-20', { comments: 22, followers: 1650, impressions: 52000, likes: 410, shares: 12 }),
      ],
    );
    // The answer as received is kept, byte for byte what the endpoint said.
    const raw = [...readRaw(c.wh, { endpoint: 'post-analytics' })].map((r) => r.body.toString('utf8')).filter((body) => body.includes('abc123-def456'));
    expect(raw).toHaveLength(1);
    expect(JSON.parse(raw[0]!).platforms.tiktok.post_metrics_error).toBe(TIKTOK_ERROR);
  });

  it('reads every post younger than posts.days once, with all its platforms, and TikTok extras as metrics', async () => {
    const c = postsCollector(dir, sim.url, { profiles: [{ username: 'myprofile' }, { username: 'other' }] });
    const { posts } = await c.run(NOW);
    const young = ['myprofile', 'other'].flatMap((u) => sim.world.posts(u)).filter((p) => NOW.getTime() - Date.parse(`${p.uploadedAt.toISOString().slice(0, 10)}`) < 30 * 86_400_000);
    expect(posts).toMatchObject({ found: young.length, read: young.length, failed: 0, left: 0 });
    expect(sim.stats.byRoute['post-analytics']).toBe(young.length);
    expect(c.all<{ request_id: string }>('SELECT request_id FROM posts ORDER BY request_id').map((r) => r.request_id)).toEqual(young.map((p) => p.requestId).sort());
    const platforms = c.count('SELECT count(*) FROM post_platforms');
    expect(platforms).toBe(young.reduce((n, p) => n + p.platforms.length, 0));

    const tiktok = c.all<{ metric: string }>("SELECT DISTINCT metric FROM post_metrics WHERE platform = 'tiktok' ORDER BY metric").map((r) => r.metric);
    expect(tiktok).toEqual(expect.arrayContaining(['reach', 'favorites', 'new_followers', 'profile_views', 'full_video_watched_rate', 'average_time_watched', 'total_time_watched', 'views']));
    // Booleans are not metrics.
    expect(tiktok).not.toContain('is_ai_generated');
    // Breakdowns are: one metric per point, named by field and label, as the raw answer has them.
    const raw = [...readRaw(c.wh, { endpoint: 'post-analytics' })].map((r) => r.body.toString('utf8')).find((b) => b.includes('"retention"'))!;
    const answer = JSON.parse(raw) as { post: { request_id: string }; platforms: { tiktok: { post_metrics: Record<string, Array<Record<string, string | number>>> } } };
    const sent = answer.platforms.tiktok.post_metrics;
    const expected = [
      ...sent.retention!.map((p) => [`retention.${p.second}`, p.percentage]),
      ...sent.impression_sources!.map((p) => [`impression_sources.${p.impression_source}`, p.percentage]),
      ...sent.audience_types!.map((p) => [`audience_types.${p.audience_type}`, p.percentage]),
    ].sort(([a], [b]) => String(a).localeCompare(String(b)));
    expect(expected.length).toBeGreaterThan(10);
    const stored = c.all<{ metric: string; value: number }>(
      "SELECT metric, value FROM v_post_metrics WHERE request_id = ? AND platform = 'tiktok' AND metric LIKE '%.%' ORDER BY metric",
      answer.post.request_id,
    );
    expect(stored.map((r) => [r.metric, r.value]).sort(([a], [b]) => String(a).localeCompare(String(b)))).toEqual(expected);
    // A fraction stays a fraction.
    const rate = c.count("SELECT value FROM post_metrics WHERE metric = 'full_video_watched_rate' LIMIT 1");
    expect(rate).toBeGreaterThan(0);
    expect(rate).toBeLessThan(1);
  });

  it('collecting on several days keeps one row per post, platform, day and metric, and a rerun duplicates nothing', async () => {
    const c = postsCollector(dir, sim.url, { profiles: [{ username: 'myprofile' }], posts: { days: 10 } });
    const days = ['2026-02-18', '2026-02-19', '2026-02-20'];
    for (const day of days) {
      const at = new Date(`${day}T12:00:00Z`);
      sim.setNow(at);
      await c.run(at);
    }
    // Each day holds exactly the numeric metrics that day's answers carried.
    for (const [i, day] of days.entries()) {
      const bodies = [...readRaw(c.wh, { endpoint: 'post-analytics', runId: i + 1 })].map((r) => ({ body: r.body.toString('utf8') }));
      // Every number of post_metrics: the top-level ones and one per point of a breakdown list.
      const numbersIn = (m: Record<string, unknown>) =>
        Object.values(m).reduce<number>((k, v) => k + (typeof v === 'number' ? 1 : Array.isArray(v) ? v.length : 0), 0);
      const expected = bodies.reduce((n, { body }) => {
        const platforms = Object.values(JSON.parse(body).platforms as Record<string, { post_metrics?: Record<string, unknown> }>);
        return n + platforms.reduce((m, p) => m + numbersIn(p.post_metrics ?? {}), 0);
      }, 0);
      expect(expected).toBeGreaterThan(0);
      expect(c.count('SELECT count(*) FROM post_metrics WHERE day = ?', day)).toBe(expected);
    }
    // Counters grow as a post ages.
    const views = c.all<{ day: string; value: number }>("SELECT day, value FROM v_post_metrics WHERE platform = 'youtube' AND metric = 'views' AND request_id = (SELECT request_id FROM post_metrics WHERE day = '2026-02-18' AND platform = 'youtube' AND request_id <> 'abc123-def456' LIMIT 1) ORDER BY day");
    expect(views.map((v) => v.day)).toEqual(days);
    expect(views[2]!.value).toBeGreaterThanOrEqual(views[0]!.value);

    const before = c.all('SELECT * FROM post_metrics ORDER BY request_id, platform, day, metric');
    const postsBefore = c.count('SELECT count(*) FROM posts');
    await c.run(new Date('2026-02-20T18:00:00Z'));
    expect(c.count('SELECT count(*) FROM post_metrics')).toBe(before.length);
    expect(c.count('SELECT count(*) FROM posts')).toBe(postsBefore);
    expect(c.all('SELECT request_id, platform, day, metric, value FROM post_metrics ORDER BY request_id, platform, day, metric')).toEqual(
      before.map((r) => {
        // A rerun replaces the day's readings: when and by which run they were read moves with them.
        const { observed_at: _, run_id: __, ...rest } = r as Record<string, unknown>;
        return rest;
      }),
    );
  });

  it("files post metrics and profile snapshots under the server's day of the answer, not the run's", async () => {
    // The server's clock says 05:00 on 21 February in Tokyo; the collector's own clock still says the 20th.
    const tokyo = await startSimulator({ seed: 3, serverTimezone: 'Asia/Tokyo', now: () => new Date('2026-02-20T20:00:00Z'), profiles: [{ username: 'myprofile', platforms: ['youtube', 'tiktok'] }] });
    try {
      const c = postsCollector(dir, tokyo.url, { profiles: [{ username: 'myprofile' }], serverTimezone: 'Asia/Tokyo' });
      const { run } = await c.run(new Date('2026-02-20T10:00:00Z'));
      expect(run.day).toBe('2026-02-20');
      expect(c.all("SELECT DISTINCT day FROM post_metrics WHERE request_id = 'abc123-def456'")).toEqual([{ day: '2026-02-21' }]);
      expect(c.all("SELECT last_checked_day FROM posts WHERE request_id = 'abc123-def456'")).toEqual([{ last_checked_day: '2026-02-21' }]);
      expect(c.all("SELECT last_error_day FROM post_platforms WHERE request_id = 'abc123-def456' AND platform = 'tiktok'")).toEqual([{ last_error_day: '2026-02-21' }]);
      // 14:30 UTC on 10 February is 23:30 in Tokyo: still the 10th there.
      expect(c.all("SELECT DISTINCT snapshot, day FROM post_profile_snapshots WHERE request_id = 'abc123-def456' ORDER BY snapshot")).toEqual([
        { snapshot: 'at_post_date', day: '2026-02-10' },
        { snapshot: 'latest', day: '2026-02-20' },
      ]);
      // The change log spans every day the run wrote for the profile, for the PostgreSQL sync.
      expect(c.all('SELECT from_day, to_day FROM run_changes WHERE run_id = ?', run.id)).toEqual([{ from_day: expect.any(String), to_day: '2026-02-21' }]);
      expect((c.all<{ from_day: string }>('SELECT from_day FROM run_changes WHERE run_id = ?', run.id)[0]!.from_day <= '2026-02-10')).toBe(true);
    } finally {
      await tokyo.close();
    }
  });

  it('reads history answered under "uploads" the same as under "history"', async () => {
    const other = await startSimulator({ seed: 3, historyKey: 'uploads', now: () => NOW, profiles: [{ username: 'myprofile', platforms: ['youtube', 'tiktok'] }] });
    try {
      const c = postsCollector(dir, other.url, { profiles: [{ username: 'myprofile' }] });
      const { posts } = await c.run(NOW);
      expect(posts!.found).toBeGreaterThan(1);
      expect(c.count("SELECT count(*) FROM v_post_metrics WHERE request_id = 'abc123-def456'")).toBe(4);
    } finally {
      await other.close();
    }
  });

  it('pages history only until the uploads are older than posts.days', async () => {
    const c = postsCollector(dir, sim.url, { profiles: [{ username: 'myprofile' }], posts: { days: 5 } });
    const { posts } = await c.run(NOW);
    expect(sim.stats.byRoute.history).toBe(1);
    expect(posts!.found).toBeGreaterThan(0);
    const oldest = c.all<{ t: string }>('SELECT min(upload_timestamp) AS t FROM posts')[0]!.t;
    expect(oldest >= '2026-02-16').toBe(true);
  });

  it('records a post that answers 404 as a run error and keeps the others', async () => {
    const c = postsCollector(dir, sim.url, { profiles: [{ username: 'myprofile' }] });
    sim.faults.add({ kind: 'notFound', route: 'post-analytics' });
    const { run, posts } = await c.run(NOW);
    expect(run.status).toBe('partial');
    expect(posts).toMatchObject({ failed: 1, left: 0 });
    expect(posts!.read).toBe(posts!.found - 1);
    expect(c.all('SELECT profile, kind, status FROM run_errors')).toEqual([{ profile: 'myprofile', kind: 'not_found', status: 404 }]);
    expect(c.count('SELECT count(*) FROM posts')).toBe(posts!.read);
  });

  it('a signal stops the reads and leaves the posts for the next run', async () => {
    const c = postsCollector(dir, sim.url, { profiles: [{ username: 'myprofile' }] });
    const { posts } = await c.run(NOW, AbortSignal.abort());
    expect(posts).toMatchObject({ read: 0, left: posts!.found });
    expect(sim.stats.byRoute['post-analytics']).toBeUndefined();
    expect(c.all('SELECT kind, message FROM run_errors')).toEqual([{ kind: 'posts_deferred', message: `stopped by a signal: ${posts!.found} of ${posts!.found} posts left for the next run` }]);
  });

  it('does not ask history about a profile the analytics call already found missing', async () => {
    const c = postsCollector(dir, sim.url, { profiles: [{ username: 'ghost', platforms: ['youtube'] }, { username: 'myprofile' }] });
    const { posts } = await c.run(NOW);
    expect(sim.stats.byRoute.history).toBe(1);
    expect(posts!.read).toBeGreaterThan(0);
    expect(c.all('SELECT profile, kind FROM run_errors')).toEqual([{ profile: 'ghost', kind: 'not_found' }]);
  });

  it('stops the run when post-analytics refuses the key', async () => {
    const c = postsCollector(dir, sim.url, { profiles: [{ username: 'myprofile' }] });
    sim.faults.add({ kind: 'unauthorized', route: 'post-analytics' });
    const summary = await c.run(NOW);
    expect(summary.keyRefused).toBe(true);
    expect(summary.run.status).toBe('failed');
    expect(sim.stats.byRoute['post-analytics']).toBe(1);
    expect(c.all('SELECT kind FROM run_errors')).toEqual([{ kind: 'unauthorized' }]);
  });
});
