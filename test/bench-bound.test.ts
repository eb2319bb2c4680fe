// The lower bound figure 1 of `npm run bench` divides by: a pure function, so it gets
// the care of product code (it once let later requests slip back into a full window).
import { describe, expect, it } from 'vitest';
import { lowerBoundMs } from '../bench/collect.bench.js';

const base = { latencyMs: 100, concurrency: 4, windowMs: 2_000 };

describe('lowerBoundMs', () => {
  it('is rounds of `concurrency` requests of one latency each when nothing limits', () => {
    expect(lowerBoundMs({ ...base, requests: 101, limit: Number.POSITIVE_INFINITY, startMs: 0 })).toBe(2_600);
  });

  it('waits for the next clock-aligned window once one is used up, for every slot', () => {
    // Start 499 ms into a window: 40 requests fill it by 1,399; the next 40 start at 2,000, the last 21 at 4,000.
    expect(lowerBoundMs({ ...base, requests: 101, limit: 40, startMs: 1_000_000_499 })).toBe(4_101);
  });

  it('is never below what either limit alone allows', () => {
    for (const startMs of [0, 1_500, 1_999, 123_456]) {
      const b = lowerBoundMs({ ...base, requests: 90, limit: 25, startMs });
      expect(b).toBeGreaterThanOrEqual(Math.ceil(90 / 4) * 100);
      expect(b).toBeGreaterThanOrEqual(3 * 2_000 - (startMs % 2_000) + 100);
    }
  });
});
