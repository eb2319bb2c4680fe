/** Runs, their failures, and the daemon's heartbeat. */
import { and, desc, eq, gte, inArray, isNotNull, isNull, ne, notInArray, or, sql, type AnyColumn } from 'drizzle-orm';
import { preparedFor } from './prepared.js';
import { daemonStateTable, runErrorsTable, runsTable, type DaemonState, type Run, type RunError } from './schema.js';
import type { Warehouse } from './warehouse.js';

// Raw answers have their own module (compression); the run's writers have always found them here.
export { pruneRaw, recordRaw, type RawRecord } from './raw.repository.js';

export type RunKind = Run['kind'];
export type RunStatus = Run['status'];

export interface RunCounts {
  requests?: number;
  retries?: number;
  rateLimited?: number;
  profilesOk?: number;
  profilesFailed?: number;
  platformsOk?: number;
  platformsFailed?: number;
  valuesWritten?: number;
}

export function startRun(wh: Warehouse, kind: RunKind, day: string | null, range?: { since: string; until: string }): number {
  return wh.db
    .insert(runsTable)
    .values({ kind, day, since: range?.since ?? null, until: range?.until ?? null, status: 'running', startedAt: new Date().toISOString(), pid: process.pid })
    .returning({ id: runsTable.id })
    .get().id;
}

// Runs once per profile stored: prepared once per connection.
const perProfileQueries = preparedFor((wh) => {
  const t = runsTable;
  const add = (column: AnyColumn, name: string) => sql<number>`${column} + ${sql.placeholder(name)}`;
  return {
    addCounts: wh.db
      .update(t)
      .set({
        profilesOk: add(t.profilesOk, 'profilesOk'),
        profilesFailed: add(t.profilesFailed, 'profilesFailed'),
        platformsOk: add(t.platformsOk, 'platformsOk'),
        platformsFailed: add(t.platformsFailed, 'platformsFailed'),
        valuesWritten: add(t.valuesWritten, 'valuesWritten'),
      })
      .where(eq(t.id, sql.placeholder('runId')))
      .prepare(),
  };
});

/** Add to a run's counters (inside the profile's transaction, so they match what is stored). */
export function addRunCounts(wh: Warehouse, runId: number, c: RunCounts): void {
  perProfileQueries(wh).addCounts.run({
    runId,
    profilesOk: c.profilesOk ?? 0,
    profilesFailed: c.profilesFailed ?? 0,
    platformsOk: c.platformsOk ?? 0,
    platformsFailed: c.platformsFailed ?? 0,
    valuesWritten: c.valuesWritten ?? 0,
  });
}

export function finishRun(wh: Warehouse, runId: number, status: RunStatus, c: Pick<RunCounts, 'requests' | 'retries' | 'rateLimited'>, message?: string): void {
  wh.db
    .update(runsTable)
    .set({ status, finishedAt: new Date().toISOString(), requests: c.requests ?? 0, retries: c.retries ?? 0, rateLimited: c.rateLimited ?? 0, message: message ?? null })
    .where(eq(runsTable.id, runId))
    .run();
}

export interface RunErrorInput {
  profile?: string;
  platform?: string;
  kind: string;
  status?: number;
  message: string;
  /** For a value that could not be read: the answer's field, and the value as received. */
  field?: string;
  rawValue?: string;
}

export function recordRunError(wh: Warehouse, runId: number, e: RunErrorInput): void {
  wh.db
    .insert(runErrorsTable)
    .values({
      runId,
      profile: e.profile ?? null,
      platform: e.platform ?? null,
      kind: e.kind,
      status: e.status ?? null,
      message: e.message,
      field: e.field ?? null,
      rawValue: e.rawValue ?? null,
      at: new Date().toISOString(),
    })
    .run();
}

/** A value the API sent that could not be read, for the run's record (kind `bad_value`, a failure). */
export function recordBadValue(wh: Warehouse, runId: number, where: { profile: string; platform?: string; post?: string }, b: { field: string; raw: string; why: string }): void {
  const on = `${where.platform ? `${where.profile}/${where.platform}` : where.profile}${where.post ? `, post ${where.post}` : ''}`;
  recordRunError(wh, runId, { profile: where.profile, platform: where.platform, kind: 'bad_value', message: `${on}: ${b.field} is ${b.why}: ${b.raw}`, field: b.field, rawValue: b.raw });
}
export function getRun(wh: Warehouse, runId: number): Run | undefined {
  return wh.db.select().from(runsTable).where(eq(runsTable.id, runId)).get();
}

