/**
 * How raw answers are stored: raw deflate (Node's zlib, no dependency), alone
 * or as the difference from an earlier answer of the same endpoint and
 * profile (its base). Day after day an answer repeats most of the one before
 * it (the same keys, 29 of 30 series points, the same uploads), so the
 * difference is what gets stored.
 *
 * Deflate alone cannot express "the same as the base": it reaches 32 KB back
 * and copies at most 258 bytes at a time, so even an identical 52 KB history
 * page costs 1.3 KB. The difference is therefore taken first, as a list of
 * copies from the base and literal bytes between them (found through a hash of
 * every 16-byte block of the base, as rsync does), and that list is then
 * deflated with the end of the base as dictionary, which also catches the
 * short repeats inside the literal bytes. Measured on the simulator's answers
 * (BENCHMARKS.md, figure 6): a 17 KB analytics answer is 3.3 KB alone and
 * 0.8 to 1.6 KB against one 1 to 10 days old; an unchanged 52 KB history page,
 * about 10 B (deflate alone: 4.4 KB, and 1.3 KB with the old page as dictionary).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';

export type RawCodec = 'deflate' | 'delta';

/** The first byte of a delta: its layout, so that a later one can change it. */
const FORMAT_V1 = 1;
/** Shortest copy looked for; the base is indexed every BLOCK bytes. */
const BLOCK = 16;
const WINDOW = 32 * 1024;
// An answer alone (a base, and every answer of a first collect) at level 3: half the CPU of
// zlib's default 6 on a 17 KB analytics answer (about 0.1 ms against 0.2) for 7% more bytes,
// and a base is one answer in ten. The difference list is small: level 6 costs little there.
const BASE_LEVEL = 3;
const DELTA_LEVEL = 6;

// Rolling hash of BLOCK bytes: h = Σ b[i]·M^(BLOCK-1-i) mod 2^32.
const M = 0x01000193;
const M_POW = (() => {
  let p = 1;
  for (let i = 0; i < BLOCK; i++) p = Math.imul(p, M);
  return p;
})();

function hashAt(bytes: Uint8Array, at: number): number {
  let h = 0;
  for (let i = 0; i < BLOCK; i++) h = (Math.imul(h, M) + bytes[at + i]!) | 0;
  return h;
}

/** A growable byte buffer for the list of copies and literals. */
class Ops {
  buf = Buffer.allocUnsafe(4096);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }

  varint(value: number): void {
    this.room(10);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
}

/**
 * The difference of `target` from `base`: records of (literal length, literal
 * bytes, copy length, copy start relative to where the last copy ended, zigzag),
 * the last one with copy length 0.
 */
function diff(target: Uint8Array, base: Uint8Array): Buffer {
  const bits = Math.max(8, Math.ceil(Math.log2(base.length / BLOCK + 1)) + 1);
  const shift = 32 - bits;
  const table = new Int32Array(1 << bits).fill(-1);
  for (let at = 0; at + BLOCK <= base.length; at += BLOCK) table[hashAt(base, at) >>> shift] = at;

  const ops = new Ops();
  let literalFrom = 0;
  let lastEnd = 0;
  let t = 0;
  let h = target.length >= BLOCK ? hashAt(target, 0) : 0;
  while (t + BLOCK <= target.length) {
    const candidate = table[h >>> shift]!;
    let same = candidate >= 0;
    for (let i = 0; same && i < BLOCK; i++) same = target[t + i] === base[candidate + i];
    if (!same) {
      if (t + BLOCK < target.length) h = (Math.imul(h, M) - Math.imul(target[t]!, M_POW) + target[t + BLOCK]!) | 0;
      t++;
      continue;
    }
    // Grow the copy backwards over pending literal bytes, then forwards.
    let from = t;
    let baseFrom = candidate;
    while (from > literalFrom && baseFrom > 0 && target[from - 1] === base[baseFrom - 1]) {
      from--;
      baseFrom--;
    }
    let end = t + BLOCK;
    let baseEnd = candidate + BLOCK;
    while (end < target.length && baseEnd < base.length && target[end] === base[baseEnd]) {
      end++;
      baseEnd++;
    }
    ops.varint(from - literalFrom);
    ops.bytes(target.subarray(literalFrom, from));
    ops.varint(end - from);
    const move = baseFrom - lastEnd;
    ops.varint(move >= 0 ? move * 2 : -move * 2 - 1);
    lastEnd = baseEnd;
    t = literalFrom = end;
    if (t + BLOCK <= target.length) h = hashAt(target, t);
  }
  ops.varint(target.length - literalFrom);
  ops.bytes(target.subarray(literalFrom));
  ops.varint(0);
  return ops.buf.subarray(0, ops.length);
}

