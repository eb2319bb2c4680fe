/** Instagram's audience breakdowns, one row per profile, platform, day, audience, dimension and segment. */
import { preparedFor } from './prepared.js';
import type { Warehouse } from './warehouse.js';

export interface DemographicRow {
  audience: string;
  dimension: string;
  segment: string;
  value: number;
}

// Run once per Instagram answer with a few dozen rows: prepared once per connection.
const upsert = preparedFor((wh) =>
  // The same value again touches nothing, so run_id stays the run that last changed the row.
  wh.sqlite.prepare(
    `INSERT INTO demographics (profile_id, platform, day, audience, dimension, segment, value, observed_at, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (profile_id, platform, day, audience, dimension, segment) DO UPDATE SET
       value = excluded.value, observed_at = excluded.observed_at, run_id = excluded.run_id
     WHERE demographics.value IS NOT excluded.value`,
  ),
);

/**
 * A day's breakdowns of one platform; a reread the same day replaces values,
 * never adds rows. A segment missing from a later reading keeps its earlier
 * value: rows are never deleted, so an incremental sync misses nothing.
 * Returns the rows inserted or changed.
 */
export function writeDemographics(wh: Warehouse, at: { profileId: number; platform: string; day: string; observedAt: number; runId: number | null }, rows: readonly DemographicRow[]): number {
  const statement = upsert(wh);
  let changed = 0;
  for (const r of rows) changed += statement.run(at.profileId, at.platform, at.day, r.audience, r.dimension, r.segment, r.value, at.observedAt, at.runId).changes;
  return changed;
}
