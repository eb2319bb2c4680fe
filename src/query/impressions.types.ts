/** The shapes of a total-impressions query and of its answer, named as the API names them. */

/** Where the daily values come from: the stored daily snapshots (the API's arithmetic) or the `reach` time series. */
export type ImpressionsSource = 'snapshots' | 'timeseries';

/** A query in the API's own parameter names, plus `as_of`, `source` and `timezone`. */
export interface ImpressionsQuery {
  /** One day, YYYY-MM-DD; wins over everything else. */
  date?: string;
  start_date?: string;
  end_date?: string;
  /** last_day, last_week, last_month, last_3months or last_year; overrides start/end. */
  period?: string;
  /** Comma list of platforms to keep. */
  platform?: string;
  /** true (or the string 'true', as in a query string) adds per_platform and per_day. */
  breakdown?: boolean | string;
  /** Comma list of metric names: answers `metrics` instead of `total_impressions`. */
  metrics?: string;
  /** What "today" is (YYYY-MM-DD); default: the current date in `timezone`. */
  as_of?: string;
  /** Default 'snapshots'. */
  source?: ImpressionsSource | string;
  /** IANA zone deciding today when `as_of` is absent; default UTC. */
  timezone?: string;
}

/** The query after validation: a closed day range and plain flags. */
export interface ResolvedQuery {
  start: string;
  end: string;
  today: string;
  /** The parsed `platform` list (trimmed, lower-cased, empties dropped), or undefined when not given. */
  platforms: string[] | undefined;
  breakdown: boolean;
  /** The metric names in first-seen order; undefined in default mode (an empty list is default mode too). */
  metrics: string[] | undefined;
  source: ImpressionsSource;
}

interface AnswerHead {
  success: true;
  profile_username: string;
  start_date: string;
  end_date: string;
}

/** Default mode: one impressions field per platform and day. */
export interface TotalImpressionsAnswer extends AnswerHead {
  total_impressions: number;
  platforms_filter?: string[];
  per_platform?: Record<string, number>;
  per_day?: Record<string, number>;
}

/** Metrics mode: the same sums for each requested metric, breakdowns nested by metric. */
export interface MetricsAnswer extends AnswerHead {
  metrics: Record<string, number>;
  platforms_filter?: string[];
  per_platform?: Record<string, Record<string, number>>;
  per_day?: Record<string, Record<string, number>>;
}

/** Exactly the object GET /uploadposts/total-impressions answers with 200. */
export type ImpressionsAnswer = TotalImpressionsAnswer | MetricsAnswer;

/** The answer plus what the CLI tells a reader beside it. */
export interface ExplainedImpressions {
  answer: ImpressionsAnswer;
  /** One line each: where the arithmetic is known to mislead, or a platform added nothing for want of a rule. */
  warnings: string[];
  query: ResolvedQuery;
}
