/** `upw`: dispatch to a lazily imported command; map errors to exit codes here only. */
import { readFileSync } from 'node:fs';
import { parseUpwNow } from '../dates.js';
import { BadInputError, ExitCode, UpwError, exitCodeOf } from '../errors.js';
import type { LogFormat } from '../logger.js';
import type { CommandIo, CommandModule } from './common.js';
import { isBrokenPipe } from './output.js';

const COMMANDS: Record<string, { describe: string; load: () => Promise<CommandModule> }> = {
  collect: { describe: 'one poll now: every configured profile, all its platforms', load: () => import('./commands/collect.js') },
  backfill: { describe: 'one-shot history import (--since D --until D), then exit', load: () => import('./commands/backfill.js') },
  daemon: { describe: 'long-running: collect on the cron schedule, catch up missed days', load: () => import('./commands/daemon.js') },
  impressions: { describe: 'offline total impressions / metric sums from the warehouse', load: () => import('./commands/impressions.js') },
  verify: { describe: 'the same query locally and live, side by side', load: () => import('./commands/verify.js') },
  posts: { describe: 'tracked posts with their latest per-platform metrics', load: () => import('./commands/posts.js') },
  status: { describe: 'last runs, next run, coverage, recent errors', load: () => import('./commands/status.js') },
  raw: { describe: 'the API answers exactly as received (--profile, --day, --endpoint)', load: () => import('./commands/raw.js') },
  export: { describe: 'one BI view as CSV or JSON (--format, --out, --profile, --platform, dates)', load: () => import('./commands/export.js') },
  report: { describe: 'one self-contained HTML file with charts and the range totals', load: () => import('./commands/report.js') },
  publish: { describe: 'a consistent rollback-journal copy of the warehouse for BI readers (--out FILE)', load: () => import('./commands/publish.js') },
  sync: { describe: 'replicate the warehouse into PostgreSQL, incrementally (--to URL, --full)', load: () => import('./commands/sync.js') },
  demo: { describe: 'built-in simulator on loopback → data/demo.sqlite and its HTML report, no API key', load: () => import('./commands/demo.js') },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return `Usage: upw <command> [flags]   (upw <command> --help for its flags)

Commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.describe}`).join('\n')}

upw --version (or -V) prints the version.
${GLOBAL_HELP}
Exit codes: 0 ok, 1 unexpected, 2 bad input, 3 key refused, 4 profile (or warehouse) not found, 5 partial
            (or PostgreSQL unreachable for sync), 6 another upw process is writing this warehouse (the message names its pid)
`;
}

/** Said under every command's --help too: what every command takes beside its own flags. */
const GLOBAL_HELP = `
Every command also takes:
  --log-format json|pretty   log lines as JSON, or for people (default: pretty on a terminal, JSON otherwise)

Environment:
  UPLOAD_POST_API_KEY   your API key, for commands that call the API (never stored or logged)
  UPLOAD_POST_BASE_URL  the API (default https://api.upload-post.com/api)
  UPW_DB                the database file (--db wins; it wins over the config's database)
  UPW_POSTGRES_URL      the team warehouse for upw sync and the daemon (--to wins; it wins over the config's
                        postgres); its password is never logged or stored
  LOG_LEVEL             error, warn, info (default), debug, trace or silent; debug adds stack traces
  UPW_NOW               an ISO instant the clock starts at: moves "today" for queries and the
                        simulator; a live answer is still filed under the server's day
  A .env file in the working directory is read if present.
`;

/** The package's version, from its package.json (found from this module, not the working directory). */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** `--log-format F` / `--log-format=F`, taken out of the command's arguments: every command has it. */
function takeLogFormat(argv: string[]): { argv: string[]; logFormat?: LogFormat } {
  const rest: string[] = [];
  let logFormat: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--log-format') logFormat = argv[++i] ?? '';
    else if (arg.startsWith('--log-format=')) logFormat = arg.slice('--log-format='.length);
    else rest.push(arg);
  }
  if (logFormat !== undefined && logFormat !== 'json' && logFormat !== 'pretty') throw new BadInputError(`--log-format: expected json or pretty, got "${logFormat}"`);
  return { argv: rest, logFormat };
}

const debugging = (io: CommandIo) => io.env.LOG_LEVEL === 'debug' || io.env.LOG_LEVEL === 'trace';

/** Run `upw` with these arguments; resolves to the exit code. */
export async function main(argv: string[], io: CommandIo): Promise<number> {
  let taken: ReturnType<typeof takeLogFormat>;
  try {
    // Before or after the command's name: `upw --log-format json status` and `upw status --log-format json`.
    taken = takeLogFormat(argv);
  } catch (error) {
    io.stderr.write(`upw: ${(error as Error).message}\n`);
    return ExitCode.badInput;
  }
  const [name, ...rest] = taken.argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout.write(`${version()}\n`);
    return ExitCode.ok;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name ? ExitCode.ok : ExitCode.badInput;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`upw: unknown command "${name}"\n\n${usage()}`);
    return ExitCode.badInput;
  }
  // A reader that stops reading our stdout (`upw export … | head -1`) is not a failure of ours.
  const onStdoutError = (error: unknown) => {
    if (!isBrokenPipe(error)) io.stderr.write(`upw ${name}: cannot write to stdout: ${(error as Error).message}\n`);
  };
  io.stdout.on?.('error', onStdoutError);
  try {
    // A malformed UPW_NOW is bad input, not a clock to ignore in silence.
    parseUpwNow(io.env.UPW_NOW);
    const code = await (await command.load()).run(rest, { ...io, logFormat: taken.logFormat ?? io.logFormat });
    if (code === ExitCode.ok && rest.some((a) => a === '--help' || a === '-h')) io.stdout.write(GLOBAL_HELP);
    return code;
  } catch (error) {
    if (isBrokenPipe(error)) return ExitCode.ok;
    if (error instanceof UpwError && error.userFacing) io.stderr.write(`upw ${name}: ${error.message}\n`);
    // Ours to fix, not the user's: what happened in one line; the stack only for whoever asks (LOG_LEVEL=debug).
    else if (debugging(io)) io.stderr.write(`upw ${name}: unexpected failure\n${(error as Error)?.stack ?? String(error)}\n`);
    else io.stderr.write(`upw ${name}: unexpected failure: ${(error as Error)?.message ?? String(error)} (LOG_LEVEL=debug shows where)\n`);
    return exitCodeOf(error);
  } finally {
    io.stdout.off?.('error', onStdoutError);
  }
}
