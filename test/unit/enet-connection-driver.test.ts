/**
 * src/modules/enet/enet-driver.ts: an engine Host on a memory-network socket — engine time
 * from the platform clock (32-bit wrap), the polled mode (no timers), the event-driven mode
 * (service on arrival, batched sends, exactly one timer at the engine's next deadline).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENetHostDriver } from '../../src/modules/enet/enet-driver.js';
import { EventType, PacketFlag, type HostEvent } from '../../src/enet/types.js';
import type { Peer } from '../../src/enet/peer.js';
import type { Platform, SocketError, Timers } from '../../src/platform/platform.js';
import { createTestPlatform, hostPlatform, type TestPlatform } from '../../src/platform/test-platform.js';
import type { MemorySocket } from '../../src/platform/memory-socket.js';
import { CountingTimers, NEAR_WRAP, flushMicrotasks, run } from '../helpers/enet-connection.js';

interface Node {
  driver: ENetHostDriver;
  timers: CountingTimers;
  events: HostEvent[];
  port: number;
}

async function node(base: TestPlatform, name: string, address: string, port = 0): Promise<Node> {
  const timers = new CountingTimers(base.clock);
  const platform: Platform = { ...hostPlatform(base, base.net.createHost(name, [address])), timers };
  const driver = new ENetHostDriver(platform, { peerCount: 4 });
  const sock = platform.network.createSocket('udp4');
  driver.adopt(sock);
  await sock.bind(port, '0.0.0.0');
  driver.bound(false);
  return { driver, timers, events: [], port: sock.localAddress()?.port ?? 0 };
}

const eventDriven = (n: Node): void => n.driver.setEventHandler((e) => n.events.push(e));

/** An event-driven client connected to an event-driven server (1 ms latency). */
async function connectedEventDriven(): Promise<{ base: TestPlatform; s: Node; c: Node; peer: Peer }> {
  const base = createTestPlatform({ start: NEAR_WRAP, conditions: { latency: 1 } });
  const s = await node(base, 's', '10.0.0.1', 5000);
  const c = await node(base, 'c', '10.0.0.2');
  eventDriven(s);
  eventDriven(c);
  const peer = c.driver.host.connect({ address: '10.0.0.1', port: 5000 }, 2, 0)!;
  c.driver.kick();
  await run(base, 100, () => s.events.length > 0);
  await run(base, 10);
  return { base, s, c, peer };
}

test('engine time is the platform clock modulo 2^32 (fraction kept), the engine counting whole ms', async () => {
  const base = createTestPlatform({ start: 2 ** 32 - 1.5 });
  const a = await node(base, 'a', '10.0.0.1');
  assert.equal(a.driver.now(), 2 ** 32 - 1.5);
  a.driver.flush();
  assert.equal(a.driver.host.serviceTime, 2 ** 32 - 2);
  base.clock.advance(2);
  assert.equal(a.driver.now(), 0.5);
  a.driver.flush();
  assert.equal(a.driver.host.serviceTime, 0);
  base.clock.advance(5.9);
  assert.ok(Math.abs(a.driver.now() - 6.4) < 1e-6, `${a.driver.now()}`);
  a.driver.flush();
  assert.equal(a.driver.host.serviceTime, 6);
});

test('polled: no timer is armed; datagrams wait for service()', async () => {
  const base = createTestPlatform({ start: NEAR_WRAP, conditions: { latency: 5 } });
  const s = await node(base, 's', '10.0.0.1', 5000);
  const c = await node(base, 'c', '10.0.0.2');
  c.driver.host.connect({ address: '10.0.0.1', port: 5000 }, 2, 1);
  c.driver.flush();
  await run(base, 100);
  assert.equal(s.timers.armed + c.timers.armed, 0);
  assert.equal(s.driver.host.totalReceivedPackets, 0, 'queued, not processed');
  const e = s.driver.service();
  assert.equal(e, null, 'the CONNECT is acknowledged; the event follows the client verification');
  assert.equal(s.driver.host.totalReceivedPackets, 1);
});

