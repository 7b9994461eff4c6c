/**
 * Variant encoder: Godot's `encode_variant` (`var_to_bytes` / `var2bytes`, `PacketPeer.put_var`).
 * Byte order: little-endian, as Godot's marshalls. Every encoded value is a multiple of 4 bytes.
 * @see godot core/io/marshalls.cpp encode_variant; godot-wire.md §1
 *
 * One pass into pooled, growable chunks (results are views, never rewritten). JS → Variant mapping
 * is variant.ts's table; the profile decides type ids and what exists (profile.ts). Anything
 * that cannot be written for the chosen Godot is GodotError(ERR_INVALID_PARAMETER); nesting
 * deeper than `maxDepth` is ERR_OUT_OF_MEMORY (Godot 4: "Potential infinite recursion"), which
 * also stops self-referencing arrays/objects. Only GodotError is thrown.
 */
import { Error, GodotError } from '../error.js';
import { TypedArray, TypedDictionary, type ContainerType } from './containers.js';
import { AABB, Color, Plane, Quaternion, Rect2, Rect2i } from './geometry.js';
import { NodePath } from './node-path.js';
import { Callable, EncodedObjectAsID, GodotObject, Signal } from './object.js';
import {
  PackedColorArray, PackedStringArray, PackedVector2Array, PackedVector3Array, PackedVector4Array,
} from './packed.js';
import { DEFAULT_PROFILE, profileOf, type Profile } from './profile.js';
import { Float, RID, StringName } from './scalars.js';
import { Basis, Projection, Transform2D, Transform3D } from './transforms.js';
import { utf8Length, writeUtf8 } from './utf8.js';
import type { GodotVersion, Variant, VariantRecord } from './variant.js';
import { VariantType as T } from './variant-type.js';
import { REAL_IS_DOUBLE, Vector2, Vector2i, Vector3, Vector3i, Vector4, Vector4i, type RealPrecision } from './vectors.js';

export interface EncodeOptions {
  /** Target Godot (default 4 = newest 4.x). */
  godot?: GodotVersion;
  /** Write GodotObjects in full (class + properties) instead of by instance id. Default false. */
  fullObjects?: boolean;
  /**
   * 4.x only: write real-valued math types (vectors, rects, transforms, planes, quaternions,
   * AABB, Basis, Projection, packed vector arrays) with FLAG_64 and double components, as a
   * `real_t = double` Godot build does. Default false. Values decoded from such a build carry
   * `[REAL_IS_DOUBLE]` and are written double anyway.
   */
  realIsDouble?: boolean;
  /** Deepest nesting written (Godot's MAX_RECURSION_DEPTH, 1024). Deeper → ERR_OUT_OF_MEMORY. */
  maxDepth?: number;
}

export const DEFAULT_MAX_DEPTH = 1024;
/** Header bit 16: INT/FLOAT 64-bit payload, math types double, OBJECT sent by id. */
const FLAG_64 = 1 << 16;
const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Pool chunk size; results are views into chunks (see Encoder.encode). */
const CHUNK_SIZE = 16384;
/** Below this much room left, the next value starts a new chunk. */
const MIN_ROOM = 256;
/** A chunk grown past this (for one big value) is not reused for the next. */
const MAX_KEPT = 1 << 20;
const TWO_32 = 4294967296;
const U64_MAX = 0xffffffffffffffffn;
const ENCODED_OBJECT_AS_ID = 'EncodedObjectAsID';

function invalidParameter(message: string): GodotError {
  return new GodotError(Error.ERR_INVALID_PARAMETER, message);
}

/** Turns anything thrown while encoding into a GodotError (a user value JS could not convert). */
export function asGodotError(e: unknown, fallback: Error): GodotError {
  if (e instanceof GodotError) return e;
  const deep = e instanceof RangeError && /call stack/i.test(e.message);
  const err = deep
    ? new GodotError(Error.ERR_OUT_OF_MEMORY, 'Variant is too deep (JS stack exhausted)')
    : new GodotError(fallback, `unexpected ${e instanceof globalThis.Error ? e.name : typeof e}: ${String(e)}`);
  Object.defineProperty(err, 'cause', { value: e, enumerable: false });
  return err;
}

