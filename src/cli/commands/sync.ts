import { BadInputError, ExitCode } from '../../errors.js';
import { describeSync, syncWarehouse } from '../../sync/sync.usecases.js';
import { urlSecrets } from '../../team/url.js';
import { COMMON_OPTIONS, loadContext, parseFlags, teamUrlFrom, writeJson, type CommandIo } from '../common.js';

const HELP = `Usage: upw sync [--to URL] [--full] [flags]

Replicate the warehouse into the team warehouse (PostgreSQL): what changed
since the last sync PostgreSQL acknowledged, in one transaction with the
cursor, so an interrupted sync leaves nothing half there and a rerun sends
only what is new. Every row carries the config's \`account\` (default
"default"): several collectors can sync into one database. The warehouse file
is only read, so a sync can run beside a running daemon; a run still writing
is sent by the next sync. With \`postgres\` in the config (or
UPW_POSTGRES_URL) the daemon syncs after each tick by itself.

  --to URL           postgres://user:password@host:5432/database
                     (default: UPW_POSTGRES_URL, else the config's postgres)
  --full             replace everything PostgreSQL holds of this account with
                     a fresh copy of this warehouse
  --config FILE      config file (default: collector.config.ts in this directory, if present)
  --db FILE          database file (default: UPW_DB, else the config's database, else data/warehouse.sqlite)
  --json             the summary as JSON on stdout
  -h, --help         this help

Exit codes: 0 synced; 2 bad input (a malformed URL, no URL); 5 PostgreSQL
could not be reached, refused the login, has no such database, or refused the
sync (nothing changed there; the password is never shown).`;

const OPTIONS = {
  config: COMMON_OPTIONS.config,
  db: COMMON_OPTIONS.db,
  json: COMMON_OPTIONS.json,
  help: COMMON_OPTIONS.help,
  to: { type: 'string' },
  full: { type: 'boolean', default: false },
} as const;

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const { values: flags } = parseFlags(argv, OPTIONS);
  if (flags.help) {
    io.stdout.write(`${HELP}\n`);
    return ExitCode.ok;
  }
  const { config, dbPath, log } = await loadContext(flags, io, undefined, urlSecrets(flags.to));
  const url = teamUrlFrom(flags.to, io, config);
  if (!url) throw new BadInputError('no PostgreSQL URL: pass --to URL, set UPW_POSTGRES_URL, or add `postgres` to the config');
  const summary = await syncWarehouse({ warehouse: dbPath, url, account: config.account, full: flags.full, log });
  if (flags.json) writeJson(io, { ...summary, ms: Math.round(summary.ms), tables: summary.tables.map((t) => ({ ...t, ms: Math.round(t.ms), mergeMs: Math.round(t.mergeMs) })) });
  else io.stdout.write(`${describeSync(summary)}\n`);
  return ExitCode.ok;
}
