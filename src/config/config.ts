/**
 * `collector.config.ts`: the typed shape users write, every key's default and
 * one-line doc, and the validation that lists every problem at once.
 */
import { isAbsolute, resolve } from 'node:path';
import { isValidTimeZone } from '../dates.js';
import { isPlatformName, normalizePlatform, unknownPlatformWarning } from '../platforms.js';
import { urlProblem } from '../team/url.js';

export interface ProfileConfig {
  /** The Upload-Post profile username. */
  username: string;
  /**
   * Platforms to poll; default: the platforms connected in `/uploadposts/users`.
   * A name upw does not know is asked for anyway, with a warning.
   */
  platforms?: string[];
  /** Facebook Page ID (`page_id`), needed for Facebook analytics; without it each run notes it. */
  facebookPageId?: string;
  /** LinkedIn organisation URN or ID (`page_urn`). */
  linkedinPageUrn?: string;
}

export interface UserConfig {
  /** `"all"` to discover profiles from `/uploadposts/users`, or a list. */
  profiles: 'all' | ProfileConfig[];
  /** SQLite file, relative to the config file. Default `data/warehouse.sqlite`. */
  database?: string;
  /** Cron expression (5 or 6 fields) for `upw daemon`. Default `0 3 * * *`. */
  schedule?: string;
  /** IANA zone the cron schedule runs in. Default `UTC`. */
  timezone?: string;
  /**
   * IANA zone of the server's day, which decides the day a snapshot belongs to
   * and what "today" is for queries (as for the live endpoint). Default `UTC`.
   */
  serverTimezone?: string;
  /** Profiles polled at once. Default 4. */
  concurrency?: number;
  /** Per-request timeout in ms. Default 30000. */
  requestTimeoutMs?: number;
  /** Retries on 429, 5xx, timeouts and resets. Default 4. */
  retries?: number;
  /**
   * Raw answers (kept compressed, printed by `upw raw`) received more than this many days ago
   * are pruned after each collect; 0 keeps them forever. Default 400: a year of answers and a
   * month to spare, so a yearly question can still be checked against what the API said.
   */
  rawRetentionDays?: number;
  /** Post tracking. Default `{ track: true, days: 30 }`. */
  posts?: { track?: boolean; days?: number };
  /** Path of the BI copy (`upw publish`) refreshed after every collect, backfill and daemon tick, relative to the config file. Default: none. */
  publish?: string;
  /** This collector's label in a shared team warehouse (every row synced carries it). Default `default`. */
  account?: string;
  /** The team warehouse's URL (`postgres://user:password@host:5432/db`); the daemon syncs after each tick. Default none. */
  postgres?: string;
}

export interface ResolvedProfile {
  username: string;
  platforms: string[] | 'connected';
  facebookPageId: string | undefined;
  linkedinPageUrn: string | undefined;
}

export interface ResolvedConfig {
  /** The file it came from, if any. */
  file: string | undefined;
  profiles: 'all' | ResolvedProfile[] | undefined;
  database: string;
  schedule: string;
  timezone: string;
  serverTimezone: string;
  concurrency: number;
  requestTimeoutMs: number;
  retries: number;
  rawRetentionDays: number;
  posts: { track: boolean; days: number };
  /** Absolute; undefined: no copy after runs. */
  publish: string | undefined;
  account: string;
  postgres: string | undefined;
}

/** Type the config file's default export. */
export function defineConfig(config: UserConfig): UserConfig {
  return config;
}

export const DEFAULTS = {
  database: 'data/warehouse.sqlite',
  schedule: '0 3 * * *',
  timezone: 'UTC',
  serverTimezone: 'UTC',
  concurrency: 4,
  requestTimeoutMs: 30_000,
  retries: 4,
  rawRetentionDays: 400,
  posts: { track: true, days: 30 },
  account: 'default',
} as const;

const TOP_KEYS = new Set(['profiles', 'database', 'schedule', 'timezone', 'serverTimezone', 'concurrency', 'requestTimeoutMs', 'retries', 'rawRetentionDays', 'posts', 'publish', 'account', 'postgres']);
const PROFILE_KEYS = new Set(['username', 'platforms', 'facebookPageId', 'linkedinPageUrn']);

