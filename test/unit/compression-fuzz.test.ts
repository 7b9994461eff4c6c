/**
 * Fuzzing every decompressor of src/modules/enet/compression with a seeded PRNG (seed
 * printed; GDWIRE_FUZZ_SEED and GDWIRE_FUZZ_ITERATIONS override — `npm run fuzz` runs more).
 *
 * Inputs: random bytes, and valid streams of each mode mutated (bit flips, byte sets,
 * truncation, insertion, deletion, duplication). Checked for each decoder:
 * - it never throws and returns a length within [0, limit] or the mode's failure value;
 * - it never writes past the output window (sentinel bytes after it stay untouched);
 * - after every failure a valid stream still decodes correctly;
 * - FastLZ only: the result equals a naive reference decoder written from the format
 *   description (differential test), success or failure alike.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Compression, Mode } from '../../src/modules/enet/compression/compression.js';
import { CompressionMode, GodotENetCompressor } from '../../src/modules/enet/compression/enet-compressor.js';
import { fastlzDecompress } from '../../src/modules/enet/compression/fastlz.js';
import { countFromEnv, Rng, seedFromEnv } from '../helpers/rng.js';

const SEED = seedFromEnv('GDWIRE_FUZZ_SEED', 0xc0ffee);
const ITERATIONS = countFromEnv('GDWIRE_FUZZ_ITERATIONS', 3000);
const SENTINEL = 0xa5;
console.log(`compression fuzz: GDWIRE_FUZZ_SEED=${SEED} GDWIRE_FUZZ_ITERATIONS=${ITERATIONS}`);

const c = Compression.defaults;
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function mutate(rng: Rng, input: Uint8Array): Uint8Array {
  let b = Uint8Array.from(input);
  for (let k = rng.int(1, 3); k > 0; k--) {
    const at = b.length === 0 ? 0 : rng.int(0, b.length - 1);
    switch (rng.int(0, 5)) {
      case 0: if (b.length > 0) b[at] = b[at]! ^ (1 << rng.int(0, 7)); break;
      case 1: if (b.length > 0) b[at] = rng.pick([0, 0xff, 0x1f, 0x20, 0xe0, 0x3f, rng.u32() & 0xff]); break;
      case 2: b = b.slice(0, rng.int(0, b.length)); break;
      case 3: b = Uint8Array.from([...b.subarray(0, at), ...rng.bytes(rng.int(1, 8)), ...b.subarray(at)]); break;
      case 4: b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(Math.min(b.length, at + rng.int(1, 8)))]); break;
      default: {
        const end = Math.min(b.length, at + rng.int(2, 16));
        b = Uint8Array.from([...b.subarray(0, end), ...b.subarray(at, end), ...b.subarray(end)]);
      }
    }
  }
  return b;
}

/** Structured payloads: compressible with a sprinkling of randomness. */
function payload(rng: Rng): Uint8Array {
  const n = rng.pick([1, 5, 15, 16, 17, 64, 300, 1400, 3000]);
  const alphabet = rng.int(2, 40);
  return Uint8Array.from({ length: n }, () => (rng.bool(0.9) ? 65 + rng.int(0, alphabet) : rng.u32() & 255));
}

/** A naive FastLZ decoder, restating the format (see fastlz.ts) one instruction at a time. */
function referenceFastlz(src: Uint8Array, limit: number): number[] | null {
  if (src.length === 0) return null;
  const level = (src[0]! >> 5) + 1;
  if (level > 2) return null;
  const out: number[] = [];
  let i = 0;
  const left = (): number => src.length - i;
  for (let first = true; ; first = false) {
    // Level 1 starts another instruction only with 2+ bytes left, level 2 with 1+.
    if (!first && left() < (level === 1 ? 2 : 1)) break;
    const c = first ? src[i++]! & 31 : src[i++]!;
    if (c < 32) {
      if (left() < c + 1 || out.length + c + 1 > limit) return null;
      for (let k = 0; k <= c; k++) out.push(src[i++]!);
      continue;
    }
    let len = c >> 5;
    let dist = (c & 31) << 8;
    if (len === 7) {
      let more: number;
      do {
        if (left() < 2) return null;
        more = src[i++]!;
        len += more;
      } while (level === 2 && more === 255);
    }
    if (left() < 1) return null;
    const low = src[i++]!;
    if (level === 2 && low === 255 && (c & 31) === 31) {
      if (left() < 3) return null;
      dist = ((src[i]! << 8) | src[i + 1]!) + 8191;
      i += 2;
    } else {
      dist += low;
    }
    len += 2;
    dist += 1;
    if (out.length + len > limit || dist > out.length) return null;
    for (let k = 0; k < len; k++) out.push(out[out.length - dist]!);
  }
  return out;
}

