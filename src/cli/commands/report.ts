/** `upw report`: one self-contained HTML file with charts and the range totals. */
import { renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BadInputError, ExitCode, ProfileNotFoundError } from '../../errors.js';
import { buildReport, chartJsSource } from '../../report/report.usecases.js';
import { renderReport } from '../../report/report.template.js';
import { COMMON_OPTIONS, loadContext, parseFlags, writeJson, type CommandIo } from '../common.js';
import { prepareOutFile } from '../output.js';
import { readWarehouse } from '../read.js';

const HELP = `Usage: upw report [flags]

Writes ONE HTML file that opens in any browser with no network: per profile,
daily impressions per platform (stacked), followers per platform, the range's
total impressions exactly as \`upw impressions --breakdown\` computes them, and
the top posts by views. Charts are drawn by Chart.js, inlined in the file.

Flags:
  --out FILE         where to write (default: upw-report.html)
  --profile NAME     only this profile, repeatable (default: every profile with data)
  --start-date D     first day (default: today-30)
  --end-date D       last day (default: today)
  --as-of D          what "today" is (default: the server's today, in serverTimezone)
  --config FILE      config file (default: collector.config.ts here, if present)
  --db FILE          database file (default: UPW_DB, else the config's database)
  --json             print {out, start_date, end_date, profiles} instead of a sentence
  -h, --help         this help`;

const OPTIONS = {
  out: { type: 'string' },
  profile: COMMON_OPTIONS.profile,
  'start-date': { type: 'string' },
  'end-date': { type: 'string' },
  'as-of': { type: 'string' },
  config: COMMON_OPTIONS.config,
  db: COMMON_OPTIONS.db,
  json: COMMON_OPTIONS.json,
  help: COMMON_OPTIONS.help,
} as const;

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const { values: flags, positionals } = parseFlags(argv, OPTIONS, true);
  if (flags.help) {
    io.stdout.write(`${HELP}\n`);
    return ExitCode.ok;
  }
  if (positionals.length > 0) throw new BadInputError(`unexpected "${positionals.join(' ')}" (profiles go in --profile NAME)`);
  const { config, dbPath } = await loadContext(flags, io);
  const out = resolve(io.cwd, flags.out ?? 'upw-report.html');
  prepareOutFile(out);
  const missing = () => {
    const where = `: there is no warehouse at ${dbPath} yet (run upw collect or upw backfill)`;
    if (flags.profile?.[0]) return new ProfileNotFoundError(flags.profile[0], where);
    return new BadInputError(`there is no warehouse at ${dbPath} yet (run upw collect or upw backfill, or pass --db)`);
  };
  const data = readWarehouse(
    dbPath,
    (wh) => buildReport({ wh, profiles: flags.profile, start_date: flags['start-date'], end_date: flags['end-date'], as_of: flags['as-of'], timezone: config.serverTimezone }),
    missing,
  );
  const html = renderReport(data, chartJsSource());
  // Renamed into place whole: a browser reloading the file never sees half of it.
  const partial = `${out}.partial-${process.pid}`;
  writeFileSync(partial, html);
  renameSync(partial, out);
  if (flags.json) {
    writeJson(io, {
      out,
      start_date: data.start,
      end_date: data.end,
      profiles: data.profiles.map((p) => ({ profile: p.profile, total_impressions: p.totals.total_impressions })),
    });
  } else {
    io.stdout.write(`Report for ${data.profiles.length} profile(s), ${data.start} … ${data.end}: ${out}\n`);
  }
  return ExitCode.ok;
}
