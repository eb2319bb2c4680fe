/**
 * The long-running collector: collect on the cron schedule, one collection at
 * a time; on start, collect if today is missing and recover the days missed
 * while down; a heartbeat row so other processes can tell it is alive; a
 * clean stop that lets the profile in flight finish its transaction.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { backfill } from '../backfill/backfill.usecases.js';
import { collect, type CollectDeps, type CollectInput } from '../collect/collect.usecases.js';
import type { TargetOverrides } from '../collect/targets.js';
import { dayInZone, now } from '../dates.js';
import { ExitCode } from '../errors.js';
import { addDays } from '../dates.js';
import { CATCH_UP_WINDOW_DAYS, missingDays } from '../store/coverage.repository.js';
import { abandonOwnRuns, closeAbandonedRuns, collectedOn, writeHeartbeat } from '../store/runs.repository.js';
import { HEARTBEAT_MS, isProcessAlive } from '../process/liveness.js';
import type { PlatformGap } from '../backfill/backfill.usecases.js';
import { startSchedule } from './scheduler.js';

export interface DaemonOptions {
  overrides?: TargetOverrides;
  /** Post tracking after each collection's profiles. */
  afterProfiles?: CollectInput['afterProfiles'];
  /** How long a stop waits for the job in flight before abandoning it (the whole stop must fit in 10 s). */
  graceMs?: number;
  /** After each job, ok or not, in line (refreshing the published copy); skipped once stopping. Its failure is logged. */
  afterJob?: () => Promise<void>;
  /**
   * Also called after each job (a sync to PostgreSQL), but beside the schedule,
   * never in the way of a collection: one at a time, and a job that ends while
   * it runs has it called once more afterwards. Its failures are its own to
   * record; a rejection is only logged.
   */
  besideSchedule?: () => Promise<void>;
}

export interface Daemon {
  /** Stop scheduling, let the profile in flight finish, record the stop. Idempotent. */
  stop(reason: string): Promise<void>;
  /** Resolves with the exit code once stopped. */
  done: Promise<number>;
}

