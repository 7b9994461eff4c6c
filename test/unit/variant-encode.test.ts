/**
 * Encoder (encoder.ts via codec.ts): hex fixtures with a comment per field, every type in both
 * id spaces, INT/FLOAT boundaries, profile differences and errors (asserted by code).
 * Layouts: godot-wire.md §1; 3.x values are also checked against real Godot 3.2.3 in
 * test/conformance/godot3-golden.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error, GodotError } from '../../src/core/error.js';
import { encodeVariant, varToBytes, type EncodeOptions } from '../../src/core/variant/codec.js';
import { builtin, TypedArray, TypedDictionary } from '../../src/core/variant/containers.js';
import { AABB, Color, Plane, Quaternion, Rect2, Rect2i } from '../../src/core/variant/geometry.js';
import { NodePath } from '../../src/core/variant/node-path.js';
import { Callable, EncodedObjectAsID, GodotObject, Signal } from '../../src/core/variant/object.js';
import {
  PackedColorArray, PackedStringArray, PackedVector2Array, PackedVector3Array, PackedVector4Array,
} from '../../src/core/variant/packed.js';
import { float, RID, StringName } from '../../src/core/variant/scalars.js';
import { Basis, Projection, Transform2D, Transform3D } from '../../src/core/variant/transforms.js';
import type { Variant } from '../../src/core/variant/variant.js';
import { VariantType as T } from '../../src/core/variant/variant-type.js';
import { REAL_IS_DOUBLE, Vector2, Vector2i, Vector3, Vector3i, Vector4, Vector4i } from '../../src/core/variant/vectors.js';
import { fromHex, toHex } from '../helpers/hex.js';

interface Case { name: string; value: Variant; hex: string; options?: EncodeOptions }

function check(cases: Case[], defaults: EncodeOptions): void {
  for (const c of cases) {
    const got = toHex(varToBytes(c.value, { ...defaults, ...c.options }));
    assert.equal(got, toHex(fromHex(c.hex)), c.name);
    assert.equal(got.length % 8, 0, `${c.name}: length is a multiple of 4`);
  }
}

function code(f: () => unknown): Error | 'no error' {
  try { f(); } catch (e) {
    if (e instanceof GodotError) return e.code;
    throw e;
  }
  return 'no error';
}

const basis = new Basis(new Vector3(1, 2, 3), new Vector3(4, 5, 6), new Vector3(7, 8, 9));

/** Values whose bytes are the same in both versions (only the type id differs, or not at all). */
const SHARED: Case[] = [
  { name: 'null', value: null, hex: '00000000 # header: NIL' },
  { name: 'undefined', value: undefined, hex: '00000000 # header: NIL' },
  { name: 'false', value: false, hex: '01000000 # BOOL \n 00000000 # false' },
  { name: 'true', value: true, hex: '01000000 # BOOL \n 01000000 # true' },
  { name: '0', value: 0, hex: '02000000 # INT, 32-bit \n 00000000' },
  { name: '42', value: 42, hex: '02000000 # INT \n 2a000000 # 42' },
  { name: '-1', value: -1, hex: '02000000 # INT \n ffffffff # -1' },
  { name: 'INT32_MAX', value: 2147483647, hex: '02000000 # INT \n ffffff7f' },
  { name: 'INT32_MIN', value: -2147483648, hex: '02000000 # INT \n 00000080' },
  { name: '2^31', value: 2147483648, hex: '02000100 # INT | FLAG_64 \n 00000080 00000000 # i64 2^31' },
  { name: '-2^31-1', value: -2147483649, hex: '02000100 # INT | FLAG_64 \n ffffff7f ffffffff' },
  { name: '2^53-1', value: Number.MAX_SAFE_INTEGER, hex: '02000100 # INT | FLAG_64 \n ffffffff ffff1f00' },
  { name: '-(2^53-1)', value: -Number.MAX_SAFE_INTEGER, hex: '02000100 \n 01000000 0000e0ff' },
  { name: '2^53+1 bigint', value: 9007199254740993n, hex: '02000100 # INT | FLAG_64 \n 01000000 00002000' },
  { name: 'INT64_MAX', value: 9223372036854775807n, hex: '02000100 \n ffffffff ffffff7f' },
  { name: 'INT64_MIN', value: -9223372036854775808n, hex: '02000100 \n 00000000 00000080' },
  { name: 'small bigint', value: 5n, hex: '02000000 # INT, 32-bit payload even for a bigint \n 05000000' },
  { name: 'uint64 0xF123456789ABCDEF as int64', value: BigInt.asIntN(64, 0xf123456789abcdefn), hex: '02000100 \n efcdab89 674523f1' },
  { name: '0.5', value: 0.5, hex: '03000000 # FLOAT, 32-bit \n 0000003f' },
  { name: 'float(1)', value: float(1), hex: '03000000 # FLOAT (a Float box forces FLOAT) \n 0000803f' },
  { name: 'float(0)', value: float(0), hex: '03000000 \n 00000000' },
  { name: '-0', value: -0, hex: '03000000 # FLOAT: -0 is not an INT \n 00000080' },
  { name: '0.1', value: 0.1, hex: '03000100 # FLOAT | FLAG_64: 0.1 is not exact in float32 \n 9a999999 9999b93f' },
  { name: '0.15625', value: 0.15625, hex: '03000000 \n 0000203e' },
  { name: '1/3', value: 0.33333333333333333, hex: '03000100 \n 55555555 5555d53f' },
  { name: 'NaN', value: Number.NaN, hex: '03000100 # NaN is always 64-bit \n 00000000 0000f87f' },
  { name: 'Infinity', value: Infinity, hex: '03000000 \n 0000807f' },
  { name: '-Infinity', value: -Infinity, hex: '03000000 \n 000080ff' },
  { name: '2^53 (not a safe integer → FLOAT)', value: 2 ** 53, hex: '03000000 # exact in float32 \n 0000005a' },
  { name: 'float(2^24+1)', value: float(16777217), hex: '03000100 \n 00000010 00007041' },
  { name: '2^24+1 as number is an INT', value: 16777217, hex: '02000000 \n 01000001' },
  { name: '1e39', value: 1e39, hex: '03000100 # overflows float32 (GDScript\'s parser lands 1 ulp higher: 1e4a…) \n 1d4a9cf4 87820748' },
  { name: 'smallest float32 denormal', value: 1.401298464324817e-45, hex: '03000000 \n 01000000' },
  { name: '""', value: '', hex: '04000000 # STRING \n 00000000 # length 0' },
  { name: '"hi"', value: 'hi', hex: '04000000 # STRING \n 02000000 # length \n 6869 0000 # "hi" + 2 pad' },
  { name: '"abcd"', value: 'abcd', hex: '04000000 \n 04000000 \n 61626364 # no padding' },
  { name: '"abcde"', value: 'abcde', hex: '04000000 \n 05000000 \n 6162636465 000000' },
  { name: '"é"', value: 'é', hex: '04000000 \n 02000000 \n c3a9 0000' },
  { name: '"😀"', value: '😀', hex: '04000000 \n 04000000 \n f09f9880 # one 4-byte code point' },
  { name: 'lone surrogate', value: '\uD800', hex: '04000000 \n 03000000 \n eda080 00 # 3-byte form of U+D800' },
  { name: 'lone low surrogate then a', value: '\uDC00a', hex: '04000000 \n 04000000 \n edb080 61' },
  { name: 'leading BOM kept', value: '\uFEFFa', hex: '04000000 \n 04000000 \n efbbbf 61' },
  { name: 'embedded NUL kept', value: 'a\u0000b', hex: '04000000 \n 03000000 \n 610062 00' },
  { name: 'Vector2(1, 2)', value: new Vector2(1, 2), hex: '05000000 # VECTOR2 (same id in 3.x and 4.x) \n 0000803f # x \n 00000040 # y' },
  { name: 'Vector2(0.1, -0.5) rounds to float32', value: new Vector2(0.1, -0.5), hex: '05000000 \n cdcccc3d 000000bf' },
];

