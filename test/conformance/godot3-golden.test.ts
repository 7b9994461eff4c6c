/**
 * Golden data from a real Godot 3.2.3 runtime (test/fixtures/godot3-var2bytes.json; provenance
 * in test/fixtures/PROVENANCE.md): 137 values with var2bytes hex and var2str text, 42 malformed
 * inputs with the Error Godot printed.
 *
 * Checked for every value: decode → re-encode gives Godot's bytes exactly (NodePath padding
 * zeroed, as gdwire writes it); the decoded value matches Godot's own var2str text (parsed by
 * test/helpers/var2str.ts, floats within 1e-5 since var2str prints 6 digits); full-object forms
 * round-trip too. Hand-picked values are also built directly from the model classes and encoded,
 * so the encoder is tested independently of the decoder. Every malformed input gives Godot's
 * outcome: the same value, or a GodotError whose code is the Error named in Godot's output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Error, GodotError } from '../../src/core/error.js';
import { bytesToVar, decodeVariant, varToBytes, variantEquals } from '../../src/core/variant/codec.js';
import { AABB, Color, Plane, Quaternion, Rect2 } from '../../src/core/variant/geometry.js';
import { NodePath } from '../../src/core/variant/node-path.js';
import { EncodedObjectAsID, GodotObject } from '../../src/core/variant/object.js';
import { PackedColorArray, PackedStringArray, PackedVector2Array, PackedVector3Array } from '../../src/core/variant/packed.js';
import { float, RID } from '../../src/core/variant/scalars.js';
import { Basis, Transform2D, Transform3D } from '../../src/core/variant/transforms.js';
import type { Variant } from '../../src/core/variant/variant.js';
import { Vector2, Vector3 } from '../../src/core/variant/vectors.js';
import { fromHex, toHex } from '../helpers/hex.js';
import { fixturesDir } from '../helpers/paths.js';
import { mismatch, parseVar2Str } from '../helpers/var2str.js';

interface GoldenValue {
  name: string; type: string; var2str: string; hex: string; len: number;
  hex_zero_padded?: string; hex_full_objects?: string;
}
interface GoldenMalformed { name: string; hex: string; allow_objects: boolean; outcome: string; output: string[] }
interface Golden { godot_version: string; values: GoldenValue[]; malformed: GoldenMalformed[] }

const golden = JSON.parse(readFileSync(join(fixturesDir, 'godot3-var2bytes.json'), 'utf8')) as Golden;
const G3 = { godot: 3 } as const;

function byName(name: string): GoldenValue {
  const v = golden.values.find((x) => x.name === name);
  if (!v) throw new globalThis.Error(`no golden value ${name}`);
  return v;
}

function codeOf(f: () => unknown): Error | 'no error' {
  try { f(); } catch (e) {
    if (e instanceof GodotError) return e.code;
    throw e;
  }
  return 'no error';
}

test(`fixture is Godot ${golden.godot_version}, 137 values, 42 malformed`, () => {
  assert.match(golden.godot_version, /^3\.2\.3/);
  assert.equal(golden.values.length, 137);
  assert.equal(golden.malformed.length, 42);
});

test('every value: decode then re-encode gives Godot\'s bytes (padding zeroed)', () => {
  for (const g of golden.values) {
    const bytes = fromHex(g.hex_zero_padded ?? g.hex);
    const { value, length } = decodeVariant(bytes, G3);
    assert.equal(length, g.len, `${g.name}: bytes used`);
    assert.equal(toHex(varToBytes(value, G3)), toHex(bytes), g.name);
    // Godot's own bytes, garbage padding included, decode to the same value
    assert.ok(variantEquals(bytesToVar(fromHex(g.hex), G3), value), `${g.name}: padding values ignored`);
    if (g.hex_full_objects !== undefined) {
      const full = fromHex(g.hex_full_objects);
      assert.equal(codeOf(() => bytesToVar(full, G3)), Error.ERR_UNAUTHORIZED, `${g.name}: full object needs allowObjects`);
      const obj = bytesToVar(full, { godot: 3, allowObjects: true });
      assert.equal(toHex(varToBytes(obj, { godot: 3, fullObjects: true })), toHex(full), `${g.name}: full objects`);
    }
  }
});

test('every value: the decoded value matches Godot\'s var2str text', () => {
  let checked = 0;
  for (const g of golden.values) {
    const value = bytesToVar(fromHex(g.hex_zero_padded ?? g.hex), G3);
    if (g.type === '_RID') { // var2str prints nothing for a RID
      assert.ok(value instanceof RID && value.id === 0n, g.name);
      continue;
    }
    const why = mismatch(parseVar2Str(g.var2str), value);
    assert.equal(why, null, `${g.name}: ${g.var2str}`);
    if (g.hex_full_objects !== undefined) {
      const full = bytesToVar(fromHex(g.hex_full_objects), { godot: 3, allowObjects: true });
      assert.equal(mismatch(parseVar2Str(g.var2str), full), null, `${g.name} (full object)`);
    }
    checked++;
  }
  assert.equal(checked, 135);
});

test('the var2str comparison can fail (it is not vacuous)', () => {
  assert.notEqual(mismatch(parseVar2Str('Vector2( 1, 2 )'), new Vector2(1, 2.1)), null);
  assert.notEqual(mismatch(parseVar2Str('1'), float(1)), null);
  assert.notEqual(mismatch(parseVar2Str('1.0'), 1), null);
  assert.notEqual(mismatch(parseVar2Str('{\n"a": 1\n}'), new Map([['a', 2]])), null);
  assert.notEqual(mismatch(parseVar2Str('{\n"a": 1\n}'), new Map([['b', 1]])), null);
  assert.notEqual(mismatch(parseVar2Str('NodePath("a:b")'), new NodePath('a/b')), null);
  assert.notEqual(mismatch(parseVar2Str('PoolStringArray( "a" )'), new PackedStringArray(['b'])), null);
});

/** Values built from the model classes, encoded, compared with Godot's bytes: encode tested on its own. */
const BUILT: Array<[string, Variant]> = [
  ['nil', null], ['bool_true', true], ['int_-1', -1], ['int_2147483647', 2147483647],
  ['int64_2147483648', 2147483648], ['int64_-2147483649', -2147483649], ['int64_9007199254740993', 9007199254740993n],
  ['int64_9223372036854775807', 9223372036854775807n], ['int64_--9223372036854775808', -9223372036854775808n],
  ['real_0', float(0)], ['real_neg0', -0], ['real_1', float(1)], ['real_-2.25', -2.25], ['real_0.1', 0.1],
  ['real_1div3', 1 / 3], ['real_pi', Math.PI], ['real_1e10', float(1e10)], ['real_16777217', float(16777217)],
  ['real_2pow53', 2 ** 53], ['real_flt_max', 3.4028234663852886e38], ['real_1.4e-45', 1.401298464324817e-45],
  ['real_min_denormal64', 5e-324], ['real_inf', Infinity], ['real_neg_inf', -Infinity], ['real_nan', Number.NaN],
  ['string_empty', ''], ['string_abcde', 'abcde'], ['string_cjk2', '日本'], ['string_emoji_a', '😀a'],
  ['string_ascii_controls', 'tab\tnl\nquote"bs\\'],
  ['vector2', new Vector2(1.5, -2.25)], ['vector2_lossy', new Vector2(0.1, 0.2)], ['rect2_neg', Rect2.of(-1.5, -2.5, 10, 20)],
  ['vector3', new Vector3(1, -2, 3.5)],
  ['transform2d', new Transform2D(new Vector2(1, 2), new Vector2(3, 4), new Vector2(5, 6))],
  ['plane_2', new Plane(new Vector3(0, 1, 0), -2.5)], ['quat', new Quaternion(0.1, 0.2, 0.3, 0.9)],
  ['aabb', new AABB(new Vector3(1, 2, 3), new Vector3(4, 5, 6))],
  ['basis', new Basis(new Vector3(1, 2, 3), new Vector3(4, 5, 6), new Vector3(7, 8, 9))],
  ['transform', new Transform3D(new Basis(new Vector3(1, 2, 3), new Vector3(4, 5, 6), new Vector3(7, 8, 9)), new Vector3(10, 11, 12))],
  ['color_2', new Color(0.1, 0.2, 0.3, 0.4)],
  ['nodepath_empty', new NodePath('')], ['nodepath_rel_multi', new NodePath('a/bb/ccc/dddd')],
  ['nodepath_abs', new NodePath('/root/Main')], ['nodepath_rel_subs', new NodePath('../Sibling:position:x')],
  ['nodepath_only_sub', new NodePath(':abcde')], ['nodepath_unicode', new NodePath('日/é:x')],
  ['rid_real', new RID(12345n)], ['object_null', null],
  ['object_reference', new EncodedObjectAsID(0x509n)], ['object_resource', new GodotObject('Resource', new Map(), 0x50an)],
  ['dict_empty', {}], ['dict_simple', { a: 1 }],
  ['dict_mixed_keys', new Map<Variant, Variant>([[1, 'one'], ['two', 2.5], [new Vector2(1, 2), null], [true, [1]]])],
  ['dict_nested', { k: { inner: [1, 'x', null] }, e: {} }],
  ['array_mixed', [null, true, 2, 3.5, 'four', new Vector2(5, 6)]],
  ['array_nested', [[], [1, [2, [3]]], { a: [] }]], ['array_with_nodepath', [new NodePath('x:y'), 'z']],
  ['pool_byte_5', new Uint8Array([0, 255, 128, 127, 1])], ['pool_int', new Int32Array([0, 1, -1, 2147483647, -2147483648])],
  ['pool_real', new Float32Array([0, 1.5, -2.25, 0.1, Infinity, Number.NaN])],
  ['pool_string', new PackedStringArray(['', 'a', 'abc', 'abcd', '日本'])],
  ['pool_vector2', PackedVector2Array.from([new Vector2(1, 2), new Vector2(-0.5, 0.25)])],
  ['pool_vector3', PackedVector3Array.from([new Vector3(1, 2, 3), new Vector3(-1, -2, -3)])],
  ['pool_color', PackedColorArray.from([new Color(1, 0, 0, 1), new Color(0, 0.5, 1, 0.25)])],
];

