// Per-post analytics: the live answer (metrics that grow with the post's age), the verbatim
// worked example of analytics-api.txt, and the write-through cache the live call fills.
import { isPlatform } from './catalog.js';
import type { Platform } from './catalog.js';
import { DAY_MS, formatDay, parseDay, sqlTimestamp } from './dates.js';
import { hashString, hashWith } from './hash.js';
import { EXAMPLE_REQUEST_ID, listPosts, platformPost } from './posts.js';
import type { SimPost } from './types.js';
import type { World } from './world.js';

// analytics-api.txt, "Example Response (200 OK)" of post-analytics, key for key.
const EXAMPLE_ANSWER = {
  success: true,
  post: {
    request_id: 'abc123-def456', profile_username: 'myprofile', post_title: 'My Video',
    post_caption: 'Check this out!', media_type: 'video', upload_timestamp: '2026-02-10 14:30:00',
  },
  platforms: {
    youtube: {
      success: true, platform_post_id: 'dQw4w9WgXcQ', post_url: 'https://youtube.com/watch?v=dQw4w9WgXcQ',
      post_metrics: { views: 5200, likes: 120, comments: 8, favorites: 3 },
      post_metrics_source: 'platform_api',
      profile_snapshot_at_post_date: { followers: 1500, impressions: 45000, likes: 320, comments: 15, shares: 8 },
      profile_snapshot_latest: { followers: 1650, impressions: 52000, likes: 410, comments: 22, shares: 12 },
      profile_snapshot_latest_date: '2026-02-20',
    },
    tiktok: {
      success: true, platform_post_id: '7123456789', post_url: 'https://tiktok.com/@user/video/7123456789',
      post_metrics_error: 'TikTok video not found (ID: 7123456789). The token may need to be refreshed.',
      profile_snapshot_at_post_date: { followers: 800, impressions: 12000, likes: 500, comments: 30 },
      profile_snapshot_latest: { followers: 950, impressions: 18500, likes: 780, comments: 45 },
      profile_snapshot_latest_date: '2026-02-20',
    },
  } as Record<string, Record<string, unknown>>,
};

/** One row of /post-analytics/cached; the docs allow null for what an organic post lacks. */
export interface CachedRow {
  post_id: string; platform: Platform; profile_username: string; date: string; captured_at: string;
  metrics: Record<string, unknown>; post_url: string | null; media_type: string | null; upload_timestamp: string | null;
}

/** Write-through cache of live reads, replayed by /post-analytics/cached. */
export class PostCache {
  private readonly rows = new Map<string, CachedRow>();

  /** Keep the latest live read of a post on a platform for the capture day. */
  record(row: CachedRow): void {
    this.rows.set(`${row.post_id}\u0000${row.platform}\u0000${row.date}`, row);
  }

  /** Rows of a profile captured within [since, until], newest day first. */
  select(user: string, platform: Platform | null, since: string, until: string): CachedRow[] {
    return [...this.rows.values()]
      .filter((r) => r.profile_username === user && (platform === null || r.platform === platform) && r.date >= since && r.date <= until)
      .sort((a, b) => b.date.localeCompare(a.date) || b.captured_at.localeCompare(a.captured_at) || a.post_id.localeCompare(b.post_id));
  }
}

/** The live answer for one post (optionally one platform), recording what it read into the cache. */
export function postAnalyticsBody(world: World, cache: PostCache, post: SimPost, platformParam?: string): object {
  const wanted = platformParam?.trim().toLowerCase() || undefined;
  const platforms = post.platforms.filter((p) => wanted === undefined || p === wanted);
  const now = world.now();
  let answer: { post: Record<string, unknown>; platforms: Record<string, Record<string, unknown>> };
  if (post.requestId === EXAMPLE_REQUEST_ID) {
    answer = { post: EXAMPLE_ANSWER.post, platforms: {} };
    for (const p of platforms) answer.platforms[p] = structuredClone(EXAMPLE_ANSWER.platforms[p] ?? {});
  } else {
    answer = {
      post: {
        request_id: post.requestId, profile_username: post.username, post_title: post.title,
        post_caption: post.caption, media_type: post.mediaType, upload_timestamp: sqlTimestamp(post.uploadedAt),
      },
      platforms: Object.fromEntries(platforms.map((p) => [p, platformEntry(world, post, p)])),
    };
  }
  for (const [p, entry] of Object.entries(answer.platforms)) {
    if (!isPlatform(p) || typeof entry.post_metrics !== 'object' || entry.post_metrics === null) continue;
    cache.record({
      post_id: String(entry.platform_post_id), platform: p, profile_username: post.username, date: world.today(),
      captured_at: now.toISOString(), metrics: entry.post_metrics as Record<string, unknown>, post_url: String(entry.post_url),
      media_type: post.mediaType, upload_timestamp: post.uploadedAt.toISOString(),
    });
  }
  return { success: true, ...answer };
}

