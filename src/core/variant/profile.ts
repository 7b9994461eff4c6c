/**
 * Wire-format profiles: which Godot's Variant encoding the codec reads and writes.
 *
 * The format changed at three points that matter on the wire (godot-wire.md §1.2, §1.8, §1.12):
 * - 3.x → 4.0: a different type-id space (only NIL…STRING and VECTOR2 keep their ids);
 * - 4.3: typed Arrays carry their element type in the header, PACKED_VECTOR4_ARRAY (id 38) exists;
 * - 4.4: typed Dictionaries carry their key/value types.
 * A decoder rejects type ids ≥ its VARIANT_MAX, and silently ignores header flags it does not know.
 * @see godot core/io/marshalls.cpp; core/variant/variant.h (4.x), core/variant.h (3.x)
 */
import { Error, GodotError } from '../error.js';
import type { GodotVersion } from './variant.js';
import { VariantType as T } from './variant-type.js';

export interface Profile {
  /** Human-readable name: '3.x', '4.0-4.2', '4.3', '4.4+'. */
  readonly name: string;
  readonly major: 3 | 4;
  /** 4.3+: typed Array element type in header bits 16–17. */
  readonly typedArrays: boolean;
  /** 4.3+: PACKED_VECTOR4_ARRAY (38). */
  readonly packedVector4Array: boolean;
  /** 4.4+: typed Dictionary key/value types in header bits 16–19. */
  readonly typedDictionaries: boolean;
  /** First invalid type id: 27 (3.x), 38 (4.0–4.2), 39 (4.3+). */
  readonly variantMax: number;
  /**
   * 4.x type id (our canonical VariantType) → the id this profile writes, or −1 when the
   * profile has no such type. In 3.x STRING_NAME maps to STRING (Godot 3 has no StringName).
   */
  readonly writeIds: Int8Array;
  /** Wire type id (< variantMax) → canonical 4.x VariantType. */
  readonly readIds: Uint8Array;
}

/** Godot 3 ids in 4.x-id order: V4_TO_V3[t4] = t3, or −1 when 3.x lacks the type. */
const V3_OF_V4: ReadonlyArray<readonly [T, number]> = [
  [T.NIL, 0], [T.BOOL, 1], [T.INT, 2], [T.FLOAT, 3], [T.STRING, 4], [T.VECTOR2, 5],
  [T.RECT2, 6], [T.VECTOR3, 7], [T.TRANSFORM2D, 8], [T.PLANE, 9], [T.QUATERNION, 10],
  [T.AABB, 11], [T.BASIS, 12], [T.TRANSFORM3D, 13], [T.COLOR, 14], [T.NODE_PATH, 15],
  [T.RID, 16], [T.OBJECT, 17], [T.DICTIONARY, 18], [T.ARRAY, 19], [T.PACKED_BYTE_ARRAY, 20],
  [T.PACKED_INT32_ARRAY, 21], [T.PACKED_FLOAT32_ARRAY, 22], [T.PACKED_STRING_ARRAY, 23],
  [T.PACKED_VECTOR2_ARRAY, 24], [T.PACKED_VECTOR3_ARRAY, 25], [T.PACKED_COLOR_ARRAY, 26],
];

function makeProfile(
  name: string, major: 3 | 4, typedArrays: boolean, packedVector4Array: boolean,
  typedDictionaries: boolean,
): Profile {
  const variantMax = major === 3 ? 27 : packedVector4Array ? 39 : 38;
  const writeIds = new Int8Array(T.VARIANT_MAX).fill(-1);
  const readIds = new Uint8Array(variantMax);
  if (major === 3) {
    for (const [t4, t3] of V3_OF_V4) { writeIds[t4] = t3; readIds[t3] = t4; }
    writeIds[T.STRING_NAME] = 4;
  } else {
    for (let t = 0; t < variantMax; t++) { writeIds[t] = t; readIds[t] = t; }
  }
  return Object.freeze({
    name, major, typedArrays, packedVector4Array, typedDictionaries, variantMax, writeIds, readIds,
  });
}

export const PROFILE_3 = makeProfile('3.x', 3, false, false, false);
export const PROFILE_4_0 = makeProfile('4.0-4.2', 4, false, false, false);
export const PROFILE_4_3 = makeProfile('4.3', 4, true, true, false);
export const PROFILE_4_4 = makeProfile('4.4+', 4, true, true, true);
/** The default: current Godot 4.x. */
export const DEFAULT_PROFILE = PROFILE_4_4;

/**
 * Normalises a {@link GodotVersion} (default 4 = newest 4.x) into its profile. An unknown
 * version (possible from untyped JS) is ERR_INVALID_PARAMETER.
 */
export function profileOf(godot: GodotVersion | undefined): Profile {
  switch (godot) {
    case undefined: case 4: case '4': case '4.x': case '4.4': case '4.5': case '4.6':
      return PROFILE_4_4;
    case 3: case '3': case '3.2': case '3.x':
      return PROFILE_3;
    case '4.0': case '4.1': case '4.2':
      return PROFILE_4_0;
    case '4.3':
      return PROFILE_4_3;
    default:
      throw new GodotError(Error.ERR_INVALID_PARAMETER, `unknown Godot version ${String(godot)}`);
  }
}