test('polled on a socket that pulls: datagrams stay in the socket until service() reads them; a waiter or the event-driven mode watches it again', async () => {
  const base = createTestPlatform({ start: NEAR_WRAP, conditions: { latency: 5 } });
  const s = await node(base, 's', '10.0.0.1', 5000);
  const c = await node(base, 'c', '10.0.0.2');
  const sock = (s.driver as unknown as { socket: MemorySocket }).socket;
  c.driver.host.connect({ address: '10.0.0.1', port: 5000 }, 2, 1);
  c.driver.flush();
  await run(base, 100);
  assert.equal(s.driver.host.inbound.length, 0, 'not even in the host: still in the socket');
  assert.equal(s.driver.service(), null);
  assert.equal(s.driver.host.totalReceivedPackets, 1, 'service() read and handled the CONNECT');
  await run(base, 20); // the VERIFY_CONNECT reaches the client's socket

  // While someone waits, arrivals are delivered (and wake the waiter); afterwards pulled again.
  let woke = false;
  const waited = s.driver.waitForActivity(1000).then(() => (woke = true));
  assert.equal(c.driver.service()?.type, EventType.CONNECT, 'the client read the VERIFY_CONNECT');
  c.driver.flush();
  await run(base, 100, () => woke);
  await waited;
  assert.ok(woke);
  assert.equal(s.driver.host.inbound.length, 1, 'delivered on arrival while waited on');
  c.driver.host.peers[0]!.ping();
  c.driver.flush();
  await run(base, 20);
  assert.equal(s.driver.host.inbound.length, 1, 'pulled again once nobody waits');
  while (s.driver.service()) { /* drains */ }
  assert.equal(s.driver.host.totalReceivedPackets, 3);

  // Event-driven: no service() calls, everything handled on arrival.
  eventDriven(s);
  c.driver.host.peers[0]!.send(0, Uint8Array.of(1, 2, 3), PacketFlag.RELIABLE);
  c.driver.flush();
  await run(base, 100, () => s.events.some((e) => e.type === EventType.RECEIVE));
  assert.ok(s.events.some((e) => e.type === EventType.RECEIVE), 'the event-driven driver watches the socket');
  assert.equal(sock.pullDrops, 0);
});

/** A polled client connected to a polled server on a pulling memory socket, and the server's peer. */
async function connectedPolled(): Promise<{ base: TestPlatform; s: Node; c: Node; peer: Peer; serverPeer: Peer }> {
  const base = createTestPlatform({ start: NEAR_WRAP, conditions: { latency: 1 } });
  const s = await node(base, 's', '10.0.0.1', 5000);
  const c = await node(base, 'c', '10.0.0.2');
  const peer = c.driver.host.connect({ address: '10.0.0.1', port: 5000 }, 2, 0)!;
  let serverPeer: Peer | null = null;
  for (let i = 0; i < 100 && (serverPeer === null || c.events.length === 0); i++) {
    for (let e = s.driver.service(); e; e = s.driver.service()) if (e.type === EventType.CONNECT) serverPeer = e.peer;
    for (let e = c.driver.service(); e; e = c.driver.service()) c.events.push(e);
    await run(base, 1);
  }
  assert.ok(serverPeer, 'connected');
  return { base, s, c, peer, serverPeer };
}

/** Logs the socket calls of a polled driver: 'send' (per datagram), 'flush' (flushNow), 'read' (receiveNow). */
function spySocket(n: Node): string[] {
  const log: string[] = [];
  const sock = (n.driver as unknown as { socket: MemorySocket & { flushNow?: () => void } }).socket;
  const send = sock.send.bind(sock);
  const read = sock.receiveNow.bind(sock);
  sock.send = (data, port, address) => { log.push('send'); send(data, port, address); };
  sock.receiveNow = () => { log.push('read'); return read(); };
  sock.flushNow = () => log.push('flush'); // a batching socket's (batched-socket.ts); memory sockets send at once
  return log;
}