const ALL_4: Case[] = [
  ...SHARED,
  { name: 'Vector2i', value: new Vector2i(1, -2), hex: '06000000 # VECTOR2I \n 01000000 feffffff' },
  { name: 'Rect2', value: Rect2.of(1, 2, 3, 4), hex: '07000000 # RECT2 \n 0000803f 00000040 # position \n 00004040 00008040 # size' },
  { name: 'Rect2i', value: Rect2i.of(1, 2, -3, 4), hex: '08000000 # RECT2I \n 01000000 02000000 fdffffff 04000000' },
  { name: 'Vector3', value: new Vector3(1, 2, 3), hex: '09000000 # VECTOR3 \n 0000803f 00000040 00004040' },
  { name: 'Vector3i', value: new Vector3i(1, 2, 3), hex: '0a000000 # VECTOR3I \n 01000000 02000000 03000000' },
  { name: 'Transform2D', value: new Transform2D(new Vector2(1, 2), new Vector2(3, 4), new Vector2(5, 6)),
    hex: '0b000000 # TRANSFORM2D \n 0000803f 00000040 # x axis \n 00004040 00008040 # y axis \n 0000a040 0000c040 # origin' },
  { name: 'Vector4', value: new Vector4(1, 2, 3, 4), hex: '0c000000 # VECTOR4 \n 0000803f 00000040 00004040 00008040' },
  { name: 'Vector4i', value: new Vector4i(1, 2, 3, -4), hex: '0d000000 # VECTOR4I \n 01000000 02000000 03000000 fcffffff' },
  { name: 'Plane', value: new Plane(new Vector3(1, 0, 0), 5), hex: '0e000000 # PLANE \n 0000803f 00000000 00000000 # normal \n 0000a040 # d' },
  { name: 'Quaternion', value: new Quaternion(0, 0, 0, 1), hex: '0f000000 # QUATERNION \n 00000000 00000000 00000000 0000803f # x y z w' },
  { name: 'AABB', value: new AABB(new Vector3(1, 2, 3), new Vector3(4, 5, 6)),
    hex: '10000000 # AABB \n 0000803f 00000040 00004040 # position \n 00008040 0000a040 0000c040 # size' },
  { name: 'Basis', value: basis,
    hex: '11000000 # BASIS, row-major \n 0000803f 00008040 0000e040 # row 0 = x.x y.x z.x \n 00000040 0000a040 00000041 # row 1 \n 00004040 0000c040 00001041 # row 2' },
  { name: 'Transform3D', value: new Transform3D(basis, new Vector3(10, 11, 12)),
    hex: '12000000 # TRANSFORM3D \n 0000803f 00008040 0000e040 00000040 0000a040 00000041 00004040 0000c040 00001041 # basis rows \n 00002041 00003041 00004041 # origin' },
  { name: 'Projection identity', value: new Projection(),
    hex: '13000000 # PROJECTION, columns \n 0000803f 00000000 00000000 00000000 \n 00000000 0000803f 00000000 00000000 \n 00000000 00000000 0000803f 00000000 \n 00000000 00000000 00000000 0000803f' },
  { name: 'Color', value: new Color(1, 0.5, 0.25, 1), hex: '14000000 # COLOR \n 0000803f 0000003f 0000803e 0000803f # r g b a' },
  { name: 'StringName', value: new StringName('hi'), hex: '15000000 # STRING_NAME \n 02000000 6869 0000' },
  { name: 'NodePath a/b:c', value: new NodePath('a/b:c'),
    hex: '16000000 # NODE_PATH \n 02000080 # 2 names | new-format bit \n 01000000 # 1 subname \n 00000000 # flags: relative \n 01000000 61000000 # "a" \n 01000000 62000000 # "b" \n 01000000 63000000 # "c"' },
  { name: 'NodePath "/" keeps absolute', value: new NodePath('/'), hex: '16000000 \n 00000080 # 0 names \n 00000000 \n 01000000 # flags: absolute' },
  { name: 'RID', value: new RID(5n), hex: '17000000 # RID \n 05000000 00000000 # u64 id' },
  { name: 'EncodedObjectAsID', value: new EncodedObjectAsID(5n), hex: '18000100 # OBJECT | FLAG_OBJECT_AS_ID \n 05000000 00000000 # instance id' },
  { name: 'GodotObject by id', value: new GodotObject('Node', new Map([['name', 'x']]), 0x509n), hex: '18000100 \n 09050000 00000000' },
  { name: 'GodotObject in full', options: { fullObjects: true }, value: new GodotObject('Node', new Map([['name', 'x']]), 0x509n),
    hex: '18000000 # OBJECT, full \n 04000000 4e6f6465 # class "Node" \n 01000000 # 1 property \n 04000000 6e616d65 # "name" \n 04000000 01000000 78000000 # "x"' },
  { name: 'Callable', value: new Callable(), hex: '19000000 # CALLABLE, no payload' },
  { name: 'Signal', value: new Signal('hit', 7n), hex: '1a000000 # SIGNAL \n 03000000 68697400 # "hit" \n 07000000 00000000 # object id' },
  { name: '{"a": 1}', value: { a: 1 }, hex: '1b000000 # DICTIONARY \n 01000000 # 1 entry \n 04000000 01000000 61000000 # key "a" \n 02000000 01000000 # value 1' },
  { name: 'Map {1: true}', value: new Map<Variant, Variant>([[1, true]]), hex: '1b000000 \n 01000000 \n 02000000 01000000 # key 1 \n 01000000 01000000 # true' },
  { name: '[]', value: [], hex: '1c000000 # ARRAY \n 00000000 # count' },
  { name: '[1, "a", null]', value: [1, 'a', null], hex: '1c000000 \n 03000000 \n 02000000 01000000 \n 04000000 01000000 61000000 \n 00000000' },
  { name: 'Array[int]', value: new TypedArray(builtin(T.INT), [7]),
    hex: '1c000100 # ARRAY, element kind 1 (builtin) \n 02000000 # element type INT \n 01000000 # count \n 02000000 07000000' },
  { name: 'Array[Node] without full objects', value: new TypedArray({ kind: 'class', className: 'Node' }, []),
    hex: '1c000200 # ARRAY, kind 2 (class name) \n 11000000 456e636f6465644f626a65637441734944 000000 # "EncodedObjectAsID" \n 00000000' },
  { name: 'Array[Node] with full objects', options: { fullObjects: true }, value: new TypedArray({ kind: 'class', className: 'Node' }, []),
    hex: '1c000200 \n 04000000 4e6f6465 # "Node" \n 00000000' },
  { name: 'Array[script] with full objects', options: { fullObjects: true }, value: new TypedArray({ kind: 'script', path: 'res://a.gd' }, []),
    hex: '1c000300 # kind 3 (script) \n 0a000000 7265733a2f2f612e6764 0000 # "res://a.gd" \n 00000000' },
  { name: 'Dictionary[String, int]', value: new TypedDictionary(builtin(T.STRING), builtin(T.INT), new Map([['a', 1]])),
    hex: '1b000500 # DICTIONARY, key kind 1 | value kind 1 << 2 \n 04000000 # key type STRING \n 02000000 # value type INT \n 01000000 \n 04000000 01000000 61000000 \n 02000000 01000000' },
  { name: 'Dictionary[Variant, int]', value: new TypedDictionary(null, builtin(T.INT), new Map()),
    hex: '1b000400 # value kind 1 only \n 02000000 # value type INT \n 00000000' },
  { name: 'PackedByteArray', value: new Uint8Array([1, 2, 3]), hex: '1d000000 # PACKED_BYTE_ARRAY \n 03000000 \n 010203 00 # + pad' },
  { name: 'Buffer', value: Buffer.from([1, 2, 3, 4]), hex: '1d000000 \n 04000000 \n 01020304' },
  { name: 'PackedInt32Array', value: new Int32Array([1, -1]), hex: '1e000000 # PACKED_INT32_ARRAY \n 02000000 \n 01000000 ffffffff' },
  { name: 'PackedInt64Array', value: new BigInt64Array([1n, -1n]), hex: '1f000000 # PACKED_INT64_ARRAY \n 02000000 \n 01000000 00000000 ffffffff ffffffff' },
  { name: 'PackedFloat32Array', value: new Float32Array([0.5, -2]), hex: '20000000 # PACKED_FLOAT32_ARRAY \n 02000000 \n 0000003f 000000c0' },
  { name: 'PackedFloat64Array', value: new Float64Array([0.1]), hex: '21000000 # PACKED_FLOAT64_ARRAY \n 01000000 \n 9a999999 9999b93f' },
  { name: 'PackedStringArray', value: new PackedStringArray(['ab', 'abc', '']),
    hex: '22000000 # PACKED_STRING_ARRAY \n 03000000 \n 03000000 616200 00 # "ab" + NUL (counted) + pad \n 04000000 61626300 # "abc" + NUL \n 01000000 00 000000 # "" + NUL + pad' },
  { name: 'PackedVector2Array', value: PackedVector2Array.from([new Vector2(1, 2)]), hex: '23000000 # PACKED_VECTOR2_ARRAY \n 01000000 \n 0000803f 00000040' },
  { name: 'PackedVector2Array double', value: PackedVector2Array.from([new Vector2(1, 2)], true),
    hex: '23000100 # | FLAG_64: backed by Float64Array \n 01000000 \n 00000000 0000f03f 00000000 00000040' },
  { name: 'PackedVector3Array', value: PackedVector3Array.from([new Vector3(1, 2, 3)]), hex: '24000000 \n 01000000 \n 0000803f 00000040 00004040' },
  { name: 'PackedColorArray', value: PackedColorArray.from([new Color(1, 0, 0, 1)]), hex: '25000000 \n 01000000 \n 0000803f 00000000 00000000 0000803f' },
  { name: 'PackedVector4Array', value: PackedVector4Array.from([new Vector4(1, 2, 3, 4)]), hex: '26000000 # PACKED_VECTOR4_ARRAY (4.3+) \n 01000000 \n 0000803f 00000040 00004040 00008040' },
  { name: 'realIsDouble Vector2', options: { realIsDouble: true }, value: new Vector2(1, 2),
    hex: '05000100 # VECTOR2 | FLAG_64 \n 00000000 0000f03f # 1.0 \n 00000000 00000040 # 2.0' },
  { name: 'realIsDouble leaves Color float32', options: { realIsDouble: true }, value: new Color(1, 1, 1, 1),
    hex: '14000000 \n 0000803f 0000803f 0000803f 0000803f' },
  { name: 'realIsDouble leaves Vector2i as int32', options: { realIsDouble: true }, value: new Vector2i(1, 2), hex: '06000000 01000000 02000000' },
  { name: 'realIsDouble PackedVector3Array', options: { realIsDouble: true }, value: PackedVector3Array.from([new Vector3(0.5, 0, 0)]),
    hex: '24000100 \n 01000000 \n 00000000 0000e03f 00000000 00000000 00000000 00000000' },
];

