/**
 * `status`: what another process can learn from the warehouse alone: the
 * daemon's heartbeat, the last runs, per-profile coverage, recent errors.
 * The shapes are the `--json` output: snake_case, ISO 8601 times.
 */
import { addDays, daysBetween } from '../dates.js';
import { isFresh, isProcessAlive } from '../process/liveness.js';
import { CATCH_UP_WINDOW_DAYS, missingDays, snapshotCoverage } from '../store/coverage.repository.js';
import { listRunErrors, listRuns, readHeartbeat } from '../store/runs.repository.js';
import type { RunError } from '../store/schema.js';
import type { Warehouse } from '../store/warehouse.js';

export type DaemonStateName = 'running' | 'stopped' | 'dead' | 'never-started';

export interface DaemonStatus {
  /** running: fresh heartbeat and live pid; stopped: it said so; dead: it went quiet without saying so. */
  state: DaemonStateName;
  alive: boolean;
  pid: number | null;
  started_at: string | null;
  heartbeat_at: string | null;
  next_run_at: string | null;
  schedule: string | null;
  timezone: string | null;
  stopped_at: string | null;
}

export interface RunStatus {
  id: number;
  kind: 'collect' | 'backfill' | 'sync';
  status: 'running' | 'ok' | 'partial' | 'failed';
  day: string | null;
  since: string | null;
  until: string | null;
  started_at: string;
  finished_at: string | null;
  requests: number;
  retries: number;
  rate_limited: number;
  profiles_ok: number;
  profiles_failed: number;
  platforms_ok: number;
  platforms_failed: number;
  values_written: number;
  message: string | null;
}

export interface ProfileCoverage {
  profile: string;
  first_day: string;
  last_day: string;
  days_held: number;
  /**
   * Days from first_day to today (the server's) that some platform lacks: the
   * gaps the daemon's catch-up repairs, per platform in `missing`.
   */
  days_missing: number;
  missing: { platform: string; from: string; to: string }[];
  platforms: { platform: string; first_day: string; last_day: string; days_held: number; days_missing: number }[];
}

export interface ErrorStatus {
  id: number;
  run_id: number;
  at: string;
  profile: string | null;
  platform: string | null;
  kind: string;
  status: number | null;
  message: string;
}

export interface StatusReport {
  daemon: DaemonStatus;
  runs: RunStatus[];
  profiles: ProfileCoverage[];
  errors: ErrorStatus[];
  /** What the API said there is nothing to read ("not supported", `*_unavailable`), with its message. */
  notes: ErrorStatus[];
}

/** Read the whole report; `today` is the server's day (gaps run up to it). */
export function readStatus(wh: Warehouse, options: { today: string; runs?: number; errors?: number; at?: Date }): StatusReport {
  return {
    daemon: daemonStatus(wh, options.at ?? new Date()),
    runs: listRuns(wh, options.runs ?? 10).map((r) => ({
      id: r.id,
      kind: r.kind,
      status: r.status,
      day: r.day,
      since: r.since,
      until: r.until,
      started_at: r.startedAt,
      finished_at: r.finishedAt,
      requests: r.requests,
      retries: r.retries,
      rate_limited: r.rateLimited,
      profiles_ok: r.profilesOk,
      profiles_failed: r.profilesFailed,
      platforms_ok: r.platformsOk,
      platforms_failed: r.platformsFailed,
      values_written: r.valuesWritten,
      message: r.message,
    })),
    profiles: coverage(wh, options.today),
    errors: listRunErrors(wh, { limit: options.errors ?? 10, notices: false }).map(errorStatus),
    notes: listRunErrors(wh, { limit: options.errors ?? 10, notices: true }).map(errorStatus),
  };
}

/** An empty report, for a warehouse that does not exist yet. */
export function emptyStatus(): StatusReport {
  return { daemon: noDaemon(), runs: [], profiles: [], errors: [], notes: [] };
}

function errorStatus(e: RunError): ErrorStatus {
  return { id: e.id, run_id: e.runId, at: e.at, profile: e.profile, platform: e.platform, kind: e.kind, status: e.status, message: e.message };
}

function noDaemon(): DaemonStatus {
  return { state: 'never-started', alive: false, pid: null, started_at: null, heartbeat_at: null, next_run_at: null, schedule: null, timezone: null, stopped_at: null };
}

function daemonStatus(wh: Warehouse, at: Date): DaemonStatus {
  const hb = readHeartbeat(wh);
  if (!hb) return noDaemon();
  const alive = hb.stoppedAt === null && isFresh(hb.heartbeatAt, at) && isProcessAlive(hb.pid);
  return {
    state: hb.stoppedAt !== null ? 'stopped' : alive ? 'running' : 'dead',
    alive,
    pid: hb.pid,
    started_at: hb.startedAt,
    heartbeat_at: hb.heartbeatAt,
    next_run_at: alive ? hb.nextRunAt : null,
    schedule: hb.schedule,
    timezone: hb.timezone,
    stopped_at: hb.stoppedAt,
  };
}

function coverage(wh: Warehouse, today: string): ProfileCoverage[] {
  const gaps = missingDays(wh, today, addDays(today, -CATCH_UP_WINDOW_DAYS));
  const profiles = new Map<string, ProfileCoverage>();
  // Each profile's own row (platform null) sorts before its platforms' rows.
  for (const c of snapshotCoverage(wh)) {
    if (c.platform === null) {
      const missing = gaps.filter((g) => g.profile === c.profile).map(({ platform, from, to }) => ({ platform, from, to }));
      const days = new Set(missing.flatMap((m) => eachDayOf(m.from, m.to)));
      profiles.set(c.profile, { profile: c.profile, first_day: c.firstDay, last_day: c.lastDay, days_held: c.daysHeld, days_missing: days.size, missing, platforms: [] });
    } else {
      const missing = gaps.filter((g) => g.profile === c.profile && g.platform === c.platform).reduce((n, g) => n + daysBetween(g.from, g.to) + 1, 0);
      profiles.get(c.profile)?.platforms.push({ platform: c.platform, first_day: c.firstDay, last_day: c.lastDay, days_held: c.daysHeld, days_missing: missing });
    }
  }
  return [...profiles.values()];
}

function eachDayOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  return days;
}
