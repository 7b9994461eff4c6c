/**
 * Objects on the wire. gdwire has no ClassDB: objects are values, never instantiated.
 * @see godot core/io/marshalls.cpp (OBJECT case); godot-wire.md §1.7
 */
import type { Variant } from './variant.js';

/**
 * What `bytes_to_var` gives for an object sent by id (`full_objects=false`, the default):
 * Godot's EncodedObjectAsID. Encoding one writes the id form again.
 */
export class EncodedObjectAsID {
  constructor(public objectId: bigint = 0n) {}
  getObjectId(): bigint { return this.objectId; }
  equals(o: EncodedObjectAsID): boolean { return this.objectId === o.objectId; }
}

/**
 * A full object: class name and stored properties in Godot's property-list order. Decoded
 * only with `allowObjects: true`; encoded in full only with `fullObjects: true`, otherwise
 * as its `objectId` (Godot's id form).
 */
export class GodotObject {
  constructor(
    public className: string,
    public properties: Map<string, Variant> = new Map(),
    public objectId: bigint = 0n,
  ) {}
}

/** Callable (4.x). Godot never transfers a callable: it always decodes as an empty one. */
export class Callable {
  isNull(): boolean { return true; }
  equals(o: Callable): boolean { return o instanceof Callable; }
}

/** Signal (4.x): signal name and owner object id. */
export class Signal {
  constructor(public name = '', public objectId: bigint = 0n) {}
  equals(o: Signal): boolean { return this.name === o.name && this.objectId === o.objectId; }
}
