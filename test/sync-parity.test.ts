/**
 * The views in PostgreSQL add up to what `upw impressions` answers from the
 * warehouse file, for every profile and a spread of ranges: default mode
 * across dated rule changes (v_daily_impressions, and by month
 * v_monthly_impressions), metrics mode
 * (v_daily_metrics) and the time series (v_timeseries). The warehouse is
 * filled by the real backfill and collect from the simulator, then synced by
 * the real `upw sync`.
 */
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { addDays, eachDay } from '../src/dates.js';
import { totalImpressions } from '../src/query/impressions.usecases.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { openWarehouse, type Warehouse } from '../src/store/warehouse.js';
import { runCli, tempDir } from './helpers.js';
import { beforeAllPg, describePg, freshDatabase, query } from './support/postgres.js';
import { simEnv, writeConfig } from './support/upw-process.js';

const TODAY = '2026-03-15';
const SINCE = '2025-11-01';
const NOW = `${TODAY}T12:00:00Z`;
const PROFILES = ['alpha', 'beta', 'gamma'];
const METRICS = ['likes', 'followers', 'reach', 'views', 'impressions', 'comments'];

let sim: Simulator;
let wh: Warehouse;
const dir = tempDir();
const db = join(dir, 'w.sqlite');
const pg = freshDatabase();

type Sums = { total: number; perPlatform: Record<string, number>; perDay: Record<string, number> };

/** Sum rows of (key, platform, day, value) the way the API's breakdown does. */
function sums(rows: Array<{ k: string; platform: string; day: string; value: number }>, keys: string[]): Map<string, Sums> {
  const out = new Map(keys.map((k) => [k, { total: 0, perPlatform: {}, perDay: {} } as Sums]));
  for (const r of rows) {
    const s = out.get(r.k)!;
    s.total += r.value;
    s.perPlatform[r.platform] = (s.perPlatform[r.platform] ?? 0) + r.value;
    s.perDay[r.day] = (s.perDay[r.day] ?? 0) + r.value;
  }
  return out;
}

const sorted = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
const numbers = <T extends Record<string, unknown>>(rows: T[]) => rows.map((r) => ({ ...r, value: Number(r.value) })) as Array<T & { value: number }>;