test('polled: service() reads once nothing is queued, then sends and hands its datagrams to the kernel before it returns; an event\'s acknowledgement leaves with the answer', async () => {
  const { base, s, c, peer } = await connectedPolled();
  const log = spySocket(s);
  peer.send(0, Uint8Array.of(1), PacketFlag.RELIABLE);
  c.driver.flush();
  await run(base, 5);
  const e = s.driver.service();
  assert.equal(e?.type, EventType.RECEIVE);
  assert.deepEqual(log, ['flush', 'read'], 'read once; the acknowledgement waits for the answer');
  log.length = 0;
  const sent = s.driver.host.totalSentPackets;
  e!.peer.send(0, Uint8Array.of(2), PacketFlag.RELIABLE);
  assert.equal(s.driver.service(), null);
  assert.deepEqual(log, ['flush', 'read', 'send', 'flush'], 'read first (what arrived meanwhile shares the datagrams), then the answer reaches the kernel before the call returns');
  assert.equal(s.driver.host.totalSentPackets - sent, 1, 'acknowledgement and answer in one datagram');
  // flush() (enet_host_flush) hands its datagrams over too.
  log.length = 0;
  e!.peer.send(0, Uint8Array.of(3), PacketFlag.RELIABLE);
  s.driver.flush();
  assert.deepEqual(log, ['send', 'flush']);
});

test('polled: events left queued do not hold their acknowledgements past the next service() a millisecond later', async () => {
  const { base, s, c, peer } = await connectedPolled();
  const log = spySocket(s);
  for (let i = 0; i < 3; i++) peer.send(0, Uint8Array.of(i), PacketFlag.RELIABLE);
  c.driver.flush();
  await run(base, 5);
  assert.equal(s.driver.service()?.type, EventType.RECEIVE);
  assert.equal(s.driver.service()?.type, EventType.RECEIVE, 'same millisecond: still deferred');
  assert.deepEqual(log, ['flush', 'read', 'flush'], 'read once, nothing sent');
  base.clock.advance(1);
  assert.equal(s.driver.service()?.type, EventType.RECEIVE, 'the third event is still handed out');
  assert.deepEqual(log, ['flush', 'read', 'flush', 'flush', 'send'], 'the acknowledgements left first');
  await run(base, 5);
  while (c.driver.service()) { /* the client takes the acknowledgements */ }
  assert.equal(peer.sentReliable.isEmpty(), true, 'all three acknowledged');
});

test('event-driven: serviced on arrival, one timer re-armed to nextServiceDelay, none when idle', async () => {
  const base = createTestPlatform({ start: NEAR_WRAP, conditions: { latency: 5 } });
  const s = await node(base, 's', '10.0.0.1', 5000);
  const c = await node(base, 'c', '10.0.0.2');
  eventDriven(s);
  eventDriven(c);
  await flushMicrotasks();
  assert.equal(s.timers.pending + c.timers.pending, 0, 'no peer: no deadline, no timer');
  const peer = c.driver.host.connect({ address: '10.0.0.1', port: 5000 }, 2, 42);
  assert.ok(peer);
  c.driver.kick();
  await run(base, 100, () => s.events.length > 0 && c.events.length > 0);
  assert.equal(s.events[0]?.type, EventType.CONNECT);
  assert.equal(base.clock.now() - NEAR_WRAP, 15, 'three one-way trips: CONNECT, VERIFY, ACK — no polling delay');
  for (let i = 0; i < 20; i++) {
    await run(base, 137);
    for (const n of [s, c]) {
      assert.equal(n.timers.pending, 1, 'exactly one timer');
      const t = n.driver.timerState();
      const delay = n.driver.host.nextServiceDelay(n.driver.now());
      assert.ok(t.armed);
      assert.equal(t.due, Math.floor(base.clock.now()) + delay, 'due at the engine deadline');
    }
  }
  c.driver.setEventHandler(null);
  assert.equal(c.timers.pending, 0, 'leaving the mode clears the timer');
});

test('kick batches every send of one turn into one service; close() releases everything', async () => {
  const { base, s, c, peer } = await connectedEventDriven();
  const before = c.driver.host.totalSentPackets;
  for (let i = 0; i < 10; i++) {
    peer.send(1, new Uint8Array([i]), PacketFlag.RELIABLE);
    c.driver.kick();
  }
  await flushMicrotasks();
  assert.equal(c.driver.host.totalSentPackets - before, 1, 'ten packets, one datagram');
  await run(base, 10);
  assert.equal(s.events.filter((e) => e.type === EventType.RECEIVE).length, 10);

  let waited = false;
  void c.driver.waitForActivity(60_000).then(() => (waited = true));
  c.driver.close();
  await flushMicrotasks();
  assert.ok(waited, 'pending waits resolve on close');
  assert.equal(c.timers.pending, 0);
  assert.equal(c.driver.localAddress(), null);
  c.driver.kick();
  c.driver.flush();
  assert.equal(c.driver.service(), null);
});

