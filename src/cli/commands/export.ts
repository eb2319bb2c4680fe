/** `upw export <view>`: a BI view as CSV or JSON, to stdout or a file. */
import { once } from 'node:events';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { BadInputError, ExitCode, PartialRunError } from '../../errors.js';
import { exportView } from '../../export/export.usecases.js';
import { COMMON_OPTIONS, loadContext, parseFlags, parsePlatformList, type CommandIo } from '../common.js';
import { isBrokenPipe, prepareOutFile } from '../output.js';
import { openReadOnly } from '../read.js';

const HELP = `Usage: upw export <view> [flags]

Writes one BI view of the warehouse (docs/warehouse.md) as CSV with a header
row (RFC 4180) or as a JSON array of objects. The view is one of
v_daily_metrics, v_daily_impressions, v_latest_snapshot, v_timeseries,
v_value_revisions, v_post_metrics, v_platform_rules ("v_" may be left out).

Flags:
  --format csv|json  output format (default csv)
  --out FILE         write to FILE (replaced whole, only once complete) instead of stdout
  --profile NAME     only this profile, repeatable
  --platform a,b     only these platforms
  --start-date D     only days on or after D (YYYY-MM-DD)
  --end-date D       only days on or before D
  --config FILE      config file (default: collector.config.ts here, if present)
  --db FILE          database file (default: UPW_DB, else the config's database)
  -h, --help         this help`;

const OPTIONS = {
  format: { type: 'string' },
  out: { type: 'string' },
  profile: COMMON_OPTIONS.profile,
  platform: { type: 'string' },
  'start-date': { type: 'string' },
  'end-date': { type: 'string' },
  config: COMMON_OPTIONS.config,
  db: COMMON_OPTIONS.db,
  help: COMMON_OPTIONS.help,
} as const;

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const { values: flags, positionals } = parseFlags(argv, OPTIONS, true);
  if (flags.help) {
    io.stdout.write(`${HELP}\n`);
    return ExitCode.ok;
  }
  const [view, ...extra] = positionals;
  if (!view) throw new BadInputError('missing <view>: usage upw export <view> [--format csv|json] [--out FILE]');
  if (extra.length > 0) throw new BadInputError(`one view at a time: unexpected "${extra.join(' ')}"`);
  const platforms = flags.platform !== undefined ? parsePlatformList(flags.platform, '--platform') : undefined;
  const { dbPath } = await loadContext(flags, io);
  const target = flags.out === undefined ? undefined : resolve(io.cwd, flags.out);
  if (target !== undefined) prepareOutFile(target);
  // An export reads; it never creates a warehouse where there was none.
  const wh = openReadOnly(dbPath, () => new BadInputError(`there is no warehouse at ${dbPath} (run upw collect first, or pass --db)`));
  try {
    const input = { wh, view, format: flags.format, profiles: flags.profile, platforms, startDate: flags['start-date'], endDate: flags['end-date'] };
    if (target === undefined) {
      try {
        await exportView({ ...input, out: io.stdout });
      } catch (error) {
        if (isBrokenPipe(error)) return ExitCode.ok;
        throw error;
      }
      if (!wh.intact()) throw changedUnderneath(dbPath);
      return ExitCode.ok;
    }
    // Written beside the target and renamed when complete: a reader never sees half a file.
    const partial = `${target}.partial-${process.pid}`;
    const file = createWriteStream(partial);
    try {
      const summary = await exportView({ ...input, out: file });
      file.end();
      await once(file, 'finish');
      if (!wh.intact()) throw changedUnderneath(dbPath);
      renameSync(partial, target);
      io.stderr.write(`${summary.rows} rows of ${summary.view} written to ${target}\n`);
      return ExitCode.ok;
    } catch (error) {
      file.destroy();
      rmSync(partial, { force: true });
      throw error;
    }
  } finally {
    wh.close();
  }
}

/** Read without locks (no -wal/-shm beside the file, store/db.ts) while a writer changed it: the rows may mix two states. */
function changedUnderneath(dbPath: string): PartialRunError {
  return new PartialRunError(`${dbPath} changed while it was exported without locks (it had no -wal/-shm beside it): run the export again`);
}
