// Static facts about the ten platforms: which snapshot keys each reports, their labels,
// and the built-in aggregation rules (FACTS.md), kept in one place the world reads from.

export const PLATFORMS = [
  'instagram', 'tiktok', 'linkedin', 'facebook', 'x', 'youtube', 'threads', 'pinterest', 'reddit', 'bluesky',
] as const;
export type Platform = typeof PLATFORMS[number];

/** True when a (lower-cased) name is one of the ten platforms. */
export function isPlatform(name: string): name is Platform {
  return (PLATFORMS as readonly string[]).includes(name);
}

/** How a platform is spelled in human-facing messages. */
export const DISPLAY_NAMES: Record<Platform, string> = {
  instagram: 'Instagram', tiktok: 'TikTok', linkedin: 'LinkedIn', facebook: 'Facebook', x: 'X',
  youtube: 'YouTube', threads: 'Threads', pinterest: 'Pinterest', reddit: 'Reddit', bluesky: 'Bluesky',
};

/** Stocks accumulate; everything else is a per-day flow. */
export const STOCKS = new Set(['followers', 'following', 'video_count', 'posts_count']);

/** The snapshot keys of each platform, in answer order. */
export const PLATFORM_METRICS: Record<Platform, readonly string[]> = {
  instagram: ['followers', 'reach', 'views', 'impressions', 'profileViews', 'likes', 'comments', 'shares', 'saves'],
  tiktok: ['followers', 'following', 'impressions', 'views', 'likes', 'comments', 'shares', 'video_count'],
  youtube: ['followers', 'impressions', 'views', 'likes', 'comments', 'shares', 'video_count', 'watch_time_minutes'],
  facebook: ['followers', 'reach', 'impressions', 'likes', 'comments', 'shares'],
  linkedin: ['followers', 'reach', 'impressions', 'likes', 'comments', 'shares'],
  x: ['followers', 'following', 'impressions', 'likes', 'comments', 'shares'],
  threads: ['followers', 'impressions', 'views', 'likes', 'comments', 'shares'],
  pinterest: ['followers', 'impressions', 'saves', 'pin_clicks', 'outbound_clicks'],
  reddit: ['followers', 'impressions', 'comments'],
  bluesky: ['followers', 'following', 'engagement', 'likes', 'comments', 'shares', 'quotes', 'posts_count'],
};

/** Platforms where `impressions` is only an alias of `views` (FACTS.md). */
export const VIEWS_ALIAS = new Set<Platform>(['instagram', 'tiktok', 'youtube']);

const COMMON_LABELS: Record<string, string> = {
  followers: 'Followers', following: 'Following', reach: 'Reach', views: 'Views', impressions: 'Impressions',
  profileViews: 'Profile Views', likes: 'Likes', comments: 'Comments', shares: 'Shares', saves: 'Saves',
  video_count: 'Videos', posts_count: 'Posts', watch_time_minutes: 'Watch Time (min)', engagement: 'Engagement',
  quotes: 'Quotes', pin_clicks: 'Pin Clicks', outbound_clicks: 'Outbound Clicks',
};

const LABEL_OVERRIDES: Partial<Record<Platform, Record<string, string>>> = {
  instagram: { reach: 'Unique Reach', impressions: 'Content Views', profileViews: 'Accounts Engaged' },
  youtube: { impressions: 'Video Views', followers: 'Subscribers' },
  tiktok: { impressions: 'Video Views' },
  reddit: { impressions: 'Score', followers: 'Karma Followers' },
  bluesky: { shares: 'Reposts', comments: 'Replies' },
};

/** User-facing labels of a platform's metrics. */
export function metricLabels(platform: Platform): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const m of PLATFORM_METRICS[platform]) labels[m] = LABEL_OVERRIDES[platform]?.[m] ?? COMMON_LABELS[m] ?? m;
  return labels;
}

export interface PlatformRule { primary_impressions_field: string; metric_type: string }

/** The documented default of each platform's rule. */
export const BUILTIN_RULES: Record<Platform, PlatformRule> = {
  instagram: { primary_impressions_field: 'reach', metric_type: 'reach' },
  facebook: { primary_impressions_field: 'reach', metric_type: 'reach' },
  linkedin: { primary_impressions_field: 'reach', metric_type: 'reach' },
  youtube: { primary_impressions_field: 'impressions', metric_type: 'views' },
  tiktok: { primary_impressions_field: 'impressions', metric_type: 'views' },
  threads: { primary_impressions_field: 'impressions', metric_type: 'views' },
  x: { primary_impressions_field: 'impressions', metric_type: 'impressions' },
  pinterest: { primary_impressions_field: 'impressions', metric_type: 'impressions' },
  reddit: { primary_impressions_field: 'impressions', metric_type: 'score' },
  bluesky: { primary_impressions_field: 'engagement', metric_type: 'engagement' },
};

/** Metric names total-impressions accepts (FACTS.md). */
export const TOTAL_METRICS: readonly string[] = [
  'followers', 'reach', 'views', 'impressions', 'likes', 'comments', 'shares', 'saves', 'profileViews',
  'video_count', 'following', 'pin_clicks', 'outbound_clicks',
];

export interface SimProfileInput { username: string; platforms?: Platform[]; createdAt?: string }

/** The profiles a simulator starts with unless told otherwise. */
export const DEMO_PROFILES: SimProfileInput[] = [
  { username: 'acme-studio', platforms: [...PLATFORMS] },
  { username: 'bluebird-cafe', platforms: ['instagram', 'facebook', 'tiktok', 'youtube'] },
  { username: 'nova-creators', platforms: ['tiktok', 'youtube', 'x', 'threads', 'bluesky'] },
  // The profile of the worked example in analytics-api.txt (request abc123-def456).
  { username: 'myprofile', platforms: ['youtube', 'tiktok', 'instagram'] },
];
