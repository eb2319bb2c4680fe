// Keys, rate limits, injected faults and shutdown: the behaviours a collector must survive.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startSimulator } from '../src/simulator/index.js';
import type { Simulator, SimulatorOptions } from '../src/simulator/index.js';

const NOON = new Date('2026-03-15T12:00:30Z');
const opened: Simulator[] = [];

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ now: () => NOON, ...options });
  opened.push(sim);
  return sim;
}
/** A GET with the given key; null sends no Authorization header at all. */
async function get(sim: Simulator, path: string, key: string | null = 'demo-key'): Promise<Response> {
  return fetch(sim.url + path, { headers: key === null ? {} : { Authorization: `Apikey ${key}` } });
}
/** The parsed JSON body of an answer, untyped as test assertions want it. */
async function body(res: Promise<Response>): Promise<any> {
  return (await res).json();
}
const analytics = '/analytics/acme-studio?platforms=instagram,youtube';

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

describe('authentication', () => {
  it('answers 401 for a missing or wrong key', async () => {
    const sim = await start();
    for (const key of [null, 'wrong']) {
      const res = await get(sim, analytics, key);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ success: false, message: 'Invalid or expired token' });
    }
  });

  it('locks the caller out for five minutes after ten failures with the same bad key', async () => {
    const sim = await start();
    for (let i = 0; i < 10; i++) expect((await get(sim, analytics, 'guess')).status).toBe(401);
    const locked = await get(sim, analytics, 'demo-key');
    expect(locked.status).toBe(429);
    expect(locked.headers.get('x-ratelimit-reset')).toBe(String(Date.parse('2026-03-15T12:05:30Z') / 1000));
    sim.setNow(new Date('2026-03-15T12:05:31Z'));
    expect((await get(sim, analytics)).status).toBe(200);
  });

  it('does not lock out on failures with different keys', async () => {
    const sim = await start();
    for (let i = 0; i < 12; i++) expect((await get(sim, analytics, `guess-${i % 2}`)).status).toBe(401);
  });
});

describe('rate limits', () => {
  it('describes the clock-aligned minute window on every answer and answers 429 past it', async () => {
    const sim = await start({ rateLimitPerMinute: 3, retryAfterHeader: true });
    const reset = String(Date.parse('2026-03-15T12:01:00Z') / 1000);
    for (const remaining of ['2', '1', '0']) {
      const res = await get(sim, analytics);
      expect([res.status, res.headers.get('x-ratelimit-limit'), res.headers.get('x-ratelimit-remaining'), res.headers.get('x-ratelimit-reset')])
        .toEqual([200, '3', remaining, reset]);
    }
    const over = await get(sim, '/uploadposts/total-impressions/acme-studio');
    expect(over.status).toBe(429);
    // 12:00:30 on the simulator's clock, the window ends at 12:01:00.
    expect(over.headers.get('retry-after')).toBe('30');
    expect(await over.json()).toEqual({ success: false, message: 'Rate limit exceeded' });
    expect(sim.stats.rateLimited).toBe(1);
    // platform-metrics is public: neither counted nor refused.
    expect((await get(sim, '/uploadposts/platform-metrics', null)).status).toBe(200);
    sim.setNow(new Date('2026-03-15T12:01:00Z'));
    expect((await get(sim, analytics)).status).toBe(200);
  });

  it('limits live post analytics separately, and not the cached variant', async () => {
    const sim = await start({ postAnalyticsLimit: { max: 2, windowMs: 300_000 } });
    const live = '/uploadposts/post-analytics/abc123-def456';
    expect((await get(sim, live)).headers.get('x-ratelimit-limit')).toBe('2');
    expect((await get(sim, live)).status).toBe(200);
    const over = await get(sim, live);
    expect([over.status, over.headers.get('x-ratelimit-remaining')]).toEqual([429, '0']);
    expect(over.headers.get('x-ratelimit-reset')).toBe(String(Date.parse('2026-03-15T12:05:00Z') / 1000));
    expect((await get(sim, '/uploadposts/post-analytics/cached?user=myprofile')).status).toBe(200);
  });
});

