/**
 * Decoder (decoder.ts via codec.ts): hex fixtures → values (JS types included), profile
 * differences, truncation at every length, Godot's error codes (asserted by code, never by
 * message), Godot's quirks (godot-wire.md §1.5–1.9, §9) and hostile counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error, GodotError } from '../../src/core/error.js';
import { bytesToVar, decodeVariant, varToBytes, variantEquals, type DecodeOptions } from '../../src/core/variant/codec.js';
import { builtin, TypedArray, TypedDictionary } from '../../src/core/variant/containers.js';
import { Color, Rect2 } from '../../src/core/variant/geometry.js';
import { NodePath } from '../../src/core/variant/node-path.js';
import { Callable, EncodedObjectAsID, GodotObject, Signal } from '../../src/core/variant/object.js';
import { PackedStringArray, PackedVector2Array } from '../../src/core/variant/packed.js';
import { Float, float, RID, StringName } from '../../src/core/variant/scalars.js';
import { Transform3D, Basis } from '../../src/core/variant/transforms.js';
import type { GodotVersion, Variant } from '../../src/core/variant/variant.js';
import { VariantType as T } from '../../src/core/variant/variant-type.js';
import { REAL_IS_DOUBLE, Vector2, Vector2i, Vector3 } from '../../src/core/variant/vectors.js';
import { fromHex } from '../helpers/hex.js';

function code(f: () => unknown): Error | 'no error' {
  try { f(); } catch (e) {
    if (e instanceof GodotError) return e.code;
    throw e; // anything else is a contract violation: fail loudly
  }
  return 'no error';
}

function dec(hex: string, options?: DecodeOptions): Variant {
  return bytesToVar(fromHex(hex), options);
}

test('scalars decode to the JS types of the mapping table', () => {
  assert.equal(dec('00000000'), null);
  assert.equal(dec('01000000 02000000 # BOOL, any non-zero is true'), true);
  assert.equal(dec('01000000 00000000'), false);
  assert.equal(dec('02000000 ffffffff # INT -1'), -1);
  assert.equal(dec('02000100 00000080 00000000 # INT64 2^31'), 2147483648);
  assert.equal(dec('02000100 ffffffff ffff1f00 # 2^53-1 still a number'), Number.MAX_SAFE_INTEGER);
  assert.equal(dec('02000100 00000000 00002000 # 2^53 → bigint'), 9007199254740992n);
  assert.equal(dec('02000100 01000000 00002000 # 2^53+1'), 9007199254740993n);
  assert.equal(dec('02000100 01000000 0000e0ff # -(2^53-1)'), -Number.MAX_SAFE_INTEGER);
  assert.equal(dec('02000100 00000000 0000e0ff # -2^53'), -9007199254740992n);
  assert.equal(dec('02000100 00000000 00000080 # INT64_MIN'), -9223372036854775808n);
  assert.equal(dec('02000100 05000000 00000000 # a small value sent as int64'), 5);
  assert.equal(dec('03000000 0000003f # FLOAT 0.5'), 0.5);
  assert.deepEqual(dec('03000000 0000803f # FLOAT 1.0'), new Float(1));
  assert.deepEqual(dec('03000000 00000000 # FLOAT +0.0'), new Float(0));
  assert.ok(Object.is(dec('03000000 00000080 # FLOAT -0.0'), -0));
  assert.equal(dec('03000100 9a999999 9999b93f'), 0.1);
  assert.ok(Number.isNaN(dec('03000100 00000000 0000f87f') as number));
  assert.ok(Number.isNaN(dec('03000000 0000c07f # float32 NaN') as number));
  assert.equal(dec('03000000 0000807f'), Infinity);
  assert.equal(dec('03000000 0000005a # 2^53 is integral but not safe: a number'), 2 ** 53);
  assert.equal(dec('04000000 02000000 6869 0000'), 'hi');
  assert.deepEqual(dec('15000000 02000000 6869 0000'), new StringName('hi'));
});

test('math types, both id spaces; FLAG_64 payloads are marked REAL_IS_DOUBLE (4.x only)', () => {
  assert.deepEqual(dec('09000000 0000803f 00000040 00004040'), new Vector3(1, 2, 3));
  assert.deepEqual(dec('07000000 0000803f 00000040 00004040', { godot: 3 }), new Vector3(1, 2, 3));
  assert.deepEqual(dec('06000000 0000803f 00000040 00004040 00008040', { godot: 3 }), Rect2.of(1, 2, 3, 4));
  assert.deepEqual(dec('06000000 01000000 feffffff'), new Vector2i(1, -2));
  const d = dec('05000100 00000000 0000f03f 00000000 00000040') as Vector2;
  assert.ok(d instanceof Vector2 && d.x === 1 && d.y === 2 && d[REAL_IS_DOUBLE] === true);
  assert.equal((dec('05000000 0000803f 00000040') as Vector2)[REAL_IS_DOUBLE], undefined);
  // Godot 3 has no double math types: the flag is ignored, the payload is float32.
  assert.deepEqual(dec('05000100 0000803f 00000040', { godot: 3 }), new Vector2(1, 2));
  const t = dec('0d000000 0000803f 00008040 0000e040 00000040 0000a040 00000041 00004040 0000c040 00001041 00002041 00003041 00004041', { godot: 3 });
  assert.ok(variantEquals(t, new Transform3D(new Basis(new Vector3(1, 2, 3), new Vector3(4, 5, 6), new Vector3(7, 8, 9)), new Vector3(10, 11, 12))));
  assert.deepEqual(dec('14000000 0000803f 0000003f 0000803e 0000803f'), new Color(1, 0.5, 0.25, 1));
  assert.deepEqual(dec('14000100 0000803f 0000003f 0000803e 0000803f # Color ignores FLAG_64'), new Color(1, 0.5, 0.25, 1));
});

test('NodePath: new format only; names then subnames; property flag adds a subname; absolute kept', () => {
  assert.ok((dec('16000000 02000080 01000000 00000000 01000000 61000000 01000000 62000000 01000000 63000000') as NodePath).equals(new NodePath('a/b:c')));
  assert.ok((dec('16000000 01000080 00000000 02000000 # flags bit1: one more subname \n 01000000 61000000 01000000 70000000') as NodePath).equals(new NodePath('a:p')));
  const root = dec('16000000 00000080 00000000 01000000') as NodePath;
  assert.ok(root.isAbsolute() && root.isEmpty()); // Godot would drop `absolute` here (deviation)
  // padding bytes are not checked (Godot 3.2.3 leaves garbage there)
  assert.ok((dec('0f000000 01000080 00000000 00000000 01000000 61566d78', { godot: 3 }) as NodePath).equals(new NodePath('a')));
  assert.equal(code(() => dec('16000000 01000000 61000000 # old format')), Error.ERR_INVALID_DATA);
  assert.equal(code(() => dec('16000000 01000080 00000000 # header cut short')), Error.ERR_INVALID_DATA);
});

test('RID, Object, Callable, Signal', () => {
  assert.deepEqual(dec('10000000', { godot: 3 }), new RID(0n)); // no payload in 3.x
  assert.deepEqual(dec('17000000 05000000 00000000'), new RID(5n));
  assert.deepEqual(dec('18000100 2a000000 00000000'), new EncodedObjectAsID(42n));
  assert.equal(dec('18000100 00000000 00000000 # id 0'), null);
  assert.deepEqual(dec('11000100 ffffffff ffffffff', { godot: 3 }), new EncodedObjectAsID(2n ** 64n - 1n));
  const full = '11000000 09000000 5265666572656e6365 000000 01000000 06000000 736372697074 0000 00000000';
  assert.equal(code(() => dec(full, { godot: 3 })), Error.ERR_UNAUTHORIZED);
  const o = dec(full, { godot: 3, allowObjects: true });
  assert.ok(o instanceof GodotObject && o.className === 'Reference' && o.properties.get('script') === null);
  assert.equal(dec('11000000 00000000 # empty class', { godot: 3, allowObjects: true }), null);
  assert.equal(code(() => dec('11000000 03000000 466f6f00 00000000', { godot: 3, allowObjects: true })), Error.ERR_UNAVAILABLE);
  assert.equal(code(() => dec('18000000 03000000 466f6f00 00000000', { allowObjects: true })), Error.ERR_UNAVAILABLE);
  const foo = dec('18000000 03000000 466f6f00 00000000', { allowObjects: true, classExists: (n) => n === 'Foo' });
  assert.ok(foo instanceof GodotObject && foo.className === 'Foo');
  assert.deepEqual(dec('19000000'), new Callable());
  assert.deepEqual(dec('1a000000 03000000 68697400 07000000 00000000'), new Signal('hit', 7n));
  assert.equal(code(() => dec('1a000000 03000000 68697400 070000')), Error.ERR_INVALID_DATA);
});

test('containers: counts masked with 0x7FFFFFFF, Map with insertion order, key -0.0 stays a FLOAT', () => {
  assert.deepEqual(dec('1c000000 01000080 02000000 07000000'), [7]);
  const m = dec('1b000000 02000080 04000000 01000000 61000000 02000000 01000000 02000000 05000000 00000000') as Map<Variant, Variant>;
  assert.deepEqual([...m], [['a', 1], [5, null]]);
  const z = dec('1b000000 02000000 03000000 00000080 01000000 01000000 02000000 00000000 01000000 00000000') as Map<Variant, Variant>;
  assert.equal(z.size, 2); // FLOAT -0.0 and INT 0 are different keys
  const [k0] = z.keys();
  assert.ok(k0 instanceof Float && Object.is(k0.value, -0));
  assert.equal(z.get(0), false);
  const dup = dec('1b000000 02000000 04000000 01000000 61000000 02000000 01000000 04000000 01000000 61000000 02000000 02000000') as Map<Variant, Variant>;
  assert.deepEqual([...dup], [['a', 2]]); // a repeated key overwrites, as in Godot
});

test('typed containers (4.3+ arrays, 4.4+ dictionaries) and what older profiles make of them', () => {
  const typed = '1c000100 02000000 01000000 02000100 efcdab89 674523f1';
  const a = dec(typed);
  assert.ok(a instanceof TypedArray && variantEquals(a, new TypedArray(builtin(T.INT), [BigInt.asIntN(64, 0xf123456789abcdefn)])));
  // 4.2 ignores the kind bits and reads the element type as the count: Godot 4.2 fails the same way.
  assert.equal(code(() => dec(typed, { godot: '4.2' })), Error.ERR_INVALID_DATA);
  const objTyped = dec('1c000100 18000000 00000000 # Array[Object], builtin OBJECT');
  assert.ok(objTyped instanceof TypedArray && variantEquals(objTyped, new TypedArray({ kind: 'class', className: 'EncodedObjectAsID' })));
  const cls = dec('1c000200 04000000 4e6f6465 00000000 # Array[Node]');
  assert.ok(variantEquals(cls, new TypedArray({ kind: 'class', className: 'EncodedObjectAsID' })));
  assert.ok(variantEquals(dec('1c000200 04000000 4e6f6465 00000000', { allowObjects: true }), new TypedArray({ kind: 'class', className: 'Node' })));
  assert.ok(variantEquals(dec('1c000300 0a000000 7265733a2f2f612e6764 0000 00000000', { allowObjects: true }), new TypedArray({ kind: 'script', path: 'res://a.gd' })));
  assert.equal(code(() => dec('1c000300 08000000 757365723a2f2f78 00000000', { allowObjects: true })), Error.ERR_INVALID_DATA);
  assert.deepEqual(dec('1c000100 00000000 00000000 # kind 1, type NIL: untyped'), []);
  assert.equal(code(() => dec('1c000100 27000000 00000000 # type 39 ≥ VARIANT_MAX')), Error.ERR_INVALID_DATA);
  assert.equal(code(() => dec('1c000100 26000000 00000000', { godot: '4.3' })), 'no error');
  const td = '1b000500 02000000 02000000 01000000 02000000 05000000 02000000 06000000';
  const d = dec(td);
  assert.ok(d instanceof TypedDictionary && variantEquals(d, new TypedDictionary(builtin(T.INT), builtin(T.INT), new Map([[5, 6]]))));
  assert.equal(code(() => dec(td, { godot: '4.3' })), Error.ERR_INVALID_DATA); // 4.3: type word read as count
});

test('type ids at and beyond VARIANT_MAX, per profile', () => {
  assert.equal(code(() => dec('1b000000', { godot: 3 })), Error.ERR_INVALID_DATA); // 27 = 3.x VARIANT_MAX
  assert.equal(code(() => dec('26000000 00000000', { godot: '4.2' })), Error.ERR_INVALID_DATA); // 38 in 4.0–4.2
  assert.ok(dec('26000000 00000000', { godot: '4.3' }) !== undefined);
  assert.equal(code(() => dec('27000000 00000000')), Error.ERR_INVALID_DATA); // 39
  assert.equal(code(() => dec('ff000000')), Error.ERR_INVALID_DATA);
  assert.equal(dec('02000200 05000000 # unknown flag bit 17 on INT is ignored'), 5);
});

test('packed arrays: copies, padding, NUL stripping, Godot count rules', () => {
  const input = fromHex('1d000000 03000000 010203 00');
  const bytes = bytesToVar(input) as Uint8Array;
  input[8] = 0xff;
  assert.deepEqual([...bytes], [1, 2, 3]); // a copy, not a view of the input
  // the padding after a PackedByteArray need not be present; r_len still counts it
  assert.deepEqual(decodeVariant(fromHex('1d000000 03000000 010203')).length, 12);
  assert.deepEqual(dec('1e000000 02000000 01000000 ffffffff'), new Int32Array([1, -1]));
  assert.deepEqual(dec('1f000000 01000000 ffffffff ffffffff'), new BigInt64Array([-1n]));
  assert.deepEqual(dec('20000000 01000000 0000003f'), new Float32Array([0.5]));
  assert.deepEqual(dec('21000000 01000000 9a999999 9999b93f'), new Float64Array([0.1]));
  assert.deepEqual((dec('22000000 03000000 03000000 616200 00 02000000 6162 0000 01000000 00 000000') as PackedStringArray).items, ['ab', 'ab', '']);
  assert.deepEqual((dec('17000000 ffffffff # count -1: empty, as Godot 3.2.3', { godot: 3 }) as PackedStringArray).items, []);
  const pv = dec('23000100 01000000 00000000 0000f03f 00000000 00000040') as PackedVector2Array;
  assert.ok(pv.data instanceof Float64Array && variantEquals(pv, PackedVector2Array.from([new Vector2(1, 2)])));
  assert.ok((dec('18000100 01000000 0000803f 00000040', { godot: 3 }) as PackedVector2Array).data instanceof Float32Array);
});

test('UTF-8: lenient where Godot is, strict where a JS string must be', () => {
  const str = (hex: string): Variant => dec(`04000000 ${(fromHex(hex).length).toString(16).padStart(2, '0')}000000 ${hex}${'00'.repeat(-fromHex(hex).length & 3)}`);
  assert.equal(str('eda080'), '\uD800'); // lone surrogate
  assert.equal(str('edb08061'), '\uDC00a');
  assert.equal(str('efbbbf61'), '\uFEFFa'); // BOM kept
  assert.equal(str('610062'), 'a\u0000b');
  assert.equal(str('f09f9880'), '😀');
  assert.equal(str('f48fbfbf'), '\u{10FFFF}');
  for (const bad of ['c328', 'c080', 'c1bf', 'e08080', 'e09fbf', 'f08fbfbf', 'f4908080', 'f5808080', 'f888808080', '80', 'bf', 'e282', 'f09f98', 'ff', 'fe']) {
    assert.equal(code(() => str(bad)), Error.ERR_INVALID_DATA, bad);
  }
  // the same checks on the long-string path (TextDecoder, then the lenient fallback)
  assert.equal(str(`${'61'.repeat(80)}eda080`), `${'a'.repeat(80)}\uD800`);
  assert.equal(code(() => str(`${'61'.repeat(80)}c328`)), Error.ERR_INVALID_DATA);
  assert.equal(code(() => str(`${'61'.repeat(80)}f4908080`)), Error.ERR_INVALID_DATA);
  assert.equal(str('61'.repeat(100) + 'eda080'), `${'a'.repeat(100)}\uD800`);
  assert.equal(str('61'.repeat(100) + 'efbbbf'), `${'a'.repeat(100)}\uFEFF`);
  assert.equal(str(`efbbbf${'61'.repeat(100)}`), `\uFEFF${'a'.repeat(100)}`);
});

test('strings: length beyond the buffer or missing padding is ERR_FILE_EOF', () => {
  assert.equal(code(() => dec('04000000 ffffffff')), Error.ERR_FILE_EOF);
  assert.equal(code(() => dec('04000000 ffffff7f')), Error.ERR_FILE_EOF);
  assert.equal(code(() => dec('04000000 05000000 6162')), Error.ERR_FILE_EOF);
  assert.equal(code(() => dec('04000000 01000000 61')), Error.ERR_FILE_EOF);
  assert.equal(code(() => dec('04000000 010000')), Error.ERR_INVALID_DATA);
});

interface Sample { name: string; value: Variant; godot: GodotVersion; options?: DecodeOptions; fullObjects?: boolean }

const SAMPLES: Sample[] = [
  { name: 'int64', value: 2 ** 40, godot: 4 },
  { name: 'float64', value: 0.1, godot: 3 },
  { name: 'string', value: 'héllo wörld', godot: 4 },
  { name: 'Vector3', value: new Vector3(1, 2, 3), godot: 3 },
  { name: 'Transform3D', value: new Transform3D(), godot: 4 },
  { name: 'NodePath', value: new NodePath('/root/Main:position:x'), godot: 3 },
  { name: 'Array', value: [1, 'ab', new Vector2(1, 2), [null]], godot: 4 },
  { name: 'Dictionary', value: { k: [true], key2: new Color() }, godot: 3 },
  { name: 'PackedInt32Array', value: new Int32Array([1, 2, 3]), godot: 4 },
  { name: 'PackedStringArray', value: new PackedStringArray(['a', 'bcd', '']), godot: 3 },
  { name: 'PackedByteArray', value: new Uint8Array([1, 2, 3, 4, 5]), godot: 4 },
  { name: 'object by id', value: new EncodedObjectAsID(9n), godot: 3 },
  { name: 'full object', value: new GodotObject('Node', new Map<string, Variant>([['name', 'n'], ['pos', new Vector2()]])), godot: 4, options: { allowObjects: true }, fullObjects: true },
  { name: 'RID', value: new RID(3n), godot: 4 },
  { name: 'Signal', value: new Signal('sig', 1n), godot: 4 },
  { name: 'typed Array', value: new TypedArray({ kind: 'class', className: 'EncodedObjectAsID' }, [null]), godot: 4 },
  { name: 'typed Dictionary', value: new TypedDictionary(builtin(T.STRING), null, new Map([['x', 1]])), godot: 4 },
];

/**
 * The error Godot returns for `bytes` cut to `len`: ERR_FILE_EOF when the cut falls inside a
 * string whose length word is complete, ERR_INVALID_DATA otherwise — found by walking the
 * encoding's string spans (collected by re-decoding growing prefixes would be circular, so
 * the spans are located in the bytes by their known contents).
 */
