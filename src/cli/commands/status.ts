import { dayInZone, now } from '../../dates.js';
import { BadInputError, ExitCode } from '../../errors.js';
import { checkHealth } from '../../status/health.js';
import { formatStatus } from '../../status/status.render.js';
import { readStatus } from '../../status/status.usecases.js';
import { COMMON_OPTIONS, loadContext, parseFlags, type CommandIo } from '../common.js';
import { readWarehouse } from '../read.js';

const HELP = `Usage: upw status [--check [--grace MINUTES]] [--json] [--config FILE] [--db FILE]

The daemon's heartbeat and next run (alive when its heartbeat is fresh and its
process exists), the last runs with their status and counts, per-profile
coverage (first and last day with snapshots, days missing inside that span),
and recent errors. Reads the warehouse only; calls no API. Exit 4 where there
is no warehouse.

--check is for monitoring (a systemd timer, cron, Nagios, a health hook): one
line that says why, and exit 0 when the last collection (a daemon tick or upw
collect) ended ok and the next one is not yet overdue (the schedule's first
tick after it started, plus the grace, is still ahead); exit 5 when it ended
partial or failed, or is stale; exit 4 when there is no warehouse. The
schedule is the running daemon's, else the config's.

  --check            the health check above
  --grace MINUTES    how long a scheduled collection may take (default 60)
  --runs N           how many recent runs (default 10)
  --errors N         how many recent errors (default 10)
  --json             {"daemon": {...}, "runs": [...], "profiles": [...], "errors": [...]};
                     with --check {"healthy", "reason", "run", "due_by", "schedule", "timezone"}
  --config FILE      config file (to find the database, and the schedule)
  --db FILE          database file`;

function count(flag: string, text: string | undefined, fallback: number, max = 10_000): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > max) throw new BadInputError(`${flag}: must be a whole number from 0 to ${max}, got "${text}"`);
  return n;
}

const OPTIONS = {
  config: COMMON_OPTIONS.config,
  db: COMMON_OPTIONS.db,
  json: COMMON_OPTIONS.json,
  help: COMMON_OPTIONS.help,
  runs: { type: 'string' },
  errors: { type: 'string' },
  check: { type: 'boolean', default: false },
  grace: { type: 'string' },
} as const;

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const { values: flags } = parseFlags(argv, OPTIONS);
  if (flags.help) {
    io.stdout.write(`${HELP}\n`);
    return ExitCode.ok;
  }
  const { config, dbPath } = await loadContext(flags, io);
  if (flags.check) {
    const graceMinutes = count('--grace', flags.grace, 60, 7 * 24 * 60);
    const { nextTickAfter } = await import('../../daemon/scheduler.js');
    // Looking never creates a warehouse: where there is none, that is the answer (exit 4).
    const health = readWarehouse(dbPath, (wh) => checkHealth(wh, { schedule: config.schedule, timezone: config.timezone, graceMinutes, at: now(), nextTickAfter }));
    io.stdout.write(flags.json ? `${JSON.stringify(health, null, 2)}\n` : `${health.healthy ? 'OK' : 'FAIL'} ${health.reason}\n`);
    return health.healthy ? ExitCode.ok : ExitCode.partial;
  }
  if (flags.grace !== undefined) throw new BadInputError('--grace goes with --check');
  const options = { runs: count('--runs', flags.runs, 10), errors: count('--errors', flags.errors, 10), today: dayInZone(now(), config.serverTimezone) };
  const report = readWarehouse(dbPath, (wh) => readStatus(wh, options));
  let text = flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report);
  // A last guard: whatever an error message carried, the key never reaches the terminal.
  const key = io.env.UPLOAD_POST_API_KEY;
  if (key && key.length >= 4) text = text.split(key).join('[REDACTED]');
  io.stdout.write(text);
  return ExitCode.ok;
}
