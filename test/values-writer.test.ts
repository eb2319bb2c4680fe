// The hot write path's series-id cache: it holds one profile at a time (so a long
// collect's memory does not grow with the profiles) and still answers every id right.
import { describe, expect, it } from 'vitest';
import { ensureProfile } from '../src/store/profiles.repository.js';
import { ValueWriter } from '../src/store/values.repository.js';
import { openWarehouse } from '../src/store/warehouse.js';

describe('ValueWriter.seriesId', () => {
  it('creates each series once and finds it again after other profiles were written', () => {
    const wh = openWarehouse(':memory:');
    const writer = new ValueWriter(wh);
    const [a, b] = [ensureProfile(wh, 'a'), ensureProfile(wh, 'b')];
    const first = writer.seriesId(a, 'x', 'snapshot', 'impressions');
    expect(writer.seriesId(a, 'x', 'snapshot', 'impressions')).toBe(first);
    const other = writer.seriesId(b, 'x', 'snapshot', 'impressions');
    expect(other).not.toBe(first);
    expect(writer.seriesId(a, 'x', 'snapshot', 'impressions')).toBe(first);
    expect(writer.seriesId(a, 'x', 'timeseries', 'impressions')).not.toBe(first);
    expect(wh.sqlite.prepare('SELECT count(*) FROM series').pluck().get()).toBe(3);
    wh.close();
  });

  it('finds a series another writer already created', () => {
    const wh = openWarehouse(':memory:');
    const [mine, theirs] = [new ValueWriter(wh), new ValueWriter(wh)];
    const p = ensureProfile(wh, 'a');
    const id = theirs.seriesId(p, 'x', 'snapshot', 'likes');
    expect(mine.seriesId(p, 'x', 'snapshot', 'likes')).toBe(id);
    wh.close();
  });

  it('forgets cached ids after a rolled-back transaction', () => {
    const wh = openWarehouse(':memory:');
    const writer = new ValueWriter(wh);
    const p = ensureProfile(wh, 'a');
    expect(() =>
      wh.transaction(() => {
        writer.seriesId(p, 'x', 'snapshot', 'likes');
        throw new Error('crash mid-profile');
      }),
    ).toThrow('crash mid-profile');
    writer.forget();
    const id = writer.seriesId(p, 'x', 'snapshot', 'likes');
    expect(wh.sqlite.prepare('SELECT id FROM series').pluck().all()).toEqual([id]);
    wh.close();
  });
});

describe('ValueWriter.writeMany', () => {
  it('writes any number of values, counts only the new or changed ones, and keeps each replaced value as a revision', () => {
    const wh = openWarehouse(':memory:');
    const writer = new ValueWriter(wh);
    const p = ensureProfile(wh, 'a');
    const [s1, s2] = [writer.seriesId(p, 'x', 'timeseries', 'reach'), writer.seriesId(p, 'x', 'snapshot', 'likes')];
    const day = (n: number) => `2026-01-${String(n).padStart(2, '0')}`;
    // 70 rows: more than one statement's worth, and a remainder.
    const rows = [...Array.from({ length: 31 }, (_, i) => [s1, day(i + 1), i] as const), ...Array.from({ length: 31 }, (_, i) => [s2, day(i + 1), 100 + i] as const), ...Array.from({ length: 8 }, (_, i) => [s1, `2026-02-0${i + 1}`, i] as const)];
    expect(writer.writeMany(rows, 'collect', 1_000)).toBe(70);
    const again = rows.map(([s, d, v]) => [s, d, s === s2 && d === day(5) ? 999 : s === s1 && d === '2026-02-08' ? 0 : v] as const);
    expect(writer.writeMany(again, 'backfill', 2_000)).toBe(2);
    expect(writer.written).toBe(72);
    expect(wh.sqlite.prepare('SELECT series_id, day, value, source, observed_at FROM value_revisions ORDER BY series_id').all()).toEqual([
      { series_id: s1, day: '2026-02-08', value: 7, source: 'collect', observed_at: 1_000 },
      { series_id: s2, day: day(5), value: 104, source: 'collect', observed_at: 1_000 },
    ]);
    expect(wh.sqlite.prepare('SELECT value, source FROM daily_values WHERE series_id = ? AND day = ?').get(s2, day(5))).toEqual({ value: 999, source: 'backfill' });
    expect(wh.sqlite.prepare('SELECT count(*) FROM daily_values').pluck().get()).toBe(70);
    wh.close();
  });
});
