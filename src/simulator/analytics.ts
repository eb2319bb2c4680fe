// Answers built from the world for /analytics/:profile, /uploadposts/platform-metrics and
// /uploadposts/users. Shapes follow analytics-api.txt and FACTS.md, including the odd ones.
import { DISPLAY_NAMES, PLATFORMS, PLATFORM_METRICS, STOCKS, isPlatform, metricLabels } from './catalog.js';
import type { Platform } from './catalog.js';
import { formatDay, instantOf, rfc1123 } from './dates.js';
import { hashWith } from './hash.js';
import type { Answer } from './arithmetic.js';
import type { FaultRule } from './types.js';
import type { World } from './world.js';

/** Days of reach_timeseries (and Facebook's period_days). */
export const SERIES_DAYS = 30;

/** GET /analytics/:profile; `fault` is a platform-level fault rule consumed for this request. */
export function analyticsAnswer(world: World, username: string, platformsParam: string | null, fault: FaultRule | undefined, wrapped: boolean): Answer {
  const names = (platformsParam ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) return { status: 400, body: { success: false, error: 'platforms query parameter is required' } };
  const profile = world.profile(username);
  if (!profile) return { status: 404, body: { success: false, message: 'Profile not found' } };
  const result: Record<string, unknown> = {};
  for (const name of names) {
    const key = name.toLowerCase();
    if (fault?.platform?.toLowerCase() === key && fault.kind === 'platformError') {
      const message = fault.message ?? `Token expired for ${key}`;
      result[key] = fault.shape === 'message' ? { message } : { error: message };
    } else if (fault?.platform?.toLowerCase() === key && fault.kind === 'unsupportedPlatform') {
      result[key] = fault.message ?? `Analytics are not supported for ${displayName(key)}.`;
    } else if (!isPlatform(key)) {
      result[key] = `Analytics are not supported for ${displayName(key)}.`;
    } else if (!profile.platforms.includes(key)) {
      result[key] = { error: `${DISPLAY_NAMES[key]} is not connected for this profile` };
    } else {
      result[key] = platformAnalytics(world, username, key);
    }
  }
  return { status: 200, body: wrapped ? { success: true, analytics: result } : result };
}

function displayName(key: string): string {
  return isPlatform(key) ? DISPLAY_NAMES[key] : key.charAt(0).toUpperCase() + key.slice(1);
}

function platformAnalytics(world: World, username: string, platform: Platform): Record<string, unknown> {
  const today = world.todayDay();
  const rule = world.currentRule(platform);
  const out: Record<string, unknown> = { ...world.snapshotOn(username, platform, today) };
  out.reach_timeseries = series(world, username, platform, rule.primary_impressions_field);
  if (platform === 'facebook') {
    out.impressions_timeseries = series(world, username, platform, 'impressions');
    out.period_days = SERIES_DAYS;
  }
  if (platform === 'instagram') out.follower_demographics = demographics(world, username, out.followers);
  out.metric_type = rule.metric_type;
  // Left out for these two so that clients exercise their fallback to platform-metrics.
  if (platform !== 'reddit' && platform !== 'bluesky') out.primary_impressions_field = rule.primary_impressions_field;
  out.available_metrics = [...PLATFORM_METRICS[platform]];
  out.metric_labels = metricLabels(platform);
  return out;
}

/** The last 30 days of a field's daily values, as reported today: the two newest days are still low. */
function series(world: World, username: string, platform: Platform, field: string): { date: string; value: number }[] {
  const today = world.todayDay();
  const first = world.firstDay(username);
  const points: { date: string; value: number }[] = [];
  for (let day = today - (SERIES_DAYS - 1); day <= today; day++) {
    let final = 0;
    if (day >= first) {
      // Facebook's snapshots hold rolling totals; its series carries the daily values.
      const dailyFlow = platform === 'facebook' && !STOCKS.has(field) && PLATFORM_METRICS.facebook.includes(field);
      final = dailyFlow ? world.daily(username, platform, field, day) : world.valueOn(username, platform, day, field) ?? 0;
    }
    const lag = today - day;
    // round(final × (0.6 + 0.2 × lag)) in integers: (3 + lag) / 5 never lands on a half.
    const value = lag >= 2 ? final : Math.round((final * (3 + lag)) / 5);
    points.push({ date: formatDay(day), value });
  }
  return points;
}

function demographics(world: World, username: string, followers: unknown): Record<string, unknown> {
  // Meta returns nothing below 100 followers, and the API surfaces that as {}.
  if (typeof followers !== 'number' || followers < 100) return {};
  const h = world.keyHash(username, 'instagram', '#demographics');
  const split = (total: number, names: string[], salt: number): Record<string, number> => {
    const weights = names.map((_, i) => 1 + (hashWith(h, salt + i) % 10));
    const sum = weights.reduce((a, b) => a + b, 0);
    return Object.fromEntries(names.map((n, i) => [n, Math.floor((total * (weights[i] ?? 0)) / sum)]));
  };
  return {
    age: split(followers, ['18-24', '25-34', '35-44', '45-54', '55-64'], 0),
    gender: split(followers, ['F', 'M', 'U'], 10),
    country: split(followers, ['US', 'GB', 'ES', 'DE', 'BR'], 20),
    // Only the top cities are listed, so they cover part of the audience.
    city: split(Math.floor(followers * 0.4), ['New York, New York', 'London, England', 'Madrid, Comunidad de Madrid'], 30),
  };
}

/** GET /uploadposts/platform-metrics: every platform's current rule, without metric_type. */
export function platformMetricsBody(world: World): object {
  return Object.fromEntries(PLATFORMS.map((p) => [p, {
    primary_impressions_field: world.currentRule(p).primary_impressions_field,
    available_metrics: [...PLATFORM_METRICS[p]],
    metric_labels: metricLabels(p),
  }]));
}

/** GET /uploadposts/users: every profile with its social accounts (null when not connected). */
export function usersBody(world: World): object {
  const names = world.profiles();
  const profiles = names.flatMap((username) => {
    const info = world.profile(username);
    if (!info) return [];
    const created = instantOf(world.firstDay(username), world.keyHash(username, '', '#created') % 86_400);
    const handle = username.replace(/-/g, '_');
    const title = username.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
    const accounts = Object.fromEntries(PLATFORMS.map((p) => [p, info.platforms.includes(p)
      ? { display_name: title, handle: `@${handle}`, username: handle, reauth_required: false, capabilities: [] }
      : null]));
    // The live API mixes ISO and RFC 1123 text for created_at; clients must read both.
    const createdAt = info.index % 2 === 0 ? created.toISOString() : rfc1123(created);
    return [{ username, created_at: createdAt, social_accounts: accounts }];
  });
  return { success: true, limit: Math.max(10, names.length), plan: 'business', profiles };
}
