// GET /uploadposts/post-analytics?platform_post_id=&platform=&user=: live metrics of any post
// by its id on the platform, organic posts included (docs/get-analytics.md). A live read, so
// it shares the 100-per-5-minutes window and fills the cache like the request-id variant.
import { DISPLAY_NAMES, PLATFORM_METRICS, isPlatform, metricLabels } from './catalog.js';
import type { Platform } from './catalog.js';
import { DAY_MS } from './dates.js';
import { hashString } from './hash.js';
import type { Answer } from './arithmetic.js';
import { postMetrics } from './post-analytics.js';
import type { PostCache } from './post-analytics.js';
import { listPosts, platformPost } from './posts.js';
import type { World } from './world.js';

// An organic post's age is unknown to the world; its counters read as a settled post's.
const ORGANIC_AGE_DAYS = 30;

/** The answer for one post found by its platform id. */
export function postByPlatformIdBody(world: World, cache: PostCache, q: URLSearchParams): Answer {
  const bad = (error: string): Answer => ({ status: 400, body: { success: false, error } });
  const id = q.get('platform_post_id')?.trim();
  const platform = q.get('platform')?.trim().toLowerCase();
  const user = q.get('user')?.trim();
  if (!id) return bad('platform_post_id query parameter is required');
  if (!platform) return bad('platform query parameter is required');
  if (!user) return bad('user query parameter is required');
  if (!isPlatform(platform)) return bad(`Invalid platform: ${platform}`);
  const profile = world.profile(user);
  if (!profile) return { status: 404, body: { success: false, message: 'Profile not found' } };

  const post = listPosts(world, user).find((p) => p.platforms.includes(platform) && platformPost(world, p, platform).id === id);
  const head: Record<string, unknown> = { platform_post_id: id, platform, profile_username: user, source: post ? 'api_uploaded' : 'organic' };
  if (post) head.request_id = post.requestId;
  if (!profile.platforms.includes(platform)) {
    const error = `${DISPLAY_NAMES[platform]} is not connected for this profile`;
    return { status: 200, body: { success: true, post: head, platforms: { [platform]: { success: false, platform_post_id: id, post_metrics_error: error } } } };
  }
  // The same counters the request-id endpoint gives for an uploaded post; a hash of the id for an organic one.
  const h = hashString(post ? `${post.requestId}\u0000${platform}\u0000metrics` : `${id}\u0000${platform}\u0000organic`, world.seed);
  const now = world.now();
  const age = post ? (now.getTime() - post.uploadedAt.getTime()) / DAY_MS : ORGANIC_AGE_DAYS;
  const metrics = postMetrics(h, platform, age);
  const url = post ? platformPost(world, post, platform).url : null;
  cache.record({
    post_id: id, platform, profile_username: user, date: world.today(), captured_at: now.toISOString(), metrics,
    post_url: url, media_type: post?.mediaType ?? null, upload_timestamp: post?.uploadedAt.toISOString() ?? null,
  });
  return {
    status: 200,
    body: {
      success: true, post: head,
      platforms: {
        [platform]: {
          success: true, platform_post_id: id, post_metrics: metrics, post_metrics_source: 'platform_api',
          available_metrics: [...PLATFORM_METRICS[platform as Platform]], metric_labels: metricLabels(platform),
          primary_impressions_field: world.currentRule(platform).primary_impressions_field,
        },
      },
    },
  };
}
