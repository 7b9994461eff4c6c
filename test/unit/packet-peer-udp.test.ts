/**
 * src/core/io/packet-peer-udp.ts on the in-memory network (deterministic: no ports, no
 * sleeps; time moves with clock.advance). Godot behaviours from
 * @see godot core/io/packet_peer_udp.cpp and godot-wire.md §3.1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { DatagramQueue, nearestShift } from '../../src/core/io/datagram-queue.js';
import { PacketPeerUDP, type UDPPacket } from '../../src/core/io/packet-peer-udp.js';
import { varToBytes } from '../../src/core/variant/codec.js';
import type { DatagramSocket, Network, SocketAddress, SocketError } from '../../src/platform/platform.js';
import { createTestPlatform, type TestPlatform } from '../../src/platform/test-platform.js';

const bytes = (...v: number[]): Uint8Array => new Uint8Array(v);
const ticks = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

/** A raw memory-network socket bound on loopback, recording what it receives. */
async function rawSocket(p: TestPlatform, address = '127.0.0.1', port = 0) {
  const sock: DatagramSocket = p.network.createSocket(address.includes(':') ? 'udp6' : 'udp4');
  await sock.bind(port, address, { ipv6Only: true });
  const got: Array<{ data: number[]; address: string; port: number }> = [];
  sock.onMessage((d, from) => got.push({ data: [...d], address: from.address, port: from.port }));
  return { sock, got, port: sock.localAddress()?.port ?? 0 };
}

async function boundPeer(p: TestPlatform, port = 0, address = '*', recvBufSize?: number): Promise<PacketPeerUDP> {
  const peer = new PacketPeerUDP({ platform: p });
  assert.equal(await peer.bind(port, address, recvBufSize), Error.OK);
  return peer;
}

test('nearestShift is Godot\'s: highest set bit among bits 0-30, plus one', () => {
  assert.equal(nearestShift(65536), 17); // default recv_buf_size → a 131072-byte ring
  assert.equal(nearestShift(1024), 11);
  assert.equal(nearestShift(1000), 10);
  assert.equal(nearestShift(1), 1);
  assert.equal(nearestShift(0), 0);
  assert.equal(nearestShift(-1), 31); // Godot casts to unsigned
});

test('bind: "*" is dual-stack, IPv4 literal is IPv4-only, IPv6 literal is IPv6-only', async () => {
  const p = createTestPlatform();
  const dual = await boundPeer(p, 4000);
  assert.equal(dual.isBound(), true);
  assert.equal(dual.getLocalPort(), 4000);
  const v4 = await rawSocket(p, '127.0.0.1');
  const v6 = await rawSocket(p, '::1');
  v4.sock.send(bytes(4), 4000, '127.0.0.1');
  v6.sock.send(bytes(6), 4000, '::1');
  p.clock.advance(0);
  assert.equal(dual.getAvailablePacketCount(), 2);
  assert.deepEqual([...dual.getPacket()], [4]);
  assert.deepEqual([dual.getPacketIp(), dual.getPacketPort()], ['127.0.0.1', v4.port]);
  assert.deepEqual([...dual.getPacket()], [6]);
  assert.deepEqual([dual.getPacketIp(), dual.getPacketPort()], ['::1', v6.port]);

  // "::" is IPv6 only: the IPv4 side of the port stays free; "0.0.0.0" is IPv4 only.
  const six = await boundPeer(p, 4001, '::');
  const four = await boundPeer(p, 4001, '0.0.0.0');
  assert.ok(six.isBound() && four.isBound());
  // A concrete address binds that address only.
  const lo = await boundPeer(p, 4002, '127.0.0.1');
  assert.equal(lo.getLocalPort(), 4002);
  const ephemeral = await boundPeer(p, 0);
  assert.ok(ephemeral.getLocalPort() >= 49152);
});

