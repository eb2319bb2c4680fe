import { startDaemon, type Daemon } from '../../daemon/daemon.js';
import { ExitCode } from '../../errors.js';
import { publishAfterRun } from '../../publish/publish.usecases.js';
import { openWriter, type Warehouse } from '../../store/warehouse.js';
import type { SyncInput } from '../../sync/sync.usecases.js';
import { COMMON_HELP, COMMON_OPTIONS, apiClientFrom, loadContext, parseFlags, parsePlatformList, teamUrlFrom, warnUnknownPlatforms, type CommandIo } from '../common.js';
import { preferSmallHeap } from '../heap.js';

const HELP = `Usage: upw daemon [flags]

Long-running collector: collects every configured profile on the config's
\`schedule\` (cron, 5 or 6 fields) in its \`timezone\`, never two collections at
once. On start it collects at once if today's collection is missing and
recovers the days it missed while down from the server's daily snapshots.
SIGTERM or SIGINT stops it cleanly (exit 0): the profile in flight finishes.
Logs are pino JSON on stderr (pretty on a terminal); \`upw status\` shows its
heartbeat and next run. With \`postgres\` in the config (or UPW_POSTGRES_URL)
it runs \`upw sync\` after each job, recorded as a run of kind sync; a failed
sync is logged and retried after the next job, and never holds up a collection.

${COMMON_HELP.replace(/\n\s+--json[^\n]*/, '')}`;

async function syncAfterJob(wh: Warehouse, input: SyncInput): Promise<() => Promise<void>> {
  const { syncAndRecord } = await import('../../sync/sync.usecases.js');
  input.log.info({ to: input.url.shown, account: input.account }, 'syncing to PostgreSQL after each job');
  return async () => void (await syncAndRecord(wh, input));
}

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
  const team = teamUrlFrom(undefined, io, config);
  const wh = openWriter(dbPath);
  const deps = { wh, client, log, config };
  const { trackPosts } = await import('../../posts/posts.usecases.js');
  const sync = team ? await syncAfterJob(wh, { warehouse: dbPath, url: team, account: config.account, log }) : undefined;
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
      besideSchedule: sync,
    });
    return await daemon.done;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    wh.close();
  }
}
