// The HTTP face of the simulator: routing, the order of the checks a request goes through
// (lockout, rate limit, route, fault, key, per-post limit), headers and statistics.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { analyticsAnswer, platformMetricsBody, usersBody } from './analytics.js';
import { totalImpressions } from './arithmetic.js';
import type { Answer } from './arithmetic.js';
import { PLATFORM_KINDS } from './faults.js';
import type { FaultContext, Faults } from './faults.js';
import { AuthGuard, FixedWindow, UNLIMITED } from './limits.js';
import type { WindowState } from './limits.js';
import { cachedBody, postAnalyticsBody } from './post-analytics.js';
import type { PostCache } from './post-analytics.js';
import { findPost, historyPage } from './posts.js';
import type { FaultRule, SimStats } from './types.js';
import type { World } from './world.js';

export type RouteName =
  'analytics' | 'total-impressions' | 'platform-metrics' | 'post-analytics' | 'post-analytics-cached' | 'users' | 'history';

interface Route { name: RouteName; param: string; public: boolean }

export interface ServerConfig {
  apiKey: string;
  analyticsWrapped: boolean;
  historyKey: 'history' | 'uploads';
  retryAfterHeader: boolean;
  rateLimitPerMinute: number;
  rateLimitWindowMs: number;
  postAnalyticsLimit: { max: number; windowMs: number };
}

export interface ServerState { world: World; faults: Faults; stats: Stats; cache: PostCache; config: ServerConfig; latencyMs: number }

const HISTORY_LIMITS = new Set(['10', '20', '50', '100']);
const PROFILE_NOT_FOUND = { success: false, message: 'Profile not found' };
// A body cut off mid-number: valid HTTP, invalid JSON.
const TRUNCATED_JSON = '{"instagram": {"followers": 4';

/** Request counters, as the public SimStats. */
export class Stats implements SimStats {
  requests = 0;
  byRoute: Record<string, number> = {};
  byStatus: Record<number, number> = {};
  rateLimited = 0;

  reset(): void {
    this.requests = 0;
    this.byRoute = {};
    this.byStatus = {};
    this.rateLimited = 0;
  }
}

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
  if (b === 'platform-metrics') return { name: 'platform-metrics', param: '', public: true };
  if (b === 'users') return { name: 'users', param: '', public: false };
  if (b === 'history') return { name: 'history', param: '', public: false };
  return undefined;
}

/** The request listener of a simulator. */
export function createHandler(state: ServerState): RequestListener {
  const { config, stats } = state;
  const general = new FixedWindow(config.rateLimitPerMinute, config.rateLimitWindowMs);
  const perPost = new FixedWindow(config.postAnalyticsLimit.max, config.postAnalyticsLimit.windowMs);
  const guard = new AuthGuard();

  const reply = async (res: ServerResponse, status: number, payload: string, headers: Record<string, string>): Promise<void> => {
    if (state.latencyMs > 0) await sleep(state.latencyMs);
    if (res.destroyed || res.writableEnded) return; // closed while we waited
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    if (status === 429) stats.rateLimited += 1;
    // The server's own clock, as a real server's Date header: clients learn the server's day from it.
    res.writeHead(status, { ...headers, date: state.world.now().toUTCString(), 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    res.end(payload);
  };
  const json = (res: ServerResponse, status: number, body: object, headers: Record<string, string>): Promise<void> =>
    reply(res, status, JSON.stringify(body), headers);
  const tooMany = (res: ServerResponse, message: string, window: WindowState, nowMs: number): Promise<void> => {
    const headers = rateHeaders({ ...window, remaining: 0 });
    if (config.retryAfterHeader) headers['retry-after'] = String(Math.max(1, Math.ceil((window.resetMs - nowMs) / 1000)));
    return json(res, 429, { success: false, message }, headers);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const nowMs = state.world.now().getTime();
    const url = new URL(req.url ?? '/', 'http://simulator.local');
    const q = url.searchParams;
    const route = resolveRoute(url.pathname);
    stats.requests += 1;
    if (route) stats.byRoute[route.name] = (stats.byRoute[route.name] ?? 0) + 1;

    const address = req.socket.remoteAddress ?? '';
    const lockEnd = guard.locked(address, nowMs);
    if (lockEnd !== undefined) {
      const limit = Number.isFinite(config.rateLimitPerMinute) ? config.rateLimitPerMinute : UNLIMITED;
      return tooMany(res, 'Too many failed authentication attempts. Try again later.', { allowed: false, limit, remaining: 0, resetMs: lockEnd }, nowMs);
    }
    const window = general.hit(nowMs);
    if (!window.allowed) return tooMany(res, 'Rate limit exceeded', window, nowMs);
    let headers = rateHeaders(window);
    if (!route) return json(res, 404, { detail: 'Not Found' }, headers);
    if (req.method !== 'GET') return json(res, 405, { detail: 'Method Not Allowed' }, headers);

    const fault = state.faults.take(faultContext(state.world, route, q));
    if (fault && !PLATFORM_KINDS.has(fault.kind)) {
      const rateLimitedWindow = { ...window, resetMs: nowMs + (fault.resetInSeconds ?? 1) * 1000 };
      switch (fault.kind) {
        case 'timeout': return; // hold the socket until the client gives up (or close())
        case 'reset': req.socket.destroy(); return;
        case 'malformed': return reply(res, 200, TRUNCATED_JSON, headers);
        case 'unauthorized': return json(res, 401, { success: false, message: fault.message ?? 'Invalid or expired token' }, headers);
        case 'notFound': return json(res, 404, notFoundBody(route.name), headers);
        case 'rateLimited': return tooMany(res, fault.message ?? 'Rate limit exceeded', rateLimitedWindow, nowMs);
        default: return json(res, serverErrorStatus(fault.kind), { success: false, message: fault.message ?? serverErrorText(fault.kind) }, headers);
      }
    }

    if (!route.public) {
      const key = /^Apikey\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
      if (key !== config.apiKey) {
        // A missing header is a misconfigured client, not a guess: only wrong keys count.
        if (key !== undefined) guard.fail(address, key, nowMs);
        return json(res, 401, { success: false, message: 'Invalid or expired token' }, headers);
      }
      guard.succeed(address);
    }
    if (route.name === 'post-analytics') {
      const postWindow = perPost.hit(nowMs);
      if (!postWindow.allowed) return tooMany(res, 'Post analytics rate limit exceeded (100 requests per 5 minutes)', postWindow, nowMs);
      headers = rateHeaders(postWindow);
    }
    const answer = dispatch(state, route, q, fault);
    return json(res, answer.status, answer.body, headers);
  };

  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ success: false, message: `Internal Server Error: ${String(err)}` }));
      }
    });
  };
}