/**
 * Walk a difference: `piece` gets each part of its target in order (literal
 * bytes, then copies from the base). Throws on a difference that does not fit its base.
 */
function walk(ops: Buffer, base: Buffer, piece: (part: Buffer) => void): void {
  let at = 0;
  let lastEnd = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = ops[at++];
      if (byte === undefined) throw new Error('raw delta: truncated');
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
  };
  for (;;) {
    const literal = varint();
    if (at + literal > ops.length) throw new Error('raw delta: truncated literal');
    piece(ops.subarray(at, at + literal));
    at += literal;
    const length = varint();
    if (length === 0) break;
    const zigzag = varint();
    const from = lastEnd + (zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2);
    if (from < 0 || from + length > base.length) throw new Error('raw delta: copy outside its base');
    piece(base.subarray(from, from + length));
    lastEnd = from + length;
  }
  if (at !== ops.length) throw new Error('raw delta: trailing bytes');
}

/** `target` rebuilt from its difference and the base. */
function patch(ops: Buffer, base: Buffer): Buffer {
  const parts: Buffer[] = [];
  walk(ops, base, (part) => parts.push(part));
  return Buffer.concat(parts);
}

const dictionaryOf = (base: Buffer): Buffer => base.subarray(Math.max(0, base.length - WINDOW));

/** The answer's bytes alone. */
export function deflate(bytes: Buffer): Buffer {
  return deflateRawSync(bytes, { level: BASE_LEVEL });
}

/** The answer's bytes as their difference from `base` (a format byte, then the deflated difference). */
export function deflateAgainst(bytes: Buffer, base: Buffer): Buffer {
  const ops = deflateRawSync(diff(bytes, base), { level: DELTA_LEVEL, dictionary: dictionaryOf(base) });
  return Buffer.concat([Buffer.of(FORMAT_V1), ops]);
}

/**
 * Whether a delta decodes to `target`: `inflate('delta', data, base).equals(target)`
 * without building the decoded copy (for /users at 10,000 profiles, 15 MB).
 */
export function deltaDecodesTo(data: Buffer, base: Buffer, target: Buffer): boolean {
  let at = 0;
  let same = true;
  walk(opsOf(data, base), base, (part) => {
    // Walked to the end even when it already differs: a broken difference throws as inflate would.
    same &&= at + part.length <= target.length && target.compare(part, 0, part.length, at, at + part.length) === 0;
    at += part.length;
  });
  return same && at === target.length;
}

function opsOf(data: Buffer, base: Buffer): Buffer {
  if (data[0] !== FORMAT_V1) throw new Error(`unknown raw delta format ${data[0]}`);
  return inflateRawSync(data.subarray(1), { dictionary: dictionaryOf(base) });
}

/** The bytes of a stored body; `base` is the decoded body of its base row, for a delta. */
export function inflate(codec: RawCodec, data: Buffer, base?: Buffer): Buffer {
  if (codec === 'deflate') return inflateRawSync(data);
  if (base === undefined) throw new Error('a delta-coded raw answer needs its base answer');
  return patch(opsOf(data, base), base);
}
