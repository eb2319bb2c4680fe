/**
 * What days of snapshots the warehouse holds, per profile and platform, and
 * the days it lacks. Both come from what is stored (daily_impressions holds
 * one row per profile, platform and day held), never from which runs ended
 * ok: `upw status` shows these gaps and the daemon's catch-up repairs them.
 */
import { addDays } from '../dates.js';
import { NOTICE_KINDS } from './runs.repository.js';
import type { Warehouse } from './warehouse.js';

/** How far back gaps are looked for (and repaired): the server keeps about 400 days. */
export const CATCH_UP_WINDOW_DAYS = 365;

export interface Coverage {
  profile: string;
  platform: string | null;
  firstDay: string;
  lastDay: string;
  daysHeld: number;
}

/** Days one platform of one profile lacks, both ends inclusive. */
export interface Gap {
  profile: string;
  platform: string;
  from: string;
  to: string;
}

/** First and last day held and the number of days held, per profile (platform null) and per platform. */
export function snapshotCoverage(wh: Warehouse): Coverage[] {
  return wh.sqlite
    .prepare(
      `SELECT p.username AS profile, NULL AS platform, MIN(d.day) AS firstDay, MAX(d.day) AS lastDay, COUNT(DISTINCT d.day) AS daysHeld
       FROM daily_impressions d JOIN profiles p ON p.id = d.profile_id GROUP BY p.username
       UNION ALL
       SELECT p.username, d.platform, MIN(d.day), MAX(d.day), COUNT(*)
       FROM daily_impressions d JOIN profiles p ON p.id = d.profile_id GROUP BY p.username, d.platform
       ORDER BY profile, platform`,
    )
    .all() as Coverage[];
}

// Per (profile, platform): the holes between days held, the days from the profile's first
// day held to the platform's first, and the days from the platform's last to today. The
// window function walks the primary key in order (profile_id, platform, day): no sort.
// A platform a run failed for (a failure recorded for the profile and that one platform, not
// a note) is the profile's too: while it holds nothing in the window, every day from the
// profile's first is a gap, or a platform that failed on every collection so far would be
// invisible, and ranges the warehouse holds would lack it. (A backfill piece of one day over
// several platforms records them joined by commas; those pieces only fill gaps already seen.)
const GAPS = `
  WITH w AS (SELECT profile_id, platform, day FROM daily_impressions WHERE day >= :from AND day <= :today),
  f AS (SELECT profile_id, MIN(day) AS first FROM w GROUP BY profile_id),
  g AS (SELECT profile_id, platform, day, LAG(day) OVER (PARTITION BY profile_id, platform ORDER BY day) AS prev FROM w),
  e AS (
    SELECT DISTINCT p.id AS profile_id, r.platform FROM run_errors r JOIN profiles p ON p.username = r.profile
    WHERE r.platform IS NOT NULL AND instr(r.platform, ',') = 0 AND r.kind NOT IN (SELECT value FROM json_each(:notices))
  )
  SELECT profile_id, platform, date(prev, '+1 day') AS "from", date(day, '-1 day') AS "to"
  FROM g WHERE prev IS NOT NULL AND julianday(day) - julianday(prev) > 1
  UNION ALL
  SELECT g.profile_id, g.platform, f.first, date(MIN(g.day), '-1 day')
  FROM g JOIN f ON f.profile_id = g.profile_id GROUP BY g.profile_id, g.platform HAVING MIN(g.day) > MIN(f.first)
  UNION ALL
  SELECT profile_id, platform, date(MAX(day), '+1 day'), :today
  FROM g GROUP BY profile_id, platform HAVING MAX(day) < :today
  UNION ALL
  SELECT e.profile_id, e.platform, f.first, :today
  FROM e JOIN f ON f.profile_id = e.profile_id
  WHERE NOT EXISTS (SELECT 1 FROM w WHERE w.profile_id = e.profile_id AND w.platform = e.platform)`;

// Days a backfill asked the server for and found nothing on are not gaps: a range taken
// after it closed is final; one taken today stands for today.
const ASKED = `
  SELECT profile_id, platform, since, until, taken_on AS takenOn FROM backfill_progress
  WHERE step = 'snapshots' AND until >= :from`;

/**
 * Every day from `from` to `today` that a profile's platform lacks (a platform
 * it holds days of, or one a run failed for), counted from the profile's
 * first day held in that window; days a finished backfill found empty on the
 * server are not lacking. Sorted by profile, platform, day.
 */
export function missingDays(wh: Warehouse, today: string, from: string): Gap[] {
  const names = new Map((wh.sqlite.prepare('SELECT id, username FROM profiles').raw().all() as Array<[number, string]>).map(([id, u]) => [id, u]));
  const holes = wh.sqlite.prepare(GAPS).all({ from, today, notices: JSON.stringify(NOTICE_KINDS) }) as Array<{ profile_id: number; platform: string; from: string; to: string }>;
  if (holes.length === 0) return [];
  const asked = new Map<string, Array<{ since: string; until: string; takenOn: string }>>();
  for (const a of wh.sqlite.prepare(ASKED).all({ from }) as Array<{ profile_id: number; platform: string; since: string; until: string; takenOn: string }>) {
    const key = `${a.profile_id}\u0000${a.platform}`;
    asked.set(key, [...(asked.get(key) ?? []), a]);
  }
  const gaps: Gap[] = [];
  for (const h of holes) {
    const answered = asked.get(`${h.profile_id}\u0000${h.platform}`) ?? [];
    const isAnswered = (day: string) => answered.some((a) => a.since <= day && day <= a.until && (day < a.takenOn || a.takenOn === today));
    let open: Gap | undefined;
    for (let day = h.from; day <= h.to; day = addDays(day, 1)) {
      if (isAnswered(day)) {
        open = undefined;
        continue;
      }
      if (open) open.to = day;
      else gaps.push((open = { profile: names.get(h.profile_id) ?? String(h.profile_id), platform: h.platform, from: day, to: day }));
    }
  }
  return gaps.sort((a, b) => a.profile.localeCompare(b.profile) || a.platform.localeCompare(b.platform) || a.from.localeCompare(b.from));
}