/** Start the daemon; it runs until `stop` (or until the API refuses the key). */
export function startDaemon(deps: CollectDeps, options: DaemonOptions = {}): Daemon {
  const { wh, config } = deps;
  const log = deps.log.child({ module: 'daemon' });
  const abort = new AbortController();
  const startedAt = new Date().toISOString();
  let current: Promise<void> | undefined;
  let beside: Promise<void> | undefined;
  let besideAgain = false;
  let stopping: Promise<void> | undefined;
  let exitCode: number = ExitCode.ok;
  let resolveDone: (code: number) => void = () => {};
  const done = new Promise<number>((r) => (resolveDone = r));

  closeAbandonedRuns(wh, isProcessAlive);
  const schedule = startSchedule({ expression: config.schedule, timezone: config.timezone, name: 'upw-collect', log, run: () => job('tick') });
  const beat = (stoppedAt: string | null = null) =>
    writeHeartbeat(wh, {
      pid: process.pid,
      startedAt,
      heartbeatAt: new Date().toISOString(),
      nextRunAt: stoppedAt ? null : (schedule.nextRun()?.toISOString() ?? null),
      schedule: config.schedule,
      timezone: config.timezone,
      stoppedAt,
    });
  beat();
  const timer = setInterval(() => {
    try {
      beat();
    } catch (err) {
      log.warn({ err }, 'heartbeat not written');
    }
  }, HEARTBEAT_MS);
  log.info({ schedule: config.schedule, timezone: config.timezone, nextRunAt: schedule.nextRun()?.toISOString() }, 'daemon started');
  void job('start');

  /** One job at a time: node-cron's noOverlap guards tick against tick, this guards the start-up job too. */
  function job(reason: 'start' | 'tick'): Promise<void> {
    if (stopping) return Promise.resolve();
    if (current) {
      log.warn({ reason }, 'tick skipped: the previous collection is still running');
      return Promise.resolve();
    }
    current = work(reason)
      .catch((err: unknown) => log.error({ err }, 'job failed; the next tick tries again'))
      .then(() => (stopping ? undefined : options.afterJob?.()))
      .catch((err: unknown) => log.warn({ err }, 'the after-job step failed'))
      .finally(() => {
        current = undefined;
        besideSchedule();
      });
    return current;
  }

  function besideSchedule(): void {
    if (!options.besideSchedule || stopping) return;
    if (beside) {
      besideAgain = true;
      return;
    }
    beside = options
      .besideSchedule()
      .catch((err: unknown) => log.error({ err }, 'the step beside the schedule failed'))
      .finally(() => {
        beside = undefined;
        if (besideAgain) {
          besideAgain = false;
          besideSchedule();
        }
      });
  }

  async function work(reason: 'start' | 'tick'): Promise<void> {
    // The server's day: what the live endpoint calls today, whatever zone the schedule runs in.
    const today = dayInZone(now(), config.serverTimezone);
    if (reason === 'tick' || !collectedOn(wh, today)) {
      log.info({ reason, day: today }, 'collection starting');
      const summary = await collect(deps, { overrides: options.overrides, signal: abort.signal, afterProfiles: options.afterProfiles });
      const { run } = summary;
      log.info({ run: run.id, day: run.day, status: run.status, profilesOk: run.profilesOk, profilesFailed: run.profilesFailed, values: run.valuesWritten, requests: run.requests }, 'collection finished');
      if (summary.keyRefused) return halt(ExitCode.keyRefused, 'the API refused the key');
    } else log.info({ day: today }, 'today is already collected');
    if (abort.signal.aborted) return;
    await catchUp(today, reason);
  }

  /** Repair every day a profile lacks, from the server's daily snapshots, for that profile alone. */
  async function catchUp(today: string, reason: 'start' | 'tick'): Promise<void> {
    const gaps = new Map<string, PlatformGap[]>();
    for (const g of missingDays(wh, today, addDays(today, -CATCH_UP_WINDOW_DAYS))) {
      gaps.set(g.profile, [...(gaps.get(g.profile) ?? []), { platform: g.platform, since: g.from, until: g.to }]);
    }
    if (gaps.size === 0) {
      if (reason === 'start') log.info({ day: today }, 'no missed days to recover');
      return;
    }
    const lacking = [...gaps].map(([profile, list]) => ({ profile, gaps: list.map((g) => `${g.platform} ${g.since === g.until ? g.since : `${g.since}…${g.until}`}`) }));
    log.info({ profiles: lacking }, "recovering missed days from the server's daily snapshots");
    const summary = await backfill(deps, { overrides: options.overrides, gaps, timeseries: false, signal: abort.signal });
    const { run } = summary;
    const fields = { run: run.id, status: run.status, imported: summary.imported, failed: summary.failed, values: run.valuesWritten };
    // Nothing that came back is not a recovery: the server had nothing for those days, or every piece failed.
    if (run.valuesWritten > 0) log.info(fields, `missed days recovered: ${run.valuesWritten} values came back`);
    else log.warn(fields, 'missed days not recovered: no values came back');
    if (summary.keyRefused) halt(ExitCode.keyRefused, 'the API refused the key');
  }

  // A refused key would be refused every tick, and repeated 401s get the IP blocked: stop instead.
  function halt(code: number, reason: string): void {
    log.error({ exitCode: code }, `${reason}: the daemon stops`);
    exitCode = code;
    void stop(reason);
  }

  function stop(reason: string): Promise<void> {
    stopping ??= (async () => {
      log.info({ reason }, 'stopping: no new ticks, the profile in flight finishes');
      await schedule.stop();
      abort.abort();
      const inFlight = current || beside ? Promise.all([current, beside]) : undefined;
      if (inFlight) {
        const grace = new AbortController();
        const finished = await Promise.race([inFlight.then(() => true), sleep(options.graceMs ?? 7_000, false, { signal: grace.signal }).catch(() => false)]);
        grace.abort();
        if (!finished) log.warn('the job in flight did not finish in time; its run is recorded as abandoned');
      }
      clearInterval(timer);
      const abandoned = abandonOwnRuns(wh, 'abandoned: the daemon stopped before the run finished');
      beat(new Date().toISOString());
      log.info({ abandoned }, 'daemon stopped');
      resolveDone(exitCode);
    })();
    return stopping;
  }

  return { stop, done };
}