const ALL_3: Case[] = [
  ...SHARED,
  { name: 'Rect2', value: Rect2.of(1, 2, 3, 4), hex: '06000000 # 3.x RECT2 \n 0000803f 00000040 00004040 00008040' },
  { name: 'Vector3', value: new Vector3(1, 2, 3), hex: '07000000 # 3.x VECTOR3 \n 0000803f 00000040 00004040' },
  { name: 'Transform2D', value: new Transform2D(new Vector2(1, 2), new Vector2(3, 4), new Vector2(5, 6)),
    hex: '08000000 # 3.x TRANSFORM2D \n 0000803f 00000040 00004040 00008040 0000a040 0000c040' },
  { name: 'Plane', value: new Plane(new Vector3(0, 1, 0), -2.5), hex: '09000000 # 3.x PLANE \n 00000000 0000803f 00000000 000020c0' },
  { name: 'Quat', value: new Quaternion(0, 0, 0, 1), hex: '0a000000 # 3.x QUAT \n 00000000 00000000 00000000 0000803f' },
  { name: 'AABB', value: new AABB(new Vector3(1, 2, 3), new Vector3(4, 5, 6)), hex: '0b000000 # 3.x AABB \n 0000803f 00000040 00004040 00008040 0000a040 0000c040' },
  { name: 'Basis', value: basis, hex: '0c000000 # 3.x BASIS \n 0000803f 00008040 0000e040 00000040 0000a040 00000041 00004040 0000c040 00001041' },
  { name: 'Transform', value: new Transform3D(basis, new Vector3(10, 11, 12)),
    hex: '0d000000 # 3.x TRANSFORM \n 0000803f 00008040 0000e040 00000040 0000a040 00000041 00004040 0000c040 00001041 \n 00002041 00003041 00004041' },
  { name: 'Color', value: new Color(1, 0.5, 0.25, 1), hex: '0e000000 # 3.x COLOR \n 0000803f 0000003f 0000803e 0000803f' },
  { name: 'StringName is a String in 3.x', value: new StringName('hi'), hex: '04000000 # STRING \n 02000000 6869 0000' },
  { name: 'NodePath', value: new NodePath('/root/Main'),
    hex: '0f000000 # 3.x NODE_PATH \n 02000080 # 2 names, new format \n 00000000 # no subnames \n 01000000 # absolute \n 04000000 726f6f74 # "root" \n 04000000 4d61696e # "Main"' },
  { name: 'RID has no payload in 3.x', value: new RID(5n), hex: '10000000 # 3.x _RID, header only' },
  { name: 'object by id', value: new EncodedObjectAsID(0x509n), hex: '11000100 # 3.x OBJECT | FLAG_OBJECT_AS_ID \n 09050000 00000000' },
  { name: 'Reference in full', options: { fullObjects: true }, value: new GodotObject('Reference', new Map([['script', null]])),
    hex: '11000000 \n 09000000 5265666572656e6365 000000 # "Reference" \n 01000000 \n 06000000 736372697074 0000 # "script" \n 00000000 # null' },
  { name: 'Dictionary', value: { a: 1 }, hex: '12000000 # 3.x DICTIONARY \n 01000000 \n 04000000 01000000 61000000 \n 02000000 01000000' },
  { name: 'Array', value: [true], hex: '13000000 # 3.x ARRAY \n 01000000 \n 01000000 01000000' },
  { name: 'PoolByteArray', value: new Uint8Array([1, 2, 3]), hex: '14000000 \n 03000000 \n 010203 00' },
  { name: 'PoolIntArray', value: new Int32Array([1, -1]), hex: '15000000 \n 02000000 \n 01000000 ffffffff' },
  { name: 'PoolRealArray', value: new Float32Array([0.5]), hex: '16000000 \n 01000000 \n 0000003f' },
  { name: 'PoolStringArray', value: new PackedStringArray(['ab']), hex: '17000000 \n 01000000 \n 03000000 616200 00' },
  { name: 'PoolVector2Array', value: PackedVector2Array.from([new Vector2(1, 2)]), hex: '18000000 \n 01000000 \n 0000803f 00000040' },
  { name: 'PoolVector2Array from Float64Array: float32 in 3.x', value: PackedVector2Array.from([new Vector2(1, 2)], true), hex: '18000000 \n 01000000 \n 0000803f 00000040' },
  { name: 'PoolVector3Array', value: PackedVector3Array.from([new Vector3(1, 2, 3)]), hex: '19000000 \n 01000000 \n 0000803f 00000040 00004040' },
  { name: 'PoolColorArray', value: PackedColorArray.from([new Color(0, 0.5, 1, 0.25)]), hex: '1a000000 \n 01000000 \n 00000000 0000003f 0000803f 0000803e' },
];

