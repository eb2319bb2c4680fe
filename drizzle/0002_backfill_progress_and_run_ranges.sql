CREATE TABLE `backfill_progress` (
	`profile_id` integer NOT NULL,
	`step` text NOT NULL,
	`platform` text NOT NULL,
	`since` text NOT NULL,
	`until` text NOT NULL,
	`taken_on` text NOT NULL,
	`run_id` integer,
	`values_written` integer DEFAULT 0 NOT NULL,
	`completed_at` text NOT NULL,
	PRIMARY KEY(`profile_id`, `step`, `platform`, `since`, `until`),
	FOREIGN KEY (`profile_id`) REFERENCES `profiles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
ALTER TABLE `runs` ADD `since` text;--> statement-breakpoint
ALTER TABLE `runs` ADD `until` text;