test('bind: Godot\'s errors — in use, bad address, bad port, already bound', async () => {
  const p = createTestPlatform();
  const a = await boundPeer(p, 4100, '127.0.0.1');
  const b = new PacketPeerUDP({ platform: p });
  assert.equal(await b.bind(4100, '*'), Error.ERR_UNAVAILABLE);
  assert.equal(b.isBound(), false);
  assert.equal(b.getAvailablePacketCount(), -1);
  assert.equal(await b.bind(4100, 'localhost'), Error.ERR_INVALID_PARAMETER);
  assert.equal(await b.bind(-1), Error.ERR_INVALID_PARAMETER);
  assert.equal(await b.bind(65536), Error.ERR_INVALID_PARAMETER);
  assert.equal(await b.bind(1.5), Error.ERR_INVALID_PARAMETER);
  assert.equal(await b.bind(4101, '10.1.2.3'), Error.ERR_UNAVAILABLE); // not a local address
  assert.equal(await a.bind(4102), Error.ERR_ALREADY_IN_USE);
  assert.equal(await b.bind(4102), Error.OK, 'still usable after the errors');
});

test('bind "*" on a machine without IPv6 falls back to IPv4; "::" cannot be created', async () => {
  const p = createTestPlatform({ ipv6: false });
  const peer = await boundPeer(p, 4200, '*');
  const v4 = await rawSocket(p, '127.0.0.1');
  v4.sock.send(bytes(1), 4200, '127.0.0.1');
  p.clock.advance(0);
  assert.equal(peer.getAvailablePacketCount(), 1);
  assert.equal(await new PacketPeerUDP({ platform: p }).bind(0, '::'), Error.ERR_CANT_CREATE);
});

test('close() while bind() is in flight: bind resolves FAILED and the port is released', async () => {
  const p = createTestPlatform();
  const peer = new PacketPeerUDP({ platform: p });
  const binding = peer.bind(4300, '127.0.0.1');
  assert.equal(await peer.bind(4301), Error.ERR_ALREADY_IN_USE, 'a second bind while binding');
  peer.close();
  assert.equal(await binding, Error.FAILED);
  assert.equal(peer.isBound(), false);
  assert.equal(peer.getAvailablePacketCount(), -1);
  const again = new PacketPeerUDP({ platform: p });
  assert.equal(await again.bind(4300, '127.0.0.1'), Error.OK);
});

test('DatagramQueue: FIFO across compactions, byte accounting back to zero', () => {
  const q = new DatagramQueue(1 << 20);
  let next = 0;
  for (let i = 0; i < 5000; i++) {
    assert.ok(q.push({ data: new Uint8Array([i & 255, i >> 8]), ip: '1.2.3.4', port: i }));
    if (i % 3 !== 0) {
      const e = q.shift();
      assert.equal(e?.port, next++);
    }
  }
  while (q.length > 0) assert.equal(q.shift()?.port, next++);
  assert.equal(next, 5000);
  assert.equal(q.bytesUsed, 0);
  assert.equal(q.shift(), undefined);
  assert.equal(q.spaceLeft(), (1 << 20) - 1);
});

test('getMaxPacketSize is Godot\'s meaningless 512', () => {
  assert.equal(new PacketPeerUDP({ platform: createTestPlatform() }).getMaxPacketSize(), 512);
});

test('unbound: count −1, getPacket FAILED; bound and empty: empty array and ERR_UNAVAILABLE', async () => {
  const p = createTestPlatform();
  const peer = new PacketPeerUDP({ platform: p });
  assert.equal(peer.getAvailablePacketCount(), -1);
  assert.deepEqual(peer.getPacket(), new Uint8Array(0));
  assert.equal(peer.getPacketError(), Error.FAILED);
  assert.equal(peer.getPacketIp(), '');
  assert.equal(peer.getPacketPort(), 0);
  assert.equal(peer.getLocalPort(), 0);
  assert.equal(await peer.bind(0), Error.OK);
  assert.equal(peer.getAvailablePacketCount(), 0);
  assert.deepEqual(peer.getPacket(), new Uint8Array(0));
  assert.equal(peer.getPacketError(), Error.ERR_UNAVAILABLE);
  assert.equal(peer.getVar(), null);
  assert.equal(peer.getPacketError(), Error.ERR_UNAVAILABLE);
});

