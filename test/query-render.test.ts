// What `upw impressions` and `upw verify` print, from answers written here by hand: the
// tables, the head lines, the warnings, and what verify finds different. Every expected
// text is laid out by hand: the first column padded right, numbers padded left, two spaces
// between columns, no trailing spaces.
import { describe, expect, it } from 'vitest';
import { renderImpressions } from '../src/query/impressions.render.js';
import type { ExplainedImpressions, ImpressionsAnswer, ResolvedQuery } from '../src/query/impressions.types.js';
import { formatCell, renderTable } from '../src/query/table.js';
import { renderComparison } from '../src/query/verify.render.js';
import { compareAnswers, liveParams } from '../src/query/verify.usecases.js';

const query = (over: Partial<ResolvedQuery> = {}): ResolvedQuery => ({
  start: '2026-03-11', end: '2026-03-12', today: '2026-03-15', platforms: undefined, breakdown: true, metrics: undefined, source: 'snapshots', ...over,
});
const explained = (answer: ImpressionsAnswer, over: Partial<ExplainedImpressions> = {}): ExplainedImpressions => ({ answer, warnings: [], query: query(), ...over });
const head = { success: true as const, profile_username: 'paper', start_date: '2026-03-11', end_date: '2026-03-12' };
const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('cells and tables', () => {
  it('formats numbers with thousands separators and at most six decimals, and leaves missing cells empty', () => {
    expect([1234567, 0.5, 1 / 3, 0, null, undefined, 'abc'].map(formatCell)).toEqual(['1,234,567', '0.5', '0.333333', '0', '', '', 'abc']);
  });

  it('pads the first column right and the others left, draws a rule under the header and for each null row', () => {
    expect(renderTable(['platform', 'impressions'], [['tiktok', 65], ['youtube', 1250], null, ['total', 1315]])).toBe(
      lines('platform  impressions', '--------  -----------', 'tiktok             65', 'youtube         1,250', '--------  -----------', 'total           1,315'),
    );
  });
});

describe('upw impressions as text', () => {
  const answer: ImpressionsAnswer = {
    ...head,
    total_impressions: 1495,
    per_platform: { facebook: 1010, instagram: 120, tiktok: 115, youtube: 250 },
    per_day: { '2026-03-11': 1180, '2026-03-12': 315 },
  };

  it('shows the range, a table per platform with the total, then the warnings', () => {
    expect(renderImpressions(explained(answer, { warnings: ['facebook: rolling', 'followers: a level'] }), false)).toBe(
      lines(
        'paper: total impressions, 2026-03-11 … 2026-03-12 (2 days)',
        '',
        'platform   impressions',
        '---------  -----------',
        'facebook         1,010',
        'instagram          120',
        'tiktok             115',
        'youtube            250',
        '---------  -----------',
        'total            1,495',
        '',
        'warning: facebook: rolling',
        'warning: followers: a level',
      ),
    );
  });

  it('adds the table per day when asked, names one day alone, and echoes a platform filter', () => {
    const oneDay = { ...answer, start_date: '2026-03-11', end_date: '2026-03-11', platforms_filter: ['youtube', 'tiktok'] };
    const text = renderImpressions(explained(oneDay), true);
    expect(text.startsWith('paper: total impressions, 2026-03-11\nplatforms: youtube, tiktok\n\n')).toBe(true);
    expect(text.endsWith(lines('', 'day         impressions', '----------  -----------', '2026-03-11        1,180', '2026-03-12          315'))).toBe(true);
  });

  it('says (none) for an empty platform filter and that a range without values totals 0', () => {
    const empty = { ...head, total_impressions: 0, platforms_filter: [], per_platform: {}, per_day: {} };
    expect(renderImpressions(explained(empty), true)).toBe(lines('paper: total impressions, 2026-03-11 … 2026-03-12 (2 days)', 'platforms: (none)', '', 'No values in this range: impressions total 0.'));
  });

  it('calls the time series total what it is', () => {
    const text = renderImpressions(explained(answer, { query: query({ source: 'timeseries' }) }), false);
    expect(text.split('\n').slice(0, 3)).toEqual(['paper: total of the daily reach series, 2026-03-11 … 2026-03-12 (2 days)', '', 'platform   reach series']);
  });

  it('shows metric sums as columns, in the order asked, a platform without a metric left empty', () => {
    const metrics: ImpressionsAnswer = {
      ...head,
      metrics: { likes: 32, comments: 4 },
      per_platform: { likes: { instagram: 12, youtube: 20 }, comments: { youtube: 4 } },
      per_day: { likes: { '2026-03-11': 12, '2026-03-12': 20 }, comments: { '2026-03-12': 4 } },
    };
    expect(renderImpressions(explained(metrics, { query: query({ metrics: ['likes', 'comments'] }) }), true)).toBe(
      lines(
        'paper: metric sums, 2026-03-11 … 2026-03-12 (2 days)',
        '',
        'platform   likes  comments',
        '---------  -----  --------',
        'instagram     12',
        'youtube       20         4',
        '---------  -----  --------',
        'total         32         4',
        '',
        'day         likes  comments',
        '----------  -----  --------',
        '2026-03-11     12',
        '2026-03-12     20         4',
      ),
    );
    const none = { ...head, metrics: { likes: 0, comments: 0 }, per_platform: { likes: {}, comments: {} }, per_day: { likes: {}, comments: {} } };
    expect(renderImpressions(explained(none, { query: query({ metrics: ['likes', 'comments'] }) }), false)).toBe(
      lines('paper: metric sums, 2026-03-11 … 2026-03-12 (2 days)', '', 'No values in this range: likes 0, comments 0.'),
    );
  });
});

