/**
 * Deep Variant equality with Godot's semantics — Godot 4's `==` on Variants, made total.
 * @see godot core/variant/variant.cpp Variant::hash_compare, Array/Dictionary::recursive_equal
 *
 * - Types must match as Godot sees them: INT 1 (`1`, `1n`) ≠ FLOAT 1.0 (`float(1)`);
 *   String ≠ StringName; Array ≠ typed Array; untyped ≠ typed Dictionary; a Map and a plain
 *   object with the same String keys are the same Dictionary; a Buffer and a Uint8Array with
 *   the same bytes are the same PackedByteArray.
 * - Floats (FLOAT, real components, float packed arrays) compare by value: 0.0 == −0.0, as in
 *   Godot; and NaN == NaN (unlike Godot's `==`, like its hash_compare) so that a decoded NaN
 *   equals itself — for tests and change detection.
 * - Precision is not part of the value: a Vector2 decoded from doubles equals the same Vector2
 *   in float32; a PackedVector2Array backed by Float64Array equals one backed by Float32Array.
 * - Dictionaries compare by content, regardless of order (Godot 4); Arrays in order.
 * - Objects: EncodedObjectAsID by id; GodotObject by class, id and properties.
 * The same object is equal to itself; beyond a nesting of 1100, values compare by identity
 * (so self-referencing values terminate).
 */
import type { ContainerType } from './containers.js';
import { TypedArray, TypedDictionary } from './containers.js';
import { AABB, Color, Plane, Quaternion, Rect2, Rect2i } from './geometry.js';
import { NodePath } from './node-path.js';
import { EncodedObjectAsID, GodotObject, Signal } from './object.js';
import {
  PackedColorArray, PackedStringArray, PackedVector2Array, PackedVector3Array, PackedVector4Array,
} from './packed.js';
import { Float, RID, StringName } from './scalars.js';
import { Basis, Projection, Transform2D, Transform3D } from './transforms.js';
import { variantTypeOrNone } from './type-of.js';
import type { Variant, VariantRecord } from './variant.js';
import { VariantType as T } from './variant-type.js';
import { Vector2, Vector2i, Vector3, Vector3i, Vector4, Vector4i } from './vectors.js';

/** Beyond this nesting (past any decodable depth) values compare by identity. */
const MAX_DEPTH = 1100;

export function variantEquals(a: Variant, b: Variant): boolean {
  return eq(a, b, 0);
}

function feq(x: number, y: number): boolean {
  return x === y || (x !== x && y !== y);
}

function numbersEqual(a: ArrayLike<number>, b: ArrayLike<number>, n = a.length): boolean {
  if (a.length < n || b.length < n) return false;
  for (let i = 0; i < n; i++) if (!feq(a[i]!, b[i]!)) return false;
  return true;
}

function eq(a: Variant, b: Variant, depth: number): boolean {
  if (a === b && typeof a === 'object') return true;
  if (depth > MAX_DEPTH) return a === b;
  const ta = variantTypeOrNone(a);
  if (ta === -1 || ta !== variantTypeOrNone(b)) return false;
  switch (ta) {
    case T.NIL: case T.CALLABLE: return true;
    case T.BOOL: case T.STRING: return a === b;
    case T.INT:
      return typeof a === 'number' && typeof b === 'number' ? a === b : BigInt(a as number | bigint) === BigInt(b as number | bigint);
    case T.FLOAT: return feq(Number(a), Number(b));
    case T.STRING_NAME: return (a as StringName).value === (b as StringName).value;
    case T.NODE_PATH: return (a as NodePath).equals(b as NodePath);
    case T.RID: return (a as RID).id === (b as RID).id;
    case T.SIGNAL: return (a as Signal).name === (b as Signal).name && (a as Signal).objectId === (b as Signal).objectId;
    case T.OBJECT: return objectsEqual(a as EncodedObjectAsID | GodotObject, b as EncodedObjectAsID | GodotObject, depth);
    case T.ARRAY: return arraysEqual(a as Variant[] | TypedArray, b as Variant[] | TypedArray, depth);
    case T.DICTIONARY: return dictionariesEqual(a, b, depth);
    case T.PACKED_BYTE_ARRAY: case T.PACKED_INT32_ARRAY: case T.PACKED_INT64_ARRAY: {
      const x = a as Uint8Array | Int32Array | BigInt64Array;
      const y = b as Uint8Array | Int32Array | BigInt64Array;
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
      return true;
    }
    case T.PACKED_FLOAT32_ARRAY: case T.PACKED_FLOAT64_ARRAY: {
      const x = a as Float32Array | Float64Array;
      const y = b as Float32Array | Float64Array;
      return x.length === y.length && numbersEqual(x, y);
    }
    case T.PACKED_STRING_ARRAY: {
      const x = (a as PackedStringArray).items;
      const y = (b as PackedStringArray).items;
      return x.length === y.length && x.every((s, i) => s === y[i]);
    }
    case T.PACKED_VECTOR2_ARRAY: case T.PACKED_VECTOR3_ARRAY: case T.PACKED_VECTOR4_ARRAY:
    case T.PACKED_COLOR_ARRAY: {
      type P = PackedVector2Array | PackedVector3Array | PackedVector4Array | PackedColorArray;
      const x = a as P;
      const y = b as P;
      return x.length === y.length && numbersEqual(x.data, y.data, x.length * x.stride);
    }
    default:
      return numbersEqual(components(a), components(b));
  }
}

