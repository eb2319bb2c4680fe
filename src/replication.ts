/**
 * What the team warehouse holds: each replicated SQLite table, declared once
 * with its columns, its key, and how a sync finds the rows that changed. The
 * PostgreSQL schema (team/schema.ts) is built from this list, the SQLite reader
 * (store/changes.repository.ts) follows each `find`, and a test checks the list
 * against the SQLite schema, so a column or table added there and not here fails.
 * Plain data: no database client is imported here.
 */

/**
 * How a SQLite value travels. `int`: a whole number we assign (ids, counters)
 * → bigint. `number`: a value the API sent, a count or the odd fraction,
 * stored exactly as SQLite holds it → double precision. `day`: ISO day → date.
 * `instant`: ISO text → timestamptz. `epoch`: Unix seconds → bigint (the views
 * show it as timestamptz). `text` → text, `json`: JSON text → jsonb.
 */
export type ColumnKind = 'int' | 'number' | 'day' | 'instant' | 'epoch' | 'text' | 'json';

/**
 * How a sync finds what to send.
 * - `whole`: every row, every sync (small tables); a row gone from SQLite goes
 *   from PostgreSQL too. With `horizon`, only rows below the sync's horizon
 *   (runs), and nothing is deleted.
 * - `appended`: rows are only ever inserted, with increasing ids: those after
 *   the id the last sync reached. `creator` says which run wrote a row, so
 *   that rows of a run still writing wait: `run_id` (the column), or
 *   `revision` (the run that replaced the value: the next revision's run, or
 *   the current value's).
 * - `changed`: rows whose `run_id` is after the cursor, found through
 *   run_changes (each run's profiles and days) rather than a scan: `via` the
 *   table's own `profile_id`, its `series` (series.profile_id), or its `post`
 *   (posts.profile_id; a post's rows are stamped with the run on every read);
 *   `byDay` when the table has a `day` to narrow by.
 */
export type Finder =
  | { kind: 'whole'; horizon?: boolean }
  | { kind: 'appended'; creator?: 'run_id' | 'revision' }
  | { kind: 'changed'; via: 'profile' | 'series' | 'post'; byDay: boolean };

export interface ReplicatedTable {
  /** The table's name, the same in SQLite and in PostgreSQL's `upw` schema. */
  name: string;
  /** Every column of the SQLite table. PostgreSQL adds `account` in front. */
  columns: Readonly<Record<string, ColumnKind>>;
  /** The SQLite primary key; PostgreSQL's is `account` and these. */
  key: readonly string[];
  find: Finder;
}

const RUN_COUNTS = {
  requests: 'int',
  retries: 'int',
  rate_limited: 'int',
  profiles_ok: 'int',
  profiles_failed: 'int',
  platforms_ok: 'int',
  platforms_failed: 'int',
  values_written: 'int',
} as const;

