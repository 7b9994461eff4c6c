/**
 * Host.deferAcknowledgements (set by the socket driver, polled or event-driven): acknowledgements
 * of a received datagram wait until its events have been taken, then leave with the answer in
 * one datagram — or at the first service() a millisecond later, or at flush().
 * Off (the default, ENet's order): the acknowledgement leaves before the event is handed out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFER_ACKNOWLEDGEMENTS_MAX_DATAGRAMS, Host } from '../../src/enet/host.js';
import { ProtocolCommand } from '../../src/enet/protocol.js';
import { EventType, PacketFlag, PeerState, type Address, type Datagram } from '../../src/enet/types.js';
import { decodeDatagram } from '../../src/enet/wire-decode.js';

const A: Address = { address: '10.0.0.1', port: 1 };
const B: Address = { address: '10.0.0.2', port: 2 };

function seeded(n: number): { u32(): number } {
  let s = n;
  return { u32: () => (s = (s * 1103515245 + 12345) >>> 0) };
}

/** A connected pair driven by hand: datagrams move only when `deliver` is called. */
function pair(): { a: Host; b: Host; deliver: (from: Host, to: Host) => Datagram[] } {
  const a = new Host({ random: seeded(1), peerCount: 1 });
  const b = new Host({ random: seeded(2), peerCount: 1 });
  const deliver = (from: Host, to: Host): Datagram[] => {
    const out = from.takeDatagrams();
    for (const d of out) to.receive(d.data, from === a ? A : B);
    return out;
  };
  const peer = a.connect(B, 2, 0)!;
  for (let t = 1; t < 100 && peer.state !== PeerState.CONNECTED; t++) {
    while (a.service(t));
    deliver(a, b);
    while (b.service(t));
    deliver(b, a);
  }
  assert.equal(peer.state, PeerState.CONNECTED);
  while (b.service(100));
  b.takeDatagrams();
  return { a, b, deliver };
}

/** A pair whose `b` defers acknowledgements and has just received 3 reliable packets (time 300). */
function threeDelivered(): ReturnType<typeof pair> {
  const p = pair();
  p.b.deferAcknowledgements = true;
  for (let i = 0; i < 3; i++) p.a.peers[0]!.send(1, new Uint8Array([i]), PacketFlag.RELIABLE);
  while (p.a.service(300));
  p.deliver(p.a, p.b);
  return p;
}

function commandTypes(d: Datagram): ProtocolCommand[] {
  return decodeDatagram(d.data)!.commands.map((c) => c.type);
}

for (const defer of [false, true]) {
  test(`a request answered from its RECEIVE event: ${defer ? 'one datagram (ACK + answer)' : 'ENet order, ACK first'}`, () => {
    const { a, b, deliver } = pair();
    b.deferAcknowledgements = defer;
    a.peers[0]!.send(0, new Uint8Array([1]), PacketFlag.RELIABLE);
    while (a.service(200));
    deliver(a, b);
    const e = b.service(201);
    assert.equal(e?.type, EventType.RECEIVE);
    const before = b.takeDatagrams();
    assert.equal(before.length, defer ? 0 : 1, 'datagrams sent before the event was handled');
    e!.peer.send(0, new Uint8Array([2]), PacketFlag.RELIABLE);
    assert.equal(b.service(201), null);
    const after = b.takeDatagrams();
    if (defer) {
      assert.equal(after.length, 1);
      assert.deepEqual(commandTypes(after[0]!), [ProtocolCommand.ACKNOWLEDGE, ProtocolCommand.SEND_RELIABLE]);
    } else {
      assert.deepEqual(commandTypes(before[0]!), [ProtocolCommand.ACKNOWLEDGE]);
      assert.deepEqual(after.map(commandTypes), [[ProtocolCommand.SEND_RELIABLE]]);
    }
  });
}

test('deferred acknowledgements still leave when nobody answers, once the events are taken', () => {
  const { a, b } = threeDelivered();
  const events = [];
  for (let e = b.service(301); e; e = b.service(301)) events.push(e);
  assert.equal(events.length, 3);
  const out = b.takeDatagrams();
  assert.equal(out.length, 1);
  assert.deepEqual(commandTypes(out[0]!), [ProtocolCommand.ACKNOWLEDGE, ProtocolCommand.ACKNOWLEDGE, ProtocolCommand.ACKNOWLEDGE]);
  for (const d of out) a.receive(d.data, B);
  while (a.service(302));
  assert.equal(a.peers[0]!.sentReliable.isEmpty(), true, 'the sender saw every acknowledgement');
});

