// What the simulator saw: counters (SimStats) and a log of every request on the simulator's
// own clock, so that tests assert "the retry came after the reset" without a wall clock.
import type { SimRequest, SimStats } from './types.js';

/** Request counters, as the public SimStats. */
export class Stats implements SimStats {
  requests = 0;
  byRoute: Record<string, number> = {};
  byStatus: Record<number, number> = {};
  rateLimited = 0;

  reset(): void {
    this.requests = 0;
    this.byRoute = {};
    this.byStatus = {};
    this.rateLimited = 0;
  }
}

/** The most recent `limit` requests, oldest first. */
export class RequestLog {
  readonly entries: SimRequest[] = [];

  constructor(private readonly limit: number) {}

  /** Log a request on arrival; the caller fills in status when it answers. */
  add(entry: SimRequest): SimRequest {
    this.entries.push(entry);
    // Bounded so that a standalone simulator can run for weeks; a full log moves its pointers
    // on each request (tens of microseconds at 100 000 entries), cheap beside an HTTP answer.
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    return entry;
  }

  clear(): void {
    this.entries.length = 0;
  }
}