describePg('the PostgreSQL views against upw impressions', () => {
  beforeAllPg(async () => {
    sim = await startSimulator({
      seed: 17,
      now: () => new Date(NOW),
      profiles: [
        { username: 'alpha', platforms: ['instagram', 'facebook', 'youtube', 'bluesky', 'x'] },
        { username: 'beta', platforms: ['tiktok', 'pinterest', 'threads', 'linkedin'] },
        { username: 'gamma', platforms: ['instagram', 'reddit'], createdAt: '2026-01-20T08:00:00Z' },
      ],
    });
    // Dated rule changes inside the range: the views must count each day by its own rule.
    sim.world.setRule('instagram', { primary_impressions_field: 'impressions' }, '2026-01-10');
    sim.world.setRule('instagram', { primary_impressions_field: 'reach' }, '2026-02-20');
    sim.world.setRule('bluesky', { primary_impressions_field: 'likes' }, '2026-03-01');
    const config = writeConfig(dir, { profiles: 'all', posts: { track: false } });
    const env = simEnv(sim, { UPW_NOW: NOW });
    for (const args of [['backfill', '--since', SINCE, '--until', TODAY], ['collect'], ['sync', '--to', pg.url()]]) {
      const r = await runCli([...args, '--config', config, '--db', db], { env });
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(0);
    }
    wh = openWarehouse(db, { readonly: true });
  });
  afterAll(async () => {
    wh?.close();
    await sim?.close();
  });

  // Single days, both ends, the rule changes, gamma's creation, long and short spans, and a generated spread.
  const days = eachDay(SINCE, TODAY);
  const ranges: Array<[string, string]> = [
    [SINCE, TODAY],
    [TODAY, TODAY],
    [SINCE, SINCE],
    ['2026-01-05', '2026-01-15'],
    ['2026-02-15', '2026-02-25'],
    ['2026-02-25', '2026-03-05'],
    ['2026-01-19', '2026-01-21'],
    [addDays(TODAY, -29), TODAY],
  ];
  for (let i = 0; i < 16; i++) {
    const a = days[(i * 41) % days.length]!;
    const b = days[(i * 67 + 13) % days.length]!;
    ranges.push(a < b ? [a, b] : [b, a]);
  }

  it('v_daily_impressions adds up to total_impressions, per platform and per day, for every profile and range', async () => {
    for (const profile of PROFILES) {
      for (const [start, end] of ranges) {
        const rows = numbers(
          await query<{ k: string; platform: string; day: string; value: string }>(
            pg.url(),
            "SELECT '' AS k, platform, day::text AS day, impressions AS value FROM upw.v_daily_impressions WHERE account = 'default' AND profile_username = $1 AND day BETWEEN $2 AND $3",
            [profile, start, end],
          ),
        );
        const s = sums(rows, [''])!.get('')!;
        // Not two empty answers agreeing: the whole range holds counts for every profile.
        if (start === SINCE && end === TODAY) expect(s.total, profile).toBeGreaterThan(0);
        const answer = totalImpressions(wh, profile, { start_date: start, end_date: end, breakdown: true, as_of: TODAY });
        expect({ total: s.total, perPlatform: sorted(s.perPlatform), perDay: sorted(s.perDay) }, `${profile} ${start}…${end}`).toEqual({
          total: answer.total_impressions,
          perPlatform: sorted(answer.per_platform!),
          perDay: sorted(answer.per_day!),
        });
      }
    }
  });

  it('v_daily_metrics adds up to metrics mode, per platform and per day', async () => {
    for (const profile of PROFILES) {
      for (const [start, end] of ranges) {
        const rows = numbers(
          await query<{ k: string; platform: string; day: string; value: string }>(
            pg.url(),
            "SELECT metric AS k, platform, day::text AS day, value FROM upw.v_daily_metrics WHERE account = 'default' AND profile_username = $1 AND day BETWEEN $2 AND $3 AND metric = ANY($4)",
            [profile, start, end, METRICS],
          ),
        );
        const s = sums(rows, METRICS);
        const answer = totalImpressions(wh, profile, { start_date: start, end_date: end, breakdown: true, metrics: METRICS.join(','), as_of: TODAY }) as {
          metrics: Record<string, number>;
          per_platform: Record<string, Record<string, number>>;
          per_day: Record<string, Record<string, number>>;
        };
        for (const m of METRICS) {
          const got = s.get(m)!;
          if (start === SINCE && end === TODAY && m === 'likes') expect(got.total, profile).toBeGreaterThan(0);
          const where = `${profile} ${m} ${start}…${end}`;
          expect(got.total, where).toBe(answer.metrics[m]);
          expect(sorted(got.perPlatform), where).toEqual(sorted(answer.per_platform[m]!));
          expect(sorted(got.perDay), where).toEqual(sorted(answer.per_day[m]!));
        }
      }
    }
  });

  it('v_monthly_impressions adds up to total_impressions over each whole month, and reads as the file\'s own view', async () => {
    const rows = await query<{ profile_username: string; platform: string; month: string; impressions: string; days: string }>(
      pg.url(),
      "SELECT profile_username, platform, month, impressions, days FROM upw.v_monthly_impressions WHERE account = 'default' ORDER BY 1, 2, 3",
    );
    // Computed in PostgreSQL from daily_impressions; SQLite keeps a rollup by trigger. Same rows.
    const file = wh.sqlite.prepare('SELECT profile_username, platform, month, impressions, days FROM v_monthly_impressions ORDER BY 1, 2, 3').all();
    expect(rows.map((r) => ({ ...r, impressions: Number(r.impressions), days: Number(r.days) }))).toEqual(file);
    const months = [...new Set(eachDay(SINCE, TODAY).map((d) => d.slice(0, 7)))];
    expect(months.length).toBeGreaterThan(4);
    for (const profile of PROFILES) {
      for (const month of months) {
        const first = `${month}-01`;
        const last = addDays(`${addDays(first, 31).slice(0, 7)}-01`, -1);
        const answer = totalImpressions(wh, profile, { start_date: first, end_date: last < TODAY ? last : TODAY, breakdown: true, as_of: TODAY });
        const mine = rows.filter((r) => r.profile_username === profile && r.month === month);
        const perPlatform = Object.fromEntries(mine.map((r) => [r.platform, Number(r.impressions)]).filter(([, n]) => n !== 0));
        expect(mine.reduce((a, r) => a + Number(r.impressions), 0), `${profile} ${month}`).toBe(answer.total_impressions);
        expect(sorted(perPlatform), `${profile} ${month}`).toEqual(sorted(Object.fromEntries(Object.entries(answer.per_platform!).filter(([, n]) => n !== 0))));
      }
    }
  });

  it("v_timeseries adds up to the dashboard's arithmetic (--source timeseries)", async () => {
    for (const profile of PROFILES) {
      for (const [start, end] of ranges) {
        const rows = numbers(
          await query<{ k: string; platform: string; day: string; value: string }>(
            pg.url(),
            "SELECT '' AS k, platform, day::text AS day, value FROM upw.v_timeseries WHERE account = 'default' AND profile_username = $1 AND day BETWEEN $2 AND $3 AND series = 'reach'",
            [profile, start, end],
          ),
        );
        const s = sums(rows, [''])!.get('')!;
        const answer = totalImpressions(wh, profile, { start_date: start, end_date: end, breakdown: true, source: 'timeseries', as_of: TODAY });
        expect({ total: s.total, perPlatform: sorted(s.perPlatform), perDay: sorted(s.perDay) }, `${profile} ${start}…${end}`).toEqual({
          total: answer.total_impressions,
          perPlatform: sorted(answer.per_platform!),
          perDay: sorted(answer.per_day!),
        });
      }
    }
  });
});
