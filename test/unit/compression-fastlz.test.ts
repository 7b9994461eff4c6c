/**
 * src/modules/enet/compression/fastlz.ts: golden vectors from real Godot 3.2.3, round trips
 * at both levels over many sizes and kinds of data, the level choice, the output bound, and
 * clean failure on truncated, oversized and garbage blocks.
 *
 * Golden vectors: `PoolByteArray.compress(File.COMPRESSION_FASTLZ)` in godot3-server
 * 3.2.3.stable (Debian 12), printed with hex_encode(). Inputs shorter than 16 bytes are
 * padded by Godot's Compression layer, so those are checked in compression-compression.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FASTLZ_LEVEL2_THRESHOLD,
  fastlzCompress,
  fastlzCompressLevel,
  fastlzDecompress,
  fastlzMaxCompressedSize,
  type FastLzLevel,
} from '../../src/modules/enet/compression/fastlz.js';
import { Rng } from '../helpers/rng.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function compress(src: Uint8Array, level?: FastLzLevel): Uint8Array {
  const dst = new Uint8Array(fastlzMaxCompressedSize(src.length));
  const n = level ? fastlzCompressLevel(level, src, dst) : fastlzCompress(src, dst);
  return dst.slice(0, n);
}

function decompress(src: Uint8Array, limit: number): Uint8Array | null {
  const dst = new Uint8Array(limit);
  const n = fastlzDecompress(src, dst);
  return n === 0 ? null : dst.slice(0, n);
}

const ramp = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * i) % 251);

/** Kinds of input that exercise literals, runs, near and far matches. */
function sample(kind: number, n: number, rng: Rng): Uint8Array {
  switch (kind) {
    case 0: return new Uint8Array(n); // one long run
    case 1: return rng.bytes(n); // incompressible
    case 2: { // text-like, many short matches
      const words = ['ab', 'abc', 'hello ', 'world', '\x00\x01', 'zz'];
      const out: number[] = [];
      while (out.length < n) out.push(...Buffer.from(words[rng.int(0, words.length - 1)]!));
      return Uint8Array.from(out.slice(0, n));
    }
    case 3: return ramp(n);
    default: { // a random block repeated 20000 bytes later: far matches (level 2 only)
      const a = rng.bytes(n);
      for (let i = 20000; i < n; i++) a[i] = a[i - 20000]!;
      return a;
    }
  }
}

test('golden: compressor output is byte-identical to Godot 3.2.3 (levels 1 and 2)', () => {
  const cases: Array<[string, Uint8Array, string]> = [
    // 23 bytes: 6 literals "hello ", a match (length 7+5+2 = 14, distance 6), 3 literals.
    ['"hello hello hello hello"', Uint8Array.from(Buffer.from('hello hello hello hello')),
      '05 68656c6c6f20 e0 05 05 02 6c6c6f'],
    // 2 literals, a match (length 7+26+2 = 35, distance 2: the hash table starts at 0), 3 literals
    ['40 zero bytes', new Uint8Array(40), '01 0000 e0 1a 01 02 000000'.replace(/ /g, '')],
    // nothing repeats within 8 KiB: all literals, in runs of at most 32
    ['ramp of 40', ramp(40),
      '1f 00010409101924314051647990a9c4e10526496e95bee91b4a7baee31f5893d0 07 145598dd2972bd0f'],
  ];
  for (const [name, src, want] of cases) assert.equal(toHex(compress(src)), want.replace(/ /g, ''), name);
  // 70000 zeros: level 2 (marker 0x20 in the first byte), one match whose length continues
  // through 274 bytes of 255, then the tail literals.
  const level2 = '210000e0' + 'ff'.repeat(274) + '74' + '00' + '02000000';
  assert.equal(toHex(compress(new Uint8Array(70000))), level2);
  assert.deepEqual(decompress(hex(level2), 70000), new Uint8Array(70000));
});

test('level: 1 below 64 KiB, 2 from 64 KiB on (the first byte\'s top bits)', () => {
  const rng = new Rng(11);
  for (const n of [4, 100, FASTLZ_LEVEL2_THRESHOLD - 1]) assert.equal(compress(rng.bytes(n))[0]! >> 5, 0, `size ${n}`);
  for (const n of [FASTLZ_LEVEL2_THRESHOLD, 100_000]) assert.equal(compress(rng.bytes(n))[0]! >> 5, 1, `size ${n}`);
});

