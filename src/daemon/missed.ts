/** Which days the daemon missed while it was down: the gaps in what the warehouse holds. */
import type { DayRange } from '../backfill/backfill.usecases.js';
import { addDays, eachDay } from '../dates.js';
import { heldDays } from '../store/runs.repository.js';
import type { Warehouse } from '../store/warehouse.js';

/** How far back the daemon looks for gaps; the server keeps about 400 days of snapshots. */
export const CATCH_UP_WINDOW_DAYS = 365;

/**
 * The runs of days before `today` with neither a finished collect nor a
 * finished backfill, counted from the first day held in the window (a new
 * warehouse has no gaps: its history is `upw backfill`'s job).
 */
export function missedRanges(wh: Warehouse, today: string, windowDays = CATCH_UP_WINDOW_DAYS): DayRange[] {
  const from = addDays(today, -windowDays);
  const { collected, backfilled } = heldDays(wh, from);
  const held = new Set(collected.filter((d) => d >= from && d <= today));
  for (const r of backfilled) {
    const since = r.since < from ? from : r.since;
    const until = r.until > today ? today : r.until;
    if (since <= until) for (const d of eachDay(since, until)) held.add(d);
  }
  if (held.size === 0) return [];
  const first = [...held].reduce((a, b) => (a < b ? a : b));
  const ranges: DayRange[] = [];
  for (let d = first; d < today; d = addDays(d, 1)) {
    if (held.has(d)) continue;
    const last = ranges[ranges.length - 1];
    if (last && last.until === addDays(d, -1)) last.until = d;
    else ranges.push({ since: d, until: d });
  }
  return ranges;
}
