import type { ApiClient } from '../api/client.js';
import type { Target } from '../collect/targets.js';
import type { ResolvedConfig } from '../config/config.js';
import type { Logger } from '../logger.js';
import type { Warehouse } from '../store/warehouse.js';

export interface PostsDeps {
  wh: Warehouse;
  client: ApiClient;
  log: Logger;
  config: ResolvedConfig;
}

/** Post tracking during a collect (issue 7): not built yet, so it does nothing. */
export async function trackPosts(_deps: PostsDeps, _ctx: { runId: number; day: string; targets: Target[] }): Promise<void> {}
