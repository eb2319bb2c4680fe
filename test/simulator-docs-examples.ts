// The documented example answers, copied from the public docs (../shared/upload-post-api/:
// docs/get-analytics.md, docs/upload-history.md, and FACTS.md for /uploadposts/users, whose
// page is not among the copies), for comparing the simulator's answers key by key. The
// `// ... more date entries` of the analytics example is left out; nothing else is changed.

/** docs/get-analytics.md, GET /api/analytics/profile_username, "Example Successful Response". */
export const ANALYTICS = {
  instagram: {
    followers: 47, reach: 1250, views: 3400, impressions: 3400, profileViews: 89, likes: 120, comments: 15, shares: 8, saves: 22,
    reach_timeseries: [{ date: '2025-07-04', value: 42 }, { date: '2025-07-05', value: 55 }, { date: '2025-08-02', value: 38 }],
    follower_demographics: {
      age: { '25-34': 100, '35-44': 166, '45-54': 49 }, gender: { F: 74, M: 36, U: 24 }, country: { ES: 78, CO: 13, PE: 8 },
      city: { 'Madrid, Comunidad de Madrid': 18, 'Barcelona, Cataluña': 2 },
    },
    engaged_audience_demographics: {
      age: { '25-34': 61, '35-44': 88, '45-54': 20 }, gender: { F: 44, M: 21, U: 9 }, country: { ES: 52, CO: 7, PE: 4 },
      city: { 'Madrid, Comunidad de Madrid': 11, 'Barcelona, Cataluña': 1 },
    },
    metric_type: 'reach',
  },
};

/**
 * The fields the analytics page describes (its "Field Descriptions"), beyond the example's:
 * a platform object may carry these and no others.
 */
export const ANALYTICS_DOCUMENTED_FIELDS = [
  'followers', 'reach', 'views', 'impressions', 'profileViews', 'likes', 'comments', 'shares', 'saves', 'watch_time_minutes',
  'average_view_duration_seconds', 'engagement', 'following', 'posts_count', 'quotes', 'pin_clicks', 'outbound_clicks',
  'reach_timeseries', 'impressions_timeseries', 'period_days', 'follower_demographics', 'engaged_audience_demographics',
  'metric_type', 'primary_impressions_field', 'available_metrics', 'metric_labels',
  // Not described on the analytics page, but a snapshot metric total-impressions accepts by name.
  'video_count',
];

/** docs/get-analytics.md, Total Impressions: the five examples, keyed by what they show. */
export const TOTAL_IMPRESSIONS = {
  breakdown: {
    success: true, profile_username: 'myprofile', start_date: '2026-01-01', end_date: '2026-01-31', total_impressions: 45230,
    per_platform: { instagram: 12500, youtube: 18730, tiktok: 8000, facebook: 6000 },
    per_day: { '2026-01-01': 1200, '2026-01-02': 1450, '2026-01-03': 980 },
  },
  period: { success: true, profile_username: 'myprofile', start_date: '2026-02-13', end_date: '2026-02-20', total_impressions: 8523 },
  metrics: {
    success: true, profile_username: 'myprofile', start_date: '2026-01-21', end_date: '2026-02-20',
    metrics: { likes: 4520, comments: 312, shares: 189 },
    per_platform: {
      likes: { instagram: 2100, youtube: 1200, tiktok: 1220 }, comments: { instagram: 150, youtube: 80, tiktok: 82 },
      shares: { instagram: 90, youtube: 45, tiktok: 54 },
    },
    per_day: {
      likes: { '2026-01-21': 150, '2026-01-22': 160 }, comments: { '2026-01-21': 10, '2026-01-22': 12 },
      shares: { '2026-01-21': 6, '2026-01-22': 8 },
    },
  },
  date: { success: true, profile_username: 'myprofile', start_date: '2026-02-15', end_date: '2026-02-15', total_impressions: 1523 },
  platform: {
    success: true, profile_username: 'myprofile', start_date: '2026-01-20', end_date: '2026-02-19', total_impressions: 26730,
    platforms_filter: ['youtube', 'tiktok'], per_platform: { youtube: 18730, tiktok: 8000 }, per_day: { '2026-01-20': 850, '2026-01-21': 920 },
  },
};

