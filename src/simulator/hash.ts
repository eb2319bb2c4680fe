// Small integer hashes: every generated value is a pure function of its inputs, so the
// world costs nothing to "store" and two simulators with the same seed agree exactly.

/** FNV-1a over a string, seeded, as an unsigned 32-bit integer. */
export function hashString(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix(h);
}

/** Murmur3's finaliser: spreads the bits of a 32-bit integer. */
export function mix(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of a key hash combined with an integer (a day number, an index). */
export function hashWith(key: number, n: number): number {
  return mix((key ^ Math.imul(n + 0x9e3779b9, 0x27d4eb2d)) >>> 0);
}

/** A hash mapped to [0, 1). */
export function unit(h: number): number {
  return h / 4_294_967_296;
}
