// Every expected number below was worked out by hand from the PAPER table in
// impressions-fixtures.ts (today = 2026-03-15), not computed by code:
//
//   default-mode value per day (the field of the rule in force that day)
//   2025-03-14  youtube 123456              2026-03-10  ig 100 + yt 300 + tt 40 (impr.) + fb 1000 = 1440
//   2025-03-15  youtube 3                   2026-03-11  ig 120 + tt 50 (impr.) + fb 1010          = 1180
//   2025-12-01  tiktok 1000 (impressions)   2026-03-12  yt 250 + tt 65 (views, new rule)          =  315
//   2026-01-01  instagram 7                 2026-03-13  tt 75 (views)                             =   75
//   2026-02-20  tiktok 5 (impressions)      2026-03-14  ig 0                                      =    0
//   2026-03-07  instagram 11                2026-03-15  yt 9                                      =    9
//   mastodon has no rule: its 999 never counts.
// Answers are compared as JSON text (toEqualJsonText), key order included: the API's order
// of keys, platforms ascending, days ascending, metrics in the order asked.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BadInputError, ProfileNotFoundError } from '../src/errors.js';
import { explainImpressions, totalImpressions } from '../src/query/impressions.usecases.js';
import { cachePlatformMetrics } from '../src/store/rules.repository.js';
import { openWarehouse, type Warehouse } from '../src/store/warehouse.js';
import { countHeldDays, paperWarehouse, rule, writeValues } from './impressions-fixtures.js';
import './support/json-text.js';

// A fresh copy per test, written inside it: mutation testing credits code run in a test to that
// test, and code run once for the file (beforeAll, module level) to none (TESTING.md).
let wh: Warehouse;
beforeEach(() => {
  wh = paperWarehouse();
});
afterEach(() => wh.close());
const asOf = '2026-03-15';