test('events left queued: their acknowledgements leave at the first service() a millisecond later, before the next event; flush() sends them at once', () => {
  const { a, b, deliver } = threeDelivered();
  assert.equal(b.service(301)?.type, EventType.RECEIVE);
  assert.equal(b.service(301)?.type, EventType.RECEIVE);
  assert.equal(b.takeDatagrams().length, 0, 'same millisecond: deferred');
  assert.equal(b.service(302)?.type, EventType.RECEIVE, 'a millisecond later the last event is still handed out');
  const late = b.takeDatagrams();
  assert.deepEqual(late.map(commandTypes), [[ProtocolCommand.ACKNOWLEDGE, ProtocolCommand.ACKNOWLEDGE, ProtocolCommand.ACKNOWLEDGE]]);
  assert.equal(b.service(302), null);
  assert.equal(b.takeDatagrams().length, 0, 'acknowledged once');

  for (let i = 0; i < 2; i++) a.peers[0]!.send(1, new Uint8Array([i]), PacketFlag.RELIABLE);
  while (a.service(303));
  deliver(a, b);
  assert.equal(b.service(303)?.type, EventType.RECEIVE);
  b.flush(303);
  assert.deepEqual(b.takeDatagrams().map(commandTypes), [[ProtocolCommand.ACKNOWLEDGE, ProtocolCommand.ACKNOWLEDGE]]);
});

test('a burst of datagrams is acknowledged at once, before its events are taken (bulk senders wait on it)', () => {
  const { a, b, deliver } = pair();
  b.deferAcknowledgements = true;
  // Each 1000-byte packet fills a datagram of its own: more datagrams than the deferral covers.
  const count = DEFER_ACKNOWLEDGEMENTS_MAX_DATAGRAMS + 4;
  for (let i = 0; i < count; i++) a.peers[0]!.send(1, new Uint8Array(1000).fill(i), PacketFlag.RELIABLE);
  while (a.service(400));
  assert.equal(deliver(a, b).length, count);
  const first = b.service(401);
  assert.equal(first?.type, EventType.RECEIVE);
  const acks = b.takeDatagrams();
  assert.ok(acks.length >= 1, 'acknowledgements left before the first event was handled');
  assert.equal(acks.flatMap(commandTypes).filter((t) => t === ProtocolCommand.ACKNOWLEDGE).length, count);
  // And at most DEFER_ACKNOWLEDGEMENTS_MAX_DATAGRAMS datagrams are still deferred.
  const { a: a2, b: b2, deliver: deliver2 } = pair();
  b2.deferAcknowledgements = true;
  for (let i = 0; i < DEFER_ACKNOWLEDGEMENTS_MAX_DATAGRAMS; i++) a2.peers[0]!.send(1, new Uint8Array(1000).fill(i), PacketFlag.RELIABLE);
  while (a2.service(400));
  assert.equal(deliver2(a2, b2).length, DEFER_ACKNOWLEDGEMENTS_MAX_DATAGRAMS);
  assert.equal(b2.service(401)?.type, EventType.RECEIVE);
  assert.equal(b2.takeDatagrams().length, 0, 'a small batch still waits for the answers');
});

test('with flushSends, a long burst is handled in chunks of 16 datagrams, each chunk acknowledged and flushed before the next', () => {
  for (const flushing of [false, true]) {
    const { a, b, deliver } = pair();
    const flushes: number[] = []; // datagrams b had produced at each flush
    b.flushSends = flushing ? () => flushes.push(b.totalSentPackets) : null;
    for (let i = 0; i < 40; i++) a.peers[0]!.send(0, new Uint8Array(1000), PacketFlag.RELIABLE);
    while (a.service(200));
    assert.equal(deliver(a, b).length, 40, 'one datagram per 1000-byte packet');
    const sentBefore = b.totalSentPackets;
    const e = b.service(201);
    assert.equal(e?.type, EventType.RECEIVE);
    assert.equal(b.totalReceivedPackets >= 40, true, 'the whole burst handled in one service');
    if (!flushing) {
      assert.deepEqual(flushes, []);
      continue;
    }
    // After 16 and 32 datagrams (not after the last chunk: nothing waits behind it).
    assert.equal(flushes.length, 2);
    assert.ok(flushes[0]! > sentBefore && flushes[1]! > flushes[0]!, `acknowledgements before each flush: ${flushes}`);
    const acked = b.takeDatagrams().flatMap((d) => decodeDatagram(d.data)!.commands)
      .filter((c) => c.type === ProtocolCommand.ACKNOWLEDGE).length;
    assert.equal(acked, 40, 'every packet acknowledged once');
  }
});

