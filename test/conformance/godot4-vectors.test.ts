/**
 * Godot 4's own marshalls test vectors (tests/core/io/test_marshalls.h @213cd35b, 4.4+) and
 * the extra vectors derived from marshalls.cpp, as listed in godot-wire.md §2 — asserted both
 * ways (encode produces the bytes, decode accepts them and re-encodes them identically), plus
 * what each older 4.x profile makes of the typed containers.
 *
 * The primitive helpers of that test file (encode_uint32/64, encode_float/double, encode_cstring)
 * are checked where a Variant carries them; encode_uint16 and encode_half have no Variant use.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error, GodotError } from '../../src/core/error.js';
import { decodeVariant, varToBytes, variantEquals, type DecodeOptions } from '../../src/core/variant/codec.js';
import { builtin, TypedArray, TypedDictionary } from '../../src/core/variant/containers.js';
import { NodePath } from '../../src/core/variant/node-path.js';
import { EncodedObjectAsID } from '../../src/core/variant/object.js';
import { PackedStringArray, PackedVector4Array } from '../../src/core/variant/packed.js';
import { float } from '../../src/core/variant/scalars.js';
import type { GodotVersion, Variant } from '../../src/core/variant/variant.js';
import { VariantType as T } from '../../src/core/variant/variant-type.js';
import { Vector2, Vector3, Vector4 } from '../../src/core/variant/vectors.js';
import { fromHex, toHex } from '../helpers/hex.js';

/** uint64 0xF123456789ABCDEF, which Godot's test stores in an int64 Variant. */
const X = BigInt.asIntN(64, 0xf123456789abcdefn);

function bothWays(name: string, value: Variant, hex: string, godot: GodotVersion = 4): void {
  const bytes = fromHex(hex);
  assert.equal(toHex(varToBytes(value, { godot })), toHex(bytes), `${name}: encode`);
  const { value: decoded, length } = decodeVariant(bytes, { godot });
  assert.equal(length, bytes.length, `${name}: r_len`);
  assert.ok(variantEquals(decoded, value), `${name}: decode`);
  assert.equal(toHex(varToBytes(decoded, { godot })), toHex(bytes), `${name}: re-encode`);
}

function code(bytes: Uint8Array, options?: DecodeOptions): Error | 'no error' {
  try { decodeVariant(bytes, options); } catch (e) {
    if (e instanceof GodotError) return e.code;
    throw e;
  }
  return 'no error';
}

test('test_marshalls.h: Variant vectors', () => {
  bothWays('NIL', null, '00000000');
  bothWays('INT 32', 0x12345678, '02000000 78563412');
  bothWays('INT 64', X, '02000100 efcdab89674523f1');
  bothWays('FLOAT single', 0.15625, '03000000 0000203e');
  bothWays('FLOAT double', 0.33333333333333333, '03000100 555555555555d53f');
  bothWays('Array[int]', new TypedArray(builtin(T.INT), [X]), '1c000100 02000000 01000000 02000100 efcdab89674523f1');
  bothWays('Dictionary[int, int]', new TypedDictionary(builtin(T.INT), builtin(T.INT), new Map([[X, X]])),
    '1b000500 02000000 02000000 01000000 02000100 efcdab89674523f1 02000100 efcdab89674523f1');
});

test('test_marshalls.h: invalid decodes', () => {
  assert.equal(code(fromHex('00')), Error.ERR_INVALID_DATA);
  assert.equal(code(fromHex('ff000000')), Error.ERR_INVALID_DATA);
});

test('test_marshalls.h: primitive encodings, as Variant payloads carry them', () => {
  assert.equal(toHex(varToBytes(0x12345678).subarray(4)), '78563412'); // encode_uint32
  assert.equal(toHex(varToBytes(X).subarray(4)), 'efcdab89674523f1'); // encode_uint64
  assert.equal(toHex(varToBytes(0.15625).subarray(4)), '0000203e'); // encode_float
  assert.equal(toHex(varToBytes(0.33333333333333333).subarray(4)), '555555555555d53f'); // encode_double
  // encode_cstring("Godot") = 47 6f 64 6f 74 00: a PackedStringArray element is that, length-prefixed
  assert.equal(toHex(varToBytes(new PackedStringArray(['Godot'])).subarray(8, 18)), `06000000${'476f646f7400'}`);
});

