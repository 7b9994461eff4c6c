/**
 * Packed arrays without a native JS typed array. The others map directly:
 * PackedByteArray ↔ Uint8Array (Buffer too), PackedInt32Array / PoolIntArray ↔ Int32Array,
 * PackedInt64Array ↔ BigInt64Array, PackedFloat32Array / PoolRealArray ↔ Float32Array,
 * PackedFloat64Array ↔ Float64Array.
 *
 * Vector/Color packed arrays keep their components interleaved in one typed array
 * (x0, y0, x1, y1, …): that is their wire layout, so encode and decode are one copy.
 * A Float64Array backing means double precision (4.x `real_t = double`).
 */
import { Color } from './geometry.js';
import { Vector2, Vector3, Vector4 } from './vectors.js';

export class PackedStringArray {
  constructor(public items: string[] = []) {}
  get length(): number { return this.items.length; }
}

abstract class PackedComponents<T> {
  abstract readonly stride: number;
  constructor(public data: Float32Array | Float64Array) {}
  get length(): number { return Math.floor(this.data.length / this.stride); }
  abstract get(i: number): T;
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }
}

export class PackedVector2Array extends PackedComponents<Vector2> {
  readonly stride = 2;
  static from(items: Vector2[], double = false): PackedVector2Array {
    const d = double ? new Float64Array(items.length * 2) : new Float32Array(items.length * 2);
    items.forEach((v, i) => { d[i * 2] = v.x; d[i * 2 + 1] = v.y; });
    return new PackedVector2Array(d);
  }
  get(i: number): Vector2 { const d = this.data; return new Vector2(d[i * 2], d[i * 2 + 1]); }
}

export class PackedVector3Array extends PackedComponents<Vector3> {
  readonly stride = 3;
  static from(items: Vector3[], double = false): PackedVector3Array {
    const d = double ? new Float64Array(items.length * 3) : new Float32Array(items.length * 3);
    items.forEach((v, i) => { d[i * 3] = v.x; d[i * 3 + 1] = v.y; d[i * 3 + 2] = v.z; });
    return new PackedVector3Array(d);
  }
  get(i: number): Vector3 {
    const d = this.data;
    return new Vector3(d[i * 3], d[i * 3 + 1], d[i * 3 + 2]);
  }
}

/** 4.3+ only. */
export class PackedVector4Array extends PackedComponents<Vector4> {
  readonly stride = 4;
  static from(items: Vector4[], double = false): PackedVector4Array {
    const d = double ? new Float64Array(items.length * 4) : new Float32Array(items.length * 4);
    items.forEach((v, i) => { d.set([v.x, v.y, v.z, v.w], i * 4); });
    return new PackedVector4Array(d);
  }
  get(i: number): Vector4 {
    const d = this.data;
    return new Vector4(d[i * 4], d[i * 4 + 1], d[i * 4 + 2], d[i * 4 + 3]);
  }
}

/** Always float32 on the wire. */
export class PackedColorArray extends PackedComponents<Color> {
  readonly stride = 4;
  constructor(data: Float32Array) { super(data); }
  static from(items: Color[]): PackedColorArray {
    const d = new Float32Array(items.length * 4);
    items.forEach((c, i) => { d.set([c.r, c.g, c.b, c.a], i * 4); });
    return new PackedColorArray(d);
  }
  get(i: number): Color {
    const d = this.data;
    return new Color(d[i * 4], d[i * 4 + 1], d[i * 4 + 2], d[i * 4 + 3]);
  }
}
