/**
 * A deterministic PRNG for tests and simulations: sfc32 (Chris Doty-Humphrey's Small Fast
 * Counting generator, 128-bit state), seeded through splitmix32. Same seed → same stream on
 * every machine. Not cryptographically secure — never use it on the Node platform.
 */
import type { Random } from './platform.js';

/** One splitmix32 step: a well-mixed 32-bit value from a 32-bit counter. */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A 32-bit seed from a number (any finite value) or a string (FNV-1a). */
function seedToU32(seed: number | string): number {
  if (typeof seed === 'number') {
    if (!Number.isFinite(seed)) throw new RangeError('seed must be finite');
    return (Math.floor(seed) ^ Math.floor(seed / 0x100000000)) >>> 0;
  }
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class SeededRandom implements Random {
  /** The seed this generator started from (print it when a test fails). */
  readonly seed: number | string;
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | string = 1) {
    this.seed = seed;
    const s = seedToU32(seed);
    this.a = splitmix32(s);
    this.b = splitmix32(s + 0x632be5ab);
    this.c = splitmix32(s + 0x1f83d9ab);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.u32(); // discard the warm-up outputs
  }

  /** A uniform unsigned 32-bit integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1). */
  float(): number {
    return this.u32() / 0x100000000;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** True with probability `p` (always false for p <= 0, always true for p >= 1). */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.float() < p;
  }

  fill(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i += 4) {
      let v = this.u32();
      for (let j = i; j < i + 4 && j < bytes.length; j++) {
        bytes[j] = v & 0xff;
        v >>>= 8;
      }
    }
  }

  /** An independent generator derived from this one's seed and `label` (stable across runs). */
  fork(label: string): SeededRandom {
    return new SeededRandom(`${String(this.seed)}/${label}`);
  }
}
