// What `upw impressions` and `upw verify` print, from answers written here by hand: the
// tables, the head lines, the warnings, and what verify finds different. Every expected
// text is laid out by hand: the first column padded right, numbers padded left, two spaces
// between columns, no trailing spaces.
import { describe, expect, it } from 'vitest';
import { renderImpressions } from '../src/query/impressions.render.js';
import type { ExplainedImpressions, ImpressionsAnswer, ResolvedQuery } from '../src/query/impressions.types.js';
import { formatCell, renderTable } from '../src/query/table.js';
import { renderComparison } from '../src/query/verify.render.js';
import { compareAnswers, liveAnswerProblem, liveParams } from '../src/query/verify.usecases.js';
import { warningsFor } from '../src/query/impressions.warnings.js';
import type { KeySums } from '../src/store/impressions.repository.js';

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

  it('leaves the cells a short row lacks empty', () => {
    expect(renderTable(['a', 'b'], [['x']])).toBe(lines('a  b', '-  -', 'x'));
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
  it('sorts the platforms of several metrics, leaves a metric with no breakdown empty, and shows no days unless asked', () => {
    const metrics: ImpressionsAnswer = { ...head, metrics: { likes: 20, comments: 3, shares: 0 }, per_platform: { likes: { youtube: 20 }, comments: { instagram: 3 } }, per_day: {} };
    expect(renderImpressions(explained(metrics, { query: query({ metrics: ['likes', 'comments', 'shares'] }) }), false)).toBe(
      lines(
        'paper: metric sums, 2026-03-11 … 2026-03-12 (2 days)',
        '',
        'platform   likes  comments  shares',
        '---------  -----  --------  ------',
        'instagram                3',
        'youtube       20',
        '---------  -----  --------  ------',
        'total         20         3       0',
      ),
    );
  });
});

