/** Build a real collector (real client, real SQLite file) against a running server. */
import { join } from 'node:path';
import { ApiClient, type ApiClientOptions } from '../../src/api/client.js';
import { collect, type CollectDeps, type CollectInput } from '../../src/collect/collect.usecases.js';
import { resolveConfig, type UserConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logger.js';
import { openWarehouse, type Warehouse } from '../../src/store/warehouse.js';

export interface Harness {
  wh: Warehouse;
  client: ApiClient;
  /** What a use case needs (collect, backfill, post tracking). */
  deps: CollectDeps;
  collect(input?: CollectInput): ReturnType<typeof collect>;
  /** One number from SQL. */
  count(sql: string, ...params: unknown[]): number;
  rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[];
}

export interface HarnessOptions {
  apiKey?: string;
  client?: Partial<ApiClientOptions>;
  /** Continue on an existing warehouse instead of a new file in `dir`. */
  wh?: Warehouse;
}

/** A warehouse file in `dir` and a client for `baseUrl`, with fast retries. */
export function harness(dir: string, baseUrl: string, config: Partial<UserConfig> = {}, options: HarnessOptions = {}): Harness {
  const wh = options.wh ?? openWarehouse(join(dir, `w-${Math.random().toString(36).slice(2)}.sqlite`));
  const client = new ApiClient({ baseUrl, apiKey: options.apiKey ?? 'demo-key', retries: 3, retryBaseMs: 20, timeoutMs: 2_000, ...options.client });
  const deps: CollectDeps = { wh, client, log: createLogger({ level: 'silent', pretty: false }), config: resolveConfig({ profiles: 'all', ...config }, undefined, dir) };
  return {
    wh,
    client,
    deps,
    collect: (input) => collect(deps, input),
    count: (sql, ...params) => wh.sqlite.prepare(sql).pluck().get(...params) as number,
    rows: <T>(sql: string, ...params: unknown[]) => wh.sqlite.prepare(sql).all(...params) as T[],
  };
}