/** docs/get-analytics.md (and analytics-api.txt), GET /api/uploadposts/post-analytics/request_id. */
export const POST_ANALYTICS = {
  success: true,
  post: {
    request_id: 'abc123-def456', profile_username: 'myprofile', post_title: 'My Video', post_caption: 'Check this out!',
    media_type: 'video', upload_timestamp: '2026-02-10 14:30:00',
  },
  platforms: {
    youtube: {
      success: true, platform_post_id: 'dQw4w9WgXcQ', post_url: 'https://youtube.com/watch?v=dQw4w9WgXcQ',
      post_metrics: { views: 5200, likes: 120, comments: 8, favorites: 3 }, post_metrics_source: 'platform_api',
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
  },
};

/**
 * docs/get-analytics.md, "TikTok: the full per-post breakdown": a TikTok entry whose metrics
 * were read, with the usual profile snapshots of the request-id endpoint around it.
 */
export const TIKTOK_POST_ENTRY = {
  success: true, platform_post_id: '7401234567890123456', post_url: 'https://tiktok.com/@user/video/7401234567890123456',
  post_metrics: {
    views: 40218, likes: 3184, comments: 96, shares: 211, reach: 37904, favorites: 402, new_followers: 128, profile_views: 903,
    full_video_watched_rate: 0.184, average_time_watched: 7.4, total_time_watched: 297613, is_ai_generated: false,
    retention: [{ second: '1', percentage: 0.75 }, { second: '2', percentage: 0.61 }, { second: '3', percentage: 0.49 }, { second: '10', percentage: 0.31 }],
    impression_sources: [
      { impression_source: 'For You', percentage: 0.977 }, { impression_source: 'Search', percentage: 0.013 },
      { impression_source: 'Follow', percentage: 0.007 }, { impression_source: 'Personal Profile', percentage: 0.002 },
      { impression_source: 'Others', percentage: 0.001 },
    ],
    audience_types: [{ audience_type: 'New viewers', percentage: 0.881 }, { audience_type: 'Returning viewers', percentage: 0.119 }],
  },
  post_metrics_source: 'platform_api',
  profile_snapshot_at_post_date: { followers: 800, impressions: 12000, likes: 500, comments: 30 },
  profile_snapshot_latest: { followers: 950, impressions: 18500, likes: 780, comments: 45 },
  profile_snapshot_latest_date: '2026-02-20',
};

/** docs/get-analytics.md, GET /api/uploadposts/post-analytics?platform_post_id=. */
export const POST_BY_PLATFORM_ID = {
  success: true,
  post: { platform_post_id: '18330983293218037', platform: 'instagram', profile_username: 'myprofile', source: 'organic' },
  platforms: {
    instagram: {
      success: true, platform_post_id: '18330983293218037',
      post_metrics: { likes: 340, comments: 12, views: 8500, reach: 6200, impressions: 9100, saves: 45, shares: 28 },
      post_metrics_source: 'platform_api',
      available_metrics: ['followers', 'reach', 'views', 'impressions', 'profileViews', 'likes', 'comments', 'shares', 'saves'],
      metric_labels: { reach: 'Unique Reach', views: 'Views', impressions: 'Views', profileViews: 'Accounts Engaged' },
      primary_impressions_field: 'reach',
    },
  },
};

/** docs/get-analytics.md, GET /api/uploadposts/post-analytics/cached. */
export const CACHED = {
  success: true, profile_username: 'influencersde', platform: null, since: '2026-06-28', until: '2026-07-28', source: 'snapshot_cache',
  posts: [{
    post_id: 'uAAYuyTX4P0', platform: 'youtube', profile_username: 'influencersde', date: '2026-07-28',
    captured_at: '2026-07-28T11:17:06.901000', metrics: { views: 412, likes: 3, comments: 0, favorites: 0 },
    post_url: 'https://www.youtube.com/watch?v=uAAYuyTX4P0', media_type: 'video', upload_timestamp: '2026-07-17T08:01:50.228000',
  }],
  limit: 50, next_cursor: 'eyJkIjoiMjAyNi0wNy0yOCIsInAiOi...', has_more: true, cached_posts_in_range: 128, published_posts_in_range: 341,
};

/** docs/get-analytics.md, GET /api/uploadposts/platform-metrics. */
export const PLATFORM_METRICS = {
  instagram: {
    primary_impressions_field: 'reach',
    available_metrics: ['followers', 'reach', 'views', 'impressions', 'profileViews', 'likes', 'comments', 'shares', 'saves'],
    metric_labels: { reach: 'Unique Reach', views: 'Views', impressions: 'Views', profileViews: 'Accounts Engaged' },
  },
  youtube: {
    primary_impressions_field: 'impressions',
    available_metrics: ['followers', 'impressions', 'likes', 'comments', 'shares'],
    metric_labels: { impressions: 'Video Views', followers: 'Subscribers' },
  },
};

/** docs/upload-history.md, "Example 200 Response (truncated)". */
export const HISTORY = {
  history: [{
    user_email: 'user@example.com', profile_username: 'profile_username', platform: 'instagram', media_type: 'video',
    upload_timestamp: '2025-09-04T10:22:33.123Z', success: true, platform_post_id: '1789654321',
    post_url: 'https://instagram.com/p/abc123', media_size_bytes: 12345678, post_title: 'Title', post_caption: 'Description',
    is_async: false, job_id: 'a1b2c3d4e5f67890a1b2c3d4e5f67890', dashboard: true, request_id: 'req_123', request_total_platforms: 3,
  }],
  total: 42, page: 1, limit: 20,
};

/** FACTS.md, GET /uploadposts/users (the docs' user-profiles page is not among the copies). */
export const USERS = {
  success: true, limit: 10, plan: '...',
  profiles: [{
    username: '...', created_at: '...',
    social_accounts: { tiktok: { display_name: '', handle: '', username: '', reauth_required: false, capabilities: [] as string[] }, instagram: null },
  }],
};
