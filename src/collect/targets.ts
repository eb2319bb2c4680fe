/** Which profiles and platforms a run polls: config, overridden by flags, completed by /users. */
import type { ApiClient } from '../api/client.js';
import { parseUsers, type UserProfile } from '../api/parse.js';
import type { ResolvedConfig, ResolvedProfile } from '../config/config.js';
import { BadInputError } from '../errors.js';

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

/**
 * Resolve the run's targets. `/uploadposts/users` is asked once, and only when
 * some profile's platforms must be discovered (`"all"`, or a profile listed
 * without platforms and no --platforms).
 */
export async function resolveTargets(config: ResolvedConfig, overrides: TargetOverrides, client: ApiClient, onUsers?: (raw: Awaited<ReturnType<ApiClient['users']>>['raw']) => void): Promise<Target[]> {
  let wanted: 'all' | ResolvedProfile[];
  if (overrides.profiles && overrides.profiles.length > 0) {
    const configured = Array.isArray(config.profiles) ? config.profiles : [];
    wanted = overrides.profiles.map(
      (username) => configured.find((p) => p.username === username) ?? { username, platforms: 'connected', facebookPageId: undefined, linkedinPageUrn: undefined },
    );
  } else if (config.profiles === undefined) {
    throw new BadInputError('No profiles to collect: pass --profile NAME or write a collector.config.ts with `profiles`');
  } else {
    wanted = config.profiles;
  }

  const needsUsers = wanted === 'all' || (!overrides.platforms && wanted.some((p) => p.platforms === 'connected'));
  let users = new Map<string, UserProfile>();
  if (needsUsers) {
    const answer = await client.users();
    onUsers?.(answer.raw);
    users = new Map(parseUsers(answer.body).map((u) => [u.username, u]));
  }
  const list: ResolvedProfile[] =
    wanted === 'all'
      ? [...users.keys()].sort().map((username) => ({ username, platforms: 'connected', facebookPageId: undefined, linkedinPageUrn: undefined }))
      : wanted;

  return list.map((p) => {
    const user = users.get(p.username);
    // Every connected platform, known to upw or not: the API answers for each (FACTS.md).
    const connected = user?.connected ?? [];
    const platforms = overrides.platforms ?? (p.platforms === 'connected' ? connected : p.platforms);
    return { username: p.username, platforms, createdAt: user?.createdAt, pageId: p.facebookPageId, pageUrn: p.linkedinPageUrn };
  });
}
