// The store's read side that the status, export and report commands print, on small warehouses
// written here day by day: coverage and the gaps the daemon repairs, a BI view row by row with
// its filters, and the follower series and top posts of the report. Expected rows by hand.
import { describe, expect, it } from 'vitest';
import { markCovered } from '../src/store/backfill.repository.js';
import { missingDays, snapshotCoverage } from '../src/store/coverage.repository.js';
import { listViews, selectView, viewColumns } from '../src/store/export.repository.js';
import { upsertPost, writePostMetrics } from '../src/store/posts.repository.js';
import { ensureProfile, findProfileId, listProfiles } from '../src/store/profiles.repository.js';
import { followerSeries, profilesWithSnapshots, topPostsByViews } from '../src/store/report.repository.js';
import { countRunErrors, finishRun, listRunErrors, listRuns, recordRunError, startRun } from '../src/store/runs.repository.js';
import { openWarehouse, type Warehouse } from '../src/store/warehouse.js';
import { countHeldDays, writeValues } from './impressions-fixtures.js';

/** a: instagram on 1, 2 and 5 March, x on 3 to 5 March; b: youtube on 4 March (and only a series for tiktok). */
function held(): Warehouse {
  const wh = openWarehouse(':memory:');
  writeValues(wh, 'a', {
    instagram: { '2026-03-01': { reach: 1, followers: 10 }, '2026-03-02': { reach: 2, followers: 12 }, '2026-03-05': { reach: 5, followers: 15 } },
    x: { '2026-03-03': { impressions: 3 }, '2026-03-04': { impressions: 4 }, '2026-03-05': { impressions: 5, followers: 7 } },
  });
  writeValues(wh, 'b', { youtube: { '2026-03-04': { impressions: 40, followers: 400 } } });
  writeValues(wh, 'c', { tiktok: { '2026-03-04': { reach: 9 } } }, 'timeseries');
  countHeldDays(wh);
  return wh;
}
const gap = (profile: string, platform: string, from: string, to: string) => ({ profile, platform, from, to });

describe('coverage', () => {
  it('gives the first and last day held and the days held, per profile and per platform', () => {
    expect(snapshotCoverage(held())).toEqual([
      { profile: 'a', platform: null, firstDay: '2026-03-01', lastDay: '2026-03-05', daysHeld: 5 },
      { profile: 'a', platform: 'instagram', firstDay: '2026-03-01', lastDay: '2026-03-05', daysHeld: 3 },
      { profile: 'a', platform: 'x', firstDay: '2026-03-03', lastDay: '2026-03-05', daysHeld: 3 },
      { profile: 'b', platform: null, firstDay: '2026-03-04', lastDay: '2026-03-04', daysHeld: 1 },
      { profile: 'b', platform: 'youtube', firstDay: '2026-03-04', lastDay: '2026-03-04', daysHeld: 1 },
    ]);
  });

  it("lacks the holes, the days before a platform's first since the profile's first, and the days up to today", () => {
    expect(missingDays(held(), '2026-03-06', '2026-02-01')).toEqual([
      gap('a', 'instagram', '2026-03-03', '2026-03-04'),
      gap('a', 'instagram', '2026-03-06', '2026-03-06'),
      gap('a', 'x', '2026-03-01', '2026-03-02'),
      gap('a', 'x', '2026-03-06', '2026-03-06'),
      gap('b', 'youtube', '2026-03-05', '2026-03-06'),
    ]);
  });

  it('looks only from `from` on, counting from the first day held in that window', () => {
    expect(missingDays(held(), '2026-03-06', '2026-03-03')).toEqual([
      gap('a', 'instagram', '2026-03-03', '2026-03-04'),
      gap('a', 'instagram', '2026-03-06', '2026-03-06'),
      gap('a', 'x', '2026-03-06', '2026-03-06'),
      gap('b', 'youtube', '2026-03-05', '2026-03-06'),
    ]);
  });

  it('does not count days a finished backfill found empty, unless it ran on one of them before today', () => {
    const wh = held();
    const runId = startRun(wh, 'backfill', '2026-03-04');
    const key = { profileId: findProfileId(wh, 'a')!, step: 'snapshots' as const, platform: 'instagram' };
    // Asked on the 4th for the 3rd and 4th: the 3rd was final then, the 4th was still being written.
    markCovered(wh, { ...key, since: '2026-03-03', until: '2026-03-04' }, { takenOn: '2026-03-04', runId, valuesWritten: 0 });
    expect(missingDays(wh, '2026-03-06', '2026-02-01').filter((g) => g.platform === 'instagram')).toEqual([
      gap('a', 'instagram', '2026-03-04', '2026-03-04'),
      gap('a', 'instagram', '2026-03-06', '2026-03-06'),
    ]);
    // Asked today for today: that stands for today.
    markCovered(wh, { ...key, since: '2026-03-04', until: '2026-03-06' }, { takenOn: '2026-03-06', runId, valuesWritten: 0 });
    expect(missingDays(wh, '2026-03-06', '2026-02-01').filter((g) => g.platform === 'instagram')).toEqual([]);
  });

  it('excuses only the days inside the range a backfill asked for, even when it ran today', () => {
    const wh = held();
    const runId = startRun(wh, 'backfill', '2026-03-06');
    // Asked today for the 4th alone: the 3rd (before it) and the 6th (after it) are still lacking.
    const key = { profileId: findProfileId(wh, 'a')!, step: 'snapshots' as const, platform: 'instagram' };
    markCovered(wh, { ...key, since: '2026-03-04', until: '2026-03-04' }, { takenOn: '2026-03-06', runId, valuesWritten: 0 });
    // And for x, another platform of the same profile: it excuses nothing of instagram's.
    markCovered(wh, { ...key, platform: 'x', since: '2026-03-01', until: '2026-03-06' }, { takenOn: '2026-03-06', runId, valuesWritten: 0 });
    expect(missingDays(wh, '2026-03-06', '2026-02-01').filter((g) => g.profile === 'a')).toEqual([
      gap('a', 'instagram', '2026-03-03', '2026-03-03'),
      gap('a', 'instagram', '2026-03-06', '2026-03-06'),
    ]);
  });

  it('finds nothing missing in a warehouse that holds nothing', () => {
    expect(missingDays(openWarehouse(':memory:'), '2026-03-06', '2026-02-01')).toEqual([]);
  });
});

