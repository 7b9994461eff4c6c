/**
 * The wide value set of the Godot 3 interop tests, as gdwire model values. It mirrors
 * test/godot/values3.gd entry by entry (same names, same order, same values — real-valued
 * math components rounded to float32 as Godot 3 stores them), so that each side can check
 * what the other decoded, not only that an echo is symmetric. The interop test asserts the
 * two name lists are identical.
 */
import { AABB, Color, Plane, Quaternion, Rect2 } from '../../src/core/variant/geometry.js';
import { NodePath } from '../../src/core/variant/node-path.js';
import {
  PackedColorArray, PackedStringArray, PackedVector2Array, PackedVector3Array,
} from '../../src/core/variant/packed.js';
import { float, RID } from '../../src/core/variant/scalars.js';
import { Basis, Transform2D, Transform3D } from '../../src/core/variant/transforms.js';
import type { Variant } from '../../src/core/variant/variant.js';
import { Vector2, Vector3 } from '../../src/core/variant/vectors.js';

export interface NamedValue {
  name: string;
  value: Variant;
  /** True for values that cannot come back equal through a Godot echo (an Object's id). */
  godotOnly?: boolean;
}

const f = Math.fround;
const v2 = (x: number, y: number): Vector2 => new Vector2(f(x), f(y));
const v3 = (x: number, y: number, z: number): Vector3 => new Vector3(f(x), f(y), f(z));
const dict = (entries: Array<[Variant, Variant]>): Map<Variant, Variant> => new Map(entries);

function longString(): string {
  let s = '';
  for (let i = 0; i < 300; i++) s += i % 7 === 0 ? 'é' : String.fromCharCode(97 + (i % 26));
  return s;
}

function deepArray(): Variant[] {
  let deep: Variant[] = ['bottom'];
  for (let i = 0; i < 16; i++) deep = [i, deep];
  return deep;
}

const basis = (): Basis => new Basis(v3(1, 2, 3), v3(4, 5, 6), v3(7, 8, 9));

