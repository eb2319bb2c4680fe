/**
 * The warehouse as BI tools see it: docs/warehouse.md describes every column,
 * every view column has a declared type, and every example query in the docs
 * returns what the docs say while a collect writes, read from another process
 * by better-sqlite3 (always) and by the sqlite3 shell (skipped without it,
 * except under CI=true).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, eachDay } from '../src/dates.js';
import { totalImpressions } from '../src/query/impressions.usecases.js';
import type { Platform } from '../src/simulator/index.js';
import { readRaw } from '../src/store/raw.repository.js';
import { openWarehouse } from '../src/store/warehouse.js';
import { FIRST_DAY, LAST_DAY, NEXT_DAY, PROFILE, biWarehouse, hasSqliteShell, sqliteShell, unixDay, weekStart, type BiWarehouse } from './bi-fixture.js';
import { nodeReader, shellReader, skipWithout, type Reader } from './support/readers.js';
import { ROOT, tempDir } from './helpers.js';

const DOCS = readFileSync(join(ROOT, 'docs', 'warehouse.md'), 'utf8');
const SHELL = await hasSqliteShell();
const dir = tempDir('upw-bi-');
let bi: BiWarehouse;

beforeAll(async () => {
  bi = await biWarehouse(dir);
}, 120_000);
afterAll(() => bi?.close());

/** The docs' ```sql blocks by their `-- example: name` line. */
function examples(): Map<string, string> {
  const found = new Map<string, string>();
  for (const [, sql] of DOCS.matchAll(/```sql\n([\s\S]*?)```/g)) {
    const name = /^-- example: ([\w-]+)/.exec(sql!)?.[1];
    if (!name) throw new Error(`a sql block in docs/warehouse.md has no "-- example: name" line:\n${sql}`);
    found.set(name, sql!);
  }
  return found;
}

// ---- What each example must return, derived from the simulator's world and the raw answers, never from the views.

const platforms = () => bi.sim.world.platformsOf(PROFILE) as Platform[];
/** The days around a collect that runs while the examples are read: the last one held before it, and the one it collects. */
interface Collecting {
  last: string;
  next: string;
}
/** The snapshot days the file holds: up to `last`, and up to `next` once the running collect committed acme-studio. */
const dayChoices = ({ last, next }: Collecting) => [eachDay(FIRST_DAY, last), eachDay(FIRST_DAY, next)];
const snap = (p: Platform, day: string) => bi.sim.world.snapshot(PROFILE, p, day)!;

function expectOneOf(actual: unknown, choices: unknown[]): void {
  const match = choices.some((c) => JSON.stringify(c) === JSON.stringify(actual));
  if (!match) expect(actual).toEqual(choices.at(-1));
}

function dailyImpressions(days: string[]) {
  return days.flatMap((day) =>
    [...platforms()].sort().map((platform) => ({ day, time: unixDay(day), platform, impressions: snap(platform, day)[bi.sim.world.ruleOn(platform, day).primary_impressions_field] })),
  );
}

/** Each demo profile's impressions per platform over `days`: the primary field of the rule of each day. */
function counted(profile: string, days: string[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const platform of bi.sim.world.platformsOf(profile) as Platform[]) {
    for (const day of days) {
      const value = bi.sim.world.snapshot(profile, platform, day)?.[bi.sim.world.ruleOn(platform, day).primary_impressions_field];
      if (value !== undefined) sums.set(platform, (sums.get(platform) ?? 0) + value);
    }
  }
  return sums;
}

/**
 * While the collect of `next` commits profile after profile, any set of profiles may
 * already hold it: every such state is an answer the examples may give.
 */
function portfolioStates<T>({ last, next }: Collecting, answer: (daysOf: (profile: string) => string[]) => T): T[] {
  const profiles = bi.sim.world.profiles();
  return Array.from({ length: 2 ** profiles.length }, (_, mask) => {
    const done = new Set(profiles.filter((_, i) => mask & (1 << i)));
    return answer((profile) => eachDay(FIRST_DAY, done.has(profile) ? next : last));
  });
}

function portfolioByPlatform(daysOf: (profile: string) => string[]) {
  const sums = new Map<string, number>();
  for (const profile of bi.sim.world.profiles()) for (const [platform, n] of counted(profile, daysOf(profile))) sums.set(platform, (sums.get(platform) ?? 0) + n);
  return [...sums].sort(([a], [b]) => a.localeCompare(b)).map(([platform, impressions]) => ({ platform, impressions }));
}