export function checkMaxDepth(maxDepth: number | undefined): number {
  if (maxDepth === undefined) return DEFAULT_MAX_DEPTH;
  if (!Number.isInteger(maxDepth) || maxDepth < 0) throw invalidParameter(`maxDepth ${maxDepth}`);
  return maxDepth;
}

export class Encoder {
  /** The current pool chunk (or, inside encodeInto, the caller's buffer). */
  private buf: Uint8Array = new Uint8Array(CHUNK_SIZE);
  private view: DataView = new DataView(this.buf.buffer);
  private pos = 0;
  /** Where the value being encoded starts in `buf`. */
  private start = 0;
  /** Writing into a caller's buffer: it cannot grow. */
  private fixed = false;
  private lastTarget: Uint8Array | null = null;
  private lastTargetView: DataView | null = null;
  private profile: Profile = DEFAULT_PROFILE;
  private ids: Int8Array = DEFAULT_PROFILE.writeIds;
  private major: 3 | 4 = 4;
  private fullObjects = false;
  private realIsDouble = false;
  private maxDepth = DEFAULT_MAX_DEPTH;
  /** Set while encoding, so a re-entrant call (a getter calling varToBytes) gets its own encoder. */
  busy = false;

  /**
   * Encodes `value`. The result is a view into a pooled chunk, as Node's Buffer pool does for
   * small Buffers: its bytes are never written again, but its ArrayBuffer may hold other results
   * (use byteOffset/byteLength, or `.slice()` for a private ArrayBuffer).
   */
  encode(value: Variant, options?: EncodeOptions): Uint8Array {
    this.begin(options);
    if (this.buf.length - this.pos < MIN_ROOM) this.setBuffer(new Uint8Array(CHUNK_SIZE), 0);
    this.start = this.pos;
    try {
      this.write(value, 0);
      const out = this.buf.subarray(this.start, this.pos);
      // The next value starts 8-aligned; a chunk grown for one big value is not kept for more.
      if (this.buf.length > MAX_KEPT) this.setBuffer(new Uint8Array(CHUNK_SIZE), 0);
      else this.pos = (this.pos + 7) & ~7;
      return out;
    } catch (e) {
      this.pos = this.start;
      throw asGodotError(e, Error.ERR_INVALID_PARAMETER);
    } finally {
      this.busy = false;
    }
  }

  /**
   * Encodes `value` into `target` at `offset`; returns the byte count. ERR_OUT_OF_MEMORY when
   * it does not fit (bytes past `offset` may then have been overwritten).
   */
  encodeInto(value: Variant, target: Uint8Array, offset: number, options?: EncodeOptions): number {
    if (!Number.isInteger(offset) || offset < 0 || offset > target.length) {
      throw invalidParameter(`offset ${offset} outside the target buffer`);
    }
    this.begin(options);
    const own = this.buf;
    const ownView = this.view;
    const ownPos = this.pos;
    if (this.lastTarget !== target || this.lastTargetView === null) {
      this.lastTarget = target;
      this.lastTargetView = new DataView(target.buffer, target.byteOffset, target.byteLength);
    }
    this.buf = target;
    this.view = this.lastTargetView;
    this.pos = offset;
    this.start = offset;
    this.fixed = true;
    try {
      this.write(value, 0);
      return this.pos - offset;
    } catch (e) {
      throw asGodotError(e, Error.ERR_INVALID_PARAMETER);
    } finally {
      this.fixed = false;
      this.busy = false;
      this.buf = own;
      this.view = ownView;
      this.pos = ownPos;
    }
  }

