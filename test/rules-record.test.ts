// recordRule decides "already so" on the stored text before anything else: these are the
// cases that shortcut must not swallow.
import { describe, expect, it } from 'vitest';
import { mergeRule } from '../src/collect/rules.js';
import { learnRule, listRules, recordRule, type CachedPlatformMetrics, type RuleInput } from '../src/store/rules.repository.js';
import { openWarehouse } from '../src/store/warehouse.js';

const rule = (over: Partial<RuleInput> = {}): RuleInput => ({
  primaryField: 'reach',
  metricType: 'reach',
  availableMetrics: ['reach', 'likes'],
  metricLabels: { reach: 'Reach', likes: 'Likes' },
  source: 'answer',
  ...over,
});
const rows = (wh: ReturnType<typeof openWarehouse>) =>
  listRules(wh).map((r) => [r.validFrom, r.primaryField, r.metricType, r.availableMetrics, r.metricLabels]);

describe('recordRule', () => {
  it('writes nothing when the same rule is seen again on a later day', () => {
    const wh = openWarehouse(':memory:');
    recordRule(wh, 'instagram', '2026-01-01', rule());
    recordRule(wh, 'instagram', '2026-01-02', rule());
    expect(rows(wh)).toEqual([['2026-01-01', 'reach', 'reach', ['reach', 'likes'], { reach: 'Reach', likes: 'Likes' }]]);
  });

  it('updates the labels in place, and dates a new row when the counting field changes', () => {
    const wh = openWarehouse(':memory:');
    recordRule(wh, 'instagram', '2026-01-01', rule());
    recordRule(wh, 'instagram', '2026-01-02', rule({ metricLabels: { reach: 'Unique Reach', likes: 'Likes' } }));
    recordRule(wh, 'instagram', '2026-01-03', rule({ primaryField: 'impressions', metricLabels: { reach: 'Unique Reach', likes: 'Likes' } }));
    expect(rows(wh)).toEqual([
      ['2026-01-01', 'reach', 'reach', ['reach', 'likes'], { reach: 'Unique Reach', likes: 'Likes' }],
      ['2026-01-03', 'impressions', 'reach', ['reach', 'likes'], { reach: 'Unique Reach', likes: 'Likes' }],
    ]);
  });

  it('records a rule seen before the earliest known one from that day', () => {
    const wh = openWarehouse(':memory:');
    recordRule(wh, 'x', '2026-01-10', rule({ availableMetrics: null, metricLabels: null }));
    recordRule(wh, 'x', '2026-01-05', rule({ availableMetrics: null, metricLabels: null }));
    expect(rows(wh).map((r) => r[0])).toEqual(['2026-01-05', '2026-01-10']);
  });
});

describe('learnRule', () => {
  it('dates days no queryable field explains as a rule of unknown field, so the earliest rule no longer claims them', () => {
    const wh = openWarehouse(':memory:');
    // Seen on 03-02 by a collect: likes. A backfill then finds 02-19…02-23 counted a field
    // metrics mode cannot bring (engagement), and likes from 02-24 on.
    recordRule(wh, 'bluesky', '2026-03-02', rule({ primaryField: 'likes', metricType: 'engagement', availableMetrics: null, metricLabels: null }));
    learnRule(wh, 'bluesky', { field: null, from: '2026-02-19', to: '2026-02-23' }, '2026-03-02');
    learnRule(wh, 'bluesky', { field: 'likes', from: '2026-02-24', to: '2026-03-02' }, '2026-03-02');
    expect(listRules(wh).map((r) => [r.validFrom, r.primaryField, r.metricType, r.source])).toEqual([
      ['2026-02-19', null, 'engagement', 'backfill'],
      // The rule seen on 03-02 holds from the day after the unnamed days: the same row, dated earlier.
      ['2026-02-24', 'likes', 'engagement', 'answer'],
    ]);
    const view = wh.sqlite.prepare('SELECT valid_from, valid_to, primary_field FROM v_platform_rules').raw().all();
    expect(view).toEqual([
      [null, '2026-02-24', null],
      ['2026-02-24', null, 'likes'],
    ]);
  });

  it('keeps the earliest known rule from the day after a span learned before it, instead of letting the span claim the days between', () => {
    const wh = openWarehouse(':memory:');
    recordRule(wh, 'bluesky', '2026-03-02', rule({ primaryField: 'engagement', metricType: 'engagement', availableMetrics: null, metricLabels: null }));
    // One day on which the count equals another field's number (indistinguishable by numbers that day).
    learnRule(wh, 'bluesky', { field: 'following', from: '2026-02-25', to: '2026-02-25' }, '2026-03-02');
    const view = wh.sqlite.prepare('SELECT valid_from, valid_to, primary_field FROM v_platform_rules').raw().all();
    expect(view).toEqual([
      [null, '2026-02-26', 'following'],
      ['2026-02-26', null, 'engagement'],
    ]);
  });

  it('dates a span the earliest known rule already names from the span itself, so a later span cannot take those days over', () => {
    const wh = openWarehouse(':memory:');
    recordRule(wh, 'bluesky', '2026-03-02', rule({ primaryField: 'engagement', metricType: 'engagement', availableMetrics: null, metricLabels: null }));
    learnRule(wh, 'bluesky', { field: 'engagement', from: '2026-02-19', to: '2026-02-24' }, '2026-03-02');
    learnRule(wh, 'bluesky', { field: 'following', from: '2026-02-25', to: '2026-02-25' }, '2026-03-02');
    learnRule(wh, 'bluesky', { field: 'engagement', from: '2026-02-26', to: '2026-03-02' }, '2026-03-02');
    expect(listRules(wh).map((r) => [r.validFrom, r.primaryField, r.source])).toEqual([
      ['2026-02-19', 'engagement', 'backfill'],
      ['2026-02-25', 'following', 'backfill'],
      ['2026-02-26', 'engagement', 'backfill'],
    ]);
  });
});

describe('mergeRule', () => {
  const cached = (over: Partial<CachedPlatformMetrics> = {}): CachedPlatformMetrics => ({
    primaryField: 'reach',
    availableMetrics: ['reach'],
    metricLabels: { reach: 'Reach' },
    fetchedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  });

  it('takes everything the answer names over platform-metrics and the built-in rule, from the answer', () => {
    // instagram's built-in rule is reach/reach; the answer says impressions/views.
    const answer = { primaryField: 'impressions', metricType: 'views', availableMetrics: ['impressions', 'likes'], metricLabels: { impressions: 'Impressions' } };
    expect(mergeRule('instagram', answer, cached())).toStrictEqual({
      primaryField: 'impressions',
      metricType: 'views',
      availableMetrics: ['impressions', 'likes'],
      metricLabels: { impressions: 'Impressions' },
      source: 'answer',
    });
  });

  it('takes platform-metrics when the answer names nothing, and the built-in metric type (platform-metrics has none)', () => {
    expect(mergeRule('instagram', {}, cached({ primaryField: 'impressions' }))).toStrictEqual({
      primaryField: 'impressions',
      metricType: 'reach',
      availableMetrics: ['reach'],
      metricLabels: { reach: 'Reach' },
      source: 'platform-metrics',
    });
  });

  it('falls back to the built-in rule, and to nothing at all for a platform without one', () => {
    expect(mergeRule('x', {}, undefined)).toStrictEqual({ primaryField: 'impressions', metricType: 'impressions', availableMetrics: null, metricLabels: null, source: 'default' });
    expect(mergeRule('mastodon', {}, undefined)).toStrictEqual({ primaryField: null, metricType: null, availableMetrics: null, metricLabels: null, source: 'default' });
  });
});