function topProfiles(daysOf: (profile: string) => string[]) {
  return bi.sim.world
    .profiles()
    .map((profile) => ({ profile_username: profile, impressions: [...counted(profile, daysOf(profile)).values()].reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.impressions - a.impressions || a.profile_username.localeCompare(b.profile_username))
    .slice(0, 10);
}

function followerGrowth(days: string[]) {
  return [...platforms()].sort().flatMap((platform) => {
    const lastOfWeek = new Map<string, number>();
    for (const day of days) lastOfWeek.set(weekStart(day), snap(platform, day).followers!);
    let previous: number | null = null;
    return [...lastOfWeek].map(([week_start, followers]) => {
      const row = { platform, week_start, followers, growth: previous === null ? null : followers - previous };
      previous = followers;
      return row;
    });
  });
}

function latestSnapshot(day: string) {
  return [...platforms()].sort().map((platform) => {
    const s = snap(platform, day);
    return { platform, day, followers: s.followers ?? null, impressions: s.impressions ?? s.views ?? null, reach: s.reach ?? null, likes: s.likes ?? null, comments: s.comments ?? null, shares: s.shares ?? null };
  });
}

/** The raw answers the collector kept about PROFILE, oldest first, each with the day of the run that read it. */
function rawAnswers(endpoint: string): { day: string; body: any }[] {
  const dayOf = bi.wh.sqlite.prepare('SELECT day FROM runs WHERE id = ?').pluck();
  return [...readRaw(bi.wh, { endpoint, profile: PROFILE })]
    .filter((r) => r.status === 200 && r.runId !== null)
    .map((r) => ({ day: dayOf.get(r.runId) as string, body: JSON.parse(r.body.toString('utf8')) }));
}

/** Top posts by views from the post-analytics answers themselves: each post-platform's latest reading. */
function topPosts() {
  const latest = new Map<string, { request_id: string; platform: string; post_url: string; read_on: string; views: number }>();
  for (const { day, body } of rawAnswers('post-analytics')) {
    for (const [platform, entry] of Object.entries<any>(body.platforms ?? {})) {
      const views = entry.post_metrics?.views;
      if (typeof views !== 'number') continue;
      latest.set(`${body.post.request_id} ${platform}`, { request_id: body.post.request_id, platform, post_url: entry.post_url, read_on: day, views });
    }
  }
  const rows = [...latest.values()].sort((a, b) => b.views - a.views || a.request_id.localeCompare(b.request_id) || a.platform.localeCompare(b.platform));
  return rows.slice(0, 10);
}

/** The most viewed TikTok post's retention curve at its latest reading, from the post-analytics answers themselves. */
function retentionCurve() {
  const latest = new Map<string, { day: string; views: number; retention: { second: string; percentage: number }[] }>();
  for (const { day, body } of rawAnswers('post-analytics')) {
    const m = body.platforms?.tiktok?.post_metrics;
    if (!Array.isArray(m?.retention)) continue;
    latest.set(body.post.request_id, { day, views: m.views, retention: m.retention });
  }
  const [requestId, top] = [...latest].sort(([a, x], [b, y]) => y.views - x.views || a.localeCompare(b))[0]!;
  return top.retention.map((p) => ({ request_id: requestId, day: top.day, second: Number(p.second), still_watching: p.percentage })).sort((a, b) => a.second - b.second);
}

/** Instagram's reach series as the analytics answers of runs up to `lastDay` last reported each day. */
function reachAsKnown(lastDay: string): Map<string, number> {
  const known = new Map<string, number>();
  for (const { day, body } of rawAnswers('analytics')) {
    if (day > lastDay || !body.instagram?.reach_timeseries) continue;
    for (const point of body.instagram.reach_timeseries) known.set(point.date, point.value);
  }
  return known;
}

type Check = (rows: Record<string, unknown>[]) => void;

const CHECKS: Record<string, (days: Collecting) => Check> = {
  'daily-impressions-per-platform': (days) => (rows) => expectOneOf(rows, dayChoices(days).map(dailyImpressions)),
  'follower-growth-per-week': (days) => (rows) => expectOneOf(rows, dayChoices(days).map(followerGrowth)),
  'portfolio-impressions-by-platform': (days) => (rows) => expectOneOf(rows, portfolioStates(days, portfolioByPlatform)),
  'top-profiles-of-month': (days) => (rows) => expectOneOf(rows, portfolioStates(days, topProfiles)),
  'latest-snapshot': ({ last, next }) => (rows) => expectOneOf(rows, [latestSnapshot(last), latestSnapshot(next)]),
  'top-posts-by-views': () => {
    const expected = topPosts();
    expect(expected).toHaveLength(10);
    return (rows) => expect(rows).toEqual(expected);
  },
  'tiktok-retention-curve': () => {
    const expected = retentionCurve();
    expect(expected.length).toBeGreaterThan(5);
    return (rows) => expect(rows).toEqual(expected);
  },
  'as-known-on-day': () => {
    const known = reachAsKnown('2026-03-10');
    const expected = [...known].sort(([a], [b]) => a.localeCompare(b)).map(([day, value]) => ({ day, value }));
    return (rows) => {
      expect(rows.map(({ day, value }) => ({ day, value }))).toEqual(expected);
      for (const r of rows) expect(String(r.observed_at) < '2026-03-11' && String(r.observed_at) >= FIRST_DAY).toBe(true);
    };
  },
};

describe('docs/warehouse.md', () => {
  it('documents every column of every table and view of a migrated warehouse', () => {
    const wh = openWarehouse(':memory:');
    const objects = wh.sqlite.prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '__drizzle_migrations'").pluck().all() as string[];
    const missing: string[] = [];
    for (const name of objects) {
      const section = DOCS.split(/^### /m).find((s) => s.startsWith(`\`${name}\``));
      if (!section) {
        missing.push(name);
        continue;
      }
      const columns = wh.sqlite.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(name) as string[];
      for (const c of columns) if (!section.includes(`| \`${c}\` |`)) missing.push(`${name}.${c}`);
    }
    wh.close();
    expect(objects.length).toBeGreaterThan(15);
    expect(missing).toEqual([]);
  });

  it('has a check here for each of its example queries', () => {
    expect([...examples().keys()].sort()).toEqual(Object.keys(CHECKS).sort());
  });
});

// The node reader runs first and collects NEXT_DAY; the shell's run, when there is one, the day after.
const READERS: Array<[string, (file: string) => Reader, boolean, Collecting]> = [
  ['better-sqlite3, read-only, in another process', nodeReader, false, { last: LAST_DAY, next: NEXT_DAY }],
  ['the sqlite3 shell (apt-get install sqlite3)', shellReader, skipWithout(SHELL), { last: NEXT_DAY, next: addDays(NEXT_DAY, 1) }],
];

describe.each(READERS)('the docs example queries read by %s', (_name, open, skip, days) => {
  it.skipIf(skip)('return the rows the docs say, read-only while a collect writes', async () => {
    if (!SHELL && open === shellReader) throw new Error('CI=true requires the sqlite3 shell (.ci/run installs it)');
    const reader = open(bi.dbPath);
    const query = async (sql: string) => {
      const answer = await reader.read([sql]);
      if ('error' in answer) throw new Error(answer.error);
      return answer.rows[0]!;
    };
    const checks = new Map([...examples()].map(([name, sql]) => [name, { sql, check: CHECKS[name]!(days) }]));
    // Sum per platform over the fixture's days: what upw impressions answers.
    const perPlatform = new Map<string, number>();
    for (const r of dailyImpressions(eachDay(FIRST_DAY, LAST_DAY))) perPlatform.set(r.platform, (perPlatform.get(r.platform) ?? 0) + r.impressions!);
    const answer = totalImpressions(bi.wh, PROFILE, { start_date: FIRST_DAY, end_date: LAST_DAY, breakdown: true });
    expect(answer).toMatchObject({ per_platform: Object.fromEntries(perPlatform) });

    // Slow answers stretch the collect over many reads; it commits one profile at a time, acme-studio first.
    bi.sim.setLatency(700);
    let collecting = true;
    const collect = bi.collectDay(days.next, { posts: false }).finally(() => (collecting = false));
    let roundsDuringCollect = 0;
    let sawTodayMidCollect = false;
    try {
      while (collecting) {
        for (const [name, { sql, check }] of checks) {
          const rows = await query(sql);
          try {
            check(rows);
          } catch (error) {
            throw new Error(`example ${name}: ${(error as Error).message}`);
          }
          if (name === 'latest-snapshot' && rows[0]?.day === days.next && collecting) sawTodayMidCollect = true;
        }
        if (collecting) roundsDuringCollect++;
      }
      const { run } = await collect;
      expect(run.status).toBe('ok');
      expect(roundsDuringCollect).toBeGreaterThanOrEqual(2);
      // Some reads came between two of the collect's commits.
      expect(sawTodayMidCollect).toBe(true);

      // After the commit: the new day's rows are there, and the answers still hold.
      for (const [, { sql, check }] of checks) check(await query(sql));
      const latest = await query(checks.get('latest-snapshot')!.sql);
      expect(new Set(latest.map((r) => r.day))).toEqual(new Set([days.next]));
    } finally {
      await collect.catch(() => undefined);
      bi.sim.setLatency(0);
      reader.close();
    }
    // The point of "as known": polls after 10 March revised that day's reach.
    const now = bi.wh.sqlite.prepare("SELECT value FROM v_timeseries WHERE profile_username = ? AND platform = 'instagram' AND series = 'reach' AND day = '2026-03-10'").pluck().get(PROFILE);
    expect(reachAsKnown('2026-03-10').get('2026-03-10')).not.toBe(now);
  }, 180_000);
});

describe('BI views', () => {
  const views = () => {
    const wh = openWarehouse(':memory:');
    const names = wh.sqlite.prepare("SELECT name FROM sqlite_schema WHERE type = 'view' AND name LIKE 'v\\_%' ESCAPE '\\' ORDER BY name").pluck().all() as string[];
    const columns = new Map(names.map((v) => [v, wh.sqlite.prepare('SELECT name, type FROM pragma_table_info(?)').all(v) as { name: string; type: string }[]]));
    wh.close();
    return columns;
  };

  it('declare a type for every column, days as TEXT and counts and times as INTEGER', () => {
    const all = views();
    expect([...all.keys()]).toEqual([
      'v_daily_impressions', 'v_daily_metrics', 'v_demographics', 'v_latest_snapshot', 'v_monthly_impressions', 'v_platform_rules',
      'v_post_metrics', 'v_post_profile_snapshots', 'v_timeseries', 'v_value_revisions',
    ]);
    const untyped = [...all].flatMap(([v, cols]) => cols.filter((c) => !c.type).map((c) => `${v}.${c.name}`));
    expect(untyped).toEqual([]);
    const integer = /INT/i;
    for (const [view, cols] of all) {
      for (const c of cols) {
        if (['day', 'valid_from', 'valid_to', 'observed_at', 'replaced_at', 'profile_username', 'platform'].includes(c.name)) expect(c.type, `${view}.${c.name}`).toMatch(/^TEXT$/i);
        // Post metrics hold fractions too (average_view_percentage): REAL, so DuckDB reads one type.
        if (view === 'v_post_metrics' && c.name === 'value') expect(c.type, `${view}.${c.name}`).toMatch(/^REAL$/i);
        else if (['time', 'value', 'impressions', 'followers', 'reach', 'profile_views', 'likes', 'comments', 'shares', 'saves'].includes(c.name)) expect(c.type, `${view}.${c.name}`).toMatch(integer);
      }
    }
    for (const view of ['v_daily_metrics', 'v_daily_impressions', 'v_monthly_impressions', 'v_timeseries', 'v_post_metrics']) expect(all.get(view)!.map((c) => c.name)).toContain('time');
  });

  // Its twin without the shell: 'declare a type for every column' above, through better-sqlite3.
  it.skipIf(skipWithout(SHELL))('keep the declared types of plain columns in the sqlite3 shell, whatever its SQLite version', async () => {
    if (!SHELL) throw new Error('CI=true requires the sqlite3 shell (.ci/run installs it)');
    for (const [view, cols] of views()) {
      const shell = await sqliteShell(bi.dbPath, `SELECT name, type FROM pragma_table_info('${view}')`);
      const [version] = await sqliteShell(bi.dbPath, 'SELECT sqlite_version() AS v');
      const modern = String(version!.v).localeCompare('3.41.0', undefined, { numeric: true }) >= 0;
      // Before 3.41 SQLite types only plain column references; the docs list the computed ones.
      const computed = new Set(['time', 'observed_at', 'replaced_at', 'valid_from', 'valid_to']);
      for (const c of shell) {
        const pivoted = view === 'v_latest_snapshot' && !['profile_username', 'platform'].includes(String(c.name));
        const mayBeEmpty = !modern && (computed.has(String(c.name)) || pivoted);
        if (!mayBeEmpty) expect(c.type, `${view}.${c.name} in sqlite3 ${version!.v}`).not.toBe('');
      }
      expect(shell.map((c) => c.name)).toEqual(cols.map((c) => c.name));
    }
  });
});
