/** `upw publish [--out FILE]`: a consistent rollback-journal copy of the warehouse for BI readers. */
import { resolve } from 'node:path';
import { ExitCode } from '../../errors.js';
import { publish, publishTarget } from '../../publish/publish.usecases.js';
import { COMMON_OPTIONS, loadContext, parseFlags, writeJson, type CommandIo } from '../common.js';
import { readWarehouse } from '../read.js';

const HELP = `Usage: upw publish [--out FILE] [flags]

Writes a consistent copy of the warehouse for readers that cannot use the live
file: BI servers (Metabase, Grafana, DuckDB) and other Unix users. The copy is
in rollback-journal mode (no -wal/-shm needed, so read access alone is enough),
written beside its target and renamed into place whole, with the warehouse's
own mode and group. It reads in one transaction and never blocks the collector.
With \`publish\` in the config, collect, backfill and every daemon tick refresh
it themselves.

  --out FILE         where (default: the config's publish, else
                     <warehouse name>.published.sqlite beside the warehouse)
  --config FILE      config file (default: collector.config.ts here, if present)
  --db FILE          database file (default: UPW_DB, else the config's database)
  --json             print {out, bytes, source}
  -h, --help         this help`;

const OPTIONS = { out: { type: 'string' }, config: COMMON_OPTIONS.config, db: COMMON_OPTIONS.db, json: COMMON_OPTIONS.json, help: COMMON_OPTIONS.help } as const;

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const { values: flags } = parseFlags(argv, OPTIONS);
  if (flags.help) {
    io.stdout.write(`${HELP}\n`);
    return ExitCode.ok;
  }
  const { config, dbPath } = await loadContext(flags, io);
  const out = flags.out !== undefined ? resolve(io.cwd, flags.out) : publishTarget(config, dbPath);
  const published = readWarehouse(dbPath, (wh) => publish(wh, out));
  if (flags.json) writeJson(io, { out: published.out, bytes: published.bytes, source: dbPath });
  else io.stdout.write(`Published ${dbPath} to ${published.out} (${published.bytes.toLocaleString('en-US')} bytes)\n`);
  return ExitCode.ok;
}
