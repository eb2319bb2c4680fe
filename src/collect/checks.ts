/**
 * What a run records about its targets before it polls them: profiles the
 * account does not have, profiles it could not check, and Facebook asked for
 * without a page id. Each is said once per run, in the log and in run_errors.
 */
import type { Logger } from '../logger.js';
import { addRunCounts, recordRunError } from '../store/runs.repository.js';
import type { Warehouse } from '../store/warehouse.js';
import type { ResolvedTargets } from './targets.js';

/**
 * Kinds of failure that will not change within a run: the server down (5xx
 * after retries), a 429 storm that outlasted them, no connection, no such
 * profile. After one of these a profile's other calls (history, post
 * analytics) would only fail again, slowly.
 */
export const LASTING_FAILURES: ReadonlySet<string> = new Set(['server_error', 'rate_limited', 'network', 'not_found']);

/**
 * Record the checks of a resolved target list (inside one transaction).
 * `count`: add the missing to the run's failed profiles; `analytics`: the run
 * asks the analytics endpoint (where a Facebook page id matters).
 */
export function recordTargetChecks(wh: Warehouse, runId: number, log: Logger, resolved: ResolvedTargets, options: { count?: boolean; analytics?: boolean } = {}): void {
  const { count = true, analytics = true } = options;
  const pageless = analytics ? resolved.targets.filter((t) => t.platforms.includes('facebook') && t.pageId === undefined) : [];
  wh.transaction(() => {
    for (const t of resolved.missing) {
      recordRunError(wh, runId, { profile: t.username, kind: 'not_found', message: `Profile "${t.username}" not found: the account's /uploadposts/users does not list it` });
      // Counted like a profile the analytics endpoint answered 404 for: the profile and its platforms failed.
      if (count) addRunCounts(wh, runId, { profilesFailed: 1, platformsFailed: t.platforms.length });
    }
    for (const t of pageless) {
      // The docs call page_id required for Facebook; the API's answer still decides, so this is a note.
      recordRunError(wh, runId, {
        profile: t.username,
        platform: 'facebook',
        kind: 'no_page_id',
        message: `Facebook is asked for without a page_id: set facebookPageId for "${t.username}" in the config`,
      });
    }
  });
  for (const t of resolved.missing) log.warn(`profile "${t.username}" not found: the account's /uploadposts/users does not list it; not polled`);
  for (const t of pageless) log.warn(`${t.username}: Facebook is asked for without facebookPageId (page_id), which the docs call required`);
  if (resolved.unchecked) log.warn({ err: resolved.unchecked }, '/uploadposts/users unavailable: the profiles are polled without checking that the account has them');
}
