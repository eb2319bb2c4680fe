/**
 * What `upw report` reads beside the totals (those come from the query
 * module): follower levels and the top posts, both through the BI views so
 * the report shows what a BI tool would.
 */
import type { Warehouse } from './warehouse.js';

/** One platform's daily follower counts, ascending by day. */
export interface FollowerSeries {
  platform: string;
  points: Array<[day: string, followers: number]>;
}

/** A post on one platform, with its metrics as of the last day read in the range. */
export interface TopPost {
  requestId: string;
  platform: string;
  /** The day these metrics were read. */
  day: string;
  title: string | null;
  postUrl: string | null;
  uploadedAt: string | null;
  views: number | null;
  likes: number | null;
  comments: number | null;
  shares: number | null;
}

/** Profiles that hold at least one daily snapshot value, sorted. */
export function profilesWithSnapshots(wh: Warehouse): string[] {
  return wh.sqlite
    .prepare(
      `SELECT p.username FROM profiles p
       WHERE EXISTS (SELECT 1 FROM series s JOIN daily_values v ON v.series_id = s.id WHERE s.profile_id = p.id AND s.kind = 'snapshot')
       ORDER BY p.username`,
    )
    .pluck()
    .all() as string[];
}

/** Each platform's `followers` snapshot per day over start…end. */
export function followerSeries(wh: Warehouse, profile: string, start: string, end: string): FollowerSeries[] {
  const rows = wh.sqlite
    .prepare(
      `SELECT platform, day, value FROM v_daily_metrics
       WHERE profile_username = ? AND metric = 'followers' AND day BETWEEN ? AND ?
       ORDER BY platform, day`,
    )
    .all(profile, start, end) as { platform: string; day: string; value: number }[];
  const byPlatform = new Map<string, FollowerSeries>();
  for (const r of rows) {
    let series = byPlatform.get(r.platform);
    if (!series) byPlatform.set(r.platform, (series = { platform: r.platform, points: [] }));
    series.points.push([r.day, r.value]);
  }
  return [...byPlatform.values()];
}

/**
 * The `limit` post-platforms with the most views, each as of the last day in
 * start…end it was read (views grow with a post's age; an older reading is
 * what was known then).
 */
export function topPostsByViews(wh: Warehouse, profile: string, start: string, end: string, limit: number): TopPost[] {
  return wh.sqlite
    .prepare(
      `WITH latest AS (
         SELECT request_id, platform, MAX(day) AS day FROM v_post_metrics
         WHERE profile_username = :profile AND day BETWEEN :start AND :end
         GROUP BY request_id, platform
       )
       SELECT l.request_id AS requestId, l.platform, l.day,
         po.title, MAX(m.post_url) AS postUrl, po.upload_timestamp AS uploadedAt,
         MAX(CASE WHEN m.metric = 'views' THEN m.value END) AS views,
         MAX(CASE WHEN m.metric = 'likes' THEN m.value END) AS likes,
         MAX(CASE WHEN m.metric = 'comments' THEN m.value END) AS comments,
         MAX(CASE WHEN m.metric = 'shares' THEN m.value END) AS shares
       FROM latest l
       JOIN v_post_metrics m ON m.request_id = l.request_id AND m.platform = l.platform AND m.day = l.day
       JOIN posts po ON po.request_id = l.request_id
       GROUP BY l.request_id, l.platform
       ORDER BY views IS NULL, views DESC, l.request_id, l.platform
       LIMIT :limit`,
    )
    .all({ profile, start, end, limit }) as TopPost[];
}
