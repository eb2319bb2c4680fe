/**
 * The whole warehouse schema. Only `src/store/` imports this (and drizzle).
 * BI views are plain SQL in drizzle/ migrations, not here.
 */
import { blob, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const profilesTable = sqliteTable('profiles', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  username: text('username').notNull().unique(),
  createdAt: text('created_at'),
  firstSeenAt: text('first_seen_at').notNull(),
});

export const runsTable = sqliteTable(
  'runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: ['collect', 'backfill', 'sync'] }).notNull(),
    status: text('status', { enum: ['running', 'ok', 'partial', 'failed'] }).notNull(),
    /** The server's day (serverTimezone) when the run started. */
    day: text('day'),
    /** The days a backfill run imported (its first range's start, its last range's end). */
    since: text('since'),
    until: text('until'),
    startedAt: text('started_at').notNull(),
    finishedAt: text('finished_at'),
    pid: integer('pid'),
    requests: integer('requests').notNull().default(0),
    retries: integer('retries').notNull().default(0),
    rateLimited: integer('rate_limited').notNull().default(0),
    profilesOk: integer('profiles_ok').notNull().default(0),
    profilesFailed: integer('profiles_failed').notNull().default(0),
    platformsOk: integer('platforms_ok').notNull().default(0),
    platformsFailed: integer('platforms_failed').notNull().default(0),
    valuesWritten: integer('values_written').notNull().default(0),
    message: text('message'),
  },
  (t) => [index('runs_kind_started_idx').on(t.kind, t.startedAt)],
);

export const runErrorsTable = sqliteTable(
  'run_errors',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: integer('run_id').notNull().references(() => runsTable.id, { onDelete: 'cascade' }),
    profile: text('profile'),
    platform: text('platform'),
    kind: text('kind').notNull(),
    status: integer('status'),
    message: text('message').notNull(),
    /** The answer's field a bad value came in, and that value as received. */
    field: text('field'),
    rawValue: text('raw_value'),
    at: text('at').notNull(),
  },
  (t) => [index('run_errors_run_idx').on(t.runId)],
);

/**
 * Every API answer as received, compressed (raw.codec.ts, raw.repository.ts):
 * the normalized tables can be rebuilt from these. A `delta` body is stored
 * against `base_id`, an earlier answer of the same endpoint and profile that is
 * itself stored alone (`deflate`). Answers of versions before 0006 wait as text
 * in `raw_responses_legacy` until a writer compresses them.
 */
export const rawResponsesTable = sqliteTable(
  'raw_responses',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: integer('run_id').references(() => runsTable.id, { onDelete: 'set null' }),
    endpoint: text('endpoint').notNull(),
    profile: text('profile'),
    params: text('params').notNull(),
    status: integer('status'),
    receivedAt: text('received_at').notNull(),
    /** Unix seconds of the server's Date header (of receipt without one): the server day `upw raw --day` selects. */
    servedAt: integer('served_at').notNull(),
    /** Bytes of the body as received. */
    size: integer('size').notNull(),
    codec: text('codec', { enum: ['deflate', 'delta'] }).notNull(),
    baseId: integer('base_id'),
    body: blob('body', { mode: 'buffer' }).notNull(),
  },
  // series_idx finds a series' latest base (base_id IS NULL) and a profile's answers; served_idx a day's.
  (t) => [index('raw_responses_series_idx').on(t.profile, t.endpoint, t.baseId), index('raw_responses_served_idx').on(t.servedAt)],
);

/**
 * A series is one named daily quantity of one profile's platform: a snapshot
 * metric (`followers`) or a time series (`reach`). Values hang off its id so
 * the hot table stays narrow.
 */
export const seriesTable = sqliteTable(
  'series',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    profileId: integer('profile_id').notNull().references(() => profilesTable.id, { onDelete: 'cascade' }),
    platform: text('platform').notNull(),
    kind: text('kind', { enum: ['snapshot', 'timeseries'] }).notNull(),
    name: text('name').notNull(),
  },
  (t) => [uniqueIndex('series_key_idx').on(t.profileId, t.platform, t.kind, t.name)],
);

/**
 * One current value per (series, day). WITHOUT ROWID in the migration: the
 * primary key is the only access path. `value` has INTEGER affinity: counts
 * stay integers, the odd fractional metric is kept exactly as REAL.
 * `observed_at` is Unix seconds (views render it as ISO text).
 */
export const dailyValuesTable = sqliteTable(
  'daily_values',
  {
    seriesId: integer('series_id').notNull().references(() => seriesTable.id, { onDelete: 'cascade' }),
    day: text('day').notNull(),
    value: integer('value').notNull(),
    source: text('source', { enum: ['collect', 'backfill'] }).notNull(),
    observedAt: integer('observed_at').notNull(),
    /** The run that last wrote the value (NULL before 0003): what an incremental sync ships. */
    runId: integer('run_id'),
  },
  (t) => [primaryKey({ columns: [t.seriesId, t.day] })],
);

