/** The platforms upw knows, their built-in rules, and what makes a platform name. */

/**
 * The platforms docs/get-analytics.md lists as supported. Others are still
 * asked for (with a warning): the API answers for each name itself, and a
 * "not supported" answer is a note, not a failure.
 */
export const PLATFORMS = ['instagram', 'tiktok', 'linkedin', 'facebook', 'x', 'youtube', 'threads', 'pinterest', 'reddit', 'bluesky', 'google_business'] as const;
export type Platform = (typeof PLATFORMS)[number];

export interface Rule {
  primaryField: string | null;
  metricType: string | null;
}

/**
 * The last resort after the answer itself and `/platform-metrics` (SPEC: "Platform rules").
 * google_business has none: the docs' table of counted fields does not list it, so
 * only a rule the API states is used for it.
 */
export const DEFAULT_RULES: Readonly<Partial<Record<Platform, Rule>>> = {
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

/** The built-in rule of a platform, if it has one. */
export function defaultRule(name: string): Rule | undefined {
  return isPlatform(name) ? DEFAULT_RULES[name] : undefined;
}

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

/** True for a platform the docs list. */
export function isPlatform(name: string): name is Platform {
  return (PLATFORMS as readonly string[]).includes(name);
}

/**
 * True for a (normalized) name that can be a platform at all: it travels in a
 * comma list and a URL, so letters, digits, `_`, `-` and `.` only.
 */
export function isPlatformName(name: string): boolean {
  return /^[a-z0-9][a-z0-9_.-]{0,63}$/.test(name);
}

/** The one-line warning for names upw does not know, which are asked for anyway. */
export function unknownPlatformWarning(names: readonly string[], where: string): string | undefined {
  const unknown = [...new Set(names.filter((n) => !isPlatform(n)))];
  if (unknown.length === 0) return undefined;
  const list = unknown.map((n) => `"${n}"`).join(', ');
  return `${where}: ${list} ${unknown.length === 1 ? 'is not a platform' : 'are not platforms'} upw knows (${PLATFORMS.join(', ')}); asked for anyway, the API's answer decides`;
}
