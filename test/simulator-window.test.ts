// The simulator's shorter rate-limit window: what lets `npm run bench -- --quick` make the limit bind in seconds.
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.js';

const opened: Simulator[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

// An authenticated route: platform-metrics is public and, like the live API's, not counted.
const get = (sim: Simulator) => fetch(`${sim.url}/uploadposts/users`, { headers: { Authorization: 'Apikey demo-key' } });

describe('rateLimitWindowMs', () => {
  it('counts requests in clock-aligned windows of that length and reports their end', async () => {
    let now = new Date('2026-03-15T12:00:01.500Z');
    const sim = await startSimulator({ now: () => now, rateLimitPerMinute: 2, rateLimitWindowMs: 2_000 });
    opened.push(sim);
    const first = await get(sim);
    expect([first.status, first.headers.get('x-ratelimit-remaining'), first.headers.get('x-ratelimit-reset')]).toEqual([200, '1', String(Date.parse('2026-03-15T12:00:02Z') / 1000)]);
    expect((await get(sim)).status).toBe(200);
    expect((await get(sim)).status).toBe(429);
    now = new Date('2026-03-15T12:00:02Z');
    const next = await get(sim);
    expect([next.status, next.headers.get('x-ratelimit-remaining'), next.headers.get('x-ratelimit-reset')]).toEqual([200, '1', String(Date.parse('2026-03-15T12:00:04Z') / 1000)]);
  });

  it('keeps the one-minute window when not given', async () => {
    const sim = await startSimulator({ now: () => new Date('2026-03-15T12:00:30Z'), rateLimitPerMinute: 5 });
    opened.push(sim);
    expect((await get(sim)).headers.get('x-ratelimit-reset')).toBe(String(Date.parse('2026-03-15T12:01:00Z') / 1000));
  });
});
