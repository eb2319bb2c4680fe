/**
 * `backfill`: bring in what the API still holds. Step 1 re-reads each
 * profile's analytics (its 30-day time series) through collect's path; step 2
 * imports the server's daily snapshots per (profile, platform) from
 * total-impressions. Every piece is one transaction that also records it is
 * done, so a killed backfill rerun skips what is complete.
 */
import pLimit from 'p-limit';
import type { ApiFailure } from '../api/client.js';
import { refreshPlatformMetrics, storeProfile, type CollectDeps, type RunSummary } from '../collect/collect.usecases.js';
import { mergeRule } from '../collect/rules.js';
import { resolveTargets, type Target, type TargetOverrides } from '../collect/targets.js';
import { isProcessAlive } from '../daemon/liveness.js';
import { addDays, dayInZone, isValidDay, now } from '../dates.js';
import { ApiError, ApiKeyRefusedError, BadInputError } from '../errors.js';
import { isCovered, markCovered, type BackfillStep } from '../store/backfill.repository.js';
import { findProfileId } from '../store/profiles.repository.js';
import { listRules, readPlatformMetricsCache } from '../store/rules.repository.js';
import { STOPPED_EARLY, addRunCounts, closeAbandonedRuns, countRunErrors, finishRun, getRun, recordRaw, recordRunError, startRun } from '../store/runs.repository.js';
import type { PlatformRule } from '../store/schema.js';
import { ValueWriter } from '../store/values.repository.js';
import { importHistory, type HistoryUnit } from './history.js';

export interface DayRange {
  since: string;
  until: string;
}

