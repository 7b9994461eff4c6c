/**
 * variantEquals (equals.ts), typeOf (type-of.ts) and profiles (profile.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error, GodotError } from '../../src/core/error.js';
import { profileOf, typeOf, variantEquals } from '../../src/core/variant/codec.js';
import { builtin, TypedArray, TypedDictionary } from '../../src/core/variant/containers.js';
import { AABB, Color, Plane, Quaternion, Rect2, Rect2i } from '../../src/core/variant/geometry.js';
import { NodePath } from '../../src/core/variant/node-path.js';
import { Callable, EncodedObjectAsID, GodotObject, Signal } from '../../src/core/variant/object.js';
import {
  PackedColorArray, PackedStringArray, PackedVector2Array, PackedVector3Array, PackedVector4Array,
} from '../../src/core/variant/packed.js';
import { float, RID, StringName } from '../../src/core/variant/scalars.js';
import { Basis, Projection, Transform2D, Transform3D } from '../../src/core/variant/transforms.js';
import type { GodotVersion, Variant } from '../../src/core/variant/variant.js';
import { VariantType as T, VariantType3 as T3 } from '../../src/core/variant/variant-type.js';
import { REAL_IS_DOUBLE, Vector2, Vector2i, Vector3, Vector3i, Vector4, Vector4i } from '../../src/core/variant/vectors.js';

test('INT and FLOAT are different types; the same INT as number or bigint is equal', () => {
  assert.ok(variantEquals(1, 1));
  assert.ok(variantEquals(5, 5n));
  assert.ok(variantEquals(2n ** 60n, 2n ** 60n));
  assert.ok(!variantEquals(1, float(1)));
  assert.ok(variantEquals(float(1.5), 1.5));
  assert.ok(variantEquals(Number.NaN, Number.NaN)); // documented: NaN equals NaN here
  assert.ok(variantEquals(-0, float(0))); // Godot: 0.0 == -0.0
  assert.ok(!variantEquals(0, -0)); // INT 0 vs FLOAT -0.0
  assert.ok(!variantEquals('a', new StringName('a')));
  assert.ok(variantEquals(null, undefined));
  assert.ok(!variantEquals(null, false));
  assert.ok(!variantEquals(new Date(0) as unknown as Variant, new Date(0) as unknown as Variant)); // not Variants
});

test('math values compare by components; precision marks do not matter', () => {
  const d = new Vector2(1, 2);
  d[REAL_IS_DOUBLE] = true;
  assert.ok(variantEquals(d, new Vector2(1, 2)));
  assert.ok(!variantEquals(new Vector2(1, 2), new Vector2(1, 3)));
  assert.ok(!variantEquals(new Vector2(1, 2), new Vector2i(1, 2)));
  assert.ok(variantEquals(new Vector2(Number.NaN, 0), new Vector2(Number.NaN, 0)));
  assert.ok(variantEquals(new Transform3D(), new Transform3D(new Basis(), new Vector3())));
  assert.ok(!variantEquals(new Transform3D(), new Transform3D(new Basis(), new Vector3(0, 0, 1))));
  assert.ok(!variantEquals(new Projection(), new Projection(new Vector4(1, 0, 0, 0), new Vector4(0, 1, 0, 0), new Vector4(0, 0, 1, 0), new Vector4(0, 0, 0, 2))));
  assert.ok(variantEquals(new Color(1, 0, 0), new Color(1, 0, 0, 1)));
  assert.ok(variantEquals(PackedVector2Array.from([new Vector2(1, 2)], true), PackedVector2Array.from([new Vector2(1, 2)])));
  assert.ok(!variantEquals(PackedVector2Array.from([new Vector2(1, 2)]), PackedVector2Array.from([new Vector2(1, 2), new Vector2()])));
});

test('containers: Map and plain object are the same Dictionary; order matters for Arrays only', () => {
  assert.ok(variantEquals({ a: 1, b: [2] }, new Map<Variant, Variant>([['b', [2]], ['a', 1]])));
  assert.ok(!variantEquals({ a: 1 }, { a: float(1) }));
  assert.ok(!variantEquals({ a: 1 }, { a: 1, b: 2 }));
  assert.ok(variantEquals(new Map<Variant, Variant>([[new Vector2(1, 2), 'v']]), new Map<Variant, Variant>([[new Vector2(1, 2), 'v']])));
  assert.ok(!variantEquals([1, 2], [2, 1]));
  assert.ok(!variantEquals([1], new TypedArray(builtin(T.INT), [1])));
  assert.ok(variantEquals(new TypedArray(builtin(T.INT), [1]), new TypedArray(builtin(T.INT), [1])));
  assert.ok(!variantEquals(new TypedArray(builtin(T.INT), [1]), new TypedArray(builtin(T.FLOAT), [1])));
  assert.ok(!variantEquals(new Map(), new TypedDictionary(builtin(T.INT), null)));
  assert.ok(variantEquals(new TypedDictionary(builtin(T.INT), null, new Map([[1, 2]])), new TypedDictionary(builtin(T.INT), null, new Map([[1, 2]]))));
  assert.ok(variantEquals(Buffer.from([1, 2]), new Uint8Array([1, 2])));
  assert.ok(!variantEquals(new Uint8Array([1, 2]), new Int32Array([1, 2])));
  assert.ok(variantEquals(new PackedStringArray(['a']), new PackedStringArray(['a'])));
  const loop: Variant[] = [];
  loop.push(loop);
  assert.ok(variantEquals(loop, loop)); // terminates
});

test('objects, NodePath, RID, Signal, Callable', () => {
  assert.ok(variantEquals(new EncodedObjectAsID(3n), new EncodedObjectAsID(3n)));
  assert.ok(!variantEquals(new EncodedObjectAsID(3n), new GodotObject('Node', new Map(), 3n)));
  assert.ok(variantEquals(new GodotObject('Node', new Map([['a', 1]])), new GodotObject('Node', new Map([['a', 1]]))));
  assert.ok(!variantEquals(new GodotObject('Node', new Map([['a', 1]])), new GodotObject('Node', new Map([['a', 2]]))));
  assert.ok(variantEquals(new NodePath('/a/b:c'), NodePath.fromParts(['a', 'b'], ['c'], true)));
  assert.ok(!variantEquals(new NodePath('a'), new NodePath('/a')));
  assert.ok(!variantEquals(new RID(1n), new RID(2n)));
  assert.ok(variantEquals(new Signal('s', 1n), new Signal('s', 1n)));
  assert.ok(variantEquals(new Callable(), new Callable()));
});

test('typeOf gives the type id in each id space', () => {
  const cases: Array<[Variant, number, number | null]> = [
    [null, T.NIL, T3.NIL], [true, T.BOOL, T3.BOOL], [1, T.INT, T3.INT], [2n ** 60n, T.INT, T3.INT],
    [1.5, T.FLOAT, T3.REAL], [float(1), T.FLOAT, T3.REAL], [-0, T.FLOAT, T3.REAL], [2 ** 53, T.FLOAT, T3.REAL],
    ['s', T.STRING, T3.STRING], [new StringName('s'), T.STRING_NAME, T3.STRING],
    [new Vector2(), T.VECTOR2, T3.VECTOR2], [new Vector2i(), T.VECTOR2I, null], [Rect2.of(0, 0, 0, 0), T.RECT2, T3.RECT2],
    [new Rect2i(), T.RECT2I, null], [new Vector3(), T.VECTOR3, T3.VECTOR3], [new Vector3i(), T.VECTOR3I, null],
    [new Transform2D(), T.TRANSFORM2D, T3.TRANSFORM2D], [new Vector4(), T.VECTOR4, null], [new Vector4i(), T.VECTOR4I, null],
    [new Plane(), T.PLANE, T3.PLANE], [new Quaternion(), T.QUATERNION, T3.QUAT], [new AABB(), T.AABB, T3.AABB],
    [new Basis(), T.BASIS, T3.BASIS], [new Transform3D(), T.TRANSFORM3D, T3.TRANSFORM], [new Projection(), T.PROJECTION, null],
    [new Color(), T.COLOR, T3.COLOR], [new NodePath('a'), T.NODE_PATH, T3.NODE_PATH], [new RID(), T.RID, T3._RID],
    [new EncodedObjectAsID(1n), T.OBJECT, T3.OBJECT], [new GodotObject('Node'), T.OBJECT, T3.OBJECT],
    [new Callable(), T.CALLABLE, null], [new Signal(), T.SIGNAL, null], [{}, T.DICTIONARY, T3.DICTIONARY],
    [new Map(), T.DICTIONARY, T3.DICTIONARY], [new TypedDictionary(null, builtin(T.INT)), T.DICTIONARY, null],
    [[], T.ARRAY, T3.ARRAY], [new TypedArray(builtin(T.INT)), T.ARRAY, null],
    [new Uint8Array(), T.PACKED_BYTE_ARRAY, T3.POOL_BYTE_ARRAY], [new Int32Array(), T.PACKED_INT32_ARRAY, T3.POOL_INT_ARRAY],
    [new BigInt64Array(), T.PACKED_INT64_ARRAY, null], [new Float32Array(), T.PACKED_FLOAT32_ARRAY, T3.POOL_REAL_ARRAY],
    [new Float64Array(), T.PACKED_FLOAT64_ARRAY, null], [new PackedStringArray(), T.PACKED_STRING_ARRAY, T3.POOL_STRING_ARRAY],
    [PackedVector2Array.from([]), T.PACKED_VECTOR2_ARRAY, T3.POOL_VECTOR2_ARRAY],
    [PackedVector3Array.from([]), T.PACKED_VECTOR3_ARRAY, T3.POOL_VECTOR3_ARRAY],
    [PackedColorArray.from([]), T.PACKED_COLOR_ARRAY, T3.POOL_COLOR_ARRAY], [PackedVector4Array.from([]), T.PACKED_VECTOR4_ARRAY, null],
  ];
  for (const [v, id4, id3] of cases) {
    assert.equal(typeOf(v), id4, `${String(v)} in 4.x`);
    if (id3 === null) {
      assert.throws(() => typeOf(v, 3), (e) => e instanceof GodotError && e.code === Error.ERR_INVALID_PARAMETER);
    } else {
      assert.equal(typeOf(v, 3), id3, `${String(v)} in 3.x`);
    }
  }
  assert.throws(() => typeOf(PackedVector4Array.from([]), '4.2'), GodotError);
  assert.throws(() => typeOf(new Int8Array() as unknown as Variant), GodotError);
});

test('profiles', () => {
  const cases: Array<[GodotVersion | undefined, string, number, boolean, boolean]> = [
    [undefined, '4.4+', 39, true, true], [4, '4.4+', 39, true, true], ['4.x', '4.4+', 39, true, true],
    ['4.6', '4.4+', 39, true, true], ['4.3', '4.3', 39, true, false], ['4.2', '4.0-4.2', 38, false, false],
    ['4.0', '4.0-4.2', 38, false, false], [3, '3.x', 27, false, false], ['3.2', '3.x', 27, false, false],
  ];
  for (const [v, name, max, typedArrays, typedDictionaries] of cases) {
    const p = profileOf(v);
    assert.deepEqual([p.name, p.variantMax, p.typedArrays, p.typedDictionaries], [name, max, typedArrays, typedDictionaries], String(v));
  }
  assert.equal(profileOf('4.2').packedVector4Array, false);
  assert.equal(profileOf('4.3').packedVector4Array, true);
  assert.throws(() => profileOf('2' as GodotVersion), (e) => e instanceof GodotError && e.code === Error.ERR_INVALID_PARAMETER);
});
