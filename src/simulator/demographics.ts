// Instagram's audience breakdowns (docs/get-analytics.md): who follows the account, and who
// engaged with it, each as {age, gender, country, city} maps of segment → count.
import { hashWith } from './hash.js';
import type { World } from './world.js';

/** Below this many people Meta returns nothing, and the API surfaces that as {}. */
const META_FLOOR = 100;

/** follower_demographics (over the followers) and engaged_audience_demographics (over the accounts engaged). */
export function instagramDemographics(world: World, username: string, snapshot: Record<string, number>): Record<string, object> {
  return {
    follower_demographics: breakdown(world, username, snapshot.followers, 0),
    // profileViews is Instagram's "Accounts Engaged" (docs): the population of this breakdown.
    engaged_audience_demographics: breakdown(world, username, snapshot.profileViews, 100),
  };
}

function breakdown(world: World, username: string, population: number | undefined, salt: number): object {
  if (population === undefined || population < META_FLOOR) return {};
  const h = world.keyHash(username, 'instagram', '#demographics');
  const split = (total: number, names: string[], at: number): Record<string, number> => {
    const weights = names.map((_, i) => 1 + (hashWith(h, salt + at + i) % 10));
    const sum = weights.reduce((a, b) => a + b, 0);
    return Object.fromEntries(names.map((n, i) => [n, Math.floor((total * (weights[i] ?? 0)) / sum)]));
  };
  return {
    age: split(population, ['18-24', '25-34', '35-44', '45-54', '55-64'], 0),
    gender: split(population, ['F', 'M', 'U'], 10),
    country: split(population, ['US', 'GB', 'ES', 'DE', 'BR'], 20),
    // Only the top cities are listed, so they cover part of the audience.
    city: split(Math.floor(population * 0.4), ['New York, New York', 'London, England', 'Madrid, Comunidad de Madrid'], 30),
  };
}
