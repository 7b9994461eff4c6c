/**
 * ENetConnection's Node forms on the in-memory network with a fake clock: serviceAsync(),
 * the async iterator, switching between the polled and event-driven modes, destroy() cleanup,
 * statistics over a long run, DNS names, and the 32-bit clock wrap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { EventType, type ENetConnectionEvent } from '../../src/modules/enet/enet-connection-types.js';
import { ENetPacketPeer, PeerState, PeerStatistic } from '../../src/modules/enet/enet-packet-peer.js';
import { connectedPair, createSim, flushMicrotasks, poll, run } from '../helpers/enet-connection.js';

const { FLAG_RELIABLE, FLAG_UNSEQUENCED } = ENetPacketPeer;
const bytes = (...v: number[]): Uint8Array => new Uint8Array(v);

test('serviceAsync resolves at the first event, or EVENT_NONE at the timeout, without polling', async () => {
  const sim = createSim({ conditions: { latency: 20 } });
  const { server, client, cp, sp } = await connectedPair(sim);
  const armed = server.timers.armed;
  const pending = server.conn.serviceAsync(1000);
  cp.send(0, bytes(1, 2), FLAG_RELIABLE);
  client.conn.flush();
  const t0 = sim.base.clock.now();
  const box: { r?: Awaited<typeof pending> } = {};
  void pending.then((r) => (box.r = r));
  await run(sim.base, 1000, () => box.r !== undefined);
  assert.deepEqual(box.r, [EventType.EVENT_RECEIVE, sp, 0, 0]);
  assert.equal(sim.base.clock.now() - t0, 20, 'resolved when the datagram arrived');
  assert.deepEqual([...sp.getPacket()], [1, 2]);
  assert.ok(server.timers.armed - armed <= 2, 'one timer per wait, no polling loop');

  const t1 = sim.base.clock.now();
  let none: Awaited<typeof pending> | null = null;
  void server.conn.serviceAsync(300).then((r) => (none = r));
  await run(sim.base, 400, () => none !== null);
  assert.deepEqual(none, [EventType.EVENT_NONE, null, 0, 0]);
  assert.ok(sim.base.clock.now() - t1 >= 300 && sim.base.clock.now() - t1 <= 301);
  assert.equal(server.timers.pending, 0, 'nothing left armed in the polled mode');

  let destroyed: Awaited<typeof pending> | null = null;
  void server.conn.serviceAsync(5000).then((r) => (destroyed = r));
  await flushMicrotasks();
  server.conn.destroy();
  await flushMicrotasks();
  assert.deepEqual(destroyed, [EventType.EVENT_ERROR, null, 0, 0]);
});

test('async iterator: events in order with packets; ends on destroy', async () => {
  const sim = createSim({ conditions: { latency: 5 } });
  const server = sim.node('server', '10.0.0.1');
  const client = sim.node('client', '10.0.0.2');
  assert.equal(await server.conn.createHostBound('*', 9000), Error.OK);
  assert.equal(await client.conn.createHost(1), Error.OK);
  const seen: ENetConnectionEvent[] = [];
  const consumer = (async () => {
    for await (const ev of server.conn) seen.push(ev);
  })();
  const cp = client.conn.connectToHost('10.0.0.1', 9000, 2, 3)!;
  client.conn.on('connect', (peer) => {
    peer.send(1, bytes(9), FLAG_UNSEQUENCED);
    peer.send(0, bytes(8), FLAG_RELIABLE);
    peer.peerDisconnectLater(4);
  });
  await run(sim.base, 2000, () => seen.some((e) => e.type === EventType.EVENT_DISCONNECT) && !cp.isActive());
  assert.deepEqual(seen.map((e) => [e.type, e.data, e.channel, e.packet ? [...e.packet] : null]), [
    [EventType.EVENT_CONNECT, 3, 0, null],
    [EventType.EVENT_RECEIVE, 0, 1, [9]],
    [EventType.EVENT_RECEIVE, 0, 0, [8]],
    [EventType.EVENT_DISCONNECT, 4, 0, null],
  ]);
  assert.equal(seen[1]?.flags, FLAG_UNSEQUENCED);
  assert.equal(seen[0]?.peer.getAvailablePacketCount(), 0, 'iterated packets are not also queued');
  assert.equal(cp.isActive(), false);
  server.conn.destroy();
  await consumer; // ends
  assert.equal(server.timers.pending, 0);
});

test('modes switch with listeners; without a receive consumer packets go to the queue', async () => {
  const sim = createSim({ conditions: { latency: 2 } });
  const { server, client, cp, sp } = await connectedPair(sim);
  client.conn.on('disconnect', () => {}); // the client runs event-driven throughout
  const connects: number[] = [];
  const onConnect = (_p: ENetPacketPeer, data: number): void => void connects.push(data);
  server.conn.on('connect', onConnect); // event-driven, but nobody consumes packets
  cp.send(0, bytes(1), FLAG_RELIABLE);
  await run(sim.base, 50);
  assert.equal(sp.getAvailablePacketCount(), 1, 'queued to the peer');
  const received: number[] = [];
  const onReceive = (_p: ENetPacketPeer, packet: Uint8Array): void => void received.push(packet[0]!);
  server.conn.on('receive', onReceive);
  cp.send(0, bytes(2), FLAG_RELIABLE);
  await run(sim.base, 50);
  assert.deepEqual(received, [2]);
  assert.deepEqual(server.conn.service(), [EventType.EVENT_NONE, null, 0, 0], 'service() only pumps in this mode');

  server.conn.off('receive', onReceive);
  server.conn.off('connect', onConnect);
  await run(sim.base, 50);
  assert.equal(server.timers.pending, 0, 'back to polled: the timer is cleared');
  cp.send(0, bytes(3), FLAG_RELIABLE);
  await run(sim.base, 50);
  assert.equal(sp.getAvailablePacketCount(), 1, 'nothing serviced until service() is called');
  assert.ok(poll(sim.base, [server, client], 10, () => sp.getAvailablePacketCount() === 2));
  assert.deepEqual([...sp.getPacket(), ...sp.getPacket()], [1, 3]);

  server.conn.on('receive', onReceive);
  server.conn.removeAllListeners();
  cp.send(0, bytes(4), FLAG_RELIABLE);
  await run(sim.base, 50);
  assert.equal(server.timers.pending, 0, 'removeAllListeners() also goes back to polled');
});

test('destroy(): peers detached, timer cleared, socket released, the connection reusable', async () => {
  const sim = createSim({ conditions: { latency: 2 } });
  const { server, client, cp, sp } = await connectedPair(sim);
  server.conn.on('receive', () => {});
  await run(sim.base, 100);
  assert.equal(server.timers.pending, 1);
  server.conn.destroy();
  assert.equal(server.timers.pending, 0);
  assert.equal(sp.isActive(), false);
  assert.equal(sp.getState(), PeerState.STATE_DISCONNECTED);
  assert.equal(sp.send(0, bytes(1), FLAG_RELIABLE), Error.ERR_UNCONFIGURED);
  assert.deepEqual(server.conn.service(), [EventType.EVENT_ERROR, null, 0, 0]);
  assert.equal(server.conn.getLocalPort(), 0);
  assert.equal(await server.conn.createHostBound('*', 7777), Error.OK, 'the port is free again');
  // The client notices only by timing out (ENet's destroy does not tell peers).
  cp.setTimeout(3, 500, 1000);
  assert.ok(poll(sim.base, [server, client], 3000, () => !cp.isActive()));
  server.conn.destroy();
  client.conn.destroy();
  assert.equal(client.timers.pending + server.timers.pending, 0);
});

test('statistics: RTT from the link latency, loss measured per 10 s interval, throttle defaults', async () => {
  const sim = createSim({ seed: 3, conditions: { latency: 15 } });
  const { server, client, cp, sp } = await connectedPair(sim);
  assert.equal(cp.getStatistic(PeerStatistic.PEER_PACKET_THROTTLE), ENetPacketPeer.PACKET_THROTTLE_SCALE);
  assert.equal(cp.getStatistic(PeerStatistic.PEER_PACKET_THROTTLE_LIMIT), 32);
  assert.equal(cp.getStatistic(PeerStatistic.PEER_PACKET_THROTTLE_INTERVAL), 5000);
  assert.equal(cp.getStatistic(PeerStatistic.PEER_PACKET_THROTTLE_ACCELERATION), 2);
  cp.throttleConfigure(1000, 4, 3);
  assert.equal(cp.getStatistic(PeerStatistic.PEER_PACKET_THROTTLE_DECELERATION), 3);
  cp.pingInterval(100);
  poll(sim.base, [server, client], 3000, () => false);
  const rtt = cp.getStatistic(PeerStatistic.PEER_ROUND_TRIP_TIME);
  assert.ok(rtt >= 30 && rtt <= 45, `RTT ≈ 2 × 15 ms (${rtt})`);
  assert.ok(cp.getStatistic(PeerStatistic.PEER_LAST_ROUND_TRIP_TIME) >= 30);
  assert.equal(sp.getStatistic(PeerStatistic.PEER_PACKET_THROTTLE_INTERVAL), 1000, 'throttle_configure reached the server');
  sim.base.net.setConditions({ latency: 15, loss: 0.3 });
  for (let i = 0; i < 60; i++) {
    cp.send(0, bytes(i), FLAG_RELIABLE);
    poll(sim.base, [server, client], 200, () => false);
  }
  const loss = cp.getStatistic(PeerStatistic.PEER_PACKET_LOSS) / ENetPacketPeer.PACKET_LOSS_SCALE;
  assert.ok(loss > 0.05 && loss < 0.8, `loss measured (${loss})`);
  assert.ok(cp.getStatistic(PeerStatistic.PEER_PACKET_LOSS_EPOCH) > 0);
  assert.equal(cp.getStatistic(99 as PeerStatistic), 0);
});

test('connectToHostAsync resolves DNS names; connectToHost refuses them', async () => {
  const sim = createSim({ start: 0 });
  const server = sim.node('game-server', '10.0.0.1');
  const client = sim.node('client', '10.0.0.2');
  assert.equal(await server.conn.createHostBound('10.0.0.1', 7000), Error.OK);
  assert.equal(server.conn.getLocalAddress(), '10.0.0.1');
  assert.equal(await client.conn.createHost(), Error.OK);
  assert.equal(client.conn.getLocalAddress(), '*');
  assert.equal(client.conn.connectToHost('game-server', 7000), null);
  client.conn.on('connect', () => {});
  assert.equal(await client.conn.connectToHostAsync('no-such-host', 7000), null);
  const cp = await client.conn.connectToHostAsync('game-server', 7000, 1, 77);
  assert.ok(cp);
  assert.equal(cp.getRemoteAddress(), '10.0.0.1');
  const log: Array<[string, number]> = [];
  server.conn.on('connect', (_p, data) => log.push(['connect', data]));
  await run(sim.base, 500, () => log.length > 0);
  assert.deepEqual(log, [['connect', 77]]);
});
