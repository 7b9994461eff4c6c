/**
 * src/enet/range-coder.ts and src/enet/crc32.ts against the real C library (ENet 1.3.17).
 *
 * Golden vectors below were produced by enet_range_coder_compress / enet_crc32 (via
 * test/c/enet-codec-tool.c) so byte-compatibility is checked even without a compiler. When gcc
 * and libenet-dev are present, the tool is compiled at test time and every case is compared
 * with the live library in both directions, including garbage input to the decompressor.
 * Missing gcc/libenet skips those tests visibly, unless GDWIRE_REQUIRE_INTEROP=1 (then fail).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { RangeCoder } from '../../src/enet/range-coder.js';
import { crc32 } from '../../src/enet/crc32.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));

/** mulberry32: a small seeded PRNG, so every run sees the same inputs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function compress(input: Uint8Array, limit = 8192): Uint8Array {
  const out = new Uint8Array(limit);
  return out.slice(0, new RangeCoder().compress(input, out));
}
function decompress(input: Uint8Array, limit = 4096): Uint8Array | null {
  const out = new Uint8Array(limit);
  const n = new RangeCoder().decompress(input, out);
  return n === 0 ? null : out.slice(0, n);
}

// ---- golden vectors from C ENet 1.3.17 ---------------------------------------------------------
const GOLDEN: Array<[string, Uint8Array, string]> = [
  ['one byte (grows: ENet then sends it uncompressed)', ascii('a'), '619e619e'],
  ['repetitive text', ascii('hello hello hello hello'), '68fbe0c33d7072bdd5e06ce58e'],
  ['ACK + PING commands (capture #3 body)', hex('01ff00010001ad1c85ff0002'), '02fc083307a5f67996b490d5'],
  ['100 zero bytes', new Uint8Array(100), '0103e85f79c28c'],
];

test('compress matches C ENet output byte for byte (golden vectors)', () => {
  for (const [name, input, expected] of GOLDEN) {
    assert.equal(toHex(compress(input)), expected, name);
    assert.equal(toHex(decompress(hex(expected)) ?? new Uint8Array(0)), toHex(input), `${name}: decompress`);
  }
});

test('compress of all 256 byte values matches C ENet (297 bytes)', () => {
  const out = compress(Uint8Array.from({ length: 256 }, (_, i) => i));
  assert.equal(out.length, 297);
  const expected =
    '0103f1068d929142466659664b8723d971a0e29f4836b8407f59be0c0ae247063ca927176bbac86271ddb3d5c830f87c' +
    '9bf7ea8a9720da8a183aa69b5ce826c3b8e3c489004a04e1b69485f6710ad7d2b527d5bb60771d7feca5207b9e06a9c3' +
    '51b58c87b7c29c222a19fa16ec2386842c068d6eb98e424d3fd37fb0e3c92562b7106f05a7bbd5c03c0acb7d058661a8' +
    '149183099c077e29f68e0717c55b285289795826a8a17f598e05ea4319a70b0a473955af796423dd2efa2840ad0e8069' +
    'c71aac3359b41c93ac82a8a085ea76459dfcbe4d40f3e8c35240fe45aa89445c6ecb6e615be272faa8542b5bdd5e4518' +
    '1c218f4aa495d19c8f7114210a10e81d00941009979599b9e8468f5e31266db53fda90d5218fee6c40f54dda834bc884' +
    'f5274a09533e04a869';
  assert.equal(toHex(out), expected);
});

test('CRC32 matches enet_crc32 (stored big-endian): "123456789" -> cbf43926', () => {
  assert.equal(crc32(ascii('123456789')), 0xcbf43926);
  assert.equal(crc32(ascii('1234'), ascii('56789')), 0xcbf43926, 'split buffers');
  assert.equal(crc32(new Uint8Array(0)), 0);
});

test('round trip: random, structured and long inputs; model resets past 4096 symbols', () => {
  const rnd = prng(1);
  const inputs: Uint8Array[] = [
    new Uint8Array(1),
    Uint8Array.from({ length: 1400 }, () => Math.floor(rnd() * 256)),
    Uint8Array.from({ length: 20000 }, (_, i) => (i * 7) % 13 + (rnd() < 0.1 ? 100 : 0)),
    ascii('the quick brown fox jumps over the lazy dog '.repeat(200)),
  ];
  for (const input of inputs) {
    const c = compress(input, input.length * 2 + 64);
    assert.ok(c.length > 0);
    assert.deepEqual(decompress(c, input.length), input);
  }
});

test('compress returns 0 when the output does not fit; decompress when the result does not fit', () => {
  const input = ascii('hello hello hello hello');
  const rc = new RangeCoder();
  assert.equal(rc.compress(input, new Uint8Array(5)), 0);
  assert.equal(rc.compress(new Uint8Array(0), new Uint8Array(16)), 0);
  assert.equal(rc.decompress(compress(input), new Uint8Array(input.length - 1)), 0);
  assert.equal(rc.decompress(new Uint8Array(0), new Uint8Array(16)), 0);
  // the coder is reusable after a failure
  assert.equal(toHex(compress(input)), GOLDEN[1]![2]);
});

test('decompress never throws on garbage', () => {
  const rnd = prng(7);
  const rc = new RangeCoder();
  const out = new Uint8Array(4096);
  for (let i = 0; i < 2000; i++) {
    const g = Uint8Array.from({ length: 1 + Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256));
    const n = rc.decompress(g, out);
    assert.ok(n >= 0 && n <= out.length);
  }
});

// ---- live comparison with the C library ---------------------------------------------------------
const requireInterop = process.env['GDWIRE_REQUIRE_INTEROP'] === '1';

/** Compiles test/c/enet-codec-tool.c; returns the binary path or the reason it could not. */
function buildTool(): { path: string; dir: string } | { reason: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gdwire-enet-codec-'));
  const path = join(dir, 'enet-codec-tool');
  const r = spawnSync('gcc', ['-O2', '-o', path, join(repoRoot, 'test', 'c', 'enet-codec-tool.c'), '-lenet'], {
    encoding: 'utf8',
  });
  if (r.error || r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { reason: `gcc/libenet unavailable: ${r.error?.message ?? r.stderr.trim()}` };
  }
  return { path, dir };
}

