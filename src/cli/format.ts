/**
 * Human-readable rendering of a Variant for logs and `gdwire decode`, close to Godot 4's
 * var_to_str: `Vector2(1, 2)`, `{"a": 1}`, `PackedByteArray(1, 2)`. Ints print bare, floats
 * always with a decimal point, so INT 1 and FLOAT 1.0 are told apart.
 */
import { Float, RID, StringName } from '../core/variant/scalars.js';
import { NodePath } from '../core/variant/node-path.js';
import { Callable, EncodedObjectAsID, GodotObject, Signal } from '../core/variant/object.js';
import { TypedArray, TypedDictionary, type ContainerType } from '../core/variant/containers.js';
import {
  PackedColorArray, PackedStringArray, PackedVector2Array, PackedVector3Array, PackedVector4Array,
} from '../core/variant/packed.js';
import type { Variant } from '../core/variant/variant.js';

const MAX_ITEMS = 64;

export function formatVariant(v: Variant, depth = 0): string {
  if (depth > 32) return '…';
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'boolean': return String(v);
    case 'bigint': return v.toString();
    case 'number': return Number.isInteger(v) && !Object.is(v, -0) ? String(v) : formatFloat(v);
    case 'string': return JSON.stringify(v);
    default: break;
  }
  if (v instanceof Float) return formatFloat(v.value);
  if (v instanceof StringName) return `&${JSON.stringify(v.value)}`;
  if (v instanceof NodePath) return `NodePath(${JSON.stringify(v.toString())})`;
  if (v instanceof RID) return `RID(${v.id})`;
  if (v instanceof EncodedObjectAsID) return `EncodedObjectAsID(${v.objectId})`;
  if (v instanceof GodotObject) {
    const props = [...v.properties].map(([k, p]) => `${JSON.stringify(k)}: ${formatVariant(p, depth + 1)}`);
    return `Object(${v.className}, ${props.join(', ')})`;
  }
  if (v instanceof Callable) return 'Callable()';
  if (v instanceof Signal) return `Signal(${JSON.stringify(v.name)}, ${v.objectId})`;
  if (Array.isArray(v)) return `[${list(v, depth)}]`;
  if (v instanceof TypedArray) return `Array[${typeName(v.elementType)}]([${list(v.items, depth)}])`;
  if (v instanceof Map) return `{${entries([...v], depth)}}`;
  if (v instanceof TypedDictionary) {
    return `Dictionary[${typeName(v.keyType)}, ${typeName(v.valueType)}]({${entries([...v.entries], depth)}})`;
  }
  if (v instanceof Uint8Array) return `PackedByteArray(${numbers(v)})`;
  if (v instanceof Int32Array) return `PackedInt32Array(${numbers(v)})`;
  if (v instanceof BigInt64Array) return `PackedInt64Array(${numbers(v)})`;
  if (v instanceof Float32Array) return `PackedFloat32Array(${numbers(v)})`;
  if (v instanceof Float64Array) return `PackedFloat64Array(${numbers(v)})`;
  if (v instanceof PackedStringArray) return `PackedStringArray(${list(v.items, depth)})`;
  if (v instanceof PackedVector2Array || v instanceof PackedVector3Array ||
      v instanceof PackedVector4Array || v instanceof PackedColorArray) {
    return `${v.constructor.name}(${numbers(v.data)})`;
  }
  if (isMathValue(v)) return `${v.constructor.name}${mathArgs(v)}`;
  // A plain object (Dictionary with String keys).
  return `{${entries(Object.entries(v), depth)}}`;
}

function formatFloat(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (Object.is(n, -0)) return '-0.0';
  const s = String(n);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

function list(items: Variant[], depth: number): string {
  const shown = items.slice(0, MAX_ITEMS).map((x) => formatVariant(x, depth + 1));
  if (items.length > MAX_ITEMS) shown.push(`… ${items.length - MAX_ITEMS} more`);
  return shown.join(', ');
}

function entries(pairs: Array<[Variant, Variant]>, depth: number): string {
  const shown = pairs.slice(0, MAX_ITEMS)
    .map(([k, x]) => `${formatVariant(k, depth + 1)}: ${formatVariant(x, depth + 1)}`);
  if (pairs.length > MAX_ITEMS) shown.push(`… ${pairs.length - MAX_ITEMS} more`);
  return shown.join(', ');
}

function numbers(a: ArrayLike<number | bigint>): string {
  const n = Math.min(a.length, MAX_ITEMS);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(String(a[i]));
  if (a.length > MAX_ITEMS) out.push(`… ${a.length - MAX_ITEMS} more`);
  return out.join(', ');
}

function typeName(t: ContainerType | null): string {
  if (t === null) return 'Variant';
  if (t.kind === 'builtin') return `type ${t.type}`;
  return t.kind === 'class' ? t.className : t.path;
}

function isMathValue(v: object): boolean {
  return v.constructor !== Object && v.constructor !== undefined;
}

/** Flattens a math value's numeric fields in declaration order: Vector2(1, 2), Transform2D(…). */
function mathArgs(v: object): string {
  const nums: string[] = [];
  const walk = (o: unknown): void => {
    if (typeof o === 'number') nums.push(formatFloat(o).replace(/\.0$/, ''));
    else if (o && typeof o === 'object') for (const x of Object.values(o)) walk(x);
  };
  walk(v);
  return `(${nums.join(', ')})`;
}
