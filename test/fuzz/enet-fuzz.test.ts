/**
 * Fuzzing the ENet engine's receive path (fixed seeds; GDWIRE_FUZZ_ITERATIONS scales the runs;
 * the seed is printed). Real datagrams captured from a session are mutated (bit flips,
 * interesting values, truncation, splicing) or replaced by random bytes and fed to a host
 * that also serves a live peer.
 *
 * Properties:
 *  - nothing throws, ever;
 *  - engine invariants hold (no negative counters);
 *  - a live peer on another session never stalls: its reliable stream stays complete and in order;
 *  - with checksums on, mutated datagrams aimed at the live session itself are all rejected
 *    and the session carries on;
 *  - afterwards the fuzzed slot can connect again and works.
 * ENet has no authentication: a well-formed forged DISCONNECT or ACKNOWLEDGE on a session
 * legitimately disturbs that session, which is why the fuzzed session is not the one checked
 * for stalls unless checksums reject the forgeries.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Peer } from '../../src/enet/peer.js';
import { SeededRandom, SimNetwork, type SimNode } from '../../src/enet/testing/sim-network.js';
import { EventType, PacketFlag, PeerState, type Address } from '../../src/enet/types.js';
import type { Host } from '../../src/enet/host.js';

const ITERATIONS = Number(process.env['GDWIRE_FUZZ_ITERATIONS'] ?? 20000);
/** Added to every fixed seed, to explore further (GDWIRE_FUZZ_SEED). */
const SEED_OFFSET = Number(process.env['GDWIRE_FUZZ_SEED'] ?? 0);
const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x02, 0x06, 0x08, 0x0c, 0x86, 0x88, 0x44, 0x49];
const INTERESTING_WIDE = [0, 1, 0xffff, 0x7fff, 0x1000, 0xffffffff, 0x7fffffff, 0x100000, 0x100001, 4096, 1400];

function mutate(rnd: SeededRandom, base: Uint8Array, corpus: readonly Uint8Array[], keepHeader: number): Uint8Array {
  let d = base.slice();
  const rounds = 1 + rnd.int(4);
  for (let r = 0; r < rounds; r++) {
    const lo = Math.min(keepHeader, d.length);
    const at = lo + rnd.int(Math.max(1, d.length - lo));
    switch (rnd.int(7)) {
      case 0:
        if (at < d.length) d[at] = d[at]! ^ (1 << rnd.int(8));
        break;
      case 1:
        if (at < d.length) d[at] = INTERESTING[rnd.int(INTERESTING.length)]!;
        break;
      case 2: {
        const v = INTERESTING_WIDE[rnd.int(INTERESTING_WIDE.length)]!;
        const w = rnd.int(2) ? 2 : 4;
        for (let i = 0; i < w && at + i < d.length; i++) d[at + i] = (v >>> (8 * (w - 1 - i))) & 0xff;
        break;
      }
      case 3:
        d = d.slice(0, Math.max(lo, at));
        break;
      case 4: {
        const extra = Uint8Array.from({ length: 1 + rnd.int(64) }, () => rnd.int(256));
        const n = new Uint8Array(d.length + extra.length);
        n.set(d);
        n.set(extra, d.length);
        d = n;
        break;
      }
      case 5: {
        // splice the tail of another datagram (its commands) after ours
        const other = corpus[rnd.int(corpus.length)]!;
        const from = Math.min(other.length, 2 + rnd.int(Math.max(1, other.length - 2)));
        const n = new Uint8Array(at + other.length - from);
        n.set(d.subarray(0, at));
        n.set(other.subarray(from), at);
        d = n;
        break;
      }
      default:
        if (at < d.length) d[at] = rnd.int(256);
    }
  }
  return d;
}

function checkInvariants(host: Host): void {
  assert.ok(host.connectedPeers >= 0 && host.connectedPeers <= host.peerCount);
  for (const p of host.peers) {
    assert.ok(p.outgoingCount >= 0, 'outgoingCount');
    assert.ok(p.reliableDataInTransit >= 0, 'reliableDataInTransit');
    assert.ok(p.totalWaitingData >= 0, 'totalWaitingData');
    assert.ok(p.sentReliable.length >= 0 && p.sentReliable.length === p.sentReliable.liveKeys().length, 'sent queue count');
  }
}