describe('default mode', () => {
  it('adds each platform through its own primary field on the same day, over the default 30 days', () => {
    // 02-13 … 03-15: 5 + 11 + 1440 + 1180 + 315 + 75 + 0 + 9
    expect(totalImpressions(wh, 'paper', { as_of: asOf, breakdown: true })).toEqualJsonText({
      success: true,
      profile_username: 'paper',
      start_date: '2026-02-13',
      end_date: '2026-03-15',
      total_impressions: 3035,
      per_platform: { facebook: 2010, instagram: 231, tiktok: 235, youtube: 559 },
      per_day: {
        '2026-02-20': 5,
        '2026-03-07': 11,
        '2026-03-10': 1440,
        '2026-03-11': 1180,
        '2026-03-12': 315,
        '2026-03-13': 75,
        '2026-03-14': 0,
        '2026-03-15': 9,
      },
    });
  });

  it('leaves the breakdown out unless asked for', () => {
    expect(totalImpressions(wh, 'paper', { as_of: asOf })).toEqualJsonText({
      success: true,
      profile_username: 'paper',
      start_date: '2026-02-13',
      end_date: '2026-03-15',
      total_impressions: 3035,
    });
  });

  it('keeps only the filtered platforms and echoes the parsed filter', () => {
    const answer = totalImpressions(wh, 'paper', { platform: 'YouTube, tiktok ,', start_date: '2026-03-10', end_date: '2026-03-13', breakdown: 'true', as_of: asOf });
    expect(answer).toEqualJsonText({
      success: true,
      profile_username: 'paper',
      start_date: '2026-03-10',
      end_date: '2026-03-13',
      total_impressions: 780,
      platforms_filter: ['youtube', 'tiktok'],
      per_platform: { tiktok: 230, youtube: 550 },
      per_day: { '2026-03-10': 340, '2026-03-11': 50, '2026-03-12': 315, '2026-03-13': 75 },
    });
    expect(Object.keys(answer)).toEqual(['success', 'profile_username', 'start_date', 'end_date', 'total_impressions', 'platforms_filter', 'per_platform', 'per_day']);
  });

  it('answers a single date and lets it win over a period and a range', () => {
    expect(totalImpressions(wh, 'paper', { date: '2026-03-12', period: 'last_year', start_date: '2026-01-01', breakdown: true, as_of: asOf })).toEqualJsonText({
      success: true,
      profile_username: 'paper',
      start_date: '2026-03-12',
      end_date: '2026-03-12',
      total_impressions: 315,
      per_platform: { tiktok: 65, youtube: 250 },
      per_day: { '2026-03-12': 315 },
    });
  });

  it('counts each day through the rule in force that day when the rule changes mid-range', () => {
    // tiktok: 03-11 impressions 50 (old rule), 03-12 views 65 (new rule); neither 50+60 nor 55+65.
    expect(totalImpressions(wh, 'paper', { platform: 'tiktok', start_date: '2026-03-11', end_date: '2026-03-12', as_of: asOf }).total_impressions).toBe(115);
  });

  it('applies the earliest stored rule to the days before it was first seen', () => {
    // tiktok 2025-12-01 predates the first rule row (2026-03-01, impressions): 1000, not views 2000.
    expect(totalImpressions(wh, 'paper', { date: '2025-12-01', as_of: asOf }).total_impressions).toBe(1000);
  });

  it.each([
    ['last_day', '2026-03-14', 9],
    ['last_week', '2026-03-08', 3019],
    ['last_month', '2026-02-13', 3035],
    ['last_3months', '2025-12-15', 3042],
    ['last_year', '2025-03-15', 4045],
  ])('resolves %s against the fixed as-of day (start %s, total %i)', (period, start, total) => {
    expect(totalImpressions(wh, 'paper', { period, as_of: asOf })).toEqualJsonText({
      success: true,
      profile_username: 'paper',
      start_date: start,
      end_date: '2026-03-15',
      total_impressions: total,
    });
  });

  it('keeps a platform whose only value is 0 in the breakdown', () => {
    const answer = totalImpressions(wh, 'paper', { period: 'last_day', breakdown: true, as_of: asOf });
    expect(answer).toMatchObject({ total_impressions: 9, per_platform: { instagram: 0, youtube: 9 }, per_day: { '2026-03-14': 0, '2026-03-15': 9 } });
  });

  it('answers zero and empty breakdowns for a range without snapshots', () => {
    expect(totalImpressions(wh, 'paper', { start_date: '2026-03-01', end_date: '2026-03-05', breakdown: true, as_of: asOf })).toEqualJsonText({
      success: true,
      profile_username: 'paper',
      start_date: '2026-03-01',
      end_date: '2026-03-05',
      total_impressions: 0,
      per_platform: {},
      per_day: {},
    });
  });
});

describe('the ends of a range', () => {
  // 03-11…03-12 has values on both neighbouring days (03-10 and 03-13): a day too many or too few shows.
  const range = { start_date: '2026-03-11', end_date: '2026-03-12', breakdown: true, as_of: asOf };

  it('counts the first and the last day, and no day beyond, in default mode', () => {
    expect(totalImpressions(wh, 'paper', range)).toMatchObject({ total_impressions: 1495, per_day: { '2026-03-11': 1180, '2026-03-12': 315 } });
    expect(Object.keys((totalImpressions(wh, 'paper', range) as { per_day: object }).per_day)).toEqual(['2026-03-11', '2026-03-12']);
  });

  it('in metrics mode: impressions 1000 + 50 on the 11th, 250 + 60 on the 12th', () => {
    expect(totalImpressions(wh, 'paper', { ...range, metrics: 'impressions' })).toEqualJsonText({
      success: true,
      profile_username: 'paper',
      start_date: '2026-03-11',
      end_date: '2026-03-12',
      metrics: { impressions: 1360 },
      per_platform: { impressions: { instagram: 1000, tiktok: 110, youtube: 250 } },
      per_day: { impressions: { '2026-03-11': 1050, '2026-03-12': 310 } },
    });
  });

  it('from the time series: the 11th alone is 90, without the 10th', () => {
    expect(totalImpressions(wh, 'paper', { ...range, end_date: '2026-03-11', source: 'timeseries' })).toMatchObject({ total_impressions: 90, per_day: { '2026-03-11': 90 } });
  });
});

