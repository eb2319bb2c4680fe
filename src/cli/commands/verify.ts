/**
 * `upw verify <profile> [query flags]`: the query against the warehouse and
 * the live endpoint, side by side. Exit 0 when they agree, 5 when they differ.
 * Why the range is resolved locally and sent explicitly: see verify.usecases.ts.
 */
import { ApiBadRequestError, BadInputError, ExitCode, ProfileNotFoundError } from '../../errors.js';
import { resolveQuery } from '../../query/impressions.query.js';
import { explainImpressions } from '../../query/impressions.usecases.js';
import { QUERY_HELP, QUERY_OPTIONS, queryFromFlags } from '../../query/query.flags.js';
import { renderComparison } from '../../query/verify.render.js';
import { compareAnswers, liveParams } from '../../query/verify.usecases.js';
import { apiClientFrom, loadContext, parseFlags, writeJson, type CommandIo } from '../common.js';
import { profileArg, readForQuery } from './impressions.js';

const HELP = `Usage: upw verify <profile> [flags]

Runs the same total-impressions query against the warehouse and the live
endpoint and shows both with their differences per platform and per day.
The range is resolved here (--as-of, else today in the configured timezone)
and sent as explicit start_date/end_date, since the server would use its own
today; both sides are asked for the breakdown. Exit 0 when they agree, 5 when
they differ. Needs UPLOAD_POST_API_KEY (UPLOAD_POST_BASE_URL for another server).
--json prints { local, live, differences, agree }.

${QUERY_HELP}
`;

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const json = argv.includes('--json');
  try {
    const { values, positionals } = parseFlags(argv, QUERY_OPTIONS, true);
    if (values.help) {
      io.stdout.write(HELP);
      return ExitCode.ok;
    }
    const profile = profileArg(positionals, 'verify');
    const ctx = await loadContext(values, io);
    const query = queryFromFlags(values, ctx.config.timezone);
    if (query.source === 'timeseries') throw new BadInputError('--source timeseries cannot be verified: the live endpoint only sums daily snapshots');
    const resolved = resolveQuery(query);
    const client = apiClientFrom(io, ctx.config);
    const local = readForQuery(ctx.dbPath, profile, (wh) => explainImpressions(wh, profile, { ...query, breakdown: true }).answer);
    const live = await client.totalImpressions(profile, liveParams(resolved, query.platform));
    const comparison = compareAnswers(local, live.body);
    if (json) writeJson(io, comparison);
    else io.stdout.write(renderComparison(comparison));
    return comparison.agree ? ExitCode.ok : ExitCode.partial;
  } catch (error) {
    if (json && (error instanceof BadInputError || error instanceof ApiBadRequestError || error instanceof ProfileNotFoundError)) {
      writeJson(io, { success: false, error: error.message });
      return error.exitCode;
    }
    throw error;
  }
}
