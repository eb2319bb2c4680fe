import { collect, type RunSummary } from '../../collect/collect.usecases.js';
import { ExitCode } from '../../errors.js';
import { publishAfterRun } from '../../publish/publish.usecases.js';
import { openWriter } from '../../store/warehouse.js';
import { preferSmallHeap } from '../heap.js';
import { COMMON_HELP, COMMON_OPTIONS, apiClientFrom, loadContext, parseFlags, parsePlatformList, warnUnknownPlatforms, writeJson, type CommandIo } from '../common.js';
import { snakeKeys } from '../json.js';
import { progressBar } from '../progress.js';

const HELP = `Usage: upw collect [flags]

One poll now: every configured profile (or each --profile), all its platforms,
one analytics request per profile, written into the warehouse; then, with
posts.track, its recent posts.

Profiles are checked against /uploadposts/users first: one the account does
not list is not found and not polled (exit 4 when no profile is found, 5 when
some are). A profile whose analytics failed for the run (5xx, 429s or no
connection after the retries, 404) gets no history or post-analytics calls.
Values the API sends that cannot be read are recorded (upw status) and make
the run partial. Facebook without facebookPageId is noted once per profile.

${COMMON_HELP}`;

/** The exit code a finished run earns. */
export function exitCodeForRun(summary: RunSummary): number {
  if (summary.keyRefused) return ExitCode.keyRefused;
  if (summary.run.status === 'ok') return ExitCode.ok;
  if (summary.total > 0 && summary.notFound.length === summary.total) return ExitCode.profileNotFound;
  return ExitCode.partial;
}

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const { values: flags } = parseFlags(argv, COMMON_OPTIONS);
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
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  const bar = progressBar(io.stderr, 'collect');
  try {
    const { trackPosts } = await import('../../posts/posts.usecases.js');
    const summary = await collect(
      { wh, client, log, config },
      {
        overrides: { profiles: flags.profile, platforms },
        signal: abort.signal,
        onProgress: (d, t) => bar.update(d, t),
        afterProfiles: config.posts.track ? (ctx) => trackPosts({ wh, client, log, config }, ctx) : undefined,
      },
    );
    bar.end();
    await publishAfterRun({ wh, config, log });
    const { run } = summary;
    if (flags.json) writeJson(io, { run: snakeKeys(run), not_found: summary.notFound });
    else
      io.stdout.write(
        `collect run ${run.id} for ${run.day}: ${run.status} — ${run.profilesOk} profiles ok, ${run.profilesFailed} failed; ` +
          `${run.platformsOk} platforms ok, ${run.platformsFailed} failed; ${run.valuesWritten} values written; ${run.requests} requests` +
          `${run.message ? ` (${run.message})` : ''}\n`,
      );
    return exitCodeForRun(summary);
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    wh.close();
  }
}