describe('where the rule comes from', () => {
  it('takes a stored rule first, then the cached platform-metrics, then the built-in default', () => {
    const own = openWarehouse(':memory:');
    writeValues(own, 'chain', {
      instagram: { '2026-03-10': { reach: 5, impressions: 50 } },
      youtube: { '2026-03-10': { impressions: 10, views: 20 } },
      snapchat: { '2026-03-10': { views: 7, reach: 700 } },
      x: { '2026-03-10': { impressions: 3, views: 300 } },
    });
    // instagram: the cache says impressions, but the stored rule (reach) wins: 5.
    // youtube: no stored rule, the cache (views) wins over the default (impressions): 20.
    // snapchat: unknown to the defaults, the cache names views: 7.  x: only the default: 3.
    rule(own, 'instagram', '2026-03-01', 'reach', 'reach');
    const fields = (f: string) => ({ primaryField: f, availableMetrics: null, metricLabels: null });
    cachePlatformMetrics(own, { instagram: fields('impressions'), youtube: fields('views'), snapchat: fields('views') }, '2026-03-10T03:00:00Z');
    countHeldDays(own);
    expect(totalImpressions(own, 'chain', { date: '2026-03-10', breakdown: true, as_of: asOf })).toMatchObject({
      total_impressions: 35,
      per_platform: { instagram: 5, snapchat: 7, x: 3, youtube: 20 },
    });
    own.close();
  });
});

describe('metrics mode', () => {
  it('sums likes, comments and shares with nested breakdowns in the requested order', () => {
    const answer = totalImpressions(wh, 'paper', { metrics: 'likes,comments,shares', start_date: '2026-03-10', end_date: '2026-03-14', breakdown: true, as_of: asOf });
    expect(answer).toEqualJsonText({
      success: true,
      profile_username: 'paper',
      start_date: '2026-03-10',
      end_date: '2026-03-14',
      metrics: { likes: 83, comments: 12, shares: 6 },
      per_platform: {
        likes: { instagram: 26, tiktok: 7, youtube: 50 },
        comments: { instagram: 3, youtube: 9 },
        shares: { instagram: 4, youtube: 2 },
      },
      per_day: {
        likes: { '2026-03-10': 47, '2026-03-11': 12, '2026-03-12': 20, '2026-03-14': 4 },
        comments: { '2026-03-10': 7, '2026-03-11': 0, '2026-03-12': 4, '2026-03-14': 1 },
        shares: { '2026-03-10': 3, '2026-03-11': 3 },
      },
    });
    expect(Object.keys((answer as { metrics: object }).metrics)).toEqual(['likes', 'comments', 'shares']);
  });

  it('drops repeated metric names and starts every metric at zero', () => {
    expect(totalImpressions(wh, 'paper', { metrics: 'saves, likes,saves', start_date: '2026-03-01', end_date: '2026-03-05', breakdown: true, as_of: asOf })).toEqualJsonText({
      success: true,
      profile_username: 'paper',
      start_date: '2026-03-01',
      end_date: '2026-03-05',
      metrics: { saves: 0, likes: 0 },
      per_platform: { saves: {}, likes: {} },
      per_day: { saves: {}, likes: {} },
    });
  });

  it('echoes the platform filter after the metrics, and leaves the breakdown out unless asked for', () => {
    // youtube's likes on 03-10 … 03-14, as in the breakdown above: 50.
    expect(totalImpressions(wh, 'paper', { metrics: 'likes', platform: 'YouTube', start_date: '2026-03-10', end_date: '2026-03-14', as_of: asOf })).toEqualJsonText({
      success: true,
      profile_username: 'paper',
      start_date: '2026-03-10',
      end_date: '2026-03-14',
      metrics: { likes: 50 },
      platforms_filter: ['youtube'],
    });
  });

  it('answers a metrics list naming no metric in default mode, as the API does', () => {
    expect(totalImpressions(wh, 'paper', { metrics: ',', date: '2026-03-12', as_of: asOf })).toMatchObject({ total_impressions: 315 });
  });
});

