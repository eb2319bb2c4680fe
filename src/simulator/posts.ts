// Uploads: each profile makes one upload request in every three-day block (on a day and
// second the hash picks), to one to three of its platforms. Like the snapshots, a post is a
// pure function of its block, so it can be found by id without any stored list. Blocks are
// counted in UTC days (an upload is an instant); whether a post is visible is decided by the
// server's day, in its zone, like every other "since when" of the world.
import type { Platform } from './catalog.js';
import { dayOf, instantOf } from './dates.js';
import { hashString, hashWith } from './hash.js';
import type { SimPost } from './types.js';
import type { World } from './world.js';

const BLOCK_DAYS = 3;
const TITLES = ['Behind the scenes', 'New arrivals', 'Weekly tips', 'Customer story', 'Quick tutorial', 'Team update', 'Launch day', 'Q&A recap'];
const USER_EMAIL = 'demo@upload-post.test';

/** The worked example of analytics-api.txt, answered verbatim (see post-analytics.ts). */
export const EXAMPLE_REQUEST_ID = 'abc123-def456';
export const EXAMPLE_PROFILE = 'myprofile';
const EXAMPLE_AT = new Date('2026-02-10T14:30:00Z');
// A fresh object each time: callers (and tests) may mutate what they are given.
const examplePost = (): SimPost => ({
  requestId: EXAMPLE_REQUEST_ID, username: EXAMPLE_PROFILE, platforms: ['youtube', 'tiktok'],
  uploadedAt: new Date(EXAMPLE_AT.getTime()), title: 'My Video', caption: 'Check this out!', mediaType: 'video',
});
const EXAMPLE_IDS: Partial<Record<Platform, { id: string; url: string }>> = {
  youtube: { id: 'dQw4w9WgXcQ', url: 'https://youtube.com/watch?v=dQw4w9WgXcQ' },
  tiktok: { id: '7123456789', url: 'https://tiktok.com/@user/video/7123456789' },
};

function postKey(world: World, username: string): number {
  return hashString(`${username}\u0000posts`, world.seed);
}

/** The post a profile made in a block, ignoring whether it is visible yet. */
function blockPost(username: string, key: number, block: number, connected: Platform[]): SimPost | undefined {
  if (connected.length === 0) return undefined;
  const h = hashWith(key, block);
  const day = block * BLOCK_DAYS + (h % BLOCK_DAYS);
  const count = 1 + (hashWith(h, 3) % Math.min(3, connected.length));
  const first = hashWith(h, 5) % connected.length;
  const platforms: Platform[] = [];
  for (let i = 0; i < count; i++) platforms.push(connected[(first + i) % connected.length] as Platform);
  const video = platforms.includes('youtube') || platforms.includes('tiktok');
  const kinds = ['video', 'photo', 'text'] as const;
  const title = `${TITLES[hashWith(h, 9) % TITLES.length]} #${block}`;
  return {
    requestId: `req-${username}-${block}`, username, platforms,
    uploadedAt: instantOf(day, hashWith(h, 7) % 86_400), title,
    caption: `${title}: more from ${username} this week.`,
    mediaType: video ? 'video' : kinds[hashWith(h, 11) % kinds.length] ?? 'photo',
  };
}

function visible(world: World, post: SimPost): boolean {
  return visibleIn(post, horizonOf(world, post.username));
}

/**
 * What decides visibility, read once per listing instead of once per post: uploads from the
 * start of the profile's first server day (firstMs) up to now. firstUtcDay is where a walk
 * over UTC days may stop.
 */
interface Horizon { firstMs: number; firstUtcDay: number; nowMs: number }

function horizonOf(world: World, username: string): Horizon {
  const firstMs = world.startOfDay(world.firstDay(username));
  return { firstMs, firstUtcDay: dayOf(new Date(firstMs)), nowMs: world.now().getTime() };
}

function visibleIn(post: SimPost, horizon: Horizon): boolean {
  const t = post.uploadedAt.getTime();
  return t >= horizon.firstMs && t <= horizon.nowMs;
}

/** Append a profile's visible posts made on one day to `out`. */
function postsOnDay(username: string, key: number, connected: Platform[], day: number, horizon: Horizon, out: SimPost[]): void {
  const block = Math.floor(day / BLOCK_DAYS);
  // Cheap test first: two days in three of a block have no post at all.
  if (block * BLOCK_DAYS + (hashWith(key, block) % BLOCK_DAYS) === day) {
    const post = blockPost(username, key, block, connected);
    if (post && visibleIn(post, horizon)) out.push(post);
  }
  if (username === EXAMPLE_PROFILE && dayOf(EXAMPLE_AT) === day) {
    const example = examplePost();
    if (visibleIn(example, horizon)) out.push(example);
  }
}

function byRecency(a: SimPost, b: SimPost): number {
  return b.uploadedAt.getTime() - a.uploadedAt.getTime() || a.requestId.localeCompare(b.requestId);
}

/** Every visible post of a profile, most recent first. */
export function listPosts(world: World, username: string): SimPost[] {
  const info = world.profile(username);
  if (!info) return [];
  const key = postKey(world, username);
  const horizon = horizonOf(world, username);
  const out: SimPost[] = [];
  for (let day = dayOf(world.now()); day >= horizon.firstUtcDay; day--) {
    const posts: SimPost[] = [];
    postsOnDay(username, key, info.platforms, day, horizon, posts);
    out.push(...posts.sort(byRecency));
  }
  return out;
}

