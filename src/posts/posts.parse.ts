/**
 * The two answers post tracking reads, turned into checked values: history
 * pages (rows per platform, grouped into uploads) and post-analytics answers.
 * Anything unexpected is skipped here; the raw record keeps it.
 */
import { isValidDay } from '../dates.js';
import { readMetrics, toCount, type BadValue } from '../api/values.js';
import { normalizePlatform } from '../platforms.js';
import { flattenBreakdown } from './posts.breakdowns.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** One upload request as history lists it: metadata once, ids per platform. */
export interface Upload {
  requestId: string;
  profile: string | undefined;
  title: string | undefined;
  caption: string | undefined;
  mediaType: string | undefined;
  /** ISO instant, or undefined when the answer had none we could read. */
  uploadedAt: string | undefined;
  platforms: Map<string, { platformPostId: string | undefined; postUrl: string | undefined }>;
  /** False when every platform row says the upload failed: nothing to read analytics of. */
  published: boolean;
}

export interface HistoryPage {
  rows: Record<string, unknown>[];
  total: number | undefined;
}

/**
 * An instant from the API's timestamps: ISO with a zone, RFC 1123, or
 * post-analytics' zoneless `2026-02-10 14:30:00`, which is UTC.
 */
export function parseInstant(v: unknown): string | undefined {
  const t = text(v)?.trim();
  if (!t) return undefined;
  const zoneless = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(t);
  const ms = Date.parse(zoneless ? `${t.replace(' ', 'T')}${t.length > 10 ? 'Z' : ''}` : t);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** `platform_post_id` is a string, a number, a list (threads, carousels) or null. */
function postId(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (Array.isArray(v)) return v.map(postId).filter((x) => x !== undefined).join(',') || undefined;
  return text(v);
}

/** One page of /uploadposts/history: rows under `history` (documented) or `uploads` (the npm client). */
export function parseHistoryPage(body: unknown): HistoryPage {
  if (!isObject(body)) return { rows: [], total: undefined };
  const list = Array.isArray(body.history) ? body.history : Array.isArray(body.uploads) ? body.uploads : [];
  return { rows: list.filter(isObject), total: toCount(body.total) };
}

/** Group history rows (one per platform) into uploads, in first-seen order (most recent first). */
export function groupUploads(rows: Record<string, unknown>[], into = new Map<string, Upload>()): Map<string, Upload> {
  for (const row of rows) {
    const requestId = text(row.request_id);
    if (!requestId) continue; // without a request id there is nothing to ask post-analytics about
    let upload = into.get(requestId);
    if (!upload) {
      upload = {
        requestId,
        profile: text(row.profile_username),
        title: text(row.post_title),
        caption: text(row.post_caption),
        mediaType: text(row.media_type),
        uploadedAt: parseInstant(row.upload_timestamp),
        platforms: new Map(),
        published: false,
      };
      into.set(requestId, upload);
    }
    if (row.success !== false) upload.published = true;
    const platform = text(row.platform);
    if (platform) upload.platforms.set(normalizePlatform(platform), { platformPostId: postId(row.platform_post_id), postUrl: text(row.post_url) });
  }
  return into;
}

/** The profile-level snapshots post-analytics sends beside a platform's post metrics. */
export interface ProfileSnapshots {
  /** `profile_snapshot_at_post_date`: the profile on the day of the post. */
  atPostDate: Record<string, number>;
  /** `profile_snapshot_latest`: the profile's most recent snapshot. */
  latest: Record<string, number>;
  /** `profile_snapshot_latest_date`, when it is a real day (absent: the answer's own day). */
  latestDay: string | undefined;
}

export interface PostPlatformReading {
  platform: string;
  platformPostId: string | undefined;
  postUrl: string | undefined;
  /** Every number of `post_metrics` by the API's own name; breakdowns flattened (`retention.1`). */
  metrics: Record<string, number>;
  /** `post_metrics_source` (`platform_api`). */
  metricsSource: string | undefined;
  snapshots: ProfileSnapshots;
  /** `post_metrics_error`, or why the platform has no metrics. */
  error: string | undefined;
  /** Values meant as numbers that could not be read. */
  bad: BadValue[];
}

export interface PostReading {
  title: string | undefined;
  caption: string | undefined;
  mediaType: string | undefined;
  uploadedAt: string | undefined;
  platforms: PostPlatformReading[];
}

/** The numbers of `post_metrics`: counts and rates by name, breakdowns flattened; never booleans. */
export function postMetricsOf(v: unknown): { values: Record<string, number>; bad: BadValue[] } {
  const { values, bad } = readMetrics(v, 'post_metrics.');
  if (isObject(v)) {
    for (const [key, value] of Object.entries(v)) {
      if (typeof value === 'object' && value !== null) flattenBreakdown(key, value, { values, bad });
    }
  }
  return { values, bad };
}

/** The numeric fields of `post_metrics`, breakdowns included (see postMetricsOf). */
export function numericMetrics(v: unknown): Record<string, number> {
  return postMetricsOf(v).values;
}

function snapshotsOf(entry: Record<string, unknown>, bad: BadValue[]): ProfileSnapshots {
  const at = readMetrics(entry.profile_snapshot_at_post_date, 'profile_snapshot_at_post_date.');
  const latest = readMetrics(entry.profile_snapshot_latest, 'profile_snapshot_latest.');
  bad.push(...at.bad, ...latest.bad);
  const dateText = text(entry.profile_snapshot_latest_date);
  const latestDay = dateText !== undefined && isValidDay(dateText.slice(0, 10)) ? dateText.slice(0, 10) : undefined;
  if (dateText !== undefined && latestDay === undefined) {
    // A snapshot whose day cannot be told is not filed under a guessed one: the bad date is recorded instead.
    bad.push({ field: 'profile_snapshot_latest_date', raw: dateText.slice(0, 200), why: 'not a day' });
    return { atPostDate: at.values, latest: {}, latestDay };
  }
  return { atPostDate: at.values, latest: latest.values, latestDay };
}

function platformError(entry: Record<string, unknown>, hasMetrics: boolean): string | undefined {
  const said = text(entry.post_metrics_error);
  if (said) return said;
  if (entry.success === false) return text(entry.error_message) ?? text(entry.message) ?? text(entry.error) ?? 'the platform reported success: false';
  return hasMetrics || isObject(entry.post_metrics) ? undefined : text(entry.message) ?? text(entry.error);
}

/** A post-analytics answer: `{success, post: {...}, platforms: {name: {...}}}`. */
export function parsePostAnalytics(body: unknown): PostReading {
  const root = isObject(body) ? body : {};
  const post = isObject(root.post) ? root.post : {};
  const platforms: PostPlatformReading[] = [];
  for (const [name, entry] of Object.entries(isObject(root.platforms) ? root.platforms : {})) {
    const platform = normalizePlatform(name);
    if (!isObject(entry)) {
      // A bare message where the platform's object should be: that platform failed.
      const none = { atPostDate: {}, latest: {}, latestDay: undefined };
      platforms.push({ platform, platformPostId: undefined, postUrl: undefined, metrics: {}, metricsSource: undefined, snapshots: none, error: text(entry) ?? `unexpected value ${JSON.stringify(entry)}`, bad: [] });
      continue;
    }
    const { values: metrics, bad } = postMetricsOf(entry.post_metrics);
    platforms.push({
      platform,
      platformPostId: postId(entry.platform_post_id),
      postUrl: text(entry.post_url),
      metrics,
      metricsSource: text(entry.post_metrics_source),
      snapshots: snapshotsOf(entry, bad),
      error: platformError(entry, Object.keys(metrics).length > 0),
      bad,
    });
  }
  return {
    title: text(post.post_title),
    caption: text(post.post_caption),
    mediaType: text(post.media_type),
    uploadedAt: parseInstant(post.upload_timestamp),
    platforms,
  };
}
