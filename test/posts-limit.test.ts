/**
 * The live post-analytics window (100 requests per 5 minutes) with more posts
 * than fit: a run reads what the window allows without provoking a 429 or
 * waiting for the reset, says how many are left, and the next run reads
 * those first.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { tempDir } from './helpers.js';
import { postsCollector } from './support/posts.js';

const dir = tempDir();
const PROFILES = ['north', 'south', 'east'];
// With seed 5 these three profiles have exactly 300 uploads in the 300 days up to 2026-06-01.
const CONFIG = { profiles: PROFILES.map((username) => ({ username })), posts: { days: 300 } };
const DAY1 = new Date('2026-06-01T12:00:00Z');
const at = (day: number) => new Date(DAY1.getTime() + day * 86_400_000);

const start = (postAnalyticsLimit = { max: 100, windowMs: 300_000 }) =>
  startSimulator({ seed: 5, postAnalyticsLimit, now: () => DAY1, profiles: PROFILES.map((username) => ({ username, platforms: ['youtube', 'tiktok', 'instagram'] })) });

let sim: Simulator;
beforeAll(async () => {
  sim = await start();
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.stats.reset();
  sim.setNow(DAY1);
});

describe('the post-analytics window', () => {
  it('with 300 live posts, each run reads 100 without a single 429, and the ones left over go first next time', async () => {
    const first = postsCollector(dir, sim.url, CONFIG);
    const checkedOn = (day: string) => new Set(first.all<{ id: string }>('SELECT request_id AS id FROM posts WHERE last_checked_day = ?', day).map((r) => r.id));

    const run1 = await first.run(DAY1);
    expect(run1.posts).toMatchObject({ found: 300, read: 100, left: 200, requests: 100 });
    expect(sim.stats.byRoute['post-analytics']).toBe(100);
    expect(sim.stats.rateLimited).toBe(0);
    // Deferring is the pacing plan working, not a failure: recorded, but the run is ok.
    expect(run1.run.status).toBe('ok');
    expect(first.all('SELECT kind, message FROM run_errors WHERE run_id = ?', run1.run.id)).toEqual([
      { kind: 'posts_deferred', message: 'post-analytics window used up after 100 requests: 200 of 300 posts left for the next run' },
    ]);
    const day1 = checkedOn('2026-06-01');
    expect(day1.size).toBe(100);

    // The next day, the same process (a daemon): a new window, and only posts never read yet.
    sim.stats.reset();
    sim.setNow(at(1));
    const run2 = await first.run(at(1));
    expect(run2.posts).toMatchObject({ read: 100, requests: 100 });
    expect(sim.stats.rateLimited).toBe(0);
    const day2 = checkedOn('2026-06-02');
    expect(day2.size).toBe(100);
    expect([...day2].filter((id) => day1.has(id))).toEqual([]);

    // A day later, a new process: every post still never read goes before any read before.
    sim.stats.reset();
    sim.setNow(at(2));
    const third = postsCollector(dir, sim.url, CONFIG, first.wh);
    const readBefore = new Set(third.all<{ id: string }>('SELECT request_id AS id FROM posts').map((r) => r.id));
    const young = PROFILES.flatMap((u) => sim.world.posts(u)).filter((p) => Date.parse('2026-06-03') - Date.parse(p.uploadedAt.toISOString().slice(0, 10)) < 300 * 86_400_000);
    const neverRead = young.map((p) => p.requestId).filter((id) => !readBefore.has(id));
    const run3 = await third.run(at(2));
    expect(sim.stats.rateLimited).toBe(0);
    expect(run3.posts).toMatchObject({ found: young.length, read: 100 });
    const day3 = checkedOn('2026-06-03');
    if (neverRead.length >= 100) expect([...day3].every((id) => neverRead.includes(id))).toBe(true);
    else {
      // All the never-read ones, topped up with the longest unread: day one's, never day two's.
      expect(neverRead.every((id) => day3.has(id))).toBe(true);
      expect([...day3].filter((id) => !neverRead.includes(id)).every((id) => day1.has(id))).toBe(true);
    }
  });

  it('a run that finds the window already spent stops at the first 429 without waiting, and defers every post', async () => {
    const c = postsCollector(dir, sim.url, CONFIG);
    await c.run(DAY1); // spends the window
    sim.stats.reset();
    const again = await c.run(DAY1);
    // Not waiting means not retrying: one request met the 429, and nothing asked again.
    expect(sim.stats.byRoute['post-analytics']).toBe(1);
    expect(sim.stats.rateLimited).toBe(1);
    expect([again.run.retries, again.run.rateLimited]).toEqual([0, 1]);
    expect(again.posts).toMatchObject({ read: 0, left: 300 });
    expect(c.count("SELECT count(*) FROM run_errors WHERE run_id = ? AND kind = 'posts_deferred'", again.run.id)).toBe(1);
    // The 429 answer itself is on record.
    expect(c.count("SELECT count(*) FROM raw_responses WHERE run_id = ? AND endpoint = 'post-analytics' AND status = 429", again.run.id)).toBe(1);
  });

  it('honours a smaller limit announced in X-RateLimit-Limit', async () => {
    const small = await start({ max: 20, windowMs: 300_000 });
    try {
      const c = postsCollector(dir, small.url, CONFIG);
      const { posts } = await c.run(DAY1);
      expect(posts).toMatchObject({ read: 20, left: 280 });
      expect(small.stats.rateLimited).toBe(0);
      expect(small.stats.byRoute['post-analytics']).toBe(20);
    } finally {
      await small.close();
    }
  });
});