function dispatch(state: ServerState, route: Route, q: URLSearchParams, fault: FaultRule | undefined): Answer {
  const { world, config, cache } = state;
  switch (route.name) {
    case 'analytics': return analyticsAnswer(world, route.param, q.get('platforms'), fault, config.analyticsWrapped);
    case 'total-impressions': return totalImpressions(world, route.param, q);
    case 'platform-metrics': return { status: 200, body: platformMetricsBody(world) };
    case 'users': return { status: 200, body: usersBody(world) };
    case 'post-analytics-cached': return cachedBody(world, cache, q);
    case 'post-analytics': {
      const post = findPost(world, route.param);
      if (!post) return { status: 404, body: notFoundBody('post-analytics') };
      return { status: 200, body: postAnalyticsBody(world, cache, post, q.get('platform') ?? undefined) };
    }
    case 'history': return history(state, q);
  }
}

function history(state: ServerState, q: URLSearchParams): Answer {
  const limit = q.get('limit') ?? '10';
  if (!HISTORY_LIMITS.has(limit)) return { status: 400, body: { error: 'Invalid limit' } };
  const page = q.get('page') ?? '1';
  if (!/^\d+$/.test(page) || Number(page) < 1) return { status: 400, body: { error: 'Invalid page' } };
  const requestId = q.get('request_id') || undefined;
  if (requestId !== undefined && requestId.length > 200) return { status: 400, body: { error: 'Invalid request_id' } };
  const profile = q.get('profile_username') || q.get('profile') || undefined;
  if (profile !== undefined && !state.world.profile(profile)) return { status: 404, body: PROFILE_NOT_FOUND };
  const platform = q.get('platform')?.trim().toLowerCase() || undefined;
  const { rows, total } = historyPage(state.world, { profile, platform, requestId }, Number(page), Number(limit));
  return { status: 200, body: { [state.config.historyKey]: rows, total, page: Number(page), limit: Number(limit) } };
}

/** Which profile and platforms a request is about, for fault matching. */
function faultContext(world: World, route: Route, q: URLSearchParams): FaultContext {
  const list = (text: string | null): string[] => (text ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  switch (route.name) {
    case 'analytics': return { route: route.name, profile: route.param, platforms: list(q.get('platforms')) };
    case 'total-impressions': return { route: route.name, profile: route.param, platforms: list(q.get('platform')) };
    case 'post-analytics': return { route: route.name, profile: findPost(world, route.param)?.username, platforms: list(q.get('platform')) };
    case 'post-analytics-cached': return { route: route.name, profile: q.get('user') ?? undefined, platforms: list(q.get('platform')) };
    case 'history': return { route: route.name, profile: q.get('profile_username') ?? q.get('profile') ?? undefined, platforms: list(q.get('platform')) };
    default: return { route: route.name, platforms: [] };
  }
}

function notFoundBody(route: RouteName): object {
  if (route === 'post-analytics') return { detail: 'Post not found' };
  if (route === 'platform-metrics' || route === 'users') return { detail: 'Not Found' };
  return PROFILE_NOT_FOUND;
}

function serverErrorStatus(kind: string): number {
  return kind === 'http502' ? 502 : kind === 'http503' ? 503 : 500;
}

function serverErrorText(kind: string): string {
  return kind === 'http502' ? 'Bad Gateway' : kind === 'http503' ? 'Service Unavailable' : 'Internal Server Error';
}

function rateHeaders(w: WindowState): Record<string, string> {
  return {
    'x-ratelimit-limit': String(w.limit),
    'x-ratelimit-remaining': String(w.remaining),
    'x-ratelimit-reset': String(Math.ceil(w.resetMs / 1000)),
  };
}
