/** A collector with post tracking, wired as `upw collect` wires it, against any base URL. */
import { join } from 'node:path';
import { ApiClient } from '../../src/api/client.js';
import { collect } from '../../src/collect/collect.usecases.js';
import { resolveConfig, type UserConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logger.js';
import { trackRecentPosts, type PostsSummary } from '../../src/posts/posts.usecases.js';
import { openWarehouse, type Warehouse } from '../../src/store/warehouse.js';

/**
 * A fresh client (as a new `upw collect` process has) on a warehouse in `dir`,
 * or on `wh` to continue where another collector left off. `run` also hands
 * back what post tracking did.
 */
export function postsCollector(dir: string, baseUrl: string, config: Partial<UserConfig>, wh: Warehouse = openWarehouse(join(dir, `w-${Math.random().toString(36).slice(2)}.sqlite`))) {
  const client = new ApiClient({ baseUrl, apiKey: 'demo-key', retries: 2, retryBaseMs: 10, timeoutMs: 5_000 });
  const deps = { wh, client, log: createLogger({ level: 'silent', pretty: false }), config: resolveConfig({ profiles: 'all', ...config }, undefined, dir) };
  return {
    wh,
    client,
    /** One collect; `postsSignal` reaches post tracking only, as a signal arriving after the profiles would. */
    async run(now: Date, postsSignal?: AbortSignal) {
      let posts: PostsSummary | undefined;
      const summary = await collect(deps, { now, afterProfiles: async (ctx) => void (posts = await trackRecentPosts(deps, { ...ctx, signal: postsSignal })) });
      return { ...summary, posts };
    },
    all: <T>(query: string, ...params: unknown[]) => wh.sqlite.prepare(query).all(...params) as T[],
    count: (query: string, ...params: unknown[]) => wh.sqlite.prepare(query).pluck().get(...params) as number,
  };
}
