// The HTTP face of the simulator: the order of the checks a request goes through (lockout,
// route, key, rate limit, per-post limit, fault), the headers of every answer, statistics
// and the request log.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { PLATFORM_KINDS } from './faults.js';
import type { Faults } from './faults.js';
import { AuthGuard, FixedWindow, UNLIMITED } from './limits.js';
import type { WindowState } from './limits.js';
import type { PostCache } from './post-analytics.js';
import type { RequestLog, Stats } from './request-log.js';
import { badRequestBody, dispatch, notFoundBody, requestContext, resolveRoute } from './routes.js';
import type { RouteConfig } from './routes.js';
import type { SimRequest } from './types.js';
import type { World } from './world.js';

export interface ServerConfig extends RouteConfig {
  apiKey: string;
  retryAfterHeader: boolean;
  rateLimitPerMinute: number;
  rateLimitWindowMs: number;
  postAnalyticsLimit: { max: number; windowMs: number };
}

export interface ServerState {
  world: World; faults: Faults; stats: Stats; log: RequestLog; cache: PostCache; config: ServerConfig; latencyMs: number;
}

type Headers = Record<string, string>;
// Answers the live API sends without X-RateLimit-* (public routes, 401, 404).
const NO_RATE_HEADERS: Headers = {};
// A body cut off mid-number: valid HTTP, invalid JSON.
const TRUNCATED_JSON = '{"instagram": {"followers": 4';
/** Live per-post reads, limited together to 100 per 5 minutes (docs/get-analytics.md). */
const LIVE_POST_ROUTES = new Set(['post-analytics', 'post-analytics-platform']);

