/**
 * Tracked posts: metadata once per upload request, ids and the last error per
 * platform, and one row per (post, platform, day, metric).
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { postMetricsTable, postPlatformsTable, postProfileSnapshotsTable, postsTable, runErrorsTable } from './schema.js';
import type { Warehouse } from './warehouse.js';

export interface PostMetadata {
  requestId: string;
  /** The run reading it: stamped on the row (what an incremental sync ships). */
  runId: number | null;
  profileId: number;
  title: string | undefined;
  caption: string | undefined;
  mediaType: string | undefined;
  uploadTimestamp: string | undefined;
}

/** Insert a post on first sight; later answers only fill in or correct what they carry (titles are editable). */
export function upsertPost(wh: Warehouse, m: PostMetadata): void {
  const t = postsTable;
  wh.db
    .insert(t)
    .values({
      requestId: m.requestId,
      profileId: m.profileId,
      title: m.title ?? null,
      caption: m.caption ?? null,
      mediaType: m.mediaType ?? null,
      uploadTimestamp: m.uploadTimestamp ?? null,
      firstSeenAt: new Date().toISOString(),
      runId: m.runId,
    })
    .onConflictDoUpdate({
      target: t.requestId,
      set: {
        runId: sql`excluded.run_id`,
        title: sql`coalesce(excluded.title, ${t.title})`,
        caption: sql`coalesce(excluded.caption, ${t.caption})`,
        mediaType: sql`coalesce(excluded.media_type, ${t.mediaType})`,
        uploadTimestamp: sql`coalesce(excluded.upload_timestamp, ${t.uploadTimestamp})`,
      },
    })
    .run();
}

export interface PostPlatformUpdate {
  requestId: string;
  runId: number | null;
  platform: string;
  platformPostId: string | undefined;
  postUrl: string | undefined;
  /** A failure to record, `null` to clear the last one (metrics came back), undefined to leave it. */
  error?: { message: string; day: string } | null;
  /** `post_metrics_source` of this answer; undefined leaves the last one. */
  metricsSource?: string | undefined;
}

export function upsertPostPlatform(wh: Warehouse, u: PostPlatformUpdate): void {
  const t = postPlatformsTable;
  const error = u.error === undefined ? {} : { lastError: u.error?.message ?? null, lastErrorDay: u.error?.day ?? null };
  wh.db
    .insert(t)
    .values({ requestId: u.requestId, platform: u.platform, platformPostId: u.platformPostId ?? null, postUrl: u.postUrl ?? null, metricsSource: u.metricsSource ?? null, runId: u.runId, ...error })
    .onConflictDoUpdate({
      target: [t.requestId, t.platform],
      set: {
        runId: sql`excluded.run_id`,
        platformPostId: sql`coalesce(excluded.platform_post_id, ${t.platformPostId})`,
        postUrl: sql`coalesce(excluded.post_url, ${t.postUrl})`,
        metricsSource: sql`coalesce(excluded.metrics_source, ${t.metricsSource})`,
        ...(u.error === undefined ? {} : { lastError: sql`excluded.last_error`, lastErrorDay: sql`excluded.last_error_day` }),
      },
    })
    .run();
}

/** The day's metrics of one platform of a post; a rerun replaces the values, never adds rows. Returns the count written. */
export function writePostMetrics(wh: Warehouse, requestId: string, platform: string, day: string, metrics: Record<string, number>, observedAt: number, runId: number | null): number {
  const rows = Object.entries(metrics).map(([metric, value]) => ({ requestId, platform, day, metric, value, observedAt, runId }));
  if (rows.length === 0) return 0;
  const t = postMetricsTable;
  wh.db
    .insert(t)
    .values(rows)
    .onConflictDoUpdate({
      target: [t.requestId, t.platform, t.day, t.metric],
      set: { value: sql`excluded.value`, observedAt: sql`excluded.observed_at`, runId: sql`excluded.run_id` },
    })
    .run();
  return rows.length;
}

export interface SnapshotAt {
  requestId: string;
  platform: string;
  snapshot: 'at_post_date' | 'latest';
  /** The snapshot's own day: the post's day, or `profile_snapshot_latest_date`. */
  day: string;
  observedAt: number;
  runId: number | null;
}

/**
 * One profile snapshot post-analytics sent with a platform of a post. A reread
 * replaces a changed value and adds no rows; an unchanged one keeps the run
 * that first wrote it. Returns the rows inserted or changed.
 */
export function writePostProfileSnapshot(wh: Warehouse, at: SnapshotAt, values: Record<string, number>): number {
  const rows = Object.entries(values).map(([metric, value]) => ({ ...at, metric, value }));
  if (rows.length === 0) return 0;
  const t = postProfileSnapshotsTable;
  return wh.db
    .insert(t)
    .values(rows)
    .onConflictDoUpdate({
      target: [t.requestId, t.platform, t.snapshot, t.day, t.metric],
      set: { value: sql`excluded.value`, observedAt: sql`excluded.observed_at`, runId: sql`excluded.run_id` },
      setWhere: sql`${t.value} IS NOT excluded.value`,
    })
    .run().changes;
}

