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
import { recordTargetChecks } from '../collect/checks.js';
import { requireProfiles, resolveTargets, type Target, type TargetOverrides } from '../collect/targets.js';
import { isProcessAlive } from '../process/liveness.js';
import { addDays, dayInZone, eachDay, isValidDay, now } from '../dates.js';
import { ApiError, ApiKeyRefusedError, BadInputError } from '../errors.js';
import { isCovered, markCovered, type BackfillStep } from '../store/backfill.repository.js';
import { findProfileId } from '../store/profiles.repository.js';
import { readPlatformMetricsCache } from '../store/rules.repository.js';
import { STOPPED_EARLY, addRunCounts, closeAbandonedRuns, countRunErrors, finishRun, getRun, recordRaw, recordRunError, startRun } from '../store/runs.repository.js';
import { ValueWriter } from '../store/values.repository.js';
import { importHistory, type HistoryUnit } from './history.js';

export interface DayRange {
  since: string;
  until: string;
}

/** Days of one platform a profile lacks (the daemon's catch-up asks for exactly these). */
export interface PlatformGap extends DayRange {
  platform: string;
}

export interface BackfillInput {
  overrides?: TargetOverrides;
  /** Ranges of days to import for every target platform, oldest first; default: the last 365 days up to today. */
  ranges?: DayRange[];
  /** Instead of `ranges`: exactly these days, per profile and platform (profiles not listed are left alone). */
  gaps?: Map<string, PlatformGap[]>;
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
  // The server's day: a range that reaches it holds a snapshot still being written.
  const today = dayInZone(at, config.serverTimezone);
  const ranges = input.ranges ?? [resolveRange(undefined, undefined, today)];
  const gapDays = input.gaps ? [...input.gaps.values()].flat() : [];
  const spanOf = (list: DayRange[]) => (list.length > 0 ? { since: list.map((r) => r.since).sort()[0]!, until: list.map((r) => r.until).sort().at(-1)! } : undefined);
  const span = input.gaps ? spanOf(gapDays) : spanOf(ranges);
  requireProfiles(config, input.overrides ?? {}, 'backfill');
  closeAbandonedRuns(wh, isProcessAlive);
  const runId = startRun(wh, 'backfill', today, span);
  const runLog = log.child({ run: runId, kind: 'backfill' });
  const before = { ...client.stats };
  const notFound = new Set<string>();
  const failedProfiles = new Set<string>();
  const completed: string[] = [];
  let keyRefused = false;
  let targets: Target[] = [];
  let missing = 0;
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
      if (profile) failedProfiles.add(profile);
      wh.transaction(() => {
        recordFailure(e, profile, platform);
        if (piece && platform) addRunCounts(wh, runId, { platformsFailed: 1 });
      });
      return;
    }
    if (!(e instanceof ApiError)) throw e;
    if (e.status === 404 && profile) {
      if (notFound.has(profile)) return;
      notFound.add(profile);
    }
    if (counted) tally.failed++;
    if (profile) failedProfiles.add(profile);
    wh.transaction(() => {
      recordFailure(e, profile, platform);
      if (counted && platform) addRunCounts(wh, runId, { platformsFailed: 1 });
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
  const unitCovered = (u: HistoryUnit): boolean =>
    u.kind === 'range' ? covered(u.profile, 'snapshots', u.platform, u) : u.platforms.every((p) => covered(u.profile, 'snapshots', p, { since: u.day, until: u.day }));

  try {
    const resolved = await resolveTargets(config, input.overrides ?? {}, client, { onUsers: (raw) => wh.transaction(() => recordRaw(wh, runId, raw)) });
    targets = resolved.targets;
    missing = resolved.missing.length;
    recordTargetChecks(wh, runId, runLog, resolved, { count: false, analytics: input.timeseries !== false });
    for (const t of resolved.missing) {
      notFound.add(t.username);
      failedProfiles.add(t.username);
    }
    await refreshPlatformMetrics(deps, runId, today).catch((e: unknown) => {
      fail(e, undefined, undefined, false);
      if (!keyRefused) runLog.warn({ err: e }, 'platform-metrics unavailable; using the cached or built-in rules');
    });
    const cached = readPlatformMetricsCache(wh);
    const writer = new ValueWriter(wh, runId);
    if (input.gaps) targets = targets.filter((t) => input.gaps!.has(t.username));
    const todayRange = { since: today, until: today };
    const step1 = input.timeseries === false ? [] : targets.filter((t) => !covered(t.username, 'analytics', '', todayRange));
    const units = targets.flatMap((t) => planUnits(t, input.gaps?.get(t.username) ?? t.platforms.flatMap((platform) => ranges.map((r) => ({ platform, ...r })))));
    const step2 = units.filter((u) => !unitCovered(u));
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
              const c = storeProfile({ wh, writer, runId, target, raw: answer.raw, body: answer.body, cached, source: 'backfill', serverTimezone: config.serverTimezone, count: false });
              // A platform that failed is asked again by the next backfill.
              if (c.platformsFailed === 0) markCovered(wh, { profileId: findProfileId(wh, target.username)!, step: 'analytics', platform: '', ...todayRange }, { takenOn: today, runId, valuesWritten: c.valuesWritten });
              return c;
            });
            if (counts.platformsFailed === 0) {
              tally.imported++;
              completed.push(target.username);
            } else {
              tally.failed++;
              failedProfiles.add(target.username);
            }
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

    const ctx = { wh, client, writer, log: runLog, runId, today };
    await settle(
      step2.map((unit) =>
        limit(async () => {
          if (halted() || notFound.has(unit.profile)) return;
          const platform = unit.kind === 'range' ? unit.platform : unit.platforms.join(',');
          try {
            const { values } = await importHistory(ctx, unit);
            tally.imported++;
            completed.push(unit.profile);
            runLog.debug({ profile: unit.profile, platform, values, ...(unit.kind === 'range' ? { since: unit.since, until: unit.until } : { day: unit.day }) }, 'history imported');
          } catch (e) {
            fail(e, unit.profile, platform);
          } finally {
            progress();
          }
        }),
      ),
    );
    // A profile is ok when every piece it needed is done (now or by an earlier backfill) and none failed;
    // one a signal or a refused key left unfinished is neither.
    const left = new Map<string, number>();
    for (const p of [...step1.map((t) => t.username), ...step2.map((u) => u.profile)]) left.set(p, (left.get(p) ?? 0) + 1);
    for (const p of completed) left.set(p, (left.get(p) ?? 0) - 1);
    const ok = targets.filter((t) => !failedProfiles.has(t.username) && !notFound.has(t.username) && (left.get(t.username) ?? 0) === 0).length;
    addRunCounts(wh, runId, { profilesOk: ok, profilesFailed: failedProfiles.size });
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
  return { run: getRun(wh, runId)!, keyRefused, notFound: [...notFound], total: targets.length + missing, ranges, ...tally };
}

/**
 * The pieces of one profile's import, in as few calls as the API allows: two
 * per platform and range (per_day breakdown), or two per day for all its
 * platforms at once (per_platform of a single day) when there are fewer days
 * than platform ranges, as in the daemon's catch-up of a missed day.
 */
export function planUnits(target: Pick<Target, 'username' | 'createdAt'>, needs: readonly PlatformGap[]): HistoryUnit[] {
  const days = new Map<string, string[]>();
  for (const n of needs) for (const d of eachDay(n.since, n.until)) days.set(d, [...(days.get(d) ?? []), n.platform]);
  const base = { profile: target.username, createdAt: target.createdAt };
  if (days.size < needs.length) {
    return [...days.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, platforms]) => ({ kind: 'day', ...base, day, platforms: [...new Set(platforms)] }));
  }
  return needs.map((n) => ({ kind: 'range', ...base, platform: n.platform, since: n.since, until: n.until }));
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