test('hand-built values encode to Godot\'s bytes', () => {
  for (const [name, value] of BUILT) {
    const g = byName(name);
    assert.equal(toHex(varToBytes(value, G3)), toHex(fromHex(g.hex_zero_padded ?? g.hex)), name);
  }
  const ref = byName('object_reference');
  assert.equal(toHex(varToBytes(new GodotObject('Reference', new Map([['script', null]])), { godot: 3, fullObjects: true })), ref.hex_full_objects);
  const res = byName('object_resource');
  const resource = new GodotObject('Resource', new Map<string, Variant>([
    ['resource_local_to_scene', false], ['resource_name', 'res_name'], ['script', null],
  ]));
  assert.equal(toHex(varToBytes(resource, { godot: 3, fullObjects: true })), res.hex_full_objects);
});

/** Godot's error for an aborted decode: the first "Returned: ERR_…" / "Returning: ERR_…" it printed. */
function godotError(m: GoldenMalformed): Error {
  for (const line of m.output) {
    const r = /Return(?:ed|ing): (ERR_\w+)/.exec(line);
    if (r?.[1] !== undefined) {
      const code = (Error as unknown as Record<string, number>)[r[1]];
      if (code === undefined) throw new globalThis.Error(`unknown Error ${r[1]}`);
      return code;
    }
  }
  throw new globalThis.Error(`${m.name}: no Error in Godot's output`);
}

