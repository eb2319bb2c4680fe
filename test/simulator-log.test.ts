// The request log: what each request was, when it came by the simulator's clock and how it
// was answered, so that tests assert order and the simulator's time, never the wall clock.
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../src/simulator/index.js';
import type { Simulator, SimulatorOptions } from '../src/simulator/index.js';

const NOON = new Date('2026-03-15T12:00:00Z');
let now = NOON;
const opened: Simulator[] = [];

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ now: () => now, ...options });
  opened.push(sim);
  return sim;
}
const get = (sim: Simulator, path: string, key = 'demo-key'): Promise<Response> =>
  fetch(sim.url + path, { headers: { Authorization: `Apikey ${key}` } });

afterEach(async () => {
  now = NOON;
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

describe('the request log', () => {
  it('records each request\'s simulator time, server day, route, profile, query and answer', async () => {
    const sim = await start({ serverTimezone: 'Asia/Tokyo' });
    await get(sim, '/analytics/acme-studio?platforms=instagram,x&page_id=77');
    now = new Date('2026-03-15T15:30:00Z'); // 00:30 on the 16th in Tokyo
    await get(sim, '/uploadposts/total-impressions/bluebird-cafe?period=last_week&breakdown=true', 'wrong');
    await get(sim, '/uploadposts/nowhere');
    expect(sim.requests()).toEqual([
      {
        atMs: NOON.getTime(), day: '2026-03-15', method: 'GET', route: 'analytics', profile: 'acme-studio',
        query: { platforms: 'instagram,x', page_id: '77' }, status: 200, rateLimited: false, fault: undefined,
      },
      {
        atMs: Date.parse('2026-03-15T15:30:00Z'), day: '2026-03-16', method: 'GET', route: 'total-impressions', profile: 'bluebird-cafe',
        query: { period: 'last_week', breakdown: 'true' }, status: 401, rateLimited: false, fault: undefined,
      },
      {
        atMs: Date.parse('2026-03-15T15:30:00Z'), day: '2026-03-16', method: 'GET', route: undefined, profile: undefined,
        query: {}, status: 404, rateLimited: false, fault: undefined,
      },
    ]);
  });

  it('shows that a retry waited for the reset, by the simulator\'s own clock', async () => {
    const sim = await start();
    sim.faults.add({ kind: 'rateLimited', route: 'analytics', resetInSeconds: 5 });
    // A client that honours X-RateLimit-Reset; the test is its clock, moving to the reset instead of sleeping.
    let res = await get(sim, '/analytics/acme-studio?platforms=x');
    const resetMs = Number(res.headers.get('x-ratelimit-reset')) * 1000;
    if (res.status === 429) {
      now = new Date(resetMs);
      res = await get(sim, '/analytics/acme-studio?platforms=x');
    }
    const [first, retry] = sim.requests();
    expect([first?.status, first?.rateLimited, first?.fault, retry?.status, retry?.rateLimited]).toEqual([429, true, 'rateLimited', 200, false]);
    expect(resetMs).toBe(NOON.getTime() + 5000);
    expect(retry!.atMs).toBeGreaterThanOrEqual(resetMs);
  });

  it('leaves the status empty for a request that is never answered', async () => {
    const sim = await start();
    sim.faults.add({ kind: 'timeout', route: 'users' });
    await expect(fetch(`${sim.url}/uploadposts/users`, { headers: { Authorization: 'Apikey demo-key' }, signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect(sim.log.map((r) => [r.route, r.fault, r.status])).toEqual([['users', 'timeout', null]]);
  });

  it('marks rate-limited answers, whichever limit gave them', async () => {
    const sim = await start({ rateLimitPerMinute: 1 });
    for (let i = 0; i < 2; i++) await get(sim, '/uploadposts/users');
    for (let i = 0; i < 11; i++) await get(sim, '/uploadposts/users', 'guess');
    expect(sim.log.map((r) => r.rateLimited)).toEqual([false, true, ...Array(10).fill(false), true]);
    expect(sim.log.map((r) => r.status)).toEqual([200, 429, ...Array(10).fill(401), 429]);
  });

  it('hands out copies, clears on demand, and keeps only the most recent requestLogLimit', async () => {
    const sim = await start({ requestLogLimit: 3 });
    for (const name of ['a', 'b', 'c', 'd', 'e']) await get(sim, `/uploadposts/users?tag=${name}`);
    expect(sim.log.map((r) => r.query.tag)).toEqual(['c', 'd', 'e']);
    const copy = sim.requests();
    copy[0]!.query.tag = 'changed';
    expect(sim.log[0]?.query.tag).toBe('c');
    sim.clearLog();
    expect(sim.log).toHaveLength(0);
    await get(sim, '/uploadposts/users');
    expect(sim.log).toHaveLength(1);
  });
});
