/**
 * Fuzzing the SceneMultiplayer codecs and the relay server with a seeded PRNG (seed printed;
 * GDWIRE_FUZZ_SEED and GDWIRE_FUZZ_ITERATIONS override — `npm run fuzz` runs more).
 *
 * 1. Codecs: random and mutated packets never make a decoder throw; refusals use listed
 *    reasons; an accepted RPC re-encodes to a packet that decodes to the same fields.
 * 2. Arguments: random Variant lists (every 4.x profile) survive encodeRpc → decodeRpcArgs.
 * 3. Server: random connects, disconnects, ticks, auth exchanges, room moves and
 *    random/mutated packets from known and unknown peers. It never throws; it only sends to
 *    clients it knows; what it sends is well-formed; relayed packets carry the real sender and
 *    stay in the sender's room; visibility stays symmetric; drops are counted; and two sentinel
 *    clients keep relaying to each other throughout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { variantEquals } from '../../src/core/variant/codec.js';
import type { Variant } from '../../src/core/variant/variant.js';
import type { TransferMode } from '../../src/multiplayer/multiplayer-peer.js';
import {
  decodeConfirmPath, decodeSimplifyPath, encodeConfirmPath, encodeSimplifyPath,
} from '../../src/multiplayer/scene/scene-cache-interface.js';
import {
  decodeRaw, decodeSys, encodeAddPeer, encodeAuth, encodeDelPeer, encodeRaw, encodeRelay,
  REFUSAL_REASONS, SysCommand, type Decoded,
} from '../../src/multiplayer/scene/scene-multiplayer-protocol.js';
import { SceneRelayServer } from '../../src/multiplayer/scene/scene-relay-server.js';
import { DROP_REASONS, roomsBy, type SceneRelayAction } from '../../src/multiplayer/scene/scene-relay-types.js';
import { decodeRpc, decodeRpcArgs, encodeRpc, encodeRpcPacket } from '../../src/multiplayer/scene/scene-rpc-interface.js';
import { toHex } from '../helpers/hex.js';
import { FEATURES, randomVariant } from '../helpers/random-variant.js';
import { countFromEnv, Rng, seedFromEnv } from '../helpers/rng.js';

const SEED = seedFromEnv('GDWIRE_FUZZ_SEED', 0x5ce7e4);
const ITERATIONS = countFromEnv('GDWIRE_FUZZ_ITERATIONS', 20_000);
console.log(`scene fuzz: GDWIRE_FUZZ_SEED=${SEED} GDWIRE_FUZZ_ITERATIONS=${ITERATIONS}`);

const SUM = '0123456789abcdef0123456789abcdef';
const POOL = Array.from({ length: 24 }, (_, i) => 100 + i);
const S1 = 11;
const S2 = 12;
const REASONS = new Set<string>(REFUSAL_REASONS);

function mutate(rng: Rng, input: Uint8Array): Uint8Array {
  let b = Uint8Array.from(input);
  for (let k = rng.int(1, 3); k > 0; k--) {
    const at = b.length === 0 ? 0 : rng.int(0, b.length - 1);
    switch (rng.int(0, 5)) {
      case 0: if (b.length > 0) b[at] = b[at]! ^ (1 << rng.int(0, 7)); break;
      case 1: if (b.length > 0) b[at] = rng.u32() & 0xff; break;
      case 2: b = b.slice(0, rng.int(0, b.length)); break;
      case 3: b = Uint8Array.from([...b.subarray(0, at), ...rng.bytes(rng.int(1, 6)), ...b.subarray(at)]); break;
      case 4: b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(Math.min(b.length, at + rng.int(1, 6)))]); break;
      default: if (b.length >= 6) new DataView(b.buffer).setInt32(rng.int(0, b.length - 4), rng.pick([0, -1, 1, S1, S2, 0x7fffffff, -0x80000000, rng.pick(POOL)]), true);
    }
  }
  return b;
}

function randomArgs(rng: Rng): Variant[] {
  const f = FEATURES['4'];
  switch (rng.int(0, 3)) {
    case 0: return [];
    case 1: return [rng.bytes(rng.int(1, 8))];
    default: return Array.from({ length: rng.int(1, 4) }, () => randomVariant(rng, f));
  }
}

/** A packet a client could send (valid by construction), before any mutation. */
function validPacket(rng: Rng, depth = 0): Uint8Array {
  const peer = (): number => rng.pick([0, 1, -1, S1, S2, rng.pick(POOL), -rng.pick(POOL), 999]);
  switch (rng.int(0, 9)) {
    case 0: return encodeAuth(rng.bool(0.3) ? new Uint8Array(0) : Uint8Array.of(rng.int(0, 3), ...rng.bytes(rng.int(0, 4))));
    case 1: return rng.bool() ? encodeAddPeer(rng.pick(POOL)) : encodeDelPeer(rng.pick(POOL));
    case 2: case 3: {
      const inner = depth < 2 ? validPacket(rng, depth + 1) : encodeRaw(Uint8Array.of(1));
      return encodeRelay(peer(), inner.length > 0 ? inner : Uint8Array.of(3));
    }
    case 4: return encodeRpc({ nodeId: rng.int(1, 5), ...(rng.bool() ? { path: rng.pick(['Main', 'A/B', 'é']) } : {}), methodId: rng.pick([0, 1, 300, 0x8000]), args: randomArgs(rng) });
    case 5: return encodeSimplifyPath({ checksum: SUM, cacheId: rng.int(1, 6), path: rng.pick(['Main', 'World/P', '']) });
    case 6: return rng.bool() ? encodeConfirmPath({ format: 'id', valid: true, cacheId: rng.int(1, 5) })
      : encodeConfirmPath({ format: 'path', valid: rng.bool(), path: 'Main' });
    case 7: return encodeRaw(rng.bytes(rng.int(1, 12)));
    case 8: return Uint8Array.of(rng.int(4, 6), ...rng.bytes(rng.int(0, 10)));
    default: return rng.bytes(rng.int(0, 12));
  }
}