test('every type in the Godot 4 id space', () => check(ALL_4, { godot: 4 }));
test('every type in the Godot 3 id space', () => check(ALL_3, { godot: 3 }));

test('a value decoded from a double build keeps FLAG_64 (4.x) and is float32 in 3.x', () => {
  const v = new Vector3(0.1, 2, 3);
  v[REAL_IS_DOUBLE] = true;
  assert.equal(toHex(varToBytes(v)), toHex(fromHex('09000100 9a9999999999b93f 0000000000000040 0000000000000840')));
  assert.equal(toHex(varToBytes(v, { godot: 3 })), toHex(fromHex('07000000 cdcccc3d 00000040 00004040')));
});

test('typed containers in older 4.x profiles: 4.0–4.2 write both untyped, 4.3 only dictionaries', () => {
  const arr = new TypedArray(builtin(T.INT), [7]);
  const dict = new TypedDictionary(builtin(T.INT), null, new Map([[1, 2]]));
  const untypedArr = toHex(fromHex('1c000000 01000000 02000000 07000000'));
  const untypedDict = toHex(fromHex('1b000000 01000000 02000000 01000000 02000000 02000000'));
  assert.equal(toHex(varToBytes(arr, { godot: '4.2' })), untypedArr);
  assert.equal(toHex(varToBytes(dict, { godot: '4.2' })), untypedDict);
  assert.equal(toHex(varToBytes(arr, { godot: '4.3' })), toHex(fromHex('1c000100 02000000 01000000 02000000 07000000')));
  assert.equal(toHex(varToBytes(dict, { godot: '4.3' })), untypedDict);
  assert.equal(toHex(varToBytes(dict, { godot: '4.4' })), toHex(fromHex('1b000100 02000000 01000000 02000000 01000000 02000000 02000000')));
});

