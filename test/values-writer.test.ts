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