test('putPacket without a destination is ERR_UNCONFIGURED; oversized is FAILED', async () => {
  const p = createTestPlatform();
  const peer = await boundPeer(p);
  assert.equal(peer.putPacket(bytes(1)), Error.ERR_UNCONFIGURED);
  assert.equal(peer.putVar(1), Error.ERR_UNCONFIGURED);
  assert.equal(await peer.setDestAddress('127.0.0.1', 9), Error.OK);
  assert.equal(peer.putPacket(new Uint8Array(65508)), Error.FAILED);
  assert.equal(peer.putPacket(new Uint8Array(65507)), Error.OK);
});

test('receive ring: 2^nearest_shift(recvBufSize) bytes, 24 + size per datagram, one byte kept free', async () => {
  const p = createTestPlatform();
  // recvBufSize 1024 → 2048-byte ring. 488-byte datagrams cost 512: four would be exactly
  // 2048, but Godot's RingBuffer keeps one byte free, so three fit.
  const small = await boundPeer(p, 0, '127.0.0.1', 1024);
  const tx = await rawSocket(p);
  for (let i = 0; i < 5; i++) tx.sock.send(new Uint8Array(488).fill(i), small.getLocalPort(), '127.0.0.1');
  p.clock.advance(0);
  assert.equal(small.getAvailablePacketCount(), 3);
  assert.equal(small.getDroppedPacketCount(), 2);
  assert.deepEqual([0, 1, 2].map(() => small.getPacket()[0]), [0, 1, 2], 'the first ones are kept');
  // Reading frees space again.
  tx.sock.send(new Uint8Array(488), small.getLocalPort(), '127.0.0.1');
  p.clock.advance(0);
  assert.equal(small.getAvailablePacketCount(), 1);

  // Default recvBufSize 65536 → 131072-byte ring: 2000-byte datagrams (2024 each) → 64 fit.
  const big = await boundPeer(p, 0, '127.0.0.1');
  for (let i = 0; i < 70; i++) tx.sock.send(new Uint8Array(2000), big.getLocalPort(), '127.0.0.1');
  p.clock.advance(0);
  assert.equal(big.getAvailablePacketCount(), 64);
  assert.equal(big.getDroppedPacketCount(), 6);
});

test('connectToHost: only that sender afterwards, queued packets discarded, sends go there', async () => {
  const p = createTestPlatform();
  const peer = await boundPeer(p, 5000, '127.0.0.1');
  const friend = await rawSocket(p);
  const stranger = await rawSocket(p);
  stranger.sock.send(bytes(1), 5000, '127.0.0.1');
  p.clock.advance(0);
  assert.equal(peer.getAvailablePacketCount(), 1);
  assert.equal(await peer.connectToHost('127.0.0.1', friend.port), Error.OK);
  assert.equal(peer.isSocketConnected(), true);
  assert.equal(peer.getAvailablePacketCount(), 0, 'what was queued before the connect is gone');
  stranger.sock.send(bytes(2), 5000, '127.0.0.1');
  friend.sock.send(bytes(3), 5000, '127.0.0.1');
  p.clock.advance(0);
  assert.equal(peer.getAvailablePacketCount(), 1);
  assert.deepEqual([...peer.getPacket()], [3]);
  assert.equal(peer.putPacket(bytes(4)), Error.OK);
  p.clock.advance(0);
  assert.deepEqual(friend.got.map((g) => g.data), [[4]]);
  assert.equal(await peer.setDestAddress('127.0.0.1', stranger.port), Error.ERR_ALREADY_IN_USE);
});

