// The backfill's pure parts, case by case: the range --since/--until ask for, how the days a
// profile lacks are cut into pieces, and which field the server counted on each day (the
// example cases; the property-based checks of the same rules live with the parity tests).
import { describe, expect, it } from 'vitest';
import { planUnits, resolveRange } from '../src/backfill/backfill.usecases.js';
import { fieldRuns, identifyFields, type DayReading } from '../src/backfill/identify.js';
import { BadInputError } from '../src/errors.js';

const TODAY = '2026-03-15';

describe('the range of a backfill', () => {
  it('defaults to the 365 days before today, today included', () => {
    expect(resolveRange(undefined, undefined, TODAY)).toEqual({ since: '2025-03-15', until: TODAY });
  });

  it('takes --since and --until as given, counts back 365 days from --until alone, and ends at today at the latest', () => {
    expect(resolveRange('2026-01-01', '2026-02-01', TODAY)).toEqual({ since: '2026-01-01', until: '2026-02-01' });
    expect(resolveRange(undefined, '2026-02-01', TODAY)).toEqual({ since: '2025-02-01', until: '2026-02-01' });
    expect(resolveRange('2026-03-15', '2027-01-01', TODAY)).toEqual({ since: TODAY, until: TODAY });
    expect(resolveRange('2026-03-15', TODAY, TODAY)).toEqual({ since: TODAY, until: TODAY });
  });

  it('refuses a day that is not real, naming the flag, and a start after the end, naming both', () => {
    expect(() => resolveRange('2026-02-30', undefined, TODAY)).toThrow(new BadInputError('--since: "2026-02-30" is not a real day in YYYY-MM-DD format'));
    expect(() => resolveRange(undefined, '2026-13-01', TODAY)).toThrow(new BadInputError('--until: "2026-13-01" is not a real day in YYYY-MM-DD format'));
    expect(() => resolveRange('2026-03-02', '2026-03-01', TODAY)).toThrow(new BadInputError('--since 2026-03-02 is after --until 2026-03-01'));
    expect(() => resolveRange('2026-04-01', undefined, TODAY)).toThrow(new BadInputError(`--since 2026-04-01 is after today (${TODAY})`));
    expect(() => resolveRange('2026-04-01', '2026-05-01', TODAY)).toThrow(new BadInputError(`--since 2026-04-01 is after today (${TODAY})`));
  });

  it('names --until in the complaint when it is today itself', () => {
    expect(() => resolveRange('2026-03-16', TODAY, TODAY)).toThrow(`--since 2026-03-16 is after --until ${TODAY}`);
  });
});

describe('the pieces of a profile', () => {
  const target = { username: 'alpha', createdAt: '2025-01-01T00:00:00Z' };
  const base = { profile: 'alpha', createdAt: '2025-01-01T00:00:00Z' };

  it('is one piece per platform and range when there are at least as many days as platform ranges', () => {
    expect(planUnits(target, [{ platform: 'instagram', since: '2026-03-01', until: '2026-03-02' }, { platform: 'x', since: '2026-03-02', until: '2026-03-02' }])).toEqual([
      { kind: 'range', ...base, platform: 'instagram', since: '2026-03-01', until: '2026-03-02' },
      { kind: 'range', ...base, platform: 'x', since: '2026-03-02', until: '2026-03-02' },
    ]);
  });

  it('is one piece per day, oldest first, for every platform lacking it, when there are fewer days than platform ranges', () => {
    const needs = [
      { platform: 'youtube', since: '2026-03-06', until: '2026-03-06' },
      { platform: 'instagram', since: '2026-03-05', until: '2026-03-06' },
      { platform: 'x', since: '2026-03-05', until: '2026-03-05' },
      { platform: 'x', since: '2026-03-05', until: '2026-03-05' },
    ];
    expect(planUnits(target, needs)).toEqual([
      { kind: 'day', ...base, day: '2026-03-05', platforms: ['instagram', 'x'] },
      { kind: 'day', ...base, day: '2026-03-06', platforms: ['youtube', 'instagram'] },
    ]);
  });

  it('sorts the day pieces oldest first even when the needs name the days in that order already', () => {
    const needs = [
      { platform: 'instagram', since: '2026-03-05', until: '2026-03-06' },
      { platform: 'x', since: '2026-03-05', until: '2026-03-05' },
      { platform: 'youtube', since: '2026-03-06', until: '2026-03-06' },
    ];
    expect(planUnits(target, needs).map((u) => (u.kind === 'day' ? [u.day, u.platforms] : []))).toEqual([
      ['2026-03-05', ['instagram', 'x']],
      ['2026-03-06', ['instagram', 'youtube']],
    ]);
  });

  it('is nothing when nothing is lacking', () => {
    expect(planUnits(target, [])).toEqual([]);
  });
});