function expectedTruncationCode(bytes: Uint8Array, len: number, spans: Array<[number, number]>): Error {
  for (const [lenAt, end] of spans) {
    if (len < lenAt + 4) return Error.ERR_INVALID_DATA;
    if (len < end) return Error.ERR_FILE_EOF;
  }
  void bytes;
  return Error.ERR_INVALID_DATA;
}

/** String spans [offset of the length word, end of data + padding) in encoding order. */
function stringSpans(bytes: Uint8Array, strings: string[]): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const enc = new TextEncoder();
  let from = 0;
  for (const s of strings) {
    const u = enc.encode(s);
    const n = u.length;
    for (let i = from; i + 4 + n <= bytes.length; i++) {
      const dv = new DataView(bytes.buffer, bytes.byteOffset + i);
      const lenWord = dv.getUint32(0, true);
      if ((lenWord === n || lenWord === n + 1) && u.every((b, j) => bytes[i + 4 + j] === b)) {
        spans.push([i, i + 4 + lenWord + (-lenWord & 3)]);
        from = i + 4 + n;
        break;
      }
    }
  }
  return spans;
}

const STRINGS: Record<string, string[]> = {
  string: ['héllo wörld'], NodePath: ['root', 'Main', 'position', 'x'], Array: ['ab'],
  Dictionary: ['k', 'key2'], PackedStringArray: ['a', 'bcd', ''], 'full object': ['Node', 'name', 'n', 'pos'],
  Signal: ['sig'], 'typed Array': ['EncodedObjectAsID'], 'typed Dictionary': ['x'],
};