/** A server host `b` with `n` client hosts connected, datagrams moved by hand. */
function star(n: number): { clients: Host[]; b: Host; toServer: () => number; toClients: () => Datagram[] } {
  const b = new Host({ random: seeded(99), peerCount: n });
  const clients = Array.from({ length: n }, (_, i) => new Host({ random: seeded(i + 1), peerCount: 1 }));
  const addr = (i: number): Address => ({ address: '10.0.1.1', port: 100 + i });
  const toServer = (): number => {
    let moved = 0;
    clients.forEach((c, i) => { for (const d of c.takeDatagrams()) { b.receive(d.data, addr(i)); moved++; } });
    return moved;
  };
  const toClients = (): Datagram[] => {
    const out = b.takeDatagrams();
    for (const d of out) clients[d.address.port - 100]!.receive(d.data, B);
    return out;
  };
  const peers = clients.map((c) => c.connect(B, 2, 0)!);
  for (let t = 1; t < 100 && peers.some((p) => p.state !== PeerState.CONNECTED); t++) {
    for (const c of clients) while (c.service(t));
    toServer();
    while (b.service(t));
    toClients();
  }
  assert.ok(peers.every((p) => p.state === PeerState.CONNECTED));
  while (b.service(100));
  b.takeDatagrams();
  return { clients, b, toServer, toClients };
}

test('many peers with one datagram each are not a burst: a relay frame\'s acknowledgements ride with the relayed packets', () => {
  const n = DEFER_ACKNOWLEDGEMENTS_MAX_DATAGRAMS * 2 + 4; // more datagrams than the per-peer bound, and than a 16-datagram chunk
  for (const flushing of [false, true]) {
    const { clients, b, toServer, toClients } = star(n);
    b.deferAcknowledgements = true;
    const flushes: number[] = [];
    b.flushSends = flushing ? () => flushes.push(b.totalSentPackets) : null;
    for (const c of clients) c.peers[0]!.send(0, new Uint8Array([7]), PacketFlag.RELIABLE);
    for (const c of clients) while (c.service(200));
    assert.equal(toServer(), n, 'one datagram from each client');
    // The relay: every packet goes to every other client, queued from the RECEIVE events.
    let events = 0;
    for (let e = b.service(201); e; e = b.service(201)) {
      if (events === 0) assert.equal(b.takeDatagrams().length, 0, 'nothing sent before the first event was handled');
      events++;
      assert.equal(e.type, EventType.RECEIVE);
      if (e.type !== EventType.RECEIVE) break;
      for (const p of b.peers) if (p !== e.peer && p.state === PeerState.CONNECTED) p.send(0, e.packet.data, PacketFlag.RELIABLE);
    }
    assert.equal(events, n);
    assert.deepEqual(flushes, [], 'no mid-receive flush without a bulk sender');
    const out = toClients();
    assert.equal(out.length, n, 'one datagram per client');
    for (const d of out) {
      const types = commandTypes(d);
      assert.equal(types[0], ProtocolCommand.ACKNOWLEDGE, 'the acknowledgement of its own packet');
      assert.equal(types.filter((t) => t === ProtocolCommand.ACKNOWLEDGE).length, 1);
      assert.equal(types.filter((t) => t === ProtocolCommand.SEND_RELIABLE).length, n - 1);
    }
  }
});

test('one bulk peer among many: the step is acknowledged at once', () => {
  const { clients, b, toServer } = star(4);
  b.deferAcknowledgements = true;
  for (let i = 0; i < DEFER_ACKNOWLEDGEMENTS_MAX_DATAGRAMS + 1; i++) clients[0]!.peers[0]!.send(1, new Uint8Array(1000).fill(i), PacketFlag.RELIABLE);
  for (const c of clients.slice(1)) c.peers[0]!.send(0, new Uint8Array([1]), PacketFlag.RELIABLE);
  for (const c of clients) while (c.service(200));
  assert.equal(toServer(), DEFER_ACKNOWLEDGEMENTS_MAX_DATAGRAMS + 4);
  assert.equal(b.service(201)?.type, EventType.RECEIVE);
  const acks = b.takeDatagrams().flatMap(commandTypes).filter((t) => t === ProtocolCommand.ACKNOWLEDGE).length;
  assert.equal(acks, DEFER_ACKNOWLEDGEMENTS_MAX_DATAGRAMS + 4, 'every packet acknowledged before the first event was handled');
});

