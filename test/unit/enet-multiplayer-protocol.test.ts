/**
 * src/modules/enet/enet-multiplayer-protocol.ts: Godot 4's channel/flag mapping, channel
 * counts, CONNECT admission and target routing, against the facts of the wire reference §6.1.
 * @see godot modules/enet/enet_multiplayer_peer.cpp (4.1+)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConnectVerdict, ENET_MAX_CHANNELS, MAX_PACKET_SIZE, SYSCH_MAX, SYSCH_RELIABLE, SYSCH_UNRELIABLE,
  admit, clientChannelCount, isValidTarget, packetChannel, packetMode, route, sendRoute, serverChannelLimit,
} from '../../src/modules/enet/enet-multiplayer-protocol.js';
import { TransferMode } from '../../src/multiplayer/multiplayer-peer.js';

const { TRANSFER_MODE_UNRELIABLE: UNRELIABLE, TRANSFER_MODE_UNRELIABLE_ORDERED: ORDERED, TRANSFER_MODE_RELIABLE: RELIABLE } = TransferMode;
// ENet's packet flags (enet.h ENetPacketFlag), written out so a renumbering cannot hide.
const FLAG_RELIABLE = 1;
const FLAG_UNSEQUENCED = 2;
const FLAG_UNRELIABLE_FRAGMENT = 8;

test('constants: SYSCH_RELIABLE 0, SYSCH_UNRELIABLE 1, SYSCH_MAX 2, TransferMode 0/1/2', () => {
  assert.deepEqual([SYSCH_RELIABLE, SYSCH_UNRELIABLE, SYSCH_MAX, ENET_MAX_CHANNELS], [0, 1, 2, 255]);
  assert.deepEqual([UNRELIABLE, ORDERED, RELIABLE], [0, 1, 2]);
  assert.equal(MAX_PACKET_SIZE, 16777216);
});

test('sendRoute: mode → default channel and flags (transfer channel 0)', () => {
  assert.deepEqual(sendRoute(RELIABLE, 0), { channel: 0, flags: FLAG_RELIABLE });
  assert.deepEqual(sendRoute(ORDERED, 0), { channel: 1, flags: FLAG_UNRELIABLE_FRAGMENT });
  assert.deepEqual(sendRoute(UNRELIABLE, 0), { channel: 1, flags: FLAG_UNSEQUENCED | FLAG_UNRELIABLE_FRAGMENT });
});

test('sendRoute: transfer channel c > 0 → ENet channel c + 1, flags of the mode', () => {
  for (const c of [1, 2, 7, 253]) {
    assert.deepEqual(sendRoute(RELIABLE, c), { channel: c + 1, flags: FLAG_RELIABLE });
    assert.deepEqual(sendRoute(ORDERED, c), { channel: c + 1, flags: FLAG_UNRELIABLE_FRAGMENT });
    assert.deepEqual(sendRoute(UNRELIABLE, c), { channel: c + 1, flags: FLAG_UNSEQUENCED | FLAG_UNRELIABLE_FRAGMENT });
  }
  assert.deepEqual(sendRoute(RELIABLE, -3), { channel: 0, flags: FLAG_RELIABLE }, 'negative = default, as c > 0 is the test');
});

test('packetMode: RELIABLE if reliable, UNRELIABLE if unsequenced, else UNRELIABLE_ORDERED', () => {
  assert.equal(packetMode(FLAG_RELIABLE), RELIABLE);
  assert.equal(packetMode(FLAG_RELIABLE | FLAG_UNRELIABLE_FRAGMENT), RELIABLE);
  assert.equal(packetMode(FLAG_UNSEQUENCED), UNRELIABLE);
  assert.equal(packetMode(FLAG_UNSEQUENCED | FLAG_UNRELIABLE_FRAGMENT), UNRELIABLE);
  assert.equal(packetMode(0), ORDERED);
  assert.equal(packetMode(FLAG_UNRELIABLE_FRAGMENT), ORDERED, 'an unreliable packet above the MTU arrives as sequenced fragments');
  for (const m of [RELIABLE, ORDERED, UNRELIABLE]) {
    const flagsOnArrival = sendRoute(m, 0).flags & ~FLAG_UNRELIABLE_FRAGMENT; // a small packet
    assert.equal(packetMode(flagsOnArrival), m, 'a small packet reads back its mode');
  }
});

test('packetChannel: ENet 0/1 → 0, ENet n ≥ 2 → n − 1 (the inverse of sendRoute)', () => {
  assert.equal(packetChannel(0), 0);
  assert.equal(packetChannel(1), 0);
  assert.equal(packetChannel(2), 1);
  assert.equal(packetChannel(254), 253);
  for (const c of [0, 1, 5, 253]) assert.equal(packetChannel(sendRoute(UNRELIABLE, c).channel), c);
});

test('channel counts: client asks n + 2 (0 = 255); server limit n + 2 (0 = 255), capped at 255', () => {
  assert.equal(clientChannelCount(0), 0);
  assert.equal(clientChannelCount(1), 3);
  assert.equal(clientChannelCount(30), 32);
  assert.equal(serverChannelLimit(0), 0);
  assert.equal(serverChannelLimit(4), 6);
  assert.equal(serverChannelLimit(253), 255);
  assert.equal(serverChannelLimit(300), 255);
});

test('admit: refused first, then ids < 2 (signed 32-bit), then ids in use', () => {
  const used = new Set([5, 0x7fffffff]);
  const inUse = (id: number): boolean => used.has(id);
  assert.equal(admit(2, false, inUse), ConnectVerdict.ACCEPT);
  assert.equal(admit(6, false, inUse), ConnectVerdict.ACCEPT);
  assert.equal(admit(6, true, inUse), ConnectVerdict.REFUSED);
  assert.equal(admit(0, true, inUse), ConnectVerdict.REFUSED, 'refusal is checked before the id');
  assert.equal(admit(0, false, inUse), ConnectVerdict.INVALID_ID);
  assert.equal(admit(1, false, inUse), ConnectVerdict.INVALID_ID, 'id 1 is the server');
  assert.equal(admit(-5, false, inUse), ConnectVerdict.INVALID_ID);
  assert.equal(admit(0x80000000, false, inUse), ConnectVerdict.INVALID_ID, 'bit 31 set reads negative');
  assert.equal(admit(0xffffffff, false, inUse), ConnectVerdict.INVALID_ID);
  assert.equal(admit(5, false, inUse), ConnectVerdict.ID_IN_USE);
  assert.equal(admit(0x7fffffff, false, inUse), ConnectVerdict.ID_IN_USE);
});

test('isValidTarget: 0 always; otherwise |target| must be a known peer', () => {
  const has = (id: number): boolean => id === 1 || id === 7;
  assert.equal(isValidTarget(0, () => false), true);
  assert.equal(isValidTarget(7, has), true);
  assert.equal(isValidTarget(-7, has), true);
  assert.equal(isValidTarget(-1, has), true);
  assert.equal(isValidTarget(8, has), false);
  assert.equal(isValidTarget(-8, has), false);
});

test('route: server broadcasts 0, excludes −n, sends n; client always to 1; mesh never broadcasts', () => {
  const ids = [3, 9, 12];
  assert.deepEqual(route('server', 0, ids), { broadcast: true });
  assert.deepEqual(route('server', -9, ids), { broadcast: false, ids: [3, 12] });
  assert.deepEqual(route('server', -1, ids), { broadcast: false, ids: [3, 9, 12] }, '(isValidTarget refuses −1 on a server first)');
  assert.deepEqual(route('server', 12, ids), { broadcast: false, ids: [12] });
  for (const t of [0, 1, -1]) assert.deepEqual(route('client', t, [1]), { broadcast: false, ids: [1] });
  assert.deepEqual(route('mesh', 0, ids), { broadcast: false, ids: [3, 9, 12] });
  assert.deepEqual(route('mesh', -3, ids), { broadcast: false, ids: [9, 12] });
  assert.deepEqual(route('mesh', 9, ids), { broadcast: false, ids: [9] });
});
