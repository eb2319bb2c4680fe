// Answers built from the world for /analytics/:profile, /uploadposts/platform-metrics and
// /uploadposts/users. Shapes follow analytics-api.txt, docs/get-analytics.md and FACTS.md,
// including the odd ones.
import { ALL_PLATFORMS, DISPLAY_NAMES, PLATFORM_METRICS, STOCKS, isPlatform, metricLabels } from './catalog.js';
import type { Platform } from './catalog.js';
import { formatDay, rfc1123 } from './dates.js';
import { instagramDemographics } from './demographics.js';
import type { Answer } from './arithmetic.js';
import type { FaultRule } from './types.js';
import { FACEBOOK_WINDOW } from './world.js';
import type { World } from './world.js';

/** Days of reach_timeseries (and Facebook's default period_days). */
export const SERIES_DAYS = 30;
/** Facebook's `days` parameter accepts 1 to 365 (docs/get-analytics.md). */
export const MAX_FACEBOOK_DAYS = 365;

const bad = (error: string): Answer => ({ status: 400, body: { success: false, error } });

/**
 * GET /analytics/:profile. `platformFaults` holds the platform-level fault rules consumed
 * for this request, by lower-cased platform name.
 */
export function analyticsAnswer(world: World, username: string, q: URLSearchParams, platformFaults: Map<string, FaultRule>, wrapped: boolean): Answer {
  const names = (q.get('platforms') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) return bad('platforms query parameter is required');
  const daysText = q.get('days') || undefined;
  let days = SERIES_DAYS;
  if (daysText !== undefined) {
    days = /^\d+$/.test(daysText) ? Number(daysText) : Number.NaN;
    if (!(days >= 1 && days <= MAX_FACEBOOK_DAYS)) return bad(`Invalid days: '${daysText}' (expected a whole number from 1 to ${MAX_FACEBOOK_DAYS})`);
  }
  const profile = world.profile(username);
  if (!profile) return { status: 404, body: { success: false, message: 'Profile not found' } };
  const result: Record<string, unknown> = {};
  for (const name of names) {
    const key = name.toLowerCase();
    const fault = platformFaults.get(key);
    if (fault) {
      result[key] = platformFaultAnswer(fault, key);
    } else if (!isPlatform(key)) {
      result[key] = `Analytics are not supported for ${displayName(key)}.`;
    } else if (!profile.platforms.includes(key)) {
      result[key] = { error: `${DISPLAY_NAMES[key]} is not connected for this profile` };
    } else {
      result[key] = platformAnalytics(world, username, key, days);
    }
  }
  return { status: 200, body: wrapped ? { success: true, analytics: result } : result };
}

/** What a platform-level fault puts in place of the platform's object. */
function platformFaultAnswer(fault: FaultRule, key: string): unknown {
  switch (fault.kind) {
    case 'unsupportedPlatform': return fault.message ?? `Analytics are not supported for ${displayName(key)}.`;
    // FACTS.md: the shape of `reddit_unavailable` is undocumented, so each shape can be asked for.
    case 'platformUnavailable': return shaped(fault.message ?? `${key}_unavailable`, fault.shape ?? 'string');
    default: return shaped(fault.message ?? `Token expired for ${key}`, fault.shape ?? 'error');
  }
}

function shaped(message: string, shape: 'string' | 'message' | 'error'): unknown {
  return shape === 'string' ? message : shape === 'message' ? { message } : { error: message };
}

function displayName(key: string): string {
  return isPlatform(key) ? DISPLAY_NAMES[key] : key.charAt(0).toUpperCase() + key.slice(1);
}

function platformAnalytics(world: World, username: string, platform: Platform, days: number): Record<string, unknown> {
  const today = world.todayDay();
  const rule = world.currentRule(platform);
  const snapshot = world.snapshotOn(username, platform, today) ?? {};
  const out: Record<string, unknown> = { ...snapshot };
  const window = platform === 'facebook' ? days : SERIES_DAYS;
  if (platform === 'facebook' && days !== FACEBOOK_WINDOW) {
    // `days` asks Meta live for that window: the flows are totals over it. The stored daily
    // snapshot (what total-impressions sums) stays the 30-day rolling value.
    for (const metric of PLATFORM_METRICS.facebook) {
      if (!STOCKS.has(metric)) out[metric] = world.windowTotal(username, 'facebook', metric, today, days);
    }
  }
  out.reach_timeseries = series(world, username, platform, rule.primary_impressions_field, window);
  if (platform === 'facebook') {
    out.impressions_timeseries = series(world, username, platform, 'impressions', window);
    out.period_days = days;
  }
  if (platform === 'instagram') Object.assign(out, instagramDemographics(world, username, snapshot));
  out.metric_type = rule.metric_type;
  // Left out for these two so that clients exercise their fallback to platform-metrics.
  if (platform !== 'reddit' && platform !== 'bluesky') out.primary_impressions_field = rule.primary_impressions_field;
  out.available_metrics = [...PLATFORM_METRICS[platform]];
  out.metric_labels = metricLabels(platform);
  return out;
}

/** The last `length` days of a field's daily values, as reported today: the two newest days are still low. */
function series(world: World, username: string, platform: Platform, field: string, length: number): { date: string; value: number }[] {
  const today = world.todayDay();
  const first = world.firstDay(username);
  const points: { date: string; value: number }[] = [];
  for (let day = today - (length - 1); day <= today; day++) {
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

/** GET /uploadposts/platform-metrics: every platform's current rule, without metric_type. */
export function platformMetricsBody(world: World): object {
  return Object.fromEntries(ALL_PLATFORMS.map((p) => [p, {
    primary_impressions_field: world.currentRule(p).primary_impressions_field,
    available_metrics: [...PLATFORM_METRICS[p]],
    metric_labels: metricLabels(p),
  }]));
}

/** GET /uploadposts/users: every profile with its social accounts (null when not connected). */
export function usersBody(world: World, plan: string): object {
  const names = world.profiles();
  const profiles = names.flatMap((username) => {
    const info = world.profile(username);
    if (!info) return [];
    const created = createdInstant(world, username);
    const handle = username.replace(/-/g, '_');
    const title = username.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
    const accounts = Object.fromEntries(ALL_PLATFORMS.map((p) => [p, info.platforms.includes(p)
      ? { display_name: title, handle: `@${handle}`, username: handle, reauth_required: false, capabilities: [] }
      : null]));
    // The live API mixes ISO and RFC 1123 text for created_at; clients must read both.
    const createdAt = info.index % 2 === 0 ? created.toISOString() : rfc1123(created);
    return [{ username, created_at: createdAt, social_accounts: accounts }];
  });
  return { success: true, limit: Math.max(10, names.length), plan, profiles };
}

/** A moment of the profile's first server day, picked by hash (the day is what matters). */
function createdInstant(world: World, username: string): Date {
  const first = world.firstDay(username);
  const start = world.startOfDay(first);
  const second = world.keyHash(username, '', '#created') % 86_400;
  const at = new Date(start + second * 1000);
  // A 23-hour day (a DST change in the server's zone) has no such second: stay inside it.
  return world.dayOfInstant(at.getTime()) === first ? at : new Date(start + (second % 82_800) * 1000);
}
