/** What `upw status --check` reads: the last collection that finished. */
import { and, desc, eq, ne } from 'drizzle-orm';
import { runsTable, type Run } from './schema.js';
import type { Warehouse } from './warehouse.js';

/** The newest collect run that is no longer running (a daemon tick or `upw collect`). */
export function lastFinishedCollect(wh: Warehouse): Run | undefined {
  return wh.db
    .select()
    .from(runsTable)
    .where(and(eq(runsTable.kind, 'collect'), ne(runsTable.status, 'running')))
    .orderBy(desc(runsTable.id))
    .limit(1)
    .get();
}