type Op = 'c' | 'd' | 'k';
/** Runs a batch of operations through the C tool in one process. */
function runTool(tool: string, ops: Array<[Op, number, Uint8Array]>): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (const [op, limit, data] of ops) {
    const h = Buffer.alloc(9);
    h.write(op, 0, 'latin1');
    h.writeUInt32BE(limit, 1);
    h.writeUInt32BE(data.length, 5);
    parts.push(h, data);
  }
  const r = spawnSync(tool, [], { input: Buffer.concat(parts), maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `tool exit ${String(r.status)}`);
  const out = r.stdout;
  const results: Uint8Array[] = [];
  for (let at = 0; at < out.length; ) {
    const n = out.readUInt32BE(at);
    results.push(Uint8Array.from(out.subarray(at + 4, at + 4 + n)));
    at += 4 + n;
  }
  assert.equal(results.length, ops.length);
  return results;
}

test('live C ENet: compress/decompress agree in both directions, garbage decodes identically', (t) => {
  const tool = buildTool();
  if ('reason' in tool) {
    if (requireInterop) assert.fail(tool.reason);
    t.skip(tool.reason);
    return;
  }
  try {
    const rnd = prng(42);
    const inputs: Uint8Array[] = [];
    for (let i = 0; i < 150; i++) {
      const len = 1 + Math.floor(rnd() ** 2 * 6000);
      const alphabet = 1 + Math.floor(rnd() * 255);
      const runny = rnd() < 0.5;
      let prev = 0;
      inputs.push(
        Uint8Array.from({ length: len }, () => (prev = runny && rnd() < 0.6 ? prev : Math.floor(rnd() * alphabet))),
      );
    }
    // 1. C compresses, TS must produce the same bytes and decode C's output.
    const cOut = runTool(
      tool.path,
      inputs.map((d) => ['c', d.length * 2 + 64, d] as [Op, number, Uint8Array]),
    );
    inputs.forEach((input, i) => {
      assert.equal(toHex(compress(input, input.length * 2 + 64)), toHex(cOut[i]!), `compress #${i}`);
      assert.deepEqual(decompress(cOut[i]!, input.length), input, `TS decompress of C #${i}`);
    });
    // 2. C decompresses what TS compressed; 3. garbage and mutated streams decode the same.
    const tsCompressed = inputs.map((d) => compress(d, d.length * 2 + 64));
    const garbage: Uint8Array[] = [];
    for (let i = 0; i < 300; i++) {
      const base = tsCompressed[i % tsCompressed.length]!;
      const g = i % 2 === 0 ? base.slice() : Uint8Array.from({ length: 1 + Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256));
      if (i % 2 === 0 && g.length > 0) {
        const at = Math.floor(rnd() * g.length);
        g[at] = g[at]! ^ (1 << Math.floor(rnd() * 8));
      }
      garbage.push(g);
    }
    const ops: Array<[Op, number, Uint8Array]> = [
      ...tsCompressed.map((d, i) => ['d', inputs[i]!.length, d] as [Op, number, Uint8Array]),
      ...garbage.map((g) => ['d', 4096, g] as [Op, number, Uint8Array]),
      ...inputs.slice(0, 20).map((d) => ['k', 0, d] as [Op, number, Uint8Array]),
    ];
    const res = runTool(tool.path, ops);
    inputs.forEach((input, i) => assert.deepEqual(res[i], input, `C decompress of TS #${i}`));
    garbage.forEach((g, i) => {
      const mine = decompress(g, 4096) ?? new Uint8Array(0);
      assert.equal(toHex(mine), toHex(res[inputs.length + i]!), `garbage #${i}`);
    });
    inputs.slice(0, 20).forEach((d, i) => {
      const c = res[inputs.length + garbage.length + i]!;
      assert.equal(crc32(d), Buffer.from(c).readUInt32BE(0), `crc #${i}`);
    });
  } finally {
    rmSync(tool.dir, { recursive: true, force: true });
  }
});
