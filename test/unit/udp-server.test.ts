/**
 * src/core/io/udp-server.ts on the in-memory network. Godot behaviours from
 * @see godot core/io/udp_server.cpp and godot-wire.md §3.2 (the poll() design).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import type { PacketPeerUDP } from '../../src/core/io/packet-peer-udp.js';
import { UDPServer } from '../../src/core/io/udp-server.js';
import { varToBytes } from '../../src/core/variant/codec.js';
import type { DatagramSocket } from '../../src/platform/platform.js';
import { createTestPlatform, type TestPlatform } from '../../src/platform/test-platform.js';

const bytes = (...v: number[]): Uint8Array => new Uint8Array(v);
const ticks = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

/** A raw client socket on 127.0.0.1, recording what it receives. */
async function client(p: TestPlatform, port = 0) {
  const sock: DatagramSocket = p.network.createSocket('udp4');
  await sock.bind(port, '127.0.0.1');
  const got: number[][] = [];
  sock.onMessage((d) => got.push([...d]));
  return { sock, got, port: sock.localAddress()?.port ?? 0 };
}

async function listening(p: TestPlatform, port = 6000, options: { pollBufferSize?: number; godot?: 3 | 4 } = {}) {
  const server = new UDPServer({ platform: p, ...options });
  assert.equal(await server.listen(port), Error.OK);
  return server;
}

test('listen: state, local port, errors; poll before listen is ERR_UNCONFIGURED', async () => {
  const p = createTestPlatform();
  const server = new UDPServer({ platform: p });
  assert.equal(server.isListening(), false);
  assert.equal(server.poll(), Error.ERR_UNCONFIGURED);
  assert.equal(server.getLocalPort(), 0);
  assert.equal(server.takeConnection(), null);
  assert.equal(await server.listen(6000, 'not-an-ip'), Error.ERR_INVALID_PARAMETER);
  assert.equal(await server.listen(70000), Error.ERR_INVALID_PARAMETER);
  assert.equal(await server.listen(6000), Error.OK);
  assert.equal(server.isListening(), true);
  assert.equal(server.getLocalPort(), 6000);
  assert.equal(await server.listen(6001), Error.ERR_ALREADY_IN_USE);
  // Godot listens with SO_REUSEADDR, so only a socket without it is refused on the same port.
  const plain = p.network.createSocket('udp4');
  await assert.rejects(plain.bind(6000, '127.0.0.1'), { code: 'EADDRINUSE' });
  const blocker = await client(p);
  const other = new UDPServer({ platform: p });
  assert.equal(await other.listen(blocker.port, '127.0.0.1'), Error.ERR_UNAVAILABLE);
  const eph = new UDPServer({ platform: p });
  assert.equal(await eph.listen(0, '127.0.0.1'), Error.OK);
  assert.ok(eph.getLocalPort() >= 49152);
});

test('demultiplexing: two clients on the same IP with different ports are two peers', async () => {
  const p = createTestPlatform();
  const server = await listening(p);
  const c1 = await client(p);
  const c2 = await client(p);
  c1.sock.send(bytes(1), 6000, '127.0.0.1');
  c2.sock.send(bytes(2), 6000, '127.0.0.1');
  c1.sock.send(bytes(3), 6000, '127.0.0.1');
  p.clock.advance(0);
  assert.equal(server.isConnectionAvailable(), false, 'nothing before poll()');
  assert.equal(server.poll(), Error.OK);
  const a = server.takeConnection();
  const b = server.takeConnection();
  assert.ok(a && b);
  assert.equal(server.takeConnection(), null);
  assert.deepEqual([a.getPacketIp(), a.getPacketPort()], ['127.0.0.1', c1.port]);
  assert.deepEqual([b.getPacketIp(), b.getPacketPort()], ['127.0.0.1', c2.port]);
  assert.equal(a.getAvailablePacketCount(), 2);
  assert.deepEqual([...a.getPacket()], [1]);
  assert.deepEqual([...a.getPacket()], [3]);
  assert.deepEqual([...b.getPacket()], [2]);
  assert.ok(a.isBound() && a.isSocketConnected());
  assert.equal(a.getLocalPort(), 6000, 'a server peer reports the shared socket\'s port');
  // Later datagrams go to the taken peers, through poll().
  c2.sock.send(bytes(4), 6000, '127.0.0.1');
  p.clock.advance(0);
  assert.equal(b.getAvailablePacketCount(), 0);
  server.poll();
  assert.deepEqual([...b.getPacket()], [4]);
  // Replies leave through the shared socket (source port 6000).
  assert.equal(a.putPacket(bytes(9)), Error.OK);
  p.clock.advance(0);
  assert.deepEqual(c1.got, [[9]]);
  assert.deepEqual(c2.got, []);
});