/**
 * The post was read on `day` by run `runId`: it goes to the back of the next
 * run's queue, and the run is stamped on it, so an incremental sync finds every
 * post whose rows that run wrote by its posts row alone.
 */
export function markPostChecked(wh: Warehouse, requestId: string, day: string, runId: number | null): void {
  wh.db.update(postsTable).set({ lastCheckedDay: day, runId }).where(eq(postsTable.requestId, requestId)).run();
}

/** `last_checked_day` of each known post among `requestIds` (null: known, never read). */
export function lastCheckedDays(wh: Warehouse, requestIds: readonly string[]): Map<string, string | null> {
  const out = new Map<string, string | null>();
  // Chunked to stay far below SQLite's bound-variable limit.
  for (let i = 0; i < requestIds.length; i += 500) {
    const chunk = requestIds.slice(i, i + 500);
    const rows = wh.db.select({ id: postsTable.requestId, day: postsTable.lastCheckedDay }).from(postsTable).where(inArray(postsTable.requestId, chunk)).all();
    for (const r of rows) out.set(r.id, r.day);
  }
  return out;
}

/** Profiles this run already found missing (404): asking their history would only record it twice. */
export function profilesNotFoundInRun(wh: Warehouse, runId: number): Set<string> {
  const rows = wh.db
    .selectDistinct({ profile: runErrorsTable.profile })
    .from(runErrorsTable)
    .where(and(eq(runErrorsTable.runId, runId), eq(runErrorsTable.kind, 'not_found')))
    .all();
  return new Set(rows.flatMap((r) => (r.profile === null ? [] : [r.profile])));
}

export interface TrackedPlatform {
  platform: string;
  platformPostId: string | null;
  postUrl: string | null;
  /** The latest day metrics were read, and those metrics. */
  day: string | null;
  metrics: Record<string, number>;
  error: string | null;
  errorDay: string | null;
}

export interface TrackedPost {
  requestId: string;
  title: string | null;
  caption: string | null;
  mediaType: string | null;
  uploadTimestamp: string | null;
  firstSeenAt: string;
  lastCheckedDay: string | null;
  platforms: TrackedPlatform[];
}

/** A profile's tracked posts, most recent upload first, each platform with its latest day of metrics. */
export function listTrackedPosts(wh: Warehouse, profileId: number): TrackedPost[] {
  const posts = wh.db
    .select()
    .from(postsTable)
    .where(eq(postsTable.profileId, profileId))
    .orderBy(desc(postsTable.uploadTimestamp), asc(postsTable.requestId))
    .all();
  const platforms = wh.db
    .select({ p: postPlatformsTable })
    .from(postPlatformsTable)
    .innerJoin(postsTable, eq(postsTable.requestId, postPlatformsTable.requestId))
    .where(eq(postsTable.profileId, profileId))
    .orderBy(asc(postPlatformsTable.platform))
    .all();
  const m = postMetricsTable;
  const latest = wh.db
    .select({ requestId: m.requestId, platform: m.platform, day: m.day, metric: m.metric, value: m.value })
    .from(m)
    .innerJoin(postsTable, eq(postsTable.requestId, m.requestId))
    .where(
      and(
        eq(postsTable.profileId, profileId),
        eq(m.day, sql`(SELECT max(x.day) FROM ${m} x WHERE x.request_id = ${m.requestId} AND x.platform = ${m.platform})`),
      ),
    )
    .orderBy(asc(m.metric))
    .all();

  const byPost = new Map<string, TrackedPost>();
  for (const p of posts) {
    const { profileId: _, ...rest } = p;
    byPost.set(p.requestId, { ...rest, platforms: [] });
  }
  const key = (requestId: string, platform: string) => `${requestId}\u0000${platform}`;
  const byPlatform = new Map<string, TrackedPlatform>();
  const platformOf = (requestId: string, platform: string): TrackedPlatform => {
    let entry = byPlatform.get(key(requestId, platform));
    if (!entry) {
      entry = { platform, platformPostId: null, postUrl: null, day: null, metrics: {}, error: null, errorDay: null };
      byPlatform.set(key(requestId, platform), entry);
      byPost.get(requestId)?.platforms.push(entry);
    }
    return entry;
  };
  for (const { p } of platforms) Object.assign(platformOf(p.requestId, p.platform), { platformPostId: p.platformPostId, postUrl: p.postUrl, error: p.lastError, errorDay: p.lastErrorDay });
  for (const r of latest) {
    const entry = platformOf(r.requestId, r.platform);
    entry.day = r.day;
    entry.metrics[r.metric] = r.value;
  }
  return [...byPost.values()];
}