test('connectToHost: port < 1 refused; names resolved (a gdwire addition); unresolvable; unbound opens a socket', async () => {
  const p = createTestPlatform();
  const peer = new PacketPeerUDP({ platform: p });
  assert.equal(await peer.connectToHost('127.0.0.1', 0), Error.ERR_INVALID_PARAMETER);
  assert.equal(await peer.connectToHost('127.0.0.1', 65536), Error.ERR_INVALID_PARAMETER);
  assert.equal(await peer.connectToHost('nowhere.invalid', 9), Error.ERR_CANT_RESOLVE);
  const server4 = await rawSocket(p, '127.0.0.1');
  assert.equal(await peer.connectToHost('localhost', server4.port), Error.OK);
  // localhost resolves IPv4 first; the unbound peer opened an IPv4 socket for it.
  assert.equal(peer.isBound(), true);
  assert.ok(peer.getLocalPort() >= 49152);
  assert.equal(peer.putPacket(bytes(8)), Error.OK);
  p.clock.advance(0);
  assert.deepEqual(server4.got.map((g) => [g.data, g.address, g.port]), [[[8], '127.0.0.1', peer.getLocalPort()]]);
  const server = await rawSocket(p, '::1');
  const v6peer = new PacketPeerUDP({ platform: p });
  assert.equal(await v6peer.connectToHost('::1', server.port), Error.OK);
  assert.equal(v6peer.putPacket(bytes(9)), Error.OK);
  p.clock.advance(0);
  assert.deepEqual(server.got.map((g) => [g.data, g.address]), [[[9], '::1']]);
});

test('a connected peer ignores other senders even if the platform lets them through', async () => {
  // A stub socket that filters nothing (the kernel and the memory network both do).
  let deliver: ((d: Uint8Array, from: SocketAddress) => void) | null = null;
  const sock: DatagramSocket = {
    family: 'udp4',
    bind: () => Promise.resolve(),
    connect: () => Promise.resolve(),
    send: () => undefined,
    onMessage: (h) => { deliver = h; },
    onError: () => undefined,
    localAddress: () => ({ address: '127.0.0.1', port: 1234, family: 'IPv4' }),
    setBroadcast: () => undefined,
    addMembership: () => undefined,
    dropMembership: () => undefined,
    close: () => undefined,
  };
  const network: Network = { createSocket: () => sock, lookup: (h) => Promise.resolve([h]) };
  const peer = new PacketPeerUDP({ platform: { ...createTestPlatform(), network } });
  assert.equal(await peer.bind(1234, '127.0.0.1'), Error.OK);
  assert.equal(await peer.connectToHost('127.0.0.1', 5), Error.OK);
  const push = (port: number): void => deliver?.(bytes(port), { address: '127.0.0.1', port, family: 'IPv4' });
  push(6);
  push(5);
  assert.equal(peer.getAvailablePacketCount(), 1);
  assert.deepEqual([...peer.getPacket()], [5]);
});

test('connectToHost on an IPv4-only socket to an IPv6 host fails and closes, as Godot', async () => {
  const p = createTestPlatform();
  const peer = await boundPeer(p, 0, '127.0.0.1');
  assert.equal(await peer.connectToHost('::1', 9), Error.FAILED);
  assert.equal(peer.isBound(), false);
});

test('setDestAddress: a literal applies at once; a name after DNS; last call wins; errors', async () => {
  const p = createTestPlatform();
  p.net.addDnsRecord('game.test', ['127.0.0.1']);
  const rx = await rawSocket(p);
  const peer = new PacketPeerUDP({ platform: p });
  void peer.setDestAddress('127.0.0.1', rx.port); // not awaited: already applied
  assert.equal(peer.putPacket(bytes(1)), Error.OK);
  const other = new PacketPeerUDP({ platform: p });
  const pending = other.setDestAddress('game.test', rx.port);
  assert.equal(other.putPacket(bytes(2)), Error.ERR_UNCONFIGURED, 'not before DNS answers');
  assert.equal(await pending, Error.OK);
  assert.equal(other.putPacket(bytes(3)), Error.OK);
  const superseded = other.setDestAddress('game.test', 1);
  assert.equal(await other.setDestAddress('127.0.0.1', rx.port), Error.OK);
  assert.equal(await superseded, Error.ERR_SKIP);
  p.clock.advance(0);
  assert.deepEqual(rx.got.map((g) => g.data[0]), [1, 3]);
  assert.equal(await other.setDestAddress('nowhere.invalid', 1), Error.ERR_CANT_RESOLVE);
  assert.equal(await other.setDestAddress('127.0.0.1', 0), Error.ERR_INVALID_PARAMETER);
});

