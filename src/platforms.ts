/** The platforms the analytics endpoint supports, and their built-in rules. */

export const PLATFORMS = ['instagram', 'tiktok', 'linkedin', 'facebook', 'x', 'youtube', 'threads', 'pinterest', 'reddit', 'bluesky'] as const;
export type Platform = (typeof PLATFORMS)[number];

export interface Rule {
  primaryField: string | null;
  metricType: string | null;
}

/** The last resort after the answer itself and `/platform-metrics` (SPEC: "Platform rules"). */
export const DEFAULT_RULES: Readonly<Record<Platform, Rule>> = {
  instagram: { primaryField: 'reach', metricType: 'reach' },
  facebook: { primaryField: 'reach', metricType: 'reach' },
  linkedin: { primaryField: 'reach', metricType: 'reach' },
  youtube: { primaryField: 'impressions', metricType: 'views' },
  tiktok: { primaryField: 'impressions', metricType: 'views' },
  threads: { primaryField: 'impressions', metricType: 'views' },
  x: { primaryField: 'impressions', metricType: 'impressions' },
  pinterest: { primaryField: 'impressions', metricType: 'impressions' },
  reddit: { primaryField: 'impressions', metricType: 'score' },
  // From the docs, not verified against the live API.
  bluesky: { primaryField: 'engagement', metricType: 'engagement' },
};

/** The metric names `total-impressions?metrics=` accepts (FACTS.md). */
export const QUERY_METRICS = [
  'followers', 'reach', 'views', 'impressions', 'likes', 'comments', 'shares', 'saves',
  'profileViews', 'video_count', 'following', 'pin_clicks', 'outbound_clicks',
] as const;

/** Stock metrics: a level, not a daily flow, so summing them over days misleads. */
export const STOCK_METRICS = new Set(['followers', 'following', 'video_count', 'posts_count']);

/** Lower-case and map the docs' spellings ("Linkedin", "X") to ours. */
export function normalizePlatform(name: string): string {
  const n = name.trim().toLowerCase();
  return n === 'twitter' ? 'x' : n;
}

export function isPlatform(name: string): name is Platform {
  return (PLATFORMS as readonly string[]).includes(name);
}
