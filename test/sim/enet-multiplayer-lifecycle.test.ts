/**
 * ENetMultiplayerPeer connection lifecycle on the in-memory network (fake clock near the 32-bit
 * wrap): admission (ids < 2 and collisions reset silently), refuseNewConnections,
 * disconnectPeer(force) both ways, close(), peers dropped behind the peer's back, a failed
 * connect, mesh mode with three peers, and the Node mode (no poll()).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { EventType } from '../../src/modules/enet/enet-connection-types.js';
import type { ENetConnection } from '../../src/modules/enet/enet-connection.js';
import { ConnectionStatus, TransferMode, type MultiplayerPacket } from '../../src/multiplayer/multiplayer-peer.js';
import { run } from '../helpers/enet-connection.js';
import { PORT, createMpSim, drain, pollAll, serverWithClients, type ConnEvent, type MpNode } from './enet-multiplayer-harness.js';

const { CONNECTION_CONNECTED: CONNECTED, CONNECTION_CONNECTING: CONNECTING, CONNECTION_DISCONNECTED: DISCONNECTED } = ConnectionStatus;

test('server admission: CONNECT data < 2 or an id in use is reset silently; the others are admitted', async () => {
  const sim = createMpSim({ seed: 21, conditions: { loss: 0.1, reorder: 0.1, latency: 2, jitter: 2 } });
  const { server, clients } = await serverWithClients(sim, 1);
  const taken = clients[0]!.peer.getUniqueId();
  const log: ConnEvent[] = [];
  const conns: ENetConnection[] = [];
  for (const [i, data] of [0, 1, 0x80000000, taken, 77].entries()) {
    const conn = sim.connection(`raw${i}`, `10.0.1.${i + 1}`);
    assert.equal(await conn.createHost(1), Error.OK);
    const p = conn.connectToHost('10.0.0.1', PORT, 0, data);
    assert.ok(p);
    p.setTimeout(4, 500, 1000); // the reset side never answers again: time out quickly
    conns.push(conn);
  }
  const all = [server, ...clients];
  const gone = (): number => log.filter((e) => e.type === EventType.EVENT_DISCONNECT).length;
  assert.ok(pollAll(sim.base, all, 10_000, () => gone() === 4, conns, log), 'the four refused connections time out');
  assert.equal(log.filter((e) => e.type === EventType.EVENT_CONNECT).length, 5, 'ENet completes every handshake before the reset');
  assert.deepEqual(server.signals, [`+${taken}`, '+77'], 'only id 77 was admitted');
  const ok = log.find((e) => e.type === EventType.EVENT_DISCONNECT && e.conn === conns[4]);
  assert.equal(ok, undefined, 'the admitted one stays connected');
  assert.ok(server.peer.getPeer(77));
  assert.equal(clients[0]!.peer.getConnectionStatus(), CONNECTED, 'the client owning the id is unaffected');
  assert.equal(server.peer.getPeer(taken)?.getRemoteAddress(), '10.0.0.2', 'the id still names the first client');
  server.peer.setTargetPeer(taken);
  assert.equal(server.peer.putPacket(Uint8Array.of(5)), Error.OK);
  pollAll(sim.base, all, 50, () => false, conns);
  assert.deepEqual(drain(clients[0]!.peer).map((p) => p.data[0]), [5]);
});

test('refuseNewConnections: new clients are reset after the ENet handshake (they time out); others stay', async () => {
  const sim = createMpSim({ conditions: { latency: 2 } });
  const { server, clients } = await serverWithClients(sim, 1);
  server.peer.setRefuseNewConnections(true);
  assert.equal(server.peer.isRefusingNewConnections(), true);
  const late = sim.node('late', '10.0.0.50');
  assert.equal(await late.peer.createClient('10.0.0.1', PORT), Error.OK);
  late.peer.getPeer(1)!.setTimeout(4, 500, 1000);
  const all = [server, clients[0]!, late];
  assert.ok(pollAll(sim.base, all, 10_000, () => late.peer.getConnectionStatus() === DISCONNECTED));
  assert.deepEqual(late.signals, ['+1', '-1'], "as with a Godot server on UDP: ENet connects, then the client times out");
  assert.deepEqual(server.signals, [`+${clients[0]!.peer.getUniqueId()}`], 'the server reports nothing');
  assert.equal(clients[0]!.peer.getConnectionStatus(), CONNECTED);

  server.peer.setRefuseNewConnections(false);
  const later = sim.node('later', '10.0.0.51');
  assert.equal(await later.peer.createClient('10.0.0.1', PORT), Error.OK);
  assert.ok(pollAll(sim.base, [server, clients[0]!, later], 5000, () => later.signals.length === 1 && server.signals.length === 2));
  assert.deepEqual(server.signals.slice(1), [`+${later.peer.getUniqueId()}`]);
  server.peer.close();
  assert.equal(server.peer.isRefusingNewConnections(), false, 'close() resets the flag');
});

test('disconnectPeer: graceful and forced, from the server and from a client', async () => {
  const sim = createMpSim({ conditions: { latency: 3 } });
  const { server, clients } = await serverWithClients(sim, 4);
  const [a, b, c, d] = clients as [MpNode, MpNode, MpNode, MpNode];
  const all = [server, ...clients];
  const id = (n: MpNode): number => n.peer.getUniqueId();
  const [ida, idb, idc, idd] = [id(a), id(b), id(c), id(d)];
  server.signals.length = 0;

  server.peer.disconnectPeer(ida);
  assert.ok(server.peer.getPeer(ida), 'graceful: still a peer until the remote acknowledges');
  assert.ok(pollAll(sim.base, all, 2000, () => server.signals.includes(`-${ida}`) && a.peer.getConnectionStatus() === DISCONNECTED));
  assert.deepEqual(a.signals, ['+1', '-1']);

  server.peer.disconnectPeer(idb, true);
  assert.equal(server.peer.getPeer(idb), null, 'forced: forgotten at once');
  assert.ok(pollAll(sim.base, all, 2000, () => b.peer.getConnectionStatus() === DISCONNECTED));
  assert.deepEqual(b.signals, ['+1', '-1'], 'the client still gets the DISCONNECT');
  pollAll(sim.base, all, 500);
  assert.ok(!server.signals.includes(`-${idb}`), 'forced: no peer_disconnected on the server');

  c.peer.disconnectPeer(1);
  assert.equal(c.peer.getConnectionStatus(), CONNECTED, 'graceful: connected until acknowledged');
  assert.ok(pollAll(sim.base, all, 2000, () => c.peer.getConnectionStatus() === DISCONNECTED && server.signals.includes(`-${idc}`)));
  assert.deepEqual(c.signals, ['+1', '-1']);

  d.peer.disconnectPeer(1, true);
  assert.equal(d.peer.getConnectionStatus(), DISCONNECTED, 'forced on a client: closed at once');
  assert.deepEqual(d.signals, ['+1'], 'without a signal');
  assert.ok(pollAll(sim.base, all, 2000, () => server.signals.includes(`-${idd}`)), 'the flushed DISCONNECT reaches the server');
  assert.deepEqual(server.signals, [`-${ida}`, `-${idc}`, `-${idd}`]);
  server.peer.disconnectPeer(ida); // unknown now: logged, nothing else
});

test('close(): remote ends see a disconnect; the peer is reusable; peers dropped behind its back are reported', async () => {
  const sim = createMpSim({ conditions: { latency: 3 } });
  let { server, clients } = await serverWithClients(sim, 2);
  const all = [server, ...clients];
  const id0 = clients[0]!.peer.getUniqueId();
  clients[0]!.peer.close();
  assert.equal(clients[0]!.peer.getConnectionStatus(), DISCONNECTED);
  assert.deepEqual(clients[0]!.signals, ['+1'], 'close() emits nothing locally');
  assert.ok(pollAll(sim.base, all, 2000, () => server.signals.includes(`-${id0}`)));

  server.peer.close();
  assert.equal(server.peer.getConnectionStatus(), DISCONNECTED);
  assert.equal(server.peer.getUniqueId(), 0);
  assert.ok(pollAll(sim.base, all, 2000, () => clients[1]!.peer.getConnectionStatus() === DISCONNECTED));
  assert.deepEqual(clients[1]!.signals, ['+1', '-1']);

  ({ server, clients } = await serverWithClients(sim, 2));
  const both = [server, ...clients];
  const [ida, idb] = clients.map((c) => c.peer.getUniqueId()) as [number, number];
  server.peer.getPeer(ida)!.reset();
  clients[1]!.peer.getPeer(1)!.peerDisconnectNow();
  server.peer.poll();
  assert.deepEqual(server.signals, [`+${ida}`, `+${idb}`, `-${ida}`], 'a reset peer is reported on the next poll');
  clients[1]!.peer.poll();
  assert.deepEqual(clients[1]!.signals, ['+1', '-1']);
  assert.equal(clients[1]!.peer.getConnectionStatus(), DISCONNECTED, 'a client without its server closes');
  assert.ok(pollAll(sim.base, both, 2000, () => server.signals.includes(`-${idb}`)));
});

test('a client that never connects goes CONNECTING → DISCONNECTED without signals', async () => {
  const sim = createMpSim();
  const client = sim.node('client', '10.0.0.2');
  assert.equal(await client.peer.createClient('10.0.0.1', PORT, 0), Error.OK);
  assert.equal(client.peer.getConnectionStatus(), CONNECTING);
  client.peer.getPeer(1)!.setTimeout(4, 500, 1000);
  assert.ok(pollAll(sim.base, [client], 10_000, () => client.peer.getConnectionStatus() === DISCONNECTED));
  assert.deepEqual(client.signals, []);
});

test('mesh of three: one ENetConnection per pair, every target kind, inbound CONNECT reset, a peer leaving', async () => {
  const sim = createMpSim({ seed: 22, conditions: { latency: 2, jitter: 2, duplicate: 0.1, reorder: 0.1 } });
  const nodes = [1, 2, 3].map((n) => sim.node(`m${n}`, `10.0.2.${n}`)) as [MpNode, MpNode, MpNode];
  nodes.forEach((n, i) => assert.equal(n.peer.createMesh(i + 1), Error.OK));
  // Lower id listens (2 slots, so a stranger can try), higher id connects.
  const links: Array<{ from: number; to: number; listen: ENetConnection; dial: ENetConnection }> = [];
  for (const [lo, hi] of [[1, 2], [1, 3], [2, 3]] as const) {
    const listen = sim.connection(`m${lo}`, `10.0.2.${lo}`);
    const dial = sim.connection(`m${hi}`, `10.0.2.${hi}`);
    const port = 9000 + lo * 10 + hi;
    assert.equal(await listen.createHostBound('*', port, 2), Error.OK);
    assert.equal(await dial.createHost(1), Error.OK);
    assert.ok(dial.connectToHost(`10.0.2.${lo}`, port, 0, hi));
    links.push({ from: lo, to: hi, listen, dial });
  }
  const conns = links.flatMap((l) => [l.listen, l.dial]);
  const log: ConnEvent[] = [];
  assert.ok(pollAll(sim.base, [], 2000, () => log.filter((e) => e.type === EventType.EVENT_CONNECT).length === 6, conns, log));
  for (const l of links) {
    assert.equal(nodes[l.from - 1]!.peer.addMeshPeer(l.to, l.listen), Error.OK);
    assert.equal(nodes[l.to - 1]!.peer.addMeshPeer(l.from, l.dial), Error.OK);
  }
  assert.deepEqual(nodes.map((n) => n.signals), [['+2', '+3'], ['+1', '+3'], ['+1', '+2']], 'peer_connected at once');
  assert.equal(nodes[0].peer.addMeshPeer(2, links[2]!.listen), Error.ERR_ALREADY_EXISTS);
  for (const n of nodes) {
    assert.equal(n.peer.isServerRelaySupported(), false);
    assert.equal(n.peer.getHost(), null);
  }

  const sends: Array<[number, number, number[]]> = [[1, 0, [2, 3]], [2, -3, [1]], [3, 2, [2]], [3, -1, [2]]];
  for (const mode of [TransferMode.TRANSFER_MODE_RELIABLE, TransferMode.TRANSFER_MODE_UNRELIABLE]) {
    for (const [k, [from, target]] of sends.entries()) {
      const p = nodes[from - 1]!.peer;
      p.setTransferMode(mode);
      p.setTargetPeer(target);
      assert.equal(p.putPacket(Uint8Array.of(k, mode)), Error.OK);
    }
  }
  const stranger = sim.connection('stranger', '10.0.2.99');
  assert.equal(await stranger.createHost(1), Error.OK);
  assert.ok(stranger.connectToHost('10.0.2.1', 9012, 0, 5));
  const got = new Map<MpNode, ReturnType<typeof drain>>(nodes.map((n) => [n, []]));
  const slog: ConnEvent[] = [];
  pollAll(sim.base, nodes, 500, () => (nodes.forEach((n) => got.get(n)!.push(...drain(n.peer))), false), [stranger], slog);
  for (const [i, n] of nodes.entries()) {
    const want = sends.flatMap(([from, , to], k) => (to.includes(i + 1) ? [[from, k]] : []));
    for (const mode of [TransferMode.TRANSFER_MODE_RELIABLE, TransferMode.TRANSFER_MODE_UNRELIABLE]) {
      const these = got.get(n)!.filter((p) => p.mode === mode).map((p) => [p.from, p.data[0]]);
      assert.deepEqual(these.sort(), want.sort(), `m${i + 1}, mode ${mode}: from the map key`);
    }
  }
  assert.ok(slog.some((e) => e.type === EventType.EVENT_CONNECT), 'the stranger completed the ENet handshake');
  assert.deepEqual(nodes[0].signals, ['+2', '+3'], 'and was reset, not admitted');
  assert.equal(links[0]!.listen.getPeers().length, 1);

  nodes[1].peer.close();
  assert.ok(pollAll(sim.base, [nodes[0], nodes[2]], 2000, () => nodes[0].signals.includes('-2') && nodes[2].signals.includes('-2')));
  assert.equal(nodes[0].peer.getPeer(2), null);
  sim.base.clock.advance(0);
  assert.equal(links[0]!.listen.enetHost, null, "the departed peer's host is destroyed");
  assert.equal(links[1]!.listen.enetHost !== null, true, 'the others stay');
  nodes[0].peer.disconnectPeer(3, true);
  assert.equal(nodes[0].peer.getPeer(3), null, 'forced: dropped at once');
  sim.base.clock.advance(0);
  assert.equal(links[1]!.listen.enetHost, null, 'its host destroyed on the next timer turn');
  assert.ok(pollAll(sim.base, [nodes[2]], 2000, () => nodes[2].signals.includes('-1')));
  assert.deepEqual(nodes[0].signals, ['+2', '+3', '-2'], 'no signal for the forced one');
});

test('Node mode: with a packet listener the hosts service themselves — no poll() at all', async () => {
  const sim = createMpSim({ conditions: { latency: 5 } });
  const server = sim.node('server', '10.0.0.1');
  const client = sim.node('client', '10.0.0.2');
  const packets: MultiplayerPacket[] = [];
  server.peer.on('packet', (peer, data, channel, mode) => packets.push({ peer, data, channel, mode }));
  const iter = client.peer[Symbol.asyncIterator]();
  assert.equal(await server.peer.createServer(PORT), Error.OK);
  assert.equal(await client.peer.createClient('10.0.0.1', PORT, 2), Error.OK);
  assert.ok(await run(sim.base, 2000, () => server.signals.length === 1 && client.signals.length === 1), 'connected without poll()');
  const id = client.peer.getUniqueId();
  assert.deepEqual([server.signals, client.signals], [[`+${id}`], ['+1']]);
  client.peer.setTargetPeer(1);
  client.peer.setTransferChannel(2);
  client.peer.setTransferMode(TransferMode.TRANSFER_MODE_UNRELIABLE_ORDERED);
  assert.equal(client.peer.putPacket(Uint8Array.of(1, 2)), Error.OK);
  server.peer.setTargetPeer(0);
  assert.equal(server.peer.putPacket(Uint8Array.of(3)), Error.OK);
  assert.ok(await run(sim.base, 500, () => packets.length === 1));
  assert.deepEqual(packets, [{ peer: id, data: Uint8Array.of(1, 2), channel: 2, mode: TransferMode.TRANSFER_MODE_UNRELIABLE_ORDERED }]);
  assert.equal(server.peer.getAvailablePacketCount(), 0, 'delivered to the listener, not queued');
  const first = await iter.next();
  assert.deepEqual(first.value, { peer: 1, data: Uint8Array.of(3), channel: 0, mode: TransferMode.TRANSFER_MODE_RELIABLE });

  server.peer.removeAllListeners('packet');
  assert.equal(client.peer.putPacket(Uint8Array.of(4)), Error.OK);
  await run(sim.base, 200);
  assert.equal(server.peer.getAvailablePacketCount(), 0, 'polled again: waits for poll()');
  server.peer.poll();
  assert.deepEqual(drain(server.peer).map((p) => [p.from, p.data[0]]), [[id, 4]]);

  server.peer.close();
  const ok = await run(sim.base, 2000, () => client.signals.length === 2);
  assert.ok(ok, 'the client sees the server go without poll()');
  assert.deepEqual(client.signals, ['+1', '-1']);
  assert.equal(client.peer.getConnectionStatus(), DISCONNECTED);
  assert.equal((await iter.next()).done, true, 'close() ends the iterators');
});
