// Dated platform rules (src/store/rules.repository.ts) beyond rules-record and rules-learn: when
// recordRule rewrites the row in force instead of dating a new one, which row is in force on a
// day, and the cached /platform-metrics answer. Rows are read back with listRules and compared
// with what each step should leave, worked out by hand.
import { describe, expect, it } from 'vitest';
import { cachePlatformMetrics, listRules, readPlatformMetricsCache, recordRule, ruleInForce, type RuleInput } from '../src/store/rules.repository.js';
import { openWarehouse, type Warehouse } from '../src/store/warehouse.js';

const rule = (over: Partial<RuleInput> = {}): RuleInput => ({ primaryField: 'reach', metricType: 'reach', availableMetrics: null, metricLabels: null, source: 'answer', ...over });
const rows = (wh: Warehouse) => listRules(wh).map((r) => [r.platform, r.validFrom, r.primaryField, r.metricType, r.availableMetrics, r.metricLabels, r.source]);

describe('recordRule', () => {
  it('fills in the metric lists of a rule first stored without them, in its own row', () => {
    const wh = openWarehouse(':memory:');
    recordRule(wh, 'instagram', '2026-03-01', rule());
    recordRule(wh, 'instagram', '2026-03-04', rule({ availableMetrics: ['reach'], metricLabels: { reach: 'Reach' } }));
    expect(rows(wh)).toEqual([['instagram', '2026-03-01', 'reach', 'reach', ['reach'], { reach: 'Reach' }, 'answer']]);
    wh.close();
  });

  it('keeps the day and source of the row in force when only its lists change on the day it began', () => {
    const wh = openWarehouse(':memory:');
    recordRule(wh, 'instagram', '2026-03-01', rule({ source: 'default' }));
    recordRule(wh, 'instagram', '2026-03-01', rule({ availableMetrics: ['reach', 'likes'], source: 'platform-metrics' }));
    expect(rows(wh)).toEqual([['instagram', '2026-03-01', 'reach', 'reach', ['reach', 'likes'], null, 'default']]);
    wh.close();
  });

  it('dates a new row when only the metric type changes', () => {
    const wh = openWarehouse(':memory:');
    recordRule(wh, 'instagram', '2026-03-01', rule());
    recordRule(wh, 'instagram', '2026-03-03', rule({ metricType: 'views' }));
    expect(rows(wh)).toEqual([
      ['instagram', '2026-03-01', 'reach', 'reach', null, null, 'answer'],
      ['instagram', '2026-03-03', 'reach', 'views', null, null, 'answer'],
    ]);
    wh.close();
  });
});

describe('ruleInForce', () => {
  it('is the latest row dated on or before the day, the earliest row before any, and nothing for an unknown platform', () => {
    const wh = openWarehouse(':memory:');
    recordRule(wh, 'x', '2026-03-05', rule({ primaryField: 'impressions' }));
    recordRule(wh, 'x', '2026-03-10', rule({ primaryField: 'views' }));
    const fieldOn = (day: string) => ruleInForce(wh, 'x', day)?.primaryField;
    expect(['2026-03-01', '2026-03-05', '2026-03-09', '2026-03-10', '2026-04-01'].map(fieldOn)).toEqual(['impressions', 'impressions', 'impressions', 'views', 'views']);
    expect(ruleInForce(wh, 'tiktok', '2026-03-05')).toBeUndefined();
    wh.close();
  });
});

describe('the cached platform-metrics answer', () => {
  it('replaces each platform it names and keeps the others', () => {
    const wh = openWarehouse(':memory:');
    cachePlatformMetrics(wh, { x: { primaryField: 'impressions', availableMetrics: ['impressions'], metricLabels: null }, bluesky: { primaryField: null, availableMetrics: null, metricLabels: null } }, '2026-03-01T00:00:00.000Z');
    cachePlatformMetrics(wh, { x: { primaryField: 'views', availableMetrics: ['views', 'likes'], metricLabels: { views: 'Views' } } }, '2026-03-02T00:00:00.000Z');
    const cache = readPlatformMetricsCache(wh);
    expect([...cache.entries()].sort(([p], [q]) => p.localeCompare(q))).toStrictEqual([
      ['bluesky', { primaryField: null, availableMetrics: null, metricLabels: null, fetchedAt: '2026-03-01T00:00:00.000Z' }],
      ['x', { primaryField: 'views', availableMetrics: ['views', 'likes'], metricLabels: { views: 'Views' }, fetchedAt: '2026-03-02T00:00:00.000Z' }],
    ]);
    wh.close();
  });
});
