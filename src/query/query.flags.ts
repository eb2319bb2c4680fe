/** The query flags shared by `upw impressions` and `upw verify`, mapped one to one onto the API's parameters. */
import type { ImpressionsQuery } from './impressions.types.js';

export const QUERY_OPTIONS = {
  date: { type: 'string' },
  'start-date': { type: 'string' },
  'end-date': { type: 'string' },
  period: { type: 'string' },
  platform: { type: 'string' },
  breakdown: { type: 'boolean', default: false },
  metrics: { type: 'string' },
  'as-of': { type: 'string' },
  source: { type: 'string' },
  // The only common flags these commands read; --platforms (what to poll) would be a trap beside --platform.
  config: { type: 'string' },
  db: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export const QUERY_HELP = `Query flags (the API's parameters):
  --date D                 one day (YYYY-MM-DD); wins over everything else
  --start-date D           first day (default: today-30)
  --end-date D             last day (default: today)
  --period P               last_day | last_week | last_month | last_3months | last_year
                           (1, 7, 30, 90, 365 days back from today; overrides start/end)
  --platform a,b           only these platforms
  --breakdown              per platform and per day
  --metrics a,b            sum these metrics instead of total impressions
                           (followers, reach, views, impressions, likes, comments, shares,
                            saves, profileViews, video_count, following, pin_clicks, outbound_clicks)
  --as-of D                what "today" is (default: the server's today, in serverTimezone)
  --source S               snapshots (default: the API's arithmetic) | timeseries (daily reach series)

Other flags:
  --config FILE            config file (default: collector.config.ts here, if present)
  --db FILE                database file (default: UPW_DB, else the config's database)
  --json                   machine output on stdout
  -h, --help               this help`;

export interface QueryFlagValues {
  date?: string | undefined;
  'start-date'?: string | undefined;
  'end-date'?: string | undefined;
  period?: string | undefined;
  platform?: string | undefined;
  breakdown?: boolean | undefined;
  metrics?: string | undefined;
  'as-of'?: string | undefined;
  source?: string | undefined;
}

/** Flags → the library's query; `timezone` decides today unless --as-of. */
export function queryFromFlags(v: QueryFlagValues, timezone: string): ImpressionsQuery {
  const q: ImpressionsQuery = { timezone };
  if (v.date !== undefined) q.date = v.date;
  if (v['start-date'] !== undefined) q.start_date = v['start-date'];
  if (v['end-date'] !== undefined) q.end_date = v['end-date'];
  if (v.period !== undefined) q.period = v.period;
  if (v.platform !== undefined) q.platform = v.platform;
  if (v.breakdown) q.breakdown = true;
  if (v.metrics !== undefined) q.metrics = v.metrics;
  if (v['as-of'] !== undefined) q.as_of = v['as-of'];
  if (v.source !== undefined) q.source = v.source;
  return q;
}
