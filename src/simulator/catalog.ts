// Static facts about the platforms: which snapshot keys each reports, their labels,
// and the built-in aggregation rules (FACTS.md), kept in one place the world reads from.

/** The ten platforms every default and generated profile connects (unchanged since the first tests). */
export const PLATFORMS = [
  'instagram', 'tiktok', 'linkedin', 'facebook', 'x', 'youtube', 'threads', 'pinterest', 'reddit', 'bluesky',
] as const;
/**
 * Every platform the simulator answers with data: the ten, plus google_business, which
 * docs/get-analytics.md lists as supported. It is kept out of PLATFORMS so that default
 * profiles (and every value tests and the benchmark were written against) stay as they were.
 */
export const ALL_PLATFORMS = [...PLATFORMS, 'google_business'] as const;
export type Platform = typeof ALL_PLATFORMS[number];

/** True when a (lower-cased) name is a platform the simulator has data for. */
export function isPlatform(name: string): name is Platform {
  return (ALL_PLATFORMS as readonly string[]).includes(name);
}

/** How a platform is spelled in human-facing messages. */
export const DISPLAY_NAMES: Record<Platform, string> = {
  instagram: 'Instagram', tiktok: 'TikTok', linkedin: 'LinkedIn', facebook: 'Facebook', x: 'X',
  youtube: 'YouTube', threads: 'Threads', pinterest: 'Pinterest', reddit: 'Reddit', bluesky: 'Bluesky',
  google_business: 'Google Business',
};

/** Stocks accumulate; everything else is a per-day flow. */
export const STOCKS = new Set(['followers', 'following', 'video_count', 'posts_count']);

/**
 * Keys computed from other keys of the same snapshot rather than generated: YouTube's
 * average view duration is its watch time over its views (docs/get-analytics.md).
 */
export const DERIVED = new Set(['average_view_duration_seconds']);

/** The snapshot keys of each platform, in answer order. */
export const PLATFORM_METRICS: Record<Platform, readonly string[]> = {
  instagram: ['followers', 'reach', 'views', 'impressions', 'profileViews', 'likes', 'comments', 'shares', 'saves'],
  tiktok: ['followers', 'following', 'impressions', 'views', 'likes', 'comments', 'shares', 'video_count'],
  youtube: [
    'followers', 'impressions', 'views', 'likes', 'comments', 'shares', 'video_count', 'watch_time_minutes',
    'average_view_duration_seconds',
  ],
  facebook: ['followers', 'reach', 'impressions', 'likes', 'comments', 'shares'],
  linkedin: ['followers', 'reach', 'impressions', 'likes', 'comments', 'shares'],
  x: ['followers', 'following', 'impressions', 'likes', 'comments', 'shares'],
  threads: ['followers', 'impressions', 'views', 'likes', 'comments', 'shares'],
  pinterest: ['followers', 'impressions', 'saves', 'pin_clicks', 'outbound_clicks'],
  reddit: ['followers', 'impressions', 'comments'],
  bluesky: ['followers', 'following', 'engagement', 'likes', 'comments', 'shares', 'quotes', 'posts_count'],
  // Google's Business Profile Performance API: impressions on Search and Maps, and the actions they led to.
  google_business: ['impressions', 'website_clicks', 'call_clicks', 'direction_requests', 'conversations', 'bookings'],
};

/** Platforms where `impressions` is only an alias of `views` (FACTS.md). */
export const VIEWS_ALIAS = new Set<Platform>(['instagram', 'tiktok', 'youtube']);

const COMMON_LABELS: Record<string, string> = {
  followers: 'Followers', following: 'Following', reach: 'Reach', views: 'Views', impressions: 'Impressions',
  profileViews: 'Profile Views', likes: 'Likes', comments: 'Comments', shares: 'Shares', saves: 'Saves',
  video_count: 'Videos', posts_count: 'Posts', watch_time_minutes: 'Watch Time (min)', engagement: 'Engagement',
  quotes: 'Quotes', pin_clicks: 'Pin Clicks', outbound_clicks: 'Outbound Clicks',
  average_view_duration_seconds: 'Avg. View Duration (s)', website_clicks: 'Website Clicks', call_clicks: 'Calls',
  direction_requests: 'Direction Requests', conversations: 'Conversations', bookings: 'Bookings',
};

const LABEL_OVERRIDES: Partial<Record<Platform, Record<string, string>>> = {
  instagram: { reach: 'Unique Reach', impressions: 'Content Views', profileViews: 'Accounts Engaged' },
  youtube: { impressions: 'Video Views', followers: 'Subscribers' },
  tiktok: { impressions: 'Video Views' },
  reddit: { impressions: 'Score', followers: 'Karma Followers' },
  bluesky: { shares: 'Reposts', comments: 'Replies' },
  google_business: { impressions: 'Profile Impressions (Search + Maps)' },
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
  // Not in the docs' table: how often the business profile was shown is its impressions.
  google_business: { primary_impressions_field: 'impressions', metric_type: 'impressions' },
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

/**
 * A local business with google_business connected, beside two of the ten. Not among
 * DEMO_PROFILES (their lists are pinned by tests); added by the `googleBusiness` option.
 */
export const GOOGLE_BUSINESS_PROFILE: SimProfileInput = {
  username: 'corner-bakery-google-business', platforms: ['google_business', 'instagram', 'facebook'],
};
