/**
 * PacketPeerUDP on the real Node platform over 127.0.0.1 and ::1 (IPv6 cases skipped with a
 * message when the machine lacks it). Every wait is bounded; every socket is closed.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { PacketPeerUDP } from '../../src/core/io/packet-peer-udp.js';
import { MemoryLogger } from '../../src/platform/memory-logger.js';
import { NodeDatagramSocket, nodePlatform } from '../../src/platform/node-platform.js';

const platform = nodePlatform({ logger: new MemoryLogger() });
const TIMEOUT_MS = 3000;

function within<T>(p: Promise<T>, what: string, ms = TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new globalThis.Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/** Yields to the event loop until `cond()` holds (bounded by count and time). */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + TIMEOUT_MS;
  for (let i = 0; i < 100_000 && !cond(); i++) {
    if (performance.now() > deadline) break;
    await new Promise<void>((r) => setImmediate(r));
  }
  assert.ok(cond(), `timed out: ${what}`);
}

function peer(t: TestContext, godot: 3 | 4 = 4): PacketPeerUDP {
  const p = new PacketPeerUDP({ platform, godot });
  t.after(() => p.close());
  return p;
}

let ipv6: boolean | null = null;
async function hasIPv6(): Promise<boolean> {
  if (ipv6 !== null) return ipv6;
  const s = new NodeDatagramSocket('udp6');
  try {
    await s.bind(0, '::1', { ipv6Only: true });
    ipv6 = true;
  } catch {
    ipv6 = false;
  } finally {
    s.close();
  }
  return ipv6;
}

test('bind "*": IPv4 senders arrive as IPv4, IPv6 senders as IPv6', async (t) => {
  const rx = peer(t);
  assert.equal(await rx.bind(0), Error.OK);
  const port = rx.getLocalPort();
  assert.ok(port > 0);
  const tx4 = peer(t);
  await tx4.setDestAddress('127.0.0.1', port);
  assert.equal(tx4.putPacket(new Uint8Array([4])), Error.OK);
  assert.equal(await within(rx.wait(), 'IPv4 datagram'), Error.OK);
  assert.deepEqual([...rx.getPacket()], [4]);
  assert.equal(rx.getPacketIp(), '127.0.0.1');
  assert.equal(rx.getPacketPort(), tx4.getLocalPort());
  if (!(await hasIPv6())) {
    t.diagnostic('IPv6 unavailable on this machine: the ::1 half of this test was skipped');
    return;
  }
  const tx6 = peer(t);
  await tx6.setDestAddress('::1', port);
  assert.equal(tx6.putPacket(new Uint8Array([6])), Error.OK);
  assert.equal(await within(rx.wait(), 'IPv6 datagram'), Error.OK);
  assert.deepEqual([...rx.getPacket()], [6]);
  assert.equal(rx.getPacketIp(), '::1');
});

test('bind on ::1 (IPv6 only) and exchange both ways', async (t) => {
  if (!(await hasIPv6())) {
    t.skip('IPv6 loopback (::1) unavailable on this machine');
    return;
  }
  const a = peer(t);
  const b = peer(t);
  assert.equal(await a.bind(0, '::1'), Error.OK);
  assert.equal(await b.bind(0, '::1'), Error.OK);
  await a.setDestAddress('::1', b.getLocalPort());
  a.putPacket(new Uint8Array([1]));
  assert.equal(await within(b.wait(), 'a → b'), Error.OK);
  b.getPacket();
  assert.deepEqual([b.getPacketIp(), b.getPacketPort()], ['::1', a.getLocalPort()]);
  assert.equal(await a.setDestAddress('127.0.0.1', 9), Error.OK);
  assert.equal(a.putPacket(new Uint8Array([1])), Error.FAILED, 'an IPv6-only socket cannot reach IPv4');
});

test('bind errors on real sockets: port in use, foreign address', async (t) => {
  const a = peer(t);
  assert.equal(await a.bind(0, '127.0.0.1'), Error.OK);
  const b = peer(t);
  assert.equal(await b.bind(a.getLocalPort(), '127.0.0.1'), Error.ERR_UNAVAILABLE);
  assert.equal(await b.bind(0, '192.0.2.1'), Error.ERR_UNAVAILABLE); // TEST-NET-1: not local
  assert.equal(await b.bind(0, '127.0.0.1'), Error.OK);
});

