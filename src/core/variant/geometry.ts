/** Rect2, Rect2i, Plane, Quaternion, AABB, Color. Field names and defaults are Godot's. */
import { REAL_IS_DOUBLE, Vector2, Vector2i, Vector3, type RealPrecision } from './vectors.js';

export class Rect2 implements RealPrecision {
  declare [REAL_IS_DOUBLE]?: boolean;
  constructor(public position = new Vector2(), public size = new Vector2()) {}
  static of(x: number, y: number, w: number, h: number): Rect2 {
    return new Rect2(new Vector2(x, y), new Vector2(w, h));
  }
  equals(o: Rect2): boolean { return this.position.equals(o.position) && this.size.equals(o.size); }
}

export class Rect2i {
  constructor(public position = new Vector2i(), public size = new Vector2i()) {}
  static of(x: number, y: number, w: number, h: number): Rect2i {
    return new Rect2i(new Vector2i(x, y), new Vector2i(w, h));
  }
  equals(o: Rect2i): boolean { return this.position.equals(o.position) && this.size.equals(o.size); }
}

/** Plane: normal and distance `d` (Godot stores `normal`, `d`; wire order nx, ny, nz, d). */
export class Plane implements RealPrecision {
  declare [REAL_IS_DOUBLE]?: boolean;
  constructor(public normal = new Vector3(), public d = 0) {}
  equals(o: Plane): boolean { return this.normal.equals(o.normal) && this.d === o.d; }
}

/** Quaternion (Godot 3: Quat). Default is the identity (0, 0, 0, 1). */
export class Quaternion implements RealPrecision {
  declare [REAL_IS_DOUBLE]?: boolean;
  constructor(public x = 0, public y = 0, public z = 0, public w = 1) {}
  equals(o: Quaternion): boolean {
    return this.x === o.x && this.y === o.y && this.z === o.z && this.w === o.w;
  }
}
/** Godot 3 name of {@link Quaternion}. */
export { Quaternion as Quat };

export class AABB implements RealPrecision {
  declare [REAL_IS_DOUBLE]?: boolean;
  constructor(public position = new Vector3(), public size = new Vector3()) {}
  equals(o: AABB): boolean { return this.position.equals(o.position) && this.size.equals(o.size); }
}

/** Color: r, g, b, a as float32 on the wire in every version (never double). Default opaque black. */
export class Color {
  constructor(public r = 0, public g = 0, public b = 0, public a = 1) {}
  equals(o: Color): boolean { return this.r === o.r && this.g === o.g && this.b === o.b && this.a === o.a; }
}
