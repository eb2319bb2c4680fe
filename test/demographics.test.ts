/**
 * Instagram's audience breakdowns, collected from the simulator over loopback
 * HTTP into a real SQLite file: every segment the answer holds is a row of
 * v_demographics under the server's day, day by day; empty breakdowns store
 * nothing and are not a failure.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { harness } from './support/collector.js';
import { tempDir } from './helpers.js';

const dir = tempDir('upw-demographics-');
const PROFILE = 'acme';
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 11, profiles: [{ username: PROFILE, platforms: ['instagram', 'x'] }] });
});
afterAll(() => sim.close());
beforeEach(() => sim.faults.clear());

type Breakdown = Record<string, Record<string, number>>;

/** The simulator's own answer for the day, read with fetch: what the rows must hold. */
async function answered(): Promise<{ follower_demographics: Breakdown; engaged_audience_demographics: Breakdown }> {
  const res = await fetch(`${sim.url}/analytics/${PROFILE}?platforms=instagram`, { headers: { Authorization: 'Apikey demo-key' } });
  return ((await res.json()) as { instagram: { follower_demographics: Breakdown; engaged_audience_demographics: Breakdown } }).instagram;
}

const rowsOf = (audience: string, b: Breakdown, day: string) =>
  Object.entries(b)
    .flatMap(([dimension, segments]) => Object.entries(segments).map(([segment, value]) => ({ profile_username: PROFILE, platform: 'instagram', day, audience, dimension, segment, value })))
    .sort((x, y) => `${x.dimension}\u0000${x.segment}`.localeCompare(`${y.dimension}\u0000${y.segment}`));

describe('Instagram demographics', () => {
  it('are stored day by day in v_demographics, one row per audience, dimension and segment', async () => {
    const h = harness(dir, sim.url, { profiles: [{ username: PROFILE }], posts: { track: false } });
    for (const day of ['2026-03-14', '2026-03-15']) {
      sim.setNow(new Date(`${day}T12:00:00Z`));
      const expected = await answered();
      expect(Object.keys(expected.follower_demographics)).toEqual(['age', 'gender', 'country', 'city']);
      const { run } = await h.collect();
      expect(run.status).toBe('ok');
      const query = 'SELECT * FROM v_demographics WHERE day = ? AND audience = ? ORDER BY dimension, segment';
      expect(h.rows(query, day, 'follower')).toEqual(rowsOf('follower', expected.follower_demographics, day));
      expect(h.rows(query, day, 'engaged')).toEqual(rowsOf('engaged', expected.engaged_audience_demographics, day));
      // Written by this run, and inside the days it noted for the PostgreSQL sync.
      expect(h.count('SELECT count(*) FROM demographics WHERE day = ? AND run_id IS NOT ?', day, run.id)).toBe(0);
      expect(h.count('SELECT count(*) FROM run_changes WHERE run_id = ? AND from_day <= ? AND to_day >= ?', run.id, day, day)).toBe(1);
    }
    expect(h.rows('SELECT DISTINCT day FROM v_demographics ORDER BY day')).toEqual([{ day: '2026-03-14' }, { day: '2026-03-15' }]);
  });

  it('store nothing for an account below Meta\'s 100-follower floor, and the run is still ok', async () => {
    const day = '2026-03-16';
    sim.setNow(new Date(`${day}T12:00:00Z`));
    sim.world.set(PROFILE, 'instagram', day, 'followers', 60);
    sim.world.set(PROFILE, 'instagram', day, 'profileViews', 40);
    const expected = await answered();
    expect([expected.follower_demographics, expected.engaged_audience_demographics]).toEqual([{}, {}]);
    const h = harness(dir, sim.url, { profiles: [{ username: PROFILE }], posts: { track: false } });
    const { run } = await h.collect();
    expect(run.status).toBe('ok');
    expect(h.count('SELECT count(*) FROM v_demographics')).toBe(0);
    expect(h.count('SELECT count(*) FROM run_errors')).toBe(0);
    expect(h.count("SELECT value FROM v_daily_metrics WHERE platform = 'instagram' AND metric = 'followers' AND day = ?", day)).toBe(60);
  });

  it('a reread the same day replaces a changed count and adds no rows', async () => {
    const day = '2026-03-17';
    sim.setNow(new Date(`${day}T08:00:00Z`));
    const h = harness(dir, sim.url, { profiles: [{ username: PROFILE }], posts: { track: false } });
    await h.collect();
    const rows = h.count('SELECT count(*) FROM demographics');
    expect(rows).toBeGreaterThan(0);
    const followers = sim.world.snapshot(PROFILE, 'instagram', day)!.followers!;
    sim.world.set(PROFILE, 'instagram', day, 'followers', followers * 2);
    sim.setNow(new Date(`${day}T20:00:00Z`));
    const expected = await answered();
    const { run } = await h.collect();
    expect(h.count('SELECT count(*) FROM demographics')).toBe(rows);
    expect(h.rows("SELECT * FROM v_demographics WHERE audience = 'follower' ORDER BY dimension, segment")).toEqual(rowsOf('follower', expected.follower_demographics, day));
    expect(h.count("SELECT count(*) FROM demographics WHERE audience = 'follower' AND run_id = ?", run.id)).toBeGreaterThan(0);
  });
});
