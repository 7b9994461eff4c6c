/**
 * The Variant type of a JS value, by the mapping in variant.ts — Godot's `typeof()`.
 * @see godot core/variant/variant.h Variant::get_type
 */
import { Error, GodotError } from '../error.js';
import { TypedArray, TypedDictionary } from './containers.js';
import { AABB, Color, Plane, Quaternion, Rect2, Rect2i } from './geometry.js';
import { NodePath } from './node-path.js';
import { Callable, EncodedObjectAsID, GodotObject, Signal } from './object.js';
import {
  PackedColorArray, PackedStringArray, PackedVector2Array, PackedVector3Array, PackedVector4Array,
} from './packed.js';
import { profileOf } from './profile.js';
import { Float, RID, StringName } from './scalars.js';
import { Basis, Projection, Transform2D, Transform3D } from './transforms.js';
import type { GodotVersion, Variant } from './variant.js';
import { VariantType as T } from './variant-type.js';
import { Vector2, Vector2i, Vector3, Vector3i, Vector4, Vector4i } from './vectors.js';

/** Classes and their (4.x) type, in the order the encoder checks them. */
const CLASSES: ReadonlyArray<readonly [abstract new (...args: never[]) => object, T]> = [
  [Vector2, T.VECTOR2], [Float, T.FLOAT], [Vector3, T.VECTOR3], [Map, T.DICTIONARY],
  [Color, T.COLOR], [StringName, T.STRING_NAME], [NodePath, T.NODE_PATH],
  [Vector2i, T.VECTOR2I], [Vector3i, T.VECTOR3I], [Quaternion, T.QUATERNION],
  [Transform2D, T.TRANSFORM2D], [Transform3D, T.TRANSFORM3D], [Basis, T.BASIS], [Rect2, T.RECT2],
  [Rect2i, T.RECT2I], [Vector4, T.VECTOR4], [Vector4i, T.VECTOR4I], [Plane, T.PLANE], [AABB, T.AABB],
  [Projection, T.PROJECTION],
  [Uint8Array, T.PACKED_BYTE_ARRAY], [Int32Array, T.PACKED_INT32_ARRAY],
  [BigInt64Array, T.PACKED_INT64_ARRAY], [Float32Array, T.PACKED_FLOAT32_ARRAY],
  [Float64Array, T.PACKED_FLOAT64_ARRAY], [PackedStringArray, T.PACKED_STRING_ARRAY],
  [PackedVector2Array, T.PACKED_VECTOR2_ARRAY], [PackedVector3Array, T.PACKED_VECTOR3_ARRAY],
  [PackedColorArray, T.PACKED_COLOR_ARRAY], [PackedVector4Array, T.PACKED_VECTOR4_ARRAY],
  [TypedArray, T.ARRAY], [TypedDictionary, T.DICTIONARY], [RID, T.RID],
  [EncodedObjectAsID, T.OBJECT], [GodotObject, T.OBJECT], [Callable, T.CALLABLE], [Signal, T.SIGNAL],
];

/** True for a `number` that encodes as INT: a safe integer other than −0. */
export function isIntNumber(v: number): boolean {
  return Number.isSafeInteger(v) && (v !== 0 || 1 / v > 0);
}

/** The 4.x VariantType of `v`, or −1 when `v` is not a Variant. */
export function variantTypeOrNone(v: unknown): T | -1 {
  switch (typeof v) {
    case 'number': return isIntNumber(v) ? T.INT : T.FLOAT;
    case 'bigint': return T.INT;
    case 'string': return T.STRING;
    case 'boolean': return T.BOOL;
    case 'undefined': return T.NIL;
    case 'object': {
      if (v === null) return T.NIL;
      if (Array.isArray(v)) return T.ARRAY;
      for (const [cls, t] of CLASSES) if (v instanceof cls) return t;
      const proto: unknown = Object.getPrototypeOf(v);
      return proto === Object.prototype || proto === null ? T.DICTIONARY : -1;
    }
    default: return -1;
  }
}

/**
 * Godot's type id of `v` in the given Godot's id space (default 4.x): e.g. a Vector3 is 9 in
 * Godot 4 and 7 in Godot 3; a StringName is STRING (4) in Godot 3.
 * @throws GodotError ERR_INVALID_PARAMETER when `v` is not a Variant or that Godot lacks its type.
 */
export function typeOf(v: Variant, godot?: GodotVersion): number {
  const profile = profileOf(godot);
  const t = variantTypeOrNone(v);
  if (t === -1) throw new GodotError(Error.ERR_INVALID_PARAMETER, 'not a Variant');
  const id = profile.writeIds[t]!;
  if (id < 0 || (profile.major === 3 && (v instanceof TypedArray || v instanceof TypedDictionary))) {
    throw new GodotError(Error.ERR_INVALID_PARAMETER, `${T[t]}${v instanceof TypedArray || v instanceof TypedDictionary ? ' (typed)' : ''} does not exist in Godot ${profile.name}`);
  }
  return id;
}
