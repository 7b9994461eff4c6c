/**
 * A small parser for Godot 3's `var2str` text (as in test/fixtures/godot3-var2bytes.json), and
 * a tolerant comparison of its result with a decoded Variant. Independent of the codec: it
 * gives the golden tests a second opinion on what each byte string means.
 *
 * Forms: null, true, false, ints, floats (`1.0`, `1e+10`, `inf`, `-inf.0`, `nan`), "strings"
 * (escapes \" \\ \n \t \r), [ arrays ], { key: value } dictionaries, Vector2( 1, 2 ) … Transform(…),
 * NodePath("…"), Pool*Array( … ) and Object(Class[, "prop": value…]) / Object(null).
 * Floats parse as {@link Float} (type FLOAT), ints as number / bigint (type INT).
 */
import { AABB, Color, Plane, Quaternion, Rect2 } from '../../src/core/variant/geometry.js';
import { NodePath } from '../../src/core/variant/node-path.js';
import { EncodedObjectAsID, GodotObject } from '../../src/core/variant/object.js';
import {
  PackedColorArray, PackedStringArray, PackedVector2Array, PackedVector3Array,
} from '../../src/core/variant/packed.js';
import { Float } from '../../src/core/variant/scalars.js';
import { Basis, Transform2D, Transform3D } from '../../src/core/variant/transforms.js';
import type { Variant } from '../../src/core/variant/variant.js';
import { Vector2, Vector3 } from '../../src/core/variant/vectors.js';

/** What `Object(…)` parses to: the class (null for `Object(null)`) and listed properties. */
export class ObjectText {
  constructor(readonly className: string | null, readonly properties: Map<string, Parsed>) {}
}

export type Parsed = Variant | ObjectText | Parsed[] | Map<Parsed, Parsed>;

const NUMBER = /^-?(?:inf|nan)(?:\.0)?|^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/;

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  parseAll(): Parsed {
    const v = this.value();
    this.ws();
    if (this.i !== this.s.length) this.fail('trailing text');
    return v;
  }

  private fail(msg: string): never {
    throw new Error(`var2str parse error at ${this.i}: ${msg} in ${JSON.stringify(this.s.slice(0, 80))}`);
  }

  private ws(): void { while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++; }

  private eat(token: string): boolean {
    this.ws();
    if (this.s.startsWith(token, this.i)) { this.i += token.length; return true; }
    return false;
  }

  private expect(token: string): void { if (!this.eat(token)) this.fail(`expected ${token}`); }

  private value(): Parsed {
    this.ws();
    const c = this.s[this.i];
    if (c === '"') return this.string();
    if (c === '[') return this.list('[', ']', () => this.value());
    if (c === '{') return this.dict();
    const num = NUMBER.exec(this.s.slice(this.i));
    if (num) { this.i += num[0].length; return number(num[0]); }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i));
    if (!word) this.fail('unexpected character');
    this.i += word[0].length;
    switch (word[0]) {
      case 'null': return null;
      case 'true': return true;
      case 'false': return false;
      case 'Object': return this.object();
      case 'NodePath': { this.expect('('); const p = this.string(); this.expect(')'); return new NodePath(p); }
      default: return construct(word[0], this.list('(', ')', () => this.value()), (m) => this.fail(m));
    }
  }

  private list<V>(open: string, close: string, item: () => V): V[] {
    this.expect(open);
    const out: V[] = [];
    if (this.eat(close)) return out;
    do out.push(item()); while (this.eat(','));
    this.expect(close);
    return out;
  }

  private dict(): Map<Parsed, Parsed> {
    const m = new Map<Parsed, Parsed>();
    for (const [k, v] of this.list('{', '}', () => { const k = this.value(); this.expect(':'); return [k, this.value()] as const; })) m.set(k, v);
    return m;
  }

  private object(): ObjectText {
    this.expect('(');
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i));
    if (!name) this.fail('class name');
    this.i += name[0].length;
    const props = new Map<string, Parsed>();
    while (this.eat(',')) {
      const key = this.string();
      this.expect(':');
      props.set(key, this.value());
    }
    this.expect(')');
    return new ObjectText(name[0] === 'null' ? null : name[0], props);
  }

  private string(): string {
    this.ws();
    if (this.s[this.i] !== '"') this.fail('expected a string');
    let out = '';
    for (this.i++; this.i < this.s.length; this.i++) {
      const c = this.s[this.i]!;
      if (c === '"') { this.i++; return out; }
      if (c === '\\') {
        const e = this.s[++this.i];
        out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : (e ?? '');
      } else {
        out += c;
      }
    }
    return this.fail('unterminated string');
  }
}

