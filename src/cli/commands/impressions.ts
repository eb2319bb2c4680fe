/** `upw impressions <profile> [query flags]`: offline total impressions / metric sums from the warehouse. */
import { BadInputError, ExitCode, ProfileNotFoundError } from '../../errors.js';
import { resolveQuery } from '../../query/impressions.query.js';
import { renderImpressions } from '../../query/impressions.render.js';
import { explainImpressions } from '../../query/impressions.usecases.js';
import { QUERY_HELP, QUERY_OPTIONS, queryFromFlags } from '../../query/query.flags.js';
import type { Warehouse } from '../../store/warehouse.js';
import { loadContext, parseFlags, writeJson, type CommandIo } from '../common.js';
import { readWarehouse } from '../read.js';

const HELP = `Usage: upw impressions <profile> [flags]

Total impressions (or metric sums with --metrics) of a profile, recomputed
offline from the warehouse by the API's own arithmetic. --json prints exactly
the object GET /uploadposts/total-impressions would answer.

${QUERY_HELP}
`;

/** Run `read` on the profile's warehouse, read-only: a query never creates one (exit 4 where there is none). */
export function readForQuery<T>(dbPath: string, profile: string, read: (wh: Warehouse) => T): T {
  return readWarehouse(dbPath, read, () => new ProfileNotFoundError(profile, `(there is no warehouse at ${dbPath} yet: run upw collect or upw backfill)`));
}

/** The positional profile, exactly one. */
export function profileArg(positionals: string[], command: string): string {
  const [profile, ...extra] = positionals;
  if (!profile) throw new BadInputError(`missing <profile>: usage upw ${command} <profile> [flags]`);
  if (extra.length > 0) throw new BadInputError(`one profile at a time: unexpected "${extra.join(' ')}"`);
  return profile;
}

export async function run(argv: string[], io: CommandIo): Promise<number> {
  // Known before parsing, so even a bad flag is answered in JSON under --json.
  const json = argv.includes('--json');
  try {
    const { values, positionals } = parseFlags(argv, QUERY_OPTIONS, true);
    if (values.help) {
      io.stdout.write(HELP);
      return ExitCode.ok;
    }
    const profile = profileArg(positionals, 'impressions');
    const ctx = await loadContext(values, io);
    const query = queryFromFlags(values, ctx.config.serverTimezone);
    // Bad input is answered before the database is looked at, as the API checks before it reads.
    resolveQuery(query);
    // The table always shows platforms, so the text form always computes the breakdown.
    const explained = readForQuery(ctx.dbPath, profile, (wh) => explainImpressions(wh, profile, json ? query : { ...query, breakdown: true }));
    if (json) {
      writeJson(io, explained.answer);
      for (const w of explained.warnings) io.stderr.write(`warning: ${w}\n`);
    } else {
      io.stdout.write(renderImpressions(explained, values.breakdown));
    }
    return ExitCode.ok;
  } catch (error) {
    // Under --json every answer is JSON on stdout, as the API's errors are: bad input (2) and an unknown profile (4).
    if (json && (error instanceof BadInputError || error instanceof ProfileNotFoundError)) {
      writeJson(io, { success: false, error: error.message });
      return error.exitCode;
    }
    throw error;
  }
}
