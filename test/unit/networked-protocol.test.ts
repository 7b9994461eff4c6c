/**
 * networked-protocol.ts: Godot 3.2 NetworkedMultiplayerENet's system messages and packet
 * header against bytes captured between real Godot 3.2.3 peers
 * (shared/captures/enet_1client_summary.txt, enet_2clients_relay_summary.txt — datagram
 * numbers cited per fixture), and its routing rules as decision tables (godot-wire.md §5.2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketFlag } from '../../src/enet/types.js';
import {
  decodeHeader, decodeSysMsg, encodePacket, encodeSysMsg, isValidTarget, modeOfFlags, sendRoute, serverRoute,
  serverSend, SysMsg, SYSCH_CONFIG, SYSCH_MAX, SYSCH_RELIABLE, SYSCH_UNRELIABLE,
} from '../../src/modules/enet/networked-protocol.js';
import { TransferMode } from '../../src/multiplayer/multiplayer-peer.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const A = 1147184092; // 2-client capture, first client  (dc a3 60 44 little-endian)
const B = 65739822; //   2-client capture, second client (2e 1c eb 03 little-endian)

test('channel numbers (godot-wire.md §5.2)', () => {
  assert.deepEqual([SYSCH_CONFIG, SYSCH_RELIABLE, SYSCH_UNRELIABLE, SYSCH_MAX], [0, 1, 2, 3]);
});

test('system messages: the captured ADD_PEER / REMOVE_PEER bytes', () => {
  const fixtures: Array<[string, SysMsg, number, string]> = [
    // [u32 LE message][u32 LE peer id]
    ['00000000 2e1ceb03', SysMsg.ADD_PEER, B, '2clients #10: server → A, ch 0 reliable'],
    ['00000000 dca36044', SysMsg.ADD_PEER, A, '2clients #11: server → B'],
    ['01000000 2e1ceb03', SysMsg.REMOVE_PEER, B, '2clients #50: server → A after B left'],
  ];
  for (const [h, msg, id, where] of fixtures) {
    assert.equal(hex(encodeSysMsg(msg, id)), h.replace(' ', ''), where);
    assert.deepEqual(decodeSysMsg(bytes(h)), { msg, id }, where);
  }
  assert.equal(decodeSysMsg(bytes('00000000 2e1ceb')), null, 'shorter than 8: dropped');
  assert.equal(decodeSysMsg(new Uint8Array(0)), null);
  assert.deepEqual(decodeSysMsg(bytes('01000000 2e1ceb03 ffff')), { msg: 1, id: B }, 'trailing bytes ignored');
  assert.deepEqual(decodeSysMsg(bytes('07000000 00000080')), { msg: 7, id: -0x80000000 }, 'raw values: the caller ignores unknown messages');
  const view = bytes('ff 00000000 2e1ceb03').subarray(1);
  assert.deepEqual(decodeSysMsg(view), { msg: 0, id: B }, 'a view at an odd offset');
});

test('packet header: the captured [u32 source][i32 target] fields', () => {
  const fixtures: Array<[string, number, number, string]> = [
    ['01000000 9fe6f36e', 1, 1861478047, '1client #4: server welcome to the client'],
    ['dca36044 01000000', A, 1, '2clients #14: A → server'],
    ['dca36044 00000000', A, 0, '2clients #15: A → everyone'],
    ['dca36044 2e1ceb03', A, B, '2clients #20: A → B (relayed in #33 unchanged)'],
    ['dca36044 ffffffff', A, -1, '2clients #21: A → all but the server'],
  ];
  for (const [h, source, target, where] of fixtures) {
    assert.deepEqual(decodeHeader(bytes(h)), { source, target }, where);
    assert.equal(hex(encodePacket(source, target, new Uint8Array(0))), h.replace(' ', ''), where);
  }
  const p = encodePacket(A, -B, bytes('120000000400'));
  assert.equal(hex(p), `dca36044${hex(Uint8Array.from(Buffer.from(Int32Array.of(-B).buffer)))}120000000400`);
  assert.deepEqual(decodeHeader(p), { source: A, target: -B });
  assert.deepEqual(decodeHeader(bytes('ffffffff 00000000')), { source: 0xffffffff, target: 0 }, 'source is unsigned');
  assert.equal(decodeHeader(bytes('dca36044 010000')), null, 'shorter than 8: dropped');
});

test('send route: ENet channel and flags per transfer mode (captures #5–#10 of enet_1client)', () => {
  const { TRANSFER_MODE_UNRELIABLE: U, TRANSFER_MODE_UNRELIABLE_ORDERED: O, TRANSFER_MODE_RELIABLE: R } = TransferMode;
  const { RELIABLE, UNSEQUENCED } = PacketFlag;
  const table: Array<[TransferMode, boolean, number, number, number]> = [
    // mode, always_ordered, transfer_channel → channel, flags
    [U, false, -1, 2, UNSEQUENCED], // SEND_UNSEQUENCED ch=2
    [O, false, -1, 2, 0], //           SEND_UNRELIABLE ch=2
    [R, false, -1, 1, RELIABLE], //    SEND_RELIABLE ch=1
    [U, true, -1, 2, 0],
    [O, true, -1, 2, 0],
    [R, true, -1, 1, RELIABLE],
    [U, false, 0, 2, UNSEQUENCED], //  0 does not override (Godot 4's default is 0)
    [U, false, 5, 5, UNSEQUENCED],
    [R, false, 2, 2, RELIABLE],
    [O, false, 1, 1, 0],
  ];
  for (const [mode, ordered, tc, channel, flags] of table) {
    assert.deepEqual(sendRoute(mode, ordered, tc), { channel, flags }, `${TransferMode[mode]} ordered=${ordered} tc=${tc}`);
  }
  assert.equal(modeOfFlags(RELIABLE), R);
  assert.equal(modeOfFlags(UNSEQUENCED), U);
  assert.equal(modeOfFlags(0), O);
  assert.equal(modeOfFlags(PacketFlag.UNRELIABLE_FRAGMENT), O);
});

test('valid targets and where a server sends its own packets', () => {
  const clientMap = new Set([1, A, B]);
  const serverMap = new Set([A, B]);
  const table: Array<[Set<number>, number, boolean]> = [
    [clientMap, 0, true], [clientMap, 1, true], [clientMap, -1, true], [clientMap, B, true], [clientMap, -B, true],
    [clientMap, 77, false], [clientMap, -77, false],
    [serverMap, 0, true], [serverMap, A, true], [serverMap, -A, true],
    [serverMap, 1, false], [serverMap, -1, false], // Godot 3.2.3: "Invalid target peer" on a server
    [serverMap, -0x80000000, false],
  ];
  for (const [map, target, ok] of table) assert.equal(isValidTarget(target, (id) => map.has(id)), ok, `${target}`);
  assert.deepEqual(serverSend(0), { kind: 'broadcast' });
  assert.deepEqual(serverSend(-A), { kind: 'all-except', except: A });
  assert.deepEqual(serverSend(B), { kind: 'one', peer: B });
});

test('server relay decision table (godot-wire.md §5.2 steps 2–6)', () => {
  const table: Array<[number, boolean, ReturnType<typeof serverRoute>]> = [
    [1, true, { deliver: true, forward: 'none' }],
    [1, false, { deliver: true, forward: 'none' }],
    [0, true, { deliver: true, forward: 'others', except: [A] }],
    [0, false, { drop: 'relay-disabled' }],
    [-1, true, { deliver: false, forward: 'others', except: [A, 1] }],
    [-B, true, { deliver: true, forward: 'others', except: [A, B] }],
    [-B, false, { drop: 'relay-disabled' }],
    [B, true, { deliver: false, forward: 'one', peer: B }],
    [A, true, { deliver: false, forward: 'one', peer: A }], // to itself: echoed back, as Godot does
    [B, false, { drop: 'relay-disabled' }],
  ];
  for (const [target, relay, want] of table) assert.deepEqual(serverRoute(A, target, relay), want, `target ${target} relay ${relay}`);
});
