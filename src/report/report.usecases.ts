/**
 * `upw report`: gather what the HTML report shows. The totals are the query
 * module's own answer (the numbers `upw impressions --json` prints), and the
 * stacked daily chart is made of the same function's per-platform answers,
 * so the bars add up to the table, with one exception said on the chart:
 * Facebook's snapshot values are rolling 30-day totals, which stacked day by
 * day would fill most of the chart with the same days counted thirty times;
 * it is drawn from its daily time series (`--source timeseries`) instead.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { eachDay } from '../dates.js';
import { BadInputError, ProfileNotFoundError } from '../errors.js';
import { resolveQuery } from '../query/impressions.query.js';
import type { ImpressionsQuery, TotalImpressionsAnswer } from '../query/impressions.types.js';
import { explainImpressions, totalImpressions } from '../query/impressions.usecases.js';
import { followerSeries, profilesWithSnapshots, topPostsByViews, type FollowerSeries, type TopPost } from '../store/report.repository.js';
import type { Warehouse } from '../store/warehouse.js';

export interface ReportInput {
  wh: Warehouse;
  /** Default: every profile holding snapshots. */
  profiles?: readonly string[];
  start_date?: string;
  end_date?: string;
  as_of?: string;
  /** Decides "today" (and so the default range) unless as_of. */
  timezone?: string;
  /** How many post-platforms the top-posts table lists. */
  topPosts?: number;
  clock?: () => Date;
}

export interface PlatformDays {
  platform: string;
  /** Only days that had a value, as per_day answers them. */
  perDay: Record<string, number>;
  /** snapshots: the API's arithmetic, as the totals table; timeseries: the platform's daily series. */
  source: 'snapshots' | 'timeseries';
}

/** Platforms whose snapshot values are rolling 30-day totals (impressions.warnings.ts says why they mislead). */
export const ROLLING_SNAPSHOTS: readonly string[] = ['facebook'];

export interface ProfileReport {
  profile: string;
  /** Exactly `totalImpressions(wh, profile, { start_date, end_date, breakdown: true })`. */
  totals: TotalImpressionsAnswer;
  warnings: string[];
  /** The daily chart's stacks; a rolling platform without a daily series in the range is left out. */
  impressions: PlatformDays[];
  /** Rolling platforms left out of the daily chart: no daily series in the range. */
  leftOut: string[];
  followers: FollowerSeries[];
  topPosts: TopPost[];
}

export interface ReportData {
  start: string;
  end: string;
  today: string;
  generatedAt: string;
  database: string;
  /** Every day of the range, the charts' x axis. */
  days: string[];
  profiles: ProfileReport[];
}

function asTotals(answer: ReturnType<typeof totalImpressions>): TotalImpressionsAnswer {
  // Default mode (no metrics) always answers total_impressions.
  if (!('total_impressions' in answer)) throw new Error('report: expected a total_impressions answer');
  return answer;
}

/** Everything the report shows, for each profile. Bad dates throw BadInputError naming them. */
export function buildReport(input: ReportInput): ReportData {
  const { wh } = input;
  const base: ImpressionsQuery = {
    ...(input.start_date !== undefined && { start_date: input.start_date }),
    ...(input.end_date !== undefined && { end_date: input.end_date }),
    ...(input.as_of !== undefined && { as_of: input.as_of }),
    ...(input.timezone !== undefined && { timezone: input.timezone }),
  };
  const range = resolveQuery(base, input.clock);
  // The resolved range, spelled out: every call below answers for exactly these days.
  const query: ImpressionsQuery = { ...base, start_date: range.start, end_date: range.end, breakdown: true };
  const profiles = input.profiles?.length ? [...new Set(input.profiles)] : profilesWithSnapshots(wh);
  if (profiles.length === 0) throw new BadInputError(`the warehouse ${wh.path} holds no profile with data yet (run upw collect or upw backfill first)`);

  const reports = profiles.map((profile): ProfileReport => {
    const explained = explainImpressions(wh, profile, query, input.clock);
    const totals = asTotals(explained.answer);
    const impressions: PlatformDays[] = [];
    const leftOut: string[] = [];
    for (const platform of Object.keys(totals.per_platform ?? {})) {
      if (!ROLLING_SNAPSHOTS.includes(platform)) {
        impressions.push({ platform, perDay: asTotals(totalImpressions(wh, profile, { ...query, platform })).per_day ?? {}, source: 'snapshots' });
        continue;
      }
      const perDay = dailySeries(wh, profile, query, platform);
      if (Object.keys(perDay).length > 0) impressions.push({ platform, perDay, source: 'timeseries' });
      else leftOut.push(platform);
    }
    return {
      profile,
      totals,
      warnings: explained.warnings,
      impressions,
      leftOut,
      followers: followerSeries(wh, profile, range.start, range.end),
      topPosts: topPostsByViews(wh, profile, range.start, range.end, input.topPosts ?? 10),
    };
  });
  return {
    start: range.start,
    end: range.end,
    today: range.today,
    generatedAt: (input.clock ?? (() => new Date()))().toISOString(),
    database: wh.path,
    days: eachDay(range.start, range.end),
    profiles: reports,
  };
}

/** A platform's daily series over the range, by the query module's --source timeseries arithmetic. */
function dailySeries(wh: Warehouse, profile: string, query: ImpressionsQuery, platform: string): Record<string, number> {
  try {
    return asTotals(totalImpressions(wh, profile, { ...query, platform, source: 'timeseries' })).per_day ?? {};
  } catch (error) {
    // A profile with snapshots but no series at all is "not found" to a timeseries query: nothing to draw.
    if (error instanceof ProfileNotFoundError) return {};
    throw error;
  }
}

let chartJs: string | undefined;

/**
 * Chart.js's UMD build, read from the installed package to be inlined in a
 * <script>: the report must open with no network. Its source-map comment is
 * dropped (the map is not shipped), and a `</script` could end the element early.
 */
export function chartJsSource(): string {
  if (chartJs === undefined) {
    const entry = createRequire(import.meta.url).resolve('chart.js');
    const text = readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
    chartJs = text.replace(/\n\/\/# sourceMappingURL=[^\n]*\n?$/, '\n').replaceAll('</script', '<\\/script');
  }
  return chartJs;
}