test('connectToHost: the kernel filters other senders; queued packets are discarded', async (t) => {
  const rx = peer(t);
  assert.equal(await rx.bind(0, '127.0.0.1'), Error.OK);
  const port = rx.getLocalPort();
  const friend = peer(t);
  const stranger = peer(t);
  assert.equal(await friend.bind(0, '127.0.0.1'), Error.OK);
  assert.equal(await stranger.bind(0, '127.0.0.1'), Error.OK);
  await stranger.setDestAddress('127.0.0.1', port);
  await friend.setDestAddress('127.0.0.1', port);
  stranger.putPacket(new Uint8Array([1]));
  assert.equal(await within(rx.wait(), 'first datagram'), Error.OK);
  assert.equal(rx.getAvailablePacketCount(), 1);
  assert.equal(await rx.connectToHost('127.0.0.1', friend.getLocalPort()), Error.OK);
  assert.equal(rx.getAvailablePacketCount(), 0);
  stranger.putPacket(new Uint8Array([2]));
  friend.putPacket(new Uint8Array([3]));
  assert.equal(await within(rx.wait(), 'friend datagram'), Error.OK);
  assert.deepEqual([...rx.getPacket()], [3]);
  assert.equal(rx.putPacket(new Uint8Array([4])), Error.OK);
  assert.equal(await within(friend.wait(), 'reply'), Error.OK);
  assert.deepEqual([...friend.getPacket()], [4]);
  assert.equal(rx.getAvailablePacketCount(), 0, 'the stranger never got through');
});

test('ring overflow on real sockets: exactly the datagrams that fit by the 24 + size rule are kept', async (t) => {
  const rx = peer(t);
  assert.equal(await rx.bind(0, '127.0.0.1', 1024), Error.OK); // 2048-byte ring
  const tx = peer(t);
  await tx.setDestAddress('127.0.0.1', rx.getLocalPort());
  for (let i = 0; i < 5; i++) assert.equal(tx.putPacket(new Uint8Array(488).fill(i)), Error.OK);
  await until(() => rx.getAvailablePacketCount() + rx.getDroppedPacketCount() === 5, 'all five accounted for');
  assert.equal(rx.getAvailablePacketCount(), 3);
  assert.equal(rx.getDroppedPacketCount(), 2);
  assert.deepEqual([0, 1, 2].map(() => rx.getPacket()[0]), [0, 1, 2]);
});

test('ERR_UNCONFIGURED without a destination, ERR_UNAVAILABLE on an empty queue, −1 unbound', async (t) => {
  const p = peer(t);
  assert.equal(p.getAvailablePacketCount(), -1);
  assert.equal(p.putPacket(new Uint8Array([1])), Error.ERR_UNCONFIGURED);
  assert.equal(await p.bind(0, '127.0.0.1'), Error.OK);
  assert.equal(p.getPacket().length, 0);
  assert.equal(p.getPacketError(), Error.ERR_UNAVAILABLE);
});

test('an unbound peer opens a socket on first put; flowing mode and the async iterator on real sockets', async (t) => {
  const server = peer(t);
  assert.equal(await server.bind(0, '127.0.0.1'), Error.OK);
  const client = peer(t);
  await client.setDestAddress('127.0.0.1', server.getLocalPort());
  assert.equal(client.putVar('ping'), Error.OK);
  assert.equal(client.isBound(), true);
  const echoed = new Promise<void>((resolve) => {
    server.on('packet', (data, ip, port) => {
      assert.equal(ip, '127.0.0.1');
      void server.setDestAddress(ip, port);
      server.putPacket(data);
      resolve();
    });
  });
  await within(echoed, 'server echo');
  assert.equal(await within(client.wait(), 'echo back'), Error.OK);
  for await (const packet of client) {
    assert.equal(packet.port, server.getLocalPort());
    assert.deepEqual(packet.data, new Uint8Array([4, 0, 0, 0, 4, 0, 0, 0, 112, 105, 110, 103]));
    break;
  }
});
