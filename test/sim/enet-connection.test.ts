/**
 * ENetConnection / ENetPacketPeer on the in-memory network with a fake clock (no sockets, no
 * sleeps; clocks start just before the 32-bit wrap): Godot's polled service() loop, the
 * event-driven mode, send modes under loss, disconnect variants, limits, broadcast, range coder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { CompressionMode, EventType, HostStatistic } from '../../src/modules/enet/enet-connection-types.js';
import { ENetPacketPeer, PeerState, PeerStatistic } from '../../src/modules/enet/enet-packet-peer.js';
import { connectedPair, createSim, poll, run, type Recorded } from '../helpers/enet-connection.js';

const { FLAG_RELIABLE, FLAG_UNSEQUENCED, FLAG_UNRELIABLE_FRAGMENT } = ENetPacketPeer;
const bytes = (...v: number[]): Uint8Array => new Uint8Array(v);

function drain(peer: ENetPacketPeer): Array<{ data: Uint8Array; channel: number; flags: number }> {
  const out = [];
  while (peer.getAvailablePacketCount() > 0) {
    const channel = peer.getPacketChannel();
    const flags = peer.getPacketFlags();
    out.push({ data: peer.getPacket(), channel, flags });
  }
  return out;
}

test('polled: connect with data, Godot tuple shape and event sequence', async () => {
  const sim = createSim();
  const { server, client, cp, sp, log } = await connectedPair(sim, { channels: 3, data: 0x7654321 });
  const s = log.filter((e) => e.node === 'server');
  const c = log.filter((e) => e.node === 'client');
  assert.deepEqual(s.map((e) => [e.type, e.data]), [[EventType.EVENT_CONNECT, 0x7654321]]);
  assert.deepEqual(c.map((e) => [e.type, e.data]), [[EventType.EVENT_CONNECT, 0]], 'the connecting side reports 0');
  assert.equal(c[0]?.peer, cp, 'the client event names the peer connectToHost returned');
  assert.deepEqual(server.conn.getPeers(), [sp]);
  assert.deepEqual(client.conn.getPeers(), [cp]);
  assert.equal(cp.getState(), PeerState.STATE_CONNECTED);
  assert.equal(sp.getChannels(), 3);
  assert.equal(sp.getRemoteAddress(), '10.0.0.2');
  assert.equal(cp.getRemoteAddress(), '10.0.0.1');
  assert.equal(cp.getRemotePort(), 7777);

  for (const [i, ch] of [[1, 0], [2, 2], [3, 1]] as const) assert.equal(cp.send(ch, bytes(i), FLAG_RELIABLE), Error.OK);
  client.conn.flush();
  sim.base.clock.advance(5);
  const tuples = [];
  for (let r = server.conn.service(); r[0] !== EventType.EVENT_NONE; r = server.conn.service()) tuples.push(r);
  assert.equal(tuples.length, 3);
  for (const t of tuples) {
    assert.equal(t.length, 4);
    assert.equal(t[0], EventType.EVENT_RECEIVE);
    assert.equal(t[1], sp);
    assert.equal(t[2], 0);
  }
  assert.deepEqual(tuples.map((t) => t[3]).sort(), [0, 1, 2]);
  assert.equal(sp.getAvailablePacketCount(), 3, 'RECEIVE packets are queued to the peer');
  const got = drain(sp);
  assert.deepEqual(got.map((p) => [p.data[0], p.channel, p.flags]).sort(), [[1, 0, 1], [2, 2, 1], [3, 1, 1]]);
  assert.deepEqual(server.conn.service(), [EventType.EVENT_NONE, null, 0, 0]);
});

test('polled: all three send modes on several channels under loss, duplication and reordering', async () => {
  const sim = createSim({ seed: 5, conditions: { loss: 0.2, duplicate: 0.05, reorder: 0.1, latency: 5, jitter: 3 } });
  const { server, client, cp, sp } = await connectedPair(sim, { channels: 4 });
  const received: Array<{ data: Uint8Array; channel: number; flags: number }> = [];
  const N = 150;
  for (let n = 0; n < N; n++) {
    for (const ch of [0, 2, 3]) cp.send(ch, bytes(ch, n >> 8, n & 255), FLAG_RELIABLE);
    cp.send(1, bytes(1, n >> 8, n & 255), 0);
    cp.send(1, bytes(9, n >> 8, n & 255), FLAG_UNSEQUENCED);
    if (n % 10 === 0) cp.send(2, new Uint8Array(4000).fill(n & 255), FLAG_UNRELIABLE_FRAGMENT);
    poll(sim.base, [server, client], 2, () => false);
    received.push(...drain(sp));
  }
  const done = (): boolean => received.filter((p) => p.flags === FLAG_RELIABLE).length === 3 * N;
  assert.ok(poll(sim.base, [server, client], 60_000, () => (received.push(...drain(sp)), done())), 'every reliable packet arrived');
  for (const ch of [0, 2, 3]) {
    const seq = received.filter((p) => p.flags === FLAG_RELIABLE && p.channel === ch).map((p) => (p.data[1]! << 8) | p.data[2]!);
    assert.deepEqual(seq, Array.from({ length: N }, (_, i) => i), `channel ${ch}: each once, in order`);
  }
  const sequenced = received.filter((p) => p.channel === 1 && p.flags === 0).map((p) => (p.data[1]! << 8) | p.data[2]!);
  assert.ok(sequenced.length > N / 3 && sequenced.length < N, `some unreliable lost (${sequenced.length})`);
  assert.ok(sequenced.every((v, i) => i === 0 || v > sequenced[i - 1]!), 'unreliable sequenced: increasing, no duplicate');
  const unseq = received.filter((p) => p.flags === FLAG_UNSEQUENCED).map((p) => (p.data[1]! << 8) | p.data[2]!);
  assert.equal(new Set(unseq).size, unseq.length, 'unsequenced: no duplicate');
  const frags = received.filter((p) => p.flags === FLAG_UNRELIABLE_FRAGMENT);
  for (const f of frags) assert.ok(f.data.length === 4000 && f.data.every((b) => b === f.data[0]), 'fragments: whole or nothing');
});

test('event-driven: listeners fire without any service() call; one timer at the engine deadline', async () => {
  const sim = createSim({ conditions: { latency: 10 } });
  const server = sim.node('server', '10.0.0.1');
  const client = sim.node('client', '10.0.0.2');
  const events: string[] = [];
  let sp: ENetPacketPeer | null = null;
  server.conn.on('connect', (peer, data) => {
    sp = peer;
    events.push(`s connect ${data}`);
  });
  server.conn.on('receive', (peer, packet, channel, flags) => {
    events.push(`s receive ${packet.join(',')} ch${channel} f${flags}`);
    peer.send(channel, packet, flags); // echo
  });
  server.conn.on('disconnect', (_peer, data, timedOut) => events.push(`s disconnect ${data} ${timedOut}`));
  client.conn.on('receive', (_peer, packet, channel) => events.push(`c receive ${packet.join(',')} ch${channel}`));
  client.conn.on('disconnect', (_peer, data) => events.push(`c disconnect ${data}`));
  assert.equal(await server.conn.createHostBound('*', 7777), Error.OK);
  assert.equal(await client.conn.createHost(), Error.OK);
  assert.equal(server.timers.pending, 0, 'an idle host with no peer arms nothing');

  const cp = client.conn.connectToHost('10.0.0.1', 7777, 2, 99);
  assert.ok(cp);
  let connected = false;
  client.conn.once('connect', () => (connected = true));
  assert.ok(await run(sim.base, 1000, () => connected && sp !== null));
  assert.deepEqual(events, ['s connect 99']);
  cp.send(1, bytes(1, 2, 3), FLAG_RELIABLE);
  cp.send(0, bytes(4), FLAG_UNSEQUENCED);
  const t0 = sim.base.clock.now();
  await run(sim.base, 200, () => events.filter((e) => e.startsWith('c receive')).length === 2);
  assert.ok(sim.base.clock.now() - t0 <= 41, 'echo within two simulated round trips: no polling interval added');
  assert.deepEqual(events.slice(1).sort(), ['c receive 1,2,3 ch1', 'c receive 4 ch0', 's receive 1,2,3 ch1 f1', 's receive 4 ch0 f2']);

  // Idle: exactly one driver timer per host, due at the engine's next deadline (ping/ack timeout).
  await run(sim.base, 3000);
  for (const n of [server, client]) {
    assert.equal(n.timers.pending, 1, `${n.name}: one timer`);
    const host = n.conn.enetHost!;
    const delay = host.nextServiceDelay(Math.floor(sim.base.clock.now()) >>> 0);
    assert.ok(delay > 0 && delay <= 500, `${n.name}: next deadline within ENet's ping interval (${delay})`);
  }
  const armedBefore = server.timers.armed;
  await run(sim.base, 10_000);
  const perSecond = (server.timers.armed - armedBefore) / 10;
  assert.ok(perSecond <= 8, `an idle connection wakes only for ENet's pings/acks (${perSecond}/s)`);

  cp.peerDisconnect(5);
  await run(sim.base, 1000, () => events.includes('c disconnect 0') && events.includes('s disconnect 5 false'));
  assert.ok(events.includes('s disconnect 5 false'));
  assert.equal(cp.getState(), PeerState.STATE_DISCONNECTED);
  await run(sim.base, 100);
  assert.equal(server.timers.pending, 0, 'no peer left: no timer');
  assert.equal(client.timers.pending, 0);
  server.conn.destroy();
  client.conn.destroy();
});

test('disconnect variants carry their data; reset and destroy leave the remote to time out', async () => {
  const sim = createSim({ conditions: { latency: 3 } });
  const { server, client, cp, sp } = await connectedPair(sim);
  const log: Recorded[] = [];
  const nodes = [server, client];
  // Later: queued reliable data goes first.
  for (let i = 0; i < 5; i++) cp.send(0, bytes(i), FLAG_RELIABLE);
  cp.peerDisconnectLater(11);
  assert.equal(cp.getState(), PeerState.STATE_DISCONNECT_LATER);
  assert.ok(poll(sim.base, nodes, 2000, () => log.filter((e) => e.type === EventType.EVENT_DISCONNECT).length === 2, log));
  assert.deepEqual(drain(sp).map((p) => p.data[0]), [0, 1, 2, 3, 4], 'queued packets remain readable after the disconnect');
  assert.equal(log.find((e) => e.node === 'server' && e.type === EventType.EVENT_DISCONNECT)?.data, 11);
  assert.equal(sp.isActive(), false);
  assert.deepEqual(server.conn.getPeers(), []);
  assert.equal(sp.send(0, bytes(1), FLAG_RELIABLE), Error.ERR_UNCONFIGURED);

  // Now: the remote gets the data, the local side gets no event and is detached at once.
  const cp2 = client.conn.connectToHost('10.0.0.1', 7777, 2, 0)!;
  log.length = 0;
  assert.ok(poll(sim.base, nodes, 2000, () => log.filter((e) => e.type === EventType.EVENT_CONNECT).length === 2, log));
  const sp2 = log.find((e) => e.node === 'server')!.peer!;
  cp2.peerDisconnectNow(22);
  assert.equal(cp2.getState(), PeerState.STATE_DISCONNECTED);
  assert.deepEqual(client.conn.getPeers(), [cp2], 'as in Godot, listed until the next service()');
  log.length = 0;
  poll(sim.base, nodes, 500, () => log.length > 0, log);
  assert.deepEqual(client.conn.getPeers(), []);
  assert.deepEqual(log.map((e) => [e.node, e.type, e.data, e.peer]), [['server', EventType.EVENT_DISCONNECT, 22, sp2]]);

  // Server-initiated graceful disconnect with data, and reset() (remote times out).
  const cp3 = client.conn.connectToHost('10.0.0.1', 7777, 2, 0)!;
  log.length = 0;
  assert.ok(poll(sim.base, nodes, 2000, () => log.filter((e) => e.type === EventType.EVENT_CONNECT).length === 2, log));
  const sp3 = log.find((e) => e.node === 'server')!.peer!;
  sp3.peerDisconnect(0x80000001);
  log.length = 0;
  poll(sim.base, nodes, 2000, () => log.length === 2, log);
  assert.equal(log.find((e) => e.node === 'client')?.data, -0x7fffffff, 'data is a signed 32-bit int, as Godot reports it');
  assert.equal(log.find((e) => e.node === 'client')?.peer, cp3);

  const cp4 = client.conn.connectToHost('10.0.0.1', 7777, 2, 0)!;
  log.length = 0;
  assert.ok(poll(sim.base, nodes, 2000, () => log.filter((e) => e.type === EventType.EVENT_CONNECT).length === 2, log));
  log.find((e) => e.node === 'server')!.peer!.setTimeout(2, 1000, 2000);
  cp4.reset();
  assert.equal(cp4.isActive(), false);
  log.length = 0;
  assert.ok(poll(sim.base, nodes, 5000, () => log.length > 0, log), 'the server times out');
  assert.deepEqual(log.map((e) => [e.node, e.type, e.data]), [['server', EventType.EVENT_DISCONNECT, 0]]);
});

test('peer limit, refuseNewConnections and a failed connect report EVENT_DISCONNECT', async () => {
  const sim = createSim({ conditions: { latency: 2 } });
  const server = sim.node('server', '10.0.0.1');
  assert.equal(await server.conn.createHostBound('*', 7777, 2), Error.OK);
  const clients = [sim.node('c0', '10.0.0.10'), sim.node('c1', '10.0.0.11'), sim.node('c2', '10.0.0.12')];
  const log: Recorded[] = [];
  for (const c of clients) assert.equal(await c.conn.createHost(1), Error.OK);
  for (const c of clients) {
    const p = c.conn.connectToHost('10.0.0.1', 7777);
    assert.ok(p);
    p.setTimeout(4, 1000, 3000);
    poll(sim.base, [server, ...clients], 100, () => false, log); // one after the other
  }
  const nodes = [server, ...clients];
  poll(sim.base, nodes, 5000, () => log.some((e) => e.node === 'c2' && e.type === EventType.EVENT_DISCONNECT), log);
  assert.deepEqual(log.filter((e) => e.node === 'server').map((e) => e.type), [EventType.EVENT_CONNECT, EventType.EVENT_CONNECT]);
  assert.deepEqual(log.filter((e) => e.node === 'c2').map((e) => e.type), [EventType.EVENT_DISCONNECT], 'no slot left: the attempt times out');
  assert.equal(server.conn.getPeers().length, 2);

  server.conn.refuseNewConnections(true);
  const late = sim.node('late', '10.0.0.20');
  await late.conn.createHost(1);
  late.conn.connectToHost('10.0.0.1', 7777)!.setTimeout(4, 1000, 3000);
  clients[0]!.conn.getPeers()[0]!.peerDisconnect(0);
  log.length = 0;
  poll(sim.base, [...nodes, late], 5000, () => log.some((e) => e.node === 'late'), log);
  assert.deepEqual(log.filter((e) => e.node === 'late').map((e) => e.type), [EventType.EVENT_DISCONNECT], 'refused although a slot is free');
  assert.equal(server.conn.getPeers().length, 1, 'established peers are kept');

  server.conn.refuseNewConnections(false);
  late.conn.connectToHost('10.0.0.1', 7777);
  log.length = 0;
  assert.ok(poll(sim.base, [...nodes, late], 2000, () => log.some((e) => e.node === 'late' && e.type === EventType.EVENT_CONNECT), log));
});

test('broadcast reaches every connected peer; popStatistic returns and resets', async () => {
  const sim = createSim({ conditions: { latency: 1 } });
  const server = sim.node('server', '10.0.0.1');
  assert.equal(await server.conn.createHostBound('*', 7777, 8, 3), Error.OK);
  assert.equal(server.conn.getMaxChannels(), 3);
  const clients = [0, 1, 2].map((i) => sim.node(`c${i}`, `10.0.0.${10 + i}`));
  const nodes = [server, ...clients];
  const log: Recorded[] = [];
  for (const c of clients) {
    await c.conn.createHost(1);
    c.conn.connectToHost('10.0.0.1', 7777, 8);
  }
  assert.ok(poll(sim.base, nodes, 2000, () => log.filter((e) => e.type === EventType.EVENT_CONNECT).length === 6, log));
  assert.equal(clients[0]!.conn.getPeers()[0]!.getChannels(), 3, 'the server limits channels');
  for (const s of Object.values(HostStatistic).filter((v) => typeof v === 'number')) server.conn.popStatistic(s as HostStatistic);

  assert.equal(server.conn.broadcast(2, bytes(7, 7), FLAG_RELIABLE), Error.OK);
  assert.equal(server.conn.broadcast(3, bytes(1), FLAG_RELIABLE), Error.ERR_INVALID_PARAMETER);
  assert.equal(server.conn.broadcast(0, bytes(1), 4), Error.ERR_INVALID_PARAMETER, 'NO_ALLOCATE is not an allowed flag');
  server.conn.flush();
  assert.equal(server.conn.popStatistic(HostStatistic.HOST_TOTAL_SENT_PACKETS), 3, 'one datagram per peer');
  assert.equal(server.conn.popStatistic(HostStatistic.HOST_TOTAL_SENT_PACKETS), 0, 'popped');
  const sentData = server.conn.popStatistic(HostStatistic.HOST_TOTAL_SENT_DATA);
  assert.ok(sentData > 3 * 2 && sentData < 3 * 100, `${sentData} bytes`);
  log.length = 0;
  assert.ok(poll(sim.base, nodes, 500, () => log.filter((e) => e.type === EventType.EVENT_RECEIVE).length === 3, log));
  poll(sim.base, nodes, 20, () => false, log);
  for (const c of clients) assert.deepEqual(drain(c.conn.getPeers()[0]!).map((p) => [...p.data, p.channel]), [[7, 7, 2]]);
  assert.equal(server.conn.popStatistic(HostStatistic.HOST_TOTAL_RECEIVED_PACKETS), 3, 'three acknowledgements');
  assert.ok(server.conn.popStatistic(HostStatistic.HOST_TOTAL_RECEIVED_DATA) > 0);
});

for (const mode of [CompressionMode.COMPRESS_RANGE_CODER, CompressionMode.COMPRESS_FASTLZ,
  CompressionMode.COMPRESS_ZLIB, CompressionMode.COMPRESS_ZSTD]) {
test(`compress(${CompressionMode[mode]}) between two gdwire hosts; large reliable and fragmented packets`, async () => {
  const sim = createSim({ conditions: { latency: 2, loss: 0.05 } });
  const { server, client, cp, sp } = await connectedPair(sim);
  assert.equal(server.conn.compress(mode), Error.OK);
  assert.equal(client.conn.compress(mode), Error.OK);
  client.conn.popStatistic(HostStatistic.HOST_TOTAL_SENT_DATA);
  const text = new TextEncoder().encode('the quick brown fox jumps over the lazy dog '.repeat(25));
  const big = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 7) & 255);
  assert.equal(cp.send(1, text, FLAG_RELIABLE), Error.OK);
  assert.equal(cp.send(2, big, FLAG_RELIABLE), Error.OK);
  assert.equal(cp.putVar({ hello: [1, 2.5, 'x'] }), Error.OK);
  assert.ok(poll(sim.base, [server, client], 60_000, () => sp.getAvailablePacketCount() === 3));
  const byChannel = new Map<number, unknown>();
  while (sp.getAvailablePacketCount() > 0) {
    const ch = sp.getPacketChannel();
    byChannel.set(ch, ch === 0 ? sp.getVar() : sp.getPacket());
  }
  assert.deepEqual(byChannel.get(1), text);
  assert.deepEqual(byChannel.get(2), big, '1 MiB reliable packet intact');
  assert.deepEqual(byChannel.get(0), new Map([['hello', [1, 2.5, 'x']]]), 'putVar: reliable on channel 0');
  const sent = client.conn.popStatistic(HostStatistic.HOST_TOTAL_SENT_DATA);
  assert.ok(sent < big.length + text.length, `${CompressionMode[mode]} shrank the traffic (${sent} bytes)`);
});
}
