/** `upw publish` and the copy made after each run when the config names one. */
import { basename, dirname, extname, join } from 'node:path';
import type { ResolvedConfig } from '../config/config.js';
import type { Logger } from '../logger.js';
import { publishCopy, type Published } from '../store/publish.js';
import type { Warehouse } from '../store/warehouse.js';

/** Where `upw publish` writes without --out: the config's `publish`, else `<name>.published.sqlite` beside the warehouse. */
export function publishTarget(config: Pick<ResolvedConfig, 'publish'>, dbPath: string): string {
  if (config.publish) return config.publish;
  const name = basename(dbPath, extname(dbPath));
  return join(dirname(dbPath), `${name}.published.sqlite`);
}

/** Publish `wh` to `out`, timed. */
export function publish(wh: Warehouse, out: string): Published & { ms: number } {
  const started = Date.now();
  const published = publishCopy(wh, out);
  return { ...published, ms: Date.now() - started };
}

/**
 * After a collect, a backfill or a daemon tick: refresh the configured copy.
 * A failure is logged and never fails the run: the warehouse is what matters.
 */
export async function publishAfterRun(deps: { wh: Warehouse; config: Pick<ResolvedConfig, 'publish'>; log: Logger }): Promise<void> {
  const { config, wh } = deps;
  if (!config.publish) return;
  const log = deps.log.child({ module: 'publish' });
  try {
    const { out, bytes, ms } = publish(wh, config.publish);
    log.info({ out, bytes, ms }, 'published');
  } catch (err) {
    log.warn({ err, out: config.publish }, 'publish failed; the collection itself is stored');
  }
}
