// The Upload-Post API simulator: a loopback HTTP server answering the documented analytics
// endpoints from a deterministic, seeded world. `upw demo` and every collector test use it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { DEMO_PROFILES } from './catalog.js';
import { Faults } from './faults.js';
import { PostCache } from './post-analytics.js';
import { Stats, createHandler } from './server.js';
import type { ServerState } from './server.js';
import type { Simulator, SimulatorOptions } from './types.js';
import { World } from './world.js';

export { DEMO_PROFILES, PLATFORMS } from './catalog.js';
export type { Platform, PlatformRule, SimProfileInput } from './catalog.js';
export type {
  FaultKind, FaultQueue, FaultRule, SimPost, SimStats, SimWorld, Simulator, SimulatorOptions,
} from './types.js';

/** Start a simulator on 127.0.0.1 and resolve once it is listening. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  let clock: () => Date = options.now ?? (() => new Date());
  const world = new World({
    seed: options.seed ?? 1,
    profiles: options.profiles ?? DEMO_PROFILES,
    profileCount: options.profileCount ?? 0,
    // Read through the variable so that setNow() reaches the world and the limits alike.
    now: () => clock(),
  });
  const state: ServerState = {
    world,
    faults: new Faults(),
    stats: new Stats(),
    cache: new PostCache(),
    latencyMs: options.latencyMs ?? 0,
    config: {
      apiKey: options.apiKey ?? 'demo-key',
      analyticsWrapped: options.analyticsWrapped ?? false,
      historyKey: options.historyKey ?? 'history',
      retryAfterHeader: options.retryAfterHeader ?? false,
      rateLimitPerMinute: options.rateLimitPerMinute ?? Number.POSITIVE_INFINITY,
      rateLimitWindowMs: options.rateLimitWindowMs ?? 60_000,
      postAnalyticsLimit: options.postAnalyticsLimit ?? { max: 100, windowMs: 300_000 },
    },
  };
  const server = createServer(createHandler(state));
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/api`,
    port,
    world,
    faults: state.faults,
    stats: state.stats,
    setNow(now) {
      if (typeof now === 'function') {
        clock = now;
      } else {
        const fixed = new Date(now.getTime());
        clock = () => new Date(fixed.getTime());
      }
    },
    setLatency(ms) {
      state.latencyMs = ms;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Hung (timeout-fault) and keep-alive connections would otherwise hold close() open.
        server.closeAllConnections();
      });
    },
  };
}
