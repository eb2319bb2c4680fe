// The write side of daily values (ValueWriter beyond its series-id cache, values-writer.test.ts):
// what write, writeMany and writeCounted answer (new, changed, or the same again) and count, the run's
// changes noted only for a writer that belongs to a run, and preparedFor's promise of one build
// per open database.
import { describe, expect, it } from 'vitest';
import { preparedFor } from '../src/store/prepared.js';
import { ensureProfile } from '../src/store/profiles.repository.js';
import { startRun } from '../src/store/runs.repository.js';
import { ValueWriter, type CountedDay } from '../src/store/values.repository.js';
import { openWarehouse, type Warehouse } from '../src/store/warehouse.js';

const counted = (wh: Warehouse) => wh.sqlite.prepare('SELECT platform, day, value, primary_field, metric_type, source FROM daily_impressions ORDER BY platform, day').raw().all();

describe('ValueWriter.write', () => {
  it('answers true and counts a value only when it is new or changed', () => {
    const wh = openWarehouse(':memory:');
    const writer = new ValueWriter(wh);
    const s = writer.seriesId(ensureProfile(wh, 'a'), 'x', 'snapshot', 'likes');
    expect(writer.write(s, '2026-03-01', 5, 'collect', 1)).toBe(true);
    expect(writer.write(s, '2026-03-01', 5, 'collect', 2)).toBe(false);
    expect(writer.written).toBe(1);
    expect(writer.write(s, '2026-03-01', 6, 'backfill', 3)).toBe(true);
    expect(writer.written).toBe(2);
    expect(wh.sqlite.prepare('SELECT value, source, observed_at FROM daily_values').all()).toEqual([{ value: 6, source: 'backfill', observed_at: 3 }]);
    wh.close();
  });
});

describe('ValueWriter.writeMany', () => {
  it('writes nothing and answers 0 for no rows, and writes a list of exactly one statement\'s worth (32 rows)', () => {
    const wh = openWarehouse(':memory:');
    const writer = new ValueWriter(wh);
    expect(writer.writeMany([], 'collect', 1)).toBe(0);
    const s = writer.seriesId(ensureProfile(wh, 'a'), 'instagram', 'timeseries', 'reach');
    // 1 to 32 January, value = day of the month.
    const rows = Array.from({ length: 32 }, (_, i) => [s, i < 31 ? `2026-01-${String(i + 1).padStart(2, '0')}` : '2026-02-01', i + 1] as const);
    expect(writer.writeMany(rows, 'collect', 1)).toBe(32);
    expect(writer.writeMany(rows, 'collect', 2)).toBe(0);
    expect(writer.written).toBe(32);
    expect(wh.sqlite.prepare('SELECT count(*), sum(value) FROM daily_values').raw().get()).toEqual([32, (32 * 33) / 2]);
    wh.close();
  });
});

describe('ValueWriter.writeCounted', () => {
  it('answers true for a new or changed count or field, and false for the same reading again', () => {
    const wh = openWarehouse(':memory:');
    const writer = new ValueWriter(wh);
    const c: CountedDay = { profileId: ensureProfile(wh, 'a'), platform: 'x', day: '2026-03-01', value: 10, primaryField: 'impressions', metricType: 'impressions' };
    expect(writer.writeCounted(c, 'collect', 1)).toBe(true);
    expect(writer.writeCounted(c, 'collect', 2)).toBe(false);
    // The same count with its field unknown: nothing new, the field named before is kept.
    expect(writer.writeCounted({ ...c, primaryField: null, metricType: null }, 'backfill', 3)).toBe(false);
    expect(writer.writeCounted({ ...c, value: 11 }, 'backfill', 4)).toBe(true);
    expect(writer.writeCounted({ ...c, value: 11, primaryField: 'views' }, 'backfill', 5)).toBe(true);
    expect(counted(wh)).toEqual([['x', '2026-03-01', 11, 'views', 'impressions', 'backfill']]);
    wh.close();
  });
});

describe('ValueWriter.noteWritten', () => {
  it('notes the days a run wrote, widened across calls, and notes nothing for a writer outside any run', () => {
    const wh = openWarehouse(':memory:');
    const p = ensureProfile(wh, 'a');
    new ValueWriter(wh).noteWritten(p, '2026-03-01', '2026-03-02');
    expect(wh.sqlite.prepare('SELECT count(*) FROM run_changes').pluck().get()).toBe(0);
    const run = startRun(wh, 'backfill', null, { since: '2026-02-01', until: '2026-03-31' });
    const writer = new ValueWriter(wh, run);
    writer.noteWritten(p, '2026-03-05', '2026-03-06');
    writer.noteWritten(p, '2026-03-02', '2026-03-03');
    writer.noteWritten(p, '2026-03-04', '2026-03-09');
    expect(wh.sqlite.prepare('SELECT run_id, profile_id, from_day, to_day FROM run_changes').raw().all()).toEqual([[run, p, '2026-03-02', '2026-03-09']]);
    wh.close();
  });
});

describe('preparedFor', () => {
  it('builds once per open database and hands back the same queries to later calls', () => {
    let builds = 0;
    const forDb = preparedFor((wh) => ({ n: ++builds, db: wh.sqlite }));
    const [one, two] = [openWarehouse(':memory:'), openWarehouse(':memory:')];
    const first = forDb(one);
    expect(forDb(one)).toBe(first);
    expect(first).toEqual({ n: 1, db: one.sqlite });
    expect(forDb(two)).toEqual({ n: 2, db: two.sqlite });
    expect(forDb(one)).toBe(first);
    expect(builds).toBe(2);
    one.close();
    two.close();
  });
});