/** Math values as flat component lists, in wire order. */
function components(v: Variant): number[] {
  if (v instanceof Vector2 || v instanceof Vector2i) return [v.x, v.y];
  if (v instanceof Vector3 || v instanceof Vector3i) return [v.x, v.y, v.z];
  if (v instanceof Vector4 || v instanceof Vector4i || v instanceof Quaternion) return [v.x, v.y, v.z, v.w];
  if (v instanceof Color) return [v.r, v.g, v.b, v.a];
  if (v instanceof Rect2 || v instanceof Rect2i) return [v.position.x, v.position.y, v.size.x, v.size.y];
  if (v instanceof Plane) return [v.normal.x, v.normal.y, v.normal.z, v.d];
  if (v instanceof AABB) return [...components(v.position), ...components(v.size)];
  if (v instanceof Transform2D) return [v.x.x, v.x.y, v.y.x, v.y.y, v.origin.x, v.origin.y];
  if (v instanceof Basis) return [...components(v.x), ...components(v.y), ...components(v.z)];
  if (v instanceof Transform3D) return [...components(v.basis), ...components(v.origin)];
  if (v instanceof Projection) return [v.x, v.y, v.z, v.w].flatMap((c) => components(c));
  return [Number.NaN, 0]; // unreachable for math types; never equal to anything of length 2+
}

function containerTypesEqual(a: ContainerType | null, b: ContainerType | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.kind === 'builtin' && b.kind === 'builtin') return a.type === b.type;
  if (a.kind === 'class' && b.kind === 'class') return a.className === b.className;
  if (a.kind === 'script' && b.kind === 'script') return a.path === b.path;
  return false;
}

function arraysEqual(a: Variant[] | TypedArray, b: Variant[] | TypedArray, depth: number): boolean {
  const ea = a instanceof TypedArray ? a.elementType : null;
  const eb = b instanceof TypedArray ? b.elementType : null;
  if (!containerTypesEqual(ea, eb)) return false;
  const x = a instanceof TypedArray ? a.items : a;
  const y = b instanceof TypedArray ? b.items : b;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!eq(x[i], y[i], depth + 1)) return false;
  return true;
}

type Entries = Array<[Variant, Variant]>;

function entriesOf(d: Variant): Entries {
  if (d instanceof Map) return [...(d as Map<Variant, Variant>)];
  if (d instanceof TypedDictionary) return [...d.entries];
  const r = d as VariantRecord;
  return Object.keys(r).map((k): [Variant, Variant] => [k, r[k]]);
}

function dictionariesEqual(a: Variant, b: Variant, depth: number): boolean {
  const ta = a instanceof TypedDictionary ? a : null;
  const tb = b instanceof TypedDictionary ? b : null;
  if (!containerTypesEqual(ta?.keyType ?? null, tb?.keyType ?? null) ||
      !containerTypesEqual(ta?.valueType ?? null, tb?.valueType ?? null)) return false;
  return entriesEqual(entriesOf(a), entriesOf(b), depth);
}

/** Same entries in any order (same order is the fast path). */
function entriesEqual(x: Entries, y: Entries, depth: number): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    const [k, v] = x[i]!;
    const same = y[i]!;
    if (eq(k, same[0], depth + 1)) {
      if (!eq(v, same[1], depth + 1)) return false;
      continue;
    }
    const other = y.find(([k2]) => eq(k, k2, depth + 1));
    if (other === undefined || !eq(v, other[1], depth + 1)) return false;
  }
  return true;
}

function objectsEqual(a: EncodedObjectAsID | GodotObject, b: EncodedObjectAsID | GodotObject, depth: number): boolean {
  if (a instanceof EncodedObjectAsID || b instanceof EncodedObjectAsID) {
    return a instanceof EncodedObjectAsID && b instanceof EncodedObjectAsID && a.objectId === b.objectId;
  }
  if (a.className !== b.className || a.objectId !== b.objectId || a.properties.size !== b.properties.size) return false;
  for (const [name, value] of a.properties) {
    if (!b.properties.has(name) || !eq(value, b.properties.get(name), depth + 1)) return false;
  }
  return true;
}
