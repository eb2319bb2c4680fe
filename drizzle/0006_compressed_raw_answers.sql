-- Raw answers are stored compressed from now on (src/store/raw.codec.ts, raw.repository.ts).
-- Hand-edited: drizzle-kit would copy the old rows into the new table here, gigabytes of text
-- inside the migration of the first open. The old table is renamed instead (instant, its
-- indexes go with it), and the first writer to open the file compresses its rows into the new
-- table in batches, keeping their ids (compressLegacyRaw); readers read both tables meanwhile.
ALTER TABLE `raw_responses` RENAME TO `raw_responses_legacy`;
--> statement-breakpoint
CREATE TABLE `raw_responses` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` integer,
	`endpoint` text NOT NULL,
	`profile` text,
	`params` text NOT NULL,
	`status` integer,
	`received_at` text NOT NULL,
	`served_at` integer NOT NULL,
	`size` integer NOT NULL,
	`codec` text NOT NULL,
	`base_id` integer,
	`body` blob NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
-- New answers are numbered after the old ones: ids keep the order answers were received in.
INSERT INTO `sqlite_sequence` (`name`, `seq`) SELECT 'raw_responses', COALESCE(MAX(`id`), 0) FROM `raw_responses_legacy`;
--> statement-breakpoint
CREATE INDEX `raw_responses_series_idx` ON `raw_responses` (`profile`,`endpoint`,`base_id`);
--> statement-breakpoint
CREATE INDEX `raw_responses_served_idx` ON `raw_responses` (`served_at`);
