/** `upw raw`: the API's answers exactly as the collector received them. */
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { BadInputError, ExitCode } from '../../errors.js';
import { parseRawQuery, rawAnswers, RAW_ENDPOINTS, type RawAnswer } from '../../raw/raw.usecases.js';
import { openWarehouse } from '../../store/warehouse.js';
import { COMMON_OPTIONS, loadContext, parseFlags, type CommandIo } from '../common.js';

const HELP = `Usage: upw raw [--profile NAME] [--day D] [--endpoint E] [--id N] [--json]

The API's answers as the collector received them, oldest first, from the
warehouse (stored compressed; read-only, calls no API). Without --json each
body is written byte for byte as it came, as curl prints it: one newline
between two answers and none after the last, so one answer sent to a file is
exactly that answer.

  --profile NAME     answers about this profile (exit 4 when there is none)
  --day D            answers the server sent on day D (YYYY-MM-DD; its day in
                     the config's serverTimezone, from its Date header)
  --endpoint E       ${RAW_ENDPOINTS.join(', ')}
  --id N             the one answer with this id
  --json             an array of {id, run_id, endpoint, profile, params, status,
                     received_at, served_at, day, size, body}: body is the text
                     received, size its length in bytes
  --config FILE      config file (for the database and serverTimezone)
  --db FILE          database file (default: UPW_DB, else the config's database)
  -h, --help         this help

Answering nothing is not an error (empty output, [] with --json): exit 0.`;

const OPTIONS = {
  profile: { type: 'string' },
  day: { type: 'string' },
  endpoint: { type: 'string' },
  id: { type: 'string' },
  json: COMMON_OPTIONS.json,
  config: COMMON_OPTIONS.config,
  db: COMMON_OPTIONS.db,
  help: COMMON_OPTIONS.help,
} as const;

/** Write, waiting when the pipe is full: a year of answers must not pile up in memory. */
async function write(out: NodeJS.WritableStream, chunk: string | Buffer): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

function asJson(a: RawAnswer): string {
  return JSON.stringify({
    id: a.id,
    run_id: a.runId,
    endpoint: a.endpoint,
    profile: a.profile,
    params: JSON.parse(a.params) as unknown,
    status: a.status,
    received_at: a.receivedAt,
    served_at: new Date(a.servedAt * 1000).toISOString().replace('.000Z', 'Z'),
    day: a.day,
    size: a.body.length,
    body: a.body.toString('utf8'),
  });
}

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const { values: flags, positionals } = parseFlags(argv, OPTIONS, true);
  if (flags.help) {
    io.stdout.write(`${HELP}\n`);
    return ExitCode.ok;
  }
  if (positionals.length > 0) throw new BadInputError(`unexpected "${positionals.join(' ')}": the profile is --profile NAME`);
  const query = parseRawQuery(flags);
  const { dbPath, config } = await loadContext(flags, io);
  // Reading never creates a warehouse where there was none.
  if (!existsSync(dbPath)) throw new BadInputError(`there is no warehouse at ${dbPath} (run upw collect first, or pass --db)`);
  const wh = openWarehouse(dbPath, { readonly: true });
  try {
    let n = 0;
    if (flags.json) await write(io.stdout, '[');
    for (const answer of rawAnswers(wh, query, config.serverTimezone)) {
      if (flags.json) await write(io.stdout, `${n > 0 ? ',' : ''}\n${asJson(answer)}`);
      else await write(io.stdout, n > 0 ? Buffer.concat([Buffer.from('\n'), answer.body]) : answer.body);
      n++;
    }
    if (flags.json) await write(io.stdout, n > 0 ? '\n]\n' : ']\n');
    return ExitCode.ok;
  } finally {
    wh.close();
  }
}
