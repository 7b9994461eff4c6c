/**
 * src/enet/peer.ts and src/enet/host-outgoing.ts, seen on the wire: sequence numbering per
 * channel and per peer, fragmentation sizes, reliable fallbacks, datagram packing limits, the
 * unreliable throttle, send errors. @see enet peer.c enet_peer_send, enet_peer_setup_outgoing_command
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { Host, type HostOptions } from '../../src/enet/host.js';
import type { Peer } from '../../src/enet/peer.js';
import { COMMAND_FLAG_ACKNOWLEDGE, COMMAND_SIZES, HEADER_SIZE_FULL, ProtocolCommand, type Command } from '../../src/enet/protocol.js';
import { EventType, PacketFlag, PeerState } from '../../src/enet/types.js';
import { decodeDatagram } from '../../src/enet/wire-decode.js';

type Opts = Omit<HostOptions, 'random'>;

/** Two hosts wired back to back (no loss), a connected peer on each side. */
function pair(aOpts: Opts = {}, bOpts: Opts = {}): { a: Host; b: Host; ap: Peer; bp: Peer; pump: (ms?: number) => void; now: () => number } {
  let t = 1000;
  const A = { address: 'a', port: 1 };
  const B = { address: 'b', port: 2 };
  const a = new Host({ peerCount: 2, random: { u32: () => 10 }, ...aOpts });
  const b = new Host({ peerCount: 2, random: { u32: () => 20 }, ...bOpts });
  const pump = (ms = 1): void => {
    for (let i = 0; i < ms; i++) {
      t++;
      for (const [from, to, addr] of [
        [a, b, A],
        [b, a, B],
      ] as const) {
        for (const d of from.takeDatagrams()) to.receive(d.data, addr);
      }
      for (const h of [a, b]) while (h.service(t)) {}
    }
  };
  const ap = a.connect(B, 4, 0)!;
  pump(5);
  const bp = b.peers.find((p) => p.state === PeerState.CONNECTED)!;
  assert.equal(ap.state, PeerState.CONNECTED);
  assert.ok(bp);
  return { a, b, ap, bp, pump, now: () => t };
}

/** Flushes `host` and returns the commands of every datagram it produced. */
function sent(host: Host, now: number): Command[][] {
  host.flush(now);
  return host.takeDatagrams().map((d) => {
    const dd = decodeDatagram(d.data, host.checksumEnabled);
    assert.ok(dd && dd.complete);
    return dd.commands;
  });
}

test('reliable fragmentation: MTU − 28 bytes per fragment (− 4 more with checksums), own sequence numbers', () => {
  for (const checksum of [false, true]) {
    const { a, ap, now } = pair({ checksum }, { checksum });
    sent(a, now());
    ap.send(1, new Uint8Array(3000).fill(9), PacketFlag.RELIABLE);
    const cmds = sent(a, now()).flat();
    const size = checksum ? 1368 : 1372;
    assert.deepEqual(
      cmds.map((c) => (c.type === ProtocolCommand.SEND_FRAGMENT ? [c.reliableSequenceNumber, c.startSequenceNumber, c.fragmentNumber, c.fragmentCount, c.fragmentOffset, c.data.length, c.totalLength] : c.type)),
      [
        [1, 1, 0, 3, 0, size, 3000],
        [2, 1, 1, 3, size, size, 3000],
        [3, 1, 2, 3, 2 * size, 3000 - 2 * size, 3000],
      ],
      `checksum ${String(checksum)}`,
    );
    assert.equal(ap.channels[1]!.outgoingReliableSequenceNumber, 3);
  }
});

test('datagrams never exceed the MTU nor 32 commands, with or without checksums', () => {
  for (const checksum of [false, true]) {
    const { a, ap, now } = pair({ checksum, mtu: 600 }, { checksum, mtu: 600 });
    sent(a, now());
    for (let i = 0; i < 300; i++) ap.send(i % 3, new Uint8Array(1 + ((i * 37) % 900)), [0, PacketFlag.RELIABLE, PacketFlag.UNSEQUENCED][i % 3]!);
    a.flush(now());
    const datagrams = a.takeDatagrams();
    assert.ok(datagrams.length > 10);
    for (const d of datagrams) {
      assert.ok(d.data.length <= 600, `${d.data.length} bytes`);
      assert.ok(decodeDatagram(d.data, checksum)!.commands.length <= 32);
    }
  }
});

