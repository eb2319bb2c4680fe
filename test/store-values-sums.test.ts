// The sums behind offline total impressions (src/store/impressions.repository.ts), called directly
// on a small warehouse written here value by value: which platforms and days a sum lists (a 0
// listed, a span or platform that added nothing left out), per key, per platform and per day, and
// what the warehouse holds of each platform (held days, unruled days, metric types). Every expected
// number is added up by hand from the values written in each test.
import { describe, expect, it } from 'vitest';
import { countedPlatforms, findProfileWithData, heldDays, platformsWithSeries, sumCounted, sumSpans, type Span } from '../src/store/impressions.repository.js';
import { ensureProfile } from '../src/store/profiles.repository.js';
import { ValueWriter, type CountedDay } from '../src/store/values.repository.js';
import { openWarehouse, type Warehouse } from '../src/store/warehouse.js';

const D = (n: number) => `2026-03-0${n}`;

/**
 * Profile a's snapshot series: instagram reach 10, 0, 5 on 1–3 March; x impressions 7 and 1 on
 * 2–3 March; tiktok views 4 on 5 March only. A timeseries of instagram reach (1000 on 1 March)
 * that a snapshot sum must not add. Profile b exists with no series.
 */
function spansWarehouse(): { wh: Warehouse; a: number; b: number } {
  const wh = openWarehouse(':memory:');
  const a = ensureProfile(wh, 'a');
  const b = ensureProfile(wh, 'b');
  const w = new ValueWriter(wh);
  const put = (platform: string, kind: 'snapshot' | 'timeseries', name: string, days: Record<string, number>) => {
    const id = w.seriesId(a, platform, kind, name);
    for (const [day, value] of Object.entries(days)) w.write(id, day, value, 'collect', 1);
  };
  put('instagram', 'snapshot', 'reach', { [D(1)]: 10, [D(2)]: 0, [D(3)]: 5 });
  put('x', 'snapshot', 'impressions', { [D(2)]: 7, [D(3)]: 1 });
  put('tiktok', 'snapshot', 'views', { [D(5)]: 4 });
  put('instagram', 'timeseries', 'reach', { [D(1)]: 1000 });
  return { wh, a, b };
}

const span = (key: string, platform: string, name: string, from: string, to: string): Span => ({ key, platform, name, from, to });