// A label people read in BI tools and type in WHERE clauses: no spaces or quotes to trip on.
const ACCOUNT = /^[A-Za-z0-9._@-]{1,64}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkInt(problems: string[], path: string, v: unknown, min: number, max: number): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    problems.push(`${path}: must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
}

function checkString(problems: string[], path: string, v: unknown): v is string | undefined {
  if (v === undefined) return true;
  if (typeof v !== 'string' || v.trim() === '') {
    problems.push(`${path}: must be a non-empty string, got ${JSON.stringify(v)}`);
    return false;
  }
  return true;
}

function validateProfiles(problems: string[], v: unknown): void {
  if (v === 'all') return;
  if (!Array.isArray(v) || v.length === 0) {
    problems.push(`profiles: must be "all" or a non-empty list of { username, platforms?, facebookPageId?, linkedinPageUrn? }, got ${JSON.stringify(v)}`);
    return;
  }
  const seen = new Set<string>();
  v.forEach((p: unknown, i) => {
    const path = `profiles[${i}]`;
    if (!isObject(p)) {
      problems.push(`${path}: must be an object with a username, got ${JSON.stringify(p)}`);
      return;
    }
    for (const key of Object.keys(p)) if (!PROFILE_KEYS.has(key)) problems.push(`${path}.${key}: unknown key`);
    if (typeof p.username !== 'string' || p.username.trim() === '') problems.push(`${path}.username: required, a non-empty string`);
    else if (seen.has(p.username)) problems.push(`${path}.username: "${p.username}" is listed twice`);
    else seen.add(p.username);
    if (p.platforms !== undefined) {
      if (!Array.isArray(p.platforms) || p.platforms.length === 0) problems.push(`${path}.platforms: must be a non-empty list of platform names`);
      else
        p.platforms.forEach((name: unknown, j) => {
          if (typeof name !== 'string' || !isPlatformName(normalizePlatform(name))) problems.push(`${path}.platforms[${j}]: not a platform name: ${JSON.stringify(name)}`);
        });
    }
    checkString(problems, `${path}.facebookPageId`, p.facebookPageId);
    checkString(problems, `${path}.linkedinPageUrn`, p.linkedinPageUrn);
  });
}

/**
 * Check a loaded config. Returns every problem, each with its key path.
 * `isValidSchedule` comes from the scheduler, the one module that knows cron.
 */
export function validateConfig(raw: unknown, isValidSchedule: (expr: string) => boolean): string[] {
  const problems: string[] = [];
  if (!isObject(raw)) return [`the config must be an object (default export), got ${JSON.stringify(raw)}`];
  for (const key of Object.keys(raw)) if (!TOP_KEYS.has(key)) problems.push(`${key}: unknown key`);
  if (raw.profiles === undefined) problems.push('profiles: required ("all" or a list of profiles)');
  else validateProfiles(problems, raw.profiles);
  checkString(problems, 'database', raw.database);
  checkString(problems, 'publish', raw.publish);
  if (checkString(problems, 'schedule', raw.schedule) && typeof raw.schedule === 'string' && !isValidSchedule(raw.schedule)) {
    problems.push(`schedule: not a valid cron expression: "${raw.schedule}"`);
  }
  for (const key of ['timezone', 'serverTimezone'] as const) {
    const zone = raw[key];
    if (checkString(problems, key, zone) && typeof zone === 'string' && !isValidTimeZone(zone)) problems.push(`${key}: unknown IANA time zone "${zone}"`);
  }
  checkInt(problems, 'concurrency', raw.concurrency, 1, 64);
  checkInt(problems, 'requestTimeoutMs', raw.requestTimeoutMs, 100, 600_000);
  checkInt(problems, 'retries', raw.retries, 0, 20);
  checkInt(problems, 'rawRetentionDays', raw.rawRetentionDays, 0, 36_500);
  if (raw.posts !== undefined) {
    if (!isObject(raw.posts)) problems.push(`posts: must be an object { track?, days? }, got ${JSON.stringify(raw.posts)}`);
    else {
      for (const key of Object.keys(raw.posts)) if (key !== 'track' && key !== 'days') problems.push(`posts.${key}: unknown key`);
      if (raw.posts.track !== undefined && typeof raw.posts.track !== 'boolean') problems.push(`posts.track: must be true or false, got ${JSON.stringify(raw.posts.track)}`);
      checkInt(problems, 'posts.days', raw.posts.days, 1, 365);
    }
  }
  if (checkString(problems, 'account', raw.account) && typeof raw.account === 'string' && !ACCOUNT.test(raw.account)) {
    problems.push(`account: must be 1 to 64 letters, digits, '.', '_', '-' or '@', got ${JSON.stringify(raw.account)}`);
  }
  if (raw.postgres !== undefined) {
    // Never quote the value: it may hold a password.
    const problem = typeof raw.postgres === 'string' ? urlProblem(raw.postgres) : `must be a string (${typeof raw.postgres} given)`;
    if (problem) problems.push(`postgres: ${problem}`);
  }
  return problems;
}

/** One line per configured profile that lists a platform upw does not know (it is still polled). */
export function configWarnings(config: ResolvedConfig): string[] {
  if (!Array.isArray(config.profiles)) return [];
  return config.profiles.flatMap((p, i) => {
    const line = p.platforms === 'connected' ? undefined : unknownPlatformWarning(p.platforms, `${config.file ?? 'config'}: profiles[${i}].platforms`);
    return line ? [line] : [];
  });
}

/** Fill defaults into a validated config; relative paths resolve against `baseDir`. */
export function resolveConfig(raw: UserConfig | undefined, file: string | undefined, baseDir: string): ResolvedConfig {
  const database = raw?.database ?? DEFAULTS.database;
  return {
    file,
    profiles:
      raw === undefined
        ? undefined
        : raw.profiles === 'all'
          ? 'all'
          : raw.profiles.map((p) => ({
              username: p.username,
              platforms: p.platforms ? [...new Set(p.platforms.map(normalizePlatform))] : 'connected',
              facebookPageId: p.facebookPageId,
              linkedinPageUrn: p.linkedinPageUrn,
            })),
    database: isAbsolute(database) ? database : resolve(baseDir, database),
    schedule: raw?.schedule ?? DEFAULTS.schedule,
    timezone: raw?.timezone ?? DEFAULTS.timezone,
    serverTimezone: raw?.serverTimezone ?? DEFAULTS.serverTimezone,
    concurrency: raw?.concurrency ?? DEFAULTS.concurrency,
    requestTimeoutMs: raw?.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    retries: raw?.retries ?? DEFAULTS.retries,
    rawRetentionDays: raw?.rawRetentionDays ?? DEFAULTS.rawRetentionDays,
    posts: { track: raw?.posts?.track ?? DEFAULTS.posts.track, days: raw?.posts?.days ?? DEFAULTS.posts.days },
    publish: raw?.publish === undefined ? undefined : resolve(baseDir, raw.publish),
    account: raw?.account ?? DEFAULTS.account,
    postgres: raw?.postgres?.trim() || undefined,
  };
}
