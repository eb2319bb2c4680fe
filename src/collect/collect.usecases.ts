/**
 * `collect`: one poll of every target profile, one analytics request each,
 * one transaction each. A crash leaves every profile's day whole or absent.
 */
import pLimit from 'p-limit';
import type { ApiClient, ApiFailure, RawAnswer } from '../api/client.js';
import { parseAnalytics, parsePlatformMetrics, type PlatformAnalytics } from '../api/parse.js';
import type { ResolvedConfig } from '../config/config.js';
import { dayInZone, dayOfAnswer, instantOfAnswer, now } from '../dates.js';
import { ApiError, ApiKeyRefusedError } from '../errors.js';
import type { Logger } from '../logger.js';
import { ensureProfile } from '../store/profiles.repository.js';
import { cachePlatformMetrics, readPlatformMetricsCache, recordRule } from '../store/rules.repository.js';
import { writeDemographics } from '../store/demographics.repository.js';
import { STOPPED_EARLY, addRunCounts, closeAbandonedRuns, finishRun, getRun, isNoticeKind, pruneRaw, recordBadValue, recordRaw, recordRunError, startRun, countRunErrors } from '../store/runs.repository.js';
import type { Run } from '../store/schema.js';
import { ValueWriter, type ValueSource } from '../store/values.repository.js';
import type { Warehouse } from '../store/warehouse.js';
import { LASTING_FAILURES, recordTargetChecks } from './checks.js';
import { mergeRule } from './rules.js';
import { requireProfiles, resolveTargets, type Target, type TargetOverrides } from './targets.js';

export interface CollectDeps {
  wh: Warehouse;
  client: ApiClient;
  log: Logger;
  config: ResolvedConfig;
}

export interface CollectInput {
  overrides?: TargetOverrides;
  /**
   * The clock that names the run's day (default: the product clock). Each
   * answer is filed under the server's day of its own Date header, whatever this says.
   */
  now?: Date;
  /** Stop starting new profiles; the ones in flight finish their transaction. */
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Extra work after the profiles (post tracking), inside the same run record. */
  afterProfiles?: (ctx: { runId: number; day: string; targets: Target[]; signal?: AbortSignal }) => Promise<void>;
}