test('godot-wire.md §2 extra vectors, 3.x and 4.x columns', () => {
  const rows: Array<[string, Variant, string, string]> = [
    ['true', true, '01000000 01000000', '01000000 01000000'],
    ['-1', -1, '02000000 ffffffff', '02000000 ffffffff'],
    ['2147483648', 2147483648, '02000100 00000080 00000000', '02000100 00000080 00000000'],
    ['0.1', 0.1, '03000100 9a99999999 99b93f', '03000100 9a99999999 99b93f'],
    ['"hi"', 'hi', '04000000 02000000 68690000', '04000000 02000000 68690000'],
    ['Vector2(1,2)', new Vector2(1, 2), '05000000 0000803f 00000040', '05000000 0000803f 00000040'],
    ['Vector3(1,2,3)', new Vector3(1, 2, 3), '07000000 0000803f 00000040 00004040', '09000000 0000803f 00000040 00004040'],
    ['NodePath("a/b:c")', new NodePath('a/b:c'),
      '0f000000 02000080 01000000 00000000 01000000 61000000 01000000 62000000 01000000 63000000',
      '16000000 02000080 01000000 00000000 01000000 61000000 01000000 62000000 01000000 63000000'],
    ['[]', [], '13000000 00000000', '1c000000 00000000'],
    ['{"a": 1}', { a: 1 }, '12000000 01000000 04000000 01000000 61000000 02000000 01000000',
      '1b000000 01000000 04000000 01000000 61000000 02000000 01000000'],
    ['PackedByteArray [1,2,3]', new Uint8Array([1, 2, 3]), '14000000 03000000 01020300', '1d000000 03000000 01020300'],
    ['["ab"] as String array', new PackedStringArray(['ab']), '17000000 01000000 03000000 61620000', '22000000 01000000 03000000 61620000'],
    ['object as id 5', new EncodedObjectAsID(5n), '11000100 05000000 00000000', '18000100 05000000 00000000'],
  ];
  for (const [name, value, hex3, hex4] of rows) {
    bothWays(`${name} (3.x)`, value, hex3, 3);
    bothWays(`${name} (4.x)`, value, hex4, 4);
  }
});

test('profiles: 4.2 writes typed containers untyped and has no id 38; 4.3 has typed arrays only', () => {
  const arr = new TypedArray(builtin(T.INT), [X]);
  const dict = new TypedDictionary(builtin(T.INT), builtin(T.INT), new Map([[X, X]]));
  const untypedArr = '1c000000 01000000 02000100 efcdab89674523f1';
  const untypedDict = '1b000000 01000000 02000100 efcdab89674523f1 02000100 efcdab89674523f1';
  for (const v of ['4.0', '4.1', '4.2'] as const) {
    assert.equal(toHex(varToBytes(arr, { godot: v })), toHex(fromHex(untypedArr)), v);
    assert.equal(toHex(varToBytes(dict, { godot: v })), toHex(fromHex(untypedDict)), v);
    assert.equal(code(fromHex('26000000 00000000'), { godot: v }), Error.ERR_INVALID_DATA, `${v}: id 38`);
    assert.throws(() => varToBytes(PackedVector4Array.from([]), { godot: v }), GodotError);
  }
  assert.equal(toHex(varToBytes(arr, { godot: '4.3' })), toHex(fromHex('1c000100 02000000 01000000 02000100 efcdab89674523f1')));
  assert.equal(toHex(varToBytes(dict, { godot: '4.3' })), toHex(fromHex(untypedDict)));
  bothWays('PackedVector4Array (4.3)', PackedVector4Array.from([new Vector4(1, 2, 3, 4)]), '26000000 01000000 0000803f 00000040 00004040 00008040', '4.3');
  // 4.4's typed Dictionary bytes are not a Dictionary a 4.3 peer can read
  assert.equal(code(fromHex('1b000500 02000000 02000000 01000000 02000100 efcdab89674523f1 02000100 efcdab89674523f1'), { godot: '4.3' }), Error.ERR_INVALID_DATA);
  // FLOAT 1.0 decodes as a Float box so that it re-encodes as FLOAT
  bothWays('FLOAT 1.0', float(1), '03000000 0000803f');
});