test('unreliable numbering: per channel, reset by each reliable packet, which it follows', () => {
  const { a, ap, now } = pair();
  sent(a, now());
  ap.send(2, new Uint8Array(1), 0);
  ap.send(2, new Uint8Array(1), 0);
  ap.send(2, new Uint8Array(1), PacketFlag.RELIABLE);
  ap.send(2, new Uint8Array(1), 0);
  ap.send(3, new Uint8Array(1), 0);
  const cmds = sent(a, now()).flat();
  assert.deepEqual(
    cmds.map((c) => [c.type, c.channelID, c.reliableSequenceNumber, c.type === ProtocolCommand.SEND_UNRELIABLE ? c.unreliableSequenceNumber : -1]),
    [
      [ProtocolCommand.SEND_UNRELIABLE, 2, 0, 1],
      [ProtocolCommand.SEND_UNRELIABLE, 2, 0, 2],
      [ProtocolCommand.SEND_RELIABLE, 2, 1, -1],
      [ProtocolCommand.SEND_UNRELIABLE, 2, 1, 1],
      [ProtocolCommand.SEND_UNRELIABLE, 3, 0, 1],
    ],
  );
});

test('unsequenced groups count per peer across channels; sequence 0xFFFF falls back to reliable', () => {
  const { a, ap, now } = pair();
  sent(a, now());
  ap.send(0, new Uint8Array(1), PacketFlag.UNSEQUENCED);
  ap.send(3, new Uint8Array(1), PacketFlag.UNSEQUENCED);
  ap.send(1, new Uint8Array(1), PacketFlag.UNSEQUENCED | PacketFlag.RELIABLE);
  ap.channels[2]!.outgoingUnreliableSequenceNumber = 0xffff;
  ap.send(2, new Uint8Array(1), 0);
  const cmds = sent(a, now()).flat();
  assert.deepEqual(
    cmds.map((c) => [c.type, c.type === ProtocolCommand.SEND_UNSEQUENCED ? c.unsequencedGroup : c.reliableSequenceNumber]),
    [
      [ProtocolCommand.SEND_UNSEQUENCED, 1],
      [ProtocolCommand.SEND_UNSEQUENCED, 2],
      [ProtocolCommand.SEND_RELIABLE, 1], // RELIABLE wins over UNSEQUENCED
      [ProtocolCommand.SEND_RELIABLE, 1], // unreliable numbers exhausted on channel 2
    ],
  );
});

test('UNRELIABLE_FRAGMENT: fragments share one reliable and one unreliable number', () => {
  const { a, ap, now } = pair();
  sent(a, now());
  ap.send(1, new Uint8Array(1), PacketFlag.RELIABLE);
  ap.send(1, new Uint8Array(4000), PacketFlag.UNRELIABLE_FRAGMENT);
  ap.send(1, new Uint8Array(4000), PacketFlag.UNRELIABLE_FRAGMENT | PacketFlag.RELIABLE);
  const cmds = sent(a, now()).flat();
  const uf = cmds.filter((c) => c.type === ProtocolCommand.SEND_UNRELIABLE_FRAGMENT);
  assert.equal(uf.length, 3);
  for (const c of uf) {
    assert.ok(c.type === ProtocolCommand.SEND_UNRELIABLE_FRAGMENT);
    assert.equal(c.reliableSequenceNumber, 1);
    assert.equal(c.startSequenceNumber, 1);
    assert.equal(c.flags & COMMAND_FLAG_ACKNOWLEDGE, 0);
  }
  assert.equal(cmds.filter((c) => c.type === ProtocolCommand.SEND_FRAGMENT).length, 3, 'with RELIABLE: reliable fragments');
});