test('a burst\'s acknowledgements leave before its events are handed out (flushNow); small batches wait for the answers', async () => {
  const { base, s, c, peer } = await connectedEventDriven();
  // A batching socket's flushNow(), spied: when it was called, how many events had been handed out.
  const flushes: number[] = [];
  const sock = (s.driver as unknown as { socket: { flushNow?: () => void } }).socket;
  sock.flushNow = () => flushes.push(s.events.length);
  // Two small packets: one datagram, acknowledged together with whatever the listener answers.
  peer.send(1, new Uint8Array(8), PacketFlag.RELIABLE);
  peer.send(1, new Uint8Array(8), PacketFlag.RELIABLE);
  c.driver.kick();
  await run(base, 10);
  assert.deepEqual(flushes, [], 'no early flush for a small batch');
  // A burst of 20 datagrams (1000 B each): the acknowledgements leave before the first event.
  const start = s.events.length;
  for (let i = 0; i < 20; i++) peer.send(1, new Uint8Array(1000), PacketFlag.RELIABLE);
  c.driver.kick();
  await run(base, 10, () => s.events.length >= start + 20);
  assert.equal(s.events.length, start + 20);
  assert.deepEqual(flushes, [start], 'one flush, before any event of the burst');
});

test('event-driven: a socket that receives in batches is pumped in a microtask after the batch; others at the next event-loop phase', async () => {
  for (const batches of [true, false]) {
    const { base, s, peer, c } = await connectedEventDriven();
    const sock = (s.driver as unknown as { socket: MemorySocket }).socket;
    Object.defineProperty(sock, 'receivesInBatches', { value: batches });
    // The event loop's check phase, held back: what is queued there runs only when released.
    const parked: Array<() => void> = [];
    (s.timers as Timers).setImmediate = (fn) => parked.push(fn);
    const start = s.events.length;
    peer.send(1, Uint8Array.of(7), PacketFlag.RELIABLE);
    c.driver.kick();
    await run(base, 5);
    const got = (): boolean => s.events.slice(start).some((e) => e.type === EventType.RECEIVE);
    assert.equal(got(), batches, batches ? 'handled in a microtask' : 'waits for the check phase');
    assert.equal(parked.length, batches ? 0 : 1);
    for (const fn of parked.splice(0)) fn();
    assert.ok(got());
  }
});

test('waitForActivity wakes on a datagram, a kick, or the deadline', async () => {
  const base = createTestPlatform({ start: NEAR_WRAP, conditions: { latency: 7 } });
  const s = await node(base, 's', '10.0.0.1', 5000);
  const c = await node(base, 'c', '10.0.0.2');
  let woke = -1;
  const t0 = base.clock.now();
  void s.driver.waitForActivity(1000).then(() => (woke = base.clock.now() - t0));
  c.driver.host.connect({ address: '10.0.0.1', port: 5000 }, 1, 0);
  c.driver.flush();
  await run(base, 1000, () => woke >= 0);
  assert.equal(woke, 7, 'the datagram woke it');
  let kicked = false;
  void s.driver.waitForActivity(1000).then(() => (kicked = true));
  s.driver.kick();
  await flushMicrotasks();
  assert.ok(kicked, 'a kick wakes polled waiters');
  const idle = await node(base, 'i', '10.0.0.3');
  const t1 = base.clock.now();
  let timedOut = -1;
  void idle.driver.waitForActivity(250).then(() => (timedOut = base.clock.now() - t1));
  await run(base, 1000, () => timedOut >= 0);
  assert.equal(timedOut, 250);
  assert.equal(idle.timers.pending, 0);
});

test('socket errors reach onSocketError', async () => {
  const base = createTestPlatform({ start: 0 });
  const a = await node(base, 'a', '10.0.0.1');
  const errors: SocketError[] = [];
  a.driver.onSocketError = (e) => errors.push(e);
  a.driver.sendRaw(new Uint8Array(70_000), '10.0.0.9', 1);
  await flushMicrotasks();
  assert.equal(errors[0]?.code, 'EMSGSIZE');
});
