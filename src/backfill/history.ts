/**
 * One history import: the server's daily snapshots of a profile from
 * total-impressions, in both of its modes. Metrics mode brings every
 * queryable field's value per day; default mode brings what the server
 * counted per day. Together they name the field counted each day, so the
 * warehouse keeps the server's own count and never files it under a guessed
 * name. A piece is one platform over a range (per_day breakdown) or one day
 * over several platforms (per_platform breakdown of a single day), written in
 * one transaction with the record that it is done.
 */
import type { ApiClient, RawAnswer } from '../api/client.js';
import { readNumber, type BadValue } from '../api/values.js';
import { addDays, daysBetween, instantOfAnswer, isValidDay } from '../dates.js';
import { ApiBadRequestError, ApiMalformedResponseError } from '../errors.js';
import type { Logger } from '../logger.js';
import { defaultRule, QUERY_METRICS } from '../platforms.js';
import { markCovered } from '../store/backfill.repository.js';
import { ensureProfile } from '../store/profiles.repository.js';
import { learnRule, ruleInForce } from '../store/rules.repository.js';
import { addRunCounts, recordBadValue, recordRaw } from '../store/runs.repository.js';
import type { ValueWriter } from '../store/values.repository.js';
import type { Warehouse } from '../store/warehouse.js';
import { fieldRuns, identifyFields, type DayReading } from './identify.js';

/** One platform of a profile over since…until. */
export interface RangeUnit {
  kind: 'range';
  profile: string;
  createdAt: string | undefined;
  platform: string;
  since: string;
  until: string;
}

/** Several platforms of a profile on one day: two calls instead of two per platform. */
export interface DayUnit {
  kind: 'day';
  profile: string;
  createdAt: string | undefined;
  platforms: string[];
  day: string;
}

export type HistoryUnit = RangeUnit | DayUnit;

export interface HistoryContext {
  wh: Warehouse;
  client: ApiClient;
  writer: ValueWriter;
  log: Logger;
  runId: number;
  /** The server's day when the import runs: a range reaching it is not final. */
  today: string;
}

const ALL_METRICS = QUERY_METRICS.join(',');

/** Import one piece; returns the values written. */
export async function importHistory(ctx: HistoryContext, unit: HistoryUnit): Promise<{ values: number }> {
  const raws: RawAnswer[] = [];
  const bad: PlatformBadValue[] = [];
  const { wh, writer } = ctx;
  let readings: Map<string, DayReading[]>;
  try {
    readings = unit.kind === 'range' ? await readRange(ctx, unit, raws, bad) : await readDay(ctx, unit, raws, bad);
  } catch (e) {
    // What the piece was answered before it failed (refused ranges, a mode answered before
    // the other failed, a body without its breakdown) is kept raw like every other answer.
    if (raws.length > 0) wh.transaction(() => raws.forEach((raw) => recordRaw(wh, ctx.runId, raw)));
    throw e;
  }
  const observedAt = Math.floor(instantOfAnswer(raws[raws.length - 1]!).getTime() / 1000);
  const before = writer.written;
  try {
    wh.transaction(() => {
      const profileId = ensureProfile(wh, unit.profile, unit.createdAt);
      for (const raw of raws) recordRaw(wh, ctx.runId, raw);
      for (const b of bad) recordBadValue(wh, ctx.runId, { profile: unit.profile, platform: b.platform }, b);
      let from: string | undefined;
      let to: string | undefined;
      for (const [platform, days] of readings) {
        const builtIn = defaultRule(platform);
        const identified = identifyFields(days, { ruleOn: (d) => ruleInForce(wh, platform, d)?.primaryField ?? null, builtIn: builtIn?.primaryField ?? null });
        const fieldOf = new Map(identified.map((i) => [i.day, i.field]));
        for (const r of days) {
          for (const [metric, value] of Object.entries(r.values)) writer.write(writer.seriesId(profileId, platform, 'snapshot', metric), r.day, value, 'backfill', observedAt);
          const metricType = ruleInForce(wh, platform, r.day)?.metricType ?? builtIn?.metricType ?? null;
          writer.writeCounted({ profileId, platform, day: r.day, value: r.counted ?? null, primaryField: fieldOf.get(r.day) ?? null, metricType }, 'backfill', observedAt);
          if (from === undefined || r.day < from) from = r.day;
          if (to === undefined || r.day > to) to = r.day;
        }
        for (const span of fieldRuns(identified)) learnRule(wh, platform, span, ctx.today);
      }
      if (from !== undefined && to !== undefined) writer.noteWritten(profileId, from, to);
      const pieces = unit.kind === 'range' ? [{ platform: unit.platform, since: unit.since, until: unit.until }] : unit.platforms.map((platform) => ({ platform, since: unit.day, until: unit.day }));
      const written = writer.written - before;
      for (const p of pieces) markCovered(wh, { profileId, step: 'snapshots', ...p }, { takenOn: ctx.today, runId: ctx.runId, valuesWritten: written });
      addRunCounts(wh, ctx.runId, { platformsOk: pieces.length, valuesWritten: written });
    });
  } catch (e) {
    writer.forget();
    throw e;
  }
  return { values: writer.written - before };
}

