/** `upw`: dispatch to a lazily imported command; map errors to exit codes here only. */
import { parseUpwNow } from '../dates.js';
import { ExitCode, UpwError, exitCodeOf } from '../errors.js';
import type { CommandIo, CommandModule } from './common.js';

const COMMANDS: Record<string, { describe: string; load: () => Promise<CommandModule> }> = {
  collect: { describe: 'one poll now: every configured profile, all its platforms', load: () => import('./commands/collect.js') },
  backfill: { describe: 'one-shot history import (--since D --until D), then exit', load: () => import('./commands/backfill.js') },
  daemon: { describe: 'long-running: collect on the cron schedule, catch up missed days', load: () => import('./commands/daemon.js') },
  impressions: { describe: 'offline total impressions / metric sums from the warehouse', load: () => import('./commands/impressions.js') },
  verify: { describe: 'the same query locally and live, side by side', load: () => import('./commands/verify.js') },
  posts: { describe: 'tracked posts with their latest per-platform metrics', load: () => import('./commands/posts.js') },
  status: { describe: 'last runs, next run, coverage, recent errors', load: () => import('./commands/status.js') },
  export: { describe: 'one BI view as CSV or JSON (--format, --out, --profile, --platform, dates)', load: () => import('./commands/export.js') },
  report: { describe: 'one self-contained HTML file with charts and the range totals', load: () => import('./commands/report.js') },
  sync: { describe: 'replicate the warehouse into PostgreSQL, incrementally (--to URL, --full)', load: () => import('./commands/sync.js') },
  demo: { describe: 'built-in simulator on loopback → data/demo.sqlite, then a report', load: () => import('./commands/demo.js') },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return `Usage: upw <command> [flags]   (upw <command> --help for its flags)

Commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.describe}`).join('\n')}

Environment: UPLOAD_POST_API_KEY, UPLOAD_POST_BASE_URL, UPW_DB, UPW_POSTGRES_URL, LOG_LEVEL
             (.env is read if present)
Exit codes: 0 ok, 1 unexpected, 2 bad input, 3 key refused, 4 profile not found, 5 partial
            (or PostgreSQL unreachable for sync), 6 another upw process is writing this warehouse
`;
}

/** Run `upw` with these arguments; resolves to the exit code. */
export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name ? ExitCode.ok : ExitCode.badInput;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`upw: unknown command "${name}"\n\n${usage()}`);
    return ExitCode.badInput;
  }
  try {
    // A malformed UPW_NOW is bad input, not a clock to ignore in silence.
    parseUpwNow(io.env.UPW_NOW);
    return await (await command.load()).run(rest, io);
  } catch (error) {
    if (error instanceof UpwError && error.userFacing) io.stderr.write(`upw ${name}: ${error.message}\n`);
    else io.stderr.write(`upw ${name}: unexpected failure\n${(error as Error)?.stack ?? String(error)}\n`);
    return exitCodeOf(error);
  }
}
