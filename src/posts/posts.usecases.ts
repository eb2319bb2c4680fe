/**
 * Post tracking during a collect: find each profile's recent uploads in
 * `/uploadposts/history`, then read every one younger than `posts.days` from
 * live `post-analytics` and keep that day's metrics per platform, with the
 * profile snapshots the answer carries. The live
 * endpoint's window (100 per 5 minutes) bounds a run; what does not fit is
 * read first by the next run.
 */
import type { ApiClient, ApiFailure, RawAnswer } from '../api/client.js';
import type { Target } from '../collect/targets.js';
import type { ResolvedConfig } from '../config/config.js';
import { dayInZone, dayOfAnswer, daysBetween, instantOfAnswer } from '../dates.js';
import { ApiError, ApiKeyRefusedError, ApiRateLimitedError } from '../errors.js';
import type { Logger } from '../logger.js';
import { lastCheckedDays, markPostChecked, profilesNotFoundInRun, upsertPost, upsertPostPlatform, writePostMetrics, writePostProfileSnapshot } from '../store/posts.repository.js';
import { ensureProfile } from '../store/profiles.repository.js';
import { noteRunChange } from '../store/values.repository.js';
import { recordBadValue, recordRaw, recordRunError } from '../store/runs.repository.js';
import type { Warehouse } from '../store/warehouse.js';
import { PostBudget } from './posts.budget.js';
import { groupUploads, parseHistoryPage, parsePostAnalytics, type Upload } from './posts.parse.js';

export interface PostsDeps {
  wh: Warehouse;
  client: ApiClient;
  log: Logger;
  config: ResolvedConfig;
}

export interface PostsContext {
  runId: number;
  /** The server's day when the run started: post ages are counted to it (each answer is filed under its own server day). */
  day: string;
  targets: Target[];
  /** Stop starting new reads (SIGTERM); the post in flight finishes its transaction. */
  signal?: AbortSignal;
}

export interface PostsSummary {
  /** Posts younger than `posts.days` across the targets. */
  found: number;
  /** Posts read and stored this run. */
  read: number;
  /** Posts whose read failed (404, 5xx after retries, …), recorded as run errors. */
  failed: number;
  /** Posts the window had no room for; the next run reads them first. */
  left: number;
  metricsWritten: number;
  requests: number;
}

/** History's largest page (10, 20, 50 or 100). */
const PAGE_SIZE = 100;
// A server that never says "last page" must not keep a run paging forever.
const MAX_PAGES = 200;

/** Track the targets' recent posts for the run's day (collect's `afterProfiles` hook). */
export async function trackPosts(deps: PostsDeps, ctx: PostsContext): Promise<void> {
  await trackRecentPosts(deps, ctx);
}

/** The same, answering what the run did. */
export async function trackRecentPosts(deps: PostsDeps, ctx: PostsContext): Promise<PostsSummary> {
  const { wh, client } = deps;
  const log = deps.log.child({ module: 'posts', run: ctx.runId, day: ctx.day });
  const summary: PostsSummary = { found: 0, read: 0, failed: 0, left: 0, metricsWritten: 0, requests: 0 };
  const recordFailure = (e: ApiFailure, profile: string) =>
    wh.transaction(() => {
      if (e.raw) recordRaw(wh, ctx.runId, e.raw);
      recordRunError(wh, ctx.runId, { profile, kind: e.kind, status: e.status, message: e.message });
    });

  const queue: { upload: Upload; profile: string }[] = [];
  const missing = profilesNotFoundInRun(wh, ctx.runId);
  for (const target of ctx.targets) {
    if (missing.has(target.username)) continue;
    try {
      const uploads = await findRecentUploads(deps, ctx, target.username);
      queue.push(...uploads.map((upload) => ({ upload, profile: target.username })));
    } catch (e) {
      if (e instanceof ApiKeyRefusedError || !(e instanceof ApiError)) throw e;
      recordFailure(e as ApiFailure, target.username);
      log.warn({ profile: target.username, err: e }, 'upload history unavailable; its posts are skipped this run');
    }
  }
  summary.found = queue.length;
  if (queue.length === 0) return summary;

  // Never read first, then the longest unread; among equals the newest upload, which changes most.
  const checked = lastCheckedDays(wh, queue.map((q) => q.upload.requestId));
  const rank = (q: (typeof queue)[number]) => checked.get(q.upload.requestId) ?? '';
  queue.sort((a, b) => rank(a).localeCompare(rank(b)) || (b.upload.uploadedAt ?? '').localeCompare(a.upload.uploadedAt ?? ''));

  const budget = new PostBudget(client.postPacer);
  for (const [i, { upload, profile }] of queue.entries()) {
    if (!budget.canSend() || ctx.signal?.aborted) {
      summary.left = queue.length - i;
      break;
    }
    const before = client.stats.requests;
    try {
      const answer = await client.postAnalytics(upload.requestId, undefined, profile);
      summary.metricsWritten += storeReading(wh, { ctx, upload, profile, raw: answer.raw, body: answer.body, serverTimezone: deps.config.serverTimezone });
      summary.read++;
    } catch (e) {
      if (e instanceof ApiKeyRefusedError || !(e instanceof ApiError)) throw e;
      if (e instanceof ApiRateLimitedError) {
        // Someone else spent the window (another process, an earlier run): this post and the rest wait.
        if ((e as ApiFailure).raw) wh.transaction(() => recordRaw(wh, ctx.runId, (e as ApiFailure).raw!));
        summary.left = queue.length - i;
        break;
      }
      summary.failed++;
      recordFailure(e as ApiFailure, profile);
      log.warn({ profile, requestId: upload.requestId, err: e }, 'post analytics failed');
    } finally {
      budget.spend(client.stats.requests - before);
    }
  }
  summary.requests = budget.used;

  if (summary.left > 0) {
    const why = ctx.signal?.aborted ? 'stopped by a signal' : `post-analytics window used up after ${budget.used} requests`;
    const message = `${why}: ${summary.left} of ${summary.found} posts left for the next run`;
    wh.transaction(() => recordRunError(wh, ctx.runId, { kind: 'posts_deferred', message }));
    log.warn({ left: summary.left, found: summary.found }, message);
  }
  log.info({ ...summary }, 'posts tracked');
  return summary;
}

