/**
 * The interop tests' NodePath-padding mask (test/helpers/godot3-wire.ts), checked against real
 * Godot 3.2.3 output: the golden corpus (test/fixtures/godot3-var2bytes.json, see its
 * PROVENANCE.md) gives Godot's bytes (`hex`, padding left as garbage) and the same bytes with
 * NodePath padding zeroed (`hex_zero_padded`). Needs no Godot at run time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hex, zeroNodePathPadding } from '../helpers/godot3-wire.js';
import { fixturesDir } from '../helpers/paths.js';

interface GoldenValue {
  name: string;
  hex: string;
  hex_zero_padded?: string;
  hex_full_objects?: string;
}

const golden = JSON.parse(readFileSync(join(fixturesDir, 'godot3-var2bytes.json'), 'utf8')) as { values: GoldenValue[] };
const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

test('zeroNodePathPadding zeroes exactly what Godot 3.2.3 leaves uninitialised', () => {
  let withPadding = 0;
  for (const v of golden.values) {
    const expected = v.hex_zero_padded ?? v.hex;
    assert.equal(hex(zeroNodePathPadding(fromHex(v.hex))), expected, v.name);
    if (v.hex_zero_padded !== undefined && v.hex_zero_padded !== v.hex) withPadding++;
    if (v.hex_full_objects) zeroNodePathPadding(fromHex(v.hex_full_objects)); // walks full objects
  }
  assert.ok(golden.values.length >= 100);
  assert.ok(withPadding > 0, 'the corpus should contain at least one garbage-padded NodePath');
});

test('zeroNodePathPadding rejects truncated input and trailing bytes', () => {
  assert.throws(() => zeroNodePathPadding(fromHex('04000000050000006162')), RangeError);
  assert.throws(() => zeroNodePathPadding(fromHex('0200000001000000ff')), RangeError);
  assert.throws(() => zeroNodePathPadding(fromHex('ff000000')), RangeError);
});

test('zeroNodePathPadding leaves String padding alone (only NodePath padding is Godot garbage)', () => {
  const s = fromHex('040000000100000061ffffff');
  assert.equal(hex(zeroNodePathPadding(s)), '040000000100000061ffffff');
  const np = fromHex('0f00000001000080000000000000000001000000786e6f70');
  assert.equal(hex(zeroNodePathPadding(np)), '0f0000000100008000000000000000000100000078000000');
});
