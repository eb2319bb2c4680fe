import { backfill, resolveRange } from '../../backfill/backfill.usecases.js';
import { dayInZone, now } from '../../dates.js';
import { ExitCode } from '../../errors.js';
import { publishAfterRun } from '../../publish/publish.usecases.js';
import { openWriter } from '../../store/warehouse.js';
import { COMMON_HELP, COMMON_OPTIONS, apiClientFrom, loadContext, parseFlags, parsePlatformList, warnUnknownPlatforms, writeJson, type CommandIo } from '../common.js';
import { snakeKeys } from '../json.js';
import { progressBar } from '../progress.js';
import { exitCodeForRun } from './collect.js';
import { preferSmallHeap } from '../heap.js';

const HELP = `Usage: upw backfill [--since D] [--until D] [flags]

One-shot history import, then exit:
  1. each profile's analytics, for its 30 days of time series;
  2. the server's daily snapshots per profile and platform over --since…--until
     (default: the last 365 days up to the server's today in serverTimezone), from
     total-impressions in both of its modes: metrics mode for every field's value,
     default mode for what the server counted each day (two calls per profile and
     platform for the whole range; a range the API refuses is asked in halves).
Safe to rerun: what an earlier backfill finished is skipped, so a killed
backfill picks up where it stopped.

  --since D          first day, YYYY-MM-DD (default: --until minus 365 days)
  --until D          last day, YYYY-MM-DD (default: today)

${COMMON_HELP}`;

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const { values: flags } = parseFlags(argv, { ...COMMON_OPTIONS, since: { type: 'string' }, until: { type: 'string' } });
  if (flags.help) {
    io.stdout.write(`${HELP}\n`);
    return ExitCode.ok;
  }
  preferSmallHeap();
  const platforms = flags.platforms ? parsePlatformList(flags.platforms, '--platforms') : undefined;
  const ctx = await loadContext(flags, io);
  const { config, dbPath, log } = ctx;
  warnUnknownPlatforms(ctx, platforms);
  const at = now();
  const range = resolveRange(flags.since, flags.until, dayInZone(at, config.serverTimezone));
  const client = apiClientFrom(io, config);
  const wh = openWriter(dbPath);
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  const bar = progressBar(io.stderr, 'backfill');
  try {
    const summary = await backfill({ wh, client, log, config }, { overrides: { profiles: flags.profile, platforms }, ranges: [range], now: at, signal: abort.signal, onProgress: (d, t) => bar.update(d, t) });
    bar.end();
    await publishAfterRun({ wh, config, log });
    const { run } = summary;
    if (flags.json) writeJson(io, { run: snakeKeys(run), since: range.since, until: range.until, imported: summary.imported, skipped: summary.skipped, failed: summary.failed, not_found: summary.notFound });
    else
      io.stdout.write(
        `backfill run ${run.id} for ${range.since}…${range.until}: ${run.status} — ${summary.imported} imported, ${summary.skipped} already complete, ${summary.failed} failed; ` +
          `${run.valuesWritten} values written; ${run.requests} requests\n`,
      );
    return exitCodeForRun(summary);
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    wh.close();
  }
}