describe('a BI view for export', () => {
  it('lists the v_ views by name and their columns in order', () => {
    const wh = held();
    expect(listViews(wh)).toEqual([
      'v_daily_impressions', 'v_daily_metrics', 'v_demographics', 'v_latest_snapshot', 'v_monthly_impressions', 'v_platform_rules', 'v_post_metrics', 'v_post_profile_snapshots', 'v_timeseries', 'v_value_revisions',
    ]);
    expect(viewColumns(wh, 'v_daily_impressions').map((c) => c.name)).toEqual(['profile_username', 'platform', 'day', 'time', 'metric_type', 'primary_field', 'impressions']);
    // The monthly rollup (migration 0007): no day column, a month and the days it adds up.
    expect(viewColumns(wh, 'v_monthly_impressions').map((c) => c.name)).toEqual(['profile_username', 'platform', 'month', 'time', 'impressions', 'days']);
    // By hand from held(): a's instagram 1 + 2 + 5 over 3 days, a's x 3 + 4 + 5 over 3, b's youtube 40 on 1; c holds no count.
    const march = Date.UTC(2026, 2, 1) / 1000;
    expect([...selectView(wh, 'v_monthly_impressions', {}).rows]).toEqual([
      ['a', 'instagram', '2026-03', march, 8, 3],
      ['a', 'x', '2026-03', march, 12, 3],
      ['b', 'youtube', '2026-03', march, 40, 1],
    ]);
  });

  it('selects rows ordered by every column, filtered by profile, platform and both ends of the range', () => {
    const wh = held();
    const rows = (filter: Parameters<typeof selectView>[2]) => [...selectView(wh, 'v_daily_impressions', filter).rows].map((r) => `${r[0]} ${r[1]} ${r[2]} ${r[6]}`);
    expect(rows({ profiles: ['a'], platforms: ['x', 'youtube'], startDay: '2026-03-04', endDay: '2026-03-05' })).toEqual(['a x 2026-03-04 4', 'a x 2026-03-05 5']);
    expect(rows({ profiles: ['b', 'nobody'] })).toEqual(['b youtube 2026-03-04 40']);
    expect(rows({ endDay: '2026-03-01' })).toEqual(['a instagram 2026-03-01 1']);
    expect(rows({})).toHaveLength(7);
    expect(selectView(wh, 'v_daily_impressions', {}).columns).toEqual(viewColumns(wh, 'v_daily_impressions').map((c) => c.name));
  });

  it('refuses a name that is not one of its views', () => {
    expect(() => selectView(held(), 'profiles', {})).toThrow('profiles is not a BI view');
  });
});

