/**
 * The list of copies and literals a raw delta holds, read back from the delta
 * and compared with the list worked out by hand. raw-store.test.ts shows that
 * any delta decodes to its target; these show that the difference is the
 * smallest one: a block of the base is found wherever it sits in the target
 * (after an insertion, moved back or forth, cut at the front), copies grow over
 * the bytes around that block, and lengths of more than one varint byte are
 * written and read as such. And a damaged list is refused with what is wrong
 * with it.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { deflateAgainst, inflate } from '../src/store/raw.codec.js';

/** `n` bytes of a fixed pseudo-random sequence (a 32-bit LCG): no 16-byte stretch of it repeats. */
function bytesOf(n: number, seed = 1): Buffer {
  let x = seed;
  return Buffer.from(
    Array.from({ length: n }, () => {
      x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
      return x >>> 24;
    }),
  );
}

/**
 * The delta of `target` against `base` as its list of numbers and bytes: the
 * format byte (1) is dropped and the rest inflated with the base as dictionary.
 * Each record is (literal length, the literal's bytes, copy length, copy start
 * as zigzag of its distance from where the last copy ended: 2d, or -2d - 1 back);
 * the last record has copy length 0. In hex, so that a difference shows where it is.
 */
function opsOf(target: Buffer, base: Buffer): string {
  const delta = deflateAgainst(target, base);
  expect(delta[0]).toBe(1);
  expect(inflate('delta', delta, base)).toEqual(target);
  return inflateRawSync(delta.subarray(1), { dictionary: base.subarray(Math.max(0, base.length - 32 * 1024)) }).toString('hex');
}

/** The hex of a list of bytes, numbers or buffers. */
const hex = (...parts: Array<number | Buffer>): string => Buffer.concat(parts.map((p) => (typeof p === 'number' ? Buffer.of(p) : p))).toString('hex');

describe('the difference of an answer from its base', () => {
  it('is one copy of the whole base when nothing changed', () => {
    const base = bytesOf(40);
    // No literal, 40 bytes from 0 (zigzag 0), then the end: no literal, copy length 0.
    expect(opsOf(base, base)).toBe(hex(0, 40, 0, 0, 0));
    // A base of a single block (16 to 31 bytes) is found at its start, the only place indexed.
    const short = bytesOf(20, 7);
    expect(opsOf(short, short)).toBe(hex(0, 20, 0, 0, 0));
  });

  it('writes copies of 128 and 300 bytes as two-byte varints', () => {
    // 128 = 1·128 + 0: the low seven bits (0) with the continuation bit (128), then 1.
    const exact = bytesOf(128, 3);
    expect(opsOf(exact, exact)).toBe(hex(0, 128, 1, 0, 0, 0));
    const base = bytesOf(300, 3);
    // 300 = 2·128 + 44: low seven bits first with the continuation bit (44 + 128 = 172), then 2.
    expect(opsOf(base, base)).toBe(hex(0, 172, 2, 0, 0, 0));
  });

  it('keeps inserted bytes as a literal before the copy, finding the block after them', () => {
    const base = bytesOf(40);
    const target = Buffer.concat([Buffer.from('XY'), base]);
    // Literal "XY" (88, 89); the rolling hash finds block 0 of the base at offset 2.
    expect(opsOf(target, base)).toBe(hex(2, 88, 89, 40, 0, 0, 0));
    // The same before a block in the middle of the base: "XY" stays a literal, not grown over.
    const middle = bytesOf(48, 5);
    expect(opsOf(Buffer.concat([Buffer.from('XY'), middle.subarray(16)]), middle)).toBe(hex(2, 88, 89, 32, 32, 0, 0));
    // Bytes added at the end are the last record's literal.
    expect(opsOf(Buffer.concat([base, Buffer.from('Z')]), base)).toBe(hex(0, 40, 0, 1, 90, 0));
  });

  it('copies blocks moved back and forth, with the distance from the last copy in zigzag', () => {
    const base = bytesOf(48, 5);
    const [a, b, c] = [base.subarray(0, 16), base.subarray(16, 32), base.subarray(32, 48)];
    // C A B: C from 32 (zigzag 64), ending at 48; then A B from 0, 48 back (zigzag 2·48 - 1 = 95).
    expect(opsOf(Buffer.concat([c, a, b]), base)).toBe(hex(0, 16, 64, 0, 32, 95, 0, 0));
  });

  it('finds a target of exactly one block, the shortest copy looked for', () => {
    const base = bytesOf(48, 5);
    // 16 bytes from 16 (zigzag 32).
    expect(opsOf(base.subarray(16, 32), base)).toBe(hex(0, 16, 32, 0, 0));
  });

  it('grows a copy backwards from the block it found over the bytes before it', () => {
    const base = bytesOf(48, 9);
    // The first 5 bytes cut: block 16 of the base is found at offset 11 of the target,
    // and the copy grows back to the target's start, 43 bytes from 5 (zigzag 10).
    expect(opsOf(base.subarray(5), base)).toBe(hex(0, 43, 10, 0, 0));
  });

  it('does not grow a copy back over bytes the copy before it already took', () => {
    const base = bytesOf(48, 5);
    // A and B end in the same byte, so C's copy could grow one byte back into A's if let.
    base[15] = base[31]!;
    const [a, c] = [base.subarray(0, 16), base.subarray(32, 48)];
    // A from 0 (zigzag 0), ending at 16; C from 32, 16 on from there (zigzag 32).
    expect(opsOf(Buffer.concat([a, c]), base)).toBe(hex(0, 16, 0, 0, 16, 32, 0, 0));
  });

  it('keeps a target shorter than a block, or sharing nothing with the base, as one literal', () => {
    const base = bytesOf(48, 11);
    expect(opsOf(Buffer.from('tiny'), base)).toBe(hex(4, Buffer.from('tiny'), 0));
    // 10,000 bytes: more than twice the list's first buffer, as a varint 10000 = 78·128 + 16 → 144, 78.
    const other = bytesOf(10_000, 13);
    expect(opsOf(other, base)).toBe(hex(144, 78, other, 0));
  });

  it('deflates its literal bytes with the end of the base as dictionary, so short repeats of the base cost little', () => {
    const base = bytesOf(512, 21);
    // 40 pieces of 8 base bytes (shorter than a block, so no copy), each after a one-byte
    // separator: all 360 bytes are literal. Random bytes do not compress alone, but with the base
    // as dictionary each piece is a back-reference of 2 or 3 bytes: about 4 bytes a piece, not 9.
    const pieces = Array.from({ length: 40 }, (_, i) => Buffer.concat([Buffer.of(i), base.subarray(i * 12, i * 12 + 8)]));
    const target = Buffer.concat(pieces);
    const delta = deflateAgainst(target, base);
    expect(inflate('delta', delta, base)).toEqual(target);
    expect(delta.length).toBeLessThan(360 / 2);
  });
});

