/**
 * Offline against live, as the SPEC promises it: `upw impressions --json`
 * prints exactly the JSON the live total-impressions endpoint answers, so the
 * two are compared as serialized text (key order pinned), and every BI view
 * adds up to what the query module says.
 */
import type Database from 'better-sqlite3';
import { totalImpressions } from '../../src/query/impressions.usecases.js';
import type { ImpressionsAnswer, ImpressionsQuery } from '../../src/query/impressions.types.js';
import type { Simulator } from '../../src/simulator/index.js';
import type { Warehouse } from '../../src/store/warehouse.js';

/** The live answer's body exactly as the simulator sent it, and its status. */
export async function liveText(sim: Simulator, profile: string, query: Record<string, string>): Promise<{ status: number; text: string }> {
  const url = new URL(`${sim.url}/uploadposts/total-impressions/${profile}`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const response = await fetch(url, { headers: { Authorization: 'Apikey demo-key' } });
  return { status: response.status, text: await response.text() };
}

/** The offline answer serialized as the simulator serializes (compact JSON, insertion order). */
export function offlineText(wh: Warehouse, profile: string, query: Record<string, string>, today: string): string {
  return JSON.stringify(totalImpressions(wh, profile, { ...query, as_of: today } as ImpressionsQuery));
}

/** `upw impressions --json` output, re-serialized compactly: parsing keeps key order. */
export function compact(jsonText: string): string {
  return JSON.stringify(JSON.parse(jsonText));
}

export interface ViewSums {
  total: number;
  perPlatform: Record<string, number>;
  perDay: Record<string, number>;
}

/**
 * What a BI tool adds from the views for one profile, range and platform
 * filter: v_daily_impressions' `impressions` (default mode), v_daily_metrics'
 * `value` of one metric, or v_timeseries' `value` of one series (the
 * dashboard's arithmetic). Keys sorted as the API sorts them.
 */
export function viewSums(db: Database.Database, view: { impressions: true } | { metric: string } | { series: string }, profile: string, start: string, end: string, platforms?: string[]): ViewSums {
  const source =
    'impressions' in view
      ? { sql: 'SELECT platform, day, impressions AS value FROM v_daily_impressions WHERE profile_username = ? AND day BETWEEN ? AND ?', args: [] as string[] }
      : 'series' in view
        ? { sql: 'SELECT platform, day, value FROM v_timeseries WHERE profile_username = ? AND day BETWEEN ? AND ? AND series = ?', args: [view.series] }
        : { sql: 'SELECT platform, day, value FROM v_daily_metrics WHERE profile_username = ? AND day BETWEEN ? AND ? AND metric = ?', args: [view.metric] };
  const rows = db.prepare(source.sql).all(profile, start, end, ...source.args) as Array<{ platform: string; day: string; value: number }>;
  const sums: ViewSums = { total: 0, perPlatform: {}, perDay: {} };
  for (const r of rows) {
    if (platforms && !platforms.includes(r.platform)) continue;
    sums.total += r.value;
    sums.perPlatform[r.platform] = (sums.perPlatform[r.platform] ?? 0) + r.value;
    sums.perDay[r.day] = (sums.perDay[r.day] ?? 0) + r.value;
  }
  const sorted = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { total: sums.total, perPlatform: sorted(sums.perPlatform), perDay: sorted(sums.perDay) };
}

/** The same three numbers taken from a query answer with breakdown, for one key (total_impressions or a metric). */
export function answerSums(answer: ImpressionsAnswer, metric?: string): ViewSums {
  const a = answer as unknown as Record<string, unknown>;
  const pick = <T>(v: unknown): T => (metric === undefined ? v : (v as Record<string, unknown>)[metric]) as T;
  return {
    total: metric === undefined ? (a.total_impressions as number) : (a.metrics as Record<string, number>)[metric]!,
    perPlatform: pick<Record<string, number>>(a.per_platform),
    perDay: pick<Record<string, number>>(a.per_day),
  };
}
