/** Backfill progress: which (profile, step, platform, range) a backfill already finished. */
import { and, eq, gte, lte } from 'drizzle-orm';
import { backfillProgressTable, type BackfillProgress } from './schema.js';
import type { Warehouse } from './warehouse.js';

export type BackfillStep = BackfillProgress['step'];

export interface ProgressKey {
  profileId: number;
  step: BackfillStep;
  /** '' for the analytics step. */
  platform: string;
  since: string;
  until: string;
}

/**
 * True when a finished import covers `since…until`. A day on or after the day
 * an import ran may have changed since, so only a rerun on that same day
 * trusts it.
 */
export function isCovered(wh: Warehouse, key: ProgressKey, today: string): boolean {
  const t = backfillProgressTable;
  const rows = wh.db
    .select({ takenOn: t.takenOn })
    .from(t)
    .where(and(eq(t.profileId, key.profileId), eq(t.step, key.step), eq(t.platform, key.platform), lte(t.since, key.since), gte(t.until, key.until)))
    .all();
  return rows.some((r) => key.until < r.takenOn || r.takenOn === today);
}

/** Record a finished import (inside the transaction that wrote its values). */
export function markCovered(wh: Warehouse, key: ProgressKey, info: { takenOn: string; runId: number; valuesWritten: number }): void {
  const row = { ...key, ...info, completedAt: new Date().toISOString() };
  wh.db.insert(backfillProgressTable).values(row).onConflictDoUpdate({ target: [backfillProgressTable.profileId, backfillProgressTable.step, backfillProgressTable.platform, backfillProgressTable.since, backfillProgressTable.until], set: row }).run();
}