function platformEntry(world: World, post: SimPost, platform: Platform): Record<string, unknown> {
  const { id, url } = platformPost(world, post, platform);
  const today = world.todayDay();
  const h = hashString(`${post.requestId}\u0000${platform}\u0000metrics`, world.seed);
  // About one TikTok post in five fails the way the documented example does.
  const failed = platform === 'tiktok' && hashWith(h, 99) % 5 === 0;
  const metrics = failed
    ? { post_metrics_error: `TikTok video not found (ID: ${id}). The token may need to be refreshed.` }
    : { post_metrics: postMetrics(h, platform, (world.now().getTime() - post.uploadedAt.getTime()) / DAY_MS), post_metrics_source: 'platform_api' };
  return {
    success: true, platform_post_id: id, post_url: url, ...metrics,
    profile_snapshot_at_post_date: world.snapshotOn(post.username, platform, world.dayOfInstant(post.uploadedAt.getTime())) ?? {},
    profile_snapshot_latest: world.snapshotOn(post.username, platform, today) ?? {},
    profile_snapshot_latest_date: formatDay(today),
  };
}

/** A post's counters at an age in days: they approach their final size over the first week or so. */
export function postMetrics(h: number, platform: Platform, ageDays: number): Record<string, unknown> {
  const age = Math.max(0, ageDays);
  const rate = (k: number, lo: number, span: number): number => lo + ((hashWith(h, k) % 1000) / 1000) * span;
  const views = Math.floor((100 + (h % 20_000)) * (age / (age + 2)));
  const likes = Math.floor(views * rate(1, 0.02, 0.08));
  const shares = Math.floor(views * rate(3, 0.001, 0.006));
  const m: Record<string, unknown> = { views, likes, comments: Math.floor(views * rate(2, 0.002, 0.01)), shares };
  switch (platform) {
    case 'youtube': return { ...m, favorites: Math.floor(likes * rate(4, 0.01, 0.05)), watch_time_minutes: Math.floor(views * rate(5, 0.3, 1.5)) };
    case 'instagram': return { ...m, reach: Math.floor(views * rate(6, 0.6, 0.35)), saves: Math.floor(likes * rate(7, 0.05, 0.2)) };
    case 'facebook': return { ...m, reach: Math.floor(views * rate(6, 0.6, 0.35)), reactions: likes + Math.floor(likes * rate(8, 0.05, 0.3)) };
    case 'pinterest': return { ...m, saves: Math.floor(likes * rate(7, 0.1, 0.4)), pin_clicks: Math.floor(views * rate(9, 0.01, 0.04)) };
    case 'bluesky': return { ...m, quotes: Math.floor(shares * rate(10, 0.05, 0.3)) };
    case 'tiktok': return { ...m, ...tiktokExtras(h, views, likes, age) };
    // A Google Business local post is seen and clicked; it has no likes or comments.
    case 'google_business': return { views, clicks: Math.floor(views * rate(20, 0.01, 0.05)) };
    default: return m;
  }
}