describe('sumSpans', () => {
  // k1: instagram reach 1–3 March (10 + 0 + 5 = 15), x impressions on 2 March (7), tiktok views 1–3 March (none held).
  // k2: x impressions on 3 March (1), instagram reach on 2 March (a 0). k3: tiktok views 1–2 March only (none held).
  const spans = [
    span('k1', 'instagram', 'reach', D(1), D(3)),
    span('k1', 'x', 'impressions', D(2), D(2)),
    span('k1', 'tiktok', 'views', D(1), D(3)),
    span('k2', 'x', 'impressions', D(3), D(3)),
    span('k2', 'instagram', 'reach', D(2), D(2)),
    span('k3', 'tiktok', 'views', D(1), D(2)),
  ];

  it('sums each key per platform, lists a platform that added a 0, and leaves out spans and keys that added nothing', () => {
    const { wh, a } = spansWarehouse();
    const sums = sumSpans(wh, { profileId: a, kind: 'snapshot', spans, perDay: false });
    expect([...sums.entries()]).toStrictEqual([
      ['k1', { total: 22, perPlatform: [['instagram', 15], ['x', 7]], perDay: [] }],
      ['k2', { total: 1, perPlatform: [['instagram', 0], ['x', 1]], perDay: [] }],
    ]);
    wh.close();
  });

  it('adds the per-day sums when asked: each day of a key across its platforms, ascending', () => {
    const { wh, a } = spansWarehouse();
    const sums = sumSpans(wh, { profileId: a, kind: 'snapshot', spans, perDay: true });
    // k1 by day: 1 March 10; 2 March 0 + 7; 3 March 5 (x's 1 on 3 March is outside k1's x span).
    expect(sums.get('k1')).toStrictEqual({ total: 22, perPlatform: [['instagram', 15], ['x', 7]], perDay: [[D(1), 10], [D(2), 7], [D(3), 5]] });
    expect(sums.get('k2')).toStrictEqual({ total: 1, perPlatform: [['instagram', 0], ['x', 1]], perDay: [[D(2), 0], [D(3), 1]] });
    expect(sums.has('k3')).toBe(false);
    wh.close();
  });

  it('adds only series of the kind asked for', () => {
    const { wh, a } = spansWarehouse();
    const sums = sumSpans(wh, { profileId: a, kind: 'timeseries', spans: [span('t', 'instagram', 'reach', D(1), D(3))], perDay: true });
    expect([...sums.entries()]).toStrictEqual([['t', { total: 1000, perPlatform: [['instagram', 1000]], perDay: [[D(1), 1000]] }]]);
    wh.close();
  });

  it('answers no spans with no sums', () => {
    const { wh, a } = spansWarehouse();
    expect(sumSpans(wh, { profileId: a, kind: 'snapshot', spans: [], perDay: true }).size).toBe(0);
    wh.close();
  });
});

  it('adds fractional, negative and very large values per day exactly as stored, and two spans of one platform into one sum', () => {
    const wh = openWarehouse(':memory:');
    const a = ensureProfile(wh, 'a');
    const w = new ValueWriter(wh);
    const ig = w.seriesId(a, 'instagram', 'snapshot', 'saves');
    const x = w.seriesId(a, 'x', 'snapshot', 'saves');
    // Seventeen significant digits, a third, a value below 1e-6, a negative, 2^53 − 1.
    w.write(ig, D(1), 0.12345678901234566, 'collect', 1);
    w.write(ig, D(2), -3, 'collect', 1);
    w.write(ig, D(3), 1 / 3, 'collect', 1);
    w.write(x, D(1), 2.5e-7, 'collect', 1);
    w.write(x, D(2), 9007199254740991, 'collect', 1);
    const sums = sumSpans(wh, {
      profileId: a,
      kind: 'snapshot',
      spans: [span('s', 'instagram', 'saves', D(1), D(1)), span('s', 'instagram', 'saves', D(2), D(3)), span('s', 'x', 'saves', D(1), D(2))],
      perDay: true,
    });
    const instagram = 0.12345678901234566 + (-3 + 1 / 3);
    const xs = 2.5e-7 + 9007199254740991;
    expect(sums.get('s')).toStrictEqual({
      total: instagram + xs,
      perPlatform: [['instagram', instagram], ['x', xs]],
      perDay: [[D(1), 0.12345678901234566 + 2.5e-7], [D(2), 9007199254740988], [D(3), 1 / 3]],
    });
    wh.close();
  });

describe('the profile and platform look-ups', () => {
  it('finds a profile only when it holds some series, and lists its platforms per kind, sorted', () => {
    const { wh, a } = spansWarehouse();
    expect(findProfileWithData(wh, 'a')).toBe(a);
    expect(findProfileWithData(wh, 'b')).toBeUndefined();
    expect(findProfileWithData(wh, 'nobody')).toBeUndefined();
    expect(platformsWithSeries(wh, a, 'snapshot')).toEqual(['instagram', 'tiktok', 'x']);
    expect(platformsWithSeries(wh, a, 'timeseries')).toEqual(['instagram']);
    wh.close();
  });
});

/**
 * What the server counted for profile a, 1–4 March:
 *   instagram: 10 (reach), nothing on 2 March (no rule: field and type unknown), 5 (reach);
 *   x: 7 (impressions, type views) on 2 March, nothing on 3 and 4 March although the field is known
 *      (type impressions on 3 March, unknown on 4 March);
 *   mastodon: nothing on 1 and 4 March, no rule either day.
 */