test('send errors: not connected, bad channel, over the size limit', () => {
  const { a, ap } = pair({ maximumPacketSize: 1000 });
  assert.equal(ap.send(4, new Uint8Array(1)), Error.ERR_INVALID_PARAMETER);
  assert.equal(ap.send(-1, new Uint8Array(1)), Error.ERR_INVALID_PARAMETER);
  assert.equal(ap.send(0.5, new Uint8Array(1)), Error.ERR_INVALID_PARAMETER);
  assert.equal(ap.send(0, new Uint8Array(1001)), Error.ERR_PARAMETER_RANGE_ERROR);
  assert.equal(a.broadcast(0, new Uint8Array(1001)), Error.ERR_PARAMETER_RANGE_ERROR);
  assert.equal(ap.send(0, new Uint8Array(1000)), Error.OK);
  ap.disconnectNow(0);
  assert.equal(ap.send(0, new Uint8Array(1)), Error.ERR_UNCONFIGURED);
  assert.equal(a.peers[1]!.send(0, new Uint8Array(1)), Error.ERR_UNCONFIGURED);
});

test('received packets carry the sender bytes (copy vs NO_ALLOCATE)', () => {
  const { ap, b, pump } = pair();
  const events: Array<number[]> = [];
  const data = new Uint8Array([1, 2, 3]);
  ap.send(0, data, PacketFlag.RELIABLE);
  data[0] = 99;
  const shared = new Uint8Array([4, 5, 6]);
  ap.send(0, shared, PacketFlag.RELIABLE | PacketFlag.NO_ALLOCATE);
  shared[0] = 7;
  let t = 2000;
  ap.host.flush(t);
  for (const d of ap.host.takeDatagrams()) b.receive(d.data, { address: 'a', port: 1 });
  for (let e = b.service(++t); e; e = b.service(t)) if (e.type === EventType.RECEIVE) events.push([...e.packet.data]);
  pump(1);
  assert.deepEqual(events, [
    [1, 2, 3],
    [7, 5, 6],
  ]);
});

test('the unreliable throttle drops unreliable packets (whole, with their fragments), never reliable ones', () => {
  const { a, ap, now } = pair();
  sent(a, now());
  ap.packetThrottle = 0;
  for (let i = 0; i < 10; i++) ap.send(1, new Uint8Array(10), 0);
  ap.send(1, new Uint8Array(5000), PacketFlag.UNRELIABLE_FRAGMENT);
  ap.send(1, new Uint8Array(10), PacketFlag.UNSEQUENCED);
  ap.send(1, new Uint8Array(10), PacketFlag.RELIABLE);
  const cmds = sent(a, now()).flat();
  assert.deepEqual(
    cmds.map((c) => c.type),
    [ProtocolCommand.SEND_RELIABLE],
  );
  assert.equal(ap.outgoingCount, 0, 'dropped, not left behind');
  // At half throttle, the counter (stepping 7 modulo 32) lets about half through.
  ap.packetThrottle = 16;
  for (let i = 0; i < 64; i++) ap.send(2, new Uint8Array(10), 0);
  const n = sent(a, now()).flat().filter((c) => c.type === ProtocolCommand.SEND_UNRELIABLE).length;
  assert.ok(n >= 28 && n <= 36, `${n} of 64`);
});

test('throttle(): accelerates on a fast sample, decelerates on a slow one, within the limit', () => {
  const { ap } = pair();
  ap.lastRoundTripTime = 100;
  ap.lastRoundTripTimeVariance = 10;
  ap.packetThrottle = 20;
  ap.packetThrottleLimit = 32;
  assert.equal(ap.throttle(90), 1);
  assert.equal(ap.packetThrottle, 22);
  assert.equal(ap.throttle(110), 0, 'within twice the variance');
  assert.equal(ap.throttle(121), -1);
  assert.equal(ap.packetThrottle, 20);
  ap.packetThrottle = 1;
  ap.throttle(500);
  assert.equal(ap.packetThrottle, 0);
  ap.packetThrottle = 31;
  ap.throttle(1);
  assert.equal(ap.packetThrottle, 32, 'capped at the limit');
  ap.lastRoundTripTime = 5;
  ap.lastRoundTripTimeVariance = 10;
  ap.packetThrottle = 3;
  ap.throttle(1000);
  assert.equal(ap.packetThrottle, 32, 'no measurable variation: full throttle');
});

