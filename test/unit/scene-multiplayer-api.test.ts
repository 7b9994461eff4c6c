/**
 * RPC argument codec (multiplayer-api.ts — MultiplayerAPI::encode_and_compress_variant(s)):
 * BOOL in the meta byte, INT in the smallest size, everything else the full marshalls
 * encoding; the argument-list special cases. Hex fixtures with a comment per field.
 * Layouts: godot-wire.md §6.5.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error, GodotError } from '../../src/core/error.js';
import { varToBytes } from '../../src/core/variant/codec.js';
import { float, StringName } from '../../src/core/variant/scalars.js';
import type { Variant } from '../../src/core/variant/variant.js';
import { Vector2 } from '../../src/core/variant/vectors.js';
import { PackedVector4Array } from '../../src/core/variant/packed.js';
import {
  decodeAndDecompressVariant, decodeAndDecompressVariants, encodeAndCompressVariant,
  encodeAndCompressVariants,
} from '../../src/multiplayer/scene/multiplayer-api.js';
import type { Decoded, RefusalReason } from '../../src/multiplayer/scene/scene-multiplayer-protocol.js';
import { fromHex, toHex } from '../helpers/hex.js';

function code(f: () => unknown): Error | 'no error' {
  try { f(); } catch (e) {
    if (e instanceof GodotError) return e.code;
    throw e;
  }
  return 'no error';
}
function reason<T>(d: Decoded<T>): RefusalReason | 'ok' { return d.ok ? 'ok' : d.reason; }
function value<T>(d: Decoded<T>): T {
  if (!d.ok) assert.fail(`refused: ${d.reason}`);
  return d.value;
}

const FIXTURES: ReadonlyArray<{ name: string; value: Variant; hex: string; back?: Variant }> = [
  { name: 'true', value: true, hex: '81  # meta: type BOOL (1) | 0x80 = true; no payload' },
  { name: 'false', value: false, hex: '01  # meta: type BOOL (1), bit 7 clear = false' },
  { name: 'int 42', value: 42, hex: '02 # meta: INT (2), mode ENCODE_8 (0x00)\n 2a # i8 42' },
  { name: 'int -1', value: -1, hex: '02 # INT, ENCODE_8\n ff # i8 −1' },
  { name: 'int 127', value: 127, hex: '02 7f # INT, i8 127 (largest 8-bit)' },
  { name: 'int -128', value: -128, hex: '02 80 # INT, i8 −128 (smallest 8-bit)' },
  { name: 'int 128', value: 128, hex: '42 # INT | ENCODE_16 (0x40)\n 8000 # i16 LE 128' },
  { name: 'int -129', value: -129, hex: '42 7fff # INT | ENCODE_16, i16 LE −129' },
  { name: 'int 32768', value: 32768, hex: '82 # INT | ENCODE_32 (0x80)\n 00800000 # i32 LE 32768' },
  { name: 'int -2^31', value: -(2 ** 31), hex: '82 00000080 # INT | ENCODE_32, i32 LE −2^31' },
  { name: 'int 2^31', value: 2 ** 31, hex: 'c2 # INT | ENCODE_64 (0xC0)\n 0000008000000000 # i64 LE 2^31' },
  { name: 'int64 max', value: 0x7fffffffffffffffn, hex: 'c2 ffffffffffffff7f # INT | ENCODE_64, i64 max' },
  { name: 'bigint 5', value: 5n, hex: '02 05 # a bigint is INT too, smallest size', back: 5 },
  {
    name: 'String "hi"', value: 'hi',
    hex: `04000000  # full marshalls header: type STRING (4) — byte 0 doubles as the meta
          02000000  # u32 byte length 2
          6869 0000 # "hi" + padding to 4`,
  },
  {
    name: 'float 1.5', value: 1.5,
    hex: '03000000 # header: FLOAT (3), 32-bit\n 0000c03f # f32 1.5',
  },
  {
    name: 'Vector2(1, 2)', value: new Vector2(1, 2),
    hex: '05000000 # header: VECTOR2 (5)\n 0000803f 00000040 # f32 x=1, f32 y=2',
  },
  { name: 'null', value: null, hex: '00000000 # header: NIL (0), no payload' },
];

test('argument fixtures encode exactly and decode back', () => {
  for (const f of FIXTURES) {
    const bytes = fromHex(f.hex);
    assert.equal(toHex(encodeAndCompressVariant(f.value)), toHex(bytes), f.name);
    const d = value(decodeAndDecompressVariant(bytes));
    assert.equal(d.length, bytes.length, `${f.name}: length`);
    assert.deepEqual(d.value, f.back ?? f.value, f.name);
  }
});

test('non-compressed types are exactly varToBytes, for every profile', () => {
  const values: Variant[] = ['x', float(2), new StringName('n'), [1, 'a'], new Map<Variant, Variant>([['k', 1]]), Float32Array.of(1.5)];
  for (const godot of ['4.2', '4.3', 4] as const) {
    for (const v of values) assert.equal(toHex(encodeAndCompressVariant(v, { godot })), toHex(varToBytes(v, { godot })));
  }
  assert.equal(code(() => encodeAndCompressVariant(new PackedVector4Array(new Float32Array(4)), { godot: '4.2' })),
    Error.ERR_INVALID_PARAMETER, 'PackedVector4Array does not exist before 4.3');
  assert.equal(code(() => encodeAndCompressVariant(2n ** 64n)), Error.ERR_INVALID_PARAMETER);
});

test('decoding: type ids, short payloads, sign extension', () => {
  assert.equal(reason(decodeAndDecompressVariant(fromHex('26 00000000'), 0, { godot: '4.2' })), 'bad-arg-type', 'type 38 ≥ VARIANT_MAX of 4.0–4.2');
  assert.equal(reason(decodeAndDecompressVariant(fromHex('3f'))), 'bad-arg-type', 'type 63');
  assert.equal(reason(decodeAndDecompressVariant(fromHex('42 01'))), 'args-truncated', 'i16 with one byte');
  assert.equal(reason(decodeAndDecompressVariant(fromHex('c2 00000000'))), 'args-truncated');
  assert.equal(reason(decodeAndDecompressVariant(fromHex('04 000000 05000000 6869'))), 'bad-arg', 'String longer than the bytes');
  assert.equal(reason(decodeAndDecompressVariant(fromHex('44000000'))), 'bad-arg', 'mode bits on a full encoding make its header type invalid');
  assert.equal(reason(decodeAndDecompressVariant(new Uint8Array(0))), 'args-truncated');
  assert.equal(value(decodeAndDecompressVariant(fromHex('42 ffff'))).value, -1, 'i16 is sign-extended');
  assert.equal(value(decodeAndDecompressVariant(fromHex('c2 0000000000000080'))).value, -(2n ** 63n), 'beyond 2^53 → bigint');
  // BOOL ignores bits 6 (mode): 0x41 is still "false", 0xc1 "true".
  assert.equal(value(decodeAndDecompressVariant(fromHex('c1'))).value, true);
  assert.equal(value(decodeAndDecompressVariant(fromHex('41'))).value, false);
  // At an offset, and PackedByteArray lengths count their padding like Godot's r_len.
  assert.equal(value(decodeAndDecompressVariant(fromHex('ff 02 07'), 1)).value, 7);
  assert.equal(value(decodeAndDecompressVariant(fromHex('1d000000 01000000 aa'))).length, 12, 'padding absent but counted');
});

test('argument lists: none, raw bytes, regular', () => {
  assert.deepEqual(encodeAndCompressVariants([]), { bytes: new Uint8Array(0), byteOnlyOrNoArgs: true });
  const raw = encodeAndCompressVariants([fromHex('aabb')]);
  assert.equal(raw.byteOnlyOrNoArgs, true);
  assert.equal(toHex(raw.bytes), 'aabb', 'one PackedByteArray: its bytes only — no meta, no length');
  const reg = encodeAndCompressVariants([42, true, 'hi']);
  assert.equal(reg.byteOnlyOrNoArgs, false);
  assert.equal(toHex(reg.bytes), toHex(fromHex(`02 2a          # int 42
                                                  81             # true
                                                  04000000 02000000 68690000  # "hi"`)));
  assert.equal(encodeAndCompressVariants([fromHex('aa'), 1]).byteOnlyOrNoArgs, false, 'two args: regular, PBA in full');
  assert.equal(encodeAndCompressVariants([7]).byteOnlyOrNoArgs, false, 'one non-PBA arg: regular');
  assert.equal(code(() => encodeAndCompressVariants(new Array<Variant>(256).fill(1))), Error.ERR_INVALID_PARAMETER);

  assert.deepEqual(value(decodeAndDecompressVariants(reg.bytes, 3, false)), [42, true, 'hi']);
  assert.deepEqual(value(decodeAndDecompressVariants(fromHex('aabb'), 1, true)), [fromHex('aabb')]);
  assert.deepEqual(value(decodeAndDecompressVariants(new Uint8Array(0), 0, true)), []);
  assert.equal(reason(decodeAndDecompressVariants(reg.bytes.subarray(0, 3), 3, false)), 'args-truncated');
  assert.deepEqual(value(decodeAndDecompressVariants(Uint8Array.from([...reg.bytes, 9, 9]), 3, false)), [42, true, 'hi'],
    'trailing bytes after argc args are ignored, as Godot');
});

test('Godot quirk: a single empty PackedByteArray arrives as no arguments', () => {
  const enc = encodeAndCompressVariants([new Uint8Array(0)]);
  assert.deepEqual(enc, { bytes: new Uint8Array(0), byteOnlyOrNoArgs: true });
  // The receiver sets argc = 1 only when bytes follow (see scene-rpc-interface decodeRpc).
});