/** Every value a later write replaced, filled by a trigger on daily_values. */
export const valueRevisionsTable = sqliteTable(
  'value_revisions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    seriesId: integer('series_id').notNull().references(() => seriesTable.id, { onDelete: 'cascade' }),
    day: text('day').notNull(),
    value: integer('value').notNull(),
    source: text('source', { enum: ['collect', 'backfill'] }).notNull(),
    observedAt: integer('observed_at').notNull(),
    replacedAt: integer('replaced_at').notNull(),
    /** The run that had written the replaced value. */
    runId: integer('run_id'),
  },
  (t) => [index('value_revisions_key_idx').on(t.seriesId, t.day)],
);

/**
 * What the server counted per (profile, platform, day) in total-impressions'
 * default mode, and through which field. One row per day the warehouse holds a
 * snapshot of that platform, so it is also the coverage record. `value` is
 * NULL when nothing was counted that day (the field was absent, or no rule is
 * known); `primary_field` is NULL when the server's count is known but not the
 * field it came from. Written in the same transaction as the snapshot values.
 */
export const dailyImpressionsTable = sqliteTable(
  'daily_impressions',
  {
    profileId: integer('profile_id').notNull().references(() => profilesTable.id, { onDelete: 'cascade' }),
    platform: text('platform').notNull(),
    day: text('day').notNull(),
    value: integer('value'),
    primaryField: text('primary_field'),
    metricType: text('metric_type'),
    source: text('source', { enum: ['collect', 'backfill'] }).notNull(),
    observedAt: integer('observed_at').notNull(),
    runId: integer('run_id'),
  },
  (t) => [primaryKey({ columns: [t.profileId, t.platform, t.day] })],
);

/**
 * daily_impressions summed per month, kept by triggers on daily_impressions in
 * the same statement as every write there (drizzle/0007), so a portfolio query
 * (all profiles, a year, by platform) reads 12 rows per profile and platform
 * instead of 365. Days whose count is NULL add nothing and are not counted in
 * `days`; a row whose `days` falls to 0 is deleted.
 */
export const monthlyImpressionsTable = sqliteTable(
  'monthly_impressions',
  {
    /** `YYYY-MM`, the months of daily_impressions.day. */
    month: text('month').notNull(),
    profileId: integer('profile_id').notNull().references(() => profilesTable.id, { onDelete: 'cascade' }),
    platform: text('platform').notNull(),
    impressions: integer('impressions').notNull(),
    days: integer('days').notNull(),
  },
  // Month first: portfolio queries ask for a range of months across every profile.
  (t) => [primaryKey({ columns: [t.month, t.profileId, t.platform] })],
);

/**
 * Which profile and days each run wrote: an incremental sync reads the rows of
 * those (profile, day range) pairs instead of scanning every table.
 */
export const runChangesTable = sqliteTable(
  'run_changes',
  {
    runId: integer('run_id').notNull(),
    profileId: integer('profile_id').notNull(),
    fromDay: text('from_day').notNull(),
    toDay: text('to_day').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.profileId] })],
);

/** Instagram's audience breakdowns per day: `follower_demographics` and `engaged_audience_demographics`. */
export const demographicsTable = sqliteTable(
  'demographics',
  {
    profileId: integer('profile_id').notNull().references(() => profilesTable.id, { onDelete: 'cascade' }),
    platform: text('platform').notNull(),
    day: text('day').notNull(),
    /** `follower` or `engaged`. */
    audience: text('audience').notNull(),
    /** `age`, `gender`, `country`, `city`, or whatever else the answer breaks down by. */
    dimension: text('dimension').notNull(),
    segment: text('segment').notNull(),
    value: integer('value').notNull(),
    observedAt: integer('observed_at').notNull(),
    runId: integer('run_id'),
  },
  (t) => [primaryKey({ columns: [t.profileId, t.platform, t.day, t.audience, t.dimension, t.segment] })],
);

/**
 * The effective rule per platform, dated: a row holds from `valid_from` until
 * the next row's `valid_from`. Already merged (answer > platform-metrics > defaults).
 */