  private begin(options: EncodeOptions | undefined): void {
    if (options === undefined) {
      this.profile = DEFAULT_PROFILE;
      this.ids = DEFAULT_PROFILE.writeIds;
      this.major = 4;
      this.fullObjects = false;
      this.realIsDouble = false;
      this.maxDepth = DEFAULT_MAX_DEPTH;
    } else {
      const profile = profileOf(options.godot);
      const realIsDouble = options.realIsDouble === true;
      if (realIsDouble && profile.major === 3) {
        throw invalidParameter('realIsDouble: Godot 3 has no double-precision Variant encoding');
      }
      this.maxDepth = checkMaxDepth(options.maxDepth);
      this.profile = profile;
      this.ids = profile.writeIds;
      this.major = profile.major;
      this.fullObjects = options.fullObjects === true;
      this.realIsDouble = realIsDouble;
    }
    this.busy = true;
  }

  private setBuffer(b: Uint8Array, pos: number): void {
    this.buf = b;
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    this.pos = pos;
  }

  /** Room for `n` more bytes: a new chunk (the value so far moves to its start) when full. */
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.fixed) {
      throw new GodotError(Error.ERR_OUT_OF_MEMORY, 'encoded Variant does not fit in the target buffer');
    }
    const used = this.pos - this.start;
    // Doubling for many small writes; one large write (a big packed array) gets just its size.
    const next = new Uint8Array(Math.max(2 * used, used + n + CHUNK_SIZE));
    next.set(this.buf.subarray(this.start, this.pos));
    this.setBuffer(next, used);
    this.start = 0;
  }

  /** The header type id of `t` in this profile; ERR_INVALID_PARAMETER if the profile lacks it. */
  private id(t: T): number {
    const id = this.ids[t]!;
    if (id < 0) throw invalidParameter(`${T[t]} does not exist in Godot ${this.profile.name}`);
    return id;
  }

  private u32(v: number): void { this.view.setUint32(this.pos, v, true); this.pos += 4; }
  private i32(v: number): void { this.view.setInt32(this.pos, v, true); this.pos += 4; }
  private f32(v: number): void { this.view.setFloat32(this.pos, v, true); this.pos += 4; }
  private f64(v: number): void { this.view.setFloat64(this.pos, v, true); this.pos += 8; }
  private real(v: number, double: boolean): void { if (double) this.f64(v); else this.f32(v); }

  private u64(v: bigint, what: string): void {
    if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) throw invalidParameter(`${what} ${String(v)} is not a uint64`);
    this.view.setBigUint64(this.pos, v, true);
    this.pos += 8;
  }

  private write(v: Variant, depth: number): void {
    if (depth > this.maxDepth) {
      throw new GodotError(Error.ERR_OUT_OF_MEMORY, `Variant nested deeper than ${this.maxDepth}`);
    }
    const kind = typeof v;
    switch (kind) {
      case 'number': this.number(v as number); return;
      case 'string': this.ensure(4); this.u32(T.STRING); this.stringBody(v as string); return;
      case 'boolean': this.ensure(8); this.u32(T.BOOL); this.u32(v ? 1 : 0); return;
      case 'object':
        if (v === null) { this.ensure(4); this.u32(T.NIL); } else this.object(v as object, depth);
        return;
      case 'undefined': this.ensure(4); this.u32(T.NIL); return;
      case 'bigint': this.bigint(v as bigint); return;
      default: throw invalidParameter(`cannot encode a ${kind} as a Variant`);
    }
  }

  /** Safe integer (not −0) → INT, 32-bit payload when it fits; anything else → FLOAT. */
  private number(v: number): void {
    if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
      this.ensure(8); this.u32(T.INT); this.i32(v);
    } else if (Number.isSafeInteger(v) && v !== 0) {
      const hi = Math.floor(v / TWO_32);
      this.ensure(12); this.u32(T.INT | FLAG_64); this.u32(v - hi * TWO_32); this.i32(hi);
    } else {
      this.float(v);
    }
  }

  /** Godot's rule: float32 when `(double)(float)v == v` (never for NaN), else FLAG_64 + double. */
  private float(v: number): void {
    if (Math.fround(v) === v) { this.ensure(8); this.u32(T.FLOAT); this.f32(v); } else { this.ensure(12); this.u32(T.FLOAT | FLAG_64); this.f64(v); }
  }

  private bigint(v: bigint): void {
    if (v >= -0x80000000n && v <= 0x7fffffffn) {
      this.ensure(8); this.u32(T.INT); this.i32(Number(v));
    } else if (v >= -0x8000000000000000n && v <= 0x7fffffffffffffffn) {
      this.ensure(12); this.u32(T.INT | FLAG_64); this.view.setBigInt64(this.pos, v, true); this.pos += 8;
    } else {
      throw invalidParameter(`int ${v} does not fit in 64 bits`);
    }
  }

  /** u32 byte length, UTF-8 bytes, zero padding to 4 (`_encode_string`). */
  private stringBody(s: string): void {
    this.room(s, 3);
    const at = this.pos;
    const n = writeUtf8(s, this.buf, at + 4);
    this.view.setUint32(at, n, true);
    this.pos = at + 4 + n;
    for (let pad = -n & 3; pad > 0; pad--) this.buf[this.pos++] = 0;
  }

  /** Room for a length word, `s` as UTF-8 and `extra` bytes: the cheap bound, else the exact size. */
  private room(s: string, extra: number): void {
    if (this.pos + 4 + 3 * s.length + extra <= this.buf.length) return;
    this.ensure(4 + utf8Length(s) + extra);
  }

  /** Class dispatch, most frequent first. */
  private object(v: object, depth: number): void {
    if (Array.isArray(v)) { this.array(v as Variant[], depth); return; }
    if (v instanceof Vector2) { const d = this.realHeader(T.VECTOR2, v, 2); this.real(v.x, d); this.real(v.y, d); return; }
    if (v instanceof Float) { this.float(v.value); return; }
    if (v instanceof Vector3) {
      const d = this.realHeader(T.VECTOR3, v, 3); this.real(v.x, d); this.real(v.y, d); this.real(v.z, d);
      return;
    }
    if (v instanceof Map) { this.map(v as Map<Variant, Variant>, depth); return; }
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) { this.record(v as VariantRecord, depth); return; }
    if (v instanceof Color) {
      this.ensure(20); this.u32(this.id(T.COLOR)); this.f32(v.r); this.f32(v.g); this.f32(v.b); this.f32(v.a);
      return;
    }
    if (v instanceof StringName) { this.ensure(4); this.u32(this.id(T.STRING_NAME)); this.stringBody(v.value); return; }
    if (v instanceof NodePath) { this.nodePath(v); return; }
    if (ArrayBuffer.isView(v)) { this.typedArray(v); return; }
    if (this.math(v)) return;
    this.other(v, depth);
  }

  private realHeader(t: T, v: RealPrecision, components: number): boolean {
    const d = this.major === 4 && (this.realIsDouble || v[REAL_IS_DOUBLE] === true);
    this.ensure(4 + components * (d ? 8 : 4));
    this.u32(this.id(t) | (d ? FLAG_64 : 0));
    return d;
  }

  private int32s(t: T, ...xs: number[]): void {
    for (const x of xs) {
      if ((x | 0) !== x) throw invalidParameter(`${T[t]} component ${x} is not a 32-bit integer`);
    }
    this.ensure(4 + 4 * xs.length);
    this.u32(this.id(t));
    for (const x of xs) this.i32(x);
  }

  /** The remaining math types; false when `v` is none of them. */
  private math(v: object): boolean {
    if (v instanceof Vector2i) this.int32s(T.VECTOR2I, v.x, v.y);
    else if (v instanceof Vector3i) this.int32s(T.VECTOR3I, v.x, v.y, v.z);
    else if (v instanceof Quaternion) {
      const d = this.realHeader(T.QUATERNION, v, 4);
      this.real(v.x, d); this.real(v.y, d); this.real(v.z, d); this.real(v.w, d);
    } else if (v instanceof Transform2D) {
      const d = this.realHeader(T.TRANSFORM2D, v, 6);
      this.real(v.x.x, d); this.real(v.x.y, d); this.real(v.y.x, d); this.real(v.y.y, d);
      this.real(v.origin.x, d); this.real(v.origin.y, d);
    } else if (v instanceof Transform3D) {
      const d = this.realHeader(T.TRANSFORM3D, v, 12);
      this.basisRows(v.basis, d);
      this.real(v.origin.x, d); this.real(v.origin.y, d); this.real(v.origin.z, d);
    } else if (v instanceof Basis) {
      this.basisRows(v, this.realHeader(T.BASIS, v, 9));
    } else if (v instanceof Rect2) {
      const d = this.realHeader(T.RECT2, v, 4);
      this.real(v.position.x, d); this.real(v.position.y, d); this.real(v.size.x, d); this.real(v.size.y, d);
    } else if (v instanceof Rect2i) this.int32s(T.RECT2I, v.position.x, v.position.y, v.size.x, v.size.y);
    else if (v instanceof Vector4) {
      const d = this.realHeader(T.VECTOR4, v, 4);
      this.real(v.x, d); this.real(v.y, d); this.real(v.z, d); this.real(v.w, d);
    } else if (v instanceof Vector4i) this.int32s(T.VECTOR4I, v.x, v.y, v.z, v.w);
    else if (v instanceof Plane) {
      const d = this.realHeader(T.PLANE, v, 4);
      this.real(v.normal.x, d); this.real(v.normal.y, d); this.real(v.normal.z, d); this.real(v.d, d);
    } else if (v instanceof AABB) {
      const d = this.realHeader(T.AABB, v, 6);
      this.real(v.position.x, d); this.real(v.position.y, d); this.real(v.position.z, d);
      this.real(v.size.x, d); this.real(v.size.y, d); this.real(v.size.z, d);
    } else if (v instanceof Projection) {
      const d = this.realHeader(T.PROJECTION, v, 16);
      for (const c of [v.x, v.y, v.z, v.w]) { this.real(c.x, d); this.real(c.y, d); this.real(c.z, d); this.real(c.w, d); }
    } else return false;
    return true;
  }

  /** Basis on the wire is row-major: (x.x, y.x, z.x), (x.y, y.y, z.y), (x.z, y.z, z.z). */
  private basisRows(b: Basis, d: boolean): void {
    this.real(b.x.x, d); this.real(b.y.x, d); this.real(b.z.x, d);
    this.real(b.x.y, d); this.real(b.y.y, d); this.real(b.z.y, d);
    this.real(b.x.z, d); this.real(b.y.z, d); this.real(b.z.z, d);
  }

  /** Containers, packed classes, RID, objects, Callable, Signal. */
  private other(v: object, depth: number): void {
    if (v instanceof PackedStringArray) this.stringArray(v.items);
    else if (v instanceof PackedVector2Array) this.packedReals(T.PACKED_VECTOR2_ARRAY, v.data, v.length * 2, v.length, true);
    else if (v instanceof PackedVector3Array) this.packedReals(T.PACKED_VECTOR3_ARRAY, v.data, v.length * 3, v.length, true);
    else if (v instanceof PackedColorArray) this.packedReals(T.PACKED_COLOR_ARRAY, v.data, v.length * 4, v.length, false);
    else if (v instanceof PackedVector4Array) this.packedReals(T.PACKED_VECTOR4_ARRAY, v.data, v.length * 4, v.length, true);
    else if (v instanceof TypedArray) this.typedContainer(v, depth);
    else if (v instanceof TypedDictionary) this.typedContainer(v, depth);
    else if (v instanceof RID) {
      this.ensure(12);
      this.u32(this.id(T.RID));
      if (this.major === 4) this.u64(v.id, 'RID'); // Godot 3 writes no RID payload.
    } else if (v instanceof EncodedObjectAsID) this.objectAsId(v.objectId);
    else if (v instanceof GodotObject) {
      if (this.fullObjects) this.fullObject(v, depth); else this.objectAsId(v.objectId);
    } else if (v instanceof Callable) { this.ensure(4); this.u32(this.id(T.CALLABLE)); }
    else if (v instanceof Signal) {
      this.ensure(4); this.u32(this.id(T.SIGNAL)); this.stringBody(v.name); this.ensure(8); this.u64(v.objectId, 'Signal object id');
    } else {
      const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
      throw invalidParameter(`cannot encode a ${typeof name === 'string' ? name : 'value'} as a Variant`);
    }
  }

  private objectAsId(id: bigint): void {
    this.ensure(12); this.u32(this.id(T.OBJECT) | FLAG_64); this.u64(id, 'object id');
  }

  /** Class name, property count, then (name, value) pairs — Godot's full-object form. */
  private fullObject(o: GodotObject, depth: number): void {
    this.ensure(4); this.u32(this.id(T.OBJECT));
    this.stringBody(o.className);
    this.ensure(4); this.u32(o.properties.size);
    for (const [name, value] of o.properties) {
      this.stringBody(name);
      this.write(value, depth + 1);
    }
  }

  private nodePath(p: NodePath): void {
    const { names, subnames } = p;
    this.ensure(16);
    this.u32(this.id(T.NODE_PATH));
    this.u32(names.length | 0x80000000); // bit 31: the "new" NodePath format
    this.u32(subnames.length);
    this.u32(p.absolute ? 1 : 0);
    for (const s of names) this.stringBody(s);
    for (const s of subnames) this.stringBody(s);
  }

  private array(a: Variant[], depth: number): void {
    const n = a.length;
    this.ensure(8); this.u32(this.id(T.ARRAY)); this.u32(n);
    for (let i = 0; i < n; i++) this.write(a[i], depth + 1);
  }

  private map(m: Map<Variant, Variant>, depth: number): void {
    this.ensure(8); this.u32(this.id(T.DICTIONARY)); this.u32(m.size);
    for (const [k, v] of m) { this.write(k, depth + 1); this.write(v, depth + 1); }
  }

  /** A plain object: Dictionary with String keys in `Object.keys` order. */
  private record(o: VariantRecord, depth: number): void {
    const keys = Object.keys(o);
    const n = keys.length;
    this.ensure(8); this.u32(this.id(T.DICTIONARY)); this.u32(n);
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      this.ensure(4); this.u32(T.STRING); this.stringBody(k);
      this.write(o[k], depth + 1);
    }
  }

  /**
   * Typed Array (4.3+) / typed Dictionary (4.4+): kinds in the header, descriptors after it.
   * Older 4.x profiles write them untyped (what Godot 4.2 does); Godot 3 has neither.
   */
  private typedContainer(c: TypedArray | TypedDictionary, depth: number): void {
    if (this.major === 3) throw invalidParameter(`typed ${c instanceof TypedArray ? 'Array' : 'Dictionary'} does not exist in Godot 3`);
    if (c instanceof TypedArray) {
      if (!this.profile.typedArrays) { this.array(c.items, depth); return; }
      this.ensure(4); this.u32(T.ARRAY | (this.kindOf(c.elementType) << 16));
      this.descriptor(c.elementType);
      const n = c.items.length;
      this.ensure(4); this.u32(n);
      for (let i = 0; i < n; i++) this.write(c.items[i], depth + 1);
      return;
    }
    if (!this.profile.typedDictionaries) { this.map(c.entries, depth); return; }
    this.ensure(4);
    this.u32(T.DICTIONARY | (this.kindOf(c.keyType) << 16) | (this.kindOf(c.valueType) << 18));
    this.descriptor(c.keyType);
    this.descriptor(c.valueType);
    this.ensure(4); this.u32(c.entries.size);
    for (const [k, v] of c.entries) { this.write(k, depth + 1); this.write(v, depth + 1); }
  }

  /** Container type kind: 0 untyped, 1 builtin, 2 class name, 3 script path. */
  private kindOf(t: ContainerType | null): number {
    if (t === null) return 0;
    switch (t.kind) {
      case 'builtin': return t.type === T.NIL ? 0 : 1;
      case 'class': return 2;
      case 'script': return this.fullObjects ? 3 : 2;
      default: throw invalidParameter('unknown container type kind');
    }
  }

  /** Without full objects, class and script types are sent as class "EncodedObjectAsID" (4.4). */
  private descriptor(t: ContainerType | null): void {
    if (t === null) return;
    if (t.kind === 'builtin') {
      if (t.type === T.NIL) return;
      if (!Number.isInteger(t.type) || t.type < 0 || t.type >= this.profile.variantMax) {
        throw invalidParameter(`container element type ${t.type} does not exist in Godot ${this.profile.name}`);
      }
      this.ensure(4); this.u32(t.type);
    } else if (!this.fullObjects) {
      this.stringBody(ENCODED_OBJECT_AS_ID);
    } else if (t.kind === 'class') {
      this.stringBody(t.className);
    } else {
      if (!t.path.startsWith('res://')) {
        throw new GodotError(Error.ERR_UNAVAILABLE, `script path "${t.path}" is not a res:// path`);
      }
      this.stringBody(t.path);
    }
  }

  /** JS typed arrays: one copy on little-endian hosts. */
  private typedArray(v: ArrayBufferView): void {
    if (v instanceof Uint8Array) {
      const n = v.length;
      this.ensure(8 + n + 3); this.u32(this.id(T.PACKED_BYTE_ARRAY)); this.u32(n);
      this.buf.set(v, this.pos); this.pos += n;
      for (let pad = -n & 3; pad > 0; pad--) this.buf[this.pos++] = 0;
    } else if (v instanceof Float32Array) {
      this.ensure(8 + 4 * v.length); this.u32(this.id(T.PACKED_FLOAT32_ARRAY)); this.u32(v.length);
      if (HOST_LE) this.raw(v); else for (let i = 0; i < v.length; i++) this.f32(v[i]!);
    } else if (v instanceof Int32Array) {
      this.ensure(8 + 4 * v.length); this.u32(this.id(T.PACKED_INT32_ARRAY)); this.u32(v.length);
      if (HOST_LE) this.raw(v); else for (let i = 0; i < v.length; i++) this.i32(v[i]!);
    } else if (v instanceof Float64Array) {
      this.ensure(8 + 8 * v.length); this.u32(this.id(T.PACKED_FLOAT64_ARRAY)); this.u32(v.length);
      if (HOST_LE) this.raw(v); else for (let i = 0; i < v.length; i++) this.f64(v[i]!);
    } else if (v instanceof BigInt64Array) {
      this.ensure(8 + 8 * v.length); this.u32(this.id(T.PACKED_INT64_ARRAY)); this.u32(v.length);
      if (HOST_LE) this.raw(v);
      else for (let i = 0; i < v.length; i++) { this.view.setBigInt64(this.pos, v[i]!, true); this.pos += 8; }
    } else {
      throw invalidParameter(`${v.constructor.name} has no Variant packed-array type`);
    }
  }

  private raw(v: ArrayBufferView): void {
    this.buf.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), this.pos);
    this.pos += v.byteLength;
  }

  /** Packed Vector2/3/4 (double when backed by Float64Array, 4.x) and Color (always float32). */
  private packedReals(t: T, data: Float32Array | Float64Array, n: number, count: number, mayDouble: boolean): void {
    const d = mayDouble && this.major === 4 && (this.realIsDouble || data instanceof Float64Array);
    this.ensure(8 + n * (d ? 8 : 4));
    this.u32(this.id(t) | (d ? FLAG_64 : 0));
    this.u32(count);
    if (HOST_LE && (d ? data instanceof Float64Array : data instanceof Float32Array)) {
      this.raw(data.length === n ? data : data.subarray(0, n));
    } else {
      for (let i = 0; i < n; i++) this.real(data[i]!, d);
    }
  }

  /** PackedStringArray / PoolStringArray: each length counts a trailing NUL, which is written. */
  private stringArray(items: string[]): void {
    this.ensure(8); this.u32(this.id(T.PACKED_STRING_ARRAY)); this.u32(items.length);
    for (const s of items) {
      this.room(s, 4);
      const at = this.pos;
      const n = writeUtf8(s, this.buf, at + 4);
      this.view.setUint32(at, n + 1, true);
      this.pos = at + 4 + n;
      for (let pad = 1 + (-(n + 1) & 3); pad > 0; pad--) this.buf[this.pos++] = 0; // NUL, then padding
    }
  }
}
