/**
 * Keep a long run's memory flat (issue 5: ≤ 150 MB at 10,000 profiles).
 *
 * Nothing is held per profile (a heap snapshot after 3,000 profiles holds 13 MB),
 * but got leaves ~36 KB per request that outlives a scavenge (72 MB promoted
 * over 2,000 requests, --trace-gc-nvp). V8's defaults answer that by growing the
 * young generation to 16 MB semi-spaces and letting the old one reach four
 * times its live size before collecting: peak RSS was 145 MB at 1,000 profiles
 * and 222 MB at 10,000. With these two heuristics it is 110 MB and 124 MB, for
 * the same CPU time within the noise (npm run bench, figure 4).
 *
 * Both are read at every collection, so setting them after start-up takes
 * effect; they change when V8 collects, never what a program may allocate.
 */
import { setFlagsFromString } from 'node:v8';

/** Collect garbage early rather than grow the heap: for runs that take one request after another. */
export function preferSmallHeap(): void {
  // The young generation stays at its initial size (scavenges stay cheap: little survives).
  setFlagsFromString('--semi-space-growth-factor=1');
  // The old generation may grow 1.3× its live size between full collections, not up to 4×.
  setFlagsFromString('--heap-growing-percent=30');
}
