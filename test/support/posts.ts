/** A collector with post tracking, wired as `upw collect` wires it, against any base URL. */
import type { UserConfig } from '../../src/config/config.js';
import { trackRecentPosts, type PostsSummary } from '../../src/posts/posts.usecases.js';
import type { Warehouse } from '../../src/store/warehouse.js';
import { harness } from './collector.js';

/**
 * A fresh client (as a new `upw collect` process has) on a warehouse in `dir`,
 * or on `wh` to continue where another collector left off. `run` also hands
 * back what post tracking did.
 */
export function postsCollector(dir: string, baseUrl: string, config: Partial<UserConfig>, wh?: Warehouse) {
  const h = harness(dir, baseUrl, config, { wh, client: { retries: 2, retryBaseMs: 10, timeoutMs: 5_000 } });
  return {
    wh: h.wh,
    client: h.client,
    /** One collect; `postsSignal` reaches post tracking only, as a signal arriving after the profiles would. */
    async run(now: Date, postsSignal?: AbortSignal) {
      let posts: PostsSummary | undefined;
      const summary = await h.collect({ now, afterProfiles: async (ctx) => void (posts = await trackRecentPosts(h.deps, { ...ctx, signal: postsSignal })) });
      return { ...summary, posts };
    },
    all: h.rows,
    count: h.count,
  };
}
