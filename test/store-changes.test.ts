/**
 * What a sync reads of the warehouse (ChangeReader), in process, and what
 * `upw status --check` reads (lastFinishedCollect): a small warehouse file
 * written here run by run through the store's own writers, so every row a
 * window must hold is known by hand. No PostgreSQL: these are the SQLite side.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WarehouseNotFoundError } from '../src/errors.js';
import { REPLICATED, type ReplicatedTable } from '../src/replication.js';
import { ChangeReader } from '../src/store/changes.repository.js';
import { lastFinishedCollect } from '../src/store/health.repository.js';
import { upsertPost, upsertPostPlatform, writePostMetrics } from '../src/store/posts.repository.js';
import { ensureProfile } from '../src/store/profiles.repository.js';
import { finishRun, getRun, recordRunError, startRun } from '../src/store/runs.repository.js';
import { ValueWriter } from '../src/store/values.repository.js';
import { openWarehouse, type Warehouse } from '../src/store/warehouse.js';
import { freshDirs } from './helpers.js';

const freshDir = freshDirs('upw-store-changes-');
const fresh = (): string => join(freshDir(), 'w.sqlite');
const table = (name: string): ReplicatedTable => REPLICATED.find((t) => t.name === name)!;
const COUNTS = { requests: 0, retries: 0, rateLimited: 0 };
const sorted = (rows: Iterable<unknown[]>) => [...rows].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
const alive = () => true;
const dead = () => false;

/**
 * Run 1 (1 March): a's instagram reach 10 and counted 10, a's tiktok counted 5, b's x impressions 20,
 * one failure. Run 2 (2 March): a's reach of 1 March corrected to 12 (revision 1 keeps the 10), a's
 * reach 11 and counts 11 and 6 on 2 March, post p1 of a with 100 views on instagram (post id ig1),
 * post p2 of b with 4 likes on x on 20 February, one failure; left running
 * unless `finish`. Profiles a = 1, b = 2; series a/reach = 1, b/impressions = 2.
 */
function twoRuns(path: string, finish = true): Warehouse {
  const wh = openWarehouse(path);
  const a = ensureProfile(wh, 'a');
  const b = ensureProfile(wh, 'b');
  const r1 = startRun(wh, 'collect', '2026-03-01');
  const w1 = new ValueWriter(wh, r1);
  const reach = w1.seriesId(a, 'instagram', 'snapshot', 'reach');
  const impressions = w1.seriesId(b, 'x', 'snapshot', 'impressions');
  w1.write(reach, '2026-03-01', 10, 'collect', 1000);
  w1.write(impressions, '2026-03-01', 20, 'collect', 1000);
  w1.writeCounted({ profileId: a, platform: 'instagram', day: '2026-03-01', value: 10, primaryField: 'reach', metricType: 'reach' }, 'collect', 1000);
  w1.writeCounted({ profileId: a, platform: 'tiktok', day: '2026-03-01', value: 5, primaryField: 'views', metricType: 'views' }, 'collect', 1000);
  w1.noteWritten(a, '2026-03-01', '2026-03-01');
  w1.noteWritten(b, '2026-03-01', '2026-03-01');
  recordRunError(wh, r1, { profile: 'b', platform: 'x', kind: 'http', status: 500, message: 'first' });
  finishRun(wh, r1, 'partial', COUNTS);
  const r2 = startRun(wh, 'collect', '2026-03-02');
  const w2 = new ValueWriter(wh, r2);
  w2.write(reach, '2026-03-01', 12, 'collect', 2000);
  w2.write(reach, '2026-03-02', 11, 'collect', 2000);
  w2.writeCounted({ profileId: a, platform: 'instagram', day: '2026-03-02', value: 11, primaryField: 'reach', metricType: 'reach' }, 'collect', 2000);
  w2.writeCounted({ profileId: a, platform: 'tiktok', day: '2026-03-02', value: 6, primaryField: 'views', metricType: 'views' }, 'collect', 2000);
  upsertPost(wh, { requestId: 'p1', runId: r2, profileId: a, title: 'T', caption: undefined, mediaType: undefined, uploadTimestamp: undefined });
  writePostMetrics(wh, 'p1', 'instagram', '2026-03-02', { views: 100 }, 2000, r2);
  upsertPostPlatform(wh, { requestId: 'p1', runId: r2, platform: 'instagram', platformPostId: 'ig1', postUrl: undefined });
  // As post tracking does: the profile and the days its post rows were written on are noted.
  upsertPost(wh, { requestId: 'p2', runId: r2, profileId: b, title: undefined, caption: undefined, mediaType: undefined, uploadTimestamp: undefined });
  writePostMetrics(wh, 'p2', 'x', '2026-02-20', { likes: 4 }, 2000, r2);
  w2.noteWritten(b, '2026-02-20', '2026-02-20');
  w2.noteWritten(a, '2026-03-01', '2026-03-02');
  recordRunError(wh, r2, { profile: 'a', platform: 'tiktok', kind: 'http', status: 502, message: 'second' });
  if (finish) finishRun(wh, r2, 'ok', COUNTS);
  return wh;
}