describe('upw verify', () => {
  const local: ImpressionsAnswer = { ...head, total_impressions: 3, per_platform: { x: 1, y: 2 }, per_day: { '2026-03-11': 3 } };

  it('asks the live endpoint for the resolved range with the breakdown, the platform text as typed and the metrics', () => {
    expect(liveParams(query(), undefined)).toEqual({ start_date: '2026-03-11', end_date: '2026-03-12', breakdown: 'true' });
    expect(liveParams(query({ metrics: ['likes', 'views'] }), 'YouTube, x')).toEqual({ start_date: '2026-03-11', end_date: '2026-03-12', breakdown: 'true', platform: 'YouTube, x', metrics: 'likes,views' });
    expect(liveParams(query(), '')).toEqual({ start_date: '2026-03-11', end_date: '2026-03-12', breakdown: 'true' });
  });

  it('agrees only on the same range with every number equal', () => {
    expect(compareAnswers(local, structuredClone(local))).toMatchObject({ differences: [], agree: true });
    expect(compareAnswers(local, { ...local, end_date: '2026-03-13' })).toMatchObject({ differences: [], agree: false });
  });

  it('lists every number that differs or is on one side only: totals, then platforms, then days', () => {
    const live = { ...head, total_impressions: 4, per_platform: { x: 1, y: 3 }, per_day: { '2026-03-11': 3, '2026-03-12': 1 } };
    expect(compareAnswers(local, live).differences).toEqual([
      { metric: 'total_impressions', local: 3, live: 4 },
      { metric: 'total_impressions', platform: 'y', local: 2, live: 3 },
      { metric: 'total_impressions', day: '2026-03-12', local: null, live: 1 },
    ]);
    // A live body that is not an answer has none of the local numbers.
    expect(compareAnswers(local, 'Bad gateway').differences.map((d) => d.live)).toEqual([null, null, null, null]);
    const metrics: ImpressionsAnswer = { ...head, metrics: { likes: 5 }, per_platform: { likes: { x: 5 } }, per_day: { likes: { '2026-03-11': 5 } } };
    expect(compareAnswers(metrics, { ...metrics, per_platform: { likes: { x: 4 } } }).differences).toEqual([{ metric: 'likes', platform: 'x', local: 5, live: 4 }]);
  });

  it('prints both sides per total and platform, the days that differ, and the verdict', () => {
    const live = { ...head, total_impressions: 4, per_platform: { x: 1, y: 3 }, per_day: { '2026-03-11': 4 } };
    expect(renderComparison(compareAnswers(local, live))).toBe(
      lines(
        'paper: warehouse (local) vs live API, 2026-03-11 … 2026-03-12',
        '',
        '       local  live  diff',
        '-----  -----  ----  ----  -',
        'total      3     4    +1  ≠',
        '-----  -----  ----  ----  -',
        'x          1     1',
        'y          2     3    +1  ≠',
        '',
        'days that differ:',
        'day         local  live  diff',
        '----------  -----  ----  ----',
        '2026-03-11      3     4    +1',
        '',
        'differ: 3 number(s) differ.',
      ),
    );
    expect(renderComparison(compareAnswers(local, structuredClone(local))).trimEnd().split('\n').at(-1)).toBe('agree: the warehouse answers exactly what the live endpoint answers.');
  });

  it('says when the live answer covers another range, and marks a side that is missing', () => {
    const text = renderComparison(compareAnswers(local, { ...local, start_date: '2026-03-10', per_platform: { x: 1 } }));
    expect(text.split('\n')[1]).toBe('the live answer covers 2026-03-10 … 2026-03-12: a different range');
    expect(text).toMatch(/^y +2 +live missing +≠$/m);
  });
});