interface Stream {
  sent: number;
  received: number;
  inOrder: boolean;
}

/** Keeps a reliable stream of numbered packets going from `from` to `to`'s node. */
function startStream(net: SimNetwork, to: SimNode, peerOf: () => Peer): { stream: Stream; pump: () => void } {
  const stream: Stream = { sent: 0, received: 0, inOrder: true };
  const prev = net.onEvent;
  net.onEvent = (node, e) => {
    prev?.(node, e);
    if (node !== to || e.type !== EventType.RECEIVE || e.channelID !== 1) return;
    const n = new DataView(e.packet.data.buffer, e.packet.data.byteOffset).getUint32(0, true);
    if (n !== stream.received) stream.inOrder = false;
    stream.received++;
  };
  const pump = (): void => {
    const p = peerOf();
    while (stream.sent - stream.received < 20 && p.state === PeerState.CONNECTED) {
      const b = new Uint8Array(8 + (stream.sent % 50));
      new DataView(b.buffer).setUint32(0, stream.sent, true);
      p.send(1, b, PacketFlag.RELIABLE);
      stream.sent++;
    }
  };
  return { stream, pump };
}

function connect(net: SimNetwork, client: SimNode, server: SimNode): Peer {
  const p = client.host.connect(server.address, 3, 0)!;
  assert.ok(net.runUntil(() => p.state === PeerState.CONNECTED, 5000), 'connects');
  return p;
}

test(`fuzz: mutated and random datagrams on one session never throw or stall another (${ITERATIONS} iterations)`, () => {
  const seed = 0xe7e7 + SEED_OFFSET;
  console.log(`# enet fuzz seed ${seed}, iterations ${ITERATIONS}`);
  const rnd = new SeededRandom(seed);
  const net = new SimNetwork({ seed, conditions: { latency: 5 } });
  const server = net.addHost('server', { peerCount: 4 });
  const live = net.addHost('live', { peerCount: 1 });
  const fuzzed = net.addHost('fuzzed', { peerCount: 1 });
  const livePeer = connect(net, live, server);
  let fuzzPeer = connect(net, fuzzed, server);

  // Capture what the fuzzed client sends (reliable, unreliable, fragments, pings…) as corpus.
  const corpus: Uint8Array[] = [];
  const orig = server.host.receive.bind(server.host);
  server.host.receive = (data, from) => {
    if (from.address === 'fuzzed' && corpus.length < 400) corpus.push(data.slice());
    orig(data, from);
  };
  for (let i = 0; i < 60; i++) {
    fuzzPeer.send(i % 3, new Uint8Array(1 + ((i * 97) % 3000)).fill(i), [PacketFlag.RELIABLE, 0, PacketFlag.UNSEQUENCED, PacketFlag.UNRELIABLE_FRAGMENT][i % 4]!);
    net.run(3);
  }
  net.run(600);
  server.host.receive = orig;
  assert.ok(corpus.length > 20);

  const { stream, pump } = startStream(net, server, () => livePeer);
  const fuzzFrom: Address = fuzzed.address;
  for (let i = 0; i < ITERATIONS; i++) {
    let data: Uint8Array;
    const kind = rnd.int(10);
    if (kind === 0) data = Uint8Array.from({ length: rnd.int(80) }, () => rnd.int(256));
    else if (kind === 1) {
      // random commands behind a correct header for the fuzzed session
      const base = corpus[rnd.int(corpus.length)]!;
      data = Uint8Array.from({ length: 4 + rnd.int(120) }, () => rnd.int(256));
      data.set(base.subarray(0, 4));
    } else data = mutate(rnd, corpus[rnd.int(corpus.length)]!, corpus, rnd.int(3) ? 4 : 0);
    // mostly from the fuzzed session's address; sometimes from a stranger
    net.inject(server, rnd.int(8) ? fuzzFrom : { address: 'stranger', port: rnd.int(65536) }, data);
    if (i % 25 === 0) {
      pump();
      net.run(2);
    }
    if (i % 1000 === 999) checkInvariants(server.host);
  }
  pump();
  net.run(2000);
  checkInvariants(server.host);
  assert.equal(livePeer.state, PeerState.CONNECTED, 'live peer still connected');
  assert.ok(stream.inOrder, 'live stream in order');
  assert.ok(stream.received > ITERATIONS / 50, `live stream progressed (${stream.received})`);
  assert.ok(net.runUntil(() => stream.received === stream.sent, 30_000), 'live stream complete');
  assert.ok(server.host.malformedDatagrams > 0, 'malformed datagrams were counted');

  // The fuzzed slot recovers: whatever state it is in, a fresh connection works.
  fuzzPeer.disconnectNow(0);
  net.run(40_000, 10);
  fuzzPeer = connect(net, fuzzed, server);
  fuzzPeer.send(0, new Uint8Array([1, 2, 3]), PacketFlag.RELIABLE);
  const before = server.events.filter((e) => e.type === EventType.RECEIVE && e.channelID === 0).length;
  net.run(200);
  assert.equal(server.events.filter((e) => e.type === EventType.RECEIVE && e.channelID === 0).length, before + 1);
});

