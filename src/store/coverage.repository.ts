/** What days of snapshots the warehouse holds, per profile and platform, and the gaps inside. */
import type { Warehouse } from './warehouse.js';

export interface Coverage {
  profile: string;
  platform: string | null;
  firstDay: string;
  lastDay: string;
  daysHeld: number;
}

export interface Gap {
  profile: string;
  from: string;
  to: string;
}

/** First and last snapshot day and the number of days held, per profile (platform null) and per platform. */
export function snapshotCoverage(wh: Warehouse): Coverage[] {
  return wh.sqlite
    .prepare(
      `WITH d AS (
         SELECT s.profile_id, s.platform, v.day FROM daily_values v JOIN series s ON s.id = v.series_id AND s.kind = 'snapshot'
         GROUP BY s.profile_id, s.platform, v.day
       )
       SELECT p.username AS profile, NULL AS platform, MIN(d.day) AS firstDay, MAX(d.day) AS lastDay, COUNT(DISTINCT d.day) AS daysHeld
       FROM d JOIN profiles p ON p.id = d.profile_id GROUP BY p.username
       UNION ALL
       SELECT p.username, d.platform, MIN(d.day), MAX(d.day), COUNT(*)
       FROM d JOIN profiles p ON p.id = d.profile_id GROUP BY p.username, d.platform
       ORDER BY profile, platform`,
    )
    .all() as Coverage[];
}

/** The runs of days inside each profile's span without any snapshot value. */
export function snapshotGaps(wh: Warehouse): Gap[] {
  return wh.sqlite
    .prepare(
      `WITH d AS (
         SELECT DISTINCT s.profile_id, v.day FROM daily_values v JOIN series s ON s.id = v.series_id AND s.kind = 'snapshot'
       ), g AS (
         SELECT profile_id, day, LAG(day) OVER (PARTITION BY profile_id ORDER BY day) AS prev FROM d
       )
       SELECT p.username AS profile, date(g.prev, '+1 day') AS "from", date(g.day, '-1 day') AS "to"
       FROM g JOIN profiles p ON p.id = g.profile_id
       WHERE g.prev IS NOT NULL AND julianday(g.day) - julianday(g.prev) > 1
       ORDER BY p.username, g.day`,
    )
    .all() as Gap[];
}