test('the late-acknowledgement bound is a whole millisecond of the clock, not the next tick of a millisecond counter', () => {
  const { b } = threeDelivered();
  assert.equal(b.service(301.9)?.type, EventType.RECEIVE);
  assert.equal(b.service(302.1)?.type, EventType.RECEIVE, 'a new tick, 0.2 ms later');
  assert.equal(b.takeDatagrams().length, 0, 'still deferred: not a whole millisecond');
  assert.equal(b.service(302.95)?.type, EventType.RECEIVE);
  assert.deepEqual(b.takeDatagrams().map(commandTypes), [[ProtocolCommand.ACKNOWLEDGE, ProtocolCommand.ACKNOWLEDGE, ProtocolCommand.ACKNOWLEDGE]]);
});

test('waiting datagrams are read before queued sends leave: the answers join the same datagram (held at most a millisecond)', () => {
  for (const waitMs of [0.5, 1]) {
    const { a, b, deliver } = pair();
    b.deferAcknowledgements = true;
    const toA = b.peers[0]!;
    toA.send(0, new Uint8Array([9]), PacketFlag.RELIABLE); // queued before the poll, not yet sent
    a.peers[0]!.send(0, new Uint8Array([1]), PacketFlag.RELIABLE);
    while (a.service(200));
    deliver(a, b); // waits in b's inbound
    b.service(201); // reads first: the RECEIVE comes out, nothing is sent yet
    assert.equal(b.takeDatagrams().length, 0, 'the queued packet waited for the read');
    toA.send(0, new Uint8Array([2]), PacketFlag.RELIABLE); // the answer
    // Another datagram arrives before the next service: held again while under a millisecond.
    a.peers[0]!.send(0, new Uint8Array([3]), PacketFlag.RELIABLE);
    while (a.service(201));
    deliver(a, b);
    const e = b.service(201 + waitMs);
    const out = b.takeDatagrams();
    if (waitMs < 1) {
      assert.equal(e?.type, EventType.RECEIVE);
      assert.equal(out.length, 0, 'held: datagrams still waited');
      assert.equal(b.service(201 + waitMs), null);
      const all = b.takeDatagrams();
      assert.equal(all.length, 1, 'one datagram for the poll');
      assert.deepEqual(commandTypes(all[0]!), [
        ProtocolCommand.ACKNOWLEDGE, ProtocolCommand.ACKNOWLEDGE, ProtocolCommand.SEND_RELIABLE, ProtocolCommand.SEND_RELIABLE,
      ]);
    } else {
      assert.ok(out.length >= 1, 'a millisecond later the held sends leave before the read');
      assert.equal(commandTypes(out[0]!).filter((t) => t === ProtocolCommand.SEND_RELIABLE).length, 2);
    }
  }
});

test('without deferAcknowledgements (the engine default) the queued sends leave first, as in ENet', () => {
  const { a, b, deliver } = pair();
  b.peers[0]!.send(0, new Uint8Array([9]), PacketFlag.RELIABLE);
  a.peers[0]!.send(0, new Uint8Array([1]), PacketFlag.RELIABLE);
  while (a.service(200));
  deliver(a, b);
  assert.equal(b.service(201)?.type, EventType.RECEIVE);
  const out = b.takeDatagrams().map(commandTypes);
  assert.deepEqual(out[0], [ProtocolCommand.SEND_RELIABLE], 'the queued packet left before the read');
});

test('a steady stream of datagrams does not hold queued sends back for more than a millisecond', () => {
  const { a, b, deliver } = pair();
  b.deferAcknowledgements = true;
  b.peers[0]!.send(0, new Uint8Array([9]), PacketFlag.RELIABLE);
  let leftAt = -1;
  for (let i = 0, t = 201; i < 10 && leftAt < 0; i++, t += 0.3) {
    a.peers[0]!.send(0, new Uint8Array([i]), PacketFlag.RELIABLE);
    while (a.service(200 + i));
    deliver(a, b); // a new datagram every 0.3 ms, each with an event
    assert.equal(b.service(t)?.type, EventType.RECEIVE);
    if (b.takeDatagrams().some((d) => commandTypes(d).includes(ProtocolCommand.SEND_RELIABLE))) leftAt = t;
  }
  assert.ok(leftAt >= 202 && leftAt < 202.3, `the queued packet left at ${leftAt}, the first service a millisecond after it was first held`);
});