/**
 * A delta in format 1 written by hand: the format byte, then the list of
 * (literal length, literal bytes, copy length, copy start as zigzag) deflated
 * with the base as dictionary (a base this short is its own whole window).
 */
function handDelta(ops: number[], base: Buffer): Buffer {
  return Buffer.concat([Buffer.of(1), deflateRawSync(Buffer.from(ops), { dictionary: base })]);
}

describe('a damaged delta', () => {
  const base = Buffer.from('abcdef');

  it('is read back when it is whole: a literal, a copy from the base, and the end mark', () => {
    // Literal "X" (length 1), then 3 bytes of the base from 2 (zigzag 2·2 = 4), then no literal and copy length 0.
    expect(inflate('delta', handDelta([1, 0x58, 3, 4, 0, 0], base), base).toString()).toBe('Xcde');
  });

  it('is refused when its list ends inside a number', () => {
    expect(() => inflate('delta', handDelta([], base), base)).toThrow(/^raw delta: truncated$/);
    // A varint byte with its continuation bit set and nothing after it.
    expect(() => inflate('delta', handDelta([0x80], base), base)).toThrow(/^raw delta: truncated$/);
    // A whole one-byte literal, then nothing where the copy length should be.
    expect(() => inflate('delta', handDelta([1, 0x61], base), base)).toThrow(/^raw delta: truncated$/);
  });

  it('is refused when a literal is longer than what is left of the list', () => {
    // Five literal bytes announced, one present.
    expect(() => inflate('delta', handDelta([5, 0x61], base), base)).toThrow(/^raw delta: truncated literal$/);
  });

  it('is refused when a copy reaches outside its base, past either end', () => {
    // 4 bytes from 4 of a 6-byte base (zigzag 8): 4 + 4 > 6.
    expect(() => inflate('delta', handDelta([0, 4, 8, 0, 0], base), base)).toThrow(/^raw delta: copy outside its base$/);
    // 1 byte from -1 (zigzag 1 = one back from where the last copy ended, 0).
    expect(() => inflate('delta', handDelta([0, 1, 1, 0, 0], base), base)).toThrow(/^raw delta: copy outside its base$/);
  });

  it('is refused when bytes follow its end mark', () => {
    expect(() => inflate('delta', handDelta([0, 0, 7], base), base)).toThrow(/^raw delta: trailing bytes$/);
  });
});