/** Page through a profile's history (most recent first) until the uploads are older than `posts.days`. */
async function findRecentUploads({ wh, client, config }: PostsDeps, ctx: PostsContext, profile: string): Promise<Upload[]> {
  const { days } = config.posts;
  const ageOf = (iso: string) => daysBetween(dayInZone(new Date(iso), config.serverTimezone), ctx.day);
  const uploads = new Map<string, Upload>();
  for (let page = 1; page <= MAX_PAGES; page++) {
    const answer = await client.history({ page, limit: PAGE_SIZE, profile });
    wh.transaction(() => recordRaw(wh, ctx.runId, answer.raw));
    const { rows, total } = parseHistoryPage(answer.body);
    // A server that ignores the profile filter must not hand us another profile's posts.
    groupUploads(rows.filter((r) => r.profile_username === undefined || r.profile_username === profile), uploads);
    const ages = rows.flatMap((r) => (typeof r.upload_timestamp === 'string' && !Number.isNaN(Date.parse(r.upload_timestamp)) ? [ageOf(new Date(r.upload_timestamp).toISOString())] : []));
    const pastCutoff = ages.length > 0 && Math.max(...ages) >= days;
    if (rows.length < PAGE_SIZE || (total !== undefined && page * PAGE_SIZE >= total) || pastCutoff) break;
  }
  // An upload without a readable time has no age, so it cannot be called younger than `days`.
  return [...uploads.values()].filter((u) => u.published && u.uploadedAt !== undefined && ageOf(u.uploadedAt) < days);
}

interface Reading {
  ctx: PostsContext;
  upload: Upload;
  profile: string;
  raw: RawAnswer;
  body: unknown;
  /** The zone of the server's day: the answer is filed under the day of its Date header there. */
  serverTimezone: string;
}

/**
 * One post's answer in one transaction: raw, metadata, per-platform ids,
 * errors, metrics and the profile snapshots, under the server's day of the
 * answer (its Date header), as analytics answers are.
 */
function storeReading(wh: Warehouse, r: Reading): number {
  const { ctx, upload } = r;
  const reading = parsePostAnalytics(r.body);
  const day = dayOfAnswer(r.raw, r.serverTimezone);
  const observedAt = Math.floor(instantOfAnswer(r.raw).getTime() / 1000);
  const uploadedAt = upload.uploadedAt ?? reading.uploadedAt;
  // profile_snapshot_at_post_date is the server's snapshot of the day the post went out.
  const postDay = uploadedAt === undefined ? undefined : dayInZone(new Date(uploadedAt), r.serverTimezone);
  let written = 0;
  wh.transaction(() => {
    recordRaw(wh, ctx.runId, r.raw);
    const profileId = ensureProfile(wh, r.profile);
    upsertPost(wh, {
      requestId: upload.requestId,
      runId: ctx.runId,
      profileId,
      title: reading.title ?? upload.title,
      caption: reading.caption ?? upload.caption,
      mediaType: reading.mediaType ?? upload.mediaType,
      // History's timestamp carries its zone; post-analytics' does not.
      uploadTimestamp: uploadedAt,
    });
    const answered = new Set<string>();
    const days = [day];
    for (const p of reading.platforms) {
      answered.add(p.platform);
      const listed = upload.platforms.get(p.platform);
      const hasMetrics = Object.keys(p.metrics).length > 0;
      upsertPostPlatform(wh, {
        requestId: upload.requestId,
        runId: ctx.runId,
        platform: p.platform,
        platformPostId: p.platformPostId ?? listed?.platformPostId,
        postUrl: p.postUrl ?? listed?.postUrl,
        metricsSource: p.metricsSource,
        error: p.error !== undefined ? { message: p.error, day } : hasMetrics ? null : undefined,
      });
      written += writePostMetrics(wh, upload.requestId, p.platform, day, p.metrics, observedAt, ctx.runId);
      const at = { requestId: upload.requestId, platform: p.platform, observedAt, runId: ctx.runId };
      if (postDay !== undefined) written += writePostProfileSnapshot(wh, { ...at, snapshot: 'at_post_date', day: postDay }, p.snapshots.atPostDate);
      // Without profile_snapshot_latest_date, "latest" is as of the answer's own day.
      const latestDay = p.snapshots.latestDay ?? day;
      written += writePostProfileSnapshot(wh, { ...at, snapshot: 'latest', day: latestDay }, p.snapshots.latest);
      if (postDay !== undefined && Object.keys(p.snapshots.atPostDate).length > 0) days.push(postDay);
      if (Object.keys(p.snapshots.latest).length > 0) days.push(latestDay);
      for (const b of p.bad) recordBadValue(wh, ctx.runId, { profile: r.profile, platform: p.platform, post: upload.requestId }, b);
    }
    for (const [platform, ids] of upload.platforms) {
      if (!answered.has(platform)) upsertPostPlatform(wh, { requestId: upload.requestId, runId: ctx.runId, platform, ...ids });
    }
    markPostChecked(wh, upload.requestId, day, ctx.runId);
    days.sort();
    noteRunChange(wh, ctx.runId, profileId, days[0]!, days[days.length - 1]!);
  });
  return written;
}