/** The visible post with this request id, if any. */
export function findPost(world: World, requestId: string): SimPost | undefined {
  if (requestId === EXAMPLE_REQUEST_ID) {
    // The documented example answers whenever its profile exists, whatever the clock says.
    return world.profile(EXAMPLE_PROFILE) ? examplePost() : undefined;
  }
  const m = /^req-(.+)-(\d+)$/.exec(requestId);
  if (!m) return undefined;
  const info = world.profile(m[1] ?? '');
  if (!info) return undefined;
  const post = blockPost(info.username, postKey(world, info.username), Number(m[2]), info.platforms);
  return post && post.requestId === requestId && visible(world, post) ? post : undefined;
}

/** The platform's id and URL of one platform's copy of a post. */
export function platformPost(world: World, post: SimPost, platform: Platform): { id: string; url: string } {
  const example = post.requestId === EXAMPLE_REQUEST_ID ? EXAMPLE_IDS[platform] : undefined;
  if (example) return example;
  const h = hashString(`${post.requestId}\u0000${platform}`, world.seed);
  const digits = (n: number): string => Array.from({ length: n }, (_, i) => String(hashWith(h, i) % 10)).join('');
  const letters = (n: number): string => Array.from({ length: n }, (_, i) => ALPHABET[hashWith(h, 100 + i) % ALPHABET.length]).join('');
  const handle = post.username.replace(/[^a-z0-9]/gi, '');
  switch (platform) {
    case 'youtube': { const id = letters(11); return { id, url: `https://youtube.com/watch?v=${id}` }; }
    case 'tiktok': { const id = `7${digits(18)}`; return { id, url: `https://tiktok.com/@${handle}/video/${id}` }; }
    case 'instagram': { const id = letters(11); return { id, url: `https://instagram.com/p/${id}` }; }
    case 'facebook': { const id = `1${digits(14)}_${digits(16)}`; return { id, url: `https://facebook.com/${id}` }; }
    case 'linkedin': { const id = `urn:li:share:7${digits(18)}`; return { id, url: `https://www.linkedin.com/feed/update/${id}` }; }
    case 'x': { const id = `1${digits(18)}`; return { id, url: `https://x.com/${handle}/status/${id}` }; }
    case 'threads': { const id = letters(11); return { id, url: `https://www.threads.net/@${handle}/post/${id}` }; }
    case 'pinterest': { const id = `9${digits(17)}`; return { id, url: `https://pinterest.com/pin/${id}` }; }
    case 'reddit': { const id = `t3_${letters(7).toLowerCase()}`; return { id, url: `https://reddit.com/comments/${id.slice(3)}` }; }
    case 'bluesky': {
      const rkey = letters(13).toLowerCase();
      return { id: `at://did:plc:${handle}/app.bsky.feed.post/${rkey}`, url: `https://bsky.app/profile/${handle}/post/${rkey}` };
    }
    case 'google_business': {
      const id = `accounts/1${digits(17)}/locations/1${digits(17)}/localPosts/1${digits(17)}`;
      return { id, url: `https://local.google.com/place?id=1${digits(17)}&use=posts&lpsid=${id.slice(-18)}` };
    }
  }
}
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

export interface HistoryFilter { profile?: string; platform?: string; requestId?: string }

/** One page of history rows (one per platform of each request, most recent first) and the total. */
export function historyPage(world: World, filter: HistoryFilter, page: number, limit: number): { rows: object[]; total: number } {
  const platformOk = (p: Platform): boolean => filter.platform === undefined || p === filter.platform;
  const rowsOf = (post: SimPost): object[] => post.platforms.filter(platformOk).map((p) => historyRow(world, post, p));
  const from = (page - 1) * limit;
  const to = from + limit;
  if (filter.requestId !== undefined) {
    const post = findPost(world, filter.requestId);
    const rows = post && (filter.profile === undefined || post.username === filter.profile) && visible(world, post) ? rowsOf(post) : [];
    return { rows: rows.slice(from, to), total: rows.length };
  }
  const names = filter.profile !== undefined ? [filter.profile] : world.profiles();
  // Walk UTC days downwards across all profiles so that a page costs no list of every post.
  const sources = names.flatMap((u) => {
    const info = world.profile(u);
    return info ? [{ u, key: postKey(world, u), platforms: info.platforms, horizon: horizonOf(world, u) }] : [];
  });
  const oldest = Math.min(...sources.map((s) => s.horizon.firstUtcDay));
  const rows: object[] = [];
  let total = 0;
  for (let day = dayOf(world.now()); day >= oldest; day--) {
    const posts: SimPost[] = [];
    for (const s of sources) if (day >= s.horizon.firstUtcDay) postsOnDay(s.u, s.key, s.platforms, day, s.horizon, posts);
    if (posts.length === 0) continue;
    let count = 0;
    for (const post of posts) count += post.platforms.filter(platformOk).length;
    if (total + count > from && total < to) {
      const dayRows = posts.sort(byRecency).flatMap(rowsOf);
      rows.push(...dayRows.slice(Math.max(0, from - total), to - total));
    }
    total += count;
  }
  return { rows, total };
}

function historyRow(world: World, post: SimPost, platform: Platform): object {
  const { id, url } = platformPost(world, post, platform);
  // The documented example's keys in its order; job_id is left out (only scheduled uploads have one).
  const size = post.mediaType === 'text' ? null : 200_000 + (hashString(post.requestId, world.seed) % 50_000_000);
  return {
    user_email: USER_EMAIL, profile_username: post.username, platform, media_type: post.mediaType,
    upload_timestamp: post.uploadedAt.toISOString(), success: true, platform_post_id: id, post_url: url,
    media_size_bytes: size, post_title: post.title, post_caption: post.caption, is_async: false, dashboard: false,
    request_id: post.requestId, request_total_platforms: post.platforms.length,
  };
}