test('IPv4 and IPv6 senders on a dual-stack server; key is exact address and port', async () => {
  const p = createTestPlatform();
  const server = await listening(p);
  const v6 = p.network.createSocket('udp6');
  await v6.bind(7100, '::1', { ipv6Only: true });
  const v4 = p.network.createSocket('udp4');
  await v4.bind(7100, '127.0.0.1');
  v6.send(bytes(6), 6000, '::1');
  v4.send(bytes(4), 6000, '127.0.0.1');
  p.clock.advance(0);
  server.poll();
  const first = server.takeConnection();
  const second = server.takeConnection();
  assert.deepEqual([first?.getPacketIp(), first?.getPacketPort()], ['::1', 7100]);
  assert.deepEqual([second?.getPacketIp(), second?.getPacketPort()], ['127.0.0.1', 7100]);
});

test('maxPendingConnections: default 16, extra senders dropped and counted', async () => {
  const p = createTestPlatform();
  const server = await listening(p);
  assert.equal(server.getMaxPendingConnections(), 16);
  const clients = await Promise.all(Array.from({ length: 18 }, () => client(p)));
  for (const c of clients) c.sock.send(bytes(1), 6000, '127.0.0.1');
  clients[0]?.sock.send(bytes(2), 6000, '127.0.0.1'); // a known pending sender is still served
  p.clock.advance(0);
  server.poll();
  const taken: PacketPeerUDP[] = [];
  for (let peer = server.takeConnection(); peer; peer = server.takeConnection()) taken.push(peer);
  assert.equal(taken.length, 16);
  assert.equal(server.getRefusedPacketCount(), 2);
  assert.equal(taken[0]?.getAvailablePacketCount(), 2);
  // Room again: the refused senders become pending when they send again.
  clients[17]?.sock.send(bytes(3), 6000, '127.0.0.1');
  p.clock.advance(0);
  server.poll();
  assert.equal(server.takeConnection()?.getPacketPort(), clients[17]?.port);
});

test('maxPendingConnections 0 refuses new senders but keeps serving taken peers', async () => {
  const p = createTestPlatform();
  const server = await listening(p);
  const known = await client(p);
  known.sock.send(bytes(1), 6000, '127.0.0.1');
  p.clock.advance(0);
  server.poll();
  const peer = server.takeConnection();
  assert.ok(peer);
  peer.getPacket();
  server.setMaxPendingConnections(0);
  const fresh = await client(p);
  fresh.sock.send(bytes(2), 6000, '127.0.0.1');
  known.sock.send(bytes(3), 6000, '127.0.0.1');
  p.clock.advance(0);
  server.poll();
  assert.equal(server.isConnectionAvailable(), false);
  assert.equal(server.getRefusedPacketCount(), 1);
  assert.deepEqual([...peer.getPacket()], [3]);
});

test('lowering the limit drops the newest pending peers; raising it keeps them (not Godot\'s inverted loop)', async () => {
  const p = createTestPlatform();
  const server = await listening(p);
  const clients = await Promise.all(Array.from({ length: 5 }, () => client(p)));
  for (const c of clients) c.sock.send(bytes(1), 6000, '127.0.0.1');
  p.clock.advance(0);
  server.poll();
  server.setMaxPendingConnections(32); // Godot 3.3–4.x would discard all five here
  server.setMaxPendingConnections(3);
  assert.equal(server.getMaxPendingConnections(), 3);
  const ports: number[] = [];
  for (let peer = server.takeConnection(); peer; peer = server.takeConnection()) ports.push(peer.getPacketPort());
  assert.deepEqual(ports, clients.slice(0, 3).map((c) => c.port), 'the oldest three remain');
  server.setMaxPendingConnections(-1);
  server.setMaxPendingConnections(2.5);
  assert.equal(server.getMaxPendingConnections(), 3, 'invalid values are refused');
  assert.equal(p.logger.at('error').length, 2);
});

