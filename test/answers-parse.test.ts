/**
 * Reading what the API sends: numbers in every spelling that is unambiguous,
 * everything else handed back as a bad value (never dropped in silence), the
 * server's own words when a whole answer says no, and Instagram's audience
 * breakdowns as rows.
 */
import { describe, expect, it } from 'vitest';
import { parseAnalytics } from '../src/api/parse.js';
import { readNumber } from '../src/api/values.js';

describe('reading one value as a number', () => {
  it.each([
    [47, 47],
    ['47', 47],
    [' 12 ', 12],
    ['0', 0],
    ['3,400', 3400],
    ['1,234,567.5', 1234567.5],
    ['1.5e1', 15],
    ['2E3', 2000],
    ['.5', 0.5],
    [0.184, 0.184],
  ])('reads %j as %j', (raw, value) => {
    expect(readNumber(raw, true)).toEqual({ ok: true, value });
  });

  it.each([
    [-3, '-3', 'negative'],
    ['abc', 'abc', 'not a number'],
    ['', '', 'not a number'],
    ['1,5', '1,5', 'not a number'],
    ['12,34', '12,34', 'not a number'],
    [2 ** 53 + 2, String(2 ** 53 + 2), 'beyond exact integers'],
    [1e20, '100000000000000000000', 'beyond exact integers'],
    [true, 'true', 'not a number'],
    [[], '[]', 'not a number'],
    [{}, '{}', 'not a number'],
  ])('where a number belongs, %j is a bad value kept as received', (raw, kept, why) => {
    expect(readNumber(raw, true)).toEqual({ ok: false, raw: kept, why });
  });

  it('where no number is documented, text, dates, flags and lists are not numbers, but "-3" and "NaN" are bad ones', () => {
    for (const text of ['reach', 'Acme Studio', '2026-02-20', '2026-02-20T10:00:00Z', '10:30', true, [1, 2], { a: 1 }]) {
      expect(readNumber(text, false), JSON.stringify(text)).toBeUndefined();
    }
    expect(readNumber('-3', false)).toMatchObject({ ok: false, raw: '-3' });
    expect(readNumber('NaN', false)).toMatchObject({ ok: false, raw: 'NaN' });
    expect(readNumber('12abc', false)).toMatchObject({ ok: false, raw: '12abc' });
    expect(readNumber('3,400', false)).toEqual({ ok: true, value: 3400 });
  });

  it('takes null for absent, in any field', () => {
    expect(readNumber(null, true)).toBeUndefined();
    expect(readNumber(null, false)).toBeUndefined();
  });
});

describe('an analytics answer that says no as a whole', () => {
  it.each([
    [{ success: false, message: 'Profile suspended' }, 'refused', 'The API said: Profile suspended'],
    [{ success: false, error: 'Quota exceeded' }, 'refused', 'The API said: Quota exceeded'],
    [{ detail: 'Not authenticated' }, 'refused', 'The API said: Not authenticated'],
    [{ success: false }, 'refused', 'the API answered success: false, without a message'],
    ['Service temporarily unavailable', 'refused', 'The API said: Service temporarily unavailable'],
    [[], 'malformed', "the API answered an empty list ([]) instead of the platforms' analytics"],
    [null, 'malformed', "the API answered null instead of the platforms' analytics"],
  ])('%j fails the whole answer in the server\'s words', (body, kind, message) => {
    expect(parseAnalytics(body, ['instagram', 'youtube'])).toEqual({ platforms: {}, failure: { kind, message } });
  });

  it('keeps the platforms that did come back, and adds the message to the ones that did not', () => {
    const parsed = parseAnalytics({ success: false, message: 'YouTube token expired', instagram: { followers: 1 } }, ['instagram', 'youtube']);
    expect(parsed.failure).toBeUndefined();
    expect(parsed.platforms.instagram).toMatchObject({ ok: true, data: { metrics: { followers: 1 } } });
    expect(parsed.platforms.youtube).toEqual({ ok: false, kind: 'missing', message: 'the answer has no "youtube" entry (the API said: YouTube token expired)' });
  });
});

describe('Instagram demographics', () => {
  // docs/get-analytics.md, the example answer's two breakdowns.
  const follower = {
    age: { '25-34': 100, '35-44': 166, '45-54': 49 },
    gender: { F: 74, M: 36, U: 24 },
    country: { ES: 78, CO: 13, PE: 8 },
    city: { 'Madrid, Comunidad de Madrid': 18, 'Barcelona, Cataluña': 2 },
  };

  it('become one row per audience, dimension and segment', () => {
    const parsed = parseAnalytics({ instagram: { followers: 47, follower_demographics: follower, engaged_audience_demographics: { gender: { F: 44 } } } }, ['instagram']);
    const instagram = parsed.platforms.instagram;
    const data = instagram?.ok ? instagram.data : undefined;
    expect(data?.metrics).toEqual({ followers: 47 });
    expect(data?.demographics).toEqual([
      ...Object.entries(follower).flatMap(([dimension, segments]) => Object.entries(segments).map(([segment, value]) => ({ audience: 'follower', dimension, segment, value }))),
      { audience: 'engaged', dimension: 'gender', segment: 'F', value: 44 },
    ]);
    expect(data?.demographics).toHaveLength(3 + 3 + 3 + 2 + 1);
    expect(data?.bad).toEqual([]);
  });

  it('store nothing, and complain of nothing, when Meta has too few people: {} or empty maps', () => {
    const parsed = parseAnalytics({ instagram: { follower_demographics: {}, engaged_audience_demographics: { age: {}, gender: {}, country: {}, city: {} } } }, ['instagram']);
    expect(parsed.platforms.instagram).toMatchObject({ ok: true, data: { demographics: [], bad: [] } });
  });

  it('hand back a segment that is not a count, naming it', () => {
    const parsed = parseAnalytics({ instagram: { follower_demographics: { age: { '18-24': 'abc', '25-34': '1,200' }, gender: 7 } } }, ['instagram']);
    expect(parsed.platforms.instagram).toMatchObject({
      ok: true,
      data: {
        demographics: [{ audience: 'follower', dimension: 'age', segment: '25-34', value: 1200 }],
        bad: [
          { field: 'follower_demographics.age.18-24', raw: 'abc', why: 'not a number' },
          { field: 'follower_demographics.gender', raw: '7', why: 'not a map of segment to count' },
        ],
      },
    });
  });
});