describe('upw verify', () => {
  const local: ImpressionsAnswer = { ...head, total_impressions: 3, per_platform: { x: 1, y: 2 }, per_day: { '2026-03-11': 3 } };

  it('asks the live endpoint for the resolved range with the breakdown, the platform text as typed and the metrics', () => {
    expect(liveParams(query(), undefined)).toStrictEqual({ start_date: '2026-03-11', end_date: '2026-03-12', breakdown: 'true' });
    expect(liveParams(query({ metrics: ['likes', 'views'] }), 'YouTube, x')).toEqual({ start_date: '2026-03-11', end_date: '2026-03-12', breakdown: 'true', platform: 'YouTube, x', metrics: 'likes,views' });
    expect(liveParams(query(), '')).toStrictEqual({ start_date: '2026-03-11', end_date: '2026-03-12', breakdown: 'true' });
  });

  it('agrees only on the same range with every number equal', () => {
    expect(compareAnswers(local, structuredClone(local))).toMatchObject({ differences: [], agree: true });
    expect(compareAnswers(local, { ...local, end_date: '2026-03-13' })).toMatchObject({ differences: [], agree: false });
    expect(compareAnswers(local, { ...local, start_date: '2026-03-10' })).toMatchObject({ differences: [], agree: false });
    // A body that is no object has none of the numbers, and no range.
    expect(compareAnswers(local, null)).toMatchObject({ agree: false });
    expect(compareAnswers(local, null).differences.map((d) => d.live)).toEqual([null, null, null, null]);
  });

  it('sorts the differences: totals, then platforms, then days, each by metric then name, keys absent on one side left out', () => {
    const mine: ImpressionsAnswer = {
      ...head,
      metrics: { views: 2, likes: 1 },
      per_platform: { views: { x: 2 }, likes: { x: 1 } },
      per_day: { views: { '2026-03-11': 2 }, likes: { '2026-03-11': 1 } },
    };
    const theirs = {
      ...head,
      metrics: { views: 3, likes: 0 },
      per_platform: { views: { x: 3, a: 1 }, likes: { x: 0 } },
      per_day: { views: { '2026-03-11': 3, '2026-03-10': 0 }, likes: { '2026-03-11': 0 } },
    };
    expect(compareAnswers(mine, theirs).differences).toStrictEqual([
      { metric: 'likes', local: 1, live: 0 },
      { metric: 'views', local: 2, live: 3 },
      { metric: 'likes', platform: 'x', local: 1, live: 0 },
      { metric: 'views', platform: 'a', local: null, live: 1 },
      { metric: 'views', platform: 'x', local: 2, live: 3 },
      { metric: 'likes', day: '2026-03-11', local: 1, live: 0 },
      { metric: 'views', day: '2026-03-10', local: null, live: 0 },
      { metric: 'views', day: '2026-03-11', local: 2, live: 3 },
    ]);
    // A live answer without breakdowns, or with a list or a null where a number or a breakdown belongs: those numbers are missing on its side.
    expect(compareAnswers(mine, { ...head, metrics: { views: 2, likes: null } }).differences.map((d) => [d.metric, d.platform ?? d.day ?? null, d.live])).toEqual([
      ['likes', null, null],
      ['likes', 'x', null],
      ['views', 'x', null],
      ['likes', '2026-03-11', null],
      ['views', '2026-03-11', null],
    ]);
    expect(compareAnswers(local, { ...head, total_impressions: '3', per_platform: [1, 2], per_day: { '2026-03-11': 3 } }).differences).toStrictEqual([
      { metric: 'total_impressions', platform: 'x', local: 1, live: null },
      { metric: 'total_impressions', platform: 'y', local: 2, live: null },
    ]);
  });

  it('says why a live body is no total-impressions answer, in the server\'s words where it gave some', () => {
    expect(liveAnswerProblem({ ...head, total_impressions: 3 })).toBeUndefined();
    expect(liveAnswerProblem({ success: true, metrics: { likes: 1 } })).toBeUndefined();
    expect(liveAnswerProblem({ success: false, total_impressions: 0, message: 'quota' })).toBe('The API said: quota');
    expect(liveAnswerProblem({ success: false, total_impressions: 0 })).toBe('The API said: success: false');
    expect(liveAnswerProblem('Bad gateway')).toBe('it answered "Bad gateway"');
    expect(liveAnswerProblem(null)).toBe('it answered null');
    expect(liveAnswerProblem([])).toBe('it answered an empty list ([])');
    expect(liveAnswerProblem([{ total_impressions: 1 }])).toBe('it answered a list');
    // message, then error, then detail: the first that is text.
    expect(liveAnswerProblem({ message: 'a', error: 'b', detail: 'c' })).toBe('The API said: a');
    expect(liveAnswerProblem({ message: 5, error: 'Profile not found', detail: 'c' })).toBe('The API said: Profile not found');
    expect(liveAnswerProblem({ success: false, detail: 'c' })).toBe('The API said: c');
    expect(liveAnswerProblem({ success: false })).toBe('it answered success: false, without a message');
    expect(liveAnswerProblem({ success: true, metrics: [1] })).toBe('it answered without total_impressions or metrics');
    expect(liveAnswerProblem({})).toBe('it answered without total_impressions or metrics');
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
  it('prints several metrics with their names, a platform only the live side has, and negative differences', () => {
    const mine: ImpressionsAnswer = {
      ...head,
      metrics: { views: 2, likes: 1 },
      per_platform: { views: { x: 2 }, likes: { x: 1 } },
      per_day: { views: { '2026-03-11': 2 }, likes: { '2026-03-11': 1 } },
    };
    const theirs = {
      ...head,
      metrics: { views: 3, likes: 0 },
      per_platform: { views: { x: 3, a: 1 }, likes: { x: 0 } },
      per_day: { views: { '2026-03-11': 3, '2026-03-10': 0 }, likes: { '2026-03-11': 0 } },
    };
    expect(renderComparison(compareAnswers(mine, theirs))).toBe(
      lines(
        'paper: warehouse (local) vs live API, 2026-03-11 … 2026-03-12',
        '',
        '           local  live           diff',
        '---------  -----  ----  -------------  -',
        'views          2     3             +1  ≠',
        'likes          1     0             -1  ≠',
        '---------  -----  ----  -------------  -',
        'views · a            1  local missing  ≠',
        'views · x      2     3             +1  ≠',
        'likes · x      1     0             -1  ≠',
        '',
        'days that differ:',
        'day                 local  live           diff',
        '------------------  -----  ----  -------------',
        'likes · 2026-03-11      1     0             -1',
        'views · 2026-03-10            0  local missing',
        'views · 2026-03-11      2     3             +1',
        '',
        'differ: 8 number(s) differ.',
      ),
    );
  });

  it('names the metric of a single-metric comparison too', () => {
    const mine: ImpressionsAnswer = { ...head, metrics: { likes: 5 }, per_platform: { likes: { x: 5 } }, per_day: { likes: { '2026-03-11': 5 } } };
    const theirs = { ...head, metrics: { likes: 5 }, per_platform: { likes: { x: 4 } }, per_day: { likes: { '2026-03-11': 6 } } };
    expect(renderComparison(compareAnswers(mine, theirs))).toBe(
      lines(
        'paper: warehouse (local) vs live API, 2026-03-11 … 2026-03-12',
        '',
        '           local  live  diff',
        '---------  -----  ----  ----  -',
        'likes          5     5',
        '---------  -----  ----  ----  -',
        'likes · x      5     4    -1  ≠',
        '',
        'days that differ:',
        'day                 local  live  diff',
        '------------------  -----  ----  ----',
        'likes · 2026-03-11      5     6    +1',
        '',
        'differ: 2 number(s) differ.',
      ),
    );
  });

  it('with every number equal on another range: no day table, the other range named, and no agreement', () => {
    expect(renderComparison(compareAnswers(local, { ...local, end_date: '2026-03-13' }))).toBe(
      lines(
        'paper: warehouse (local) vs live API, 2026-03-11 … 2026-03-12',
        'the live answer covers 2026-03-11 … 2026-03-13: a different range',
        '',
        '       local  live  diff',
        '-----  -----  ----  ----',
        'total      3     3',
        '-----  -----  ----  ----',
        'x          1     1',
        'y          2     2',
        '',
        'differ: 0 number(s) differ.',
      ),
    );
    // A live body that is no object has no range.
    expect(renderComparison(compareAnswers(local, null)).split('\n')[1]).toBe('the live answer covers undefined … undefined: a different range');
  });
});

describe('the warnings beside an impressions answer', () => {
  const sums = (entries: Record<string, Record<string, number>>): Map<string, KeySums> =>
    new Map(Object.entries(entries).map(([key, byPlatform]) => [key, { total: Object.values(byPlatform).reduce((a, b) => a + b, 0), perPlatform: Object.entries(byPlatform), perDay: [] }]));
  const none = new Map<string, number>();
  const noTypes = new Map<string, Set<string>>();
  // 2026-03-11 … 2026-03-13: three days.
  const three = query({ end: '2026-03-13' });

  it('says nothing of a range where nothing misleads', () => {
    expect(warningsFor(three, sums({ total_impressions: { x: 5 } }), none, noTypes)).toEqual([]);
    expect(warningsFor(query({ end: '2026-03-11' }), sums({ total_impressions: { facebook: 5 } }), none, noTypes)).toEqual([]);
  });

  it('names a platform no rule counts, on every day or on some of them', () => {
    expect(warningsFor(three, sums({}), new Map([['bluesky', 3], ['reddit', 2]]), noTypes)).toEqual([
      'bluesky: no rule (stored, cached platform-metrics or built-in) says which field counts as its impressions, so it adds nothing',
      'reddit: no rule (stored, cached platform-metrics or built-in) says which field counts as its impressions on 2 of the 3 days, so it adds nothing then',
    ]);
  });

  it("warns that Facebook's rolling totals over-count when summed over days, naming the flow metrics it added to", () => {
    expect(warningsFor(three, sums({ total_impressions: { facebook: 9, x: 1 } }), none, noTypes)).toEqual([
      "facebook: its snapshot values are rolling 30-day totals, so summing them over 3 days over-counts; its time series (--source timeseries) holds the daily values",
    ]);
    // followers is a level: it gets its own warning, not Facebook's; comments had nothing from Facebook.
    const q = query({ end: '2026-03-13', metrics: ['likes', 'followers', 'comments', 'views'] });
    expect(warningsFor(q, sums({ likes: { facebook: 2 }, followers: { facebook: 10 }, comments: { x: 1 }, views: { facebook: 4 } }), none, noTypes)).toEqual([
      'facebook: its snapshot values (likes, views) are rolling 30-day totals, so summing them over 3 days over-counts; its time series (--source timeseries) holds the daily values',
      'followers: a level, not a daily count; summed over 3 days it is not a count of anything (use a single --date)',
    ]);
    // A level nothing was added to warns of nothing.
    expect(warningsFor(query({ end: '2026-03-13', metrics: ['followers', 'likes'] }), sums({ followers: {}, likes: { x: 1 } }), none, noTypes)).toEqual([]);
    // The time series are daily values: no over-count.
    expect(warningsFor(query({ end: '2026-03-13', source: 'timeseries' }), sums({ total_impressions: { facebook: 9 } }), none, noTypes)).toEqual([]);
  });

  it('says when the time series added count different things, among the platforms that added something', () => {
    const q = query({ source: 'timeseries' });
    const types = new Map([['instagram', new Set(['reach'])], ['youtube', new Set(['views'])], ['x', new Set(['impressions'])], ['tiktok', new Set(['views'])]]);
    expect(warningsFor(q, sums({ total_impressions: { instagram: 1, youtube: 2, tiktok: 3 } }), none, types)).toEqual([
      'the time series count different things and the total adds them up: reach (instagram); views (youtube, tiktok)',
    ]);
    expect(warningsFor(q, sums({ total_impressions: { youtube: 2, tiktok: 3 } }), none, types)).toEqual([]);
  });
});