/** A fresh copy each call (tests may not share mutable values). */
export function godot3Values(): NamedValue[] {
  return [
    { name: 'nil', value: null },
    { name: 'bool_false', value: false },
    { name: 'bool_true', value: true },
    { name: 'int_0', value: 0 },
    { name: 'int_1', value: 1 },
    { name: 'int_-1', value: -1 },
    { name: 'int_i32_max', value: 2147483647 },
    { name: 'int_i32_min', value: -2147483648 },
    { name: 'int64_2^31', value: 2147483648 },
    { name: 'int64_-2^31-1', value: -2147483649 },
    { name: 'int64_2^53+1', value: 9007199254740993n },
    { name: 'int64_max', value: 9223372036854775807n },
    { name: 'int64_min', value: -9223372036854775808n },
    { name: 'real_0', value: float(0) },
    { name: 'real_neg0', value: -0 },
    { name: 'real_1', value: float(1) },
    { name: 'real_-3', value: float(-3) },
    { name: 'real_0.5', value: 0.5 },
    { name: 'real_0.1_f64', value: 0.1 },
    { name: 'real_1div3_f64', value: 1 / 3 },
    { name: 'real_pi_f64', value: Math.PI },
    { name: 'real_1e10_f32exact', value: float(1e10) },
    { name: 'real_2^53', value: float(2 ** 53) },
    { name: 'real_1e20_f64', value: 1e20 },
    { name: 'real_1e300_f64', value: 1e300 },
    { name: 'real_1e-10_f64', value: 1e-10 },
    { name: 'real_16777217_f64', value: float(16777217) },
    { name: 'real_f32_denormal', value: 2 ** -149 },
    { name: 'real_f64_denormal', value: 2 ** -1074 },
    { name: 'real_inf', value: Infinity },
    { name: 'real_-inf', value: -Infinity },
    { name: 'real_nan', value: NaN },
    { name: 'string_empty', value: '' },
    { name: 'string_a', value: 'a' },
    { name: 'string_abc', value: 'abc' },
    { name: 'string_abcd', value: 'abcd' },
    { name: 'string_abcde', value: 'abcde' },
    { name: 'string_unicode', value: 'héllo wörld 日本語' },
    { name: 'string_emoji', value: '😀 ok 🎮' },
    { name: 'string_controls', value: 'tab\there\nnewline "quoted" \\back' },
    { name: 'string_long', value: longString() },
    // Godot 3 holds lone surrogates and writes them as 3-byte sequences (ED A0 80…).
    { name: 'string_lone_surrogates', value: 'a\uD800b\uDFFF' },
    { name: 'string_long_lone_surrogate', value: `${'x'.repeat(80)}\uDC00end\uFFFF\u{10FFFF}` },
    { name: 'vector2', value: v2(1.5, -2.25) },
    { name: 'vector2_f32round', value: v2(0.1, 1e20) },
    { name: 'vector2_neg0', value: new Vector2(-0, 0) },
    { name: 'rect2', value: new Rect2(v2(1, 2), v2(3.5, -4)) },
    { name: 'vector3', value: v3(1, -2, 0.3) },
    { name: 'vector3_inf', value: new Vector3(Infinity, -Infinity, 0) },
    { name: 'transform2d', value: new Transform2D(v2(1, 2), v2(3, 4), v2(5, 6)) },
    { name: 'plane', value: new Plane(v3(0, 1, 0), -5.5) },
    { name: 'quat', value: new Quaternion(f(0.1), f(0.2), f(0.3), f(0.9)) },
    { name: 'aabb', value: new AABB(v3(1, 2, 3), v3(4, 5, 6)) },
    { name: 'basis', value: basis() },
    { name: 'transform', value: new Transform3D(basis(), v3(10, 11, 12)) },
    { name: 'color', value: new Color(f(0.1), f(0.2), f(0.3), f(0.4)) },
    { name: 'color_opaque', value: new Color(1, 0.5, 0) },
    { name: 'nodepath_empty', value: new NodePath('') },
    { name: 'nodepath_rel', value: new NodePath('Node') },
    { name: 'nodepath_abs', value: new NodePath('/root/Main') },
    { name: 'nodepath_rel_subs', value: new NodePath('../Sibling:position:x') },
    { name: 'nodepath_abs_sub', value: new NodePath('/root/Main:prop') },
    { name: 'nodepath_only_sub', value: new NodePath(':abcde') },
    { name: 'nodepath_unicode', value: new NodePath('日/é:x') },
    { name: 'rid_empty', value: new RID() },
    // Godot sends a live Reference as its instance id; only Godot knows the id.
    { name: 'object_as_id', value: null, godotOnly: true },
    { name: 'dict_empty', value: dict([]) },
    { name: 'dict_simple', value: dict([['a', 1]]) },
    {
      name: 'dict_mixed_keys',
      value: dict([[true, [1]], [1, 'one'], ['two', 2.5], [v2(1, 2), null], [new NodePath('a/b'), 'np']]),
    },
    { name: 'dict_int_and_float_key', value: dict([[1, 'int'], [float(1), 'float'], ['1', 'string']]) },
    {
      name: 'dict_nested',
      value: dict([
        ['k', dict([['inner', [1, 'x', null]]])],
        ['e', dict([])],
        ['d', dict([['deeper', dict([['x', new Int32Array([1, 2])]])]])],
      ]),
    },
    { name: 'array_empty', value: [] },
    { name: 'array_one', value: [1] },
    { name: 'array_mixed', value: [null, true, 2, 3.5, 'four', v2(5, 6), new Color(1, 0, 0)] },
    { name: 'array_nested', value: [[], [1, [2, [3]]], dict([['a', []]])] },
    { name: 'array_deep', value: deepArray() },
    { name: 'array_with_nodepath', value: [new NodePath('x:y'), 'z', new NodePath('/abc')] },
    { name: 'array_many_ints', value: Array.from({ length: 400 }, (_, i) => i * 1000003 - 200000000) },
    { name: 'pool_byte_empty', value: new Uint8Array(0) },
    { name: 'pool_byte_5', value: new Uint8Array([0, 255, 128, 127, 1]) },
    { name: 'pool_byte_3000', value: Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) % 256) },
    { name: 'pool_byte_60000_near_udp_max', value: Uint8Array.from({ length: 60000 }, (_, i) => (i * 13 + 5) % 251) },
    { name: 'pool_int_empty', value: new Int32Array(0) },
    { name: 'pool_int', value: new Int32Array([0, 1, -1, 2147483647, -2147483648]) },
    { name: 'pool_real_empty', value: new Float32Array(0) },
    { name: 'pool_real', value: new Float32Array([0, 1.5, -2.25, 0.1, Infinity, NaN, -0]) },
    { name: 'pool_string_empty', value: new PackedStringArray([]) },
    { name: 'pool_string', value: new PackedStringArray(['', 'a', 'abc', 'abcd', '日本', '😀']) },
    { name: 'pool_vector2_empty', value: PackedVector2Array.from([]) },
    { name: 'pool_vector2', value: PackedVector2Array.from([v2(1, 2), v2(-0.5, 0.25), v2(0.1, 3)]) },
    { name: 'pool_vector3_empty', value: PackedVector3Array.from([]) },
    { name: 'pool_vector3', value: PackedVector3Array.from([v3(1, 2, 3), v3(-1, -2, -3)]) },
    { name: 'pool_color_empty', value: PackedColorArray.from([]) },
    { name: 'pool_color', value: PackedColorArray.from([new Color(1, 0, 0, 1), new Color(0, 0.5, 1, 0.25)]) },
    {
      name: 'array_of_pools',
      value: [
        new Uint8Array([1, 2, 3]), new Int32Array([7]), new Float32Array([0.5]),
        new PackedStringArray(['s']), PackedVector2Array.from([v2(1, 1)]),
        PackedVector3Array.from([v3(1, 1, 1)]), PackedColorArray.from([new Color(0, 0, 0)]),
      ],
    },
  ];
}
