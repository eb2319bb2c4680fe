// The API's routes: which path is which endpoint, what a request is about (for faults and
// the log), and the answer each endpoint gives once a request has passed every check.
import { analyticsAnswer, platformMetricsBody, usersBody } from './analytics.js';
import { totalImpressions } from './arithmetic.js';
import type { Answer } from './arithmetic.js';
import type { FaultContext, TakenFaults } from './faults.js';
import { cachedBody, postAnalyticsBody } from './post-analytics.js';
import { postByPlatformIdBody } from './post-by-id.js';
import type { PostCache } from './post-analytics.js';
import { findPost, historyPage } from './posts.js';
import type { SimPlan } from './types.js';
import type { World } from './world.js';

export type RouteName =
  | 'analytics' | 'total-impressions' | 'platform-metrics' | 'post-analytics' | 'post-analytics-platform'
  | 'post-analytics-cached' | 'users' | 'history';

export interface Route { name: RouteName; param: string; public: boolean }

export interface RouteConfig { analyticsWrapped: boolean; historyKey: 'history' | 'uploads'; maxRangeDays: number; plan: SimPlan }

const HISTORY_LIMITS = new Set(['10', '20', '50', '100']);
const PROFILE_NOT_FOUND = { success: false, message: 'Profile not found' };

/** Map a path to a route; undefined answers 404. */
export function resolveRoute(pathname: string): Route | undefined {
  let parts: string[];
  try {
    parts = pathname.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
  if (parts[0] !== 'api') return undefined;
  const [a, b, c, extra] = parts.slice(1);
  if (a === 'analytics' && b && c === undefined) return { name: 'analytics', param: b, public: false };
  if (a !== 'uploadposts' || extra !== undefined) return undefined;
  if (b === 'total-impressions' && c) return { name: 'total-impressions', param: c, public: false };
  if (b === 'post-analytics' && c === 'cached') return { name: 'post-analytics-cached', param: '', public: false };
  if (b === 'post-analytics' && c) return { name: 'post-analytics', param: c, public: false };
  if (c !== undefined) return undefined;
  // ?platform_post_id=…&platform=…&user=…: any post, organic ones included (docs/get-analytics.md).
  if (b === 'post-analytics') return { name: 'post-analytics-platform', param: '', public: false };
  if (b === 'platform-metrics') return { name: 'platform-metrics', param: '', public: true };
  if (b === 'users') return { name: 'users', param: '', public: false };
  if (b === 'history') return { name: 'history', param: '', public: false };
  return undefined;
}

/** Which profile and platforms a request is about, for fault matching and the log. */
export function requestContext(world: World, route: Route, q: URLSearchParams): FaultContext {
  const list = (text: string | null): string[] => (text ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const day = world.today();
  switch (route.name) {
    case 'analytics': return { route: route.name, profile: route.param, platforms: list(q.get('platforms')), day };
    case 'total-impressions': return { route: route.name, profile: route.param, platforms: list(q.get('platform')), day };
    case 'post-analytics': return { route: route.name, profile: findPost(world, route.param)?.username, platforms: list(q.get('platform')), day };
    case 'post-analytics-platform':
    case 'post-analytics-cached': return { route: route.name, profile: q.get('user') ?? undefined, platforms: list(q.get('platform')), day };
    case 'history': return { route: route.name, profile: q.get('profile_username') ?? q.get('profile') ?? undefined, platforms: list(q.get('platform')), day };
    default: return { route: route.name, platforms: [], day };
  }
}

/** The endpoint's answer to a request that passed the key, the limits and whole-answer faults. */
export function dispatch(world: World, cache: PostCache, config: RouteConfig, route: Route, q: URLSearchParams, faults: TakenFaults): Answer {
  switch (route.name) {
    case 'analytics': return analyticsAnswer(world, route.param, q, faults.platforms, config.analyticsWrapped);
    case 'total-impressions': {
      const answer = totalImpressions(world, route.param, q, { maxRangeDays: config.maxRangeDays });
      if (faults.whole?.kind === 'noBreakdown' && answer.status === 200) {
        const { per_platform: _p, per_day: _d, ...rest } = answer.body as Record<string, unknown>;
        return { status: 200, body: rest };
      }
      return answer;
    }
    case 'platform-metrics': return { status: 200, body: platformMetricsBody(world) };
    case 'users': return { status: 200, body: usersBody(world, config.plan) };
    case 'post-analytics-cached': return cachedBody(world, cache, q);
    case 'post-analytics-platform': return postByPlatformIdBody(world, cache, q);
    case 'post-analytics': {
      const post = findPost(world, route.param);
      if (!post) return { status: 404, body: notFoundBody('post-analytics') };
      return { status: 200, body: postAnalyticsBody(world, cache, post, q.get('platform') ?? undefined) };
    }
    case 'history': return history(world, config, q);
  }
}

function history(world: World, config: RouteConfig, q: URLSearchParams): Answer {
  const limit = q.get('limit') ?? '10';
  if (!HISTORY_LIMITS.has(limit)) return { status: 400, body: badRequestBody('history', 'Invalid limit') };
  const page = q.get('page') ?? '1';
  if (!/^\d+$/.test(page) || Number(page) < 1) return { status: 400, body: badRequestBody('history', 'Invalid page') };
  const requestId = q.get('request_id') || undefined;
  if (requestId !== undefined && requestId.length > 200) return { status: 400, body: badRequestBody('history', 'Invalid request_id') };
  const profile = q.get('profile_username') || q.get('profile') || undefined;
  if (profile !== undefined && !world.profile(profile)) return { status: 404, body: PROFILE_NOT_FOUND };
  const platform = q.get('platform')?.trim().toLowerCase() || undefined;
  const { rows, total } = historyPage(world, { profile, platform, requestId }, Number(page), Number(limit));
  // in_progress lists uploads still running (docs/upload-history.md): the world's are all done.
  return { status: 200, body: { [config.historyKey]: rows, in_progress: [], total, page: Number(page), limit: Number(limit) } };
}

/** A 400's body in the shape the docs show for the endpoint: history's is a bare {error}. */
export function badRequestBody(route: RouteName, message: string): object {
  return route === 'history' ? { error: message } : { success: false, error: message };
}

/** A 404's body as each endpoint words it. */
export function notFoundBody(route: RouteName): object {
  if (route === 'post-analytics') return { detail: 'Post not found' };
  if (route === 'platform-metrics' || route === 'users') return { detail: 'Not Found' };
  return PROFILE_NOT_FOUND;
}