test('statistics() exposes ENet peer statistics', () => {
  const { ap, pump } = pair();
  for (let i = 0; i < 20; i++) {
    ap.send(0, new Uint8Array(10), PacketFlag.RELIABLE);
    pump(2);
  }
  const s = ap.statistics();
  assert.ok(s.roundTripTime >= 1 && s.roundTripTime <= 500);
  assert.equal(s.packetThrottleInterval, 5000);
  assert.equal(s.packetThrottleLimit, 32);
});

test('a long burst queued before any service leaves as queued: ENet numbering, payloads, order', () => {
  // Plain data commands wait as compact rows (outgoing-queue.ts), fragments as objects: this
  // checks the wire against a model of enet_peer_send's numbering over thousands of commands,
  // mixed kinds and channels, payload copies taken at send time, across queue growth.
  const { a, b, ap, now } = pair();
  sent(a, now());
  const fragmentLength = ap.mtu - HEADER_SIZE_FULL - COMMAND_SIZES[ProtocolCommand.SEND_FRAGMENT]!;
  type Sent = { channel: number; data: Uint8Array; reliable: boolean; wire: Array<number | string> };
  const sends: Sent[] = [];
  const byKey = new Map<string, number>(); // wire identity of a command → index in sends
  const rel = [0, 0, 0, 0];
  const unrel = [0, 0, 0, 0];
  let group = 0;
  for (let i = 0; i < 6000; i++) {
    const channel = (i * 7) % 4;
    const kind = i % 97 === 50 ? 'fragments' : i % 89 === 60 ? 'unreliable-fragments' : (['reliable', 'unreliable', 'unsequenced', 'reliable'] as const)[i % 4]!;
    const size = kind === 'fragments' || kind === 'unreliable-fragments' ? 3000 : 4 + ((i * 13) % 300);
    const data = new Uint8Array(size).fill(i & 0xff);
    new DataView(data.buffer).setUint32(0, i, true);
    const flags = { reliable: PacketFlag.RELIABLE, unreliable: 0, unsequenced: PacketFlag.UNSEQUENCED, fragments: PacketFlag.RELIABLE, 'unreliable-fragments': PacketFlag.UNRELIABLE_FRAGMENT }[kind];
    assert.equal(ap.send(channel, data, flags), Error.OK);
    sends.push({ channel, data: data.slice(), reliable: kind === 'reliable' || kind === 'fragments', wire: [] });
    data.fill(0xee); // the engine copied the payload at send time
    // ENet's numbering, by hand.
    if (kind === 'reliable') {
      rel[channel] = (rel[channel]! + 1) & 0xffff;
      unrel[channel] = 0;
      byKey.set(`${ProtocolCommand.SEND_RELIABLE}/${channel}/${rel[channel]}`, i);
    } else if (kind === 'unreliable') {
      unrel[channel] = unrel[channel]! + 1;
      byKey.set(`${ProtocolCommand.SEND_UNRELIABLE}/${channel}/${rel[channel]}/${unrel[channel]}`, i);
    } else if (kind === 'unsequenced') {
      group++;
      byKey.set(`${ProtocolCommand.SEND_UNSEQUENCED}/${channel}/${group}`, i);
    } else if (kind === 'fragments') {
      byKey.set(`${ProtocolCommand.SEND_FRAGMENT}/${channel}/${rel[channel]! + 1}`, i);
      rel[channel] = rel[channel]! + Math.ceil(size / fragmentLength);
      unrel[channel] = 0;
    } else {
      unrel[channel] = unrel[channel]! + 1;
      byKey.set(`${ProtocolCommand.SEND_UNRELIABLE_FRAGMENT}/${channel}/${rel[channel]}/${unrel[channel]}`, i);
    }
  }
  const keyOf = (c: Command): string => {
    const f = c as unknown as Record<string, number>;
    if (c.type === ProtocolCommand.SEND_RELIABLE) return `${c.type}/${c.channelID}/${c.reliableSequenceNumber}`;
    if (c.type === ProtocolCommand.SEND_UNRELIABLE) return `${c.type}/${c.channelID}/${c.reliableSequenceNumber}/${f['unreliableSequenceNumber']}`;
    if (c.type === ProtocolCommand.SEND_UNSEQUENCED) return `${c.type}/${c.channelID}/${f['unsequencedGroup']}`;
    if (c.type === ProtocolCommand.SEND_FRAGMENT) return `${c.type}/${c.channelID}/${f['startSequenceNumber']}`;
    return `${c.type}/${c.channelID}/${c.reliableSequenceNumber}/${f['startSequenceNumber']}`;
  };
  const firstSent: number[] = []; // send index of each data command's first transmission
  const received: Array<Array<Uint8Array>> = [[], [], [], []];
  let t = now();
  let first: number[] | null = null;
  for (let round = 0; round < 20_000 && !(ap.outgoingCount === 0 && ap.sentReliable.isEmpty()); round++) {
    t++;
    while (a.service(t)) {}
    for (const d of a.takeDatagrams()) {
      const dd = decodeDatagram(d.data, false);
      assert.ok(dd && dd.complete);
      const indices: number[] = [];
      for (const c of dd.commands) {
        if (c.type < ProtocolCommand.SEND_RELIABLE || c.type === ProtocolCommand.BANDWIDTH_LIMIT || c.type === ProtocolCommand.THROTTLE_CONFIGURE) continue;
        const i = byKey.get(keyOf(c));
        assert.ok(i !== undefined, `command ${keyOf(c)} numbered as ENet would`);
        const fragmentNumber = (c as unknown as Record<string, number>)['fragmentNumber'] ?? 0;
        if (fragmentNumber === 0) {
          indices.push(i);
          firstSent.push(i);
        }
        if ('data' in c && c.data instanceof Uint8Array && fragmentNumber === 0 && c.type !== ProtocolCommand.SEND_FRAGMENT && c.type !== ProtocolCommand.SEND_UNRELIABLE_FRAGMENT) {
          assert.deepEqual(c.data, sends[i]!.data, `payload of send ${i}`);
        }
      }
      if (indices.length > 0) first ??= indices;
      b.receive(d.data, { address: 'a', port: 1 });
    }
    for (let e = b.service(t); e; e = b.service(t)) {
      if (e.type === EventType.RECEIVE) received[e.channelID]!.push(e.packet.data.slice());
    }
    for (const d of b.takeDatagrams()) a.receive(d.data, { address: 'b', port: 2 });
  }
  assert.equal(ap.outgoingCount, 0, 'everything sent and acknowledged');
  assert.deepEqual(first, Array.from({ length: first!.length }, (_, k) => k), 'the first datagram: the first sends, in send order');
  assert.ok(first!.length > 5);
  assert.equal(new Set(firstSent).size, sends.length, 'every send on the wire once (no loss: no resends)');
  // Within each queue (reliable; unreliable and unsequenced) commands leave in send order.
  const reliableOrder = firstSent.filter((i) => sends[i]!.reliable);
  const otherOrder = firstSent.filter((i) => !sends[i]!.reliable);
  assert.deepEqual(reliableOrder, [...reliableOrder].sort((x, y) => x - y));
  assert.deepEqual(otherOrder, [...otherOrder].sort((x, y) => x - y));
  // The receiver got every reliable packet in order per channel, every packet intact.
  for (let ch = 0; ch < 4; ch++) {
    const expectedReliable = sends.filter((s) => s.channel === ch && s.reliable).map((s) => s.data);
    const gotReliable = received[ch]!.filter((p) => sends[new DataView(p.buffer, p.byteOffset).getUint32(0, true)]!.reliable);
    assert.deepEqual(gotReliable, expectedReliable, `channel ${ch}`);
    for (const p of received[ch]!) assert.deepEqual(p, sends[new DataView(p.buffer, p.byteOffset).getUint32(0, true)]!.data);
  }
});

