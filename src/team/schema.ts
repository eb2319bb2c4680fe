/**
 * The team warehouse's schema, in PostgreSQL schema `upw`: each table of
 * src/replication.ts with `account` in front of its columns and its key, and
 * the sync's own state. drizzle-kit reads this file (drizzle.pg.config.ts);
 * the BI views are plain SQL in a drizzle-pg/ migration. Only src/team/ imports it.
 */
import {
  bigint,
  date,
  doublePrecision,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  type ExtraConfigColumn,
  type PgColumnBuilderBase,
  type PgTableExtraConfigValue,
} from 'drizzle-orm/pg-core';
import { REPLICATED, type ColumnKind } from '../replication.js';

export const upwSchema = pgSchema('upw');

const COLUMN: Record<ColumnKind, (name: string) => PgColumnBuilderBase> = {
  int: (name) => bigint(name, { mode: 'number' }),
  number: (name) => doublePrecision(name),
  day: (name) => date(name, { mode: 'string' }),
  instant: (name) => timestamp(name, { withTimezone: true, mode: 'string' }),
  epoch: (name) => bigint(name, { mode: 'number' }),
  text: (name) => text(name),
  json: (name) => jsonb(name),
};

/** The PostgreSQL table of one replicated table: `account`, then its columns; key `account` + its key. */
type Columns = Record<string, ExtraConfigColumn>;

function mirror(name: string, extra: (c: Columns) => PgTableExtraConfigValue[] = () => []) {
  const t = REPLICATED.find((r) => r.name === name);
  if (!t) throw new Error(`${name} is not in REPLICATED`);
  const columns: Record<string, PgColumnBuilderBase> = { account: text('account').notNull() };
  for (const [column, kind] of Object.entries(t.columns)) columns[column] = COLUMN[kind](column);
  return upwSchema.table(name, columns, (c) => {
    const all = c as unknown as Columns;
    const key = ['account', ...t.key].map((k) => all[k]!);
    return [primaryKey({ name: `${name}_pkey`, columns: key as [ExtraConfigColumn, ...ExtraConfigColumn[]] }), ...extra(all)];
  });
}

// One export per table: drizzle-kit finds tables among a module's exports.
export const profiles = mirror('profiles', (c) => [uniqueIndex('profiles_account_username_idx').on(c.account!, c.username!)]);
export const series = mirror('series');
export const dailyValues = mirror('daily_values');
export const valueRevisions = mirror('value_revisions');
export const dailyImpressions = mirror('daily_impressions');
export const demographics = mirror('demographics');
export const platformRules = mirror('platform_rules');
export const platformMetricsCache = mirror('platform_metrics_cache');
export const posts = mirror('posts');
export const postPlatforms = mirror('post_platforms');
export const postMetrics = mirror('post_metrics');
export const postProfileSnapshots = mirror('post_profile_snapshots');
export const runs = mirror('runs');
export const runErrors = mirror('run_errors');

/**
 * Per account, how far PostgreSQL holds that collector's warehouse, written
 * in the same transaction as the rows: every row of runs up to `through_run`,
 * and of each appended table up to its id in `appended`.
 */
export const syncState = upwSchema.table('sync_state', {
  account: text('account').primaryKey(),
  throughRun: bigint('through_run', { mode: 'number' }).notNull(),
  /** `started_at` of that run as SQLite holds it: another warehouse under the same account shows here. */
  throughRunStartedAt: text('through_run_started_at'),
  appended: jsonb('appended').$type<Record<string, number>>().notNull(),
  /** Host and file the rows came from, for people reading this table. */
  source: text('source').notNull(),
  syncedAt: timestamp('synced_at', { withTimezone: true, mode: 'string' }).notNull(),
});
