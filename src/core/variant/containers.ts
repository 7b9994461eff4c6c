/**
 * Typed Array (4.3+) and typed Dictionary (4.4+) — Godot writes their element types on the
 * wire, so they are kept as explicit wrappers. An untyped Godot Array is a JS array; an
 * untyped Dictionary is a JS Map (insertion order kept; see variant.ts for plain objects).
 * @see godot core/io/marshalls.cpp (ARRAY/DICTIONARY cases); godot-wire.md §1.8
 */
import type { Variant } from './variant.js';
import type { VariantType } from './variant-type.js';

/** Container element type: builtin (kind 1), class name (kind 2) or script path (kind 3). */
export type ContainerType =
  | { kind: 'builtin'; type: VariantType }
  | { kind: 'class'; className: string }
  | { kind: 'script'; path: string };

export function builtin(type: VariantType): ContainerType { return { kind: 'builtin', type }; }

/** `Array[T]` in Godot 4. In 4.0–4.2 profiles it is written as an untyped Array. */
export class TypedArray {
  constructor(public elementType: ContainerType, public items: Variant[] = []) {}
}

/** `Dictionary[K, V]` in Godot 4.4+. `null` for a side means untyped (Variant). */
export class TypedDictionary {
  constructor(
    public keyType: ContainerType | null,
    public valueType: ContainerType | null,
    public entries: Map<Variant, Variant> = new Map(),
  ) {}
}
