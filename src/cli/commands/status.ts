import { BadInputError, ExitCode } from '../../errors.js';
import { formatStatus } from '../../status/status.render.js';
import { readStatus } from '../../status/status.usecases.js';
import { COMMON_OPTIONS, loadContext, parseFlags, type CommandIo } from '../common.js';
import { readWarehouse } from '../read.js';

const HELP = `Usage: upw status [--json] [--config FILE] [--db FILE]

The daemon's heartbeat and next run (alive when its heartbeat is fresh and its
process exists), the last runs with their status and counts, per-profile
coverage (first and last day with snapshots, days missing inside that span),
and recent errors. Reads the warehouse only; calls no API. Exit 4 where there
is no warehouse.

  --runs N           how many recent runs (default 10)
  --errors N         how many recent errors (default 10)
  --json             {"daemon": {...}, "runs": [...], "profiles": [...], "errors": [...]}
  --config FILE      config file (to find the database)
  --db FILE          database file`;

function count(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 10_000) throw new BadInputError(`${flag}: must be a whole number from 0 to 10000, got "${text}"`);
  return n;
}

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const { values: flags } = parseFlags(argv, { config: COMMON_OPTIONS.config, db: COMMON_OPTIONS.db, json: COMMON_OPTIONS.json, help: COMMON_OPTIONS.help, runs: { type: 'string' }, errors: { type: 'string' } });
  if (flags.help) {
    io.stdout.write(`${HELP}\n`);
    return ExitCode.ok;
  }
  const { dbPath } = await loadContext(flags, io);
  const options = { runs: count('--runs', flags.runs, 10), errors: count('--errors', flags.errors, 10) };
  // Looking never creates a warehouse: where there is none, that is the answer (exit 4).
  const report = readWarehouse(dbPath, (wh) => readStatus(wh, options));
  let text = flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report);
  // A last guard: whatever an error message carried, the key never reaches the terminal.
  const key = io.env.UPLOAD_POST_API_KEY;
  if (key && key.length >= 4) text = text.split(key).join('[REDACTED]');
  io.stdout.write(text);
  return ExitCode.ok;
}