function number(text: string): Parsed {
  const neg = text.startsWith('-');
  if (/inf/.test(text)) return new Float(neg ? -Infinity : Infinity);
  if (/nan/.test(text)) return new Float(Number.NaN);
  if (/[.e]/.test(text)) return new Float(Number(text));
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

function floats(args: Parsed[], fail: (m: string) => never): number[] {
  return args.map((a) => {
    if (a instanceof Float) return a.value;
    if (typeof a === 'number') return a;
    return fail('expected a number');
  });
}

function construct(name: string, args: Parsed[], fail: (m: string) => never): Parsed {
  if (name === 'PoolStringArray') {
    return new PackedStringArray(args.map((a) => (typeof a === 'string' ? a : fail('expected a string'))));
  }
  const n = floats(args, fail);
  const v2 = (i: number): Vector2 => new Vector2(n[i], n[i + 1]);
  const v3 = (i: number): Vector3 => new Vector3(n[i], n[i + 1], n[i + 2]);
  /** Basis text is row-major; our Basis holds columns. */
  const rows = (i: number): Basis => new Basis(
    new Vector3(n[i], n[i + 3], n[i + 6]), new Vector3(n[i + 1], n[i + 4], n[i + 7]), new Vector3(n[i + 2], n[i + 5], n[i + 8]),
  );
  switch (name) {
    case 'Vector2': return v2(0);
    case 'Rect2': return Rect2.of(n[0]!, n[1]!, n[2]!, n[3]!);
    case 'Vector3': return v3(0);
    case 'Transform2D': return new Transform2D(v2(0), v2(2), v2(4));
    case 'Plane': return new Plane(v3(0), n[3]);
    case 'Quat': return new Quaternion(n[0], n[1], n[2], n[3]);
    case 'AABB': return new AABB(v3(0), v3(3));
    case 'Basis': return rows(0);
    case 'Transform': return new Transform3D(rows(0), v3(9));
    case 'Color': return new Color(n[0], n[1], n[2], n[3]);
    case 'PoolByteArray': return Uint8Array.from(n);
    case 'PoolIntArray': return Int32Array.from(n);
    case 'PoolRealArray': return Float32Array.from(n);
    case 'PoolVector2Array': return new PackedVector2Array(Float32Array.from(n));
    case 'PoolVector3Array': return new PackedVector3Array(Float32Array.from(n));
    case 'PoolColorArray': return new PackedColorArray(Float32Array.from(n));
    default: return fail(`unknown constructor ${name}`);
  }
}

/** Parses one var2str text. */
export function parseVar2Str(text: string): Parsed {
  return new Parser(text).parseAll();
}

// ---------------------------------------------------------------------------------------------

/**
 * var2str prints a float with 6 significant digits of its float32 value (1e39 prints `inf`,
 * 2^-1074 prints `0.0`), so a decoded float is compared through Math.fround, with a relative
 * tolerance of 1e-5.
 */
export function floatClose(printed: number, actual: number): boolean {
  const a = Math.fround(actual);
  if (Number.isNaN(printed) || Number.isNaN(a)) return Number.isNaN(printed) && Number.isNaN(a);
  if (!Number.isFinite(printed) || !Number.isFinite(a)) return printed === a;
  return Math.abs(printed - a) <= 1e-5 * Math.max(Math.abs(printed), Math.abs(a)) || Math.abs(printed - a) < 1e-37;
}

function isFloatValue(v: unknown): v is number | Float {
  return v instanceof Float || (typeof v === 'number' && !(Number.isSafeInteger(v) && !Object.is(v, -0)));
}

function flat(v: unknown): number[] | null {
  if (v instanceof Vector2) return [v.x, v.y];
  if (v instanceof Vector3) return [v.x, v.y, v.z];
  if (v instanceof Rect2) return [v.position.x, v.position.y, v.size.x, v.size.y];
  if (v instanceof Transform2D) return [v.x.x, v.x.y, v.y.x, v.y.y, v.origin.x, v.origin.y];
  if (v instanceof Plane) return [v.normal.x, v.normal.y, v.normal.z, v.d];
  if (v instanceof Quaternion) return [v.x, v.y, v.z, v.w];
  if (v instanceof AABB) return [...(flat(v.position) ?? []), ...(flat(v.size) ?? [])];
  if (v instanceof Basis) return [...(flat(v.x) ?? []), ...(flat(v.y) ?? []), ...(flat(v.z) ?? [])];
  if (v instanceof Transform3D) return [...(flat(v.basis) ?? []), ...(flat(v.origin) ?? [])];
  if (v instanceof Color) return [v.r, v.g, v.b, v.a];
  if (v instanceof Float32Array) return [...v];
  if (v instanceof PackedVector2Array || v instanceof PackedVector3Array || v instanceof PackedColorArray) return [...v.data];
  return null;
}

/** Whether `actual` (decoded) matches `expected` (parsed var2str), types included. Returns a reason when not. */
export function mismatch(expected: Parsed, actual: unknown, path = '$'): string | null {
  const fail = (what: string): string => `${path}: ${what}`;
  if (expected === null) return actual === null ? null : fail(`expected null, got ${String(actual)}`);
  if (typeof expected === 'boolean' || typeof expected === 'string') {
    return actual === expected ? null : fail(`expected ${JSON.stringify(expected)}, got ${String(actual)}`);
  }
  if (typeof expected === 'number' || typeof expected === 'bigint') {
    const isInt = (typeof actual === 'number' && Number.isSafeInteger(actual) && !Object.is(actual, -0)) || typeof actual === 'bigint';
    return isInt && BigInt(actual) === BigInt(expected) ? null : fail(`expected int ${expected}, got ${String(actual)}`);
  }
  if (expected instanceof Float) {
    return isFloatValue(actual) && floatClose(expected.value, Number(actual)) ? null : fail(`expected float ${expected.value}, got ${String(actual)}`);
  }
  if (expected instanceof NodePath) {
    return actual instanceof NodePath && actual.equals(expected) ? null : fail(`expected NodePath(${expected}), got ${String(actual)}`);
  }
  if (expected instanceof ObjectText) {
    if (expected.className === null) return actual === null ? null : fail('expected a null object');
    if (actual instanceof EncodedObjectAsID) return null; // Godot's id mode: the class is not on the wire
    if (!(actual instanceof GodotObject) || actual.className !== expected.className) return fail(`expected Object(${expected.className})`);
    for (const [k, v] of expected.properties) {
      const r = mismatch(v, actual.properties.get(k), `${path}.${k}`);
      if (r) return r;
    }
    return null;
  }
  if (expected instanceof Uint8Array || expected instanceof Int32Array) {
    const ok = actual instanceof expected.constructor && (actual as typeof expected).length === expected.length &&
      expected.every((x, i) => (actual as typeof expected)[i] === x);
    return ok ? null : fail('packed integer array differs');
  }
  if (expected instanceof PackedStringArray) {
    const ok = actual instanceof PackedStringArray && actual.items.length === expected.items.length &&
      expected.items.every((s, i) => actual.items[i] === s);
    return ok ? null : fail('PackedStringArray differs');
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return fail('array length differs');
    for (let i = 0; i < expected.length; i++) {
      const r = mismatch(expected[i] as Parsed, actual[i], `${path}[${i}]`);
      if (r) return r;
    }
    return null;
  }
  if (expected instanceof Map) {
    // Godot 3's var2str sorts Dictionary keys; the wire keeps insertion order: match by key.
    if (!(actual instanceof Map) || actual.size !== expected.size) return fail('dictionary size differs');
    const left = [...(actual as Map<unknown, unknown>)];
    for (const [k, v] of expected) {
      const at = left.findIndex(([ak]) => mismatch(k, ak) === null);
      if (at < 0) return fail(`key ${String(k)} missing`);
      const r = mismatch(v, left[at]![1], `${path}{${String(k)}}`);
      if (r) return r;
      left.splice(at, 1);
    }
    return null;
  }
  const e = flat(expected);
  const a = flat(actual);
  if (e === null || a === null || (expected as object).constructor !== (actual as object).constructor) {
    return fail(`expected ${(expected as object).constructor.name}, got ${String(actual)}`);
  }
  if (e.length !== a.length) return fail('component count differs');
  for (let i = 0; i < e.length; i++) if (!floatClose(e[i]!, a[i]!)) return fail(`component ${i}: ${e[i]} vs ${a[i]}`);
  return null;
}
