/**
 * UDPServer on the real Node platform over 127.0.0.1 and ::1 (IPv6 skipped with a message
 * when unavailable). Every wait is bounded; every socket is closed.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { PacketPeerUDP } from '../../src/core/io/packet-peer-udp.js';
import { UDPServer } from '../../src/core/io/udp-server.js';
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

/** Polls `server` (yielding to the event loop) until `n` connections are pending; bounded. */
async function pollUntilPending(server: UDPServer, n: number): Promise<PacketPeerUDP[]> {
  const out: PacketPeerUDP[] = [];
  const deadline = performance.now() + TIMEOUT_MS;
  for (let i = 0; i < 100_000 && out.length < n && performance.now() < deadline; i++) {
    server.poll();
    for (let peer = server.takeConnection(); peer; peer = server.takeConnection()) out.push(peer);
    if (out.length < n) await new Promise<void>((r) => setImmediate(r));
  }
  assert.equal(out.length, n, `expected ${n} connections`);
  return out;
}

function client(t: TestContext, godot: 3 | 4 = 4): PacketPeerUDP {
  const p = new PacketPeerUDP({ platform, godot });
  t.after(() => p.close());
  return p;
}

async function server(t: TestContext, bind = '127.0.0.1', godot: 3 | 4 = 4): Promise<UDPServer> {
  const s = new UDPServer({ platform, godot });
  t.after(() => s.stop());
  assert.equal(await s.listen(0, bind), Error.OK);
  assert.ok(s.getLocalPort() > 0);
  return s;
}

async function hasIPv6(): Promise<boolean> {
  const s = new NodeDatagramSocket('udp6');
  try {
    await s.bind(0, '::1', { ipv6Only: true });
    return true;
  } catch {
    return false;
  } finally {
    s.close();
  }
}

test('two clients on 127.0.0.1 with different ports: two peers, replies via the shared socket', async (t) => {
  const srv = await server(t);
  const port = srv.getLocalPort();
  const a = client(t);
  const b = client(t);
  await a.setDestAddress('127.0.0.1', port);
  await b.setDestAddress('127.0.0.1', port);
  a.putPacket(new Uint8Array([1]));
  b.putPacket(new Uint8Array([2]));
  const peers = await pollUntilPending(srv, 2);
  const byPort = new Map(peers.map((p) => [p.getPacketPort(), p]));
  const pa = byPort.get(a.getLocalPort());
  const pb = byPort.get(b.getLocalPort());
  assert.ok(pa && pb);
  assert.deepEqual([...pa.getPacket()], [1]);
  assert.deepEqual([...pb.getPacket()], [2]);
  pb.putPacket(new Uint8Array([20]));
  assert.equal(await within(b.wait(), 'reply to b'), Error.OK);
  assert.deepEqual([...b.getPacket()], [20]);
  assert.equal(b.getPacketPort(), port, 'the reply comes from the server port');
  assert.equal(a.getAvailablePacketCount(), 0);
});

test('"*" server: IPv4 and IPv6 clients (IPv6 half skipped visibly without it)', async (t) => {
  const srv = await server(t, '*');
  const port = srv.getLocalPort();
  const a = client(t);
  await a.setDestAddress('127.0.0.1', port);
  a.putPacket(new Uint8Array([4]));
  const [p4] = await pollUntilPending(srv, 1);
  assert.equal(p4?.getPacketIp(), '127.0.0.1', 'IPv4-mapped source reported as IPv4');
  p4?.putPacket(new Uint8Array([44]));
  assert.equal(await within(a.wait(), 'reply over IPv4 from a dual-stack socket'), Error.OK);
  if (!(await hasIPv6())) {
    t.diagnostic('IPv6 unavailable on this machine: the ::1 client was skipped');
    return;
  }
  const b = client(t);
  await b.setDestAddress('::1', port);
  b.putPacket(new Uint8Array([6]));
  const [p6] = await pollUntilPending(srv, 1);
  assert.equal(p6?.getPacketIp(), '::1');
});

test('stop(): a taken peer loses the shared socket; its next put leaves from a fresh port', async (t) => {
  const srv = await server(t);
  const port = srv.getLocalPort();
  const c = client(t);
  await c.setDestAddress('127.0.0.1', port);
  c.putPacket(new Uint8Array([1]));
  const [peer] = await pollUntilPending(srv, 1);
  assert.ok(peer);
  t.after(() => peer.close());
  srv.stop();
  assert.equal(peer.isBound(), false);
  assert.equal(peer.putPacket(new Uint8Array([2])), Error.OK);
  assert.equal(await within(c.wait(), 'datagram from the detached peer'), Error.OK);
  c.getPacket();
  assert.notEqual(c.getPacketPort(), port);
  assert.equal(c.getPacketPort(), peer.getLocalPort());
});

test('\'connection\' event and putVar/getVar with the server\'s profile on real sockets', async (t) => {
  const srv = await server(t, '127.0.0.1', 3);
  const c = client(t, 3);
  await c.setDestAddress('127.0.0.1', srv.getLocalPort());
  const profiles: unknown[] = [];
  srv.on('connection', (peer) => {
    profiles.push(peer.godot);
    // Flowing mode gets the raw packet; the reply goes through the Variant layer.
    peer.on('packet', () => peer.putVar(new Map([['ok', true]])));
  });
  assert.equal(c.putVar([1, 2, 3]), Error.OK);
  assert.equal(await within(c.wait(), 'reply'), Error.OK);
  const reply = c.getVar();
  assert.equal(c.getPacketError(), Error.OK);
  assert.ok(reply instanceof Map);
  assert.equal(reply.get('ok'), true);
  assert.deepEqual(profiles, [3]);
});