export interface BackfillInput {
  overrides?: TargetOverrides;
  /** Ranges of days to import, oldest first; default: the last 365 days up to today. */
  ranges?: DayRange[];
  /** Step 1, the analytics endpoint's 30-day series (default true); the daemon's catch-up leaves it to its collect. */
  timeseries?: boolean;
  now?: Date;
  /** Stop starting new pieces; the ones in flight finish their transaction. */
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface BackfillSummary extends RunSummary {
  ranges: DayRange[];
  /** Pieces (a profile's analytics, a platform's history over a range) written by this run. */
  imported: number;
  /** Pieces an earlier run already finished. */
  skipped: number;
  failed: number;
}

/** Days back from today of the default range: the same as `--period last_year`, so that query is covered whole. */
export const DEFAULT_BACKFILL_DAYS = 365;

/** The range `--since`/`--until` ask for, checked; the default is the last 365 days up to today. */
export function resolveRange(since: string | undefined, until: string | undefined, today: string): DayRange {
  for (const [flag, v] of [['--since', since], ['--until', until]] as const) {
    if (v !== undefined && !isValidDay(v)) throw new BadInputError(`${flag}: "${v}" is not a real day in YYYY-MM-DD format`);
  }
  const end = until === undefined || until > today ? today : until; // the server holds nothing after today
  const start = since ?? addDays(end, -DEFAULT_BACKFILL_DAYS);
  if (start > end) throw new BadInputError(`--since ${start} is after ${until === undefined || until > today ? `today (${today})` : `--until ${end}`}`);
  return { since: start, until: end };
}

/** Import the history of every target profile over `ranges`. */
export async function backfill(deps: CollectDeps, input: BackfillInput = {}): Promise<BackfillSummary> {
  const { wh, client, log, config } = deps;
  const at = input.now ?? now();
  const today = dayInZone(at, config.timezone);
  const ranges = input.ranges ?? [resolveRange(undefined, undefined, today)];
  const span = ranges.length > 0 ? { since: ranges[0]!.since, until: ranges[ranges.length - 1]!.until } : undefined;
  closeAbandonedRuns(wh, isProcessAlive);
  const runId = startRun(wh, 'backfill', today, span);
  const runLog = log.child({ run: runId, kind: 'backfill' });
  const before = { ...client.stats };
  const startedAt = Date.now();
  const observedAt = () => Math.floor((at.getTime() + (Date.now() - startedAt)) / 1000);
  const notFound = new Set<string>();
  let keyRefused = false;
  let targets: Target[] = [];
  const tally = { imported: 0, skipped: 0, failed: 0 };
  // rejectOnClear: pieces dropped from the queue (a signal, a refused key) settle instead of hanging the run.
  const limit = pLimit({ concurrency: config.concurrency, rejectOnClear: true });
  const stop = () => limit.clearQueue();
  input.signal?.addEventListener('abort', stop, { once: true });
  const halted = () => keyRefused || input.signal?.aborted === true;

  // A failure is recorded and the rest goes on; 401 stops everything, 404 stops that profile.
  const fail = (e: unknown, profile?: string, platform?: string, counted = true): void => {
    if (e instanceof ApiKeyRefusedError) {
      // Nothing new starts; every refusal of a piece already in flight is recorded and counted too.
      keyRefused = true;
      stop();
      const piece = profile !== undefined && counted;
      if (piece) tally.failed++;
      wh.transaction(() => {
        recordFailure(e, profile, platform);
        if (piece) addRunCounts(wh, runId, platform ? { platformsFailed: 1 } : { profilesFailed: 1 });
      });
      return;
    }
    if (!(e instanceof ApiError)) throw e;
    if (e.status === 404 && profile) {
      if (notFound.has(profile)) return;
      notFound.add(profile);
    }
    if (counted) tally.failed++;
    wh.transaction(() => {
      recordFailure(e, profile, platform);
      if (counted) addRunCounts(wh, runId, platform ? { platformsFailed: 1 } : { profilesFailed: 1 });
    });
    if (counted) runLog.warn({ profile, platform, err: e }, platform ? 'history import failed' : 'profile failed');
  };
  const recordFailure = (e: ApiError, profile?: string, platform?: string): void => {
    const raw = (e as ApiFailure).raw;
    if (raw) recordRaw(wh, runId, raw);
    recordRunError(wh, runId, { profile, platform, kind: e.kind, status: e.status, message: e.message });
  };
  const covered = (username: string, step: BackfillStep, platform: string, r: DayRange): boolean => {
    const profileId = findProfileId(wh, username);
    return profileId !== undefined && isCovered(wh, { profileId, step, platform, ...r }, today);
  };

  try {
    targets = await resolveTargets(config, input.overrides ?? {}, client, (raw) => recordRaw(wh, runId, raw));
    await refreshPlatformMetrics(deps, runId).catch((e: unknown) => {
      fail(e, undefined, undefined, false);
      if (!keyRefused) runLog.warn({ err: e }, 'platform-metrics unavailable; using the cached or built-in rules');
    });
    const cached = readPlatformMetricsCache(wh);
    const writer = new ValueWriter(wh);
    const todayRange = { since: today, until: today };
    const step1 = input.timeseries === false ? [] : targets.filter((t) => !covered(t.username, 'analytics', '', todayRange));
    const units: HistoryUnit[] = targets.flatMap((t) => t.platforms.flatMap((platform) => ranges.map((r) => ({ profile: t.username, createdAt: t.createdAt, platform, ...r }))));
    const step2 = units.filter((u) => !covered(u.profile, 'snapshots', u.platform, u));
    tally.skipped = (input.timeseries === false ? 0 : targets.length) - step1.length + units.length - step2.length;
    const total = step1.length + step2.length;
    let done = 0;
    const progress = () => input.onProgress?.(++done, total);
    input.onProgress?.(0, total);
    if (tally.skipped > 0) runLog.info({ skipped: tally.skipped }, 'skipping what an earlier backfill finished');

    await settle(
      step1.map((target) =>
        limit(async () => {
          if (halted()) return;
          try {
            const answer = await client.analytics(target.username, target.platforms, { pageId: target.pageId, pageUrn: target.pageUrn });
            const counts = wh.transaction(() => {
              const c = storeProfile({ wh, writer, runId, day: today, target, raw: answer.raw, body: answer.body, cached, observedAt: observedAt(), source: 'backfill', countPlatforms: false });
              // A platform that failed is asked again by the next backfill.
              if (c.platformsFailed === 0) markCovered(wh, { profileId: findProfileId(wh, target.username)!, step: 'analytics', platform: '', ...todayRange }, { takenOn: today, runId, valuesWritten: c.valuesWritten });
              return c;
            });
            if (counts.platformsOk > 0) tally.imported++;
            else tally.failed++;
            runLog.debug({ profile: target.username, ...counts }, 'time series stored');
          } catch (e) {
            // A rolled-back transaction may have created series rows the writer's cache still holds.
            writer.forget();
            fail(e, target.username);
          } finally {
            progress();
          }
        }),
      ),
    );

    // After step 1, whose answers recorded today's rules: the field each platform is counted through.
    const rules = new Map<string, PlatformRule[]>();
    for (const r of listRules(wh)) rules.set(r.platform, [...(rules.get(r.platform) ?? []), r]);
    const primaryFieldOn = (platform: string, day: string): string | null => {
      const rows = rules.get(platform) ?? [];
      const rule = rows.findLast((r) => r.validFrom <= day) ?? rows[0];
      return rule ? rule.primaryField : mergeRule(platform, {}, cached.get(platform)).primaryField;
    };
    const ctx = { wh, client, writer, log: runLog, runId, today, primaryFieldOn, observedAt };
    await settle(
      step2.map((unit) =>
        limit(async () => {
          if (halted() || notFound.has(unit.profile)) return;
          try {
            const { values } = await importHistory(ctx, unit);
            tally.imported++;
            runLog.debug({ profile: unit.profile, platform: unit.platform, since: unit.since, until: unit.until, values }, 'history imported');
          } catch (e) {
            fail(e, unit.profile, unit.platform);
          } finally {
            progress();
          }
        }),
      ),
    );
  } catch (e) {
    if (e instanceof ApiKeyRefusedError) fail(e);
    else {
      finishRun(wh, runId, 'failed', statsSince(client, before), (e as Error).message);
      throw e;
    }
  }

  const errors = countRunErrors(wh, runId);
  const attempted = tally.imported + tally.failed;
  const status = keyRefused || (attempted > 0 && tally.imported === 0) ? 'failed' : errors > 0 || input.signal?.aborted ? 'partial' : 'ok';
  const notes = [`${tally.imported} imported, ${tally.skipped} already complete, ${tally.failed} failed`];
  if (keyRefused) notes.push('stopped: the API refused the key');
  else if (input.signal?.aborted) notes.push(STOPPED_EARLY);
  finishRun(wh, runId, status, statsSince(client, before), notes.join('; '));
  return { run: getRun(wh, runId)!, keyRefused, notFound: [...notFound], total: targets.length, ranges, ...tally };
}

async function settle(tasks: Promise<void>[]): Promise<void> {
  const crashed = (await Promise.allSettled(tasks)).find((r): r is PromiseRejectedResult => r.status === 'rejected' && (r.reason as Error | undefined)?.name !== 'AbortError');
  if (crashed) throw crashed.reason;
}

function statsSince(client: CollectDeps['client'], before: CollectDeps['client']['stats']) {
  return {
    requests: client.stats.requests - before.requests,
    retries: client.stats.retries - before.retries,
    rateLimited: client.stats.rateLimited - before.rateLimited,
  };
}
