/**
 * More of what a sync reads (ChangeReader), for the cases store-changes.test.ts
 * leaves open: one snapshot from begin() to close() whatever a writer commits
 * meanwhile, a whole table sent whole whatever the window, series not held back
 * by a run still writing, a post's profile snapshots walked over two key columns
 * (platform, then snapshot), names that need quoting, and a closed reader.
 * Small warehouse files written here through the store's own writers; every
 * expected row is the one written by hand below.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPLICATED, type ReplicatedTable } from '../src/replication.js';
import { ChangeReader } from '../src/store/changes.repository.js';
import { markPostChecked, upsertPost, writePostProfileSnapshot } from '../src/store/posts.repository.js';
import { ensureProfile } from '../src/store/profiles.repository.js';
import { finishRun, startRun } from '../src/store/runs.repository.js';
import { noteRunChange, ValueWriter } from '../src/store/values.repository.js';
import { openWarehouse } from '../src/store/warehouse.js';
import { freshDirs } from './helpers.js';

const freshDir = freshDirs('upw-store-changes-reader-');
const fresh = (): string => join(freshDir(), 'w.sqlite');
const table = (name: string): ReplicatedTable => REPLICATED.find((t) => t.name === name)!;
const COUNTS = { requests: 0, retries: 0, rateLimited: 0 };
const sorted = (rows: Iterable<unknown[]>) => [...rows].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
const alive = () => true;

describe('a sync reading the warehouse', () => {
  it('reads every table as of begin(): what a writer commits afterwards waits for the next sync', () => {
    const path = fresh();
    const wh = openWarehouse(path);
    ensureProfile(wh, 'a');
    finishRun(wh, startRun(wh, 'collect', '2026-03-01'), 'ok', COUNTS);
    const reader = new ChangeReader(path, alive);
    expect(reader.begin()).toEqual({ horizon: 2, running: [], newest: 1 });
    // Committed by the writer after the snapshot began: profile b (id 2) and run 2.
    ensureProfile(wh, 'b');
    const r2 = startRun(wh, 'collect', '2026-03-02');
    expect([...reader.rows(table('profiles'), { after: undefined, before: 2 }).rows].map((r) => r[1])).toEqual(['a']);
    expect(reader.runStartedAt(r2)).toBeUndefined();
    reader.close();
    // A reader begun now sees both.
    const later = new ChangeReader(path, alive);
    expect(later.begin()).toEqual({ horizon: 2, running: [], newest: 2 });
    expect([...later.rows(table('profiles'), { after: undefined, before: 2 }).rows].map((r) => r[1])).toEqual(['a', 'b']);
    later.close();
    wh.close();
  });

  it('sends a table declared whole without a horizon whole, whatever the window', () => {
    const path = fresh();
    const wh = openWarehouse(path);
    for (const name of ['a', 'b', 'c']) ensureProfile(wh, name);
    wh.close();
    const reader = new ChangeReader(path, alive);
    // No run at all: the horizon is 1, yet profiles 1 to 3 all go (profile ids are no run ids).
    expect(reader.begin()).toEqual({ horizon: 1, running: [], newest: 0 });
    expect([...reader.rows(table('profiles'), { after: undefined, before: 1 }).rows].map((r) => r.slice(0, 2))).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    reader.close();
  });

  it('sends every series while a run is writing, even past a revision that run made', () => {
    const path = fresh();
    const wh = openWarehouse(path);
    const a = ensureProfile(wh, 'a');
    const r1 = startRun(wh, 'collect', '2026-03-01');
    const w1 = new ValueWriter(wh, r1);
    const reach = w1.seriesId(a, 'instagram', 'snapshot', 'reach');
    const views = w1.seriesId(a, 'tiktok', 'snapshot', 'views');
    w1.write(reach, '2026-03-01', 10, 'collect', 1000);
    w1.write(views, '2026-03-01', 5, 'collect', 1000);
    w1.noteWritten(a, '2026-03-01', '2026-03-01');
    finishRun(wh, r1, 'ok', COUNTS);
    // Run 2, still writing, replaces reach's 10: revision 1 is its (it waits, see store-changes.test.ts).
    const r2 = startRun(wh, 'collect', '2026-03-02');
    new ValueWriter(wh, r2).write(reach, '2026-03-01', 12, 'collect', 2000);
    wh.close();
    const reader = new ChangeReader(path, alive);
    expect(reader.begin()).toEqual({ horizon: 2, running: [], newest: 2 });
    const window = { after: undefined, before: 2 };
    expect([...reader.rows(table('value_revisions'), window, 0).rows]).toEqual([]);
    // Series carry no run: both go, and the last id read is the second.
    const series = reader.rows(table('series'), window, 0);
    expect([...series.rows]).toEqual([
      [1, 1, 'instagram', 'snapshot', 'reach'],
      [2, 1, 'tiktok', 'snapshot', 'views'],
    ]);
    expect(series.lastId()).toBe(2);
    reader.close();
  });

  it("sends a post's profile snapshots that a run after the cursor wrote, over each platform and each snapshot", () => {
    const path = fresh();
    const wh = openWarehouse(path);
    const a = ensureProfile(wh, 'a');
    const snap = (runId: number, platform: string, snapshot: 'at_post_date' | 'latest', day: string, followers: number, observedAt: number) =>
      writePostProfileSnapshot(wh, { requestId: 'p1', platform, snapshot, day, observedAt, runId }, { followers });
    const r1 = startRun(wh, 'collect', '2026-03-01');
    upsertPost(wh, { requestId: 'p1', runId: r1, profileId: a, title: undefined, caption: undefined, mediaType: undefined, uploadTimestamp: undefined });
    snap(r1, 'instagram', 'at_post_date', '2026-02-01', 100, 1000);
    snap(r1, 'instagram', 'latest', '2026-03-01', 110, 1000);
    snap(r1, 'tiktok', 'latest', '2026-03-01', 7, 1000);
    markPostChecked(wh, 'p1', '2026-03-01', r1);
    noteRunChange(wh, r1, a, '2026-02-01', '2026-03-01');
    finishRun(wh, r1, 'ok', COUNTS);
    const r2 = startRun(wh, 'collect', '2026-03-02');
    // Instagram's at_post_date is unchanged: it keeps run 1 and is not sent again.
    snap(r2, 'instagram', 'at_post_date', '2026-02-01', 100, 2000);
    snap(r2, 'instagram', 'latest', '2026-03-02', 120, 2000);
    snap(r2, 'tiktok', 'at_post_date', '2026-02-01', 5, 2000);
    snap(r2, 'tiktok', 'latest', '2026-03-02', 8, 2000);
    markPostChecked(wh, 'p1', '2026-03-02', r2);
    noteRunChange(wh, r2, a, '2026-02-01', '2026-03-02');
    finishRun(wh, r2, 'ok', COUNTS);
    wh.close();
    const reader = new ChangeReader(path, alive);
    expect(reader.begin()).toEqual({ horizon: 3, running: [], newest: 2 });
    // Columns: request_id, platform, snapshot, day, metric, value, observed_at, run_id.
    expect(sorted(reader.rows(table('post_profile_snapshots'), { after: 1, before: 3 }).rows)).toEqual([
      ['p1', 'instagram', 'latest', '2026-03-02', 'followers', 120, 2000, 2],
      ['p1', 'tiktok', 'at_post_date', '2026-02-01', 'followers', 5, 2000, 2],
      ['p1', 'tiktok', 'latest', '2026-03-02', 'followers', 8, 2000, 2],
    ]);
    expect([...reader.rows(table('post_profile_snapshots'), { after: 2, before: 3 }).rows]).toEqual([]);
    reader.close();
  });

  it('quotes a table and column name that hold a double quote', () => {
    const path = fresh();
    const wh = openWarehouse(path);
    wh.sqlite.exec(`CREATE TABLE "odd""name" ("id" INTEGER PRIMARY KEY, "say ""hi""" TEXT); INSERT INTO "odd""name" VALUES (1, 'hello')`);
    wh.close();
    const reader = new ChangeReader(path, alive);
    reader.begin();
    const odd: ReplicatedTable = { name: 'odd"name', columns: { id: 'int', 'say "hi"': 'text' }, key: ['id'], find: { kind: 'whole' } };
    expect([...reader.rows(odd, { after: undefined, before: 1 }).rows]).toEqual([[1, 'hello']]);
    reader.close();
  });

  it('reads nothing more once closed: the file is closed, not only the snapshot ended', () => {
    const path = fresh();
    const wh = openWarehouse(path);
    finishRun(wh, startRun(wh, 'collect', '2026-03-01'), 'ok', COUNTS);
    wh.close();
    const reader = new ChangeReader(path, alive);
    reader.begin();
    expect(reader.runStartedAt(1)).toEqual(expect.any(String));
    reader.close();
    expect(() => reader.runStartedAt(1)).toThrow('The database connection is not open');
  });
});
