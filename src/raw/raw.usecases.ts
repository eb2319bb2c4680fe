/** `upw raw`: the stored API answers, selected by profile, server day, endpoint or id, bodies exactly as received. */
import type { Endpoint } from '../api/client.js';
import { addDays, dayInZone, isValidDay } from '../dates.js';
import { BadInputError, ProfileNotFoundError } from '../errors.js';
import { hasRawOf, readRaw, type StoredRaw } from '../store/raw.repository.js';
import type { Warehouse } from '../store/warehouse.js';

/** The endpoints whose answers are kept, as `--endpoint` names them. */
export const RAW_ENDPOINTS = ['analytics', 'total-impressions', 'platform-metrics', 'post-analytics', 'post-analytics-cached', 'users', 'history'] as const satisfies readonly Endpoint[];

export interface RawQuery {
  profile?: string;
  /** The server's day (in serverTimezone) the answer was sent on. */
  day?: string;
  endpoint?: string;
  id?: number;
}

/** Check the flags as given (bad input is exit 2 before any file is opened). */
export function parseRawQuery(flags: { profile?: string; day?: string; endpoint?: string; id?: string }): RawQuery {
  if (flags.day !== undefined && !isValidDay(flags.day)) throw new BadInputError(`--day: "${flags.day}" is not a day (YYYY-MM-DD)`);
  if (flags.endpoint !== undefined && !(RAW_ENDPOINTS as readonly string[]).includes(flags.endpoint)) {
    throw new BadInputError(`--endpoint: unknown endpoint "${flags.endpoint}"; one of ${RAW_ENDPOINTS.join(', ')}`);
  }
  if (flags.id !== undefined && !/^[1-9]\d{0,15}$/.test(flags.id)) throw new BadInputError(`--id: must be a positive whole number, got "${flags.id}"`);
  if (flags.profile !== undefined && flags.profile.trim() === '') throw new BadInputError('--profile: empty');
  return { profile: flags.profile, day: flags.day, endpoint: flags.endpoint, id: flags.id === undefined ? undefined : Number(flags.id) };
}

export type RawAnswer = StoredRaw & {
  /** The server's day of the answer, in serverTimezone. */
  day: string;
};

/**
 * The matching answers, oldest first. A profile the warehouse holds no answer
 * about is not found (exit 4); otherwise matching nothing is an empty result.
 */
export function* rawAnswers(wh: Warehouse, query: RawQuery, serverTimezone: string): Generator<RawAnswer> {
  if (query.profile !== undefined && !hasRawOf(wh, query.profile)) throw new ProfileNotFoundError(query.profile, "among the warehouse's raw answers");
  // Whatever the zone, the server's day D lies within D-1 … D+1 in UTC: read those, keep D.
  const utc = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;
  const filter = {
    profile: query.profile,
    endpoint: query.endpoint,
    id: query.id,
    servedFrom: query.day === undefined ? undefined : utc(addDays(query.day, -1)),
    servedTo: query.day === undefined ? undefined : utc(addDays(query.day, 2)),
  };
  for (const answer of readRaw(wh, filter)) {
    const day = dayInZone(new Date(answer.servedAt * 1000), serverTimezone);
    if (query.day === undefined || day === query.day) yield { ...answer, day };
  }
}
