/**
 * A backfill that meets a value it cannot read in the server's daily
 * snapshots records it (profile, platform, field, raw value) and ends partial;
 * every other day and field is imported as usual.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfill } from '../src/backfill/backfill.usecases.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { harness } from './support/collector.js';
import { tempDir } from './helpers.js';

const dir = tempDir('upw-backfill-bad-');
const NOW = new Date('2026-03-15T12:00:00Z');
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, now: () => NOW, profiles: [{ username: 'alpha', platforms: ['instagram'], createdAt: '2026-03-01T00:00:00Z' }] });
});
afterAll(() => sim.close());

describe('backfill and a value it cannot read', () => {
  it('records a negative daily snapshot in both modes by field, imports the rest, and ends partial', async () => {
    // The server's snapshot of 10 March says -5 for reach, Instagram's counted field.
    sim.world.set('alpha', 'instagram', '2026-03-10', 'reach', -5);
    const h = harness(dir, sim.url, { profiles: [{ username: 'alpha' }], posts: { track: false } });
    const summary = await backfill(h.deps, { now: NOW, ranges: [{ since: '2026-03-08', until: '2026-03-12' }], timeseries: false });
    expect(summary.run.status).toBe('partial');
    expect(h.rows('SELECT profile, platform, kind, field, raw_value FROM run_errors ORDER BY id')).toEqual([
      { profile: 'alpha', platform: 'instagram', kind: 'bad_value', field: 'per_day.reach.2026-03-10', raw_value: '-5' },
      { profile: 'alpha', platform: 'instagram', kind: 'bad_value', field: 'per_day.2026-03-10', raw_value: '-5' },
    ]);
    const reach = h.rows<{ day: string; value: number }>("SELECT day, value FROM v_daily_metrics WHERE metric = 'reach' ORDER BY day");
    expect(reach).toEqual(
      ['2026-03-08', '2026-03-09', '2026-03-11', '2026-03-12'].map((day) => ({ day, value: sim.world.snapshot('alpha', 'instagram', day)!.reach })),
    );
    // The day's other fields are still the server's.
    expect(h.count("SELECT value FROM v_daily_metrics WHERE metric = 'likes' AND day = '2026-03-10'")).toBe(sim.world.snapshot('alpha', 'instagram', '2026-03-10')!.likes);
  });
});
