/**
 * Godot's vector value types. Components are JS numbers; the `i` variants hold 32-bit
 * integers (the encoder refuses anything else). Real-valued types are written as float32
 * unless the value was decoded from a double-precision (`real_t = double`) payload or the
 * encoder is told `realIsDouble`. See {@link REAL_IS_DOUBLE}.
 */

/**
 * Set (to `true`) by the decoder on a real-valued math value that arrived with 64-bit
 * components (Godot 4 `real_t = double` builds), so that re-encoding it gives the same bytes.
 * Users normally never touch it.
 */
export const REAL_IS_DOUBLE: unique symbol = Symbol.for('gdwire.realIsDouble');

export interface RealPrecision {
  [REAL_IS_DOUBLE]?: boolean;
}

export class Vector2 implements RealPrecision {
  declare [REAL_IS_DOUBLE]?: boolean;
  constructor(public x = 0, public y = 0) {}
  equals(o: Vector2): boolean { return this.x === o.x && this.y === o.y; }
  toString(): string { return `(${this.x}, ${this.y})`; }
}

export class Vector2i {
  constructor(public x = 0, public y = 0) {}
  equals(o: Vector2i): boolean { return this.x === o.x && this.y === o.y; }
  toString(): string { return `(${this.x}, ${this.y})`; }
}

export class Vector3 implements RealPrecision {
  declare [REAL_IS_DOUBLE]?: boolean;
  constructor(public x = 0, public y = 0, public z = 0) {}
  equals(o: Vector3): boolean { return this.x === o.x && this.y === o.y && this.z === o.z; }
  toString(): string { return `(${this.x}, ${this.y}, ${this.z})`; }
}

export class Vector3i {
  constructor(public x = 0, public y = 0, public z = 0) {}
  equals(o: Vector3i): boolean { return this.x === o.x && this.y === o.y && this.z === o.z; }
  toString(): string { return `(${this.x}, ${this.y}, ${this.z})`; }
}

export class Vector4 implements RealPrecision {
  declare [REAL_IS_DOUBLE]?: boolean;
  constructor(public x = 0, public y = 0, public z = 0, public w = 0) {}
  equals(o: Vector4): boolean {
    return this.x === o.x && this.y === o.y && this.z === o.z && this.w === o.w;
  }
  toString(): string { return `(${this.x}, ${this.y}, ${this.z}, ${this.w})`; }
}

export class Vector4i {
  constructor(public x = 0, public y = 0, public z = 0, public w = 0) {}
  equals(o: Vector4i): boolean {
    return this.x === o.x && this.y === o.y && this.z === o.z && this.w === o.w;
  }
  toString(): string { return `(${this.x}, ${this.y}, ${this.z}, ${this.w})`; }
}
