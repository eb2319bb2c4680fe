// Rate limiting on the simulator's clock: fixed windows aligned to the clock (so a test
// that moves the clock moves the windows), and the brute-force lockout of FACTS.md.

/** X-RateLimit-Limit sent when no limit is configured, so that pacing clients never wait. */
export const UNLIMITED = 1_000_000;

/** Requests per minute of each plan before the per-profile allowance (docs/rate-limits.md). */
export const PLAN_PER_MINUTE = { free: 60, professional: 100, advanced: 200, business: 500 } as const;
const PER_PROFILE_PER_MINUTE = 2;
const HARD_CEILING_PER_MINUTE = 1000;

/** The live API's per-minute limit for an account: the plan's, plus 2 per profile, at most 1000. */
export function planLimitPerMinute(plan: keyof typeof PLAN_PER_MINUTE, profiles: number): number {
  return Math.min(HARD_CEILING_PER_MINUTE, PLAN_PER_MINUTE[plan] + PER_PROFILE_PER_MINUTE * profiles);
}
const LOCKOUT_FAILURES = 10;
const LOCKOUT_MS = 5 * 60_000;

/** What one request saw of a window: enough to write the X-RateLimit-* headers. */
export interface WindowState { allowed: boolean; limit: number; remaining: number; resetMs: number }

/** A fixed window of `windowMs` aligned to multiples of it on the clock. */
export class FixedWindow {
  private windowId = Number.NaN;
  private used = 0;

  constructor(private readonly max: number, private readonly windowMs: number) {}

  /** Count one request at `nowMs` if the window has room. */
  hit(nowMs: number): WindowState {
    const id = Math.floor(nowMs / this.windowMs);
    if (id !== this.windowId) {
      this.windowId = id;
      this.used = 0;
    }
    const limit = Number.isFinite(this.max) ? this.max : UNLIMITED;
    const allowed = this.used < limit;
    if (allowed) this.used += 1;
    return { allowed, limit, remaining: Math.max(0, limit - this.used), resetMs: (id + 1) * this.windowMs };
  }
}

/** Ten consecutive failures with the same bad key block the caller's address for five minutes. */
export class AuthGuard {
  private readonly failures = new Map<string, { key: string; count: number }>();
  private readonly lockedUntil = new Map<string, number>();

  /** End of the lockout of an address, if it is locked now. */
  locked(address: string, nowMs: number): number | undefined {
    const until = this.lockedUntil.get(address);
    if (until === undefined) return undefined;
    if (nowMs < until) return until;
    this.lockedUntil.delete(address);
    this.failures.delete(address);
    return undefined;
  }

  /** Record a request with a wrong key. */
  fail(address: string, key: string, nowMs: number): void {
    const last = this.failures.get(address);
    const count = last?.key === key ? last.count + 1 : 1;
    this.failures.set(address, { key, count });
    if (count >= LOCKOUT_FAILURES) this.lockedUntil.set(address, nowMs + LOCKOUT_MS);
  }

  /** A valid key ends the run of failures. */
  succeed(address: string): void {
    this.failures.delete(address);
  }
}
