/**
 * The API client over real loopback HTTP: a tiny server per test answers the
 * shapes FACTS.md lists, so no stub of got is involved.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../src/api/client.js';
import { parseAnalytics } from '../src/api/parse.js';
import { ApiBadRequestError, ApiKeyRefusedError, ApiMalformedResponseError, ApiNetworkError, ApiNotFoundError, ApiServerError } from '../src/errors.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? (server.closeAllConnections(), server.close(() => r())) : r())));

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

/** A few turns of the real event loop (setImmediate is never faked here): loopback I/O completes. */
const ioSettled = async (turns = 50) => {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
};
const until = async (done: () => boolean) => {
  for (let i = 0; i < 10_000 && !done(); i++) await ioSettled(1);
  if (!done()) throw new Error('the server never saw the request');
};

const client = (baseUrl: string, extra: Partial<ConstructorParameters<typeof ApiClient>[0]> = {}) =>
  new ApiClient({ baseUrl, apiKey: 'secret-key', retries: 3, retryBaseMs: 10, timeoutMs: 500, ...extra });

describe('the API client', () => {
  it('sends the key as an Apikey header and all platforms in one request', async () => {
    const seen: string[] = [];
    const url = await serve((req, res) => {
      seen.push(`${req.url}|${req.headers.authorization}`);
      json(res, 200, { instagram: { followers: 1 } });
    });
    await client(url).analytics('me', ['instagram', 'youtube'], { pageId: '42' });
    expect(seen).toEqual(['/api/analytics/me?platforms=instagram%2Cyoutube&page_id=42|Apikey secret-key']);
  });

  it('never retries a 401', async () => {
    let hits = 0;
    const url = await serve((_req, res) => {
      hits++;
      json(res, 401, { success: false, message: 'Invalid or expired token' });
    });
    const error = await client(url).users().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiKeyRefusedError);
    expect((error as Error).message).toContain('Invalid or expired token');
    expect((error as Error).message).not.toContain('secret-key');
    expect(hits).toBe(1);
  });

  it.each([
    [{ success: false, message: 'm1' }, 'm1'],
    [{ success: false, error: 'm2' }, 'm2'],
    [{ detail: 'm3' }, 'm3'],
    [{ error: 'm4' }, 'm4'],
  ])('reads the error message of the body %j', async (body, message) => {
    const url = await serve((_req, res) => json(res, 404, body));
    const error = await client(url).analytics('x', ['instagram']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiNotFoundError);
    expect((error as Error).message).toContain(message);
  });

  it('turns a 400 into a bad-request error and a lasting 5xx into a server error after its retries', async () => {
    let hits = 0;
    const url = await serve((req, res) => {
      hits++;
      if (req.url?.includes('total')) json(res, 400, { success: false, error: 'Invalid date' });
      else json(res, 502, 'Bad gateway');
    });
    await expect(client(url).totalImpressions('p', { date: 'nope' })).rejects.toBeInstanceOf(ApiBadRequestError);
    expect(hits).toBe(1);
    await expect(client(url).users()).rejects.toBeInstanceOf(ApiServerError);
    expect(hits).toBe(1 + 4);
  });

  it('gives up on a server that never answers with a network error', async () => {
    const url = await serve(() => {});
    const c = client(url, { retries: 1, timeoutMs: 100 });
    const error = await c.users().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiNetworkError);
    expect(c.stats).toMatchObject({ requests: 2, retries: 1 });
  });

  it('keeps the raw text of a body that is not JSON', async () => {
    const url = await serve((_req, res) => json(res, 200, '{"instagram": {"followers": 4'));
    const error = await client(url).analytics('p', ['instagram']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiMalformedResponseError);
    expect((error as { raw: { body: string } }).raw.body).toBe('{"instagram": {"followers": 4');
  });

  it('reads /users into its profiles and keeps the bytes received, unless decoding or the key changes them', async () => {
    const users = '{"profiles": [{"username": "café", "social_accounts": {"instagram": {"h": 1}, "tiktok": null}}]}';
    let sent = Buffer.from(users, 'utf8');
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(sent);
    });
    const plain = await client(url).users();
    expect(plain.body).toEqual([{ username: 'café', createdAt: undefined, connected: ['instagram'] }]);
    expect(plain.raw.bytes).toEqual(sent);
    expect(plain.raw.body).toBe(users);
    // A byte that is not UTF-8 and the key: the text is decoded and redacted, and its bytes are what is stored.
    sent = Buffer.concat([Buffer.from('{"echo": "secret-key '), Buffer.of(0xff), Buffer.from('", "profiles": []}')]);
    const odd = await client(url).users();
    expect(odd.raw.body).toBe('{"echo": "[REDACTED] \ufffd", "profiles": []}');
    expect(odd.raw.bytes).toEqual(Buffer.from(odd.raw.body, 'utf8'));
    expect(odd.body).toEqual([]);
  });

  it('refuses a /users body that is not JSON, keeping its text', async () => {
    const url = await serve((_req, res) => json(res, 200, '{"profiles": [{"username": "a"},]}'));
    const error = await client(url).users().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiMalformedResponseError);
    expect((error as { raw: { body: string } }).raw.body).toBe('{"profiles": [{"username": "a"},]}');
  });

  it('respects Retry-After on 429: the retry goes out once the announced second has passed, not before', async () => {
    // Only timers and Date are faked: the sockets stay real, and time moves only when told to.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const arrivals: number[] = [];
      const url = await serve((_req, res) => {
        arrivals.push(Date.now());
        if (arrivals.length === 1) json(res, 429, { message: 'slow down' }, { 'retry-after': '1' });
        else json(res, 200, { profiles: [] });
      });
      const answer = client(url).users();
      await until(() => arrivals.length === 1);
      await ioSettled();
      // Step the fake clock 100 ms at a time, letting the real sockets work between steps.
      for (let step = 0; step < 30 && arrivals.length < 2; step++) {
        await vi.advanceTimersByTimeAsync(100);
        await ioSettled();
      }
      await answer;
      expect(arrivals).toHaveLength(2);
      // By the fake clock: not before the announced second, and not a step later than needed.
      expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(1_000);
      expect(arrivals[1]! - arrivals[0]!).toBeLessThanOrEqual(1_100);
    } finally {
      vi.useRealTimers();
    }
  });

  it('paces requests from X-RateLimit headers so a window is never exceeded', async () => {
    // 4 requests per 500 ms window; 12 requests at concurrency 3 must spread over 3 windows with no 429.
    const WINDOW = 500;
    let window = -1;
    let used = 0;
    let tooMany = 0;
    const url = await serve((_req, res) => {
      const id = Math.floor(Date.now() / WINDOW);
      if (id !== window) [window, used] = [id, 0];
      const headers = { 'x-ratelimit-limit': '4', 'x-ratelimit-remaining': String(Math.max(0, 4 - used - 1)), 'x-ratelimit-reset': String(((id + 1) * WINDOW) / 1000) };
      if (used >= 4) {
        tooMany++;
        return json(res, 429, { message: 'Rate limit exceeded' }, { ...headers, 'x-ratelimit-remaining': '0' });
      }
      used++;
      json(res, 200, { profiles: [] }, headers);
    });
    const c = client(url);
    const queue = Array.from({ length: 12 }, (_, i) => i);
    await Promise.all(
      [0, 1, 2].map(async () => {
        while (queue.shift() !== undefined) await c.users();
      }),
    );
    // The first window is blind (no headers yet) for at most the three requests in flight.
    expect(tooMany).toBe(0);
    expect(c.stats.requests).toBe(12 + tooMany);
  });
});

