CREATE TABLE `daemon_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`pid` integer NOT NULL,
	`started_at` text NOT NULL,
	`heartbeat_at` text NOT NULL,
	`next_run_at` text,
	`schedule` text NOT NULL,
	`timezone` text NOT NULL,
	`stopped_at` text
);
--> statement-breakpoint
CREATE TABLE `daily_values` (
	`series_id` integer NOT NULL,
	`day` text NOT NULL,
	`value` integer NOT NULL,
	`source` text NOT NULL,
	`observed_at` integer NOT NULL,
	PRIMARY KEY(`series_id`, `day`),
	FOREIGN KEY (`series_id`) REFERENCES `series`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `platform_metrics_cache` (
	`platform` text PRIMARY KEY NOT NULL,
	`primary_field` text,
	`available_metrics` text,
	`metric_labels` text,
	`fetched_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `platform_rules` (
	`platform` text NOT NULL,
	`valid_from` text NOT NULL,
	`primary_field` text,
	`metric_type` text,
	`available_metrics` text,
	`metric_labels` text,
	`source` text NOT NULL,
	`observed_at` text NOT NULL,
	PRIMARY KEY(`platform`, `valid_from`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `post_metrics` (
	`request_id` text NOT NULL,
	`platform` text NOT NULL,
	`day` text NOT NULL,
	`metric` text NOT NULL,
	`value` integer NOT NULL,
	`observed_at` integer NOT NULL,
	PRIMARY KEY(`request_id`, `platform`, `day`, `metric`),
	FOREIGN KEY (`request_id`) REFERENCES `posts`(`request_id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `post_platforms` (
	`request_id` text NOT NULL,
	`platform` text NOT NULL,
	`platform_post_id` text,
	`post_url` text,
	`last_error` text,
	`last_error_day` text,
	PRIMARY KEY(`request_id`, `platform`),
	FOREIGN KEY (`request_id`) REFERENCES `posts`(`request_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `posts` (
	`request_id` text PRIMARY KEY NOT NULL,
	`profile_id` integer NOT NULL,
	`title` text,
	`caption` text,
	`media_type` text,
	`upload_timestamp` text,
	`first_seen_at` text NOT NULL,
	`last_checked_day` text,
	FOREIGN KEY (`profile_id`) REFERENCES `profiles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `posts_profile_idx` ON `posts` (`profile_id`,`upload_timestamp`);--> statement-breakpoint
CREATE TABLE `profiles` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`created_at` text,
	`first_seen_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `profiles_username_unique` ON `profiles` (`username`);--> statement-breakpoint
CREATE TABLE `raw_responses` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` integer,
	`endpoint` text NOT NULL,
	`profile` text,
	`params` text NOT NULL,
	`status` integer,
	`received_at` text NOT NULL,
	`body` text NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `raw_responses_received_idx` ON `raw_responses` (`received_at`);--> statement-breakpoint
CREATE INDEX `raw_responses_profile_idx` ON `raw_responses` (`profile`,`endpoint`);--> statement-breakpoint
CREATE TABLE `run_errors` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` integer NOT NULL,
	`profile` text,
	`platform` text,
	`kind` text NOT NULL,
	`status` integer,
	`message` text NOT NULL,
	`at` text NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `run_errors_run_idx` ON `run_errors` (`run_id`);--> statement-breakpoint
CREATE TABLE `runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`day` text,
	`started_at` text NOT NULL,
	`finished_at` text,
	`pid` integer,
	`requests` integer DEFAULT 0 NOT NULL,
	`retries` integer DEFAULT 0 NOT NULL,
	`rate_limited` integer DEFAULT 0 NOT NULL,
	`profiles_ok` integer DEFAULT 0 NOT NULL,
	`profiles_failed` integer DEFAULT 0 NOT NULL,
	`platforms_ok` integer DEFAULT 0 NOT NULL,
	`platforms_failed` integer DEFAULT 0 NOT NULL,
	`values_written` integer DEFAULT 0 NOT NULL,
	`message` text
);
--> statement-breakpoint
CREATE INDEX `runs_kind_started_idx` ON `runs` (`kind`,`started_at`);--> statement-breakpoint
CREATE TABLE `series` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`profile_id` integer NOT NULL,
	`platform` text NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	FOREIGN KEY (`profile_id`) REFERENCES `profiles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `series_key_idx` ON `series` (`profile_id`,`platform`,`kind`,`name`);--> statement-breakpoint
CREATE TABLE `value_revisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`series_id` integer NOT NULL,
	`day` text NOT NULL,
	`value` integer NOT NULL,
	`source` text NOT NULL,
	`observed_at` integer NOT NULL,
	`replaced_at` integer NOT NULL,
	FOREIGN KEY (`series_id`) REFERENCES `series`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `value_revisions_key_idx` ON `value_revisions` (`series_id`,`day`);