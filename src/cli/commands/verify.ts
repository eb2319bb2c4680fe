/**
 * `upw verify <profile> [query flags]`: the query against the warehouse and
 * the live endpoint, side by side. Exit 0 when they agree, 5 when they differ.
 * Why the range is resolved locally and sent explicitly: see verify.usecases.ts.
 */
import type { Answer } from '../../api/client.js';
import { ApiBadRequestError, ApiMalformedResponseError, ApiNetworkError, ApiRateLimitedError, ApiServerError, BadInputError, ExitCode, LiveAnswerUnavailableError, ProfileNotFoundError } from '../../errors.js';
import { resolveQuery } from '../../query/impressions.query.js';
import { explainImpressions } from '../../query/impressions.usecases.js';
import { QUERY_HELP, QUERY_OPTIONS, queryFromFlags } from '../../query/query.flags.js';
import { renderComparison } from '../../query/verify.render.js';
import { compareAnswers, liveAnswerProblem, liveParams } from '../../query/verify.usecases.js';
import { apiClientFrom, loadContext, parseFlags, writeJson, type CommandIo } from '../common.js';
import { profileArg, readForQuery } from './impressions.js';

const HELP = `Usage: upw verify <profile> [flags]

Runs the same total-impressions query against the warehouse and the live
endpoint and shows both with their differences per platform and per day.
The range is resolved here (--as-of, else the server's today in serverTimezone)
and sent as explicit start_date/end_date, since the server would use its own
today; both sides are asked for the breakdown. Numbers sent as text ("0") are
read as the collector reads them. Exit 0 when they agree, 5 when they differ,
and 5 (with the server's message) when the live endpoint gives no answer to
compare with: a 5xx or 429 after the retries, no connection, or a body that is
no answer. Needs UPLOAD_POST_API_KEY (UPLOAD_POST_BASE_URL for another server).
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
    const query = queryFromFlags(values, ctx.config.serverTimezone);
    if (query.source === 'timeseries') throw new BadInputError('--source timeseries cannot be verified: the live endpoint only sums daily snapshots');
    const resolved = resolveQuery(query);
    const client = apiClientFrom(io, ctx.config);
    const local = readForQuery(ctx.dbPath, profile, (wh) => explainImpressions(wh, profile, { ...query, breakdown: true }).answer);
    let live: Answer;
    try {
      live = await client.totalImpressions(profile, liveParams(resolved, query.platform));
    } catch (e) {
      // After got's retries these will not change now: nothing to compare with, in the server's words. 401, 404 and 400 keep their own exit codes.
      const unavailable = e instanceof ApiServerError || e instanceof ApiRateLimitedError || e instanceof ApiNetworkError || e instanceof ApiMalformedResponseError;
      throw unavailable ? new LiveAnswerUnavailableError(e.message, { cause: e }) : e;
    }
    const problem = liveAnswerProblem(live.body);
    if (problem !== undefined) throw new LiveAnswerUnavailableError(problem);
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