test('putPacket on an unbound peer opens a socket of the destination\'s family', async () => {
  const p = createTestPlatform();
  const rx6 = await rawSocket(p, '::1');
  const rx4 = await rawSocket(p, '127.0.0.1');
  const a = new PacketPeerUDP({ platform: p });
  await a.setDestAddress('::1', rx6.port);
  assert.equal(a.isBound(), false);
  assert.equal(a.putPacket(bytes(6)), Error.OK);
  assert.equal(a.isBound(), true);
  const b = new PacketPeerUDP({ platform: p });
  await b.setDestAddress('127.0.0.1', rx4.port);
  assert.equal(b.putPacket(bytes(4)), Error.OK);
  p.clock.advance(0);
  assert.deepEqual(rx6.got.map((g) => [g.data[0], g.address, g.port]), [[6, '::1', a.getLocalPort()]]);
  assert.deepEqual(rx4.got.map((g) => [g.data[0], g.address, g.port]), [[4, '127.0.0.1', b.getLocalPort()]]);
  // The IPv6 socket is IPv6-only (Godot's IP::TYPE_IPV6): an IPv4 destination now fails.
  await a.setDestAddress('127.0.0.1', rx4.port);
  assert.equal(a.putPacket(bytes(1)), Error.FAILED);
  // And replies reach the auto-opened socket.
  rx6.sock.send(bytes(7), a.getLocalPort(), '::1');
  p.clock.advance(0);
  assert.deepEqual([...a.getPacket()], [7]);
});

test('close: queue discarded, count −1, \'close\' event, destination kept (a later put reopens)', async () => {
  const p = createTestPlatform();
  const rx = await rawSocket(p);
  const peer = await boundPeer(p, 0, '127.0.0.1');
  await peer.setDestAddress('127.0.0.1', rx.port);
  rx.sock.send(bytes(1), peer.getLocalPort(), '127.0.0.1');
  p.clock.advance(0);
  let closed = 0;
  peer.on('close', () => { closed++; });
  peer.close();
  peer.close();
  assert.equal(closed, 1);
  assert.equal(peer.isBound(), false);
  assert.equal(peer.getAvailablePacketCount(), -1);
  assert.equal(peer.putPacket(bytes(2)), Error.OK, 'destination still set: opens an ephemeral socket');
  p.clock.advance(0);
  assert.deepEqual(rx.got.map((g) => g.data[0]), [2]);
  peer.close();
  assert.equal(await peer.bind(0), Error.OK, 'can bind again');
});

