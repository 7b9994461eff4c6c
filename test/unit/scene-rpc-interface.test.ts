/**
 * RPC packets (scene-rpc-interface.ts): the meta byte, node id u8/u16/u32 and the unconfirmed
 * form with the appended path, method id u8/u16, argc, the byte-only/no-args flag — the worked
 * examples of godot-wire.md §6.4 byte for byte, then sizes, and refusals by reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error, GodotError } from '../../src/core/error.js';
import type { Decoded, RefusalReason } from '../../src/multiplayer/scene/scene-multiplayer-protocol.js';
import {
  decodeRpc, decodeRpcArgs, encodeRpc, encodeRpcPacket, type RpcPacket,
} from '../../src/multiplayer/scene/scene-rpc-interface.js';
import { fromHex, toHex } from '../helpers/hex.js';

function code(f: () => unknown): Error | 'no error' {
  try { f(); } catch (e) {
    if (e instanceof GodotError) return e.code;
    throw e;
  }
  return 'no error';
}
function reason<T>(d: Decoded<T>): RefusalReason | 'ok' { return d.ok ? 'ok' : d.reason; }
function value<T>(d: Decoded<T>): T {
  if (!d.ok) assert.fail(`refused: ${d.reason}`);
  return d.value;
}

const UNCONFIRMED = `20         # meta: REMOTE_CALL (0) | node id u32 (2 << 4); method u8; argc follows
                     09000080   # u32 LE 0x80000009: path flag | offset 9 of the appended path
                     00         # method id 0 (u8)
                     01         # argc 1
                     02 2a      # arg: INT (ENCODE_8) 42
                     4d61696e00 # offset 9: node path "Main" + NUL`;
const CONFIRMED = `00     # meta: REMOTE_CALL, node id u8, method id u8, argc follows
                   01     # node id = cache id 1
                   00     # method id 0
                   01     # argc 1
                   02 2a  # arg: int 42`;
const NO_ARGS = `80  # meta: REMOTE_CALL | byte_only_or_no_args (bit 7); node u8; method u8
                 01  # cache id 1
                 00  # method id 0 — nothing follows: no arguments`;
const BYTES_ARG = `80     # meta: byte_only_or_no_args
                   01 00  # cache id 1, method 0
                   aa bb  # the single PackedByteArray's raw bytes (no meta, no length)`;

test('§6.4 worked examples, encoded exactly', () => {
  assert.equal(toHex(encodeRpc({ nodeId: 1, path: 'Main', methodId: 0, args: [42] })), toHex(fromHex(UNCONFIRMED)));
  assert.equal(toHex(encodeRpc({ nodeId: 1, methodId: 0, args: [42] })), toHex(fromHex(CONFIRMED)));
  assert.equal(toHex(encodeRpc({ nodeId: 1, methodId: 0 })), toHex(fromHex(NO_ARGS)));
  assert.equal(toHex(encodeRpc({ nodeId: 1, methodId: 0, args: [fromHex('aabb')] })), toHex(fromHex(BYTES_ARG)));
});

test('§6.4 worked examples, decoded', () => {
  const u = value(decodeRpc(fromHex(UNCONFIRMED)));
  assert.equal(u.path, 'Main');
  assert.equal(u.nodeId, 0);
  assert.equal(u.nodeIdSize, 4);
  assert.equal(u.methodId, 0);
  assert.equal(u.argc, 1);
  assert.equal(toHex(u.args), '022a', 'arguments stop where the path starts');
  assert.deepEqual(value(decodeRpcArgs(u)), [42]);

  const c = value(decodeRpc(fromHex(CONFIRMED)));
  assert.deepEqual({ ...c, args: toHex(c.args) },
    { nodeId: 1, nodeIdSize: 1, methodId: 0, methodIdSize: 1, byteOnlyOrNoArgs: false, argc: 1, args: '022a' });
  assert.equal(c.path, undefined);

  const n = value(decodeRpc(fromHex(NO_ARGS)));
  assert.equal(n.argc, 0);
  assert.deepEqual(value(decodeRpcArgs(n)), []);

  const b = value(decodeRpc(fromHex(BYTES_ARG)));
  assert.equal(b.argc, 1);
  assert.deepEqual(value(decodeRpcArgs(b)), [fromHex('aabb')]);
});

test('node id and method id sizes', () => {
  const u16 = fromHex(`10    # meta: node id u16 (1 << 4)
                       2c01  # cache id 300
                       03    # method 3
                       01    # argc 1
                       02 07 # int 7`);
  assert.equal(toHex(encodeRpc({ nodeId: 300, methodId: 3, args: [7] })), toHex(u16));
  assert.equal(value(decodeRpc(u16)).nodeId, 300);
  const big = encodeRpc({ nodeId: 70000, methodId: 0x8001, args: [true] });
  assert.equal(toHex(big), toHex(fromHex(`60        # meta: node id u32 (2 << 4) | method id u16 (bit 6)
                                          70110100  # cache id 70000
                                          0180      # method id 0x8001: bit 15 = native (non-script) method
                                          01 81     # argc 1, true`)));
  const d = value(decodeRpc(big));
  assert.deepEqual([d.nodeId, d.nodeIdSize, d.methodId, d.methodIdSize], [70000, 4, 0x8001, 2]);
  // Godot uses u32 for confirmed targets too when another target has not confirmed.
  assert.equal(toHex(encodeRpc({ nodeId: 1, methodId: 0, nodeIdSize: 4 })), 'a00100000000');
  assert.equal(code(() => encodeRpc({ nodeId: 300, methodId: 0, nodeIdSize: 1 })), Error.ERR_INVALID_PARAMETER);
  assert.equal(code(() => encodeRpc({ nodeId: 2 ** 31, methodId: 0 })), Error.ERR_INVALID_PARAMETER);
  assert.equal(code(() => encodeRpc({ nodeId: 1, methodId: 0x10000 })), Error.ERR_INVALID_PARAMETER);
  assert.equal(code(() => encodeRpc({ nodeId: 1, methodId: 256, methodIdSize: 1 })), Error.ERR_INVALID_PARAMETER);
  assert.equal(toHex(encodeRpc({ nodeId: 1, methodId: 7, methodIdSize: 2 })), 'c0010700', 'meta 0xc0: no args | u16 method id (which Godot would not pick for 7)');
  assert.equal(code(() => encodeRpcPacket({ nodeId: 1, methodId: 0 }, new Uint8Array(0), false, 256)), Error.ERR_INVALID_PARAMETER);
});

test('unconfirmed form with no arguments and with raw bytes', () => {
  const none = encodeRpc({ nodeId: 5, path: 'A/B', methodId: 2 });
  assert.equal(toHex(none), toHex(fromHex(`a0         # meta: byte-only/no-args | node id u32
                                           06000080   # path at offset 6 (= header end: no args)
                                           02         # method 2
                                           412f4200   # "A/B" + NUL`)));
  const d = value(decodeRpc(none));
  assert.deepEqual([d.path, d.argc], ['A/B', 0]);
  const raw = value(decodeRpc(encodeRpc({ nodeId: 5, path: 'A', methodId: 2, args: [fromHex('0102')] })));
  assert.deepEqual([d.path, raw.argc, toHex(raw.args)], ['A/B', 1, '0102']);
});

test('refusals, as process_rpc/_process_rpc', () => {
  assert.equal(reason(decodeRpc(new Uint8Array(0))), 'empty');
  assert.equal(reason(decodeRpc(fromHex('03 00'))), 'wrong-command');
  assert.equal(reason(decodeRpc(fromHex('30 00 00 00 00 00 00'))), 'bad-node-id-size', 'node id size 3');
  assert.equal(reason(decodeRpc(fromHex('00 01'))), 'too-short', 'no method id');
  assert.equal(reason(decodeRpc(fromHex('60 01000000 01'))), 'too-short', 'u16 method id cut');
  assert.equal(reason(decodeRpc(fromHex('00 01 00'))), 'too-short', 'no argc byte without the flag');
  assert.equal(reason(decodeRpc(fromHex('20 0a000080 00 00 41 00'))), 'bad-path-offset', 'offset past the end');
  assert.equal(reason(decodeRpc(fromHex('20 03000080 00 00 41 00'))), 'bad-path-offset', 'offset inside the header');
  assert.equal(reason(decodeRpc(fromHex('20 06000080 00 41 00'))), 'too-short', 'path right after the method id: no room for argc');
  assert.equal(reason(decodeRpc(fromHex('20 07000080 00 00 ff'))), 'bad-utf8');
  // A wrong argc is only found when the arguments are decoded.
  const p = value(decodeRpc(fromHex('00 01 00 02 02 2a')));
  assert.equal(reason(decodeRpcArgs(p)), 'args-truncated');
  // Bit 3 of the meta is unused: ignored.
  assert.equal(value(decodeRpc(fromHex('08 01 00 00'))).nodeId, 1);
});

test('every RpcPacket decoded re-encodes to the same bytes', () => {
  const packets = [UNCONFIRMED, CONFIRMED, NO_ARGS, BYTES_ARG].map((h) => fromHex(h));
  for (const bytes of packets) {
    const p: RpcPacket = value(decodeRpc(bytes));
    const again = encodeRpcPacket(
      { nodeId: p.nodeId, methodId: p.methodId, nodeIdSize: p.nodeIdSize, methodIdSize: p.methodIdSize, ...(p.path !== undefined ? { path: p.path } : {}) },
      p.args, p.byteOnlyOrNoArgs, p.argc);
    assert.equal(toHex(again), toHex(bytes));
  }
});
