// The simulator's public contract: other parts of the product (the demo command, every
// collector test) program against exactly these shapes.
import type { Platform, PlatformRule, SimProfileInput } from './catalog.js';

export type { Platform, PlatformRule, SimProfileInput };

export interface SimulatorOptions {
  /** Seed of every generated value; default 1. */
  seed?: number;
  /** The one valid API key; default 'demo-key'. */
  apiKey?: string;
  /** Port on 127.0.0.1; default 0 (a free port). */
  port?: number;
  /** Profiles of the world; default DEMO_PROFILES. */
  profiles?: SimProfileInput[];
  /** Also generate this many profiles named profile-00001… with all ten platforms. */
  profileCount?: number;
  /** The simulator's clock; "today" is its UTC date. Default: the real clock. */
  now?: () => Date;
  /** Delay added before every answer, in milliseconds; default 0. */
  latencyMs?: number;
  /** Requests per fixed clock minute; default Infinity (no limit). */
  rateLimitPerMinute?: number;
  /**
   * Length of that fixed window, still aligned to the clock; default 60 000 (the
   * live API's minute). Shorter windows let a benchmark make the limit bind in seconds.
   */
  rateLimitWindowMs?: number;
  /** Window of the live post-analytics limit; default 100 per 300 000 ms. */
  postAnalyticsLimit?: { max: number; windowMs: number };
  /** Answer analytics as {success, analytics:{…}} instead of platforms at the top level. */
  analyticsWrapped?: boolean;
  /** Key of the rows in /uploadposts/history answers; default 'history'. */
  historyKey?: 'history' | 'uploads';
  /** Also send Retry-After on 429; default false. */
  retryAfterHeader?: boolean;
}

/** One upload request of a profile (one history row per platform). */
export interface SimPost {
  requestId: string;
  username: string;
  platforms: Platform[];
  uploadedAt: Date;
  title: string;
  caption: string;
  mediaType: 'video' | 'photo' | 'text';
}

export interface SimWorld {
  /** Usernames of every live profile. */
  profiles(): string[];
  /** Connected platforms of a profile ([] when unknown). */
  platformsOf(username: string): Platform[];
  /** The server's stored snapshot of a day, or undefined outside the profile's history. */
  snapshot(username: string, platform: Platform, day: string): Record<string, number> | undefined;
  /** Override one snapshot value. */
  set(username: string, platform: Platform, day: string, metric: string, value: number): void;
  /** Remove a profile: every endpoint answers 404 for it afterwards. */
  deleteProfile(username: string): void;
  /** Change a platform's rule from a day on (earlier days keep the rule they had). */
  setRule(platform: Platform, rule: { primary_impressions_field: string; metric_type?: string }, fromDay: string): void;
  /** The rule in force on a day. */
  ruleOn(platform: Platform, day: string): PlatformRule;
  /** The profile's uploads visible now, most recent first. */
  posts(username: string): SimPost[];
  /** Today's date ('YYYY-MM-DD') by the simulator's clock. */
  today(): string;
}

export type FaultKind =
  | 'http500' | 'http502' | 'http503' | 'timeout' | 'reset' | 'malformed' | 'unauthorized'
  | 'notFound' | 'rateLimited' | 'platformError' | 'unsupportedPlatform';

export interface FaultRule {
  kind: FaultKind;
  /** Only requests of this route ('analytics', 'total-impressions', …). */
  route?: string;
  /** Only requests about this profile. */
  profile?: string;
  /** Only requests naming this platform; required by platformError and unsupportedPlatform. */
  platform?: string;
  /** How many requests it applies to; default 1, Infinity allowed. */
  times?: number;
  /** For rateLimited: seconds until X-RateLimit-Reset; default 1. */
  resetInSeconds?: number;
  /** Replaces the default error text. */
  message?: string;
  /** For platformError: answer {message} instead of {error}. */
  shape?: 'error' | 'message';
}

export interface FaultQueue {
  add(rule: FaultRule): void;
  clear(): void;
  /** Rules not yet used up. */
  pending(): number;
}

export interface SimStats {
  requests: number;
  byRoute: Record<string, number>;
  byStatus: Record<number, number>;
  rateLimited: number;
  reset(): void;
}

export interface Simulator {
  /** Base URL including '/api'. */
  url: string;
  port: number;
  world: SimWorld;
  faults: FaultQueue;
  stats: SimStats;
  setNow(now: Date | (() => Date)): void;
  setLatency(ms: number): void;
  /** Stop listening and drop every connection, hung ones included. */
  close(): Promise<void>;
}
