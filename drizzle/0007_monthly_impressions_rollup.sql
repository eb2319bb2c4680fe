-- Portfolio queries (every profile, a year, by platform; the top profiles of a month) read a
-- rollup of daily_impressions per month instead of 365 rows per profile and platform
-- (issue 15: 255 ms for a year of 200 profiles through v_daily_impressions). Hand-edited
-- after drizzle-kit generate: WITHOUT ROWID (the key is the only access path), the fill from
-- what is already stored, the triggers that keep it, and its view.
CREATE TABLE `monthly_impressions` (
	`month` text NOT NULL,
	`profile_id` integer NOT NULL,
	`platform` text NOT NULL,
	`impressions` integer NOT NULL,
	`days` integer NOT NULL,
	PRIMARY KEY(`month`, `profile_id`, `platform`),
	FOREIGN KEY (`profile_id`) REFERENCES `profiles`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `monthly_impressions` (`month`, `profile_id`, `platform`, `impressions`, `days`)
SELECT substr(`day`, 1, 7), `profile_id`, `platform`, SUM(`value`), COUNT(*)
FROM `daily_impressions`
WHERE `value` IS NOT NULL
GROUP BY substr(`day`, 1, 7), `profile_id`, `platform`;
--> statement-breakpoint
-- The triggers run inside the statement that writes daily_impressions, so the rollup commits
-- (or rolls back) with the day itself, whichever writer wrote it (collect, backfill, a migration).
-- A day adds its value when it has one; a change takes the old value out and puts the new one in.
CREATE TRIGGER `daily_impressions_rollup_insert` AFTER INSERT ON `daily_impressions`
WHEN NEW.`value` IS NOT NULL
BEGIN
  INSERT INTO `monthly_impressions` (`month`, `profile_id`, `platform`, `impressions`, `days`)
  VALUES (substr(NEW.`day`, 1, 7), NEW.`profile_id`, NEW.`platform`, NEW.`value`, 1)
  ON CONFLICT (`month`, `profile_id`, `platform`) DO UPDATE SET
    `impressions` = `impressions` + excluded.`impressions`, `days` = `days` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `daily_impressions_rollup_update` AFTER UPDATE OF `value`, `profile_id`, `platform`, `day` ON `daily_impressions`
WHEN OLD.`value` IS NOT NEW.`value` OR OLD.`profile_id` IS NOT NEW.`profile_id` OR OLD.`platform` IS NOT NEW.`platform` OR OLD.`day` IS NOT NEW.`day`
BEGIN
  UPDATE `monthly_impressions` SET `impressions` = `impressions` - OLD.`value`, `days` = `days` - 1
  WHERE OLD.`value` IS NOT NULL AND `month` = substr(OLD.`day`, 1, 7) AND `profile_id` = OLD.`profile_id` AND `platform` = OLD.`platform`;
  DELETE FROM `monthly_impressions`
  WHERE `days` = 0 AND `month` = substr(OLD.`day`, 1, 7) AND `profile_id` = OLD.`profile_id` AND `platform` = OLD.`platform`;
  INSERT INTO `monthly_impressions` (`month`, `profile_id`, `platform`, `impressions`, `days`)
  SELECT substr(NEW.`day`, 1, 7), NEW.`profile_id`, NEW.`platform`, NEW.`value`, 1 WHERE NEW.`value` IS NOT NULL
  ON CONFLICT (`month`, `profile_id`, `platform`) DO UPDATE SET
    `impressions` = `impressions` + excluded.`impressions`, `days` = `days` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `daily_impressions_rollup_delete` AFTER DELETE ON `daily_impressions`
WHEN OLD.`value` IS NOT NULL
BEGIN
  UPDATE `monthly_impressions` SET `impressions` = `impressions` - OLD.`value`, `days` = `days` - 1
  WHERE `month` = substr(OLD.`day`, 1, 7) AND `profile_id` = OLD.`profile_id` AND `platform` = OLD.`platform`;
  DELETE FROM `monthly_impressions`
  WHERE `days` = 0 AND `month` = substr(OLD.`day`, 1, 7) AND `profile_id` = OLD.`profile_id` AND `platform` = OLD.`platform`;
END;
--> statement-breakpoint
-- The month's sum of v_daily_impressions, per profile and platform. `time` is the first day
-- of the month in Unix seconds, for Grafana.
CREATE VIEW `v_monthly_impressions` AS
SELECT
  p.`username` AS `profile_username`,
  m.`platform`,
  m.`month`,
  CAST(strftime('%s', m.`month` || '-01') AS INTEGER) AS `time`,
  m.`impressions`,
  m.`days`
FROM `monthly_impressions` m
JOIN `profiles` p ON p.`id` = m.`profile_id`;
