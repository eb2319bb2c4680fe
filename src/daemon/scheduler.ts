/** The only module that imports node-cron. */
import cron, { type Logger as CronLogger } from 'node-cron';
import type { Logger } from '../logger.js';

/** True for a 5- or 6-field cron expression node-cron accepts. */
export function isValidSchedule(expression: string): boolean {
  return cron.validate(expression);
}

/**
 * The first tick of `expression` in `timezone` strictly after `after`, for
 * `upw status --check`. node-cron computes it (its matcher knows DST and the
 * 6-field form); the matcher is reached through a task that is never started.
 */
export function nextTickAfter(expression: string, timezone: string, after: Date): Date {
  const task = cron.createTask(expression, () => undefined, { timezone });
  try {
    const matcher = (task as unknown as { timeMatcher?: { getNextMatch?: (d: Date) => Date } }).timeMatcher;
    if (typeof matcher?.getNextMatch === 'function') return matcher.getNextMatch(after);
    // Should a later node-cron hide its matcher: walk the public match() minute by minute (a year at most).
    const t = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
    for (let i = 0; i < 366 * 1440; i++, t.setTime(t.getTime() + 60_000)) if (task.match(t)) return new Date(t);
    throw new Error(`schedule "${expression}" has no tick within a year of ${after.toISOString()}`);
  } finally {
    void task.destroy();
  }
}

export interface ScheduleOptions {
  expression: string;
  timezone: string;
  name: string;
  log: Logger;
  /** The job; a tick that comes while it still runs is skipped (node-cron's noOverlap) and logged. */
  run: () => Promise<void>;
}

export interface Schedule {
  /** The next tick, or null once stopped. */
  nextRun(): Date | null;
  /** Stop ticking; a job in flight is not interrupted (the caller waits for it). */
  stop(): Promise<void>;
}

/** Start a cron schedule for `run`. */
export function startSchedule(options: ScheduleOptions): Schedule {
  const { log } = options;
  const task = cron.schedule(options.expression, () => options.run(), {
    name: options.name,
    timezone: options.timezone,
    noOverlap: true,
    logger: cronLogger(log),
  });
  task.on('execution:overlap', (ctx) => log.warn({ tick: ctx.date.toISOString() }, 'tick skipped: the previous collection is still running'));
  task.on('execution:missed', (ctx) => log.warn({ tick: ctx.date.toISOString() }, 'tick missed: the process was busy or asleep'));
  return {
    nextRun: () => (task.getStatus() === 'stopped' || task.getStatus() === 'destroyed' ? null : task.getNextRun()),
    stop: async () => {
      await task.stop();
      await task.destroy();
    },
  };
}

// node-cron's own messages: the overlap and missed warnings repeat what the events above log with context.
function cronLogger(log: Logger): CronLogger {
  return {
    info: (message) => log.debug(message),
    warn: (message) => log.debug(message),
    error: (message, err) => log.error({ err: err ?? message }, typeof message === 'string' ? message : 'scheduled job failed'),
    debug: (message) => log.debug(message instanceof Error ? { err: message } : {}, String(message)),
  };
}
