/**
 * Which field the server counted each day, from its two modes' numbers
 * (src/backfill/identify.ts), worked case by case by hand.
 */
import { describe, expect, it } from 'vitest';
import { fieldRuns, identifyFields, type DayReading } from '../src/backfill/identify.js';

const none = { ruleOn: () => null, builtIn: null };
const day = (d: number, counted: number | undefined, values: Record<string, number>): DayReading => ({ day: `2026-03-${String(d).padStart(2, '0')}`, counted, values });

describe('identifying the counted field', () => {
  it('names the one field whose value is the count, oldest day first whatever the input order', () => {
    const got = identifyFields([day(2, 7, { impressions: 9, likes: 7 }), day(1, 9, { impressions: 9, likes: 7 })], none);
    expect(got).toEqual([
      { day: '2026-03-01', field: 'impressions', fromValues: true, counted: true },
      { day: '2026-03-02', field: 'likes', fromValues: true, counted: true },
    ]);
  });

  it('breaks a tie by the day before, then the stored rule, then the built-in field, then the API order', () => {
    const tie = { reach: 5, views: 5, impressions: 5 };
    expect(identifyFields([day(1, 4, { reach: 1, impressions: 4 }), day(2, 5, tie)], none).map((i) => i.field)).toEqual(['impressions', 'impressions']);
    expect(identifyFields([day(2, 5, tie)], { ruleOn: () => 'views', builtIn: 'reach' }).map((i) => i.field)).toEqual(['views']);
    expect(identifyFields([day(2, 5, tie)], { ruleOn: () => 'likes', builtIn: 'impressions' }).map((i) => i.field)).toEqual(['impressions']);
    // QUERY_METRICS order: followers, reach, views, impressions, …
    expect(identifyFields([day(2, 5, tie)], none).map((i) => i.field)).toEqual(['reach']);
  });

  it('names a field metrics mode cannot bring only when the stored rule names one; else none', () => {
    const bluesky = day(1, 40, { likes: 3, comments: 1 });
    expect(identifyFields([bluesky], { ruleOn: () => 'engagement', builtIn: 'engagement' })).toEqual([{ day: '2026-03-01', field: 'engagement', fromValues: false, counted: true }]);
    // A stored rule naming a queryable field is contradicted by the numbers, not believed.
    expect(identifyFields([bluesky], { ruleOn: () => 'likes', builtIn: 'engagement' })).toEqual([{ day: '2026-03-01', field: null, fromValues: false, counted: true }]);
    expect(identifyFields([bluesky], none)).toEqual([{ day: '2026-03-01', field: null, fromValues: false, counted: true }]);
  });

  it('leaves a day without a count unnamed and unlearned: nothing was counted', () => {
    expect(identifyFields([day(1, undefined, { likes: 3 })], none)).toEqual([{ day: '2026-03-01', field: null, fromValues: false, counted: false }]);
  });
});

describe('runs of days with one field', () => {
  it('joins consecutive days, splits at a change, and gives days no field can be named for a run of their own', () => {
    const days = [
      day(1, 40, { likes: 3 }), // engagement: unnamed
      day(2, 41, { likes: 4 }),
      day(3, 5, { likes: 5 }),
      day(4, 6, { likes: 6 }),
      day(5, undefined, {}), // nothing counted: no claim either way
      day(6, 8, { likes: 8 }),
      day(7, 60, { likes: 9 }),
    ];
    expect(fieldRuns(identifyFields(days, { ruleOn: () => 'likes', builtIn: 'engagement' }))).toEqual([
      { field: null, from: '2026-03-01', to: '2026-03-02' },
      { field: 'likes', from: '2026-03-03', to: '2026-03-06' },
      { field: null, from: '2026-03-07', to: '2026-03-07' },
    ]);
  });

  it('claims days a stored rule of a field metrics mode cannot bring explains, under that field', () => {
    expect(fieldRuns(identifyFields([day(1, 40, { likes: 3 })], { ruleOn: () => 'engagement', builtIn: 'engagement' }))).toEqual([{ field: 'engagement', from: '2026-03-01', to: '2026-03-01' }]);
  });
});