test('fuzz: with checksums, every mutation aimed at the live session is rejected and it carries on', () => {
  const seed = 0xc5c5 + SEED_OFFSET;
  const n = Math.max(2000, Math.floor(ITERATIONS / 4));
  console.log(`# enet checksum fuzz seed ${seed}, iterations ${n}`);
  const rnd = new SeededRandom(seed);
  const net = new SimNetwork({ seed, conditions: { latency: 5 } });
  const server = net.addHost('server', { peerCount: 2, checksum: true });
  const client = net.addHost('client', { peerCount: 1, checksum: true });
  const peer = connect(net, client, server);
  const corpus: Uint8Array[] = [];
  const orig = server.host.receive.bind(server.host);
  server.host.receive = (data, from) => {
    if (corpus.length < 200) corpus.push(data.slice());
    orig(data, from);
  };
  const { stream, pump } = startStream(net, server, () => peer);
  for (let i = 0; i < 100; i++) {
    pump();
    net.run(2);
  }
  server.host.receive = orig;
  const malformedBefore = server.host.malformedDatagrams;
  let injected = 0;
  for (let i = 0; i < n; i++) {
    const base = corpus[rnd.int(corpus.length)]!;
    const m = mutate(rnd, base, corpus, 4);
    if (m.length === base.length && m.every((b, k) => b === base[k])) continue;
    net.inject(server, client.address, m);
    injected++;
    if (i % 20 === 0) {
      pump();
      net.run(2);
    }
  }
  net.run(500);
  assert.ok(stream.sent > 200);
  assert.ok(net.runUntil(() => stream.received === stream.sent, 30_000), 'live stream complete');
  assert.ok(stream.inOrder);
  assert.equal(peer.state, PeerState.CONNECTED);
  // Every changed datagram failed the CRC (or was too short for a header) …
  assert.ok(server.host.malformedDatagrams - malformedBefore >= injected * 0.95, 'rejected');
  checkInvariants(server.host);
});

test('fuzz: a connecting client fed mutated replies never throws', () => {
  const seed = 0xabc + SEED_OFFSET;
  const rnd = new SeededRandom(seed);
  const net = new SimNetwork({ seed, conditions: { latency: 5 } });
  const server = net.addHost('server', { peerCount: 2 });
  const client = net.addHost('client', { peerCount: 1 });
  // Capture the server's side of a handshake and some traffic.
  const corpus: Uint8Array[] = [];
  const orig = client.host.receive.bind(client.host);
  client.host.receive = (data, from) => {
    corpus.push(data.slice());
    orig(data, from);
  };
  const p = connect(net, client, server);
  net.run(50);
  const sp = server.events.find((e) => e.type === EventType.CONNECT)!.peer;
  for (let i = 0; i < 20; i++) sp.send(i % 3, new Uint8Array(10 + i * 150), i % 2 ? PacketFlag.RELIABLE : 0);
  net.run(300);
  p.disconnectNow(0);
  client.host.receive = orig;
  const rounds = Math.max(200, Math.floor(ITERATIONS / 50));
  for (let r = 0; r < rounds; r++) {
    const peer = client.host.connect({ address: 'ghost', port: 1 }, 3, 0);
    assert.ok(peer);
    for (let k = 0; k < 40; k++) {
      const base = corpus[rnd.int(corpus.length)]!;
      net.inject(client, { address: 'ghost', port: 1 }, mutate(rnd, base, corpus, rnd.int(2) ? 2 : 0));
    }
    net.run(3);
    checkInvariants(client.host);
    peer.reset();
  }
});
