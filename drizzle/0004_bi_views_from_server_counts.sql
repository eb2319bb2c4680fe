-- What the server counted per (profile, platform, day) now lives in daily_impressions,
-- written with the values themselves; the views read it instead of re-deriving it from
-- rules at query time, so the views and `upw impressions` add the same rows.
-- Revisions carry the run that had written the replaced value.
DROP TRIGGER IF EXISTS `daily_values_keep_revision`;
--> statement-breakpoint
CREATE TRIGGER `daily_values_keep_revision` AFTER UPDATE OF `value` ON `daily_values`
WHEN OLD.`value` IS NOT NEW.`value`
BEGIN
  INSERT INTO `value_revisions` (`series_id`, `day`, `value`, `source`, `observed_at`, `replaced_at`, `run_id`)
  VALUES (OLD.`series_id`, OLD.`day`, OLD.`value`, OLD.`source`, OLD.`observed_at`, NEW.`observed_at`, OLD.`run_id`);
END;
--> statement-breakpoint
-- A warehouse from before 0003: one row per (profile, platform, day) that holds any
-- snapshot value, counted through the field of the rule of that day as 0002's views did
-- (the stored rule of the day, else the earliest stored, else the cached platform-metrics
-- field, else the built-in default).
INSERT INTO `daily_impressions` (`profile_id`, `platform`, `day`, `value`, `primary_field`, `metric_type`, `source`, `observed_at`, `run_id`)
WITH `builtin` (`platform`, `primary_field`, `metric_type`) AS (
  VALUES ('instagram', 'reach', 'reach'), ('facebook', 'reach', 'reach'), ('linkedin', 'reach', 'reach'),
         ('youtube', 'impressions', 'views'), ('tiktok', 'impressions', 'views'), ('threads', 'impressions', 'views'),
         ('x', 'impressions', 'impressions'), ('pinterest', 'impressions', 'impressions'),
         ('reddit', 'impressions', 'score'), ('bluesky', 'engagement', 'engagement')
),
`held` AS (
  SELECT s.`profile_id`, s.`platform`, v.`day`, MAX(v.`observed_at`) AS `observed_at`, MIN(v.`source`) AS `source`
  FROM `daily_values` v JOIN `series` s ON s.`id` = v.`series_id` AND s.`kind` = 'snapshot'
  GROUP BY s.`profile_id`, s.`platform`, v.`day`
),
`ruled` AS (
  SELECT h.*,
    COALESCE(
      (SELECT r.`primary_field` FROM `platform_rules` r WHERE r.`platform` = h.`platform` AND r.`valid_from` <= h.`day` ORDER BY r.`valid_from` DESC LIMIT 1),
      (SELECT r.`primary_field` FROM `platform_rules` r WHERE r.`platform` = h.`platform` ORDER BY r.`valid_from` LIMIT 1),
      (SELECT c.`primary_field` FROM `platform_metrics_cache` c WHERE c.`platform` = h.`platform`),
      (SELECT b.`primary_field` FROM `builtin` b WHERE b.`platform` = h.`platform`)
    ) AS `field`,
    COALESCE(
      (SELECT r.`metric_type` FROM `platform_rules` r WHERE r.`platform` = h.`platform` AND r.`valid_from` <= h.`day` ORDER BY r.`valid_from` DESC LIMIT 1),
      (SELECT r.`metric_type` FROM `platform_rules` r WHERE r.`platform` = h.`platform` ORDER BY r.`valid_from` LIMIT 1),
      (SELECT b.`metric_type` FROM `builtin` b WHERE b.`platform` = h.`platform`)
    ) AS `metric_type`
  FROM `held` h
)
SELECT u.`profile_id`, u.`platform`, u.`day`,
  (SELECT v.`value` FROM `series` s JOIN `daily_values` v ON v.`series_id` = s.`id` AND v.`day` = u.`day`
   WHERE s.`profile_id` = u.`profile_id` AND s.`platform` = u.`platform` AND s.`kind` = 'snapshot' AND s.`name` = u.`field`),
  u.`field`, u.`metric_type`, u.`source`, u.`observed_at`, NULL
FROM `ruled` u;
--> statement-breakpoint
-- Open ends are NULL, not sentinel dates: pandas and BI tools choke on year 0 and 9999.
-- valid_from NULL: the earliest known rule, taken to hold before it was first seen too.
DROP VIEW IF EXISTS `v_platform_rules`;
--> statement-breakpoint
CREATE VIEW `v_platform_rules` AS
SELECT
  `platform`,
  CAST(CASE WHEN LAG(`valid_from`) OVER w IS NULL THEN NULL ELSE `valid_from` END AS TEXT) AS `valid_from`,
  CAST(LEAD(`valid_from`) OVER w AS TEXT) AS `valid_to`,
  `primary_field`,
  `metric_type`,
  `source`
FROM `platform_rules`
WINDOW w AS (PARTITION BY `platform` ORDER BY `valid_from`);
--> statement-breakpoint
DROP VIEW IF EXISTS `v_daily_impressions`;
--> statement-breakpoint
CREATE VIEW `v_daily_impressions` AS
SELECT
  p.`username` AS `profile_username`,
  d.`platform`,
  d.`day`,
  CAST(strftime('%s', d.`day`) AS INTEGER) AS `time`,
  d.`metric_type`,
  d.`primary_field`,
  d.`value` AS `impressions`
FROM `daily_impressions` d
JOIN `profiles` p ON p.`id` = d.`profile_id`
WHERE d.`value` IS NOT NULL;
--> statement-breakpoint
DROP VIEW IF EXISTS `v_timeseries`;
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
  AND (r.`valid_from` IS NULL OR v.`day` >= r.`valid_from`) AND (r.`valid_to` IS NULL OR v.`day` < r.`valid_to`);
--> statement-breakpoint
CREATE VIEW `v_demographics` AS
SELECT
  p.`username` AS `profile_username`,
  d.`platform`,
  d.`day`,
  d.`audience`,
  d.`dimension`,
  d.`segment`,
  d.`value`
FROM `demographics` d
JOIN `profiles` p ON p.`id` = d.`profile_id`;
--> statement-breakpoint
CREATE VIEW `v_post_profile_snapshots` AS
SELECT
  s.`request_id`,
  p.`username` AS `profile_username`,
  s.`platform`,
  s.`snapshot`,
  s.`day`,
  s.`metric`,
  s.`value`
FROM `post_profile_snapshots` s
JOIN `posts` po ON po.`request_id` = s.`request_id`
JOIN `profiles` p ON p.`id` = po.`profile_id`;
