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
  /** The simulator's clock; "today" is its date in serverTimezone. Default: the real clock. */
  now?: () => Date;
  /**
   * IANA zone of the server's day; default 'UTC'. "Today" everywhere (total-impressions'
   * ranges, the analytics snapshot and series, history, per-day faults) is the calendar day
   * of the clock in this zone.
   */
  serverTimezone?: string;
  /** Time from a request's arrival to its answer, in milliseconds, the answer's own building included (none of it is added when that takes longer); default 0. */
  latencyMs?: number;
  /**
   * Authenticated requests per fixed clock window (platform-metrics, which is public, is not
   * counted). Default: the `plan`'s figure, as the live API reports it in X-RateLimit-Limit:
   * the plan's requests per minute plus 2 per profile, at most 1000 (FACTS.md). Infinity: no
   * limit (headers then report 1 000 000). The window runs on the simulator's clock: with a
   * clock that stands still it never resets, so a run of more requests than the limit needs
   * Infinity or a moving clock.
   */
  rateLimitPerMinute?: number;
  /** The account's plan, for the default rate limit and /uploadposts/users; default 'business'. */
  plan?: SimPlan;
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
  /**
   * Longest total-impressions range, in days, both ends counted; longer ones are refused
   * with a 400. Default 366, the span of period=last_year, so every documented period works.
   */
  maxRangeDays?: number;
  /** Platform rule changes in force from the start, as world.setRule(platform, rule, fromDay) in order. */
  ruleChanges?: SimRuleChange[];
  /** Also add GOOGLE_BUSINESS_PROFILE ('corner-bakery-google-business', google_business connected). */
  googleBusiness?: boolean;
  /** Most recent requests kept in the request log; default 100 000. */
  requestLogLimit?: number;
}

export type SimPlan = 'free' | 'professional' | 'advanced' | 'business';

/** A dated change of a platform's rule (the server counts the new field from fromDay on). */
export interface SimRuleChange {
  platform: Platform;
  primary_impressions_field: string;
  /** Default: the metric_type in force on fromDay. */
  metric_type?: string;
  /** 'YYYY-MM-DD', a server day. */
  fromDay: string;
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
  /** Today's date ('YYYY-MM-DD') by the simulator's clock, in the server's zone. */
  today(): string;
  /** The IANA zone of the server's day. */
  serverTimezone(): string;
}

/**
 * Whole-answer kinds: http400 (a 400 in the endpoint's documented error shape), http500,
 * http502, http503, timeout (never answers), reset (drops the connection), malformed (a 200
 * with truncated JSON), unauthorized (401), notFound (404), rateLimited (429 with
 * X-RateLimit-Reset resetInSeconds away), noBreakdown (a 200 total-impressions answer without
 * per_platform/per_day; applies to total-impressions only).
 * Platform-level kinds (analytics only; need `platform`): platformError ({error} by default),
 * unsupportedPlatform (the "Analytics are not supported for X." string), platformUnavailable
 * ("<platform>_unavailable", a plain string by default).
 */
export type FaultKind =
  | 'http400' | 'http500' | 'http502' | 'http503' | 'timeout' | 'reset' | 'malformed' | 'unauthorized'
  | 'notFound' | 'rateLimited' | 'noBreakdown' | 'platformError' | 'unsupportedPlatform' | 'platformUnavailable';

export interface FaultRule {
  kind: FaultKind;
  /** Only requests of this route: 'analytics', 'total-impressions', 'platform-metrics', 'post-analytics', 'post-analytics-platform', 'post-analytics-cached', 'users', 'history'. */
  route?: string;
  /** Only requests about this profile. */
  profile?: string;
  /** Only requests naming this platform (analytics' platforms, total-impressions' platform, …); required by the platform-level kinds. */
  platform?: string;
  /** Only while the simulator's server day is this 'YYYY-MM-DD'. */
  day?: string;
  /** How many requests it applies to; default 1, Infinity allowed. */
  times?: number;
  /** For rateLimited: seconds until X-RateLimit-Reset; default 1. */
  resetInSeconds?: number;
  /** Replaces the default error text. */
  message?: string;
  /** For platformError (default 'error') and platformUnavailable (default 'string'): a plain string, {message} or {error}. */
  shape?: 'string' | 'message' | 'error';
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

/** One request as the simulator saw it. */
export interface SimRequest {
  /** Arrival on the simulator's clock, in ms since the epoch. */
  atMs: number;
  /** The server's day at arrival ('YYYY-MM-DD'). */
  day: string;
  method: string;
  /** Route name (as FaultRule.route), or undefined for a path the API does not have. */
  route: string | undefined;
  /** The profile the request is about, when it names one. */
  profile: string | undefined;
  /** Query parameters (the last value of a repeated one). */
  query: Record<string, string>;
  /** Status answered; null while unanswered or when none will be (timeout, reset). */
  status: number | null;
  /** Answered 429, by the window, the lockout, or a fault. */
  rateLimited: boolean;
  /** The whole-answer fault kind this request consumed, if any. */
  fault: FaultKind | undefined;
}

export interface Simulator {
  /** Base URL including '/api'. */
  url: string;
  port: number;
  world: SimWorld;
  faults: FaultQueue;
  stats: SimStats;
  /** Every request so far (the most recent requestLogLimit), in arrival order; live, read-only. */
  readonly log: readonly SimRequest[];
  /** A copy of the log. */
  requests(): SimRequest[];
  /** Forget the requests logged so far. */
  clearLog(): void;
  setNow(now: Date | (() => Date)): void;
  /** Move the server's day to another IANA zone (throws a RangeError for an unknown zone). */
  setServerTimezone(zone: string): void;
  setLatency(ms: number): void;
  /** Stop listening and drop every connection, hung ones included. */
  close(): Promise<void>;
}
