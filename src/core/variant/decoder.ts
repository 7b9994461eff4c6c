/**
 * Variant decoder: Godot's `decode_variant` (`bytes_to_var` / `bytes2var`, `PacketPeer.get_var`).
 * Byte order: little-endian, as Godot's marshalls.
 * @see godot core/io/marshalls.cpp decode_variant, _decode_string; godot-wire.md §1, §9
 *
 * CONTRACT — what the decoder may throw:
 * - only {@link GodotError}, carrying the Error Godot returns for the same bytes (ERR_INVALID_DATA
 *   for short fixed payloads, bad type ids, old NodePaths, bad UTF-8, bad counts; ERR_FILE_EOF
 *   for a string longer than the buffer; ERR_UNAUTHORIZED for a full object without
 *   `allowObjects`; ERR_UNAVAILABLE for an unknown class; ERR_OUT_OF_MEMORY beyond `maxDepth`);
 * - never a RangeError, TypeError or anything else: every read is bounds-checked before it is
 *   made, and the entry point converts anything unexpected (a bug, or a throwing `classExists`)
 *   into GodotError(ERR_BUG) with the original as `cause`.
 * Memory stays within a small multiple of the input: no count is used to size an allocation
 * unless the bytes it claims are present (packed arrays are checked first, as Godot does), and
 * Arrays, Dictionaries, PackedStringArrays, NodePath names and object properties grow only as
 * their elements decode — each element takes at least 4 input bytes, so a packet claiming
 * 2^31 elements fails as soon as its bytes run out, with the error Godot gives for that element.
 * Time is linear in the input, and nesting is limited by `maxDepth` (default 1024, like Godot 4;
 * Godot 3.2 had no limit — a documented deviation). Trailing bytes are not an error: the result's
 * `length` says how many were used (Godot's r_len).
 */
import { Error, GodotError } from '../error.js';
import { builtin, TypedArray, TypedDictionary, type ContainerType } from './containers.js';
import { defaultClassExists } from './class-db.js';
import { asGodotError, checkMaxDepth, DEFAULT_MAX_DEPTH } from './encoder.js';
import { AABB, Color, Plane, Quaternion, Rect2, Rect2i } from './geometry.js';
import { NodePath } from './node-path.js';
import { Callable, EncodedObjectAsID, GodotObject, Signal } from './object.js';
import {
  PackedColorArray, PackedStringArray, PackedVector2Array, PackedVector3Array, PackedVector4Array,
} from './packed.js';
import { DEFAULT_PROFILE, profileOf, type Profile } from './profile.js';
import { Float, RID, StringName } from './scalars.js';
import { Basis, Projection, Transform2D, Transform3D } from './transforms.js';
import { readUtf8 } from './utf8.js';
import type { GodotVersion, Variant } from './variant.js';
import { VariantType as T } from './variant-type.js';
import { REAL_IS_DOUBLE, Vector2, Vector2i, Vector3, Vector3i, Vector4, Vector4i, type RealPrecision } from './vectors.js';

export interface DecodeOptions {
  /** Source Godot (default 4 = newest 4.x). */
  godot?: GodotVersion;
  /** Accept full objects (class + properties) as GodotObject values. Default false, as in Godot. */
  allowObjects?: boolean;
  /** Deepest nesting accepted (default 1024). Deeper → ERR_OUT_OF_MEMORY. */
  maxDepth?: number;
  /**
   * Whether a class named by a full object exists (else ERR_UNAVAILABLE, as Godot). Default:
   * the built-in lists in class-db.ts; pass your own for any other class.
   */
  classExists?: (name: string) => boolean;
}

/**
 * A decoded value and the bytes it used (Godot's r_len; trailing bytes are not an error). Like
 * Godot, `length` counts a PackedByteArray's padding even when those bytes are absent, so it can
 * exceed the input's length by up to 3.
 */
export interface DecodeResult { value: Variant; length: number }

