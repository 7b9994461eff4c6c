/**
 * src/modules/enet/enet-packet-peer.ts: Godot's send() checks and codes, put_packet = reliable
 * on channel 0, the packet queue (flags, channel, getVar), set_timeout's ordering rule,
 * statistics defaults, constants, detaching.
 * @see godot modules/enet/enet_packet_peer.cpp
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { ENetPacketPeer, PeerState, PeerStatistic } from '../../src/modules/enet/enet-packet-peer.js';
import { connectedPair, createSim, poll } from '../helpers/enet-connection.js';

const { FLAG_RELIABLE, FLAG_UNSEQUENCED, FLAG_UNRELIABLE_FRAGMENT } = ENetPacketPeer;

test('constants and enum numbers are Godot\'s', () => {
  assert.deepEqual([FLAG_RELIABLE, FLAG_UNSEQUENCED, FLAG_UNRELIABLE_FRAGMENT], [1, 2, 8]);
  assert.equal(ENetPacketPeer.PACKET_LOSS_SCALE, 65536);
  assert.equal(ENetPacketPeer.PACKET_THROTTLE_SCALE, 32);
  assert.equal(ENetPacketPeer.STATE_ZOMBIE, 9);
  assert.equal(PeerState.STATE_DISCONNECT_LATER, 6);
  assert.equal(PeerStatistic.PEER_ROUND_TRIP_TIME, 3);
  assert.equal(PeerStatistic.PEER_PACKET_THROTTLE_INTERVAL, 13);
});

test('send(): channel and flag checks, codes as Godot\'s', async () => {
  const sim = createSim();
  const { cp } = await connectedPair(sim, { channels: 3 });
  const one = new Uint8Array([1]);
  assert.equal(cp.send(-1, one, 0), Error.ERR_INVALID_PARAMETER);
  assert.equal(cp.send(4, one, 0), Error.ERR_INVALID_PARAMETER, 'above the channel count');
  assert.equal(cp.send(3, one, 0), Error.FAILED, 'equal to the count passes Godot\'s first check, ENet refuses');
  assert.equal(cp.send(0, one, 4), Error.ERR_INVALID_PARAMETER, 'NO_ALLOCATE is not allowed');
  assert.equal(cp.send(0, one, 16), Error.ERR_INVALID_PARAMETER);
  assert.equal(cp.send(0, new Uint8Array(33 * 1024 * 1024), FLAG_RELIABLE), Error.FAILED, 'over ENet\'s packet size');
  for (const f of [0, FLAG_RELIABLE, FLAG_UNSEQUENCED, FLAG_UNRELIABLE_FRAGMENT, FLAG_UNSEQUENCED | FLAG_UNRELIABLE_FRAGMENT]) {
    assert.equal(cp.send(2, one, f), Error.OK);
  }
  assert.equal(cp.getMaxPacketSize(), 1 << 24);
});

test('putPacket/putVar send reliably on channel 0; getPacket/getVar read the queue', async () => {
  const sim = createSim();
  const { server, client, cp, sp } = await connectedPair(sim);
  assert.equal(cp.putPacket(new Uint8Array([5, 6])), Error.OK);
  assert.equal(cp.putVar('hi'), Error.OK);
  assert.equal(cp.send(3, new Uint8Array([7]), FLAG_UNSEQUENCED), Error.OK);
  assert.ok(poll(sim.base, [server, client], 100, () => sp.getAvailablePacketCount() === 3));
  const got: unknown[] = [];
  let channel0 = 0;
  while (sp.getAvailablePacketCount() > 0) {
    const head = [sp.getPacketChannel(), sp.getPacketFlags()];
    const value = head[0] === 0 && channel0++ === 1 ? sp.getVar() : [...sp.getPacket()];
    got.push([...head, value]);
  }
  const ordered = got.filter((g) => (g as number[])[0] === 0);
  assert.deepEqual(ordered, [[0, FLAG_RELIABLE, [5, 6]], [0, FLAG_RELIABLE, 'hi']], 'reliable, channel 0, in order');
  assert.ok(got.some((g) => JSON.stringify(g) === JSON.stringify([3, FLAG_UNSEQUENCED, [7]])));
  assert.equal(sp.getPacketFlags(), 0, 'empty queue');
  assert.equal(sp.getPacket().length, 0);
  assert.equal(sp.getPacketError(), Error.ERR_UNAVAILABLE);
});

test('setTimeout enforces timeout <= min <= max; statistics start at ENet\'s defaults', async () => {
  const sim = createSim();
  const { cp } = await connectedPair(sim);
  cp.setTimeout(10, 5, 20); // refused: limit above min
  cp.setTimeout(3, 20, 10); // refused: min above max
  assert.equal(sim.base.logger.at('error').length, 2);
  cp.setTimeout(3, 100, 200);
  assert.equal(sim.base.logger.at('error').length, 2);
  assert.equal(cp.getStatistic(PeerStatistic.PEER_PACKET_THROTTLE_LIMIT), ENetPacketPeer.PACKET_THROTTLE_SCALE);
  assert.equal(cp.getStatistic(PeerStatistic.PEER_PACKET_THROTTLE_COUNTER) >= 0, true);
  assert.equal(cp.getStatistic(PeerStatistic.PEER_PACKET_LOSS), 0);
  assert.ok(cp.getStatistic(PeerStatistic.PEER_ROUND_TRIP_TIME) <= 500, 'ENet starts at 500 ms and measures down');
});

test('a detached peer: STATE_DISCONNECTED, zero values, every call refused without throwing', async () => {
  const sim = createSim();
  const { cp } = await connectedPair(sim);
  cp.reset();
  assert.equal(cp.isActive(), false);
  assert.equal(cp.getState(), PeerState.STATE_DISCONNECTED);
  assert.equal(cp.getChannels(), 0);
  assert.equal(cp.getRemoteAddress(), '');
  assert.equal(cp.getRemotePort(), 0);
  assert.equal(cp.getStatistic(PeerStatistic.PEER_ROUND_TRIP_TIME), 0);
  assert.equal(cp.send(0, new Uint8Array(1), 0), Error.ERR_UNCONFIGURED);
  assert.equal(cp.putPacket(new Uint8Array(1)), Error.ERR_UNCONFIGURED);
  assert.equal(cp.getPacket().length, 0);
  assert.equal(cp.getPacketError(), Error.ERR_UNCONFIGURED);
  const before = sim.base.logger.at('error').length;
  cp.peerDisconnect();
  cp.peerDisconnectLater();
  cp.peerDisconnectNow();
  cp.ping();
  cp.pingInterval(100);
  cp.reset();
  cp.setTimeout(1, 2, 3);
  cp.throttleConfigure(1, 2, 3);
  assert.equal(sim.base.logger.at('error').length - before, 8);
});

test('peerDisconnect on a peer still connecting resets it at once (no event)', async () => {
  const sim = createSim();
  const c = sim.node('c', '10.0.0.5');
  assert.equal(await c.conn.createHost(1), Error.OK);
  const p = c.conn.connectToHost('10.0.0.9', 4000)!;
  assert.equal(p.getState(), PeerState.STATE_CONNECTING);
  p.peerDisconnect(3);
  assert.equal(p.isActive(), false);
  const log: unknown[] = [];
  poll(sim.base, [c], 100, () => false, log as never);
  assert.deepEqual(log, []);
  assert.deepEqual(c.conn.getPeers(), []);
});
