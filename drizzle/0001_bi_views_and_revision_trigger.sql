-- The BI views (the stable interface; docs/warehouse.md) and the revision trigger.
-- SQLite before 3.41 (Debian 12's sqlite3 shell, older drivers) reports no
-- declared type for a view column that is an expression, and CAST(col AS T) is
-- an expression: so plain columns are selected bare and keep their table's
-- declared type everywhere; only computed ones carry a CAST, which SQLite 3.41+
-- reports as that type.
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
  `platform`,
  CAST(CASE WHEN LAG(`valid_from`) OVER w IS NULL THEN '0000-01-01' ELSE `valid_from` END AS TEXT) AS `valid_from`,
  CAST(COALESCE(LEAD(`valid_from`) OVER w, '9999-12-31') AS TEXT) AS `valid_to`,
  `primary_field`,
  `metric_type`,
  `source`
FROM `platform_rules`
WINDOW w AS (PARTITION BY `platform` ORDER BY `valid_from`);
--> statement-breakpoint
CREATE VIEW `v_daily_metrics` AS
SELECT
  p.`username` AS `profile_username`,
  s.`platform`,
  v.`day`,
  CAST(strftime('%s', v.`day`) AS INTEGER) AS `time`,
  s.`name` AS `metric`,
  v.`value`,
  v.`source`,
  CAST(strftime('%Y-%m-%dT%H:%M:%SZ', v.`observed_at`, 'unixepoch') AS TEXT) AS `observed_at`
FROM `daily_values` v
JOIN `series` s ON s.`id` = v.`series_id` AND s.`kind` = 'snapshot'
JOIN `profiles` p ON p.`id` = s.`profile_id`;
--> statement-breakpoint
CREATE VIEW `v_daily_impressions` AS
SELECT
  p.`username` AS `profile_username`,
  s.`platform`,
  v.`day`,
  CAST(strftime('%s', v.`day`) AS INTEGER) AS `time`,
  r.`metric_type`,
  r.`primary_field`,
  v.`value` AS `impressions`
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
  p.`username` AS `profile_username`,
  l.`platform`,
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
  p.`username` AS `profile_username`,
  s.`platform`,
  v.`day`,
  CAST(strftime('%s', v.`day`) AS INTEGER) AS `time`,
  s.`name` AS `series`,
  r.`metric_type`,
  v.`value`,
  v.`source`,
  CAST(strftime('%Y-%m-%dT%H:%M:%SZ', v.`observed_at`, 'unixepoch') AS TEXT) AS `observed_at`
FROM `daily_values` v
JOIN `series` s ON s.`id` = v.`series_id` AND s.`kind` = 'timeseries'
JOIN `profiles` p ON p.`id` = s.`profile_id`
LEFT JOIN `v_platform_rules` r ON r.`platform` = s.`platform`
  AND v.`day` >= r.`valid_from` AND v.`day` < r.`valid_to`;
--> statement-breakpoint
CREATE VIEW `v_value_revisions` AS
SELECT
  p.`username` AS `profile_username`,
  s.`platform`,
  s.`kind`,
  s.`name`,
  r.`day`,
  r.`value`,
  r.`source`,
  CAST(strftime('%Y-%m-%dT%H:%M:%SZ', r.`observed_at`, 'unixepoch') AS TEXT) AS `observed_at`,
  CAST(strftime('%Y-%m-%dT%H:%M:%SZ', r.`replaced_at`, 'unixepoch') AS TEXT) AS `replaced_at`
FROM `value_revisions` r
JOIN `series` s ON s.`id` = r.`series_id`
JOIN `profiles` p ON p.`id` = s.`profile_id`;
--> statement-breakpoint
CREATE VIEW `v_post_metrics` AS
SELECT
  m.`request_id`,
  p.`username` AS `profile_username`,
  m.`platform`,
  m.`day`,
  CAST(strftime('%s', m.`day`) AS INTEGER) AS `time`,
  pp.`platform_post_id`,
  pp.`post_url`,
  m.`metric`,
  m.`value`
FROM `post_metrics` m
JOIN `posts` po ON po.`request_id` = m.`request_id`
JOIN `profiles` p ON p.`id` = po.`profile_id`
LEFT JOIN `post_platforms` pp ON pp.`request_id` = m.`request_id` AND pp.`platform` = m.`platform`;