test('flowing mode: a \'packet\' listener gets the queued packets, then new ones directly', async () => {
  const p = createTestPlatform();
  const peer = await boundPeer(p, 0, '127.0.0.1');
  const tx = await rawSocket(p);
  const port = peer.getLocalPort();
  tx.sock.send(bytes(1), port, '127.0.0.1');
  tx.sock.send(bytes(2), port, '127.0.0.1');
  p.clock.advance(0);
  const seen: Array<[number, string, number]> = [];
  const listener = (data: Uint8Array, ip: string, from: number): void => { seen.push([data[0] ?? -1, ip, from]); };
  peer.on('packet', listener);
  assert.equal(seen.length, 0, 'flushed on the next microtask, after on() returned');
  await ticks();
  assert.deepEqual(seen.map((s) => s[0]), [1, 2]);
  assert.deepEqual(seen[0]?.slice(1), ['127.0.0.1', tx.port]);
  assert.equal(peer.getAvailablePacketCount(), 0);
  tx.sock.send(bytes(3), port, '127.0.0.1');
  p.clock.advance(0);
  assert.deepEqual(seen.map((s) => s[0]), [1, 2, 3]);
  assert.equal(peer.getAvailablePacketCount(), 0, 'delivered, not queued');
  // A packet arriving before the attach-time flush ran still comes after the queued ones.
  peer.off('packet', listener);
  tx.sock.send(bytes(31), port, '127.0.0.1');
  p.clock.advance(0);
  peer.on('packet', listener);
  tx.sock.send(bytes(32), port, '127.0.0.1');
  p.clock.advance(0);
  assert.deepEqual(seen.map((s) => s[0]), [1, 2, 3, 31, 32]);
  await ticks();
  assert.equal(seen.length, 5);
  peer.off('packet', listener);
  tx.sock.send(bytes(4), port, '127.0.0.1');
  p.clock.advance(0);
  assert.equal(peer.getAvailablePacketCount(), 1, 'queued again without listeners');
  assert.equal(seen.length, 5);
  // removeAllListeners() removes every listener and must not break the switch.
  let stale = 0;
  peer.on('close', () => { stale++; });
  peer.removeAllListeners();
  assert.equal(peer.listenerCount('close'), 0);
  peer.on('packet', listener);
  await ticks();
  assert.deepEqual(seen.map((s) => s[0]), [1, 2, 3, 31, 32, 4]);
  peer.close();
  assert.equal(stale, 0);
});

test('wait(): at once when queued; on arrival; ERR_UNCONFIGURED unbound or when closed', async () => {
  const p = createTestPlatform();
  assert.equal(await new PacketPeerUDP({ platform: p }).wait(), Error.ERR_UNCONFIGURED);
  const peer = await boundPeer(p, 0, '127.0.0.1');
  const tx = await rawSocket(p);
  let result: Error | null = null;
  void peer.wait().then((r) => { result = r; });
  await ticks();
  assert.equal(result, null, 'still waiting');
  tx.sock.send(bytes(1), peer.getLocalPort(), '127.0.0.1');
  p.clock.advance(0);
  await ticks();
  assert.equal(result, Error.OK);
  assert.equal(await peer.wait(), Error.OK, 'a packet is queued: at once');
  peer.getPacket();
  const closing = peer.wait();
  peer.close();
  assert.equal(await closing, Error.ERR_UNCONFIGURED);
});

test('async iterator: yields { data, ip, port } in order, ends when the peer is closed', async () => {
  const p = createTestPlatform();
  const peer = await boundPeer(p, 0, '127.0.0.1');
  const tx = await rawSocket(p);
  for (const v of [1, 2]) tx.sock.send(bytes(v), peer.getLocalPort(), '127.0.0.1');
  p.clock.advance(0);
  const got: UDPPacket[] = [];
  const reading = (async () => {
    for await (const packet of peer) {
      got.push(packet);
      if (got.length === 3) peer.close();
    }
  })();
  await ticks();
  assert.equal(got.length, 2);
  tx.sock.send(bytes(3), peer.getLocalPort(), '127.0.0.1');
  p.clock.advance(0);
  await reading;
  assert.deepEqual(got.map((g) => [g.data[0], g.ip, g.port]), [[1, '127.0.0.1', tx.port], [2, '127.0.0.1', tx.port], [3, '127.0.0.1', tx.port]]);
  // break → return(): a new iterator afterwards still works.
  await peer.bind(0, '127.0.0.1');
  tx.sock.send(bytes(4), peer.getLocalPort(), '127.0.0.1');
  p.clock.advance(0);
  for await (const packet of peer) {
    assert.equal(packet.data[0], 4);
    break;
  }
});

