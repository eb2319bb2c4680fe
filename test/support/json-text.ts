/**
 * `toEqualJsonText`: two values are the same JSON text, key order included.
 * The SPEC promises "exactly the API's JSON", and toEqual / toStrictEqual
 * ignore key order; this compares what a client reading the bytes sees. The
 * texts are indented so that a failure shows a readable line diff.
 */
import { expect } from 'vitest';

/** A value as indented JSON text. */
export const jsonText = (value: unknown): string => JSON.stringify(value, null, 2);

declare module 'vitest' {
  interface Matchers<T = any> {
    /** Same JSON text as `expected`, key order included. */
    toEqualJsonText(expected: unknown): T;
  }
}

expect.extend({
  toEqualJsonText(received: unknown, expected: unknown) {
    const actual = jsonText(received);
    const wanted = jsonText(expected);
    return {
      pass: actual === wanted,
      message: () => `expected the JSON text${this.isNot ? ' not' : ''} to be the same, key order included`,
      actual,
      expected: wanted,
    };
  },
});
