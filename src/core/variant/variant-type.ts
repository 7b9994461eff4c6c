/**
 * Variant type ids as they appear in the low byte of an encoded Variant's header.
 * The two id spaces differ: only NIL..STRING and VECTOR2 share ids between 3.x and 4.x.
 * @see godot core/variant/variant.h (4.x), core/variant.h (3.x); godot-wire.md §1.2
 */
export enum VariantType {
  NIL = 0, BOOL = 1, INT = 2, FLOAT = 3, STRING = 4,
  VECTOR2 = 5, VECTOR2I = 6, RECT2 = 7, RECT2I = 8, VECTOR3 = 9, VECTOR3I = 10,
  TRANSFORM2D = 11, VECTOR4 = 12, VECTOR4I = 13, PLANE = 14, QUATERNION = 15, AABB = 16,
  BASIS = 17, TRANSFORM3D = 18, PROJECTION = 19, COLOR = 20, STRING_NAME = 21,
  NODE_PATH = 22, RID = 23, OBJECT = 24, CALLABLE = 25, SIGNAL = 26, DICTIONARY = 27,
  ARRAY = 28, PACKED_BYTE_ARRAY = 29, PACKED_INT32_ARRAY = 30, PACKED_INT64_ARRAY = 31,
  PACKED_FLOAT32_ARRAY = 32, PACKED_FLOAT64_ARRAY = 33, PACKED_STRING_ARRAY = 34,
  PACKED_VECTOR2_ARRAY = 35, PACKED_VECTOR3_ARRAY = 36, PACKED_COLOR_ARRAY = 37,
  /** 4.3+ only; in 4.0–4.2 id 38 is VARIANT_MAX. */
  PACKED_VECTOR4_ARRAY = 38,
  VARIANT_MAX = 39,
}

/** Godot 3.x Variant type ids (`Variant::Type` in 3.x). */
export enum VariantType3 {
  NIL = 0, BOOL = 1, INT = 2, REAL = 3, STRING = 4, VECTOR2 = 5, RECT2 = 6, VECTOR3 = 7,
  TRANSFORM2D = 8, PLANE = 9, QUAT = 10, AABB = 11, BASIS = 12, TRANSFORM = 13, COLOR = 14,
  NODE_PATH = 15, _RID = 16, OBJECT = 17, DICTIONARY = 18, ARRAY = 19, POOL_BYTE_ARRAY = 20,
  POOL_INT_ARRAY = 21, POOL_REAL_ARRAY = 22, POOL_STRING_ARRAY = 23, POOL_VECTOR2_ARRAY = 24,
  POOL_VECTOR3_ARRAY = 25, POOL_COLOR_ARRAY = 26,
  VARIANT_MAX = 27,
}