function tiktokExtras(h: number, views: number, likes: number, ageDays: number): Record<string, unknown> {
  const rate = (k: number, lo: number, span: number): number => lo + ((hashWith(h, k) % 1000) / 1000) * span;
  const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
  const extras: Record<string, unknown> = {
    reach: Math.floor(views * rate(11, 0.8, 0.18)), favorites: Math.floor(likes * rate(12, 0.1, 0.1)),
    new_followers: Math.floor(views * rate(13, 0.001, 0.004)), profile_views: Math.floor(views * rate(14, 0.01, 0.02)),
  };
  // TikTok fills the breakdowns in over the first hours; until then they are omitted, not zeroed.
  if (ageDays * 24 < 2) return extras;
  const average = round(rate(15, 3, 12), 1);
  const decay = rate(16, 0.85, 0.1);
  const forYou = Math.round(rate(17, 800, 170));
  const search = Math.round((1000 - forYou) * 0.5);
  const follow = Math.round((1000 - forYou - search) * 0.6);
  const profile = Math.round((1000 - forYou - search - follow) * 0.7);
  const newViewers = Math.round(rate(18, 700, 250));
  return {
    ...extras,
    full_video_watched_rate: round(rate(19, 0.05, 0.3), 3), average_time_watched: average,
    total_time_watched: Math.round(views * average), is_ai_generated: false,
    retention: Array.from({ length: 10 }, (_, i) => ({ second: String(i + 1), percentage: round(0.8 * decay ** i, 3) })),
    impression_sources: [
      ['For You', forYou], ['Search', search], ['Follow', follow], ['Personal Profile', profile],
      ['Others', 1000 - forYou - search - follow - profile],
    ].map(([name, n]) => ({ impression_source: name, percentage: (n as number) / 1000 })),
    audience_types: [
      { audience_type: 'New viewers', percentage: newViewers / 1000 },
      { audience_type: 'Returning viewers', percentage: (1000 - newViewers) / 1000 },
    ],
  };
}

/** GET /uploadposts/post-analytics/cached, validated; errors answer 400/404 like the live API. */
export function cachedBody(world: World, cache: PostCache, q: URLSearchParams): { status: number; body: object } {
  const bad = (error: string): { status: number; body: object } => ({ status: 400, body: { success: false, error } });
  const user = q.get('user')?.trim();
  if (!user) return bad('user query parameter is required');
  if (!world.profile(user)) return { status: 404, body: { success: false, message: 'Profile not found' } };
  const platformText = q.get('platform')?.trim().toLowerCase() || null;
  if (platformText !== null && !isPlatform(platformText)) return bad(`Invalid platform: ${platformText}`);
  const limitText = q.get('limit');
  const limit = limitText === null || limitText === '' ? 50 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1) return bad(`Invalid limit: ${limitText}`);
  const today = world.todayDay();
  const since = q.get('since') || formatDay(today - 30);
  const until = q.get('until') || formatDay(today);
  for (const [name, value] of [['since', since], ['until', until]] as const) {
    if (parseDay(value) === undefined) return bad(`Invalid ${name}: ${value} (expected YYYY-MM-DD)`);
  }
  const offset = decodeCursor(q.get('cursor'));
  if (offset === undefined) return bad('Invalid cursor');
  const pageSize = Math.min(limit, 200);
  const rows = cache.select(user, platformText, since, until);
  const hasMore = offset + pageSize < rows.length;
  const published = listPosts(world, user)
    .filter((p) => { const d = formatDay(world.dayOfInstant(p.uploadedAt.getTime())); return d >= since && d <= until; })
    .reduce((n, p) => n + p.platforms.filter((x) => platformText === null || x === platformText).length, 0);
  return {
    status: 200,
    body: {
      success: true, profile_username: user, platform: platformText, since, until, source: 'snapshot_cache',
      posts: rows.slice(offset, offset + pageSize), limit: pageSize,
      next_cursor: hasMore ? Buffer.from(JSON.stringify({ o: offset + pageSize })).toString('base64url') : null,
      has_more: hasMore, cached_posts_in_range: new Set(rows.map((r) => `${r.platform}:${r.post_id}`)).size,
      published_posts_in_range: published,
    },
  };
}

function decodeCursor(cursor: string | null): number | undefined {
  if (cursor === null || cursor === '') return 0;
  try {
    const o: unknown = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown }).o;
    return typeof o === 'number' && Number.isInteger(o) && o >= 0 ? o : undefined;
  } catch {
    return undefined;
  }
}
