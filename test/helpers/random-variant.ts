/**
 * Random Variants for property and fuzz tests. Every value generated for a feature set
 * round-trips exactly through that profile (encode → decode gives an equal value, and
 * re-encoding gives the same bytes), so the tests can assert both.
 */
import { builtin, TypedArray, TypedDictionary, type ContainerType } from '../../src/core/variant/containers.js';
import { AABB, Color, Plane, Quaternion, Rect2, Rect2i } from '../../src/core/variant/geometry.js';
import { NodePath } from '../../src/core/variant/node-path.js';
import { Callable, EncodedObjectAsID, GodotObject, Signal } from '../../src/core/variant/object.js';
import {
  PackedColorArray, PackedStringArray, PackedVector2Array, PackedVector3Array, PackedVector4Array,
} from '../../src/core/variant/packed.js';
import { Float, RID, StringName } from '../../src/core/variant/scalars.js';
import { Basis, Projection, Transform2D, Transform3D } from '../../src/core/variant/transforms.js';
import type { GodotVersion, Variant } from '../../src/core/variant/variant.js';
import { VariantType as T } from '../../src/core/variant/variant-type.js';
import {
  REAL_IS_DOUBLE, Vector2, Vector2i, Vector3, Vector3i, Vector4, Vector4i, type RealPrecision,
} from '../../src/core/variant/vectors.js';
import type { Rng } from './rng.js';

export interface Features {
  godot: GodotVersion;
  major: 3 | 4;
  typedArrays: boolean;
  typedDictionaries: boolean;
  packedVector4Array: boolean;
  /** Generate GodotObjects and script/class-typed containers (encode with fullObjects, decode with allowObjects). */
  objects: boolean;
}

export const FEATURES: Readonly<Record<'3' | '4.2' | '4.3' | '4', Features>> = {
  '3': { godot: 3, major: 3, typedArrays: false, typedDictionaries: false, packedVector4Array: false, objects: false },
  '4.2': { godot: '4.2', major: 4, typedArrays: false, typedDictionaries: false, packedVector4Array: false, objects: false },
  '4.3': { godot: '4.3', major: 4, typedArrays: true, typedDictionaries: false, packedVector4Array: true, objects: false },
  '4': { godot: 4, major: 4, typedArrays: true, typedDictionaries: true, packedVector4Array: true, objects: false },
};

const MAX_DEPTH = 4;

const ALPHABETS: readonly string[] = [
  'abcdefghijklmnopqrstuvwxyz0123456789 _-/:.',
  'éàüßñçø€£¥',
  '日本語中文한국어',
  '\u{1F600}\u{1F680}\u{10348}\u{1D11E}',
  '\uD800\uDBFF\uDC00\uDFFF', // lone surrogates (and, when adjacent, pairs)
  '\u0000\uFEFF\u007F\u0080\u07FF\u0800\uFFFF',
];

export function randomString(rng: Rng, maxLen = 12): string {
  const len = rng.bool(0.08) ? rng.int(60, 200) : rng.int(0, maxLen);
  const alphabet = [...rng.pick(ALPHABETS)];
  const ascii = [...(ALPHABETS[0] ?? 'a')];
  let s = rng.bool(0.05) ? '\uFEFF' : '';
  for (let i = 0; i < len; i++) s += rng.pick(rng.bool(0.7) ? ascii : alphabet);
  return s;
}

function randomInt(rng: Rng): number | bigint {
  switch (rng.int(0, 5)) {
    case 0: return rng.int(-200, 200);
    case 1: return rng.pick([0, 1, -1, 127, 128, 255, 256, 65535, 65536, 2147483647, -2147483648, 2147483648, -2147483649]);
    case 2: return (rng.u32() | 0);
    case 3: return rng.pick([Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 40, -(2 ** 40)]);
    case 4: return Math.floor((rng.next() * 2 - 1) * Number.MAX_SAFE_INTEGER);
    default: {
      const big = BigInt.asIntN(64, rng.u64());
      const safe = big >= -BigInt(Number.MAX_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER);
      return safe ? Number(big) : big;
    }
  }
}

/** A double from random bits, never NaN (NaN payloads are not part of the contract). */
function randomDouble(rng: Rng): number {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setUint32(0, rng.u32(), true);
  dv.setUint32(4, rng.u32(), true);
  const x = dv.getFloat64(0, true);
  return Number.isNaN(x) ? 0.5 : x;
}