test('every truncation of every sample is refused with the right GodotError', () => {
  for (const s of SAMPLES) {
    const bytes = varToBytes(s.value, { godot: s.godot, fullObjects: s.fullObjects === true });
    const options = { godot: s.godot, ...s.options };
    assert.ok(variantEquals(bytesToVar(bytes, options), s.value), `${s.name} round-trips`);
    const spans = stringSpans(bytes, STRINGS[s.name] ?? []);
    assert.equal(spans.length, (STRINGS[s.name] ?? []).length, `${s.name}: string spans found`);
    for (let len = 0; len < bytes.length; len++) {
      const cut = bytes.slice(0, len);
      if (s.name === 'PackedByteArray' && len >= 13) {
        // Godot does not require the trailing pad bytes of a PackedByteArray
        assert.ok(variantEquals(bytesToVar(cut, options), s.value));
        continue;
      }
      assert.equal(code(() => bytesToVar(cut, options)), expectedTruncationCode(bytes, len, spans), `${s.name} cut to ${len}`);
    }
  }
});

test('hostile counts are refused without allocating for them', () => {
  const huge = ['ffffff7f', 'ffffffff', '00000080', '00000040'];
  for (const c of huge) {
    for (const t of ['1c', '1b', '1d', '1e', '1f', '20', '21', '22', '23', '24', '25', '26']) {
      const r = code(() => dec(`${t}000000 ${c} 00000000`));
      // PackedStringArray reads its count as int32: negative counts give an empty array
      if (t === '22' && (c === 'ffffffff' || c === '00000080')) assert.equal(r, 'no error');
      // Array/Dictionary mask bit 31 (the legacy "shared" flag): 0x80000000 is an empty container
      else if ((t === '1c' || t === '1b') && c === '00000080') assert.equal(r, 'no error');
      else assert.equal(r, Error.ERR_INVALID_DATA, `${t} count ${c}`);
    }
    assert.equal(code(() => dec(`16000000 ${c.slice(0, 6)}80 ffffffff 00000000`)), Error.ERR_INVALID_DATA);
  }
  // a 2^31-element array of NILs backed by 1 MB of zeros: fails when the bytes run out
  const big = new Uint8Array(8 + (1 << 20));
  big.set(fromHex('1c000000 ffffff7f'));
  assert.equal(code(() => bytesToVar(big)), Error.ERR_INVALID_DATA);
});