test('a command acknowledged while waiting to be resent is skipped, and new rows in flight beside it are not confused with it', () => {
  // A row that times out becomes an object in the resend queue (sent-queue.ts); one
  // acknowledged while it waits there is still referenced there.
  const { a, b, ap, bp, now } = pair();
  sent(a, now());
  let t = now();
  const A = { address: 'a', port: 1 };
  const B = { address: 'b', port: 2 };
  for (let n = 0; n < 20; n++) ap.send(0, new Uint8Array(500).fill(n), PacketFlag.RELIABLE);
  a.flush(t);
  const originals = a.takeDatagrams(); // held back: they arrive late
  assert.equal(ap.sentReliable.length, 20);
  // Every command times out; a window of one MTU lets only some go out again at once.
  t += 1000;
  ap.packetThrottle = 0;
  while (a.service(t)) {}
  const firstResends = a.takeDatagrams();
  assert.ok(ap.resendQueue.length > 0, 'some wait in the resend queue');
  // The originals arrive after all: everything is acknowledged, the waiting ones included.
  const got: number[] = [];
  const deliver = (): void => {
    for (let e = b.service(t); e; e = b.service(t)) if (e.type === EventType.RECEIVE) got.push(e.packet.data[0]!);
  };
  for (const d of originals) b.receive(d.data, A);
  t++;
  deliver();
  for (const d of b.takeDatagrams()) a.receive(d.data, B);
  while (a.service(t)) {}
  assert.ok([...ap.sentObjects.values()].every((c) => c.channelID === 0xff), 'every resent packet acknowledged (a ping may be in flight)');
  assert.ok(ap.sentReliable.liveKeys().every(([channel]) => channel === 0xff), 'nothing of channel 0 in flight');
  // New packets: rows again, in flight beside what the resend queue may still hold.
  for (let n = 20; n < 40; n++) ap.send(0, new Uint8Array(500).fill(n), PacketFlag.RELIABLE);
  ap.packetThrottle = 32;
  for (const d of firstResends) b.receive(d.data, A); // duplicates by now
  for (let round = 0; round < 200; round++) {
    t++;
    while (a.service(t)) {}
    for (const d of a.takeDatagrams()) b.receive(d.data, A);
    deliver();
    for (const d of b.takeDatagrams()) a.receive(d.data, B);
  }
  assert.deepEqual(got, Array.from({ length: 40 }, (_, n) => n), 'each packet once, in order');
  assert.equal(ap.resendQueue.length, 0);
  assert.equal(ap.sentReliable.length, 0);
  assert.equal(ap.outgoingCount, 0);
  assert.equal(bp.state, PeerState.CONNECTED);
});

