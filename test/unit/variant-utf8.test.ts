/**
 * UTF-8 (utf8.ts), tested against a naive reference: the hand-written fast paths must agree
 * with TextEncoder/TextDecoder wherever the string is well-formed, and with the documented
 * lenient rules (lone surrogates) where it is not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GodotError, Error } from '../../src/core/error.js';
import { readUtf8, utf8Length, writeUtf8 } from '../../src/core/variant/utf8.js';
import { Rng } from '../helpers/rng.js';
import { randomString } from '../helpers/random-variant.js';

function write(s: string): Uint8Array {
  const buf = new Uint8Array(3 * s.length + 8);
  const n = writeUtf8(s, buf, 2);
  assert.equal(n, utf8Length(s), `utf8Length(${JSON.stringify(s)})`);
  return buf.slice(2, 2 + n);
}

test('well-formed strings: same bytes as TextEncoder, decoded back by both paths', () => {
  const rng = new Rng(7);
  const te = new TextEncoder();
  for (let i = 0; i < 3000; i++) {
    const s = randomString(rng, 40);
    const bytes = write(s);
    if (!/[\uD800-\uDFFF]/u.test(s)) assert.deepEqual(bytes, te.encode(s), JSON.stringify(s));
    assert.equal(readUtf8(bytes, 0, bytes.length), s);
    // again, now from the short-string cache
    assert.equal(readUtf8(bytes, 0, bytes.length), s);
  }
});

test('the string cache never confuses strings with the same length and hash slot', () => {
  const seen = new Map<string, string>();
  for (let i = 0; i < 20000; i++) {
    const s = `k${i.toString(36)}`;
    const b = write(s);
    assert.equal(readUtf8(b, 0, b.length), s);
    seen.set(s, s);
  }
  for (const s of seen.keys()) {
    const b = write(s);
    assert.equal(readUtf8(b, 0, b.length), s);
  }
});

test('invalid UTF-8 is ERR_INVALID_DATA on every path', () => {
  const bad = [[0xc3, 0x28], [0x80], [0xe2, 0x82], [0xc0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]];
  for (const b of bad) {
    for (const pad of [0, 20, 100]) {
      const bytes = Uint8Array.from([...new Array<number>(pad).fill(0x61), ...b]);
      assert.throws(() => readUtf8(bytes, 0, bytes.length), (e) => e instanceof GodotError && e.code === Error.ERR_INVALID_DATA);
    }
  }
});
