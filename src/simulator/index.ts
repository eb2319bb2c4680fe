// The Upload-Post API simulator: a loopback HTTP server answering the documented analytics
// endpoints from a deterministic, seeded world. `upw demo` and every collector test use it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { DEFAULT_MAX_RANGE_DAYS } from './arithmetic.js';
import { DEMO_PROFILES, GOOGLE_BUSINESS_PROFILE } from './catalog.js';
import { Faults } from './faults.js';
import { planLimitPerMinute } from './limits.js';
import { PostCache } from './post-analytics.js';
import { RequestLog, Stats } from './request-log.js';
import { createHandler } from './server.js';
import type { ServerState } from './server.js';
import type { Simulator, SimulatorOptions } from './types.js';
import { World } from './world.js';

export { ALL_PLATFORMS, DEMO_PROFILES, GOOGLE_BUSINESS_PROFILE, PLATFORMS } from './catalog.js';
export type { Platform, PlatformRule, SimProfileInput } from './catalog.js';
export type {
  FaultKind, FaultQueue, FaultRule, SimPlan, SimPost, SimRequest, SimRuleChange, SimStats, SimWorld, Simulator, SimulatorOptions,
} from './types.js';

/** Start a simulator on 127.0.0.1 and resolve once it is listening. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  let clock: () => Date = options.now ?? (() => new Date());
  const profiles = [...(options.profiles ?? DEMO_PROFILES), ...(options.googleBusiness ? [GOOGLE_BUSINESS_PROFILE] : [])];
  const world = new World({
    seed: options.seed ?? 1,
    profiles,
    profileCount: options.profileCount ?? 0,
    // Read through the variable so that setNow() reaches the world and the limits alike.
    now: () => clock(),
    serverTimezone: options.serverTimezone ?? 'UTC',
  });
  for (const change of options.ruleChanges ?? []) world.setRule(change.platform, change, change.fromDay);
  const plan = options.plan ?? 'business';
  const state: ServerState = {
    world,
    faults: new Faults(),
    stats: new Stats(),
    log: new RequestLog(options.requestLogLimit ?? 100_000),
    cache: new PostCache(),
    latencyMs: options.latencyMs ?? 0,
    config: {
      apiKey: options.apiKey ?? 'demo-key',
      analyticsWrapped: options.analyticsWrapped ?? false,
      historyKey: options.historyKey ?? 'history',
      retryAfterHeader: options.retryAfterHeader ?? false,
      rateLimitPerMinute: options.rateLimitPerMinute ?? planLimitPerMinute(plan, world.profiles().length),
      rateLimitWindowMs: options.rateLimitWindowMs ?? 60_000,
      postAnalyticsLimit: options.postAnalyticsLimit ?? { max: 100, windowMs: 300_000 },
      maxRangeDays: options.maxRangeDays ?? DEFAULT_MAX_RANGE_DAYS,
      plan,
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
    log: state.log.entries,
    requests: () => state.log.entries.map((e) => ({ ...e, query: { ...e.query } })),
    clearLog: () => state.log.clear(),
    setNow(now) {
      if (typeof now === 'function') {
        clock = now;
      } else {
        const fixed = new Date(now.getTime());
        clock = () => new Date(fixed.getTime());
      }
    },
    setServerTimezone(zone) {
      world.setServerTimezone(zone);
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
