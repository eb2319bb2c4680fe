-- Post metrics include fractions (average_view_percentage, full_video_watched_rate): the
-- column itself is REAL, so every SQLite client and DuckDB's scanner read one declared type,
-- old sqlite3 shells included (they type only plain column references in views).
DROP VIEW IF EXISTS `v_post_metrics`;
--> statement-breakpoint
CREATE TABLE `__new_post_metrics` (
	`request_id` text NOT NULL,
	`platform` text NOT NULL,
	`day` text NOT NULL,
	`metric` text NOT NULL,
	`value` real NOT NULL,
	`observed_at` integer NOT NULL,
	`run_id` integer,
	PRIMARY KEY(`request_id`, `platform`, `day`, `metric`),
	FOREIGN KEY (`request_id`) REFERENCES `posts`(`request_id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_post_metrics`("request_id", "platform", "day", "metric", "value", "observed_at", "run_id") SELECT "request_id", "platform", "day", "metric", "value", "observed_at", "run_id" FROM `post_metrics`;--> statement-breakpoint
DROP TABLE `post_metrics`;--> statement-breakpoint
ALTER TABLE `__new_post_metrics` RENAME TO `post_metrics`;--> statement-breakpoint
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
