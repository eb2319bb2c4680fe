-- Keep every value a later write replaced: all write paths get history for free.
CREATE TRIGGER `daily_values_keep_revision` AFTER UPDATE OF `value` ON `daily_values`
WHEN OLD.`value` IS NOT NEW.`value`
BEGIN
  INSERT INTO `value_revisions` (`series_id`, `day`, `value`, `source`, `observed_at`, `replaced_at`)
  VALUES (OLD.`series_id`, OLD.`day`, OLD.`value`, OLD.`source`, OLD.`observed_at`, NEW.`observed_at`);
END;
--> statement-breakpoint
-- Rules as intervals [valid_from, valid_to). The earliest known rule also covers
-- the days before it was first seen (backfilled history).
CREATE VIEW `v_platform_rules` AS
SELECT
  CAST(`platform` AS TEXT) AS `platform`,
  CAST(CASE WHEN LAG(`valid_from`) OVER w IS NULL THEN '0000-01-01' ELSE `valid_from` END AS TEXT) AS `valid_from`,
  CAST(COALESCE(LEAD(`valid_from`) OVER w, '9999-12-31') AS TEXT) AS `valid_to`,
  CAST(`primary_field` AS TEXT) AS `primary_field`,
  CAST(`metric_type` AS TEXT) AS `metric_type`,
  CAST(`source` AS TEXT) AS `source`
FROM `platform_rules`
WINDOW w AS (PARTITION BY `platform` ORDER BY `valid_from`);
--> statement-breakpoint
CREATE VIEW `v_daily_metrics` AS
SELECT
  CAST(p.`username` AS TEXT) AS `profile_username`,
  CAST(s.`platform` AS TEXT) AS `platform`,
  CAST(v.`day` AS TEXT) AS `day`,
  CAST(strftime('%s', v.`day`) AS INTEGER) AS `time`,
  CAST(s.`name` AS TEXT) AS `metric`,
  v.`value` AS `value`,
  CAST(v.`source` AS TEXT) AS `source`,
  CAST(strftime('%Y-%m-%dT%H:%M:%SZ', v.`observed_at`, 'unixepoch') AS TEXT) AS `observed_at`
FROM `daily_values` v
JOIN `series` s ON s.`id` = v.`series_id` AND s.`kind` = 'snapshot'
JOIN `profiles` p ON p.`id` = s.`profile_id`;
--> statement-breakpoint
CREATE VIEW `v_daily_impressions` AS
SELECT
  CAST(p.`username` AS TEXT) AS `profile_username`,
  CAST(s.`platform` AS TEXT) AS `platform`,
  CAST(v.`day` AS TEXT) AS `day`,
  CAST(strftime('%s', v.`day`) AS INTEGER) AS `time`,
  CAST(r.`metric_type` AS TEXT) AS `metric_type`,
  CAST(r.`primary_field` AS TEXT) AS `primary_field`,
  CAST(v.`value` AS INTEGER) AS `impressions`
FROM `daily_values` v
JOIN `series` s ON s.`id` = v.`series_id` AND s.`kind` = 'snapshot'
JOIN `profiles` p ON p.`id` = s.`profile_id`
JOIN `v_platform_rules` r ON r.`platform` = s.`platform` AND r.`primary_field` = s.`name`
  AND v.`day` >= r.`valid_from` AND v.`day` < r.`valid_to`;
