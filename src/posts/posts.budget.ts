/**
 * How many live post-analytics requests a run may still send. The endpoint
 * allows 100 per 5 minutes (FACTS.md); waiting for the window to reset would
 * stall a run for minutes, so the run stops instead and the next one goes on.
 */
import type { RatePacer } from '../api/pacer.js';

/** The documented window; an answer's X-RateLimit-Limit may only lower it. */
export const POST_ANALYTICS_WINDOW_MAX = 100;

export class PostBudget {
  private sent = 0;

  constructor(
    private readonly pacer: RatePacer,
    private readonly max = POST_ANALYTICS_WINDOW_MAX,
  ) {}

  /**
   * True while one more request fits. Two bounds: never more than one
   * window's worth in a run, whatever the clocks say (a server whose clock
   * disagrees with ours makes its reset times useless to us); and never more
   * than the server said is left, while its window is still open.
   */
  canSend(nowMs = Date.now()): boolean {
    const { limit, remaining, resetAtMs, inFlight } = this.pacer.peek();
    // Fewer if the server says so, never more: FACTS.md documents 100 for every plan.
    const max = Math.min(limit, this.max);
    if (this.sent >= max) return false;
    const windowOpen = resetAtMs === 0 || nowMs < resetAtMs;
    return !windowOpen || remaining - inFlight > 0;
  }

  /** Count requests that reached the server (retries included: each counts against the window). */
  spend(requests: number): void {
    this.sent += requests;
  }

  get used(): number {
    return this.sent;
  }
}