test('types a profile lacks are ERR_INVALID_PARAMETER', () => {
  const missingIn3: Variant[] = [
    new Vector2i(), new Rect2i(), new Vector3i(), new Vector4(), new Vector4i(), new Projection(),
    new Callable(), new Signal(), new BigInt64Array(1), new Float64Array(1),
    new TypedArray(builtin(T.INT)), new TypedDictionary(builtin(T.INT), null), PackedVector4Array.from([]),
    [new Vector2i()], // nested too
  ];
  for (const v of missingIn3) assert.equal(code(() => varToBytes(v, { godot: 3 })), Error.ERR_INVALID_PARAMETER, String(v));
  assert.equal(code(() => varToBytes(PackedVector4Array.from([]), { godot: '4.2' })), Error.ERR_INVALID_PARAMETER);
  assert.equal(code(() => varToBytes(new Vector2(), { godot: 3, realIsDouble: true })), Error.ERR_INVALID_PARAMETER);
  assert.equal(code(() => varToBytes(1, { godot: 5 as unknown as 4 })), Error.ERR_INVALID_PARAMETER);
});

test('values Godot cannot hold are ERR_INVALID_PARAMETER', () => {
  const bad: Array<[string, unknown]> = [
    ['int above int64', 2n ** 63n], ['int below int64', -(2n ** 63n) - 1n],
    ['Vector2i non-integer', new Vector2i(1.5, 0)], ['Vector2i above int32', new Vector2i(2 ** 31, 0)],
    ['Vector3i NaN', new Vector3i(0, Number.NaN, 0)], ['Rect2i', Rect2i.of(0, 0, 0, -(2 ** 31) - 1)],
    ['RID negative', new RID(-1n)], ['RID above uint64', new RID(2n ** 64n)],
    ['object id negative', new EncodedObjectAsID(-5n)], ['Signal id', new Signal('s', 2n ** 64n)],
    ['function', () => 1], ['symbol', Symbol('x')], ['Date', new Date(0)], ['Int8Array', new Int8Array(2)],
    ['Set', new Set([1])], ['bigint component', new Vector2(1n as unknown as number, 0)],
    ['builtin element type out of range', new TypedArray(builtin(99 as T))],
  ];
  for (const [name, v] of bad) assert.equal(code(() => varToBytes(v as Variant)), Error.ERR_INVALID_PARAMETER, name);
  assert.equal(code(() => varToBytes(new TypedArray({ kind: 'script', path: 'user://x.gd' }), { fullObjects: true })), Error.ERR_UNAVAILABLE);
});