/** The two deep-nesting inputs are stored truncated ("…(N bytes total)"): rebuild them. */
function malformedBytes(m: GoldenMalformed): Uint8Array {
  const cut = /^([0-9a-f]*)\.\.\.\((\d+) bytes total\)$/.exec(m.hex);
  if (!cut) return fromHex(m.hex);
  const total = Number(cut[2]);
  const depth = (total - 4) / 8;
  const bytes = new Uint8Array(total); // innermost element: NIL (4 zero bytes)
  for (let i = 0; i < depth; i++) bytes.set(fromHex('13000000 01000000'), i * 8);
  assert.equal(toHex(bytes.subarray(0, (cut[1] ?? '').length / 2)), cut[1], `${m.name}: rebuilt prefix`);
  return bytes;
}

test('every malformed input: Godot\'s outcome, Godot\'s error code', () => {
  for (const m of golden.malformed) {
    const bytes = malformedBytes(m);
    const options = { godot: 3, allowObjects: m.allow_objects } as const;
    if (m.outcome === 'DECODE_ABORTED') {
      assert.equal(codeOf(() => bytesToVar(bytes, options)), godotError(m), m.name);
    } else if (m.outcome.startsWith('CRASHED_AFTER_DECODE_RETURNED')) {
      // 20,000 nested arrays: Godot 3.2.3 decodes them (no depth limit), then crashes printing.
      // gdwire's default depth limit refuses them, as Godot 4 does — a documented deviation.
      assert.equal(m.name, 'deep_array_nesting_20000');
      assert.equal(codeOf(() => bytesToVar(bytes, options)), Error.ERR_OUT_OF_MEMORY, m.name);
    } else {
      const d = /^DECODED type=(\w+) var2str=(.*?)(?: class=(\w+))?(?: object_id=(\d+))?$/.exec(m.outcome);
      assert.ok(d, `${m.name}: outcome ${m.outcome}`);
      const value = bytesToVar(bytes, options);
      const [, , text = '', cls, objectId] = d;
      if (m.name === 'deep_array_nesting_1000') {
        let depth = 0;
        let v: Variant = value;
        while (Array.isArray(v) && v.length === 1) { v = v[0]; depth++; }
        assert.deepEqual([depth, v], [1000, null]);
        continue;
      }
      assert.equal(mismatch(parseVar2Str(text), value), null, `${m.name}: ${text}`);
      if (objectId !== undefined) assert.ok(value instanceof EncodedObjectAsID && value.objectId === BigInt(objectId), m.name);
      if (cls !== undefined && cls !== 'EncodedObjectAsID') assert.ok(value instanceof GodotObject && value.className === cls, m.name);
    }
  }
});