describe('what the report reads', () => {
  it('knows the profiles that hold a snapshot, and each platform\'s followers per day within the range', () => {
    const wh = held();
    expect(listProfiles(wh)).toEqual(['a', 'b', 'c']);
    expect(profilesWithSnapshots(wh)).toEqual(['a', 'b']);
    expect(followerSeries(wh, 'a', '2026-03-02', '2026-03-05')).toEqual([
      { platform: 'instagram', points: [['2026-03-02', 12], ['2026-03-05', 15]] },
      { platform: 'x', points: [['2026-03-05', 7]] },
    ]);
  });

  it("ranks posts by their views as of the last day read in the range, and keeps the other counts of that day", () => {
    const wh = held();
    const profileId = ensureProfile(wh, 'a');
    const post = (requestId: string, title: string) => upsertPost(wh, { requestId, runId: null, profileId, title, caption: undefined, mediaType: 'video', uploadTimestamp: '2026-03-01T10:00:00.000Z' });
    post('p1', 'one');
    post('p2', 'two');
    post('p3', 'three');
    writePostMetrics(wh, 'p1', 'youtube', '2026-03-02', { views: 100, likes: 1 }, 0, null);
    writePostMetrics(wh, 'p1', 'youtube', '2026-03-04', { views: 300, likes: 3, comments: 2 }, 0, null);
    writePostMetrics(wh, 'p1', 'youtube', '2026-03-09', { views: 900 }, 0, null); // after the range
    writePostMetrics(wh, 'p2', 'tiktok', '2026-03-03', { views: 200, shares: 4 }, 0, null);
    writePostMetrics(wh, 'p3', 'x', '2026-03-03', { likes: 5 }, 0, null); // no views: last
    const top = topPostsByViews(wh, 'a', '2026-03-01', '2026-03-05', 10).map((t) => [t.requestId, t.platform, t.day, t.title, t.views, t.likes, t.comments, t.shares]);
    expect(top).toEqual([
      ['p1', 'youtube', '2026-03-04', 'one', 300, 3, 2, null],
      ['p2', 'tiktok', '2026-03-03', 'two', 200, null, null, 4],
      ['p3', 'x', '2026-03-03', 'three', null, 5, null, null],
    ]);
    expect(topPostsByViews(wh, 'a', '2026-03-01', '2026-03-05', 1)).toHaveLength(1);
  });
});

describe('what status reads of the runs', () => {
  it('lists the latest runs first, and their failures and notes apart, newest first', () => {
    const wh = openWarehouse(':memory:');
    const first = startRun(wh, 'collect', '2026-03-14');
    finishRun(wh, first, 'partial', { requests: 3, retries: 1, rateLimited: 0 }, 'one failed');
    const second = startRun(wh, 'backfill', '2026-03-15', { since: '2026-03-01', until: '2026-03-14' });
    recordRunError(wh, first, { profile: 'a', kind: 'server_error', status: 503, message: 'down' });
    recordRunError(wh, first, { profile: 'a', platform: 'reddit', kind: 'unsupported', message: 'Analytics are not supported for Reddit.' });
    recordRunError(wh, second, { kind: 'posts_deferred', message: 'later' });
    recordRunError(wh, second, { profile: 'b', platform: 'x', kind: 'platform_error', message: 'token' });
    expect(listRuns(wh, 5).map((r) => [r.id, r.kind, r.status, r.since, r.until, r.requests, r.retries, r.message])).toEqual([
      [second, 'backfill', 'running', '2026-03-01', '2026-03-14', 0, 0, null],
      [first, 'collect', 'partial', null, null, 3, 1, 'one failed'],
    ]);
    expect(listRuns(wh, 1).map((r) => r.id)).toEqual([second]);
    const kinds = (opts: Parameters<typeof listRunErrors>[1]) => listRunErrors(wh, opts).map((e) => e.kind);
    expect(kinds({ limit: 10 })).toEqual(['platform_error', 'posts_deferred', 'unsupported', 'server_error']);
    expect(kinds({ limit: 10, notices: false })).toEqual(['platform_error', 'server_error']);
    expect(kinds({ limit: 10, notices: true })).toEqual(['posts_deferred', 'unsupported']);
    expect(kinds({ limit: 10, runId: first })).toEqual(['unsupported', 'server_error']);
    expect(kinds({ limit: 1 })).toEqual(['platform_error']);
    // Notes are not failures.
    expect([countRunErrors(wh, first), countRunErrors(wh, second)]).toEqual([1, 1]);
  });
});