--> statement-breakpoint
CREATE VIEW `v_latest_snapshot` AS
WITH latest AS (
  SELECT s.`profile_id`, s.`platform`, MAX(v.`day`) AS `day`
  FROM `series` s JOIN `daily_values` v ON v.`series_id` = s.`id`
  WHERE s.`kind` = 'snapshot'
  GROUP BY s.`profile_id`, s.`platform`
)
SELECT
  CAST(p.`username` AS TEXT) AS `profile_username`,
  CAST(l.`platform` AS TEXT) AS `platform`,
  CAST(l.`day` AS TEXT) AS `day`,
  CAST(MAX(CASE WHEN s.`name` = 'followers' THEN v.`value` END) AS INTEGER) AS `followers`,
  -- `impressions` is an alias of `views` on Instagram, YouTube and TikTok; take whichever came.
  CAST(COALESCE(MAX(CASE WHEN s.`name` = 'impressions' THEN v.`value` END), MAX(CASE WHEN s.`name` = 'views' THEN v.`value` END)) AS INTEGER) AS `impressions`,
  CAST(MAX(CASE WHEN s.`name` = 'reach' THEN v.`value` END) AS INTEGER) AS `reach`,
  CAST(MAX(CASE WHEN s.`name` = 'profileViews' THEN v.`value` END) AS INTEGER) AS `profile_views`,
  CAST(MAX(CASE WHEN s.`name` = 'likes' THEN v.`value` END) AS INTEGER) AS `likes`,
  CAST(MAX(CASE WHEN s.`name` = 'comments' THEN v.`value` END) AS INTEGER) AS `comments`,
  CAST(MAX(CASE WHEN s.`name` = 'shares' THEN v.`value` END) AS INTEGER) AS `shares`,
  CAST(MAX(CASE WHEN s.`name` = 'saves' THEN v.`value` END) AS INTEGER) AS `saves`
FROM latest l
JOIN `profiles` p ON p.`id` = l.`profile_id`
JOIN `series` s ON s.`profile_id` = l.`profile_id` AND s.`platform` = l.`platform` AND s.`kind` = 'snapshot'
JOIN `daily_values` v ON v.`series_id` = s.`id` AND v.`day` = l.`day`
GROUP BY l.`profile_id`, l.`platform`;
--> statement-breakpoint
CREATE VIEW `v_timeseries` AS
SELECT
  CAST(p.`username` AS TEXT) AS `profile_username`,
  CAST(s.`platform` AS TEXT) AS `platform`,
  CAST(v.`day` AS TEXT) AS `day`,
  CAST(strftime('%s', v.`day`) AS INTEGER) AS `time`,
  CAST(s.`name` AS TEXT) AS `series`,
  CAST(r.`metric_type` AS TEXT) AS `metric_type`,
  v.`value` AS `value`
FROM `daily_values` v
JOIN `series` s ON s.`id` = v.`series_id` AND s.`kind` = 'timeseries'
JOIN `profiles` p ON p.`id` = s.`profile_id`
LEFT JOIN `v_platform_rules` r ON r.`platform` = s.`platform`
  AND v.`day` >= r.`valid_from` AND v.`day` < r.`valid_to`;
--> statement-breakpoint
CREATE VIEW `v_value_revisions` AS
SELECT
  CAST(p.`username` AS TEXT) AS `profile_username`,
  CAST(s.`platform` AS TEXT) AS `platform`,
  CAST(s.`kind` AS TEXT) AS `kind`,
  CAST(s.`name` AS TEXT) AS `name`,
  CAST(r.`day` AS TEXT) AS `day`,
  r.`value` AS `value`,
  CAST(r.`source` AS TEXT) AS `source`,
  CAST(strftime('%Y-%m-%dT%H:%M:%SZ', r.`observed_at`, 'unixepoch') AS TEXT) AS `observed_at`,
  CAST(strftime('%Y-%m-%dT%H:%M:%SZ', r.`replaced_at`, 'unixepoch') AS TEXT) AS `replaced_at`
FROM `value_revisions` r
JOIN `series` s ON s.`id` = r.`series_id`
JOIN `profiles` p ON p.`id` = s.`profile_id`;
--> statement-breakpoint
CREATE VIEW `v_post_metrics` AS
SELECT
  CAST(m.`request_id` AS TEXT) AS `request_id`,
  CAST(p.`username` AS TEXT) AS `profile_username`,
  CAST(m.`platform` AS TEXT) AS `platform`,
  CAST(m.`day` AS TEXT) AS `day`,
  CAST(strftime('%s', m.`day`) AS INTEGER) AS `time`,
  CAST(pp.`platform_post_id` AS TEXT) AS `platform_post_id`,
  CAST(pp.`post_url` AS TEXT) AS `post_url`,
  CAST(m.`metric` AS TEXT) AS `metric`,
  m.`value` AS `value`
FROM `post_metrics` m
JOIN `posts` po ON po.`request_id` = m.`request_id`
JOIN `profiles` p ON p.`id` = po.`profile_id`
LEFT JOIN `post_platforms` pp ON pp.`request_id` = m.`request_id` AND pp.`platform` = m.`platform`;