test('sendShared queues a range of a shared buffer where it is: small messages and fragmented ones arrive intact, in order', () => {
  const { a, b, ap, bp, now } = pair();
  const slab = new Uint8Array(8192);
  for (let i = 0; i < slab.length; i++) slab[i] = (i * 37 + 11) & 0xff;
  // Messages at odd offsets of one buffer (one of them fragmented), interleaved with ordinary sends.
  const ranges: Array<[number, number]> = [[5, 64], [69, 1], [70, 0], [100, 3000], [3100, 200]];
  const expected: Uint8Array[] = [];
  for (const [offset, length] of ranges) {
    assert.equal(ap.sendShared(1, slab, offset, length, PacketFlag.RELIABLE), Error.OK);
    expected.push(slab.slice(offset, offset + length));
    const own = new Uint8Array(10).fill(length & 0xff);
    ap.send(1, own, PacketFlag.RELIABLE);
    expected.push(own.slice());
  }
  assert.equal(ap.sendShared(9, slab, 0, 4, 0), Error.ERR_INVALID_PARAMETER, 'a channel the peer does not have');
  const got: Uint8Array[] = [];
  let t = now();
  for (let round = 0; round < 50 && got.length < expected.length; round++) {
    t++;
    while (a.service(t)) {}
    for (const d of a.takeDatagrams()) b.receive(d.data, { address: 'a', port: 1 });
    for (let e = b.service(t); e; e = b.service(t)) if (e.type === EventType.RECEIVE) got.push(e.packet.data.slice());
    for (const d of b.takeDatagrams()) a.receive(d.data, { address: 'b', port: 2 });
  }
  assert.deepEqual(got, expected);
  assert.ok(a.peers.includes(ap) && bp.state === PeerState.CONNECTED);
});

