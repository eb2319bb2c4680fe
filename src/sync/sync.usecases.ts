/**
 * `upw sync`: send what changed in the warehouse since the last sync that
 * PostgreSQL acknowledged. The cursor lives in PostgreSQL and moves in the
 * same transaction as the rows, so a sync either lands whole or not at all,
 * and a rerun sends only what is new since. The warehouse file is only read.
 */
import { hostname } from 'node:os';
import { AccountTakenError } from '../errors.js';
import type { Logger } from '../logger.js';
import { isProcessAlive } from '../process/liveness.js';
import { REPLICATED, type ReplicatedTable } from '../replication.js';
import { ChangeReader, type Snapshot } from '../store/changes.repository.js';
import { finishRun, startRun } from '../store/runs.repository.js';
import type { Warehouse } from '../store/warehouse.js';
import { connectTeam } from '../team/db.js';
import { ReplicaTransaction, type SyncState, type WriteMode } from '../team/replica.repository.js';
import type { TeamUrl } from '../team/url.js';

export interface SyncInput {
  /** The warehouse file. */
  warehouse: string;
  url: TeamUrl;
  account: string;
  /** Replace everything PostgreSQL holds of the account by a fresh copy. */
  full?: boolean;
  log: Logger;
}

export interface TableSummary {
  table: string;
  mode: WriteMode;
  sent: number;
  changed: number;
  /** Of `ms`, PostgreSQL's merge of the staged rows. */
  mergeMs: number;
  ms: number;
}

export interface SyncSummary {
  account: string;
  /** The server, password masked. */
  to: string;
  /** No earlier sync of this account (or --full): every row was sent. */
  first: boolean;
  /** Runs after `fromRun` through `throughRun` were sent. */
  fromRun: number;
  throughRun: number;
  /** A run still writing whose rows wait for the next sync, if any. */
  waitingRun: number | null;
  sent: number;
  changed: number;
  tables: TableSummary[];
  ms: number;
}

/** Sync the warehouse into PostgreSQL once. Throws TeamWarehouseError (exit 5) when PostgreSQL fails; nothing is left half there. */
export async function syncWarehouse(input: SyncInput): Promise<SyncSummary> {
  const t0 = performance.now();
  const log = input.log.child({ module: 'sync', account: input.account });
  const reader = new ChangeReader(input.warehouse, isProcessAlive);
  try {
    const team = await connectTeam(input.url);
    try {
      const tx = await ReplicaTransaction.begin(team, input.account);
      try {
        const summary = await send(tx, reader, input, log);
        await tx.commit();
        const done = { ...summary, ms: performance.now() - t0 };
        log.info({ to: done.to, fromRun: done.fromRun, throughRun: done.throughRun, sent: done.sent, changed: done.changed, ms: Math.round(done.ms) }, 'synced');
        return done;
      } catch (error) {
        await tx.rollback();
        throw error;
      }
    } finally {
      await team.close();
    }
  } finally {
    reader.close();
  }
}

async function send(tx: ReplicaTransaction, reader: ChangeReader, input: SyncInput, log: Logger): Promise<Omit<SyncSummary, 'ms'>> {
  const state = input.full ? undefined : await tx.state();
  if (input.full) await tx.clear(REPLICATED.map((t) => t.name));
  // The snapshot starts once the account's lock is held: it is at least as new as the last sync's.
  const snap = reader.begin();
  if (state) checkSameWarehouse(state, reader, input);
  const after = state?.throughRun;
  const window = { after, before: Math.max(snap.horizon, (after ?? 0) + 1) };
  const through = window.before - 1;
  const appended = { ...(state?.appended ?? {}) };
  const tables: TableSummary[] = [];
  for (const t of REPLICATED) {
    const t0 = performance.now();
    const mode = await modeFor(tx, t, state === undefined);
    const source = reader.rows(t, window, appended[t.name] ?? 0);
    const written = await tx.write(t, source.rows, mode);
    const last = source.lastId();
    if (last !== undefined) appended[t.name] = last;
    tables.push({ table: t.name, mode, ...written, ms: performance.now() - t0 });
    log.debug({ table: t.name, mode, sent: written.sent, changed: written.changed, ms: Math.round(performance.now() - t0), mergeMs: Math.round(written.mergeMs) }, 'table sent');
  }
  await tx.save({ throughRun: through, throughRunStartedAt: reader.runStartedAt(through) ?? null, appended, source: `${hostname()}:${input.warehouse}` });
  return {
    account: input.account,
    to: input.url.shown,
    first: state === undefined,
    fromRun: after ?? 0,
    throughRun: through,
    waitingRun: waiting(snap),
    sent: tables.reduce((n, t) => n + t.sent, 0),
    changed: tables.reduce((n, t) => n + t.changed, 0),
    tables,
  };
}

/**
 * The cursor only means something for the warehouse it came from: another
 * file synced under the same account would have its rows mixed with these.
 */
function checkSameWarehouse(state: SyncState, reader: ChangeReader, input: SyncInput): void {
  if (state.throughRun === 0 || state.throughRunStartedAt === null) return;
  if (reader.runStartedAt(state.throughRun) === state.throughRunStartedAt) return;
  throw new AccountTakenError(
    `PostgreSQL at ${input.url.shown} already holds account "${input.account}" from another warehouse (${state.source}, through its run ${state.throughRun}): ` +
      'give this collector its own `account` in the config, or run `upw sync --full` to replace what PostgreSQL holds of this account with this warehouse',
  );
}

/** Straight COPY where PostgreSQL holds nothing of the account yet; else stage and merge. */
async function modeFor(tx: ReplicaTransaction, t: ReplicatedTable, first: boolean): Promise<WriteMode> {
  const merge: WriteMode = t.find.kind === 'whole' && !t.find.horizon ? 'mirror' : 'upsert';
  if (first && !(await tx.holds(t.name))) return 'copy';
  return merge;
}

function waiting(snap: Snapshot): number | null {
  return snap.horizon <= snap.newest ? snap.horizon : null;
}

/** One line for people: what a sync did. */
export function describeSync(s: SyncSummary): string {
  const runs = s.first ? `runs through ${s.throughRun}` : s.throughRun > s.fromRun ? `runs ${s.fromRun + 1}…${s.throughRun}` : 'no new run';
  const wait = s.waitingRun === null ? '' : `; run ${s.waitingRun} is still running, its rows go next time`;
  return `${s.first ? 'first sync' : 'sync'} of account "${s.account}" to ${s.to}: ${runs}; ${s.sent.toLocaleString('en-US')} rows sent, ${s.changed.toLocaleString('en-US')} changed in ${(s.ms / 1000).toFixed(2)} s${wait}`;
}

/**
 * The daemon's sync after a tick, recorded in the warehouse as a run of kind
 * `sync`. It never throws: a failure is logged and recorded, and the next tick
 * tries again; the collection never waits on PostgreSQL.
 */
export async function syncAndRecord(wh: Warehouse, input: SyncInput): Promise<SyncSummary | undefined> {
  const runId = startRun(wh, 'sync', null);
  try {
    const summary = await syncWarehouse(input);
    finishRun(wh, runId, 'ok', {}, describeSync(summary));
    return summary;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    finishRun(wh, runId, 'failed', {}, message);
    input.log.child({ module: 'sync', account: input.account }).warn({ err, run: runId }, 'sync failed; the next tick tries again');
    return undefined;
  }
}
