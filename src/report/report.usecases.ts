/**
 * `upw report`: gather what the HTML report shows. The totals are the query
 * module's own answer (the numbers `upw impressions --json` prints), and the
 * stacked daily chart is made of the same function's per-platform answers,
 * so the bars always add up to the table.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { eachDay } from '../dates.js';
import { BadInputError } from '../errors.js';
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
}

export interface ProfileReport {
  profile: string;
  /** Exactly `totalImpressions(wh, profile, { start_date, end_date, breakdown: true })`. */
  totals: TotalImpressionsAnswer;
  warnings: string[];
  impressions: PlatformDays[];
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
    const impressions = Object.keys(totals.per_platform ?? {}).map((platform) => ({
      platform,
      perDay: asTotals(totalImpressions(wh, profile, { ...query, platform })).per_day ?? {},
    }));
    return {
      profile,
      totals,
      warnings: explained.warnings,
      impressions,
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