function fuzzPacket(rng: Rng): Uint8Array {
  const p = validPacket(rng);
  return rng.bool(0.6) ? mutate(rng, p) : p;
}

function checkRefusal<T>(d: Decoded<T>, where: string): void {
  if (!d.ok) assert.ok(REASONS.has(d.reason), `unlisted reason ${d.reason} at ${where}`);
}

test(`codecs never throw and re-encode what they accept (seed ${SEED})`, () => {
  const rng = new Rng(SEED);
  let accepted = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const bytes = fuzzPacket(rng);
    const where = `seed ${SEED} iteration ${i} input ${toHex(bytes)}`;
    const all: Array<Decoded<unknown>> = [decodeSys(bytes), decodeRaw(bytes), decodeSimplifyPath(bytes),
      decodeConfirmPath(bytes, 'id'), decodeConfirmPath(bytes, 'path')];
    for (const d of all) checkRefusal(d, where);
    const r = decodeRpc(bytes);
    checkRefusal(r, where);
    if (!r.ok) continue;
    accepted++;
    const p = r.value;
    checkRefusal(decodeRpcArgs(p), where);
    const again = encodeRpcPacket({ nodeId: p.nodeId, methodId: p.methodId, nodeIdSize: p.nodeIdSize, methodIdSize: p.methodIdSize, ...(p.path !== undefined ? { path: p.path } : {}) },
      p.args, p.byteOnlyOrNoArgs, p.argc);
    const q = decodeRpc(again);
    assert.ok(q.ok, `re-encoded RPC refused at ${where}`);
    assert.deepEqual({ ...q.value, args: toHex(q.value.args) }, { ...p, args: toHex(p.args) }, `fields differ at ${where}`);
  }
  assert.ok(accepted > ITERATIONS / 50, `the fuzzer reaches accepted RPCs (${accepted})`);
});

test(`RPC arguments round-trip for every 4.x profile (seed ${SEED})`, () => {
  const rng = new Rng(SEED ^ 0x1234567);
  for (let i = 0; i < ITERATIONS / 4; i++) {
    const f = rng.pick([FEATURES['4.2'], FEATURES['4.3'], FEATURES['4']]);
    let args = rng.bool(0.1) ? [rng.bytes(rng.int(1, 9))] : Array.from({ length: rng.int(0, 5) }, () => randomVariant(rng, f));
    // Godot quirk (multiplayer-api.ts): one empty PackedByteArray arrives as no arguments.
    const lone = args.length === 1 ? args[0] : undefined;
    if (lone instanceof Uint8Array && lone.length === 0) args = [];
    const bytes = encodeRpc({ nodeId: rng.int(0, 70000), methodId: rng.int(0, 0xffff), args }, { godot: f.godot });
    const d = decodeRpc(bytes);
    assert.ok(d.ok, `seed ${SEED} case ${i}`);
    const back = decodeRpcArgs(d.value, { godot: f.godot });
    assert.ok(back.ok, `seed ${SEED} case ${i}: ${toHex(bytes)}`);
    assert.equal(back.value.length, args.length, `seed ${SEED} case ${i}`);
    args.forEach((a, k) => assert.ok(variantEquals(back.value[k]!, a), `seed ${SEED} case ${i} arg ${k}`));
  }
});