describe('parsing analytics answers', () => {
  it('accepts platforms at the top level or wrapped, and every per-platform message shape', () => {
    const body = {
      success: true,
      analytics: {
        Instagram: { followers: '12', reach: null, likes: -3, reach_timeseries: [{ date: '2026-01-02', value: 5 }, { date: '2026-01-01', value: 4 }, { date: '2026-01-02', value: 6 }, { date: 'bad', value: 1 }] },
        discord: 'Analytics are not supported for Discord.',
        reddit: { error: 'reddit_unavailable' },
        threads: { message: 'Token expired' },
      },
    };
    const parsed = parseAnalytics(body, ['instagram', 'discord', 'reddit', 'threads', 'x']).platforms;
    expect(parsed.instagram).toEqual({
      ok: true,
      data: {
        metrics: { followers: 12 },
        timeseries: { reach: [{ day: '2026-01-01', value: 4 }, { day: '2026-01-02', value: 6 }] },
        demographics: [],
        rule: {},
        // Never dropped in silence: what could not be read is handed back for the run's record.
        bad: [
          { field: 'likes', raw: '-3', why: 'negative' },
          { field: 'reach_timeseries[3]', raw: '{"date":"bad","value":1}', why: 'a point without a real day' },
        ],
      },
    });
    expect(parsed.discord).toEqual({ ok: false, kind: 'unsupported', message: 'Analytics are not supported for Discord.' });
    expect(parsed.reddit).toEqual({ ok: false, kind: 'unavailable', message: 'reddit_unavailable' });
    expect(parsed.threads).toEqual({ ok: false, kind: 'platform_error', message: 'Token expired' });
    expect(parsed.x).toMatchObject({ ok: false, kind: 'missing' });
  });
});
