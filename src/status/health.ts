/**
 * `upw status --check`, for monitoring: healthy when the last collection (a
 * daemon tick or `upw collect`) ended ok and the schedule has not yet owed
 * another one: the first cron tick after it started, plus a grace for that
 * run to finish, is still ahead.
 */
import { lastFinishedCollect } from '../store/health.repository.js';
import { readHeartbeat } from '../store/runs.repository.js';
import type { Warehouse } from '../store/warehouse.js';

export interface Health {
  healthy: boolean;
  /** One line that says why. */
  reason: string;
  run: { id: number; day: string | null; status: string; started_at: string; finished_at: string | null; message: string | null } | null;
  /** When the next collection must have ended for the check to stay healthy. */
  due_by: string | null;
  schedule: string;
  timezone: string;
}

export interface HealthInput {
  /** The config's schedule; the daemon's own (from its heartbeat row) wins when it has run. */
  schedule: string;
  timezone: string;
  graceMinutes: number;
  at: Date;
  nextTickAfter: (expression: string, timezone: string, after: Date) => Date;
}

export function checkHealth(wh: Warehouse, input: HealthInput): Health {
  const beat = readHeartbeat(wh);
  const schedule = beat?.schedule ?? input.schedule;
  const timezone = beat?.timezone ?? input.timezone;
  const last = lastFinishedCollect(wh);
  const base = { schedule, timezone };
  if (!last) return { ...base, healthy: false, reason: 'no collection has finished yet', run: null, due_by: null };
  const run = { id: last.id, day: last.day, status: last.status, started_at: last.startedAt, finished_at: last.finishedAt, message: last.message };
  const dueBy = new Date(input.nextTickAfter(schedule, timezone, new Date(last.startedAt)).getTime() + input.graceMinutes * 60_000);
  const what = `the last collection (run ${last.id} for ${last.day}, started ${last.startedAt})`;
  const result = (healthy: boolean, reason: string): Health => ({ ...base, healthy, reason, run, due_by: dueBy.toISOString() });
  if (last.status !== 'ok') return result(false, `${what} ended ${last.status}${last.message ? `: ${last.message}` : ''}`);
  if (input.at > dueBy) return result(false, `stale: ${what} ended ok, but schedule "${schedule}" (${timezone}) owed another by ${dueBy.toISOString()} (next tick plus ${input.graceMinutes} min)`);
  return result(true, `${what} ended ok; the next is due by ${dueBy.toISOString()}`);
}