/** A value of a total-impressions answer that could not be read, and its platform. */
type PlatformBadValue = BadValue & { platform: string };

/** A count of a breakdown, or undefined; what cannot be read goes to `bad` under `field`. */
function countOf(v: unknown, platform: string, field: string, bad: PlatformBadValue[]): number | undefined {
  const r = readNumber(v, true);
  if (r && !r.ok) bad.push({ platform, field, raw: r.raw, why: r.why });
  return r?.ok ? r.value : undefined;
}

/** Both modes over a platform's range; per day, each field's value and the count. */
async function readRange(ctx: HistoryContext, unit: RangeUnit, raws: RawAnswer[], bad: PlatformBadValue[]): Promise<Map<string, DayReading[]>> {
  const base = { platform: unit.platform, breakdown: 'true' };
  const days = new Map<string, { counted: number | undefined; values: Record<string, number> }>();
  const at = (day: string) => {
    let d = days.get(day);
    if (!d) days.set(day, (d = { counted: undefined, values: {} }));
    return d;
  };
  const inRange = (day: string) => isValidDay(day) && day >= unit.since && day <= unit.until;
  for (const body of await fetchRange(ctx, unit, { ...base, metrics: ALL_METRICS }, unit.since, unit.until, raws)) {
    for (const [metric, byDay] of Object.entries(breakdownOf(body, 'per_day', unit))) {
      if (!isRecord(byDay)) continue;
      for (const [day, v] of Object.entries(byDay)) {
        if (!inRange(day)) continue;
        const value = countOf(v, unit.platform, `per_day.${metric}.${day}`, bad);
        if (value !== undefined) at(day).values[metric] = value;
      }
    }
  }
  for (const body of await fetchRange(ctx, unit, base, unit.since, unit.until, raws)) {
    for (const [day, v] of Object.entries(breakdownOf(body, 'per_day', unit))) {
      if (!inRange(day)) continue;
      const value = countOf(v, unit.platform, `per_day.${day}`, bad);
      if (value !== undefined) at(day).counted = value;
    }
  }
  return new Map([[unit.platform, [...days].map(([day, d]) => ({ day, ...d }))]]);
}

/** Both modes for one day, every platform of the profile at once: per_platform is that day's value. */
async function readDay(ctx: HistoryContext, unit: DayUnit, raws: RawAnswer[], bad: PlatformBadValue[]): Promise<Map<string, DayReading[]>> {
  const ask = async (params: Record<string, string>) => {
    const answer = await ctx.client.totalImpressions(unit.profile, { date: unit.day, breakdown: 'true', ...params });
    raws.push(answer.raw);
    return breakdownOf(answer.body, 'per_platform', unit);
  };
  const perMetric = await ask({ metrics: ALL_METRICS });
  const counted = await ask({});
  const out = new Map<string, DayReading[]>();
  for (const platform of unit.platforms) {
    const values: Record<string, number> = {};
    for (const [metric, byPlatform] of Object.entries(perMetric)) {
      const value = isRecord(byPlatform) ? countOf(byPlatform[platform], platform, `per_platform.${metric}.${platform}`, bad) : undefined;
      if (value !== undefined) values[metric] = value;
    }
    const count = countOf(counted[platform], platform, `per_platform.${platform}`, bad);
    if (count !== undefined || Object.keys(values).length > 0) out.set(platform, [{ day: unit.day, counted: count, values }]);
  }
  return out;
}

/**
 * The answers for since…until: one call for the whole range; only when the
 * API refuses a range (400) is it halved and asked again.
 */
async function fetchRange(ctx: HistoryContext, unit: RangeUnit, params: Record<string, string>, since: string, until: string, raws: RawAnswer[]): Promise<unknown[]> {
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

function breakdownOf(body: unknown, key: 'per_day' | 'per_platform', unit: HistoryUnit): Record<string, unknown> {
  const part = isRecord(body) ? body[key] : undefined;
  if (!isRecord(part)) {
    const platform = unit.kind === 'range' ? unit.platform : unit.platforms.join(',');
    throw new ApiMalformedResponseError(`total-impressions answered without a ${key} breakdown`, { method: 'GET', url: `uploadposts/total-impressions/${unit.profile}?platform=${platform}` }, 200, JSON.stringify(body)?.slice(0, 500));
  }
  return part;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