/** Reliable data commands (SEND_RELIABLE) in what `host` sends now, over several flushes. */
function reliableSent(host: Host, now: number): number {
  let n = 0;
  for (let round = 0; round < 5000; round++) {
    const datagrams = sent(host, now);
    if (datagrams.length === 0) return n;
    for (const d of datagrams) n += d.filter((c) => c.type === ProtocolCommand.SEND_RELIABLE).length;
  }
  return n;
}

test('plain reliable messages stop at the window: payload in flight ≤ max(window × throttle, MTU), with or without other traffic queued', () => {
  for (const mixed of [false, true]) {
    const { a, ap, now } = pair();
    sent(a, now());
    ap.windowSize = 4096;
    for (let n = 0; n < 200; n++) {
      ap.send(1, new Uint8Array(64).fill(n), PacketFlag.RELIABLE);
      // An unreliable message now and then: the send loop's general path instead of the rows'.
      if (mixed && n % 10 === 0) ap.send(2, Uint8Array.of(n), 0);
    }
    // No acknowledgement comes back: what leaves is what the window allows, 4096 / 64.
    assert.equal(reliableSent(a, now()), 64, mixed ? 'mixed traffic' : 'reliable rows only');
    assert.equal(ap.reliableDataInTransit, 4096);
    ap.packetThrottle = 8; // a quarter of the window, but never less than one MTU
    ap.windowSize = 4096;
    assert.equal(ap.reliableDataInTransit <= Math.max((4096 * 8) / 32, ap.mtu), false, 'already past the throttled window');
    assert.equal(reliableSent(a, now()), 0, 'nothing more while past it');
  }
});

test('the reliable-window wrap guard: a window may not start while the one before it is full in flight (zero-length messages, no acknowledgements)', () => {
  const { a, ap, now } = pair();
  sent(a, now());
  for (let n = 0; n < 30_000; n++) ap.send(1, new Uint8Array(0), PacketFlag.RELIABLE);
  // Sequence numbers 1 … 8191 fill windows 0 and 1 (window 1 with all its 4096 numbers);
  // 8192 would open window 2 while window 1 is full and unacknowledged: ENet stops there.
  assert.equal(reliableSent(a, now()), 8191);
  assert.equal(ap.outgoingCount, 30_000 - 8191);
});

test('a reliable message that passed the window but not the datagram still keeps the idle ping out (as ENet)', () => {
  for (const mixed of [false, true]) {
    const { a, b, ap, bp, now } = pair();
    const t = now() + 1;
    assert.ok(bp.sentReliable.isEmpty());
    // b receives 3 reliable messages and answers the first with a message just too long to go
    // beside the 3 acknowledgements (still one command: not fragmented).
    for (let n = 0; n < 3; n++) ap.send(1, Uint8Array.of(n), PacketFlag.RELIABLE);
    a.flush(t);
    for (const d of a.takeDatagrams()) b.receive(d.data, { address: 'a', port: 1 });
    b.deferAcknowledgements = true; // the acknowledgements wait for the answer (event-driven mode)
    assert.equal(b.service(t)?.type, EventType.RECEIVE);
    // With an unreliable message first, the send loop's general path decides instead of the rows'.
    if (mixed) bp.send(2, Uint8Array.of(1), 0);
    bp.send(1, new Uint8Array(bp.mtu - 30 - (mixed ? 7 : 0)).fill(7), PacketFlag.RELIABLE);
    bp.pingInterval = 0; // an idle ping would be due at once
    while (b.service(t)) {}
    const datagrams = b.takeDatagrams().map((d) => decodeDatagram(d.data, false)!.commands.map((c) => c.type));
    const acks = [ProtocolCommand.ACKNOWLEDGE, ProtocolCommand.ACKNOWLEDGE, ProtocolCommand.ACKNOWLEDGE];
    assert.deepEqual(datagrams, [
      mixed ? [...acks, ProtocolCommand.SEND_UNRELIABLE] : acks,
      [ProtocolCommand.SEND_RELIABLE],
    ], `no ping while reliable data waits for room${mixed ? ' (general path)' : ''}`);
  }
});