const FLAG_64 = 1 << 16;
const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO_32 = 4294967296;
const EMPTY = new Uint8Array(0);
const EMPTY_VIEW = new DataView(EMPTY.buffer);
const ENCODED_OBJECT_AS_ID = 'EncodedObjectAsID';
/** Inputs whose ArrayBuffer is larger than this are not kept referenced after the call. */
const MAX_CACHED = 1 << 20;

function invalidData(message: string): GodotError {
  return new GodotError(Error.ERR_INVALID_DATA, message);
}

/** FLOAT → number, except an integral value in the safe range (not −0) → Float, so it re-encodes as FLOAT. */
function floatValue(x: number): number | Float {
  return Number.isInteger(x) && Math.abs(x) <= Number.MAX_SAFE_INTEGER && (x !== 0 || 1 / x > 0)
    ? new Float(x) : x;
}

function markDouble<V extends RealPrecision>(v: V, d: boolean): V {
  if (d) v[REAL_IS_DOUBLE] = true;
  return v;
}

export class Decoder {
  /** The whole ArrayBuffer of the input, as bytes and as a DataView (cached between calls). */
  private u8: Uint8Array = EMPTY;
  private view: DataView = EMPTY_VIEW;
  private buffer: ArrayBufferLike = EMPTY.buffer;
  /** Absolute positions in `buffer`: the input is [base, end). */
  private base = 0;
  private pos = 0;
  private end = 0;
  private profile: Profile = DEFAULT_PROFILE;
  private readIds: Uint8Array = DEFAULT_PROFILE.readIds;
  private variantMax = DEFAULT_PROFILE.variantMax;
  private major: 3 | 4 = 4;
  private allowObjects = false;
  private maxDepth = DEFAULT_MAX_DEPTH;
  private classExists: (name: string) => boolean = defaultClassExists(4);
  /** Bytes used by the last decode (Godot's r_len). */
  length = 0;
  /** Set while decoding, so a re-entrant call (from `classExists`) gets its own decoder. */
  busy = false;

  /** Decodes one Variant from `bytes`; `length` then holds the bytes it used. */
  decode(bytes: Uint8Array, options?: DecodeOptions): Variant {
    if (!(bytes instanceof Uint8Array)) {
      throw new GodotError(Error.ERR_INVALID_PARAMETER, 'bytesToVar needs a Uint8Array');
    }
    this.configure(options);
    this.busy = true;
    try {
      if (bytes.buffer !== this.buffer) {
        this.buffer = bytes.buffer;
        this.u8 = new Uint8Array(bytes.buffer);
        this.view = new DataView(bytes.buffer);
      }
      this.base = this.pos = bytes.byteOffset;
      this.end = bytes.byteOffset + bytes.byteLength;
      const value = this.value(0);
      this.length = this.pos - this.base;
      return value;
    } catch (e) {
      throw asGodotError(e, Error.ERR_BUG);
    } finally {
      this.busy = false;
      if (this.buffer.byteLength > MAX_CACHED) this.release();
    }
  }

  private configure(options: DecodeOptions | undefined): void {
    if (options === undefined) {
      this.setProfile(DEFAULT_PROFILE);
      this.allowObjects = false;
      this.maxDepth = DEFAULT_MAX_DEPTH;
      this.classExists = defaultClassExists(4);
      return;
    }
    const profile = profileOf(options.godot);
    this.maxDepth = checkMaxDepth(options.maxDepth);
    this.setProfile(profile);
    this.allowObjects = options.allowObjects === true;
    this.classExists = options.classExists ?? defaultClassExists(profile.major);
  }

  private setProfile(p: Profile): void {
    this.profile = p;
    this.readIds = p.readIds;
    this.variantMax = p.variantMax;
    this.major = p.major;
  }

  /** Drops the reference to a large input so it can be collected. */
  private release(): void {
    this.buffer = EMPTY.buffer;
    this.u8 = EMPTY;
    this.view = EMPTY_VIEW;
  }