/** Checks every action of one server call against the invariants. */
function checkActions(s: SceneRelayServer, actions: SceneRelayAction[], from: number | null, where: string): void {
  const live = new Set([...s.getPeerIds(), ...s.getAuthenticatingPeerIds()]);
  for (const a of actions) {
    if (a.type !== 'send') continue;
    assert.ok(live.has(a.to), `send to unknown ${a.to} at ${where}`);
    const d = decodeSys(a.bytes);
    if (!d.ok) continue; // CONFIRM_PATH / RAW from the server
    if (d.value.sys === SysCommand.SYS_COMMAND_RELAY) {
      assert.equal(d.value.peer, from, `relay source is not the sender at ${where}`);
      assert.ok(a.to === from || s.getVisiblePeerIds(from!).includes(a.to), `relay left the room at ${where}`);
      assert.notEqual(d.value.packet[0]! & 7, 7, `nested SYS forwarded at ${where}`);
    }
  }
  for (const id of s.getPeerIds()) {
    for (const o of s.getVisiblePeerIds(id)) assert.ok(s.getVisiblePeerIds(o).includes(id), `asymmetric visibility ${id}/${o} at ${where}`);
  }
}

test(`relay server: never throws, stays consistent, keeps serving (seed ${SEED})`, () => {
  const rng = new Rng(SEED ^ 0xabcdef);
  const room = new Map<number, string>([[S1, 'sentinel'], [S2, 'sentinel']]);
  for (const id of POOL) room.set(id, `r${id % 3}`);
  const s = new SceneRelayServer({
    godotVersion: rng.pick(['4.2', '4.3'] as const),
    canSee: roomsBy((id) => room.get(id)),
    authValidator: (_id, payload) => (payload[0] === 1 ? { kind: 'accept', reply: Uint8Array.of(9) } : payload[0] === 2 ? { kind: 'reject' } : { kind: 'continue' }),
    maxCachedPaths: 4,
  });
  let now = 0;
  for (const id of [S1, S2]) {
    s.peerConnected(id, now);
    s.handlePacket(id, encodeAuth(Uint8Array.of(1)), 2 as TransferMode, 0);
    s.handlePacket(id, encodeAuth(), 2 as TransferMode, 0);
  }
  assert.deepEqual(s.getPeerIds(), [S1, S2]);
  s.takeActions();
  const sentinel = (where: string): void => {
    const mode = rng.int(0, 2) as TransferMode;
    const channel = rng.int(0, 5);
    const out = s.handlePacket(S1, encodeRelay(S2, Uint8Array.of(3, 0x5e)), mode, channel);
    assert.deepEqual(out, [{ type: 'send', to: S2, bytes: encodeRelay(S1, Uint8Array.of(3, 0x5e)), mode, channel }], `sentinel relay at ${where}`);
  };
  for (let i = 0; i < ITERATIONS; i++) {
    const where = `seed ${SEED} iteration ${i}`;
    let actions: SceneRelayAction[];
    let from: number | null = null;
    const op = rng.int(0, 99);
    if (op < 8) {
      const id = rng.bool(0.95) ? rng.pick(POOL) : rng.pick([0, 1, -3, 2 ** 31, 1.5]);
      actions = s.peerConnected(id, now);
      if (rng.bool(0.7)) { // most clients authenticate at once, in either order
        const steps = [encodeAuth(Uint8Array.of(1)), encodeAuth()];
        if (rng.bool()) steps.reverse();
        for (const step of steps) actions.push(...s.handlePacket(id, step, 2 as TransferMode, 0));
      }
    }
    else if (op < 12) actions = s.peerDisconnected(rng.pick(POOL));
    else if (op < 16) actions = s.tick(now += rng.int(0, 1500));
    else if (op < 18) {
      const id = rng.pick(POOL);
      room.set(id, `r${rng.int(0, 2)}`);
      s.refreshVisibility(rng.bool() ? id : undefined);
      actions = s.takeActions();
    } else if (op < 20) {
      const id = rng.pick(POOL);
      if (rng.bool()) s.completeAuth(id); else s.sendAuth(id, rng.bytes(rng.int(0, 3)));
      actions = s.takeActions();
    } else if (op < 21) {
      s.sendBytes(rng.bytes(rng.int(0, 3)), rng.pick([0, -rng.pick(POOL), rng.pick(POOL)]));
      actions = s.takeActions();
    } else {
      const admitted = s.getPeerIds().filter((id) => id !== S1 && id !== S2);
      const pending = s.getAuthenticatingPeerIds();
      const r = rng.next();
      from = r < 0.8 && admitted.length > 0 ? rng.pick(admitted)
        : r < 0.9 && pending.length > 0 ? rng.pick(pending)
          : rng.bool(0.9) ? rng.pick(POOL) : rng.pick([999, 1, 0]);
      actions = s.handlePacket(from, fuzzPacket(rng), rng.int(0, 2) as TransferMode, rng.int(0, 8));
    }
    checkActions(s, actions, from, where);
    if (i % 1000 === 0) sentinel(where);
  }
  sentinel('the end');
  const drops = s.getDropCounts();
  const hit = DROP_REASONS.filter((r) => drops[r] > 0);
  console.log(`scene fuzz: ${s.getDropTotal()} drops — ${hit.map((r) => `${r} ${drops[r]}`).join(', ')}`);
  assert.ok(hit.length >= 10, `the fuzzer reaches most drop reasons (${hit.join(', ')})`);
});