/** A FLOAT as decode gives it: integral safe values as Float, others as numbers. */
function randomFloat(rng: Rng): number | Float {
  let x: number;
  switch (rng.int(0, 5)) {
    case 0: x = rng.pick([0, -0, 1, -1, 0.5, 0.1, Infinity, -Infinity, Number.NaN, 1e-45, 3.4028234663852886e38, 2 ** 53, 1e20]); break;
    case 1: x = Math.fround((rng.next() - 0.5) * 1000); break;
    case 2: x = (rng.next() - 0.5) * 1e6; break;
    case 3: x = randomDouble(rng); break;
    case 4: x = rng.int(-1000, 1000); break;
    default: x = Math.fround(randomDouble(rng)); break;
  }
  return Number.isInteger(x) && Math.abs(x) <= Number.MAX_SAFE_INTEGER && !Object.is(x, -0) ? new Float(x) : x;
}

/** Components for a real math type: float32 values, or any doubles for a `real_t = double` value (4.x). */
function reals(rng: Rng, n: number, double: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = rng.bool(0.2) ? rng.int(-10, 10) : (rng.next() - 0.5) * 2000;
    out.push(double ? (rng.bool(0.3) ? randomDouble(rng) : x) : Math.fround(x));
  }
  return out;
}

function ints(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => (rng.bool(0.5) ? rng.int(-100, 100) : rng.u32() | 0));
}

function v2(c: number[], i: number): Vector2 { return new Vector2(c[i], c[i + 1]); }
function v3(c: number[], i: number): Vector3 { return new Vector3(c[i], c[i + 1], c[i + 2]); }
function v4(c: number[], i: number): Vector4 { return new Vector4(c[i], c[i + 1], c[i + 2], c[i + 3]); }

function randomMath(rng: Rng, f: Features): Variant {
  const double = f.major === 4 && rng.bool(0.25);
  const mark = <V extends RealPrecision>(v: V): V => { if (double) v[REAL_IS_DOUBLE] = true; return v; };
  const kinds = f.major === 4 ? 16 : 10;
  switch (rng.int(0, kinds - 1)) {
    case 0: { const c = reals(rng, 2, double); return mark(v2(c, 0)); }
    case 1: { const c = reals(rng, 3, double); return mark(v3(c, 0)); }
    case 2: { const c = reals(rng, 4, double); return mark(Rect2.of(c[0]!, c[1]!, c[2]!, c[3]!)); }
    case 3: { const c = reals(rng, 6, double); return mark(new Transform2D(v2(c, 0), v2(c, 2), v2(c, 4))); }
    case 4: { const c = reals(rng, 4, double); return mark(new Plane(v3(c, 0), c[3])); }
    case 5: { const c = reals(rng, 4, double); return mark(new Quaternion(c[0], c[1], c[2], c[3])); }
    case 6: { const c = reals(rng, 6, double); return mark(new AABB(v3(c, 0), v3(c, 3))); }
    case 7: { const c = reals(rng, 9, double); return mark(new Basis(v3(c, 0), v3(c, 3), v3(c, 6))); }
    case 8: { const c = reals(rng, 12, double); return mark(new Transform3D(new Basis(v3(c, 0), v3(c, 3), v3(c, 6)), v3(c, 9))); }
    case 9: { const c = reals(rng, 4, false); return new Color(c[0], c[1], c[2], c[3]); }
    case 10: { const c = ints(rng, 2); return new Vector2i(c[0], c[1]); }
    case 11: { const c = ints(rng, 3); return new Vector3i(c[0], c[1], c[2]); }
    case 12: { const c = ints(rng, 4); return Rect2i.of(c[0]!, c[1]!, c[2]!, c[3]!); }
    case 13: { const c = ints(rng, 4); return new Vector4i(c[0], c[1], c[2], c[3]); }
    case 14: { const c = reals(rng, 4, double); return mark(v4(c, 0)); }
    default: { const c = reals(rng, 16, double); return mark(new Projection(v4(c, 0), v4(c, 4), v4(c, 8), v4(c, 12))); }
  }
}