test('nesting deeper than maxDepth (default 1024) is ERR_OUT_OF_MEMORY, so are cycles', () => {
  const nest = (n: number): Variant => { let v: Variant = null; for (let i = 0; i < n; i++) v = [v]; return v; };
  assert.equal(varToBytes(nest(1024)).length, 1024 * 8 + 4); // the innermost null sits at depth 1024
  assert.equal(code(() => varToBytes(nest(1025))), Error.ERR_OUT_OF_MEMORY);
  assert.equal(code(() => varToBytes(nest(3), { maxDepth: 2 })), Error.ERR_OUT_OF_MEMORY);
  assert.equal(varToBytes(nest(2), { maxDepth: 2 }).length, 20);
  const loop: Variant[] = [];
  loop.push(loop);
  assert.equal(code(() => varToBytes(loop)), Error.ERR_OUT_OF_MEMORY);
  const obj: Record<string, Variant> = {};
  obj['self'] = obj;
  assert.equal(code(() => varToBytes(obj)), Error.ERR_OUT_OF_MEMORY);
  assert.equal(code(() => varToBytes(null, { maxDepth: -1 })), Error.ERR_INVALID_PARAMETER);
});

test('results are independent and survive later encodes (pooled chunks are never rewritten)', () => {
  const a = varToBytes('first');
  const big = varToBytes(new Uint8Array(100_000));
  const b = varToBytes([1, 2, 3]);
  assert.equal(toHex(a), toHex(fromHex('04000000 05000000 6669727374 000000')));
  assert.equal(big.length, 100_008);
  assert.equal(toHex(b), toHex(fromHex('1c000000 03000000 02000000 01000000 02000000 02000000 02000000 03000000')));
  // Many small values: each still holds its own bytes afterwards.
  const many = Array.from({ length: 2000 }, (_, i) => varToBytes(i));
  many.forEach((bytes, i) => assert.equal(new DataView(bytes.buffer, bytes.byteOffset).getInt32(4, true), i));
});

