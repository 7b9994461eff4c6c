/**
 * Boxes for the Variant kinds a bare JS value cannot carry without losing information.
 *
 * JS has one `number` type; Godot has INT (64-bit) and FLOAT (double). The codec's rule:
 * - encode: a safe-integer `number` (not −0) or a `bigint` → INT; any other `number` → FLOAT;
 *   a {@link Float} → FLOAT whatever its value.
 * - decode: INT → `number` when |v| ≤ 2^53−1, else `bigint` (exact); FLOAT → `number`,
 *   except an integral value within the safe range (1.0, 0.0, …) → {@link Float}, so that
 *   re-encoding gives FLOAT back. `+f` or `Number(f)` turns it into a number.
 */
export class Float {
  constructor(readonly value: number) {}
  valueOf(): number { return this.value; }
  toString(): string { return Number.isInteger(this.value) ? `${this.value}.0` : String(this.value); }
  toJSON(): number { return this.value; }
}

/** `float(1)` — shorthand to force a Godot FLOAT for an integral number. */
export function float(value: number): Float { return new Float(value); }

/** StringName (4.x id 21, same payload as String). Godot 3 has no StringName: written as String there. */
export class StringName {
  constructor(readonly value: string) {}
  toString(): string { return this.value; }
  equals(o: StringName): boolean { return this.value === o.value; }
}

/** RID. Godot 3 sends no payload (decodes to id 0); Godot 4 sends the 64-bit id. */
export class RID {
  constructor(readonly id: bigint = 0n) {}
  equals(o: RID): boolean { return this.id === o.id; }
}
