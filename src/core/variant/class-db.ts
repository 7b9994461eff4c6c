/**
 * Which class names a full Object on the wire may name. gdwire has no ClassDB and never
 * instantiates anything: decoding a full Object (only with `allowObjects: true`) gives a
 * GodotObject value. Godot refuses a class it cannot instantiate with ERR_UNAVAILABLE; the
 * codec asks `classExists(name)` to make the same decision.
 * @see godot core/io/marshalls.cpp decode_variant (OBJECT case), core/object/class_db.cpp
 *
 * The defaults: for 3.x, the list of classes real Godot 3.2.3 can instance (generated from a
 * real runtime, see godot3-classes.ts); for 4.x, a short list of common classes only (the
 * Object / RefCounted / Resource / Node family and frequently sent types). Anything else —
 * your own classes, GDExtension classes, the rest of Godot 4's ClassDB — pass a
 * `classExists` function in DecodeOptions.
 */
import { GODOT3_INSTANTIABLE_CLASSES } from './godot3-classes.js';

/** A short list of instantiable Godot 4 classes (not all of ClassDB: pass `classExists`). */
export const GODOT4_COMMON_CLASSES: ReadonlySet<string> = new Set<string>([
  'Object', 'RefCounted', 'Resource', 'EncodedObjectAsID', 'Node', 'Node2D', 'Node3D',
  'Control', 'Timer', 'Sprite2D', 'Sprite3D', 'Camera2D', 'Camera3D', 'Area2D', 'Area3D',
  'CharacterBody2D', 'CharacterBody3D', 'RigidBody2D', 'RigidBody3D', 'StaticBody2D',
  'StaticBody3D', 'CollisionShape2D', 'CollisionShape3D', 'MultiplayerSpawner',
  'MultiplayerSynchronizer', 'SceneReplicationConfig', 'PackedScene', 'Image', 'ImageTexture',
  'Curve', 'Gradient', 'Animation', 'JSON', 'RandomNumberGenerator', 'Label', 'Button',
]);

/** The built-in decision for a profile's major version. */
export function defaultClassExists(major: 3 | 4): (name: string) => boolean {
  return major === 3 ? godot3ClassExists : godot4ClassExists;
}

function godot3ClassExists(name: string): boolean { return GODOT3_INSTANTIABLE_CLASSES.has(name); }
function godot4ClassExists(name: string): boolean { return GODOT4_COMMON_CLASSES.has(name); }