test('tiny inputs: 0 bytes compress to nothing, 1..3 bytes to a single literal run', () => {
  assert.equal(compress(new Uint8Array(0)).length, 0);
  assert.equal(toHex(compress(Uint8Array.of(7))), '0007');
  assert.equal(toHex(compress(Uint8Array.of(1, 2, 3))), '02010203');
  assert.equal(toHex(compress(Uint8Array.of(1, 2, 3), 2)), '02010203', 'no level marker below 4 bytes');
});

test('round trip at both levels: sizes 1..300 and large, every kind of data', () => {
  const rng = new Rng(0xfa57);
  const sizes = [...Array.from({ length: 300 }, (_, i) => i + 1), 1000, 8191, 8192, 8193, 9000, 40000, 65535, 65536, 150000];
  for (const n of sizes) {
    for (let kind = 0; kind < 5; kind++) {
      if (kind === 4 && n < 20000) continue;
      const src = sample(kind, n, rng);
      for (const level of [1, 2] as const) {
        const c = compress(src, level);
        assert.ok(c.length <= fastlzMaxCompressedSize(n), `bound, size ${n} kind ${kind} level ${level}`);
        assert.ok(c.length <= n + Math.ceil(n / 32) + 1, `FastLZ's own bound, size ${n} kind ${kind}`);
        const back = decompress(c, n);
        assert.ok(back, `decode failed: size ${n} kind ${kind} level ${level}`);
        assert.equal(toHex(back), toHex(src), `size ${n} kind ${kind} level ${level}`);
      }
    }
  }
});

test('level 2 reaches far matches level 1 cannot (distance 20000)', () => {
  const src = sample(4, 100_000, new Rng(5));
  const l1 = compress(src, 1);
  const l2 = compress(src, 2);
  assert.ok(l1.length > 100_000, 'level 1 finds nothing within 8 KiB of random data');
  assert.ok(l2.length < 25_000, `level 2 copies the repeated block (${l2.length} bytes)`);
});

test('decompress: the output limit is enforced exactly', () => {
  const src = sample(2, 5000, new Rng(3));
  const c = compress(src);
  assert.deepEqual(decompress(c, 5000), src);
  assert.deepEqual(decompress(c, 6000), src, 'a bigger buffer is fine');
  assert.equal(decompress(c, 4999), null, 'one byte short fails');
  assert.equal(decompress(c, 0), null);
});

test('decompress: malformed blocks fail cleanly (return 0)', () => {
  const bad: Array<[string, Uint8Array]> = [
    ['empty', new Uint8Array(0)],
    ['level 3 marker', Uint8Array.of(0x40, 0)],
    ['level 8 marker', Uint8Array.of(0xe0, 0)],
    ['literal run longer than the input', Uint8Array.of(0x05, 1, 2)],
    ['back-reference before the start (level 1)', Uint8Array.of(0x00, 0x41, 0x20, 0x05)],
    ['back-reference before the start (level 2)', Uint8Array.of(0x20, 0x41, 0x20, 0x05)],
    ['level 1 long match without its length byte', Uint8Array.of(0x00, 0x41, 0xe0, 0x00)],
    ['level 2 long match whose length runs off the end', Uint8Array.of(0x20, 0x41, 0xe0, 0xff, 0xff)],
    ['level 2 ends on an instruction byte', Uint8Array.of(0x20, 0x41, 0x20)],
    ['level 2 far match without its distance', Uint8Array.of(0x20, 0x41, 0x3f, 0xff, 0x00)],
  ];
  for (const [name, src] of bad) assert.equal(decompress(src, 1000), null, name);
  // and the decoder still works afterwards
  assert.deepEqual(decompress(compress(ramp(100)), 100), ramp(100));
});

test('decompress: every truncation of a valid block fails or yields a prefix of the data', () => {
  for (const level of [1, 2] as const) {
    const src = sample(2, 3000, new Rng(level));
    const c = compress(src, level);
    for (let cut = 0; cut < c.length; cut++) {
      const out = decompress(c.subarray(0, cut), 3000);
      if (out) assert.equal(toHex(out), toHex(src.subarray(0, out.length)), `level ${level} cut ${cut}`);
    }
  }
});

test('an overlapping back-reference repeats the bytes just written (distance 1..3)', () => {
  // level 1: 3 literals "abc", then match len 3+2 at distance 3 → "abcabcab"
  assert.equal(Buffer.from(decompress(Uint8Array.of(0x02, 0x61, 0x62, 0x63, 0x60, 0x02), 100)!).toString(), 'abcabcab');
  // distance 1: 1 literal "x" then match len 7+0+2 = 9 at distance 1
  assert.equal(Buffer.from(decompress(Uint8Array.of(0x00, 0x78, 0xe0, 0x00, 0x00), 100)!).toString(), 'x'.repeat(10));
});