describe('faults', () => {
  it('consumes matching rules in order, one per request', async () => {
    const sim = await start();
    sim.faults.add({ kind: 'http500', route: 'analytics' });
    sim.faults.add({ kind: 'http503', route: 'analytics', times: 2 });
    expect(sim.faults.pending()).toBe(2);
    expect((await get(sim, '/uploadposts/total-impressions/acme-studio')).status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get(sim, analytics)).status);
    expect(statuses).toEqual([500, 503, 503, 200]);
    expect(sim.faults.pending()).toBe(0);
  });

  it('matches rules by profile and answers notFound with the endpoint\'s own body', async () => {
    const sim = await start();
    sim.faults.add({ kind: 'notFound', profile: 'bluebird-cafe' });
    sim.faults.add({ kind: 'notFound', route: 'post-analytics' });
    expect((await get(sim, analytics)).status).toBe(200);
    const missing = await get(sim, '/analytics/bluebird-cafe?platforms=tiktok');
    expect([missing.status, await missing.json()]).toEqual([404, { success: false, message: 'Profile not found' }]);
    const post = await get(sim, '/uploadposts/post-analytics/abc123-def456');
    expect([post.status, await post.json()]).toEqual([404, { detail: 'Post not found' }]);
  });

  it('turns one platform into an error or a message while the others answer', async () => {
    const sim = await start();
    sim.faults.add({ kind: 'platformError', platform: 'instagram' });
    sim.faults.add({ kind: 'platformError', platform: 'reddit', message: 'reddit_unavailable', shape: 'message' });
    sim.faults.add({ kind: 'unsupportedPlatform', platform: 'youtube', message: 'YouTube analytics are paused.' });
    const first = await body(get(sim, '/analytics/acme-studio?platforms=instagram,x'));
    expect(first.instagram).toEqual({ error: 'Token expired for instagram' });
    expect(typeof first.x.followers).toBe('number');
    const second = await body(get(sim, '/analytics/acme-studio?platforms=reddit,x'));
    expect(second.reddit).toEqual({ message: 'reddit_unavailable' });
    expect(typeof second.x.followers).toBe('number');
    expect((await body(get(sim, analytics))).youtube).toBe('YouTube analytics are paused.');
    expect(sim.faults.pending()).toBe(0);
  });

  it('applies one platform rule per named platform in the same answer, leaving whole-answer rules for later', async () => {
    const sim = await start();
    sim.faults.add({ kind: 'platformError', platform: 'instagram' });
    sim.faults.add({ kind: 'http500', route: 'analytics' });
    sim.faults.add({ kind: 'unsupportedPlatform', platform: 'youtube' });
    sim.faults.add({ kind: 'platformError', platform: 'instagram', message: 'second instagram rule' });
    const first = await get(sim, analytics);
    expect(first.status).toBe(200);
    const answer = (await first.json()) as any;
    // The first instagram rule and the youtube rule; the second instagram rule waits its turn.
    expect(answer.instagram).toEqual({ error: 'Token expired for instagram' });
    expect(answer.youtube).toBe('Analytics are not supported for YouTube.');
    expect((await get(sim, analytics)).status).toBe(500);
    expect((await body(get(sim, analytics))).instagram).toEqual({ error: 'second instagram rule' });
    expect(sim.faults.pending()).toBe(0);
  });

  it('answers malformed JSON, 401, and a 429 whose reset is resetInSeconds away', async () => {
    const sim = await start();
    sim.faults.add({ kind: 'malformed' });
    sim.faults.add({ kind: 'unauthorized' });
    sim.faults.add({ kind: 'rateLimited', resetInSeconds: 5 });
    const bad = await get(sim, analytics);
    expect([bad.status, bad.headers.get('content-type')]).toEqual([200, 'application/json']);
    await expect(bad.json()).rejects.toThrow();
    expect((await get(sim, analytics)).status).toBe(401);
    const limited = await get(sim, analytics);
    expect([limited.status, limited.headers.get('x-ratelimit-remaining'), limited.headers.get('x-ratelimit-reset')])
      .toEqual([429, '0', String(Math.ceil(NOON.getTime() / 1000) + 5)]);
  });

  it('resets the connection, or holds it until the client gives up', async () => {
    const sim = await start();
    sim.faults.add({ kind: 'reset' });
    sim.faults.add({ kind: 'timeout' });
    await expect(get(sim, analytics)).rejects.toThrow();
    await expect(fetch(sim.url + analytics, { headers: { Authorization: 'Apikey demo-key' }, signal: AbortSignal.timeout(200) }))
      .rejects.toThrow();
    expect((await get(sim, analytics)).status).toBe(200);
  });

  it('closes while a timed-out request is still hanging, dropping it', async () => {
    const sim = await startSimulator({ now: () => NOON });
    sim.faults.add({ kind: 'timeout' });
    // No client timeout: if close() waited for this request, the test would time out.
    const hanging = fetch(sim.url + analytics, { headers: { Authorization: 'Apikey demo-key' } }).catch((err: unknown) => err);
    await vi.waitFor(() => expect(sim.log.map((r) => r.fault)).toEqual(['timeout']));
    await sim.close();
    expect(await hanging).toBeInstanceOf(Error);
    expect(sim.log[0]?.status).toBeNull();
  });
});

describe('statistics and routing', () => {
  it('counts every request by route and status, including refused ones', async () => {
    const sim = await start();
    await get(sim, analytics);
    await get(sim, analytics, 'wrong');
    await get(sim, '/uploadposts/history?limit=7');
    await get(sim, '/nowhere');
    expect(sim.stats.requests).toBe(4);
    expect(sim.stats.byRoute).toEqual({ analytics: 2, history: 1 });
    expect(sim.stats.byStatus).toEqual({ 200: 1, 401: 1, 400: 1, 404: 1 });
    sim.stats.reset();
    expect(sim.stats.requests).toBe(0);
  });

  it('answers unknown routes with FastAPI\'s 404 body, without rate-limit headers', async () => {
    const sim = await start();
    const res = await get(sim, '/uploadposts/nothing-here');
    expect([res.status, await res.json()]).toEqual([404, { detail: 'Not Found' }]);
    expect(res.headers.get('x-ratelimit-limit')).toBeNull();
  });

  it('adds latency when asked: a slow answer asked for first arrives after a quick one asked for second', async () => {
    const slow = await start({ latencyMs: 400 });
    const quick = await start();
    const arrivals: string[] = [];
    const first = get(slow, analytics).then(() => arrivals.push('slow'));
    await vi.waitFor(() => expect(slow.log).toHaveLength(1));
    await get(quick, analytics).then(() => arrivals.push('quick'));
    await first;
    expect(arrivals).toEqual(['quick', 'slow']);
    slow.setLatency(0);
    expect((await get(slow, analytics)).status).toBe(200);
  });
});
