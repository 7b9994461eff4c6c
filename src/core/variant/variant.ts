/**
 * The JS shape of a Godot Variant.
 *
 * | Godot                         | JS (decode gives)                         | also accepted by encode |
 * |-------------------------------|-------------------------------------------|-------------------------|
 * | nil                           | `null`                                    | `undefined`             |
 * | bool                          | `boolean`                                 |                         |
 * | int (64-bit)                  | `number` (safe range) or `bigint`         | `bigint`                |
 * | float                         | `number`, or {@link Float} when integral  | `number` non-integral   |
 * | String / StringName           | `string` / {@link StringName}             |                         |
 * | math types                    | their classes (Vector2 … Projection)      |                         |
 * | NodePath, RID                 | {@link NodePath}, {@link RID}             |                         |
 * | Object                        | `null`, EncodedObjectAsID, GodotObject    |                         |
 * | Callable, Signal              | {@link Callable}, {@link Signal}          |                         |
 * | Dictionary                    | `Map` (insertion order, any key type)     | plain object (String keys) |
 * | Array / Array[T]              | JS array / {@link TypedArray}             |                         |
 * | Dictionary[K,V]               | {@link TypedDictionary}                   |                         |
 * | packed arrays                 | typed arrays and the classes in packed.ts | `Buffer` (a Uint8Array) |
 */
import type { TypedArray, TypedDictionary } from './containers.js';
import type { AABB, Color, Plane, Quaternion, Rect2, Rect2i } from './geometry.js';
import type { NodePath } from './node-path.js';
import type { Callable, EncodedObjectAsID, GodotObject, Signal } from './object.js';
import type {
  PackedColorArray, PackedStringArray, PackedVector2Array, PackedVector3Array, PackedVector4Array,
} from './packed.js';
import type { Float, RID, StringName } from './scalars.js';
import type { Basis, Projection, Transform2D, Transform3D } from './transforms.js';
import type { Vector2, Vector2i, Vector3, Vector3i, Vector4, Vector4i } from './vectors.js';

export type Variant =
  | null | undefined | boolean | number | bigint | string
  | Float | StringName
  | Vector2 | Vector2i | Rect2 | Rect2i | Vector3 | Vector3i | Transform2D | Vector4 | Vector4i
  | Plane | Quaternion | AABB | Basis | Transform3D | Projection | Color
  | NodePath | RID | EncodedObjectAsID | GodotObject | Callable | Signal
  | Map<Variant, Variant> | VariantRecord | Variant[] | TypedArray | TypedDictionary
  | Uint8Array | Int32Array | BigInt64Array | Float32Array | Float64Array
  | PackedStringArray | PackedVector2Array | PackedVector3Array | PackedColorArray | PackedVector4Array;

/** A plain JS object, encoded as a Dictionary with String keys in `Object.keys` order. */
export interface VariantRecord { [key: string]: Variant }

/**
 * Which Godot's format to read and write. `3` = Godot 3.x (3.2+). `4` = current 4.x (the
 * default: typed arrays, PackedVector4Array, typed dictionaries). Finer 4.x versions exist
 * where the format changed: '4.0'–'4.2' (no typed containers, no PackedVector4Array),
 * '4.3' (typed arrays and PackedVector4Array, no typed dictionaries), '4.4'+ (all).
 */
export type GodotVersion = 3 | 4 | '3' | '3.2' | '3.x' | '4' | '4.x' |
  '4.0' | '4.1' | '4.2' | '4.3' | '4.4' | '4.5' | '4.6';
