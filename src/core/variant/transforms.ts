/**
 * Transform2D, Basis, Transform3D, Projection. Stored by columns, as GDScript exposes them
 * (`x`, `y`, `z` axes, `origin`); the codec writes Godot's wire order (Basis: row-major).
 */
import { REAL_IS_DOUBLE, Vector2, Vector3, Vector4, type RealPrecision } from './vectors.js';

export class Transform2D implements RealPrecision {
  declare [REAL_IS_DOUBLE]?: boolean;
  constructor(
    public x = new Vector2(1, 0),
    public y = new Vector2(0, 1),
    public origin = new Vector2(0, 0),
  ) {}
  equals(o: Transform2D): boolean {
    return this.x.equals(o.x) && this.y.equals(o.y) && this.origin.equals(o.origin);
  }
}

/** Basis: three column vectors; identity by default. Wire order is rows: (x.x, y.x, z.x), … */
export class Basis implements RealPrecision {
  declare [REAL_IS_DOUBLE]?: boolean;
  constructor(
    public x = new Vector3(1, 0, 0),
    public y = new Vector3(0, 1, 0),
    public z = new Vector3(0, 0, 1),
  ) {}
  equals(o: Basis): boolean { return this.x.equals(o.x) && this.y.equals(o.y) && this.z.equals(o.z); }
}

/** Transform3D (Godot 3: Transform). */
export class Transform3D implements RealPrecision {
  declare [REAL_IS_DOUBLE]?: boolean;
  constructor(public basis = new Basis(), public origin = new Vector3()) {}
  equals(o: Transform3D): boolean { return this.basis.equals(o.basis) && this.origin.equals(o.origin); }
}
/** Godot 3 name of {@link Transform3D}. */
export { Transform3D as Transform };

/** Projection (4.x): four column Vector4s, identity by default; wire order columns[i][j]. */
export class Projection implements RealPrecision {
  declare [REAL_IS_DOUBLE]?: boolean;
  constructor(
    public x = new Vector4(1, 0, 0, 0),
    public y = new Vector4(0, 1, 0, 0),
    public z = new Vector4(0, 0, 1, 0),
    public w = new Vector4(0, 0, 0, 1),
  ) {}
  equals(o: Projection): boolean {
    return this.x.equals(o.x) && this.y.equals(o.y) && this.z.equals(o.z) && this.w.equals(o.w);
  }
}
