import { startDaemon, type Daemon } from '../../daemon/daemon.js';
import { ExitCode } from '../../errors.js';
import { publishAfterRun } from '../../publish/publish.usecases.js';
import { openWriter } from '../../store/warehouse.js';
import { COMMON_HELP, COMMON_OPTIONS, apiClientFrom, loadContext, parseFlags, parsePlatformList, warnUnknownPlatforms, type CommandIo } from '../common.js';
import { preferSmallHeap } from '../heap.js';

const HELP = `Usage: upw daemon [flags]

Long-running collector: collects every configured profile on the config's
\`schedule\` (cron, 5 or 6 fields) in its \`timezone\`, never two collections at
once. On start it collects at once if today's collection is missing and
recovers the days it missed while down from the server's daily snapshots.
SIGTERM or SIGINT stops it cleanly (exit 0): the profile in flight finishes.
Logs are pino JSON on stderr (pretty on a terminal); \`upw status\` shows its
heartbeat and next run.

${COMMON_HELP.replace(/\n\s+--json[^\n]*/, '')}`;

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const { json: _json, ...options } = COMMON_OPTIONS;
  const { values: flags } = parseFlags(argv, options);
  if (flags.help) {
    io.stdout.write(`${HELP}\n`);
    return ExitCode.ok;
  }
  preferSmallHeap();
  const platforms = flags.platforms ? parsePlatformList(flags.platforms, '--platforms') : undefined;
  const ctx = await loadContext(flags, io);
  const { config, dbPath, log } = ctx;
  warnUnknownPlatforms(ctx, platforms);
  const client = apiClientFrom(io, config);
  const wh = openWriter(dbPath);
  const deps = { wh, client, log, config };
  const { trackPosts } = await import('../../posts/posts.usecases.js');
  // Listen before starting: the start-up job may already log within startDaemon (today
  // collected, nothing missed), and a signal that finds no listener kills the process
  // outright. A listener runs on a later turn, when `daemon` is set.
  let daemon: Daemon | undefined;
  const onSignal = (signal: NodeJS.Signals) => void daemon?.stop(signal);
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    daemon = startDaemon(deps, {
      overrides: { profiles: flags.profile, platforms },
      afterProfiles: config.posts.track ? (ctx) => trackPosts(deps, ctx) : undefined,
      afterJob: () => publishAfterRun(deps),
    });
    return await daemon.done;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    wh.close();
  }
}