function countedWarehouse(): { wh: Warehouse; a: number } {
  const wh = openWarehouse(':memory:');
  const a = ensureProfile(wh, 'a');
  const w = new ValueWriter(wh);
  const day = (platform: string, d: number, value: number | null, primaryField: string | null, metricType: string | null): CountedDay => ({ profileId: a, platform, day: D(d), value, primaryField, metricType });
  for (const c of [
    day('instagram', 1, 10, 'reach', 'reach'),
    day('instagram', 2, null, null, null),
    day('instagram', 3, 5, 'reach', 'reach'),
    day('x', 2, 7, 'impressions', 'views'),
    day('x', 3, null, 'impressions', 'impressions'),
    day('x', 4, null, 'impressions', null),
    day('mastodon', 1, null, null, null),
    day('mastodon', 4, null, null, null),
  ])
    w.writeCounted(c, 'collect', 1);
  return { wh, a };
}

describe('sumCounted', () => {
  const platforms = ['instagram', 'mastodon', 'x'];

  it('sums what the server counted per platform, leaving out a platform that counted nothing', () => {
    const { wh, a } = countedWarehouse();
    // instagram 10 + 5 = 15, x 7, mastodon nothing: total 22.
    expect(sumCounted(wh, { profileId: a, platforms, lo: D(1), hi: D(4), perDay: false })).toStrictEqual({ total: 22, perPlatform: [['instagram', 15], ['x', 7]], perDay: [] });
    wh.close();
  });

  it('adds the per-day sums when asked, leaving out a day on which nothing was counted', () => {
    const { wh, a } = countedWarehouse();
    // 1 March 10 (mastodon nothing), 2 March 7 (instagram nothing), 3 March 5 (x nothing), 4 March nothing at all.
    expect(sumCounted(wh, { profileId: a, platforms, lo: D(1), hi: D(4), perDay: true })).toStrictEqual({
      total: 22,
      perPlatform: [['instagram', 15], ['x', 7]],
      perDay: [[D(1), 10], [D(2), 7], [D(3), 5]],
    });
    wh.close();
  });

  it('answers nothing when no platform in range counted anything, or no platform is asked for', () => {
    const { wh, a } = countedWarehouse();
    expect(sumCounted(wh, { profileId: a, platforms: ['mastodon'], lo: D(1), hi: D(4), perDay: true })).toBeUndefined();
    expect(sumCounted(wh, { profileId: a, platforms, lo: '2026-04-01', hi: '2026-04-30', perDay: false })).toBeUndefined();
    expect(sumCounted(wh, { profileId: a, platforms: [], lo: D(1), hi: D(4), perDay: false })).toBeUndefined();
    wh.close();
  });
});

describe('heldDays', () => {
  it('tells per platform the days held, those no rule could count, and the metric types seen, without the unknown type', () => {
    const { wh, a } = countedWarehouse();
    const held = heldDays(wh, a, ['instagram', 'mastodon', 'x', 'tiktok'], D(1), D(4));
    expect([...held.entries()].sort(([p], [q]) => p.localeCompare(q))).toStrictEqual([
      ['instagram', { held: 3, unruled: 1, metricTypes: new Set(['reach']) }],
      ['mastodon', { held: 2, unruled: 2, metricTypes: new Set() }],
      ['x', { held: 3, unruled: 0, metricTypes: new Set(['impressions', 'views']) }],
    ]);
    // Only days from lo to hi: 2–3 March.
    expect(heldDays(wh, a, ['instagram'], D(2), D(3)).get('instagram')).toStrictEqual({ held: 2, unruled: 1, metricTypes: new Set(['reach']) });
    wh.close();
  });

  it('lists the platforms the warehouse holds days of, sorted', () => {
    const { wh, a } = countedWarehouse();
    expect(countedPlatforms(wh, a)).toEqual(['instagram', 'mastodon', 'x']);
    expect(countedPlatforms(wh, a + 1)).toEqual([]);
    wh.close();
  });
});