describe('a sync reading the warehouse', () => {
  it('sees every run finished: the horizon one past the newest, and each kind of table whole or from where it left off', () => {
    const path = fresh();
    const wh = twoRuns(path);
    const reader = new ChangeReader(path, alive);
    expect(() => reader.rows(table('profiles'), { after: undefined, before: 1 })).toThrow('ChangeReader.rows before begin()');
    expect(reader.begin()).toEqual({ horizon: 3, running: [], newest: 2 });
    expect(reader.runStartedAt(1)).toBe(getRun(wh, 1)!.startedAt);
    expect(reader.runStartedAt(3)).toBeUndefined();
    const first = { after: undefined, before: 3 };
    expect([...reader.rows(table('profiles'), first).rows].map((r) => r.slice(0, 2))).toEqual([[1, 'a'], [2, 'b']]);
    expect([...reader.rows(table('runs'), first).rows].map((r) => r.slice(0, 3))).toEqual([[1, 'collect', 'partial'], [2, 'collect', 'ok']]);
    // Appended: after the last id sent, and the last id read.
    const series = reader.rows(table('series'), first, 1);
    expect(series.lastId()).toBeUndefined();
    expect([...series.rows]).toEqual([[2, 2, 'x', 'snapshot', 'impressions']]);
    expect(series.lastId()).toBe(2);
    expect([...reader.rows(table('run_errors'), first, 0).rows].map((r) => [r[0], r[1], r[6]])).toEqual([[1, 1, 'first'], [2, 2, 'second']]);
    expect([...reader.rows(table('value_revisions'), first, 0).rows]).toEqual([[1, 1, '2026-03-01', 10, 'collect', 1000, 2000, 1]]);
    // The first sync: every row of the changed tables.
    expect(sorted(reader.rows(table('daily_values'), first).rows)).toEqual([
      [1, '2026-03-01', 12, 'collect', 2000, 2],
      [1, '2026-03-02', 11, 'collect', 2000, 2],
      [2, '2026-03-01', 20, 'collect', 1000, 1],
    ]);
    reader.close();
    wh.close();
  });

  it("after run 1, sends only what run 2 wrote, through the days and platforms it noted, and a post's rows", () => {
    const path = fresh();
    twoRuns(path).close();
    const reader = new ChangeReader(path, alive);
    reader.begin();
    const since1 = { after: 1, before: 3 };
    expect(sorted(reader.rows(table('daily_values'), since1).rows)).toEqual([
      [1, '2026-03-01', 12, 'collect', 2000, 2],
      [1, '2026-03-02', 11, 'collect', 2000, 2],
    ]);
    expect(sorted(reader.rows(table('daily_impressions'), since1).rows)).toEqual([
      [1, 'instagram', '2026-03-02', 11, 'reach', 'reach', 'collect', 2000, 2],
      [1, 'tiktok', '2026-03-02', 6, 'views', 'views', 'collect', 2000, 2],
    ]);
    expect(sorted(reader.rows(table('posts'), since1).rows).map((r) => [r[0], r[1], r[2], r[8]])).toEqual([
      ['p1', 1, 'T', 2],
      ['p2', 2, null, 2],
    ]);
    expect(sorted(reader.rows(table('post_metrics'), since1).rows)).toEqual([
      ['p1', 'instagram', '2026-03-02', 'views', 100, 2000, 2],
      ['p2', 'x', '2026-02-20', 'likes', 4, 2000, 2],
    ]);
    expect([...reader.rows(table('post_platforms'), since1).rows]).toEqual([['p1', 'instagram', 'ig1', null, null, null, null, 2]]);
    // Nothing after the newest run.
    expect([...reader.rows(table('daily_values'), { after: 2, before: 3 }).rows]).toEqual([]);
    expect([...reader.rows(table('daily_impressions'), { after: 2, before: 3 }).rows]).toEqual([]);
    reader.close();
    reader.close();
  });

  it('holds back the rows of a run still writing, the revisions it made included, and sends them once its process is gone', () => {
    const path = fresh();
    twoRuns(path, false).close();
    const reader = new ChangeReader(path, alive);
    expect(reader.begin()).toEqual({ horizon: 2, running: [], newest: 2 });
    const window = { after: undefined, before: 2 };
    expect([...reader.rows(table('runs'), window).rows].map((r) => r[0])).toEqual([1]);
    expect(sorted(reader.rows(table('daily_values'), window).rows)).toEqual([[2, '2026-03-01', 20, 'collect', 1000, 1]]);
    expect([...reader.rows(table('run_errors'), window, 0).rows].map((r) => r[6])).toEqual(['first']);
    // Revision 1 keeps run 1's value, but run 2 made it by replacing that value: it waits too.
    expect([...reader.rows(table('value_revisions'), window, 0).rows]).toEqual([]);
    reader.close();

    const after = new ChangeReader(path, dead);
    expect(after.begin()).toEqual({ horizon: 3, running: [], newest: 2 });
    expect([...after.rows(table('run_errors'), { after: undefined, before: 3 }, 0).rows].map((r) => r[6])).toEqual(['first', 'second']);
    expect([...after.rows(table('value_revisions'), { after: undefined, before: 3 }, 0).rows].map((r) => r[0])).toEqual([1]);
    after.close();
  });

  it('does not wait for a sync recording itself, but leaves its run row for later', () => {
    const path = fresh();
    const wh = twoRuns(path);
    const sync = startRun(wh, 'sync', null);
    wh.close();
    const reader = new ChangeReader(path, alive);
    expect(reader.begin()).toEqual({ horizon: 4, running: [sync], newest: 3 });
    expect([...reader.rows(table('runs'), { after: undefined, before: 4 }).rows].map((r) => r[0])).toEqual([1, 2]);
    reader.close();
  });

  it('counts a running row without a pid as finished', () => {
    const path = fresh();
    const wh = twoRuns(path, false);
    wh.sqlite.prepare('UPDATE runs SET pid = NULL WHERE id = 2').run();
    wh.close();
    const reader = new ChangeReader(path, alive);
    expect(reader.begin().horizon).toBe(3);
    reader.close();
  });

  it('refuses a path that holds no warehouse, creating nothing', () => {
    const path = fresh();
    expect(() => new ChangeReader(path, alive)).toThrow(WarehouseNotFoundError);
  });
});

describe('the last finished collection', () => {
  it('is the newest collect run that is not running, ignoring other kinds', () => {
    const wh = openWarehouse(':memory:');
    expect(lastFinishedCollect(wh)).toBeUndefined();
    const first = startRun(wh, 'collect', '2026-03-01');
    expect(lastFinishedCollect(wh)).toBeUndefined();
    finishRun(wh, first, 'partial', COUNTS);
    const second = startRun(wh, 'collect', '2026-03-02');
    finishRun(wh, second, 'ok', COUNTS);
    const backfill = startRun(wh, 'backfill', null);
    finishRun(wh, backfill, 'failed', COUNTS);
    startRun(wh, 'collect', '2026-03-03');
    expect(lastFinishedCollect(wh)).toMatchObject({ id: second, kind: 'collect', status: 'ok', day: '2026-03-02' });
    wh.close();
  });
});
