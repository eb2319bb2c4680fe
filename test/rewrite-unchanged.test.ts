/**
 * Reading a value again that has not changed writes nothing: its source, the
 * time it was observed and the run that wrote it stay those of the reading
 * that first brought it, no revision is kept, and the run does not count it as
 * written. Checked on a real file through better-sqlite3 alone (no sqlite3
 * shell), after a collect, a backfill, and a collect over a backfill.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backfill } from '../src/backfill/backfill.usecases.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { harness, type Harness } from './support/collector.js';
import { tempDir } from './helpers.js';

const DAY = '2026-03-15';
const MORNING = new Date(`${DAY}T06:00:00Z`);
const EVENING = new Date(`${DAY}T18:00:00Z`);
const dir = tempDir('upw-unchanged-');
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 19, now: () => MORNING, rateLimitPerMinute: Number.POSITIVE_INFINITY, profiles: [{ username: 'alpha', platforms: ['instagram', 'facebook', 'x'] }] });
});
afterAll(() => sim.close());
beforeEach(() => sim.setNow(MORNING));

/** Every stored value and count with who wrote it, when, and in which run. */
const state = (h: Harness) => [
  ...h.rows('SELECT series_id, day, value, source, observed_at, run_id FROM daily_values ORDER BY series_id, day'),
  ...h.rows('SELECT platform, day, value, primary_field, source, observed_at, run_id FROM daily_impressions ORDER BY platform, day'),
];

describe('a value read again unchanged', () => {
  it('is left as the first collect of the day wrote it, and the second run writes 0 values', async () => {
    const h = harness(dir, sim.url, { posts: { track: false } });
    const first = await h.collect({ now: MORNING });
    // Snapshot fields 9 (instagram) + 6 (facebook) + 6 (x), 30 days of reach each, and Facebook's impressions series.
    expect(first.run.valuesWritten).toBe(9 + 6 + 6 + 3 * 30 + 30);
    const before = state(h);
    sim.setNow(EVENING); // the same server day: the same snapshot, the same 30 days of series
    const second = await h.collect({ now: EVENING });
    expect(second.run.status).toBe('ok');
    expect(second.run.valuesWritten).toBe(0);
    expect(state(h)).toEqual(before);
    expect(h.count('SELECT count(*) FROM value_revisions')).toBe(0);
    expect(h.count('SELECT count(*) FROM run_changes WHERE run_id = ?', second.run.id)).toBe(1);
  });

  it('keeps source backfill and the backfill run when a later collect reads the same series', async () => {
    const h = harness(dir, sim.url, { posts: { track: false } });
    const imported = await backfill(h.deps, { now: MORNING, ranges: [{ since: '2026-03-01', until: DAY }] });
    expect(imported.run.status).toBe('ok');
    const series = () => h.rows<{ source: string; run_id: number }>("SELECT DISTINCT v.source, v.run_id FROM daily_values v JOIN series s ON s.id = v.series_id WHERE s.kind = 'timeseries'");
    expect(series()).toEqual([{ source: 'backfill', run_id: imported.run.id }]);
    const before = state(h);
    sim.setNow(EVENING);
    const later = await h.collect({ now: EVENING });
    expect(later.run.valuesWritten).toBe(0);
    expect(series()).toEqual([{ source: 'backfill', run_id: imported.run.id }]);
    expect(state(h)).toEqual(before);
  });

  it('is still rewritten, with its old value kept as a revision, when it did change', async () => {
    const h = harness(dir, sim.url, { posts: { track: false } });
    await h.collect({ now: MORNING });
    const old = sim.world.snapshot('alpha', 'x', DAY)!.likes!;
    sim.world.set('alpha', 'x', DAY, 'likes', old + 3);
    sim.setNow(EVENING);
    const second = await h.collect({ now: EVENING });
    expect(second.run.valuesWritten).toBe(1);
    expect(h.rows('SELECT s.name, r.value, r.source FROM value_revisions r JOIN series s ON s.id = r.series_id')).toEqual([{ name: 'likes', value: old, source: 'collect' }]);
    expect(
      h.rows("SELECT v.value, v.run_id, v.observed_at FROM daily_values v JOIN series s ON s.id = v.series_id WHERE s.platform = 'x' AND s.kind = 'snapshot' AND s.name = 'likes' AND v.day = ?", DAY),
    ).toEqual([{ value: old + 3, run_id: second.run.id, observed_at: EVENING.getTime() / 1000 }]);
  });
});
