/**
 * TikTok's per-post breakdowns flattened into metrics (src/posts/posts.breakdowns.ts),
 * in the shapes beyond the docs' example (posts-parse.test.ts has that one):
 * labels that are numbers or absent, lists of bare values, items with several
 * numbers, nulls, and nesting deeper than `audience.countries[…]`. Every expected
 * name and value is worked out by hand from the input.
 */
import { describe, expect, it } from 'vitest';
import { flattenBreakdown } from '../src/posts/posts.breakdowns.js';
import { postMetricsOf } from '../src/posts/posts.parse.js';

describe('post metric breakdowns', () => {
  it('names each item by its label key, ahead of any other text the item carries', () => {
    // Each item has a display text first; the label key, wherever it stands, names the item.
    const { values, bad } = postMetricsOf({
      retention: [{ title: 'first second', second: '1', percentage: 0.75 }],
      impression_sources: [{ title: 'For You feed', impression_source: 'For You', percentage: 0.9 }],
      audience_types: [{ title: 'first time', audience_type: 'New viewers', percentage: 0.8 }],
      countries: [{ title: 'United States', country: 'US', percentage: 0.4 }],
      cities: [{ title: 'NYC', city: 'New York', percentage: 0.1 }],
      genders: [{ title: 'women', gender: 'female', percentage: 0.55 }],
      ages: [{ title: 'young adults', age: '18-24', percentage: 0.3 }],
      names: [{ title: 'shown as', name: 'alpha', percentage: 0.2 }],
      labels: [{ title: 'shown as', label: 'beta', percentage: 0.21 }],
      keys: [{ title: 'shown as', key: 'gamma', percentage: 0.22 }],
      types: [{ title: 'shown as', type: 'delta', percentage: 0.23 }],
    });
    expect(bad).toEqual([]);
    expect(values).toStrictEqual({
      'retention.1': 0.75,
      'impression_sources.For You': 0.9,
      'audience_types.New viewers': 0.8,
      'countries.US': 0.4,
      'cities.New York': 0.1,
      'genders.female': 0.55,
      'ages.18-24': 0.3,
      'names.alpha': 0.2,
      'labels.beta': 0.21,
      'keys.gamma': 0.22,
      'types.delta': 0.23,
    });
  });

  it('labels an item by a number, else by its first text, else by its place in the list', () => {
    const { values } = postMetricsOf({
      retention: [{ second: 1, percentage: 0.75 }, { second: 2, percentage: 0.61 }],
      // No known label key: the item's text names it, wherever it stands among the fields.
      sources: [{ source: 'Ads', percentage: 0.1 }, { percentage: 0.2, source: 'Search' }],
      // No text at all: the item's position (0, 1).
      points: [{ percentage: 0.8 }, { percentage: 0.7 }],
    });
    expect(values).toStrictEqual({
      'retention.1': 0.75,
      'retention.2': 0.61,
      'sources.Ads': 0.1,
      'sources.Search': 0.2,
      'points.0': 0.8,
      'points.1': 0.7,
    });
  });

  it('reads a list of bare values by position and a map by key, skipping nulls and handing back text', () => {
    const { values, bad } = postMetricsOf({
      retention: [0.8, null, '0.6', 'abc'],
      genders: { female: 0.55, male: null, other: 'n/a' },
    });
    expect(values).toStrictEqual({ 'retention.0': 0.8, 'retention.2': 0.6, 'genders.female': 0.55 });
    expect(bad).toStrictEqual([
      { field: 'post_metrics.retention.3', raw: 'abc', why: 'not a number' },
      { field: 'post_metrics.genders.other', raw: 'n/a', why: 'not a number' },
    ]);
  });

  it("names an item's only number by the label alone, and each of several numbers by label and field", () => {
    const { values, bad } = postMetricsOf({
      countries: [
        // Two numbers: each keeps its field's name.
        { country: 'US', views: 120, percentage: 0.4 },
        // One number beside text: the label alone.
        { country: 'FR', percentage: 0.1, flag: 'fr.png' },
        // A number under a field the docs do not list is still the item's number.
        { country: 'DE', share: 0.05 },
        // A counter sent as null is still one of the item's numbers: the percentage keeps the
        // name it has on the days the counter comes with a value.
        { country: 'ES', percentage: 0.02, views: null },
        // A counter sent as parts is a breakdown of its own, not the item's second number.
        { country: 'IT', percentage: 0.03, views: { organic: 30, paid: 10 } },
      ],
    });
    expect(bad).toEqual([]);
    expect(values).toStrictEqual({
      'countries.US.views': 120,
      'countries.US.percentage': 0.4,
      'countries.FR': 0.1,
      'countries.DE': 0.05,
      'countries.ES.percentage': 0.02,
      'countries.IT': 0.03,
      'countries.IT.views.organic': 30,
      'countries.IT.views.paid': 10,
    });
  });

  it('keeps three levels of a breakdown; anything deeper stays in the raw answer only', () => {
    const { values, bad } = postMetricsOf({
      audience: {
        // audience (1) → countries (2) → cities (3); the districts would be a fourth level.
        countries: [{ country: 'US', percentage: 0.4, cities: [{ city: 'New York', percentage: 0.1, districts: { Manhattan: 0.05 } }] }],
        // audience (1) → regions (2) → europe (3); its countries would be a fourth level.
        regions: { europe: { share: 0.2, countries: { FR: 0.1 } } },
      },
    });
    expect(bad).toEqual([]);
    expect(values).toStrictEqual({
      'audience.countries.US': 0.4,
      'audience.countries.US.cities.New York': 0.1,
      'audience.regions.europe.share': 0.2,
    });
  });

  it('on its own, starts from empty books and makes nothing of a value that is no breakdown', () => {
    expect(flattenBreakdown('retention', [{ second: '1', percentage: 0.75 }])).toStrictEqual({ values: { 'retention.1': 0.75 }, bad: [] });
    expect(flattenBreakdown('audience', null)).toStrictEqual({ values: {}, bad: [] });
    expect(flattenBreakdown('audience', 'US')).toStrictEqual({ values: {}, bad: [] });
  });
});