test('an error mid-value leaves the encoder usable', () => {
  assert.equal(code(() => varToBytes(['ok', new Vector2i(0.5, 0)])), Error.ERR_INVALID_PARAMETER);
  assert.equal(toHex(varToBytes(['ok'])), toHex(fromHex('1c000000 01000000 04000000 02000000 6f6b0000')));
});

test('a re-entrant encode (a getter calling varToBytes) gets its own buffer', () => {
  const inner = { get x(): Variant { return toHex(varToBytes(7)); } };
  const bytes = varToBytes(inner as unknown as Variant);
  assert.equal(toHex(bytes), toHex(fromHex('1b000000 01000000 04000000 01000000 78000000 04000000 10000000') ) + toHex(new TextEncoder().encode('0200000007000000')));
});

test('encodeVariant writes into a caller buffer at an offset, or fails with ERR_OUT_OF_MEMORY', () => {
  const target = new Uint8Array(16).fill(0xee);
  assert.equal(encodeVariant('hi', target, 3), 12);
  assert.equal(toHex(target), `eeeeee${toHex(fromHex('04000000 02000000 68690000'))}ee`);
  assert.equal(code(() => encodeVariant('hello', target, 8)), Error.ERR_OUT_OF_MEMORY);
  assert.equal(code(() => encodeVariant(1, target, 17)), Error.ERR_INVALID_PARAMETER);
  assert.equal(encodeVariant(1, target, 8), 8); // exact fit
});
