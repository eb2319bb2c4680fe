/**
 * One history import: the server's daily snapshots of one profile's platform
 * over a range, from total-impressions with breakdown, written in one
 * transaction together with the record that it is done.
 */
import type { ApiClient, RawAnswer } from '../api/client.js';
import { toCount } from '../api/parse.js';
import { addDays, daysBetween, isValidDay } from '../dates.js';
import { ApiBadRequestError, ApiMalformedResponseError } from '../errors.js';
import type { Logger } from '../logger.js';
import { QUERY_METRICS } from '../platforms.js';
import { markCovered } from '../store/backfill.repository.js';
import { ensureProfile } from '../store/profiles.repository.js';
import { addRunCounts, recordRaw } from '../store/runs.repository.js';
import { ValueWriter } from '../store/values.repository.js';
import type { Warehouse } from '../store/warehouse.js';

export interface HistoryUnit {
  profile: string;
  createdAt: string | undefined;
  platform: string;
  since: string;
  until: string;
}

export interface HistoryContext {
  wh: Warehouse;
  client: ApiClient;
  writer: ValueWriter;
  log: Logger;
  runId: number;
  /** The day the import runs, in the configured timezone. */
  today: string;
  /** The platform's counting field on a day (the rule of that day). */
  primaryFieldOn: (platform: string, day: string) => string | null;
  observedAt: () => number;
}

const QUERYABLE: ReadonlySet<string> = new Set(QUERY_METRICS);
const ALL_METRICS = QUERY_METRICS.join(',');

/** Values by metric, then by day. */
type Values = Map<string, Map<string, number>>;

/**
 * Import one (profile, platform, range). Metrics mode brings every metric the
 * endpoint accepts; a platform counted through a field it does not accept
 * (Bluesky's `engagement`) needs a second call in default mode, whose
 * per_day is exactly that field's value.
 */
export async function importHistory(ctx: HistoryContext, unit: HistoryUnit): Promise<{ values: number }> {
  const raws: RawAnswer[] = [];
  const base = { platform: unit.platform, breakdown: 'true' };
  const values: Values = new Map();

  for (const body of await fetchRange(ctx, unit, { ...base, metrics: ALL_METRICS }, unit.since, unit.until, raws)) {
    const perDay = perDayOf(body, unit);
    for (const [metric, days] of Object.entries(perDay)) {
      if (typeof days !== 'object' || days === null) continue;
      for (const [day, v] of Object.entries(days as Record<string, unknown>)) put(values, metric, day, v, unit);
    }
  }

  const unqueryable = new Set<string>();
  for (let d = unit.since; d <= unit.until; d = addDays(d, 1)) {
    const field = ctx.primaryFieldOn(unit.platform, d);
    if (field && !QUERYABLE.has(field)) unqueryable.add(d);
  }
  if (unqueryable.size > 0) {
    for (const body of await fetchRange(ctx, unit, base, unit.since, unit.until, raws)) {
      for (const [day, v] of Object.entries(perDayOf(body, unit))) {
        // Only where the rule's field is one metrics mode could not bring: elsewhere it is already exact.
        if (!unqueryable.has(day)) continue;
        const field = ctx.primaryFieldOn(unit.platform, day);
        if (field) put(values, field, day, v, unit);
      }
    }
  }

  const { wh, writer } = ctx;
  const observedAt = ctx.observedAt();
  const before = writer.written;
  try {
    wh.transaction(() => {
      const profileId = ensureProfile(wh, unit.profile, unit.createdAt);
      for (const raw of raws) recordRaw(wh, ctx.runId, raw);
      for (const [metric, days] of values) {
        const id = writer.seriesId(profileId, unit.platform, 'snapshot', metric);
        for (const [day, value] of days) writer.write(id, day, value, 'backfill', observedAt);
      }
      const written = writer.written - before;
      markCovered(wh, { profileId, step: 'snapshots', platform: unit.platform, since: unit.since, until: unit.until }, { takenOn: ctx.today, runId: ctx.runId, valuesWritten: written });
      addRunCounts(wh, ctx.runId, { platformsOk: 1, valuesWritten: written });
    });
  } catch (e) {
    writer.forget();
    throw e;
  }
  return { values: writer.written - before };
}

/**
 * The answers for since…until: one call for the whole range; only when the
 * API refuses a range (400) is it halved and asked again.
 */
async function fetchRange(ctx: HistoryContext, unit: HistoryUnit, params: Record<string, string>, since: string, until: string, raws: RawAnswer[]): Promise<unknown[]> {
  try {
    const answer = await ctx.client.totalImpressions(unit.profile, { ...params, start_date: since, end_date: until });
    raws.push(answer.raw);
    return [answer.body];
  } catch (e) {
    if (!(e instanceof ApiBadRequestError) || since === until) throw e;
    const raw = (e as ApiBadRequestError & { raw?: RawAnswer }).raw;
    if (raw) raws.push(raw);
    const mid = addDays(since, Math.floor(daysBetween(since, until) / 2));
    ctx.log.warn({ profile: unit.profile, platform: unit.platform, since, until, err: e }, 'range refused; asking in two halves');
    return [...(await fetchRange(ctx, unit, params, since, mid, raws)), ...(await fetchRange(ctx, unit, params, addDays(mid, 1), until, raws))];
  }
}

function perDayOf(body: unknown, unit: HistoryUnit): Record<string, unknown> {
  const perDay = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).per_day : undefined;
  if (typeof perDay !== 'object' || perDay === null || Array.isArray(perDay)) {
    throw new ApiMalformedResponseError('total-impressions answered without a per_day breakdown', { method: 'GET', url: `uploadposts/total-impressions/${unit.profile}?platform=${unit.platform}` }, 200, JSON.stringify(body)?.slice(0, 500));
  }
  return perDay as Record<string, unknown>;
}

function put(values: Values, metric: string, day: string, v: unknown, unit: HistoryUnit): void {
  const value = toCount(v);
  // A day outside the asked range or a value that is no count is not the server's snapshot of that day.
  if (value === undefined || !isValidDay(day) || day < unit.since || day > unit.until) return;
  let days = values.get(metric);
  if (!days) values.set(metric, (days = new Map()));
  days.set(day, value);
}
