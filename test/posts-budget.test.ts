/**
 * How many post-analytics requests a run may still send (src/posts/posts.budget.ts),
 * against the real RatePacer fed the headers an answer would carry. The
 * clock is passed in, so each case names its instant.
 */
import { describe, expect, it } from 'vitest';
import { RatePacer } from '../src/api/pacer.js';
import { POST_ANALYTICS_WINDOW_MAX, PostBudget } from '../src/posts/posts.budget.js';

const RESET = 1_000_000;

describe('the post-analytics budget', () => {
  it('before any answer, allows one documented window (100) per run, retries included', () => {
    const budget = new PostBudget(new RatePacer());
    expect(POST_ANALYTICS_WINDOW_MAX).toBe(100);
    budget.spend(99);
    expect([budget.canSend(0), budget.used]).toEqual([true, 99]);
    budget.spend(1);
    expect([budget.canSend(0), budget.used]).toEqual([false, 100]);
  });

  it('takes a smaller limit the server announces, never a larger one', () => {
    const pacer = new RatePacer();
    pacer.observe({ limit: 2, remaining: 2, resetAtMs: RESET });
    const budget = new PostBudget(pacer, 3);
    budget.spend(1);
    expect(budget.canSend(RESET + 1)).toBe(true);
    budget.spend(1);
    expect(budget.canSend(RESET + 1)).toBe(false);
    const larger = new RatePacer();
    larger.observe({ limit: 500, remaining: 500, resetAtMs: RESET });
    const capped = new PostBudget(larger, 3);
    capped.spend(3);
    expect(capped.canSend(RESET + 1)).toBe(false);
  });

  it('while the window is open, sends only what the server said is left, less what is in flight', () => {
    // acquire() reads the real clock: its window must still be open for it.
    const reset = Date.now() + 3_600_000;
    const pacer = new RatePacer();
    pacer.observe({ limit: 10, remaining: 1, resetAtMs: reset });
    const budget = new PostBudget(pacer);
    expect(budget.canSend(reset - 1)).toBe(true);
    void pacer.acquire();
    expect(budget.canSend(reset - 1)).toBe(false);
    pacer.release();
    pacer.observe({ limit: 10, remaining: 0, resetAtMs: reset });
    expect(budget.canSend(reset - 1)).toBe(false);
    // From the reset on, the window the server spoke of is over.
    expect(budget.canSend(reset)).toBe(true);
    expect(budget.canSend(reset + 1)).toBe(true);
  });

  it('takes an answer that gives counts but no reset time for a window still open', () => {
    const pacer = new RatePacer();
    pacer.observe({ limit: 10, remaining: 2 });
    const budget = new PostBudget(pacer);
    expect(budget.canSend(RESET)).toBe(true);
    pacer.observe({ limit: 10, remaining: 0 });
    expect(budget.canSend(RESET)).toBe(false);
  });
});
