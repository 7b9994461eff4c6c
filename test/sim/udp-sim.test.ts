/**
 * Several simulated hosts on the in-memory network with a fake clock: PacketPeerUDP clients
 * and a UDPServer over a lossy, jittery LAN. No sleeps, no ports; the same seed gives the
 * same transcript.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { PacketPeerUDP } from '../../src/core/io/packet-peer-udp.js';
import { UDPServer } from '../../src/core/io/udp-server.js';
import { createTestPlatform, hostPlatform } from '../../src/platform/test-platform.js';
import type { LinkConditions } from '../../src/platform/memory-network.js';

interface Transcript {
  events: string[];
  echoed: number[][];
  stats: Record<string, number>;
}

/**
 * An echo server (Node form: 'connection' + 'packet') on one host and `clients` hosts each
 * sending `count` numbered datagrams, one every 5 ms of fake time, then waiting 1 s.
 */
async function echoSimulation(seed: number, conditions: LinkConditions, clients = 3, count = 200): Promise<Transcript> {
  const base = createTestPlatform({ seed, conditions });
  const net = base.net;
  const serverHost = net.createHost('server', ['10.0.0.1']);
  const events: string[] = [];
  const server = new UDPServer({ platform: hostPlatform(base, serverHost) });
  assert.equal(await server.listen(4433), Error.OK);
  server.on('connection', (peer) => {
    events.push(`t=${base.clock.now().toFixed(3)} connection ${peer.getPacketIp()}:${peer.getPacketPort()}`);
    peer.on('packet', (data) => peer.putPacket(data));
  });
  const peers: PacketPeerUDP[] = [];
  for (let i = 0; i < clients; i++) {
    const host = net.createHost(`client${i}`, [`10.0.0.${10 + i}`]);
    const peer = new PacketPeerUDP({ platform: hostPlatform(base, host) });
    assert.equal(await peer.connectToHost('server', 4433), Error.OK); // resolved by the network's DNS
    peers.push(peer);
  }
  const echoed: number[][] = peers.map(() => []);
  for (let n = 0; n < count; n++) {
    peers.forEach((peer, i) => {
      assert.equal(peer.putPacket(new Uint8Array([i, n >> 8, n & 255])), Error.OK);
    });
    base.clock.advance(5);
    await Promise.resolve(); // let microtask-scheduled flushes run, as an event loop would
    peers.forEach((peer, i) => {
      for (let k = peer.getAvailablePacketCount(); k > 0; k--) {
        const d = peer.getPacket();
        echoed[i]?.push(((d[1] ?? 0) << 8) | (d[2] ?? 0));
      }
    });
  }
  base.clock.advance(1000);
  peers.forEach((peer, i) => {
    for (let k = peer.getAvailablePacketCount(); k > 0; k--) {
      const d = peer.getPacket();
      echoed[i]?.push(((d[1] ?? 0) << 8) | (d[2] ?? 0));
    }
  });
  server.stop();
  for (const p of peers) p.close();
  return { events, echoed, stats: { ...net.stats } };
}

test('echo over a lossy LAN: every client is one connection; losses and reordering as seeded', async () => {
  const conditions = { loss: 0.05, duplicate: 0.01, latency: 10, jitter: 8, reorder: 0.02 };
  const r = await echoSimulation(2024, conditions);
  assert.equal(r.events.length, 3, r.events.join('\n'));
  const ips = r.events.map((e) => /connection ([\d.]+):\d+$/.exec(e)?.[1]).sort();
  assert.deepEqual(ips, ['10.0.0.10', '10.0.0.11', '10.0.0.12'], 'in arrival order, which jitter decides');
  for (const got of r.echoed) {
    // A round trip crosses the link twice: ~90% of 200 expected back (plus duplicates).
    assert.ok(got.length > 150 && got.length < 200 * 1.1, `echoed ${got.length}`);
    assert.ok(new Set(got).size <= 200);
    assert.ok(got.every((n) => n >= 0 && n < 200));
  }
  assert.ok(r.stats['lost'] !== undefined && r.stats['lost'] > 0);
});

test('same seed → identical transcript; another seed → a different one', async () => {
  const conditions = { loss: 0.1, latency: 3, jitter: 6, duplicate: 0.05 };
  const a = await echoSimulation(7, conditions, 2, 100);
  const b = await echoSimulation(7, conditions, 2, 100);
  const c = await echoSimulation(8, conditions, 2, 100);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.echoed, c.echoed);
});

test('LAN discovery: a broadcast finds the server host, then the client talks to it directly', async () => {
  const base = createTestPlatform({ seed: 1, conditions: { latency: 2 } });
  const net = base.net;
  const hostA = net.createHost('a', ['192.168.0.2']);
  const hostB = net.createHost('b', ['192.168.0.3']);
  const hostC = net.createHost('c', ['192.168.1.4']); // another subnet: not reached
  const listeners = [hostA, hostC].map((h) => {
    const p = new PacketPeerUDP({ platform: hostPlatform(base, h) });
    return p;
  });
  for (const l of listeners) assert.equal(await l.bind(5000), Error.OK);
  const seeker = new PacketPeerUDP({ platform: hostPlatform(base, hostB) });
  assert.equal(await seeker.bind(0, '0.0.0.0'), Error.OK);
  seeker.setBroadcastEnabled(true);
  await seeker.setDestAddress('192.168.0.255', 5000);
  assert.equal(seeker.putVar('who is there?'), Error.OK);
  base.clock.advance(2);
  const [a, c] = listeners;
  assert.ok(a && c);
  assert.equal(c.getAvailablePacketCount(), 0);
  assert.equal(a.getVar(), 'who is there?');
  await a.setDestAddress(a.getPacketIp(), a.getPacketPort());
  a.putVar('me');
  base.clock.advance(2);
  assert.equal(seeker.getVar(), 'me');
  assert.equal(seeker.getPacketIp(), '192.168.0.2');
  // The seeker now knows the address: a unicast exchange follows.
  await seeker.setDestAddress(seeker.getPacketIp(), 5000);
  seeker.putVar(42);
  base.clock.advance(2);
  assert.equal(a.getVar(), 42);
  for (const p of [seeker, ...listeners]) p.close();
});