function randomPacked(rng: Rng, f: Features): Variant {
  const n = rng.int(0, 6);
  const kinds = f.major === 4 ? (f.packedVector4Array ? 12 : 11) : 8;
  switch (rng.int(0, kinds - 1)) {
    case 0: return rng.bytes(n);
    case 1: return Int32Array.from(ints(rng, n));
    case 2: return new Float32Array(rng.bytes(n * 4).buffer); // any bits, NaN payloads included
    case 3: return new PackedStringArray(Array.from({ length: n }, () => randomString(rng)));
    case 4: return new PackedVector2Array(Float32Array.from(reals(rng, n * 2, false)));
    case 5: return new PackedVector3Array(Float32Array.from(reals(rng, n * 3, false)));
    case 6: return new PackedColorArray(Float32Array.from(reals(rng, n * 4, false)));
    case 7: return new Uint8Array(0);
    case 8: return BigInt64Array.from(Array.from({ length: n }, () => BigInt.asIntN(64, rng.u64())));
    case 9: return Float64Array.from(Array.from({ length: n }, () => randomDouble(rng)));
    case 10: return rng.bool()
      ? new PackedVector2Array(Float64Array.from(reals(rng, n * 2, true)))
      : new PackedVector3Array(Float64Array.from(reals(rng, n * 3, true)));
    default: return new PackedVector4Array(rng.bool() ? Float32Array.from(reals(rng, n * 4, false)) : Float64Array.from(reals(rng, n * 4, true)));
  }
}

function randomContainerType(rng: Rng, f: Features): ContainerType {
  const max = f.packedVector4Array ? T.VARIANT_MAX : T.PACKED_VECTOR4_ARRAY;
  switch (rng.int(0, f.objects ? 4 : 2)) {
    case 0: case 1: {
      let t = rng.int(1, max - 1);
      if (t === T.OBJECT) t = T.INT;
      return builtin(t);
    }
    case 2: return { kind: 'class', className: 'EncodedObjectAsID' };
    case 3: return { kind: 'class', className: rng.pick(['Node', 'Resource']) };
    default: return { kind: 'script', path: `res://${rng.pick(['player', 'enemy'])}.gd` };
  }
}

function randomLeaf(rng: Rng, f: Features): Variant {
  switch (rng.int(0, f.major === 4 ? 13 : 10)) {
    case 0: return null;
    case 1: return rng.bool();
    case 2: case 3: return randomInt(rng);
    case 4: return randomFloat(rng);
    case 5: case 6: return randomString(rng);
    case 7: return randomMath(rng, f);
    case 8: return NodePath.fromParts(
      Array.from({ length: rng.int(0, 3) }, () => randomString(rng, 6)),
      Array.from({ length: rng.int(0, 2) }, () => randomString(rng, 6)),
      rng.bool(),
    );
    case 9: return f.major === 3 ? new RID(0n) : new RID(rng.u64());
    case 10: return new EncodedObjectAsID(rng.u64() | 1n);
    case 11: return new StringName(randomString(rng));
    case 12: return new Signal(randomString(rng, 8), rng.u64());
    default: return new Callable();
  }
}

/** A random Variant valid in (and round-tripping through) the profile `f`. */
export function randomVariant(rng: Rng, f: Features, depth = 0): Variant {
  if (depth >= MAX_DEPTH || rng.bool(0.45)) return randomLeaf(rng, f);
  const n = rng.int(0, 5);
  const sub = (): Variant => randomVariant(rng, f, depth + 1);
  switch (rng.int(0, 7)) {
    case 0: case 1: return Array.from({ length: n }, sub);
    case 2: {
      const m = new Map<Variant, Variant>();
      for (let i = 0; i < n; i++) m.set(randomLeaf(rng, f), sub());
      return m;
    }
    case 3: {
      const o: Record<string, Variant> = {};
      for (let i = 0; i < n; i++) o[`k${randomString(rng, 5)}`] = sub();
      return o;
    }
    case 4: return randomPacked(rng, f);
    case 5:
      if (f.typedArrays) return new TypedArray(randomContainerType(rng, f), Array.from({ length: n }, sub));
      return randomPacked(rng, f);
    case 6:
      if (f.typedDictionaries) {
        const keyType = rng.bool(0.7) ? randomContainerType(rng, f) : null;
        const valueType = keyType === null || rng.bool(0.6) ? randomContainerType(rng, f) : null;
        const m = new Map<Variant, Variant>();
        for (let i = 0; i < n; i++) m.set(randomLeaf(rng, f), sub());
        return new TypedDictionary(keyType, valueType, m);
      }
      return randomLeaf(rng, f);
    default:
      if (f.objects) {
        const props = new Map<string, Variant>();
        for (let i = 0; i < n; i++) props.set(randomString(rng, 8), sub());
        return new GodotObject(rng.pick(['Object', 'Resource', 'Node']), props);
      }
      return randomLeaf(rng, f);
  }
}
