// recordRule decides "already so" on the stored text before anything else: these are the
// cases that shortcut must not swallow.
import { describe, expect, it } from 'vitest';
import { listRules, recordRule, type RuleInput } from '../src/store/rules.repository.js';
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
