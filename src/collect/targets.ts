/** Which profiles and platforms a run polls: config, overridden by flags, checked against /users. */
import type { ApiClient, RawAnswer } from '../api/client.js';
import type { UserProfile } from '../api/parse.js';
import type { ResolvedConfig, ResolvedProfile } from '../config/config.js';
import { ApiError, ApiKeyRefusedError, BadInputError } from '../errors.js';

export interface Target {
  username: string;
  platforms: string[];
  createdAt: string | undefined;
  pageId: string | undefined;
  pageUrn: string | undefined;
}

export interface TargetOverrides {
  profiles?: string[];
  platforms?: string[];
}

export interface ResolvedTargets {
  targets: Target[];
  /** Profiles asked for that `/uploadposts/users` does not list: not found, and never polled. */
  missing: Target[];
  /** Why the profiles could not be checked (the /users call failed), if so. */
  unchecked?: ApiError;
}

export interface TargetHooks {
  /** Every `/uploadposts/users` answer, failed ones included, for the raw record. */
  onUsers?: (raw: RawAnswer) => void;
}

/**
 * Bad input when neither --profile nor the config names a profile. collect and
 * backfill ask before they record a run, so such a config leaves no failed run.
 */
export function requireProfiles(config: ResolvedConfig, overrides: TargetOverrides, command: 'collect' | 'backfill'): void {
  if (config.profiles === undefined && !overrides.profiles?.length) {
    throw new BadInputError(`No profiles to ${command}: pass --profile NAME or write a collector.config.ts with \`profiles\``);
  }
}

/**
 * Resolve the run's targets. `/uploadposts/users` is asked once: it lists the
 * account's profiles and their connected platforms. A profile it does not
 * list is not found (no analytics call is wasted on it). When the call fails,
 * a run that needs it to find profiles or platforms fails with it; one that
 * does not goes on unchecked, as if it had never been asked.
 */
export async function resolveTargets(config: ResolvedConfig, overrides: TargetOverrides, client: ApiClient, hooks: TargetHooks = {}): Promise<ResolvedTargets> {
  let wanted: 'all' | ResolvedProfile[];
  if (overrides.profiles && overrides.profiles.length > 0) {
    const configured = Array.isArray(config.profiles) ? config.profiles : [];
    wanted = overrides.profiles.map(
      (username) => configured.find((p) => p.username === username) ?? { username, platforms: 'connected', facebookPageId: undefined, linkedinPageUrn: undefined },
    );
  } else {
    // collect and backfill asked already, before their run was recorded; another caller is told the same.
    requireProfiles(config, overrides, 'collect');
    wanted = config.profiles!;
  }

  const needsUsers = wanted === 'all' || (!overrides.platforms && wanted.some((p) => p.platforms === 'connected'));
  let users: Map<string, UserProfile> | undefined;
  let unchecked: ApiError | undefined;
  try {
    const answer = await client.users();
    hooks.onUsers?.(answer.raw);
    users = new Map(answer.body.map((u) => [u.username, u]));
  } catch (e) {
    // Rethrown failures are recorded, raw answer and all, by whoever catches them.
    if (needsUsers || e instanceof ApiKeyRefusedError || !(e instanceof ApiError)) throw e;
    const raw = (e as { raw?: RawAnswer }).raw;
    if (raw) hooks.onUsers?.(raw);
    unchecked = e;
  }
  const list: ResolvedProfile[] =
    wanted === 'all'
      ? [...(users?.keys() ?? [])].sort().map((username) => ({ username, platforms: 'connected', facebookPageId: undefined, linkedinPageUrn: undefined }))
      : wanted;

  const targets: Target[] = [];
  const missing: Target[] = [];
  for (const p of list) {
    const user = users?.get(p.username);
    // Every connected platform, known to upw or not: the API answers for each (FACTS.md).
    const platforms = overrides.platforms ?? (p.platforms === 'connected' ? (user?.connected ?? []) : p.platforms);
    const target = { username: p.username, platforms, createdAt: user?.createdAt, pageId: p.facebookPageId, pageUrn: p.linkedinPageUrn };
    (users !== undefined && user === undefined ? missing : targets).push(target);
  }
  return { targets, missing, ...(unchecked && { unchecked }) };
}
