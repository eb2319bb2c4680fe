/**
 * Reading the simulator's request log: what the client did, in arrival order
 * and by the simulator's own clock, so tests assert order and counts instead
 * of how long something took on the wall clock.
 */
import type { SimRequest } from '../../src/simulator/index.js';

export interface RetryAfterReset {
  /** The 429 the simulator served. */
  refused: SimRequest;
  /** The instant its X-RateLimit-Reset announced, in ms (whole seconds, as the header carries them). */
  resetMs: number;
  /** The same route and profile asked again, if it was. */
  retry: SimRequest | undefined;
}

/**
 * For every 429 in `log` served by a `rateLimited` fault of `resetInSeconds`,
 * the next request of the same route and profile. The simulator announces the
 * reset as ceil((arrival + resetInSeconds) / 1 s) in whole seconds
 * (src/simulator/server.ts, rateHeaders): the retry must not come before it.
 */
export function retriesAfter429(log: readonly SimRequest[], resetInSeconds: number): RetryAfterReset[] {
  return log.flatMap((refused, i) => {
    if (refused.status !== 429 || refused.fault !== 'rateLimited') return [];
    const resetMs = Math.ceil((refused.atMs + resetInSeconds * 1000) / 1000) * 1000;
    const retry = log.slice(i + 1).find((r) => r.route === refused.route && r.profile === refused.profile);
    return [{ refused, resetMs, retry }];
  });
}

/** The 429s whose retry came before the announced reset, or never came: each as one line. */
export function earlyRetries(pairs: readonly RetryAfterReset[]): string[] {
  return pairs.flatMap(({ refused, resetMs, retry }) => {
    const what = `${refused.route} ${refused.profile ?? ''} refused at ${refused.atMs}`;
    if (!retry) return [`${what}: never retried`];
    return retry.atMs < resetMs ? [`${what}: retried at ${retry.atMs}, before the reset at ${resetMs}`] : [];
  });
}
