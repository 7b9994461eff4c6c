/**
 * Fuzzing the Variant codec with a seeded PRNG (seed printed; GDWIRE_FUZZ_SEED and
 * GDWIRE_FUZZ_ITERATIONS override — `npm run fuzz` runs 200k).
 *
 * 1. Decoder robustness: random bytes and mutations of valid encodings (bit flips, truncation,
 *    splices, count fields set to huge values, type bytes changed) must only ever raise
 *    GodotError; whatever does decode must re-encode, decode again to an equal value and
 *    re-encode to the same bytes (the decoder is idempotent), within a small multiple of the
 *    input's size; and after every error a valid decode still works.
 * 2. Round trip: random Variants for each profile encode, decode to an equal value, re-encode
 *    to the same bytes, and their header's type id is what typeOf() says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GodotError } from '../../src/core/error.js';
import { decodeVariant, typeOf, varToBytes, variantEquals } from '../../src/core/variant/codec.js';
import type { Variant } from '../../src/core/variant/variant.js';
import { toHex } from '../helpers/hex.js';
import { FEATURES, randomVariant, type Features } from '../helpers/random-variant.js';
import { countFromEnv, Rng, seedFromEnv } from '../helpers/rng.js';

const SEED = seedFromEnv('GDWIRE_FUZZ_SEED', 0x5eed2024);
const ITERATIONS = countFromEnv('GDWIRE_FUZZ_ITERATIONS', 20_000);
const PROFILES: readonly Features[] = [FEATURES['3'], FEATURES['4.2'], FEATURES['4.3'], FEATURES['4']];
const HUGE = [0x7fffffff, 0xffffffff, 0x80000000, 0x40000000, 0x3fffffff, 0x1fffffff, 1_000_000, 0x80000001];

console.log(`variant fuzz: GDWIRE_FUZZ_SEED=${SEED} GDWIRE_FUZZ_ITERATIONS=${ITERATIONS}`);

function mutate(rng: Rng, input: Uint8Array): Uint8Array {
  let b = Uint8Array.from(input);
  const ops = rng.int(1, 3);
  for (let k = 0; k < ops; k++) {
    const at = b.length === 0 ? 0 : rng.int(0, b.length - 1);
    switch (rng.int(0, 7)) {
      case 0: if (b.length > 0) b[at] = b[at]! ^ (1 << rng.int(0, 7)); break;
      case 1: if (b.length > 0) b[at] = rng.u32() & 0xff; break;
      case 2: b = b.slice(0, rng.int(0, b.length)); break;
      case 3: { // insert random bytes
        const ins = rng.bytes(rng.int(1, 8));
        b = Uint8Array.from([...b.subarray(0, at), ...ins, ...b.subarray(at)]);
        break;
      }
      case 4: b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(Math.min(b.length, at + rng.int(1, 8)))]); break;
      case 5: { // duplicate a chunk
        const end = Math.min(b.length, at + rng.int(4, 16));
        b = Uint8Array.from([...b.subarray(0, end), ...b.subarray(at, end), ...b.subarray(end)]);
        break;
      }
      case 6: { // a count field (any aligned word) set to a huge value
        if (b.length >= 8) new DataView(b.buffer).setUint32(rng.int(1, (b.length >> 2) - 1) * 4, rng.pick(HUGE), true);
        break;
      }
      default: if (b.length >= 4) b[(at >> 2) << 2] = rng.int(0, 45); // another type id
    }
  }
  return b;
}

function fuzzInput(rng: Rng, f: Features): Uint8Array {
  if (rng.bool(0.2)) {
    const b = rng.bytes(rng.int(0, 64));
    if (b.length > 0 && rng.bool(0.7)) b[0] = rng.int(0, 39);
    if (b.length > 2 && rng.bool(0.5)) b[2] = rng.int(0, 1);
    return b;
  }
  const objects = rng.bool(0.3);
  const valid = varToBytes(randomVariant(rng, { ...f, objects }), { godot: f.godot, fullObjects: objects });
  return mutate(rng, valid);
}

test(`decoder: only GodotError, idempotent decodes, usable after errors (seed ${SEED})`, () => {
  const rng = new Rng(SEED);
  const witness = varToBytes({ ok: [1, 'two', 3.5] });
  const witnessValue = decodeVariant(witness).value;
  let errors = 0;
  let decoded = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const f = rng.pick(PROFILES);
    const input = fuzzInput(rng, f);
    const allowObjects = rng.bool(0.3);
    const where = `seed ${SEED} iteration ${i} godot ${String(f.godot)} allowObjects ${allowObjects} input ${toHex(input)}`;
    let value: Variant;
    let length: number;
    try {
      ({ value, length } = decodeVariant(input, { godot: f.godot, allowObjects }));
    } catch (e) {
      if (!(e instanceof GodotError)) assert.fail(`non-GodotError ${String(e)} at ${where}`);
      errors++;
      assert.ok(variantEquals(decodeVariant(witness).value, witnessValue), `decoder broken after an error at ${where}`);
      continue;
    }
    decoded++;
    assert.ok(length <= input.length + 3, `length ${length} at ${where}`); // +3: absent PackedByteArray padding
    const again = varToBytes(value, { godot: f.godot, fullObjects: allowObjects });
    assert.ok(again.length <= 4 * length + 64, `re-encoding grew to ${again.length} at ${where}`);
    const second = decodeVariant(again, { godot: f.godot, allowObjects }).value;
    assert.ok(variantEquals(second, value), `decode(encode(decode(x))) differs at ${where}`);
    assert.equal(toHex(varToBytes(second, { godot: f.godot, fullObjects: allowObjects })), toHex(again), `unstable bytes at ${where}`);
  }
  console.log(`variant fuzz: ${ITERATIONS} inputs, ${decoded} decoded, ${errors} refused with GodotError`);
  assert.ok(decoded > ITERATIONS / 20 && errors > ITERATIONS / 20, 'the fuzzer reaches both outcomes');
});

test(`round trip: random Variants, every profile, with and without full objects (seed ${SEED})`, () => {
  const rng = new Rng(SEED ^ 0x9e3779b9);
  const perCase = Math.max(1, Math.ceil(ITERATIONS / 8));
  for (const base of PROFILES) {
    for (const objects of [false, true]) {
      const f: Features = { ...base, objects };
      for (let i = 0; i < perCase; i++) {
        const v = randomVariant(rng, f);
        const where = `seed ${SEED} godot ${String(f.godot)} objects ${objects} case ${i}`;
        const bytes = varToBytes(v, { godot: f.godot, fullObjects: objects });
        assert.equal(bytes.length % 4, 0, where);
        assert.equal(bytes[0], typeOf(v, f.godot), `typeOf agrees with the header at ${where}`);
        const { value, length } = decodeVariant(bytes, { godot: f.godot, allowObjects: objects });
        assert.equal(length, bytes.length, where);
        assert.ok(variantEquals(value, v), `value differs at ${where}: ${toHex(bytes)}`);
        assert.equal(toHex(varToBytes(value, { godot: f.godot, fullObjects: objects })), toHex(bytes), `bytes differ at ${where}`);
      }
    }
  }
});