test('nesting: 1024 levels decode, deeper is ERR_OUT_OF_MEMORY; maxDepth adjusts it', () => {
  const nest = (n: number): Uint8Array => {
    const b = new Uint8Array(n * 8 + 4);
    for (let i = 0; i < n; i++) b.set(fromHex('1c000000 01000000'), i * 8);
    return b;
  };
  assert.equal(decodeVariant(nest(1024)).length, 1024 * 8 + 4);
  assert.equal(code(() => bytesToVar(nest(1025))), Error.ERR_OUT_OF_MEMORY);
  assert.equal(code(() => bytesToVar(nest(5), { maxDepth: 4 })), Error.ERR_OUT_OF_MEMORY);
  assert.equal(code(() => bytesToVar(nest(100_000), { maxDepth: 1e9 })), Error.ERR_OUT_OF_MEMORY); // the JS stack gives out first
});

test('only GodotError escapes, and the decoder keeps working after any error', () => {
  assert.equal(code(() => bytesToVar('00000000' as unknown as Uint8Array)), Error.ERR_INVALID_PARAMETER);
  assert.equal(code(() => bytesToVar(new Uint8Array(4), { godot: '9' as GodotVersion })), Error.ERR_INVALID_PARAMETER);
  const throwing = { allowObjects: true, classExists: (): boolean => { throw new TypeError('user bug'); } };
  assert.equal(code(() => dec('18000000 03000000 466f6f00 00000000', throwing)), Error.ERR_BUG);
  assert.equal(dec('02000000 07000000'), 7);
});

test('trailing bytes are ignored and reported through length; subarray inputs work', () => {
  const r = decodeVariant(fromHex('02000000 05000000 ff'));
  assert.deepEqual(r, { value: 5, length: 8 });
  const pool = new Uint8Array(64);
  pool.set(fromHex('04000000 02000000 6869 0000'), 20);
  assert.deepEqual(decodeVariant(pool.subarray(20, 32)), { value: 'hi', length: 12 });
  assert.deepEqual(decodeVariant(Buffer.from(pool.buffer, 20, 12)), { value: 'hi', length: 12 });
  assert.deepEqual(dec('1c000000 01000000 03000000 0000803f'), [float(1)]);
});