export function listRuns(wh: Warehouse, limit: number): Run[] {
  return wh.db.select().from(runsTable).orderBy(desc(runsTable.id)).limit(limit).all();
}

/** The latest recorded errors, newest first; `notices` keeps only notes (true) or only failures (false). */
export function listRunErrors(wh: Warehouse, opts: { runId?: number; limit: number; notices?: boolean }): RunError[] {
  const t = runErrorsTable;
  const kinds = opts.notices === undefined ? undefined : opts.notices ? inArray(t.kind, [...NOTICE_KINDS]) : notInArray(t.kind, [...NOTICE_KINDS]);
  return wh.db
    .select()
    .from(t)
    .where(and(opts.runId === undefined ? undefined : eq(t.runId, opts.runId), kinds))
    .orderBy(desc(t.id))
    .limit(opts.limit)
    .all();
}

/** Runs left `running` by a process that died: mark them failed. */
export function closeAbandonedRuns(wh: Warehouse, isAlive: (pid: number) => boolean): number {
  const open = wh.db.select().from(runsTable).where(eq(runsTable.status, 'running')).all();
  let closed = 0;
  for (const run of open) {
    if (run.pid !== null && run.pid !== process.pid && isAlive(run.pid)) continue;
    if (run.pid === process.pid) continue;
    wh.db.update(runsTable).set({ status: 'failed', finishedAt: new Date().toISOString(), message: 'abandoned: the process ended before the run finished' }).where(eq(runsTable.id, run.id)).run();
    closed++;
  }
  return closed;
}

export function writeHeartbeat(wh: Warehouse, state: Omit<DaemonState, 'id'>): void {
  const row = { id: 1, ...state };
  wh.db.insert(daemonStateTable).values(row).onConflictDoUpdate({ target: daemonStateTable.id, set: row }).run();
}

export function readHeartbeat(wh: Warehouse): DaemonState | undefined {
  return wh.db.select().from(daemonStateTable).where(eq(daemonStateTable.id, 1)).get();
}

/** How many failures a run recorded. */
/**
 * Kinds recorded for the reader but not failures: posts left for the next run
 * because the post-analytics window was used up is the plan working, not a
 * fault; a platform the API answers "not supported" or `*_unavailable` for has
 * nothing to read (the API's message is kept, `upw status` shows it); Facebook
 * asked for without a page id is a warning, the API's answer decides.
 */
export const NOTICE_KINDS = ['posts_deferred', 'unsupported', 'unavailable', 'no_page_id'] as const;

/** True for a kind that is a note for the reader, not a failure. */
export function isNoticeKind(kind: string): boolean {
  return (NOTICE_KINDS as readonly string[]).includes(kind);
}

/** The run's failures (notices excluded). */
export function countRunErrors(wh: Warehouse, runId: number): number {
  return (
    wh.db
      .select({ n: sql<number>`count(*)` })
      .from(runErrorsTable)
      .where(and(eq(runErrorsTable.runId, runId), notInArray(runErrorsTable.kind, [...NOTICE_KINDS])))
      .get()?.n ?? 0
  );
}

/** Runs this process left open (it is shutting down before they finished): mark them failed. */
export function abandonOwnRuns(wh: Warehouse, message: string): number {
  return wh.db
    .update(runsTable)
    .set({ status: 'failed', finishedAt: new Date().toISOString(), message })
    .where(and(eq(runsTable.status, 'running'), eq(runsTable.pid, process.pid)))
    .run().changes;
}

/** The message of a run a signal cut short: such a run's day is not whole even when nothing failed. */
export const STOPPED_EARLY = 'stopped early by a signal';

/** True when a collect run for the server's `day` finished (ok or partial) and was not cut short by a signal. */
export function collectedOn(wh: Warehouse, day: string): boolean {
  const t = runsTable;
  return (
    wh.db
      .select({ id: t.id })
      .from(t)
      .where(and(eq(t.kind, 'collect'), eq(t.day, day), or(eq(t.status, 'ok'), and(eq(t.status, 'partial'), or(isNull(t.message), ne(t.message, STOPPED_EARLY))))))
      .limit(1)
      .get() !== undefined
  );
}
