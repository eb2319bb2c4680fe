/** Build a real collector (real client, real SQLite file) against a running simulator. */
import { join } from 'node:path';
import { ApiClient } from '../../src/api/client.js';
import { collect, type CollectInput } from '../../src/collect/collect.usecases.js';
import { resolveConfig, type UserConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logger.js';
import { openWarehouse, type Warehouse } from '../../src/store/warehouse.js';

export interface Harness {
  wh: Warehouse;
  client: ApiClient;
  collect(input?: CollectInput): ReturnType<typeof collect>;
  count(sql: string, ...params: unknown[]): number;
}

/** A warehouse file in `dir` and a client for `baseUrl`, with fast retries. */
export function harness(dir: string, baseUrl: string, config: Partial<UserConfig> = {}, apiKey = 'demo-key'): Harness {
  const wh = openWarehouse(join(dir, `w-${Math.random().toString(36).slice(2)}.sqlite`));
  const client = new ApiClient({ baseUrl, apiKey, retries: 3, retryBaseMs: 20, timeoutMs: 2_000 });
  const resolved = resolveConfig({ profiles: 'all', ...config }, undefined, dir);
  const log = createLogger({ level: 'silent', pretty: false });
  return {
    wh,
    client,
    collect: (input) => collect({ wh, client, log, config: resolved }, input),
    count: (sql, ...params) => wh.sqlite.prepare(sql).pluck().get(...params) as number,
  };
}