test('closing a taken peer: the next datagram from that address is a new pending connection', async () => {
  const p = createTestPlatform();
  const server = await listening(p);
  const c = await client(p);
  c.sock.send(bytes(1), 6000, '127.0.0.1');
  p.clock.advance(0);
  server.poll();
  const first = server.takeConnection();
  assert.ok(first);
  first.close();
  assert.equal(first.isBound(), false);
  assert.equal(first.getAvailablePacketCount(), -1);
  c.sock.send(bytes(2), 6000, '127.0.0.1');
  p.clock.advance(0);
  server.poll();
  const second = server.takeConnection();
  assert.ok(second && second !== first);
  assert.deepEqual([...second.getPacket()], [2]);
  assert.equal(server.isListening(), true, 'the shared socket is untouched');
});

test('stop(): taken peers detached (a later put opens a fresh socket), pending and unpolled dropped', async () => {
  const p = createTestPlatform();
  const server = await listening(p);
  const c1 = await client(p);
  const c2 = await client(p);
  c1.sock.send(bytes(1), 6000, '127.0.0.1');
  c2.sock.send(bytes(2), 6000, '127.0.0.1');
  p.clock.advance(0);
  server.poll();
  const taken = server.takeConnection();
  assert.ok(taken);
  c1.sock.send(bytes(3), 6000, '127.0.0.1'); // arrives, never polled
  p.clock.advance(0);
  let closes = 0;
  taken.on('close', () => { closes++; });
  server.stop();
  assert.equal(closes, 1);
  assert.equal(server.isListening(), false);
  assert.equal(server.isConnectionAvailable(), false);
  assert.equal(server.poll(), Error.ERR_UNCONFIGURED);
  assert.equal(taken.isBound(), false);
  assert.equal(taken.isSocketConnected(), false);
  assert.equal(taken.getAvailablePacketCount(), -1);
  assert.equal(taken.joinMulticastGroup('239.1.1.1', ''), Error.ERR_UNCONFIGURED, 'no longer ERR_LOCKED');
  assert.equal(taken.putPacket(bytes(4)), Error.OK);
  p.clock.advance(0);
  assert.deepEqual(c1.got, [[4]]);
  assert.ok(taken.getLocalPort() !== 6000 && taken.getLocalPort() > 0, 'a fresh ephemeral socket');
  // The server can listen again on the same port.
  assert.equal(await server.listen(6000), Error.OK);
});

test('server peers: connectToHost/multicast ERR_LOCKED, broadcast ignored, setDestAddress refused', async () => {
  const p = createTestPlatform();
  const server = await listening(p);
  const c = await client(p);
  c.sock.send(bytes(1), 6000, '127.0.0.1');
  p.clock.advance(0);
  server.poll();
  const peer = server.takeConnection();
  assert.ok(peer);
  assert.equal(await peer.connectToHost('127.0.0.1', 1), Error.ERR_LOCKED);
  assert.equal(peer.joinMulticastGroup('239.1.1.1', ''), Error.ERR_LOCKED);
  assert.equal(peer.leaveMulticastGroup('239.1.1.1', ''), Error.ERR_LOCKED);
  peer.setBroadcastEnabled(true);
  assert.equal(p.logger.at('error').length, 1);
  assert.equal(await peer.setDestAddress('127.0.0.1', 1), Error.ERR_ALREADY_IN_USE);
  assert.equal(await peer.bind(0), Error.ERR_ALREADY_IN_USE);
});

test('server peers have Godot\'s 65536-byte ring: overflow dropped and counted per peer', async () => {
  const p = createTestPlatform();
  const server = await listening(p);
  const c = await client(p);
  // 2024 bytes per 2000-byte datagram; 65535 usable → 32 fit.
  for (let i = 0; i < 40; i++) c.sock.send(new Uint8Array(2000), 6000, '127.0.0.1');
  p.clock.advance(0);
  server.poll();
  const peer = server.takeConnection();
  assert.equal(peer?.getAvailablePacketCount(), 32);
  assert.equal(peer?.getDroppedPacketCount(), 8);
});