interface Decoder {
  name: string;
  /** Failure value. */
  fail: number;
  encode(src: Uint8Array): Uint8Array;
  decode(src: Uint8Array, dst: Uint8Array): number;
}

function decoders(): Decoder[] {
  const modes: Decoder[] = [Mode.MODE_FASTLZ, Mode.MODE_DEFLATE, Mode.MODE_ZSTD, Mode.MODE_GZIP].map((mode) => ({
    name: `Compression ${Mode[mode]}`,
    fail: mode === Mode.MODE_FASTLZ ? 0 : -1,
    encode: (src) => c.compressBytes(src, mode),
    decode: (src, dst) => c.decompress(dst, src, mode),
  }));
  const enetModes: Array<[CompressionMode, Mode]> = [
    [CompressionMode.COMPRESS_FASTLZ, Mode.MODE_FASTLZ],
    [CompressionMode.COMPRESS_ZLIB, Mode.MODE_DEFLATE],
    [CompressionMode.COMPRESS_ZSTD, Mode.MODE_ZSTD],
  ];
  const enet = enetModes.map(([mode, inner]) => {
    const comp = new GodotENetCompressor(mode);
    return {
      name: `ENet ${CompressionMode[mode]}`,
      fail: 0,
      encode: (src: Uint8Array): Uint8Array => {
        const out = new Uint8Array(src.length);
        const n = comp.compress(src, out);
        // not smaller: ENet would send it raw, but the stream is still worth mutating
        return n > 0 ? out.subarray(0, n) : c.compressBytes(src, inner);
      },
      decode: (src: Uint8Array, dst: Uint8Array): number => comp.decompress(src, dst),
    };
  });
  return [...modes, ...enet];
}

for (const d of decoders()) {
  test(`fuzz ${d.name}: never throws, stays in its buffer, recovers after errors`, () => {
    const rng = new Rng(SEED ^ d.name.length * 0x9e3779b1);
    const probe = payload(new Rng(1));
    const probePacked = d.encode(probe);
    let failures = 0;
    for (let it = 0; it < ITERATIONS; it++) {
      const original = payload(rng);
      const input = rng.bool(0.15) ? rng.bytes(rng.int(0, 80)) : mutate(rng, d.encode(original));
      const limit = rng.bool(0.5) ? original.length : rng.int(0, 4200);
      const backing = new Uint8Array(limit + 32).fill(SENTINEL);
      const dst = backing.subarray(0, limit);
      let n: number;
      try {
        n = d.decode(input, dst);
      } catch (e) {
        assert.fail(`${d.name} threw on #${it} (seed ${SEED}) input ${toHex(input)}: ${String(e)}`);
      }
      assert.ok(n === d.fail || (n >= 0 && n <= limit), `${d.name} #${it}: returned ${n} for limit ${limit}`);
      assert.ok(backing.subarray(limit).every((x) => x === SENTINEL), `${d.name} #${it}: wrote past the output window`);
      if (n === d.fail) {
        failures++;
        const out = new Uint8Array(probe.length + 16);
        const m = d.decode(probePacked, out);
        assert.equal(toHex(out.subarray(0, probe.length)), toHex(probe), `${d.name} still decodes after an error (#${it})`);
        assert.ok(m >= probe.length);
      }
    }
    assert.ok(failures > ITERATIONS / 20, `the fuzzer provoked failures (${failures})`);
  });
}

test('fuzz FastLZ against the naive reference decoder', () => {
  const rng = new Rng(SEED + 1);
  let agreedOk = 0;
  for (let it = 0; it < ITERATIONS * 2; it++) {
    const src = payload(rng);
    const packed = c.compressBytes(src.length < 16 ? Uint8Array.from([...src, ...new Uint8Array(16 - src.length)]) : src, Mode.MODE_FASTLZ);
    const input = rng.bool(0.2) ? Uint8Array.from([rng.pick([0x00, 0x20]), ...rng.bytes(rng.int(0, 40))]) : mutate(rng, packed);
    const limit = rng.int(0, 3100);
    const dst = new Uint8Array(limit);
    const n = fastlzDecompress(input, dst);
    const ref = referenceFastlz(input, limit);
    assert.equal(n, ref ? ref.length : 0, `#${it} (seed ${SEED}) input ${toHex(input)} limit ${limit}`);
    if (ref) {
      assert.equal(toHex(dst.subarray(0, n)), toHex(Uint8Array.from(ref)), `#${it} bytes`);
      agreedOk++;
    }
  }
  assert.ok(agreedOk > ITERATIONS / 10, `enough successful decodes compared (${agreedOk})`);
});
