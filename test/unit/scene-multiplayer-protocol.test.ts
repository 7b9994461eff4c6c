/**
 * SceneMultiplayer framing (scene-multiplayer-protocol.ts): the command byte, SYS messages
 * (AUTH, ADD_PEER, DEL_PEER, RELAY) and RAW — hex fixtures with a comment per field, the
 * minimum lengths Godot enforces, and refusals asserted by reason.
 * Layouts: godot-wire.md §6.2, §6.3, §6.7.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error, GodotError } from '../../src/core/error.js';
import {
  commandFlagsOf, commandOf, decodeRaw, decodeSys, encodeAddPeer, encodeAuth, encodeAuthComplete,
  encodeCommandByte, encodeDelPeer, encodeRaw, encodeRelay, encodeSys, NetworkCommand, REFUSAL_REASONS,
  SysCommand, type Decoded, type RefusalReason, type SysMessage,
} from '../../src/multiplayer/scene/scene-multiplayer-protocol.js';
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

test('command byte: low 3 bits are the command, bit 3 ignored, bits 4–7 flags', () => {
  assert.equal(commandOf(0x07), NetworkCommand.NETWORK_COMMAND_SYS);
  assert.equal(commandOf(0x0f), NetworkCommand.NETWORK_COMMAND_SYS, 'bit 3 is not part of the command');
  assert.equal(commandOf(0xa0), NetworkCommand.NETWORK_COMMAND_REMOTE_CALL);
  assert.equal(commandFlagsOf(0xa0), 0x0a);
  assert.equal(encodeCommandByte(NetworkCommand.NETWORK_COMMAND_REMOTE_CALL, 0x0a), 0xa0);
  assert.equal(encodeCommandByte(NetworkCommand.NETWORK_COMMAND_RAW), 0x03);
  assert.equal(code(() => encodeCommandByte(NetworkCommand.NETWORK_COMMAND_RAW, 16)), Error.ERR_INVALID_PARAMETER);
  assert.equal(code(() => encodeCommandByte(8 as NetworkCommand)), Error.ERR_INVALID_PARAMETER);
});

test('enum values are Godot\'s', () => {
  assert.deepEqual(
    [NetworkCommand.NETWORK_COMMAND_REMOTE_CALL, NetworkCommand.NETWORK_COMMAND_SIMPLIFY_PATH,
      NetworkCommand.NETWORK_COMMAND_CONFIRM_PATH, NetworkCommand.NETWORK_COMMAND_RAW,
      NetworkCommand.NETWORK_COMMAND_SPAWN, NetworkCommand.NETWORK_COMMAND_DESPAWN,
      NetworkCommand.NETWORK_COMMAND_SYNC, NetworkCommand.NETWORK_COMMAND_SYS],
    [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(
    [SysCommand.SYS_COMMAND_AUTH, SysCommand.SYS_COMMAND_ADD_PEER, SysCommand.SYS_COMMAND_DEL_PEER, SysCommand.SYS_COMMAND_RELAY],
    [0, 1, 2, 3]);
});

const SYS_FIXTURES: ReadonlyArray<{ name: string; msg: SysMessage; hex: string }> = [
  {
    name: 'ADD_PEER 1000',
    msg: { sys: SysCommand.SYS_COMMAND_ADD_PEER, peerId: 1000 },
    hex: `07        # NETWORK_COMMAND_SYS
          01        # SYS_COMMAND_ADD_PEER
          e8030000  # u32 LE peer id 1000`,
  },
  {
    name: 'DEL_PEER 0x7fffffff',
    msg: { sys: SysCommand.SYS_COMMAND_DEL_PEER, peerId: 0x7fffffff },
    hex: `07        # NETWORK_COMMAND_SYS
          02        # SYS_COMMAND_DEL_PEER
          ffffff7f  # u32 LE peer id 2147483647 (largest 31-bit id)`,
  },
  {
    name: 'RELAY client → server, to all but 5',
    msg: { sys: SysCommand.SYS_COMMAND_RELAY, peer: -5, packet: fromHex('03 aabb') },
    hex: `07        # NETWORK_COMMAND_SYS
          03        # SYS_COMMAND_RELAY
          fbffffff  # i32 LE destination −5 = everyone except peer 5
          03 aabb   # inner packet: RAW [aa bb]`,
  },
  {
    name: 'RELAY client → server, to all',
    msg: { sys: SysCommand.SYS_COMMAND_RELAY, peer: 0, packet: fromHex('03 01') },
    hex: `07 03     # SYS RELAY
          00000000  # i32 destination 0 = broadcast
          03 01     # inner packet: RAW [01]`,
  },
  {
    name: 'RELAY server → client, from 1234',
    msg: { sys: SysCommand.SYS_COMMAND_RELAY, peer: 1234, packet: fromHex('00 01 00 01 02 2a') },
    hex: `07 03     # SYS RELAY
          d2040000  # i32 source 1234 (the server writes the real sender)
          00 01 00 01 02 2a  # inner packet: RPC, cache id 1, method 0, argc 1, int 42 (§6.4)`,
  },
  {
    name: 'AUTH with a payload (send_auth)',
    msg: { sys: SysCommand.SYS_COMMAND_AUTH, payload: fromHex('736563726574') },
    hex: `07 00          # SYS AUTH
          736563726574   # payload "secret" (no length: the packet end delimits it)`,
  },
  {
    name: 'AUTH completion (complete_auth)',
    msg: { sys: SysCommand.SYS_COMMAND_AUTH, payload: new Uint8Array(0) },
    hex: `07 00  # SYS AUTH with no payload = "authentication completed on my side"`,
  },
];

test('SYS fixtures encode exactly and decode back', () => {
  for (const f of SYS_FIXTURES) {
    const bytes = fromHex(f.hex);
    assert.equal(toHex(encodeSys(f.msg)), toHex(bytes), f.name);
    const d = value(decodeSys(bytes));
    assert.equal(d.sys, f.msg.sys, f.name);
    switch (d.sys) {
      case SysCommand.SYS_COMMAND_AUTH: assert.equal(toHex(d.payload), toHex((f.msg as { payload: Uint8Array }).payload)); break;
      case SysCommand.SYS_COMMAND_RELAY: {
        const m = f.msg as { peer: number; packet: Uint8Array };
        assert.equal(d.peer, m.peer, f.name);
        assert.equal(toHex(d.packet), toHex(m.packet), f.name);
        break;
      }
      default: assert.equal(d.peerId, (f.msg as { peerId: number }).peerId, f.name);
    }
  }
  assert.equal(toHex(encodeAddPeer(1000)), '07 01 e8030000'.replace(/ /g, ''));
  assert.equal(toHex(encodeDelPeer(7)), '070207000000');
  assert.equal(toHex(encodeAuthComplete()), '0700');
  assert.equal(toHex(encodeAuth(fromHex('01'))), '070001');
  assert.equal(toHex(encodeRelay(-1, fromHex('03ff'))), '0703ffffffff03ff');
});

test('SYS decoding follows Godot\'s minimum lengths', () => {
  assert.equal(reason(decodeSys(new Uint8Array(0))), 'empty');
  assert.equal(reason(decodeSys(fromHex('07'))), 'too-short', 'a lone SYS byte');
  assert.equal(reason(decodeSys(fromHex('03 00'))), 'wrong-command');
  assert.equal(reason(decodeSys(fromHex('07 01 e80300'))), 'too-short', 'ADD_PEER needs SYS_CMD_SIZE = 6');
  assert.equal(reason(decodeSys(fromHex('07 03 00000000'))), 'too-short', 'RELAY needs ≥ 7 (a non-empty inner packet)');
  assert.equal(reason(decodeSys(fromHex('07 04 00000000'))), 'unknown-sys-command');
  assert.equal(reason(decodeSys(fromHex('07 ff 00000000 00'))), 'unknown-sys-command');
  assert.equal(reason(decodeSys(fromHex('07 04'))), 'too-short', 'the length check comes before the sub-command');
  // Godot reads ADD/DEL_PEER's id and ignores anything after it.
  const d = value(decodeSys(fromHex('07 01 e8030000 ffff')));
  assert.deepEqual(d, { sys: SysCommand.SYS_COMMAND_ADD_PEER, peerId: 1000 });
  // Flag bits on the command byte do not hide a SYS message (Godot masks with CMD_MASK).
  assert.equal(value(decodeSys(fromHex('f7 02 05000000'))).sys, SysCommand.SYS_COMMAND_DEL_PEER);
  // The id is signed, as Godot's int32_t cast.
  assert.equal((value(decodeSys(fromHex('07 03 00000080 03 00'))) as { peer: number }).peer, -0x80000000);
});

test('SYS encoders refuse what Godot could not send', () => {
  assert.equal(code(() => encodeRelay(0, new Uint8Array(0))), Error.ERR_INVALID_PARAMETER);
  assert.equal(code(() => encodeRelay(2 ** 31, fromHex('03 00'))), Error.ERR_INVALID_PARAMETER);
  assert.equal(code(() => encodeAddPeer(1.5)), Error.ERR_INVALID_PARAMETER);
  assert.equal(code(() => encodeDelPeer(-(2 ** 31) - 1)), Error.ERR_INVALID_PARAMETER);
});

test('RAW: [03][data], data ≥ 1 byte', () => {
  const bytes = fromHex(`03      # NETWORK_COMMAND_RAW
                         dead    # send_bytes payload, delimited by the packet end`);
  assert.equal(toHex(encodeRaw(fromHex('dead'))), toHex(bytes));
  assert.equal(toHex(value(decodeRaw(bytes))), 'dead');
  assert.equal(reason(decodeRaw(fromHex('03'))), 'too-short', '_process_raw needs 2 bytes');
  assert.equal(reason(decodeRaw(new Uint8Array(0))), 'empty');
  assert.equal(reason(decodeRaw(fromHex('07 00'))), 'wrong-command');
  assert.equal(code(() => encodeRaw(new Uint8Array(0))), Error.ERR_INVALID_PARAMETER, 'send_bytes refuses empty data');
});

test('decoders return views and never throw on any short input', () => {
  const all = new Set<string>(REFUSAL_REASONS);
  for (let len = 0; len < 9; len++) {
    for (let b0 = 0; b0 < 256; b0 += 7) {
      for (const b1 of [0, 1, 2, 3, 4, 255]) {
        const bytes = new Uint8Array(len);
        if (len > 0) bytes[0] = b0;
        if (len > 1) bytes[1] = b1;
        for (const d of [decodeSys(bytes), decodeRaw(bytes)]) if (!d.ok) assert.ok(all.has(d.reason));
      }
    }
  }
  const packet = fromHex('07 03 02000000 03 99');
  const relay = value(decodeSys(packet)) as { packet: Uint8Array };
  assert.equal(relay.packet.buffer, packet.buffer, 'the inner packet is a view');
});