test('the queue of unpolled datagrams is bounded (pollBufferSize) and counts drops', async () => {
  const p = createTestPlatform();
  const server = await listening(p, 6000, { pollBufferSize: 1024 }); // 1023 usable: 8 × 124 = 992
  const c = await client(p);
  for (let i = 0; i < 10; i++) c.sock.send(new Uint8Array(100).fill(i), 6000, '127.0.0.1');
  p.clock.advance(0);
  assert.equal(server.getDroppedPacketCount(), 2);
  server.poll();
  const peer = server.takeConnection();
  assert.equal(peer?.getAvailablePacketCount(), 8);
  assert.equal(peer?.getPacket()[0], 0);
});

test('\'connection\' event: the server polls by itself and hands over taken peers', async () => {
  const p = createTestPlatform();
  const server = await listening(p);
  const early = await client(p);
  early.sock.send(bytes(1), 6000, '127.0.0.1');
  p.clock.advance(0);
  server.poll(); // pending before anyone listens
  const peers: PacketPeerUDP[] = [];
  const packets: Array<[number, number]> = [];
  server.on('connection', (peer) => {
    peers.push(peer);
    peer.on('packet', (data, _ip, port) => packets.push([port, data[0] ?? -1]));
  });
  await ticks();
  assert.equal(peers.length, 1, 'the already-pending peer is handed over');
  const late = await client(p);
  late.sock.send(bytes(2), 6000, '127.0.0.1');
  early.sock.send(bytes(3), 6000, '127.0.0.1');
  p.clock.advance(0); // no poll() call from here on
  await ticks();
  assert.equal(peers.length, 2);
  assert.equal(server.isConnectionAvailable(), false, 'handed over = taken');
  assert.deepEqual(packets, [[early.port, 1], [late.port, 2], [early.port, 3]]);
  // removeAllListeners() really removes, and the hook comes back for the next listener.
  server.removeAllListeners();
  assert.equal(server.listenerCount('connection'), 0);
  const third = await client(p);
  third.sock.send(bytes(4), 6000, '127.0.0.1');
  p.clock.advance(0);
  await ticks();
  assert.equal(peers.length, 2, 'no listener: back to poll()');
  const handed: PacketPeerUDP[] = [];
  server.on('connection', (peer) => handed.push(peer));
  await ticks();
  assert.equal(handed[0]?.getPacketPort(), third.port, 'hook reinstalled: the attach polls');
});

test('async iterator of connections: yields new peers as they arrive, ends on stop()', async () => {
  const p = createTestPlatform();
  const server = await listening(p);
  const seen: number[] = [];
  const loop = (async () => {
    for await (const peer of server) seen.push(peer.getPacketPort());
  })();
  const c1 = await client(p);
  const c2 = await client(p);
  c1.sock.send(bytes(1), 6000, '127.0.0.1');
  p.clock.advance(0);
  await ticks();
  c2.sock.send(bytes(1), 6000, '127.0.0.1');
  c1.sock.send(bytes(2), 6000, '127.0.0.1');
  p.clock.advance(0);
  await ticks();
  assert.deepEqual(seen, [c1.port, c2.port]);
  server.stop();
  await loop;
});

test('putVar/getVar through server peers: peers inherit the server\'s godot profile', async () => {
  const p = createTestPlatform();
  for (const godot of [3, 4] as const) {
    const server = await listening(p, 6100 + godot, { godot });
    const c = await client(p);
    c.sock.send(varToBytes({ hello: [1, 2] }, { godot }), 6100 + godot, '127.0.0.1');
    p.clock.advance(0);
    server.poll();
    const peer = server.takeConnection();
    assert.ok(peer);
    assert.equal(peer.godot, godot);
    const v = peer.getVar();
    assert.equal(peer.getPacketError(), Error.OK);
    assert.ok(v instanceof Map);
    assert.deepEqual(v.get('hello'), [1, 2]);
    assert.equal(peer.putVar(['reply', 7]), Error.OK);
    p.clock.advance(0);
    assert.deepEqual(c.got[0], [...varToBytes(['reply', 7], { godot })]);
    server.stop();
  }
});