describe('the time series source', () => {
  it('sums each platform daily reach series in the same shape', () => {
    expect(totalImpressions(wh, 'paper', { source: 'timeseries', start_date: '2026-03-10', end_date: '2026-03-11', breakdown: true, as_of: asOf })).toEqualJsonText({
      success: true,
      profile_username: 'paper',
      start_date: '2026-03-10',
      end_date: '2026-03-11',
      total_impressions: 570,
      per_platform: { instagram: 170, youtube: 400 },
      per_day: { '2026-03-10': 480, '2026-03-11': 90 },
    });
  });
});

describe('warnings', () => {
  const warningsOf = (query: Parameters<typeof explainImpressions>[2]): string[] => explainImpressions(wh, 'paper', { as_of: asOf, ...query }).warnings;

  it('names a platform without a known rule where it had values to add', () => {
    expect(warningsOf({ date: '2026-03-10' }).join('\n')).toMatch(/mastodon/);
    expect(warningsOf({ date: '2026-03-11' }).join('\n')).not.toMatch(/mastodon/);
    // Metrics mode adds named fields and the time series their reach: no rule is needed, none is missed.
    expect(warningsOf({ date: '2026-03-10', metrics: 'likes' })).toEqual([]);
    expect(warningsOf({ date: '2026-03-10', source: 'timeseries' }).join('\n')).not.toMatch(/mastodon/);
  });

  it('warns that Facebook rolling values over-count over several days, and only then', () => {
    expect(warningsOf({ start_date: '2026-03-10', end_date: '2026-03-11' }).join('\n')).toMatch(/facebook.*rolling 30-day/);
    expect(warningsOf({ date: '2026-03-10' }).join('\n')).not.toMatch(/facebook/);
    expect(warningsOf({ start_date: '2026-03-10', end_date: '2026-03-11', platform: 'instagram' }).join('\n')).not.toMatch(/facebook/);
  });

  it('warns that followers summed over days is not a count', () => {
    const { answer, warnings } = explainImpressions(wh, 'paper', { metrics: 'followers', start_date: '2026-03-10', end_date: '2026-03-11', as_of: asOf });
    expect(answer).toMatchObject({ metrics: { followers: 1005 } });
    expect(warnings.join('\n')).toMatch(/followers: a level/);
    expect(warningsOf({ metrics: 'followers', date: '2026-03-10' }).join('\n')).not.toMatch(/followers/);
  });

  it('warns when the time series of different platforms count different things', () => {
    expect(warningsOf({ source: 'timeseries', start_date: '2026-03-10', end_date: '2026-03-11' }).join('\n')).toMatch(/reach \(instagram\); views \(youtube\)/);
  });
});

describe('bad input and unknown profiles', () => {
  it.each([
    [{ date: '2026-3-1' }, '2026-3-1'],
    [{ start_date: '2026-02-30' }, '2026-02-30'],
    [{ end_date: 'yesterday' }, 'yesterday'],
    [{ start_date: '2026-03-10', end_date: '2026-03-01' }, 'start_date 2026-03-10 is after end_date 2026-03-01'],
    [{ period: 'last_decade' }, 'last_decade'],
    [{ metrics: 'likes,clicks' }, 'clicks'],
    [{ metrics: 'likes', source: 'timeseries' }, 'timeseries'],
    [{ source: 'dashboard' }, 'dashboard'],
    [{ as_of: '2026-13-01' }, '2026-13-01'],
  ])('rejects %j with a message naming %s', (query, named) => {
    expect(() => totalImpressions(wh, 'paper', { as_of: asOf, ...query })).toThrow(BadInputError);
    expect(() => totalImpressions(wh, 'paper', { as_of: asOf, ...query })).toThrow(named);
  });

  it('throws ProfileNotFoundError for a profile the warehouse holds nothing for', () => {
    expect(() => totalImpressions(wh, 'nobody', { as_of: asOf })).toThrow(ProfileNotFoundError);
    expect(() => totalImpressions(wh, 'nobody', { as_of: asOf })).toThrow(`Profile "nobody" not found in the warehouse ${wh.path}`);
  });

  it('checks the input before looking for the profile, as the API does', () => {
    expect(() => totalImpressions(wh, 'nobody', { date: '2026-02-30' })).toThrow(BadInputError);
  });
});