export const platformRulesTable = sqliteTable(
  'platform_rules',
  {
    platform: text('platform').notNull(),
    validFrom: text('valid_from').notNull(),
    primaryField: text('primary_field'),
    metricType: text('metric_type'),
    availableMetrics: text('available_metrics', { mode: 'json' }).$type<string[]>(),
    metricLabels: text('metric_labels', { mode: 'json' }).$type<Record<string, string>>(),
    /** `backfill`: learned from the server's daily counts (which field matched each day). */
    source: text('source', { enum: ['answer', 'platform-metrics', 'default', 'backfill'] }).notNull(),
    observedAt: text('observed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.validFrom] })],
);

/** The last `/uploadposts/platform-metrics` answer, per platform. */
export const platformMetricsCacheTable = sqliteTable('platform_metrics_cache', {
  platform: text('platform').primaryKey(),
  primaryField: text('primary_field'),
  availableMetrics: text('available_metrics', { mode: 'json' }).$type<string[]>(),
  metricLabels: text('metric_labels', { mode: 'json' }).$type<Record<string, string>>(),
  fetchedAt: text('fetched_at').notNull(),
});

export const postsTable = sqliteTable(
  'posts',
  {
    requestId: text('request_id').primaryKey(),
    profileId: integer('profile_id').notNull().references(() => profilesTable.id, { onDelete: 'cascade' }),
    title: text('title'),
    caption: text('caption'),
    mediaType: text('media_type'),
    uploadTimestamp: text('upload_timestamp'),
    firstSeenAt: text('first_seen_at').notNull(),
    /** Day of the last successful post-analytics read; the oldest go first next run. */
    lastCheckedDay: text('last_checked_day'),
    runId: integer('run_id'),
  },
  (t) => [index('posts_profile_idx').on(t.profileId, t.uploadTimestamp)],
);

export const postPlatformsTable = sqliteTable(
  'post_platforms',
  {
    requestId: text('request_id').notNull().references(() => postsTable.requestId, { onDelete: 'cascade' }),
    platform: text('platform').notNull(),
    platformPostId: text('platform_post_id'),
    postUrl: text('post_url'),
    lastError: text('last_error'),
    lastErrorDay: text('last_error_day'),
    /** `post_metrics_source` of the last answer (`platform_api`). */
    metricsSource: text('metrics_source'),
    runId: integer('run_id'),
  },
  (t) => [primaryKey({ columns: [t.requestId, t.platform] })],
);

export const postMetricsTable = sqliteTable(
  'post_metrics',
  {
    requestId: text('request_id').notNull().references(() => postsTable.requestId, { onDelete: 'cascade' }),
    platform: text('platform').notNull(),
    day: text('day').notNull(),
    metric: text('metric').notNull(),
    /** REAL: post metrics include fractions (average_view_percentage, full_video_watched_rate). */
    value: real('value').notNull(),
    observedAt: integer('observed_at').notNull(),
    runId: integer('run_id'),
  },
  (t) => [primaryKey({ columns: [t.requestId, t.platform, t.day, t.metric] })],
);

/**
 * The profile snapshots post-analytics sends with each platform of a post:
 * `at_post_date` (the day of the post) and `latest` (its
 * `profile_snapshot_latest_date`).
 */
export const postProfileSnapshotsTable = sqliteTable(
  'post_profile_snapshots',
  {
    requestId: text('request_id').notNull().references(() => postsTable.requestId, { onDelete: 'cascade' }),
    platform: text('platform').notNull(),
    snapshot: text('snapshot', { enum: ['at_post_date', 'latest'] }).notNull(),
    day: text('day').notNull(),
    metric: text('metric').notNull(),
    value: integer('value').notNull(),
    observedAt: integer('observed_at').notNull(),
    runId: integer('run_id'),
  },
  (t) => [primaryKey({ columns: [t.requestId, t.platform, t.snapshot, t.day, t.metric] })],
);

/** One row: the daemon's heartbeat, so `upw status` in another process can tell it is alive. */
export const daemonStateTable = sqliteTable('daemon_state', {
  id: integer('id').primaryKey(),
  pid: integer('pid').notNull(),
  startedAt: text('started_at').notNull(),
  heartbeatAt: text('heartbeat_at').notNull(),
  nextRunAt: text('next_run_at'),
  schedule: text('schedule').notNull(),
  timezone: text('timezone').notNull(),
  stoppedAt: text('stopped_at'),
});

export type Run = typeof runsTable.$inferSelect;
export type RunError = typeof runErrorsTable.$inferSelect;
export type PlatformRule = typeof platformRulesTable.$inferSelect;
export type DaemonState = typeof daemonStateTable.$inferSelect;

/**
 * What a backfill finished, so a killed or repeated backfill skips it. One row
 * per (profile, step, platform, range); `taken_on` is the day it ran, because
 * a range that reached into that day held a snapshot still being written.
 */
export const backfillProgressTable = sqliteTable(
  'backfill_progress',
  {
    profileId: integer('profile_id').notNull().references(() => profilesTable.id, { onDelete: 'cascade' }),
    step: text('step', { enum: ['analytics', 'snapshots'] }).notNull(),
    /** '' for the analytics step, which covers all the profile's platforms at once. */
    platform: text('platform').notNull(),
    since: text('since').notNull(),
    until: text('until').notNull(),
    takenOn: text('taken_on').notNull(),
    runId: integer('run_id').references(() => runsTable.id, { onDelete: 'set null' }),
    valuesWritten: integer('values_written').notNull().default(0),
    completedAt: text('completed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.profileId, t.step, t.platform, t.since, t.until] })],
);

export type BackfillProgress = typeof backfillProgressTable.$inferSelect;
export type DailyImpressions = typeof dailyImpressionsTable.$inferSelect;