/** In the order a sync sends them (parents first, for a reader of a half-finished copy there is none: one transaction). */
export const REPLICATED: readonly ReplicatedTable[] = [
  {
    name: 'profiles',
    columns: { id: 'int', username: 'text', created_at: 'instant', first_seen_at: 'instant' },
    key: ['id'],
    find: { kind: 'whole' },
  },
  {
    name: 'series',
    columns: { id: 'int', profile_id: 'int', platform: 'text', kind: 'text', name: 'text' },
    key: ['id'],
    find: { kind: 'appended' },
  },
  {
    name: 'daily_values',
    columns: { series_id: 'int', day: 'day', value: 'number', source: 'text', observed_at: 'epoch', run_id: 'int' },
    key: ['series_id', 'day'],
    find: { kind: 'changed', via: 'series', byDay: true },
  },
  {
    name: 'value_revisions',
    columns: { id: 'int', series_id: 'int', day: 'day', value: 'number', source: 'text', observed_at: 'epoch', replaced_at: 'epoch', run_id: 'int' },
    key: ['id'],
    find: { kind: 'appended', creator: 'revision' },
  },
  {
    name: 'daily_impressions',
    columns: {
      profile_id: 'int',
      platform: 'text',
      day: 'day',
      value: 'number',
      primary_field: 'text',
      metric_type: 'text',
      source: 'text',
      observed_at: 'epoch',
      run_id: 'int',
    },
    key: ['profile_id', 'platform', 'day'],
    find: { kind: 'changed', via: 'profile', byDay: true },
  },
  {
    name: 'demographics',
    columns: {
      profile_id: 'int',
      platform: 'text',
      day: 'day',
      audience: 'text',
      dimension: 'text',
      segment: 'text',
      value: 'number',
      observed_at: 'epoch',
      run_id: 'int',
    },
    key: ['profile_id', 'platform', 'day', 'audience', 'dimension', 'segment'],
    find: { kind: 'changed', via: 'profile', byDay: true },
  },
  {
    name: 'platform_rules',
    columns: {
      platform: 'text',
      valid_from: 'day',
      primary_field: 'text',
      metric_type: 'text',
      available_metrics: 'json',
      metric_labels: 'json',
      source: 'text',
      observed_at: 'instant',
    },
    key: ['platform', 'valid_from'],
    find: { kind: 'whole' },
  },
  {
    name: 'platform_metrics_cache',
    columns: { platform: 'text', primary_field: 'text', available_metrics: 'json', metric_labels: 'json', fetched_at: 'instant' },
    key: ['platform'],
    find: { kind: 'whole' },
  },
  {
    name: 'posts',
    columns: {
      request_id: 'text',
      profile_id: 'int',
      title: 'text',
      caption: 'text',
      media_type: 'text',
      upload_timestamp: 'instant',
      first_seen_at: 'instant',
      last_checked_day: 'day',
      run_id: 'int',
    },
    key: ['request_id'],
    find: { kind: 'changed', via: 'profile', byDay: false },
  },
  {
    name: 'post_platforms',
    columns: {
      request_id: 'text',
      platform: 'text',
      platform_post_id: 'text',
      post_url: 'text',
      last_error: 'text',
      last_error_day: 'day',
      metrics_source: 'text',
      run_id: 'int',
    },
    key: ['request_id', 'platform'],
    find: { kind: 'changed', via: 'post', byDay: false },
  },
  {
    name: 'post_metrics',
    columns: { request_id: 'text', platform: 'text', day: 'day', metric: 'text', value: 'number', observed_at: 'epoch', run_id: 'int' },
    key: ['request_id', 'platform', 'day', 'metric'],
    find: { kind: 'changed', via: 'post', byDay: true },
  },
  {
    name: 'post_profile_snapshots',
    columns: {
      request_id: 'text',
      platform: 'text',
      snapshot: 'text',
      day: 'day',
      metric: 'text',
      value: 'number',
      observed_at: 'epoch',
      run_id: 'int',
    },
    key: ['request_id', 'platform', 'snapshot', 'day', 'metric'],
    find: { kind: 'changed', via: 'post', byDay: true },
  },
  {
    name: 'runs',
    columns: {
      id: 'int',
      kind: 'text',
      status: 'text',
      day: 'day',
      since: 'day',
      until: 'day',
      started_at: 'instant',
      finished_at: 'instant',
      pid: 'int',
      ...RUN_COUNTS,
      message: 'text',
    },
    key: ['id'],
    find: { kind: 'whole', horizon: true },
  },
  {
    name: 'run_errors',
    columns: {
      id: 'int',
      run_id: 'int',
      profile: 'text',
      platform: 'text',
      kind: 'text',
      status: 'int',
      message: 'text',
      field: 'text',
      raw_value: 'text',
      at: 'instant',
    },
    key: ['id'],
    find: { kind: 'appended', creator: 'run_id' },
  },
];

/**
 * SQLite tables a sync leaves out, and why; the schema test wants every table in one list or the other.
 * (`raw_responses_legacy`, the answers of an older upw a writer has yet to compress, exists only in
 * such a file and is left out like raw_responses.)
 */
export const NOT_REPLICATED: Readonly<Record<string, string>> = {
  raw_responses: 'the answers as received stay with the collector (large; the tables are built from them)',
  monthly_impressions: "a rollup of daily_impressions kept by SQLite's triggers; PostgreSQL's v_monthly_impressions computes it from daily_impressions",
  backfill_progress: "the collector's own bookkeeping of what a backfill finished",
  run_changes: "the collector's change log, which the sync reads to find what to send",
  daemon_state: "the local daemon's heartbeat",
};
