CREATE TABLE `daily_impressions` (
	`profile_id` integer NOT NULL,
	`platform` text NOT NULL,
	`day` text NOT NULL,
	`value` integer,
	`primary_field` text,
	`metric_type` text,
	`source` text NOT NULL,
	`observed_at` integer NOT NULL,
	`run_id` integer,
	PRIMARY KEY(`profile_id`, `platform`, `day`),
	FOREIGN KEY (`profile_id`) REFERENCES `profiles`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `demographics` (
	`profile_id` integer NOT NULL,
	`platform` text NOT NULL,
	`day` text NOT NULL,
	`audience` text NOT NULL,
	`dimension` text NOT NULL,
	`segment` text NOT NULL,
	`value` integer NOT NULL,
	`observed_at` integer NOT NULL,
	`run_id` integer,
	PRIMARY KEY(`profile_id`, `platform`, `day`, `audience`, `dimension`, `segment`),
	FOREIGN KEY (`profile_id`) REFERENCES `profiles`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `post_profile_snapshots` (
	`request_id` text NOT NULL,
	`platform` text NOT NULL,
	`snapshot` text NOT NULL,
	`day` text NOT NULL,
	`metric` text NOT NULL,
	`value` integer NOT NULL,
	`observed_at` integer NOT NULL,
	`run_id` integer,
	PRIMARY KEY(`request_id`, `platform`, `snapshot`, `day`, `metric`),
	FOREIGN KEY (`request_id`) REFERENCES `posts`(`request_id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `run_changes` (
	`run_id` integer NOT NULL,
	`profile_id` integer NOT NULL,
	`from_day` text NOT NULL,
	`to_day` text NOT NULL,
	PRIMARY KEY(`run_id`, `profile_id`)
) WITHOUT ROWID;
--> statement-breakpoint
ALTER TABLE `daily_values` ADD `run_id` integer;--> statement-breakpoint
ALTER TABLE `post_metrics` ADD `run_id` integer;--> statement-breakpoint
ALTER TABLE `post_platforms` ADD `metrics_source` text;--> statement-breakpoint
ALTER TABLE `post_platforms` ADD `run_id` integer;--> statement-breakpoint
ALTER TABLE `posts` ADD `run_id` integer;--> statement-breakpoint
ALTER TABLE `run_errors` ADD `field` text;--> statement-breakpoint
ALTER TABLE `run_errors` ADD `raw_value` text;--> statement-breakpoint
ALTER TABLE `value_revisions` ADD `run_id` integer;