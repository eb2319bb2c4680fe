import { describe, expect, it } from 'vitest';
import { BadInputError } from '../src/errors.js';
import { parsePlatformFilter, resolveQuery, todayFor } from '../src/query/impressions.query.js';
import { QUERY_HELP, queryFromFlags } from '../src/query/query.flags.js';
import { QUERY_METRICS } from '../src/platforms.js';
import { renderTable } from '../src/query/table.js';

const clock = () => new Date('2026-03-15T23:30:00Z');

describe('resolving the range', () => {
  it('defaults to today-30 … today', () => {
    expect(resolveQuery({ as_of: '2026-03-15' })).toMatchObject({ start: '2026-02-13', end: '2026-03-15', today: '2026-03-15' });
  });

  it('fills a missing end with today and a missing start with today-30', () => {
    expect(resolveQuery({ as_of: '2026-03-15', start_date: '2026-01-01' })).toMatchObject({ start: '2026-01-01', end: '2026-03-15' });
    expect(resolveQuery({ as_of: '2026-03-15', end_date: '2026-03-01' })).toMatchObject({ start: '2026-02-13', end: '2026-03-01' });
  });

  it('lets a period override start and end dates', () => {
    expect(resolveQuery({ as_of: '2026-03-15', period: 'last_week', start_date: '2020-01-01', end_date: '2020-01-02' })).toMatchObject({ start: '2026-03-08', end: '2026-03-15' });
  });

  it('crosses a leap day correctly', () => {
    expect(resolveQuery({ as_of: '2024-03-01', period: 'last_day' })).toMatchObject({ start: '2024-02-29', end: '2024-03-01' });
    expect(resolveQuery({ as_of: '2024-12-31', period: 'last_year' })).toMatchObject({ start: '2024-01-01' });
  });

  it('takes today in the configured timezone when there is no as_of', () => {
    expect(todayFor({}, clock)).toBe('2026-03-15');
    expect(todayFor({ timezone: 'Asia/Tokyo' }, clock)).toBe('2026-03-16');
    expect(todayFor({ timezone: 'America/Los_Angeles' }, clock)).toBe('2026-03-15');
  });

  it('treats an empty parameter as not given, as a query string does', () => {
    expect(resolveQuery({ as_of: '2026-03-15', date: '', period: '', metrics: '', platform: '' })).toMatchObject({ start: '2026-02-13', metrics: undefined, platforms: undefined });
  });

  it('reads breakdown as the API does: true or the string true in any case', () => {
    expect(resolveQuery({ as_of: '2026-03-15', breakdown: 'TRUE' }).breakdown).toBe(true);
    expect(resolveQuery({ as_of: '2026-03-15', breakdown: 'yes' }).breakdown).toBe(false);
    expect(resolveQuery({ as_of: '2026-03-15', breakdown: true }).breakdown).toBe(true);
  });

  it('rejects an unknown timezone by name', () => {
    expect(() => todayFor({ timezone: 'Mars/Olympus' })).toThrow(BadInputError);
    expect(() => todayFor({ timezone: 'Mars/Olympus' })).toThrow('Mars/Olympus');
  });
});

describe('parsing lists', () => {
  it('trims, lower-cases and drops empty platform names but keeps repeats', () => {
    expect(parsePlatformFilter(' YouTube,,TIKTOK , youtube')).toEqual(['youtube', 'tiktok', 'youtube']);
  });

  it('names every unknown metric at once', () => {
    expect(() => resolveQuery({ metrics: 'likes,clicks,taps' })).toThrow(/"clicks", "taps"/);
  });
});

describe('bad input, in the API\'s words', () => {
  it('names the parameter of a day that is not one', () => {
    for (const name of ['date', 'start_date', 'end_date', 'as_of'] as const) {
      expect(() => resolveQuery({ as_of: '2026-03-15', [name]: '2026-02-30' })).toThrow(`Invalid ${name}: "2026-02-30" is not a real day in YYYY-MM-DD format`);
    }
  });

  it('lists the periods, the metrics, and refuses metrics with the time series', () => {
    expect(() => resolveQuery({ period: 'fortnight' })).toThrow('Invalid period: "fortnight" (expected one of last_day, last_week, last_month, last_3months, last_year)');
    expect(() => resolveQuery({ metrics: 'likes,clicks' })).toThrow(`Invalid metric: "clicks" (available: ${QUERY_METRICS.join(', ')})`);
    expect(() => resolveQuery({ metrics: 'clicks,taps' })).toThrow(`Invalid metrics: "clicks", "taps" (available: ${QUERY_METRICS.join(', ')})`);
    expect(() => resolveQuery({ metrics: 'likes,views', source: 'timeseries' })).toThrow(
      'metrics (likes,views) cannot be used with source=timeseries: the time series hold one daily series per platform, not metrics',
    );
  });
});

describe('flags', () => {
  it('set nothing that was not given', () => {
    expect(queryFromFlags({ breakdown: false }, 'UTC')).toStrictEqual({ timezone: 'UTC' });
    expect(QUERY_HELP).toMatch(/^Query flags \(the API's parameters\):\n  --date D/);
  });

  it('map one to one onto the API parameter names', () => {
    expect(
      queryFromFlags({ date: 'D', 'start-date': 'S', 'end-date': 'E', period: 'P', platform: 'a,b', breakdown: true, metrics: 'm', 'as-of': 'A', source: 'timeseries' }, 'Europe/Paris'),
    ).toEqual({ timezone: 'Europe/Paris', date: 'D', start_date: 'S', end_date: 'E', period: 'P', platform: 'a,b', breakdown: true, metrics: 'm', as_of: 'A', source: 'timeseries' });
  });
});

describe('the table renderer', () => {
  it('aligns names left and numbers right with thousands separators', () => {
    expect(renderTable(['platform', 'impressions'], [['instagram', 12500], ['x', 7], null, ['total', 12507]])).toBe(
      ['platform   impressions', '---------  -----------', 'instagram       12,500', 'x                    7', '---------  -----------', 'total           12,507', ''].join('\n'),
    );
  });
});
