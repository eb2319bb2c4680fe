// What a backfill learns of the server's dated rules (learnRule): the field counted over a span
// of days. The rows stay one per change, their intervals never overlap and leave no day
// uncovered, and each day's rule in force is exactly the one learned for it.
import { describe, expect, it } from 'vitest';
import { learnRule, listRules, recordRule, ruleInForce } from '../src/store/rules.repository.js';
import { openWarehouse, type Warehouse } from '../src/store/warehouse.js';

const TODAY = '2026-03-15';
const seen = (wh: Warehouse, platform: string, day: string, primaryField: string, metricType = 'views') =>
  recordRule(wh, platform, day, { primaryField, metricType, availableMetrics: null, metricLabels: null, source: 'answer' });
const rows = (wh: Warehouse) => listRules(wh).map((r) => [r.platform, r.validFrom, r.primaryField, r.metricType, r.source]);
const fieldOn = (wh: Warehouse, day: string, platform = 'tiktok') => ruleInForce(wh, platform, day)?.primaryField;
/** The BI view's intervals [valid_from, valid_to) per platform; valid_from NULL for the earliest. */
const intervals = (wh: Warehouse) =>
  wh.sqlite.prepare('SELECT platform, valid_from, valid_to, primary_field FROM v_platform_rules ORDER BY platform, valid_from IS NOT NULL, valid_from').raw().all();

describe('learnRule', () => {
  it('splits a rule around a span it contradicts: the old rule holds again from the day after the span', () => {
    const wh = openWarehouse(':memory:');
    seen(wh, 'tiktok', '2026-01-01', 'impressions');
    learnRule(wh, 'tiktok', { field: 'views', from: '2026-03-05', to: '2026-03-10' }, TODAY);
    expect(rows(wh)).toEqual([
      ['tiktok', '2026-01-01', 'impressions', 'views', 'answer'],
      ['tiktok', '2026-03-05', 'views', 'views', 'backfill'],
      ['tiktok', '2026-03-11', 'impressions', 'views', 'answer'],
    ]);
    // The edges, day by day: no day counted through two fields, none through none.
    expect(['2026-03-04', '2026-03-05', '2026-03-10', '2026-03-11'].map((d) => fieldOn(wh, d))).toEqual(['impressions', 'views', 'views', 'impressions']);
    expect(intervals(wh)).toEqual([
      ['tiktok', null, '2026-03-05', 'impressions'],
      ['tiktok', '2026-03-05', '2026-03-11', 'views'],
      ['tiktok', '2026-03-11', null, 'impressions'],
    ]);
  });

  it('adds nothing when the rule in force already says so over the whole span', () => {
    const wh = openWarehouse(':memory:');
    seen(wh, 'tiktok', '2026-01-01', 'impressions');
    learnRule(wh, 'tiktok', { field: 'impressions', from: '2026-02-01', to: '2026-02-10' }, TODAY);
    expect(rows(wh)).toEqual([['tiktok', '2026-01-01', 'impressions', 'views', 'answer']]);
  });

  it('replaces the rows inside the span that said otherwise, and merges a row that repeats the one before it', () => {
    const wh = openWarehouse(':memory:');
    seen(wh, 'tiktok', '2026-01-01', 'impressions');
    seen(wh, 'tiktok', '2026-02-05', 'views');
    seen(wh, 'tiktok', '2026-02-20', 'impressions');
    learnRule(wh, 'tiktok', { field: 'impressions', from: '2026-02-01', to: '2026-02-28' }, TODAY);
    expect(rows(wh)).toEqual([['tiktok', '2026-01-01', 'impressions', 'views', 'answer']]);
    expect(fieldOn(wh, '2026-02-10')).toBe('impressions');
  });

  it('dates a change at the first day learned, and keeps the later rule that began inside the span from the day after it', () => {
    const wh = openWarehouse(':memory:');
    seen(wh, 'x', '2026-03-01', 'impressions', 'impressions');
    seen(wh, 'x', '2026-03-08', 'reach', 'impressions');
    learnRule(wh, 'x', { field: 'likes', from: '2026-03-06', to: '2026-03-09' }, TODAY);
    expect(rows(wh)).toEqual([
      ['x', '2026-03-01', 'impressions', 'impressions', 'answer'],
      ['x', '2026-03-06', 'likes', 'impressions', 'backfill'],
      ['x', '2026-03-10', 'reach', 'impressions', 'answer'],
    ]);
  });

  it('never dates a rule after today: a span reaching today leaves no row for tomorrow', () => {
    const wh = openWarehouse(':memory:');
    seen(wh, 'tiktok', '2026-01-01', 'impressions');
    learnRule(wh, 'tiktok', { field: 'views', from: '2026-03-10', to: TODAY }, TODAY);
    expect(rows(wh).map((r) => r[1])).toEqual(['2026-01-01', '2026-03-10']);
    expect(fieldOn(wh, '2026-03-16')).toBe('views');
  });

  it('learns a first rule for a platform it knew nothing of, which also stands for the days before it', () => {
    const wh = openWarehouse(':memory:');
    learnRule(wh, 'snapchat', { field: 'views', from: '2026-02-01', to: '2026-02-28' }, TODAY);
    expect(rows(wh)).toEqual([['snapchat', '2026-02-01', 'views', null, 'backfill']]);
    expect(fieldOn(wh, '2026-01-15', 'snapchat')).toBe('views');
  });
});