export interface RunSummary {
  run: Run;
  keyRefused: boolean;
  /** Profiles the API answered 404 for. */
  notFound: string[];
  total: number;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Poll every target profile once and store what came back. */
export async function collect(deps: CollectDeps, input: CollectInput = {}): Promise<RunSummary> {
  const { wh, client, log, config } = deps;
  const at = input.now ?? now();
  const day = dayInZone(at, config.serverTimezone);
  requireProfiles(config, input.overrides ?? {}, 'collect');
  closeAbandonedRuns(wh, isAlive);
  const runId = startRun(wh, 'collect', day);
  const before = { ...client.stats };
  const notFound: string[] = [];
  // Profiles whose analytics failed for a reason that lasts the run: their other calls are skipped.
  const unreachable = new Set<string>();
  let keyRefused = false;
  let targets: Target[] = [];
  let missing: Target[] = [];
  const runLog = log.child({ run: runId, day });
  let done = 0;

  const fail = (e: ApiFailure, profile?: string) => {
    wh.transaction(() => {
      if (e.raw) recordRaw(wh, runId, e.raw);
      recordRunError(wh, runId, { profile, kind: e.kind, status: e.status, message: e.message });
    });
  };

  try {
    const resolved = await resolveTargets(config, input.overrides ?? {}, client, { onUsers: (raw) => wh.transaction(() => recordRaw(wh, runId, raw)) });
    ({ targets, missing } = resolved);
    recordTargetChecks(wh, runId, runLog, resolved);
    notFound.push(...missing.map((t) => t.username));
    await refreshPlatformMetrics(deps, runId, day).catch((e: unknown) => {
      if (e instanceof ApiKeyRefusedError) throw e;
      if (e instanceof ApiError) {
        fail(e as ApiFailure);
        runLog.warn({ err: e }, 'platform-metrics unavailable; using the cached or built-in rules');
      } else throw e;
    });
    const cached = readPlatformMetricsCache(wh);
    const writer = new ValueWriter(wh, runId);
    // rejectOnClear: profiles dropped from the queue (a signal, a refused key) settle instead of hanging the run.
    const limit = pLimit({ concurrency: config.concurrency, rejectOnClear: true });
    const stop = () => limit.clearQueue();
    input.signal?.addEventListener('abort', stop, { once: true });

    // A slot is held for the request only. Its answer is stored once the slot's next request
    // has gone out (setImmediate runs after the microtasks and ticks that send it), so storing
    // overlaps the next answer's latency instead of adding to every slot's turn (BENCHMARKS.md,
    // figure 1). A profile the queue dropped (a signal, a refused key) is neither stored nor counted.
    type Fetched = { started: number } & ({ answer: Awaited<ReturnType<ApiClient['analytics']>> } | { failure: ApiError } | { skipped: true } | { crash: unknown });
    const fetched = (target: Target) =>
      limit(async (): Promise<Fetched> => {
        const started = Date.now();
        if (keyRefused || input.signal?.aborted) return { started, skipped: true };
        try {
          return { started, answer: await client.analytics(target.username, target.platforms, { pageId: target.pageId, pageUrn: target.pageUrn }) };
        } catch (e) {
          if (!(e instanceof ApiError)) return { started, crash: e };
          if (e instanceof ApiKeyRefusedError) {
            // Start no other profile. Those already in flight finish, and each one
            // refused is recorded and counted below like any failed profile.
            keyRefused = true;
            stop();
          }
          return { started, failure: e };
        }
      });
    const settled = await Promise.allSettled(
      targets.map(async (target) => {
        const got = await fetched(target);
        // Started after the key was refused or the run stopped: no request, so no progress either.
        if ('skipped' in got) return;
        try {
          if ('crash' in got) throw got.crash;
          await new Promise<void>((resolve) => setImmediate(resolve));
          if ('answer' in got) {
            // The server's day of this answer, by its own clock: never the local calendar day.
            const counts = storeProfile({ wh, writer, runId, target, raw: got.answer.raw, body: got.answer.body, cached, source: 'collect', serverTimezone: config.serverTimezone });
            runLog.debug({ profile: target.username, ms: Date.now() - got.started, ...counts }, 'collected');
            return;
          }
          const e = got.failure;
          if (e.status === 404) notFound.push(target.username);
          if (LASTING_FAILURES.has(e.kind)) unreachable.add(target.username);
          wh.transaction(() => {
            const f = e as ApiFailure;
            if (f.raw) recordRaw(wh, runId, f.raw);
            recordRunError(wh, runId, { profile: target.username, kind: e.kind, status: e.status, message: e.message });
            addRunCounts(wh, runId, { profilesFailed: 1, platformsFailed: target.platforms.length });
          });
          runLog.warn({ profile: target.username, err: e }, 'profile failed');
        } finally {
          input.onProgress?.(++done, targets.length);
        }
      }),
    );
    const crashed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected' && (r.reason as Error | undefined)?.name !== 'AbortError');
    if (crashed) throw crashed.reason;
    if (unreachable.size > 0) runLog.info({ profiles: [...unreachable] }, 'no history or post analytics for profiles whose analytics failed for the run');
    const reachable = targets.filter((t) => !unreachable.has(t.username));
    if (input.afterProfiles && !keyRefused && !input.signal?.aborted) await input.afterProfiles({ runId, day, targets: reachable, signal: input.signal });
    const pruned = pruneRaw(wh, config.rawRetentionDays);
    if (pruned > 0) runLog.info({ pruned }, 'pruned raw answers');
  } catch (e) {
    if (e instanceof ApiKeyRefusedError) {
      keyRefused = true;
      fail(e as ApiFailure);
    } else {
      // Discovery that never answered ends the run, but it is a failure like any other: keep its raw
      // answer and kind, and end the run as failed (exit 5), not as a crash of ours (exit 1).
      finishRun(wh, runId, 'failed', statsSince(client, before), (e as Error).message);
      if (!(e instanceof ApiError)) throw e;
      fail(e as ApiFailure);
      return { run: getRun(wh, runId)!, keyRefused, notFound, total: targets.length + missing.length };
    }
  }

  const run = getRun(wh, runId)!;
  const failures = run.profilesFailed + run.platformsFailed;
  const errors = countRunErrors(wh, runId);
  // Stopped by a signal before the run was through (its profiles, or the posts after them): not whole, so not ok.
  const cutShort = input.signal?.aborted === true;
  const total = targets.length + missing.length;
  const status = keyRefused || (total > 0 && run.profilesOk === 0) ? 'failed' : failures > 0 || errors > 0 || cutShort ? 'partial' : 'ok';
  const message = keyRefused ? 'stopped: the API refused the key' : input.signal?.aborted ? STOPPED_EARLY : undefined;
  finishRun(wh, runId, status, statsSince(client, before), message);
  return { run: getRun(wh, runId)!, keyRefused, notFound, total };
}

function statsSince(client: ApiClient, before: ApiClient['stats']) {
  return {
    requests: client.stats.requests - before.requests,
    retries: client.stats.retries - before.retries,
    rateLimited: client.stats.rateLimited - before.rateLimited,
  };
}

/**
 * Refresh the cached platform-metrics answer unless it was read on the
 * server's `today`. It names the rule of the day it was read (and counts the
 * platforms whose answers do not name their field): an answer from yesterday,
 * even an hour old, misses a change the server made at midnight.
 */
export async function refreshPlatformMetrics({ wh, client, config }: Pick<CollectDeps, 'wh' | 'client' | 'config'>, runId: number, today: string): Promise<void> {
  const cache = readPlatformMetricsCache(wh);
  const newest = Math.max(0, ...[...cache.values()].map((c) => Date.parse(c.fetchedAt)));
  if (cache.size > 0 && dayInZone(new Date(newest), config.serverTimezone) === today) return;
  const answer = await client.platformMetrics();
  const parsed = parsePlatformMetrics(answer.body);
  wh.transaction(() => recordRaw(wh, runId, answer.raw));
  const entries = Object.fromEntries(
    Object.entries(parsed).map(([p, h]) => [p, { primaryField: h.primaryField ?? null, availableMetrics: h.availableMetrics ?? null, metricLabels: h.metricLabels ?? null }]),
  );
  // When the server read it, by its own clock: the day of that instant is the day of the rule.
  cachePlatformMetrics(wh, entries, instantOfAnswer(answer.raw).toISOString());
}

export interface StoreProfileInput {
  wh: Warehouse;
  writer: ValueWriter;
  runId: number;
  target: Target;
  raw: RawAnswer;
  body: unknown;
  cached: ReturnType<typeof readPlatformMetricsCache>;
  source: ValueSource;
  /** The zone of the server's day: the answer's snapshot is filed under the day of its Date header there. */
  serverTimezone: string;
  /** Add the profile and its platforms to the run's counts (default); a backfill counts its own pieces instead. */
  count?: boolean;
}

/** One profile's answer, written in one transaction: raw, values, counts, rules, failures, notes. */
export function storeProfile(input: StoreProfileInput): { day: string; platformsOk: number; platformsFailed: number; notes: number; badValues: number; valuesWritten: number } {
  const { wh, writer, runId, target, source } = input;
  const day = dayOfAnswer(input.raw, input.serverTimezone);
  const observedAt = Math.floor(instantOfAnswer(input.raw).getTime() / 1000);
  const { platforms: results, failure } = parseAnalytics(input.body, target.platforms);
  const before = writer.written;
  let platformsOk = 0;
  let platformsFailed = 0;
  let notes = 0;
  let badValues = 0;
  let extraWritten = 0;
  const count = input.count ?? true;
  try {
    wh.transaction(() => {
      const profileId = ensureProfile(wh, target.username, target.createdAt);
      recordRaw(wh, runId, input.raw);
      if (failure) {
        // The answer as a whole said no (or was no answer): one failure in the server's words, as for an HTTP error.
        platformsFailed = target.platforms.length;
        recordRunError(wh, runId, { profile: target.username, kind: failure.kind, message: failure.message });
        if (count) addRunCounts(wh, runId, { profilesFailed: 1, platformsFailed });
        return;
      }
      let from = day;
      for (const [platform, result] of Object.entries(results)) {
        if (!result.ok) {
          if (isNoticeKind(result.kind)) notes++;
          else platformsFailed++;
          recordRunError(wh, runId, { profile: target.username, platform, kind: result.kind, message: result.message });
          continue;
        }
        platformsOk++;
        const rule = mergeRule(platform, result.data.rule, input.cached.get(platform));
        const first = writePlatform(writer, profileId, platform, day, result.data, observedAt, source);
        if (first < from) from = first;
        extraWritten += writeDemographics(wh, { profileId, platform, day, observedAt, runId: writer.runId }, result.data.demographics);
        for (const b of result.data.bad) recordBadValue(wh, runId, { profile: target.username, platform }, b);
        badValues += result.data.bad.length;
        recordRule(wh, platform, day, rule);
        // What the server counts for this day in default mode: the snapshot's value of today's field.
        const value = rule.primaryField === null ? null : (result.data.metrics[rule.primaryField] ?? null);
        writer.writeCounted({ profileId, platform, day, value, primaryField: rule.primaryField, metricType: rule.metricType }, source, observedAt);
      }
      writer.noteWritten(profileId, from, day);
      // A profile whose platforms were all notes ("not supported") has nothing that failed.
      const profileOk = platformsOk > 0 || platformsFailed === 0;
      addRunCounts(wh, runId, {
        profilesOk: count && profileOk ? 1 : 0,
        profilesFailed: count && !profileOk ? 1 : 0,
        platformsOk: count ? platformsOk : 0,
        platformsFailed: count ? platformsFailed : 0,
        valuesWritten: writer.written - before + extraWritten,
      });
    });
  } catch (e) {
    writer.forget();
    throw e;
  }
  return { day, platformsOk, platformsFailed, notes, badValues, valuesWritten: writer.written - before + extraWritten };
}

/** Write one platform's snapshot and time series (a few statements for all); returns the earliest day written. */
function writePlatform(writer: ValueWriter, profileId: number, platform: string, day: string, data: PlatformAnalytics, observedAt: number, source: ValueSource): string {
  let first = day;
  const rows: Array<[number, string, number]> = [];
  for (const [metric, value] of Object.entries(data.metrics)) rows.push([writer.seriesId(profileId, platform, 'snapshot', metric), day, value]);
  for (const [series, points] of Object.entries(data.timeseries)) {
    const id = writer.seriesId(profileId, platform, 'timeseries', series);
    for (const p of points) {
      rows.push([id, p.day, p.value]);
      if (p.day < first) first = p.day;
    }
  }
  writer.writeMany(rows, source, observedAt);
  return first;
}