/** The request listener of a simulator. */
export function createHandler(state: ServerState): RequestListener {
  const { config, stats } = state;
  const general = new FixedWindow(config.rateLimitPerMinute, config.rateLimitWindowMs);
  const perPost = new FixedWindow(config.postAnalyticsLimit.max, config.postAnalyticsLimit.windowMs);
  const guard = new AuthGuard();

  // When each request arrived (this machine's clock): latency counts from there.
  const arrived = new WeakMap<ServerResponse, number>();

  const reply = async (res: ServerResponse, entry: SimRequest, status: number, payload: string, headers: Headers): Promise<void> => {
    // A server of latency L answers L after the request arrives, its own work included: the
    // time spent building this answer (and waiting for this thread) is not added on top.
    const wait = state.latencyMs - (performance.now() - (arrived.get(res) ?? performance.now()));
    if (wait > 0) await sleep(wait);
    if (res.destroyed || res.writableEnded) return; // closed while we waited
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    if (status === 429) stats.rateLimited += 1;
    entry.status = status;
    entry.rateLimited = status === 429;
    // The server's clock, not this machine's: a client files each answer under the server's day of it.
    res.sendDate = false;
    res.writeHead(status, {
      ...headers, date: state.world.now().toUTCString(), 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload),
    });
    res.end(payload);
  };
  const json = (res: ServerResponse, entry: SimRequest, status: number, body: object, headers: Headers): Promise<void> =>
    reply(res, entry, status, JSON.stringify(body), headers);
  const tooMany = (res: ServerResponse, entry: SimRequest, message: string, window: WindowState, nowMs: number): Promise<void> => {
    const headers = rateHeaders({ ...window, remaining: 0 });
    if (config.retryAfterHeader) headers['retry-after'] = String(Math.max(1, Math.ceil((window.resetMs - nowMs) / 1000)));
    return json(res, entry, 429, { success: false, message }, headers);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const { world } = state;
    const nowMs = world.now().getTime();
    const url = new URL(req.url ?? '/', 'http://simulator.local');
    const q = url.searchParams;
    const route = resolveRoute(url.pathname);
    const ctx = route ? requestContext(world, route, q) : undefined;
    const entry = state.log.add({
      atMs: nowMs, day: ctx?.day ?? world.today(), method: req.method ?? 'GET', route: route?.name, profile: ctx?.profile,
      query: Object.fromEntries(q), status: null, rateLimited: false, fault: undefined,
    });
    stats.requests += 1;
    if (route) stats.byRoute[route.name] = (stats.byRoute[route.name] ?? 0) + 1;

    const address = req.socket.remoteAddress ?? '';
    const lockEnd = guard.locked(address, nowMs);
    if (lockEnd !== undefined) {
      const limit = Number.isFinite(config.rateLimitPerMinute) ? config.rateLimitPerMinute : UNLIMITED;
      const lock = { allowed: false, limit, remaining: 0, resetMs: lockEnd };
      return tooMany(res, entry, 'Too many failed authentication attempts. Try again later.', lock, nowMs);
    }
    if (!route || !ctx) return json(res, entry, 404, { detail: 'Not Found' }, NO_RATE_HEADERS);
    if (req.method !== 'GET') return json(res, entry, 405, { detail: 'Method Not Allowed' }, NO_RATE_HEADERS);

    // Public routes are neither keyed nor counted, and carry no rate-limit headers.
    let headers = NO_RATE_HEADERS;
    if (!route.public) {
      const key = /^Apikey\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
      if (key !== config.apiKey) {
        // A missing header is a misconfigured client, not a guess: only wrong keys count.
        if (key !== undefined) guard.fail(address, key, nowMs);
        return json(res, entry, 401, { success: false, message: 'Invalid or expired token' }, NO_RATE_HEADERS);
      }
      guard.succeed(address);
      const window = general.hit(nowMs);
      if (!window.allowed) return tooMany(res, entry, 'Rate limit exceeded', window, nowMs);
      headers = rateHeaders(window);
      if (LIVE_POST_ROUTES.has(route.name)) {
        const postWindow = perPost.hit(nowMs);
        if (!postWindow.allowed) return tooMany(res, entry, 'Post analytics rate limit exceeded (100 requests per 5 minutes)', postWindow, nowMs);
        headers = rateHeaders(postWindow);
      }
    }

    const taken = state.faults.take(ctx);
    const fault = taken.whole;
    entry.fault = fault?.kind;
    if (fault && !PLATFORM_KINDS.has(fault.kind) && fault.kind !== 'noBreakdown') {
      switch (fault.kind) {
        case 'timeout': return; // hold the socket until the client gives up (or close())
        case 'reset': req.socket.destroy(); return;
        case 'malformed': return reply(res, entry, 200, TRUNCATED_JSON, headers);
        case 'http400': return json(res, entry, 400, badRequestBody(route.name, fault.message ?? 'Bad Request'), headers);
        case 'unauthorized': return json(res, entry, 401, { success: false, message: fault.message ?? 'Invalid or expired token' }, NO_RATE_HEADERS);
        case 'notFound': return json(res, entry, 404, notFoundBody(route.name), NO_RATE_HEADERS);
        case 'rateLimited': {
          const window = { allowed: false, limit: limitOf(headers, config), remaining: 0, resetMs: nowMs + (fault.resetInSeconds ?? 1) * 1000 };
          return tooMany(res, entry, fault.message ?? 'Rate limit exceeded', window, nowMs);
        }
        default: return json(res, entry, serverErrorStatus(fault.kind), { success: false, message: fault.message ?? serverErrorText(fault.kind) }, headers);
      }
    }
    const answer = dispatch(world, state.cache, config, route, q, taken);
    return json(res, entry, answer.status, answer.body, answer.status === 404 ? NO_RATE_HEADERS : headers);
  };

  return (req, res) => {
    arrived.set(res, performance.now());
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.sendDate = false;
        res.writeHead(500, { 'content-type': 'application/json', date: state.world.now().toUTCString() });
        res.end(JSON.stringify({ success: false, message: `Internal Server Error: ${String(err)}` }));
      }
    });
  };
}

/** The limit a fault's 429 reports: the window's, as the request's own headers said. */
function limitOf(headers: Headers, config: ServerConfig): number {
  const stated = Number(headers['x-ratelimit-limit']);
  if (Number.isFinite(stated)) return stated;
  return Number.isFinite(config.rateLimitPerMinute) ? config.rateLimitPerMinute : UNLIMITED;
}

function serverErrorStatus(kind: string): number {
  return kind === 'http502' ? 502 : kind === 'http503' ? 503 : 500;
}

function serverErrorText(kind: string): string {
  return kind === 'http502' ? 'Bad Gateway' : kind === 'http503' ? 'Service Unavailable' : 'Internal Server Error';
}

function rateHeaders(w: WindowState): Headers {
  return {
    'x-ratelimit-limit': String(w.limit),
    'x-ratelimit-remaining': String(w.remaining),
    'x-ratelimit-reset': String(Math.ceil(w.resetMs / 1000)),
  };
}
