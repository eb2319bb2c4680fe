// Dated platform rules (src/store/rules.repository.ts) beyond rules-record and rules-learn: when
// recordRule rewrites the row in force instead of dating a new one, which row is in force on a
// day, and the cached /platform-metrics answer. Rows are read back with listRules and compared
// with what each step should leave, worked out by hand.
import { describe, expect, it } from 'vitest';
import { cachePlatformMetrics, learnRule, listRules, readPlatformMetricsCache, recordRule, ruleInForce, type RuleInput } from '../src/store/rules.repository.js';
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

describe('learnRule', () => {
  const TODAY = '2026-03-15';
  const seen = (wh: Warehouse, platform: string, day: string, over: Partial<RuleInput>) => recordRule(wh, platform, day, rule(over));

  it('leaves the rows as they were when the row dated on the first day of the span already says so, whatever a later row says', () => {
    const wh = openWarehouse(':memory:');
    seen(wh, 'tiktok', '2026-03-05', { primaryField: 'views' });
    seen(wh, 'tiktok', '2026-03-12', { primaryField: 'impressions' });
    learnRule(wh, 'tiktok', { field: 'views', from: '2026-03-05', to: '2026-03-10' }, TODAY);
    // Nothing rewritten: both rows keep the source 'answer' of recordRule.
    expect(rows(wh)).toEqual([
      ['tiktok', '2026-03-05', 'views', 'reach', null, null, 'answer'],
      ['tiktok', '2026-03-12', 'impressions', 'reach', null, null, 'answer'],
    ]);
    wh.close();
  });

  it('leaves a row inside the span alone when it counts the same field, even with another metric type', () => {
    const wh = openWarehouse(':memory:');
    seen(wh, 'tiktok', '2026-03-05', { primaryField: 'views', metricType: 'views' });
    seen(wh, 'tiktok', '2026-03-08', { primaryField: 'views', metricType: 'plays' });
    learnRule(wh, 'tiktok', { field: 'views', from: '2026-03-05', to: '2026-03-10' }, TODAY);
    expect(rows(wh)).toEqual([
      ['tiktok', '2026-03-05', 'views', 'views', null, null, 'answer'],
      ['tiktok', '2026-03-08', 'views', 'plays', null, null, 'answer'],
    ]);
    wh.close();
  });

  it('keeps the metric type of a rule that began inside the span and counts the learned field', () => {
    const wh = openWarehouse(':memory:');
    // A collect saw impressions (type impressions) on 1 March and views (type plays) on 8 March;
    // a backfill then learns that the server counted views from 5 to 10 March.
    seen(wh, 'tiktok', '2026-03-01', { primaryField: 'impressions', metricType: 'impressions' });
    seen(wh, 'tiktok', '2026-03-08', { primaryField: 'views', metricType: 'plays' });
    learnRule(wh, 'tiktok', { field: 'views', from: '2026-03-05', to: '2026-03-10' }, TODAY);
    // Views from the 5th, with the only type known then; from the 8th on the type a collect saw.
    expect(rows(wh).map((r) => r.slice(0, 4))).toEqual([
      ['tiktok', '2026-03-01', 'impressions', 'impressions'],
      ['tiktok', '2026-03-05', 'views', 'impressions'],
      ['tiktok', '2026-03-08', 'views', 'plays'],
    ]);
    expect(ruleInForce(wh, 'tiktok', '2026-03-09')).toMatchObject({ primaryField: 'views', metricType: 'plays' });
    wh.close();
  });

  it('moves a change dated on the last day of the span to the day after it', () => {
    const wh = openWarehouse(':memory:');
    seen(wh, 'tiktok', '2026-03-01', { primaryField: 'views' });
    seen(wh, 'tiktok', '2026-03-10', { primaryField: 'impressions' });
    learnRule(wh, 'tiktok', { field: 'views', from: '2026-03-05', to: '2026-03-10' }, TODAY);
    // The learned row (views from 5 March) repeats the row of 1 March and merges into it.
    expect(rows(wh)).toEqual([
      ['tiktok', '2026-03-01', 'views', 'reach', null, null, 'answer'],
      ['tiktok', '2026-03-11', 'impressions', 'reach', null, null, 'answer'],
    ]);
    wh.close();
  });

  it('adds nothing when the row in force over the span says so, though a later row says otherwise', () => {
    const wh = openWarehouse(':memory:');
    seen(wh, 'x', '2026-01-01', { primaryField: 'impressions' });
    seen(wh, 'x', '2026-03-01', { primaryField: 'views' });
    learnRule(wh, 'x', { field: 'impressions', from: '2026-01-10', to: '2026-01-20' }, TODAY);
    expect(rows(wh).map((r) => [r[1], r[2]])).toEqual([
      ['2026-01-01', 'impressions'],
      ['2026-03-01', 'views'],
    ]);
    wh.close();
  });

  it("gives the learned row the metric type and metric lists of the rule in force on the span's first day", () => {
    const wh = openWarehouse(':memory:');
    seen(wh, 'instagram', '2026-03-01', { primaryField: 'reach', metricType: 'reach', availableMetrics: ['reach', 'views'], metricLabels: { reach: 'Reach', views: 'Views' } });
    learnRule(wh, 'instagram', { field: 'views', from: '2026-03-05', to: '2026-03-06' }, TODAY);
    expect(rows(wh)).toEqual([
      ['instagram', '2026-03-01', 'reach', 'reach', ['reach', 'views'], { reach: 'Reach', views: 'Views' }, 'answer'],
      ['instagram', '2026-03-05', 'views', 'reach', ['reach', 'views'], { reach: 'Reach', views: 'Views' }, 'backfill'],
      ['instagram', '2026-03-07', 'reach', 'reach', ['reach', 'views'], { reach: 'Reach', views: 'Views' }, 'answer'],
    ]);
    wh.close();
  });

  it('dates the rule in force after a span that ends yesterday from today', () => {
    const wh = openWarehouse(':memory:');
    seen(wh, 'tiktok', '2026-01-01', { primaryField: 'impressions' });
    learnRule(wh, 'tiktok', { field: 'views', from: '2026-03-10', to: '2026-03-14' }, TODAY);
    expect(rows(wh).map((r) => [r[1], r[2]])).toEqual([
      ['2026-01-01', 'impressions'],
      ['2026-03-10', 'views'],
      [TODAY, 'impressions'],
    ]);
    wh.close();
  });

  it('keeps two rows in a row that count the same field with different metric types', () => {
    const wh = openWarehouse(':memory:');
    seen(wh, 'instagram', '2026-01-01', { primaryField: 'reach', metricType: 'reach' });
    seen(wh, 'instagram', '2026-02-01', { primaryField: 'reach', metricType: 'views' });
    learnRule(wh, 'instagram', { field: 'likes', from: '2026-03-01', to: '2026-03-02' }, TODAY);
    expect(rows(wh).map((r) => [r[1], r[2], r[3]])).toEqual([
      ['2026-01-01', 'reach', 'reach'],
      ['2026-02-01', 'reach', 'views'],
      ['2026-03-01', 'likes', 'views'],
      ['2026-03-03', 'reach', 'views'],
    ]);
    wh.close();
  });
});