describe('the field counted each day', () => {
  const day = (d: string, counted: number | undefined, values: Record<string, number>): DayReading => ({ day: d, counted, values });
  const none = { ruleOn: () => null, builtIn: null };

  it('is the one field whose value equals the count, whatever order the days come in', () => {
    const out = identifyFields([day('2026-03-02', 7, { reach: 5, views: 7 }), day('2026-03-01', 5, { reach: 5, views: 9 })], none);
    expect(out).toEqual([
      { day: '2026-03-01', field: 'reach', fromValues: true, counted: true },
      { day: '2026-03-02', field: 'views', fromValues: true, counted: true },
    ]);
  });

  it('between equal fields, keeps the day before\'s, else the stored rule\'s, else the built-in one, else the first in the API\'s order', () => {
    const tie = { views: 3, impressions: 3 };
    // views precedes impressions in the API's metric order.
    expect(identifyFields([day('2026-03-01', 3, tie)], none)[0]!.field).toBe('views');
    expect(identifyFields([day('2026-03-01', 3, tie)], { ruleOn: () => null, builtIn: 'impressions' })[0]!.field).toBe('impressions');
    expect(identifyFields([day('2026-03-01', 3, tie)], { ruleOn: () => 'impressions', builtIn: 'views' })[0]!.field).toBe('impressions');
    // The 1st names impressions alone; the tie on the 2nd keeps it, over the rule and the built-in field.
    const kept = identifyFields([day('2026-03-01', 4, { views: 9, impressions: 4 }), day('2026-03-02', 3, tie)], { ruleOn: () => 'views', builtIn: 'views' });
    expect(kept.map((k) => [k.field, k.fromValues])).toEqual([
      ['impressions', true],
      ['impressions', true],
    ]);
    // A rule naming a field outside the tie is passed over.
    expect(identifyFields([day('2026-03-01', 3, tie)], { ruleOn: () => 'reach', builtIn: 'likes' })[0]!.field).toBe('views');
  });

  it('sorts the days first, so a tie follows the day before in time, not in the answer', () => {
    const tie = { views: 3, impressions: 3 };
    const out = identifyFields([day('2026-03-03', 3, tie), day('2026-03-01', 4, { views: 9, impressions: 4 }), day('2026-03-02', 3, tie)], none);
    expect(out.map((o) => [o.day, o.field])).toEqual([
      ['2026-03-01', 'impressions'],
      ['2026-03-02', 'impressions'],
      ['2026-03-03', 'impressions'],
    ]);
  });

  it('passes over a day before whose field is not among the tie, and keeps it across a day that names none', () => {
    const tie = { views: 3, impressions: 3 };
    // reach on the 1st is not in the tie of the 2nd: the first in the API's order.
    expect(identifyFields([day('2026-03-01', 5, { reach: 5, views: 1 }), day('2026-03-02', 3, tie)], none).map((o) => o.field)).toEqual(['reach', 'views']);
    // impressions on the 1st; the 2nd counts what no field holds; the tie on the 3rd still follows the 1st, over the built-in field.
    const out = identifyFields([day('2026-03-01', 4, { views: 9, impressions: 4 }), day('2026-03-02', 12, { views: 1 }), day('2026-03-03', 3, tie)], { ruleOn: () => null, builtIn: 'views' });
    expect(out.map((o) => o.field)).toEqual(['impressions', null, 'impressions']);
  });

  it('is the stored rule\'s field when no queryable field holds the count and the rule names one metrics mode cannot bring', () => {
    const readings = [day('2026-03-01', 12, { likes: 3, followers: 40 })];
    expect(identifyFields(readings, { ruleOn: () => 'engagement', builtIn: 'engagement' })).toEqual([{ day: '2026-03-01', field: 'engagement', fromValues: false, counted: true }]);
    // A rule naming a queryable field is contradicted by the numbers: unknown.
    expect(identifyFields(readings, { ruleOn: () => 'likes', builtIn: null })).toEqual([{ day: '2026-03-01', field: null, fromValues: false, counted: true }]);
    expect(identifyFields(readings, none)).toEqual([{ day: '2026-03-01', field: null, fromValues: false, counted: true }]);
  });

  it('is unknown on a day without a count, which passes nothing on to the next day', () => {
    const out = identifyFields([day('2026-03-01', undefined, { views: 3 }), day('2026-03-02', 3, { views: 3, impressions: 3 })], { ruleOn: () => null, builtIn: 'impressions' });
    expect(out).toEqual([
      { day: '2026-03-01', field: null, fromValues: false, counted: false },
      { day: '2026-03-02', field: 'impressions', fromValues: true, counted: true },
    ]);
  });

  it('runs of the same field become the spans a backfill learns: every counted day is claimed, a day without a count breaks no run', () => {
    expect(
      fieldRuns([
        { day: '2026-03-01', field: 'reach', fromValues: true, counted: true },
        { day: '2026-03-02', field: 'reach', fromValues: true, counted: true },
        { day: '2026-03-03', field: 'views', fromValues: true, counted: true },
        { day: '2026-03-04', field: null, fromValues: false, counted: false },
        { day: '2026-03-05', field: 'views', fromValues: true, counted: true },
        { day: '2026-03-06', field: 'reach', fromValues: true, counted: true },
        { day: '2026-03-07', field: 'engagement', fromValues: false, counted: true },
        { day: '2026-03-08', field: null, fromValues: false, counted: true },
        { day: '2026-03-09', field: 'reach', fromValues: true, counted: true },
      ]),
    ).toEqual([
      { field: 'reach', from: '2026-03-01', to: '2026-03-02' },
      { field: 'views', from: '2026-03-03', to: '2026-03-05' },
      { field: 'reach', from: '2026-03-06', to: '2026-03-06' },
      { field: 'engagement', from: '2026-03-07', to: '2026-03-07' },
      // Counted, but by no field the numbers or a rule can name: still claimed, so no later rule reaches back over it.
      { field: null, from: '2026-03-08', to: '2026-03-08' },
      { field: 'reach', from: '2026-03-09', to: '2026-03-09' },
    ]);
  });
});
