/**
 * What must hold of a warehouse after any history of collects, catch-ups and
 * backfills (issue 11), checked against the simulator's world, which computes
 * the same facts by separate code. Each check returns its violations as
 * sentences, so a failing run says everything that is wrong at once.
 */
import { addDays, eachDay } from '../../src/dates.js';
import type { Platform, Simulator } from '../../src/simulator/index.js';
import { CATCH_UP_WINDOW_DAYS, missingDays } from '../../src/store/coverage.repository.js';
import type { Warehouse } from '../../src/store/warehouse.js';

/** Per profile and platform, the days daily_impressions holds (what coverage is made of), ascending. */
export function held(wh: Warehouse): Map<string, Map<string, string[]>> {
  const rows = wh.sqlite
    .prepare('SELECT p.username AS profile, d.platform, d.day FROM daily_impressions d JOIN profiles p ON p.id = d.profile_id ORDER BY 1, 2, 3')
    .all() as Array<{ profile: string; platform: string; day: string }>;
  const out = new Map<string, Map<string, string[]>>();
  for (const r of rows) {
    const byPlatform = out.get(r.profile) ?? out.set(r.profile, new Map()).get(r.profile)!;
    byPlatform.set(r.platform, [...(byPlatform.get(r.platform) ?? []), r.day]);
  }
  return out;
}

/** The first day a profile holds anything, or undefined. */
export function firstDay(wh: Warehouse, profile: string): string | undefined {
  return (wh.sqlite.prepare('SELECT MIN(d.day) FROM daily_impressions d JOIN profiles p ON p.id = d.profile_id WHERE p.username = ?').pluck().get(profile) as string | null) ?? undefined;
}

/**
 * No gap: every platform of every profile that holds anything holds every
 * day from the profile's first day to today (a platform that failed on every
 * collection so far included), and the product's own gap finder (what
 * `upw status` shows and catch-up repairs) agrees.
 */
export function gaps(wh: Warehouse, profiles: Record<string, readonly string[]>, today: string): string[] {
  const out: string[] = [];
  const all = held(wh);
  for (const [profile, platforms] of Object.entries(profiles)) {
    const first = firstDay(wh, profile);
    if (first === undefined) continue;
    const want = eachDay(first, today);
    for (const platform of platforms) {
      const got = all.get(profile)?.get(platform) ?? [];
      const lacking = want.filter((d) => !got.includes(d));
      if (lacking.length > 0) out.push(`${profile}/${platform} lacks ${lacking.join(', ')}`);
      const extra = got.filter((d) => d > today);
      if (extra.length > 0) out.push(`${profile}/${platform} holds days after today (${today}): ${extra.join(', ')}`);
    }
  }
  for (const g of missingDays(wh, today, addDays(today, -CATCH_UP_WINDOW_DAYS))) out.push(`missingDays still lists ${g.profile}/${g.platform} ${g.from}…${g.to}`);
  return out;
}

/**
 * Every number the views show is the server's own: each v_daily_metrics row
 * is that metric's value in the server's snapshot of that day (never another
 * metric's number under its name), each v_daily_impressions row is what the
 * server counts that day, and its primary_field, when named, holds that count.
 */
export function falseNumbers(wh: Warehouse, sim: Simulator): string[] {
  const out: string[] = [];
  const snap = (p: string, platform: string, day: string) => sim.world.snapshot(p, platform as Platform, day) ?? {};
  for (const r of wh.sqlite.prepare('SELECT profile_username AS p, platform, day, metric, value FROM v_daily_metrics').all() as Array<{ p: string; platform: string; day: string; metric: string; value: number }>) {
    const truth = snap(r.p, r.platform, r.day)[r.metric];
    if (truth !== r.value) out.push(`v_daily_metrics ${r.p}/${r.platform} ${r.day} ${r.metric} = ${r.value}, the server's snapshot has ${truth}`);
  }
  for (const r of wh.sqlite.prepare('SELECT profile_username AS p, platform, day, primary_field AS field, impressions FROM v_daily_impressions').all() as Array<{ p: string; platform: string; day: string; field: string | null; impressions: number }>) {
    const field = sim.world.ruleOn(r.platform as Platform, r.day).primary_impressions_field;
    const counted = snap(r.p, r.platform, r.day)[field];
    if (counted !== r.impressions) out.push(`v_daily_impressions ${r.p}/${r.platform} ${r.day} = ${r.impressions}, the server counts ${field} = ${counted}`);
    else if (r.field !== null && snap(r.p, r.platform, r.day)[r.field] !== counted) out.push(`v_daily_impressions ${r.p}/${r.platform} ${r.day} names ${r.field}, but the server counted ${field}`);
  }
  return out;
}

/**
 * The dated rules (v_platform_rules) name, on every day the warehouse holds,
 * a field whose number that day is the one the server counted. Fields that
 * are aliases of each other (Instagram's views and impressions) are
 * indistinguishable and both accepted; so is a field whose number equals the
 * count for some profile that day: rules are per platform, learned from one
 * profile's numbers, and a coincidence there (Bluesky's engagement equal to
 * its shares on a quiet day) cannot be told from a change by those numbers
 * (a limitation reported to the lead).
 */
export function falseRules(wh: Warehouse, sim: Simulator): string[] {
  const rules = wh.sqlite.prepare('SELECT platform, valid_from AS "from", valid_to AS "to", primary_field AS field FROM v_platform_rules').all() as Array<{ platform: string; from: string | null; to: string | null; field: string | null }>;
  const byDay = new Map<string, string[]>();
  for (const [profile, byPlatform] of held(wh)) for (const [platform, days] of byPlatform) for (const day of days) byDay.set(`${platform} ${day}`, [...(byDay.get(`${platform} ${day}`) ?? []), profile]);
  const out: string[] = [];
  for (const [key, profiles] of byDay) {
    const [platform, day] = key.split(' ') as [Platform, string];
    const rule = rules.find((r) => r.platform === platform && (r.from === null || r.from <= day) && (r.to === null || day < r.to));
    if (!rule || rule.field === null) continue;
    const truth = sim.world.ruleOn(platform, day).primary_impressions_field;
    const explains = (profile: string) => {
      const snapshot = sim.world.snapshot(profile, platform, day) ?? {};
      return snapshot[rule.field!] === snapshot[truth];
    };
    if (!profiles.some(explains)) out.push(`v_platform_rules says ${platform} counted ${rule.field} on ${day}; the server counted ${truth}`);
  }
  return out.sort();
}