  private need(n: number, what: string): void {
    if (this.end - this.pos < n) throw invalidData(`${what}: needs ${n} bytes, ${Math.max(0, this.end - this.pos)} left`);
  }

  private u32(): number { const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  private i32(): number { const v = this.view.getInt32(this.pos, true); this.pos += 4; return v; }
  private f32(): number { const v = this.view.getFloat32(this.pos, true); this.pos += 4; return v; }
  private f64(): number { const v = this.view.getFloat64(this.pos, true); this.pos += 8; return v; }
  private u64(): bigint { const v = this.view.getBigUint64(this.pos, true); this.pos += 8; return v; }
  private real(d: boolean): number { return d ? this.f64() : this.f32(); }

  /** Whether a real-valued payload is double (4.x FLAG_64; Godot 3 ignores the flag); checks length. */
  private reals(header: number, components: number, what: string): boolean {
    const d = this.major === 4 && (header & FLAG_64) !== 0;
    this.need(components * (d ? 8 : 4), what);
    return d;
  }

  private value(depth: number): Variant {
    if (depth > this.maxDepth) {
      throw new GodotError(Error.ERR_OUT_OF_MEMORY, `Variant nested deeper than ${this.maxDepth}`);
    }
    this.need(4, 'Variant header');
    const header = this.u32();
    const wire = header & 0xff;
    if (wire >= this.variantMax) throw invalidData(`type id ${wire} >= VARIANT_MAX (${this.variantMax})`);
    const t: T = this.readIds[wire]!;
    switch (t) {
      case T.NIL: return null;
      case T.BOOL: this.need(4, 'bool'); return this.u32() !== 0;
      case T.INT:
        if (header & FLAG_64) return this.int64();
        this.need(4, 'int'); return this.i32();
      case T.FLOAT:
        if (header & FLAG_64) { this.need(8, 'float'); return floatValue(this.f64()); }
        this.need(4, 'float'); return floatValue(this.f32());
      case T.STRING: return this.string();
      case T.VECTOR2: {
        const d = this.reals(header, 2, 'Vector2');
        return markDouble(new Vector2(this.real(d), this.real(d)), d);
      }
      case T.VECTOR3: {
        const d = this.reals(header, 3, 'Vector3');
        return markDouble(new Vector3(this.real(d), this.real(d), this.real(d)), d);
      }
      case T.ARRAY: return this.array(header, depth);
      case T.DICTIONARY: return this.dictionary(header, depth);
      case T.COLOR:
        this.need(16, 'Color');
        return new Color(this.f32(), this.f32(), this.f32(), this.f32());
      case T.STRING_NAME: return new StringName(this.string());
      case T.NODE_PATH: return this.nodePath();
      case T.OBJECT: return this.object(header, depth);
      case T.RID:
        if (this.major === 3) return new RID(0n); // Godot 3 sends no RID payload.
        this.need(8, 'RID'); return new RID(this.u64());
      case T.CALLABLE: return new Callable(); // never transferable: no payload
      case T.SIGNAL: {
        const name = this.string();
        this.need(8, 'Signal object id');
        return new Signal(name, this.u64());
      }
      default:
        return t >= T.PACKED_BYTE_ARRAY ? this.packed(t, header) : this.math(t, header);
    }
  }

  private int64(): number | bigint {
    this.need(8, 'int64');
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getInt32(this.pos + 4, true);
    const v = hi * TWO_32 + lo;
    if (v >= -Number.MAX_SAFE_INTEGER && v <= Number.MAX_SAFE_INTEGER) { this.pos += 8; return v; }
    const b = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return b;
  }

  /** `_decode_string`: u32 length, bytes, padding that must be present (its values are ignored). */
  private string(): string {
    this.need(4, 'string length');
    const n = this.i32();
    const padded = n + ((4 - (n & 3)) & 3);
    if (n < 0 || padded > this.end - this.pos) {
      throw new GodotError(Error.ERR_FILE_EOF, `string of ${n} bytes (padded ${padded}) past the end`);
    }
    const s = readUtf8(this.u8, this.pos, this.pos + n);
    this.pos += padded;
    return s;
  }

  /** A PackedStringArray element: its length counts a trailing NUL, which is stripped. */
  private stringElement(): string {
    this.need(4, 'string length');
    const n = this.i32();
    const padded = n + ((4 - (n & 3)) & 3);
    if (n < 0 || padded > this.end - this.pos) {
      throw new GodotError(Error.ERR_FILE_EOF, `string of ${n} bytes (padded ${padded}) past the end`);
    }
    const stop = n > 0 && this.u8[this.pos + n - 1] === 0 ? this.pos + n - 1 : this.pos + n;
    const s = readUtf8(this.u8, this.pos, stop);
    this.pos += padded;
    return s;
  }

  private math(t: T, header: number): Variant {
    switch (t) {
      case T.VECTOR2I: this.need(8, 'Vector2i'); return new Vector2i(this.i32(), this.i32());
      case T.RECT2: {
        const d = this.reals(header, 4, 'Rect2');
        return markDouble(Rect2.of(this.real(d), this.real(d), this.real(d), this.real(d)), d);
      }
      case T.RECT2I: this.need(16, 'Rect2i'); return Rect2i.of(this.i32(), this.i32(), this.i32(), this.i32());
      case T.VECTOR3I: this.need(12, 'Vector3i'); return new Vector3i(this.i32(), this.i32(), this.i32());
      case T.TRANSFORM2D: {
        const d = this.reals(header, 6, 'Transform2D');
        const x = new Vector2(this.real(d), this.real(d));
        const y = new Vector2(this.real(d), this.real(d));
        return markDouble(new Transform2D(x, y, new Vector2(this.real(d), this.real(d))), d);
      }
      case T.VECTOR4: {
        const d = this.reals(header, 4, 'Vector4');
        return markDouble(new Vector4(this.real(d), this.real(d), this.real(d), this.real(d)), d);
      }
      case T.VECTOR4I:
        this.need(16, 'Vector4i'); return new Vector4i(this.i32(), this.i32(), this.i32(), this.i32());
      case T.PLANE: {
        const d = this.reals(header, 4, 'Plane');
        const n = new Vector3(this.real(d), this.real(d), this.real(d));
        return markDouble(new Plane(n, this.real(d)), d);
      }
      case T.QUATERNION: {
        const d = this.reals(header, 4, 'Quaternion');
        return markDouble(new Quaternion(this.real(d), this.real(d), this.real(d), this.real(d)), d);
      }
      case T.AABB: {
        const d = this.reals(header, 6, 'AABB');
        const p = new Vector3(this.real(d), this.real(d), this.real(d));
        return markDouble(new AABB(p, new Vector3(this.real(d), this.real(d), this.real(d))), d);
      }
      case T.BASIS: {
        const d = this.reals(header, 9, 'Basis');
        return markDouble(this.basisRows(d), d);
      }
      case T.TRANSFORM3D: {
        const d = this.reals(header, 12, 'Transform3D');
        const b = this.basisRows(d);
        return markDouble(new Transform3D(b, new Vector3(this.real(d), this.real(d), this.real(d))), d);
      }
      case T.PROJECTION: {
        const d = this.reals(header, 16, 'Projection');
        const c = (): Vector4 => new Vector4(this.real(d), this.real(d), this.real(d), this.real(d));
        const x = c(), y = c(), z = c();
        return markDouble(new Projection(x, y, z, c()), d);
      }
      default:
        throw new GodotError(Error.ERR_BUG, `unhandled Variant type ${t}`);
    }
  }

  /** Basis rows on the wire: row i = (x[i], y[i], z[i]) of the column vectors. */
  private basisRows(d: boolean): Basis {
    const r: number[] = [];
    for (let i = 0; i < 9; i++) r.push(this.real(d));
    const at = (i: number): number => r[i]!;
    return new Basis(
      new Vector3(at(0), at(3), at(6)), new Vector3(at(1), at(4), at(7)), new Vector3(at(2), at(5), at(8)),
    );
  }

  /** New format only: name count | 0x80000000, subname count, flags, then the strings. */
  private nodePath(): NodePath {
    this.need(4, 'NodePath');
    const first = this.view.getUint32(this.pos, true);
    if (!(first & 0x80000000)) throw invalidData('old-format NodePath');
    this.need(12, 'NodePath');
    const nameCount = first & 0x7fffffff;
    this.pos += 4;
    let subCount = this.u32();
    const flags = this.u32();
    if (flags & 2) subCount = (subCount + 1) >>> 0; // obsolete separate property name
    const total = (nameCount + subCount) >>> 0;
    const names: string[] = [];
    const subnames: string[] = [];
    for (let i = 0; i < total; i++) (i < nameCount ? names : subnames).push(this.string());
    // Godot drops `absolute` when there are no names/subnames; we keep it (deviation).
    return NodePath.fromParts(names, subnames, (flags & 1) !== 0);
  }

  private object(header: number, depth: number): Variant {
    if (header & FLAG_64) { // ENCODE_FLAG_OBJECT_AS_ID: always allowed
      this.need(8, 'object id');
      const id = this.u64();
      return id === 0n ? null : new EncodedObjectAsID(id);
    }
    if (!this.allowObjects) {
      throw new GodotError(Error.ERR_UNAUTHORIZED, 'full object on the wire while allowObjects is false');
    }
    const className = this.string();
    if (className === '') return null;
    if (!this.classExists(className)) throw new GodotError(Error.ERR_UNAVAILABLE, `unknown class "${className}"`);
    this.need(4, 'object property count');
    const count = this.i32();
    const properties = new Map<string, Variant>();
    for (let i = 0; i < count; i++) {
      const name = this.string();
      properties.set(name, this.value(depth + 1));
    }
    return new GodotObject(className, properties);
  }

  /** Typed-container descriptor for kind 0–3 (4.3+ arrays, 4.4+ dictionaries); null = untyped. */
  private containerType(kind: number): ContainerType | null {
    switch (kind) {
      case 0: return null;
      case 1: {
        this.need(4, 'container element type');
        const bt = this.i32();
        if (bt < 0 || bt >= this.variantMax) throw invalidData(`container element type ${bt}`);
        if (bt === T.NIL) return null;
        if (bt === T.OBJECT && !this.allowObjects) return { kind: 'class', className: ENCODED_OBJECT_AS_ID };
        return builtin(bt);
      }
      case 2: {
        const className = this.string();
        return { kind: 'class', className: this.allowObjects ? className : ENCODED_OBJECT_AS_ID };
      }
      default: {
        const path = this.string();
        if (!this.allowObjects) return { kind: 'class', className: ENCODED_OBJECT_AS_ID };
        if (!path.startsWith('res://')) throw invalidData(`invalid script path "${path}"`);
        return { kind: 'script', path };
      }
    }
  }

  private array(header: number, depth: number): Variant[] | TypedArray {
    const type = this.profile.typedArrays ? this.containerType((header >>> 16) & 3) : null;
    this.need(4, 'Array count');
    const count = this.u32() & 0x7fffffff; // bit 31: legacy "shared" flag
    const items: Variant[] = [];
    for (let i = 0; i < count; i++) items.push(this.value(depth + 1));
    return type === null ? items : new TypedArray(type, items);
  }

  private dictionary(header: number, depth: number): Map<Variant, Variant> | TypedDictionary {
    let keyType: ContainerType | null = null;
    let valueType: ContainerType | null = null;
    if (this.profile.typedDictionaries) {
      keyType = this.containerType((header >>> 16) & 3);
      valueType = this.containerType((header >>> 18) & 3);
    }
    this.need(4, 'Dictionary count');
    const count = this.u32() & 0x7fffffff;
    const map = new Map<Variant, Variant>();
    for (let i = 0; i < count; i++) {
      let key = this.value(depth + 1);
      const value = this.value(depth + 1);
      // A Map would fold the key −0.0 into 0 (INT 0): keep it a FLOAT key.
      if (key === 0 && 1 / key < 0) key = new Float(-0);
      map.set(key, value);
    }
    return keyType === null && valueType === null ? map : new TypedDictionary(keyType, valueType, map);
  }

  /** Count check as Godot: negative or more than the remaining bytes → ERR_INVALID_DATA. */
  private count(size: number, what: string): number {
    this.need(4, what);
    const count = this.i32();
    if (count < 0 || count * size > this.end - this.pos) {
      throw invalidData(`${what} of ${count} elements does not fit in ${this.end - this.pos} bytes`);
    }
    return count;
  }

  /** `n` bytes copied out into a fresh, aligned ArrayBuffer. */
  private copy(n: number): ArrayBuffer {
    const out = new Uint8Array(n);
    out.set(this.u8.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out.buffer;
  }

  private floats(n: number, double: boolean): Float32Array | Float64Array {
    if (HOST_LE) return double ? new Float64Array(this.copy(n * 8)) : new Float32Array(this.copy(n * 4));
    const out = double ? new Float64Array(n) : new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.real(double);
    return out;
  }

  private packed(t: T, header: number): Variant {
    switch (t) {
      case T.PACKED_BYTE_ARRAY: {
        const n = this.count(1, 'PackedByteArray');
        const out = new Uint8Array(this.copy(n));
        this.pos += (4 - (n & 3)) & 3; // r_len counts the padding even when it is absent
        return out;
      }
      case T.PACKED_INT32_ARRAY: {
        const n = this.count(4, 'PackedInt32Array');
        if (HOST_LE) return new Int32Array(this.copy(n * 4));
        const out = new Int32Array(n);
        for (let i = 0; i < n; i++) out[i] = this.i32();
        return out;
      }
      case T.PACKED_INT64_ARRAY: {
        const n = this.count(8, 'PackedInt64Array');
        if (HOST_LE) return new BigInt64Array(this.copy(n * 8));
        const out = new BigInt64Array(n);
        for (let i = 0; i < n; i++) { out[i] = this.view.getBigInt64(this.pos, true); this.pos += 8; }
        return out;
      }
      case T.PACKED_FLOAT32_ARRAY: return this.floats(this.count(4, 'PackedFloat32Array'), false);
      case T.PACKED_FLOAT64_ARRAY: return this.floats(this.count(8, 'PackedFloat64Array'), true);
      case T.PACKED_STRING_ARRAY: {
        this.need(4, 'PackedStringArray count');
        const count = this.i32(); // read as int32: 0xFFFFFFFF gives an empty array, as in Godot
        const items: string[] = [];
        for (let i = 0; i < count; i++) items.push(this.stringElement());
        return new PackedStringArray(items);
      }
      case T.PACKED_COLOR_ARRAY:
        return new PackedColorArray(this.floats(this.count(16, 'PackedColorArray') * 4, false) as Float32Array);
      default:
        return this.packedVectors(t, header);
    }
  }

  /** Packed Vector2/3/4 arrays: float32, or double with FLAG_64 (4.x). */
  private packedVectors(t: T, header: number): Variant {
    const d = this.major === 4 && (header & FLAG_64) !== 0;
    const size = d ? 8 : 4;
    switch (t) {
      case T.PACKED_VECTOR2_ARRAY:
        return new PackedVector2Array(this.floats(this.count(2 * size, 'PackedVector2Array') * 2, d));
      case T.PACKED_VECTOR3_ARRAY:
        return new PackedVector3Array(this.floats(this.count(3 * size, 'PackedVector3Array') * 3, d));
      case T.PACKED_VECTOR4_ARRAY:
        return new PackedVector4Array(this.floats(this.count(4 * size, 'PackedVector4Array') * 4, d));
      default:
        throw new GodotError(Error.ERR_BUG, `unhandled Variant type ${t}`);
    }
  }
}