test('broadcast: refused until setBroadcastEnabled(true); the socket error reaches \'error\'', async () => {
  const p = createTestPlatform();
  const lan = p.net.createHost('lan-a', ['192.168.1.10']);
  const other = p.net.createHost('lan-b', ['192.168.1.11']);
  const rx = new PacketPeerUDP({ platform: { ...p, network: other } });
  assert.equal(await rx.bind(7777), Error.OK);
  const tx = new PacketPeerUDP({ platform: { ...p, network: lan } });
  assert.equal(await tx.bind(0, '0.0.0.0'), Error.OK);
  const errs: SocketError[] = [];
  tx.on('error', (e) => errs.push(e));
  await tx.setDestAddress('192.168.1.255', 7777);
  assert.equal(tx.putPacket(bytes(1)), Error.OK);
  await ticks();
  assert.deepEqual(errs.map((e) => e.code), ['EACCES']);
  tx.setBroadcastEnabled(true);
  assert.equal(tx.putPacket(bytes(2)), Error.OK);
  p.clock.advance(0);
  assert.deepEqual([...rx.getPacket()], [2]);
  assert.equal(rx.getPacketIp(), '192.168.1.10');
});

test('socket errors without an \'error\' listener are logged, never thrown', async () => {
  const p = createTestPlatform();
  const tx = await boundPeer(p, 0, '0.0.0.0');
  await tx.setDestAddress('255.255.255.255', 9);
  assert.equal(tx.putPacket(bytes(1)), Error.OK);
  await ticks();
  const warns = p.logger.at('warn');
  assert.equal(warns.length, 1);
  assert.equal(warns[0]?.fields?.['code'], 'EACCES');
});

test('multicast: join/leave, and Godot\'s error codes', async () => {
  const p = createTestPlatform();
  const unbound = new PacketPeerUDP({ platform: p });
  assert.equal(unbound.joinMulticastGroup('239.0.0.1', ''), Error.ERR_UNCONFIGURED);
  assert.equal(unbound.leaveMulticastGroup('239.0.0.1', ''), Error.ERR_UNCONFIGURED);
  const rx = await boundPeer(p, 8800, '0.0.0.0');
  assert.equal(rx.joinMulticastGroup('10.0.0.1', ''), Error.ERR_INVALID_PARAMETER);
  assert.equal(rx.joinMulticastGroup('ff02::1', ''), Error.ERR_INVALID_PARAMETER, 'IPv6 group on IPv4 socket');
  assert.equal(rx.leaveMulticastGroup('239.0.0.1', ''), Error.FAILED, 'not a member');
  assert.equal(rx.joinMulticastGroup('239.0.0.1', ''), Error.OK);
  const tx = new PacketPeerUDP({ platform: p });
  await tx.setDestAddress('239.0.0.1', 8800);
  tx.putPacket(bytes(1));
  p.clock.advance(0);
  assert.equal(rx.leaveMulticastGroup('239.0.0.1', ''), Error.OK);
  tx.putPacket(bytes(2));
  p.clock.advance(0);
  assert.equal(rx.getAvailablePacketCount(), 1);
  assert.deepEqual([...rx.getPacket()], [1]);
});

test('putVar/getVar use the peer\'s Variant profile (godot option)', async () => {
  const p = createTestPlatform();
  const a = new PacketPeerUDP({ platform: p, godot: 3 });
  const b = new PacketPeerUDP({ platform: p, godot: 3 });
  assert.equal(await a.bind(0, '127.0.0.1'), Error.OK);
  assert.equal(await b.bind(0, '127.0.0.1'), Error.OK);
  await a.setDestAddress('127.0.0.1', b.getLocalPort());
  const value = [1, 'two', 3.5];
  assert.equal(a.putVar(value), Error.OK);
  a.godot = 4;
  assert.equal(a.putVar(value), Error.OK);
  p.clock.advance(0);
  const raw3 = b.getPacket();
  const raw4 = b.getPacket();
  assert.deepEqual(raw3, varToBytes(value, { godot: 3 }));
  assert.deepEqual(raw4, varToBytes(value, { godot: 4 }));
  assert.notDeepEqual(raw3, raw4, 'the two profiles differ for an Array');
  assert.equal(a.putVar(value), Error.OK);
  p.clock.advance(0);
  b.godot = 4;
  assert.deepEqual(b.getVar(), value);
  assert.equal(b.getPacketError(), Error.OK);
});
