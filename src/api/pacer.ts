/**
 * Paces requests from the `X-RateLimit-*` headers so a run stays under the
 * limit instead of provoking 429s. got does the retrying; this only decides
 * when a request may start.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface RateHeaders {
  limit?: number;
  remaining?: number;
  resetAtMs?: number;
}

/** Read the three headers; absent or garbled ones are undefined. */
export function readRateHeaders(headers: Record<string, string | string[] | undefined>): RateHeaders {
  const num = (name: string): number | undefined => {
    const raw = headers[name];
    const n = Number(Array.isArray(raw) ? raw[0] : raw);
    return raw === undefined || !Number.isFinite(n) ? undefined : n;
  };
  const reset = num('x-ratelimit-reset');
  return { limit: num('x-ratelimit-limit'), remaining: num('x-ratelimit-remaining'), resetAtMs: reset === undefined ? undefined : reset * 1000 };
}

// Server and client clocks are never exactly one; start just after the reset.
const RESET_MARGIN_MS = 50;

export class RatePacer {
  private limit = Number.POSITIVE_INFINITY;
  private remaining = Number.POSITIVE_INFINITY;
  private resetAtMs = 0;
  /** Requests sent in this window whose answer has not come back yet. */
  private inFlight = 0;
  /** Total ms spent waiting, for the run record and the benchmark. */
  waitedMs = 0;

  /** Wait until a request may go out, then count it as in flight. */
  async acquire(): Promise<void> {
    for (;;) {
      const now = Date.now();
      if (this.resetAtMs !== 0 && now >= this.resetAtMs) {
        // A new window: the server will tell us its count with the next answer.
        this.remaining = this.limit;
        this.resetAtMs = 0;
      }
      if (this.remaining - this.inFlight > 0) {
        this.inFlight++;
        return;
      }
      const wait = Math.max(this.resetAtMs - now + RESET_MARGIN_MS, 10);
      this.waitedMs += wait;
      await sleep(wait);
    }
  }

  /**
   * What the answers so far said of the window, without waiting: callers that
   * must not block (post tracking, whose window is 5 minutes) stop on it instead.
   * `limit` and `remaining` are Infinity until an answer carried the headers.
   */
  peek(): { limit: number; remaining: number; resetAtMs: number; inFlight: number } {
    return { limit: this.limit, remaining: this.remaining, resetAtMs: this.resetAtMs, inFlight: this.inFlight };
  }

  /** The request (with its retries) is over. */
  release(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  /** Learn from one answer's headers (every attempt's, 429s included). */
  observe(headers: RateHeaders): void {
    if (headers.remaining === undefined) return;
    if (headers.limit !== undefined) this.limit = headers.limit;
    // Answers arrive out of order: within one window the smallest count is the truest.
    if (headers.resetAtMs !== undefined && headers.resetAtMs !== this.resetAtMs) {
      if (headers.resetAtMs < this.resetAtMs) return; // a late answer from a window already over
      this.resetAtMs = headers.resetAtMs;
      this.remaining = headers.remaining;
    } else {
      this.remaining = Math.min(this.remaining, headers.remaining);
    }
  }
}
