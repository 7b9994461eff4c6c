/**
 * src/platform/batched-socket.ts over native/udp.c on loopback: batches in and out, datagram
 * boundaries and sizes (0 … 65507 bytes), sources as SocketAddress, dual-stack, errors that
 * leave the socket working, the staging arena filling mid-task, and a randomized run from many
 * sources. Skipped with a visible message where the addon (or Linux) is missing; a failure
 * with GDWIRE_REQUIRE_INTEROP=1.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { BatchedDatagramSocket, loadNativeUdp, type NativeUdp } from '../../src/platform/batched-socket.js';
import { nodePlatform } from '../../src/platform/node-platform.js';
import type { SocketAddress, SocketError } from '../../src/platform/platform.js';
import { interopRequired } from '../helpers/godot.js';
import { Rng } from '../helpers/rng.js';

function requireUdp(t: TestContext): NativeUdp | null {
  const udp = loadNativeUdp();
  if (udp) return udp;
  const why = process.platform !== 'linux' ? 'batched UDP is Linux only' : 'native addon without batched UDP (npm rebuild)';
  if (interopRequired() && process.platform === 'linux') assert.fail(`${why}; GDWIRE_REQUIRE_INTEROP=1 makes that a failure`);
  t.diagnostic(`SKIPPED: ${why}`);
  t.skip(why);
  return null;
}

interface Got { data: Uint8Array; from: SocketAddress }

/** `n` batched sockets of `family`, closed when the test ends. */
function open(t: TestContext, udp: NativeUdp, n: number, family: 'udp4' | 'udp6' = 'udp4', arena?: number): BatchedDatagramSocket[] {
  const socks = Array.from({ length: n }, () => new BatchedDatagramSocket(family, udp, arena));
  t.after(() => {
    for (const s of socks) s.close();
  });
  return socks;
}

/** Collects datagrams until `count` arrived or `ms` passed (bounded wait). */
function collect(sock: BatchedDatagramSocket, count: number, ms = 3000): Promise<Got[]> {
  const got: Got[] = [];
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(got), ms);
    sock.onMessage((data, from) => {
      got.push({ data, from });
      if (got.length === count) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

function pattern(len: number, seed: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = (seed + i * 31) & 255;
  return b;
}

test('the Node platform hands ENet-style callers a batched socket, others node:dgram', (t) => {
  if (!requireUdp(t)) return;
  const net = nodePlatform().network;
  const batched = net.createSocket('udp4', { batched: true });
  const plain = net.createSocket('udp4');
  assert.ok(batched instanceof BatchedDatagramSocket);
  assert.ok(!(plain instanceof BatchedDatagramSocket));
  batched.close();
  plain.close();
});

test('one task of sends arrives whole: sizes 0 … 65507, order, bytes, source', async (t) => {
  const udp = requireUdp(t);
  if (!udp) return;
  const [rx, tx] = open(t, udp, 2) as [BatchedDatagramSocket, BatchedDatagramSocket];
  await rx.bind(0, '127.0.0.1');
  await tx.bind(0, '127.0.0.1');
  const port = rx.localAddress()?.port ?? 0;
  const sizes = [0, 1, 63, 64, 1400, 4096, 65507, ...Array.from({ length: 150 }, (_, i) => (i * 97) % 1500)];
  const wait = collect(rx, sizes.length);
  sizes.forEach((n, i) => tx.send(pattern(n, i), port, '127.0.0.1'));
  const got = await wait;
  assert.equal(got.length, sizes.length);
  got.forEach((g, i) => {
    assert.deepEqual(g.data, pattern(sizes[i] ?? 0, i), `datagram ${i}`);
    assert.deepEqual({ ...g.from }, { address: '127.0.0.1', port: tx.localAddress()?.port, family: 'IPv4' });
  });
  // Received bytes are never rewritten by later batches (ENet keeps views of them).
  const first = got.map((g) => g.data.slice());
  const again = collect(rx, 100);
  for (let i = 0; i < 100; i++) tx.send(new Uint8Array(1400).fill(0xee), port, '127.0.0.1');
  assert.equal((await again).length, 100);
  got.forEach((g, i) => assert.deepEqual(g.data, first[i]));
});

test('dual-stack: an IPv4 sender reads as IPv4 on a "::" socket, and the reply reaches it', async (t) => {
  const udp = requireUdp(t);
  if (!udp) return;
  const [server] = open(t, udp, 1, 'udp6') as [BatchedDatagramSocket];
  const [client] = open(t, udp, 1) as [BatchedDatagramSocket];
  try {
    await server.bind(0, '::', { ipv6Only: false });
  } catch (e) {
    t.diagnostic(`SKIPPED: no IPv6 here (${(e as SocketError).code})`);
    return;
  }
  await client.bind(0, '127.0.0.1');
  const ask = collect(server, 1);
  client.send(Uint8Array.of(1, 2, 3), server.localAddress()?.port, '127.0.0.1');
  const [g] = await ask;
  assert.equal(g?.from.address, '127.0.0.1');
  assert.equal(g?.from.family, 'IPv4');
  const answer = collect(client, 1);
  server.send(Uint8Array.of(9), g?.from.port, g?.from.address);
  assert.deepEqual((await answer)[0]?.data, Uint8Array.of(9));
});

test('errors are reported and the socket keeps working: oversize, a name, a v6 target on udp4, closed', async (t) => {
  const udp = requireUdp(t);
  if (!udp) return;
  const [rx, tx] = open(t, udp, 2) as [BatchedDatagramSocket, BatchedDatagramSocket];
  const errors: string[] = [];
  tx.onError((e) => errors.push(e.code));
  await rx.bind(0, '127.0.0.1');
  const port = rx.localAddress()?.port ?? 0;
  const wait = collect(rx, 2);
  tx.send(Uint8Array.of(1), port, '127.0.0.1');
  tx.send(new Uint8Array(70000), port, '127.0.0.1');
  tx.send(Uint8Array.of(2), port, 'localhost');
  tx.send(Uint8Array.of(3), port, '::1');
  tx.send(Uint8Array.of(4), port, '127.0.0.1');
  const got = await wait;
  assert.deepEqual(got.map((g) => g.data[0]), [1, 4]);
  assert.deepEqual(errors.sort(), ['EINVAL', 'EINVAL', 'EMSGSIZE']);
  tx.close();
  tx.send(Uint8Array.of(5), port, '127.0.0.1');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(errors.length, 3, 'nothing reported after close');
  assert.equal(tx.localAddress(), null);
  await assert.rejects(tx.bind(0, '127.0.0.1'), { code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' });
});

test('bind conflicts reject with the errno code', async (t) => {
  const udp = requireUdp(t);
  if (!udp) return;
  const [a, b] = open(t, udp, 2) as [BatchedDatagramSocket, BatchedDatagramSocket];
  await a.bind(0, '127.0.0.1');
  await assert.rejects(b.bind(a.localAddress()?.port ?? 0, '127.0.0.1'), { code: 'EADDRINUSE' });
  await assert.rejects(a.bind(0, '127.0.0.1'), { code: 'ERR_SOCKET_ALREADY_BOUND' });
});

test('a task staging more than the arena holds sends in several batches, nothing lost', async (t) => {
  const udp = requireUdp(t);
  if (!udp) return;
  const [rx] = open(t, udp, 1) as [BatchedDatagramSocket];
  const [tx] = open(t, udp, 1, 'udp4', 8 * 1024) as [BatchedDatagramSocket];
  await rx.bind(0, '127.0.0.1');
  const port = rx.localAddress()?.port ?? 0;
  const wait = collect(rx, 60);
  for (let i = 0; i < 60; i++) tx.send(pattern(1000, i), port, '127.0.0.1');
  const got = await wait;
  assert.equal(got.length, 60);
  got.forEach((g, i) => assert.deepEqual(g.data, pattern(1000, i)));
  assert.equal(tx.sendDrops, 0);
});

test('connect(): sends without an address go to the connected peer', async (t) => {
  const udp = requireUdp(t);
  if (!udp) return;
  const [rx, tx] = open(t, udp, 2) as [BatchedDatagramSocket, BatchedDatagramSocket];
  await rx.bind(0, '127.0.0.1');
  await tx.connect('127.0.0.1', rx.localAddress()?.port ?? 0);
  assert.equal(tx.localAddress()?.address, '127.0.0.1');
  const wait = collect(rx, 1);
  tx.send(Uint8Array.of(7));
  assert.deepEqual((await wait)[0]?.data, Uint8Array.of(7));
});

test('randomized: 8 senders, 2000 datagrams of random sizes, each arrives once, intact, attributed', async (t) => {
  const udp = requireUdp(t);
  if (!udp) return;
  const rng = new Rng(0x5eed);
  const [rx, ...senders] = open(t, udp, 9) as [BatchedDatagramSocket, ...BatchedDatagramSocket[]];
  await rx.bind(0, '127.0.0.1');
  for (const s of senders) await s.bind(0, '127.0.0.1');
  const port = rx.localAddress()?.port ?? 0;
  const expected = new Map<string, Uint8Array>();
  const seen = new Map<string, number>();
  rx.onMessage((data, from) => {
    const key = `${from.port}:${data.length >= 2 ? (data[0] ?? 0) | ((data[1] ?? 0) << 8) : -1}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
    assert.deepEqual(data, expected.get(key), key);
  });
  // Sent in rounds of 250 (one task each) so the 256 KiB receive buffer never overflows.
  for (let round = 0; round < 8; round++) {
    for (let i = 0; i < 250; i++) {
      const s = rng.pick(senders);
      const id = round * 250 + i;
      const data = new Uint8Array(2 + rng.int(0, 1200));
      for (let k = 2; k < data.length; k++) data[k] = rng.int(0, 255);
      data[0] = id & 255;
      data[1] = id >> 8;
      expected.set(`${s.localAddress()?.port}:${id}`, data);
      s.send(data, port, '127.0.0.1');
    }
    const want = (round + 1) * 250;
    for (let w = 0; w < 200 && seen.size < want; w++) await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(seen.size, expected.size);
  assert.ok([...seen.values()].every((n) => n === 1), 'each datagram once');
});

/**
 * Runs of same-size datagrams to one destination leave as one message (UDP_SEGMENT) and, at a
 * receiver with UDP_GRO (`gro`), arrive as one message the socket cuts back into datagrams:
 * either way every datagram must arrive intact, alone and in order.
 */
async function segmentedRun(t: TestContext, udp: NativeUdp, gro: boolean): Promise<void> {
  const [rx1, rx2, tx] = open(t, udp, 3) as [BatchedDatagramSocket, BatchedDatagramSocket, BatchedDatagramSocket];
  // The addon reads GDWIRE_UDP_GRO when a socket is made (at bind).
  const saved = process.env['GDWIRE_UDP_GRO'];
  process.env['GDWIRE_UDP_GRO'] = gro ? '1' : '0';
  try {
    await rx1.bind(0, '127.0.0.1');
    await rx2.bind(0, '127.0.0.1');
  } finally {
    if (saved === undefined) delete process.env['GDWIRE_UDP_GRO'];
    else process.env['GDWIRE_UDP_GRO'] = saved;
  }
  const p1 = rx1.localAddress()?.port ?? 0;
  const p2 = rx2.localAddress()?.port ?? 0;
  // Runs that may be grouped (same size, one destination, a shorter last one) and everything
  // that must end a run: a longer datagram, an empty one, another destination, 64 segments.
  const plan: Array<[number, number]> = [];
  for (let i = 0; i < 100; i++) plan.push([p1, 1200]);
  plan.push([p1, 700], [p1, 1200], [p1, 1300], [p1, 0], [p1, 0], [p2, 1200], [p1, 1200], [p2, 1200]);
  for (let i = 0; i < 30; i++) plan.push([i % 3 === 0 ? p2 : p1, 500]);
  for (let i = 0; i < 20; i++) plan.push([p2, 1 + (i % 2)]); // 1-byte segments, a 2-byte one between
  const expect = (port: number): Uint8Array[] => plan.flatMap(([p, n], i) => (p === port ? [pattern(n, i)] : []));
  const w1 = collect(rx1, expect(p1).length);
  const w2 = collect(rx2, expect(p2).length);
  plan.forEach(([port, n], i) => tx.send(pattern(n, i), port, '127.0.0.1'));
  const got1 = await w1;
  const got2 = await w2;
  assert.deepEqual(got1.map((g) => g.data), expect(p1));
  assert.deepEqual(got2.map((g) => g.data), expect(p2));
  const txPort = tx.localAddress()?.port;
  assert.ok([...got1, ...got2].every((g) => g.from.port === txPort && g.from.address === '127.0.0.1'), 'every source');
  const stats = tx.sendStats();
  assert.equal(stats.datagrams, plan.length);
  t.diagnostic(`${stats.messages} messages for ${stats.datagrams} datagrams`);
  if (stats.messages === stats.datagrams) t.diagnostic('UDP_SEGMENT unavailable here: every datagram went alone');
  else assert.ok(stats.messages <= plan.length - 100 + 2 + 20, `grouped: ${stats.messages} messages for ${stats.datagrams}`);
  const r1 = rx1.receiveStats();
  assert.equal(r1.datagrams, expect(p1).length);
  assert.equal(r1.gro, gro && r1.gro, 'GRO off when asked');
  t.diagnostic(`receiver: ${r1.messages} messages for ${r1.datagrams} datagrams (UDP_GRO ${r1.gro ? 'on' : 'off'})`);
  if (!r1.gro || stats.messages === stats.datagrams) assert.equal(r1.messages, r1.datagrams, 'nothing coalesced');
  else assert.ok(r1.messages < r1.datagrams / 2, `coalesced: ${r1.messages} messages for ${r1.datagrams}`);
}

test('segmented sends: runs of same-size datagrams leave as one message each, every datagram intact', async (t) => {
  const udp = requireUdp(t);
  if (udp) await segmentedRun(t, udp, false);
});

test('coalesced receives (UDP_GRO): a run arriving as one message is cut back into its datagrams', async (t) => {
  const udp = requireUdp(t);
  if (udp) await segmentedRun(t, udp, true);
});

test('pull mode: datagrams wait in the kernel until receiveNow hands them over; a throwing handler loses nothing; off again: delivered on arrival', async (t) => {
  const udp = requireUdp(t);
  if (!udp) return;
  const [a, b] = open(t, udp, 2);
  await a!.bind(0, '127.0.0.1');
  await b!.bind(0, '127.0.0.1');
  const to = b!.localAddress()!.port;
  assert.equal(b!.receiveNow(), 0, 'not pulled: receiveNow reads nothing');
  assert.equal(b!.setPull(true), true);
  const got: Uint8Array[] = [];
  b!.onMessage((data) => got.push(data));
  // 300 datagrams of changing sizes (no segmented runs): more than one receiveNow reads.
  const N = 300;
  for (let i = 0; i < N; i++) a!.send(pattern(1 + (i % 50), i), to, '127.0.0.1');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(got.length, 0, 'nothing is delivered without receiveNow');
  const first = b!.receiveNow();
  // At most 4 × 64 messages (a GSO run of a size and a shorter last one is one message of two).
  assert.ok(first >= 256 && first < N, `one receiveNow reads a bounded amount (${first})`);
  assert.equal(got.length, first, 'handed over before receiveNow returns');
  for (let round = 0; got.length < N && round < 100; round++) {
    if (b!.receiveNow() === 0) await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(got.length, N);
  got.forEach((d, i) => assert.deepEqual(d, pattern(1 + (i % 50), i), `datagram ${i}`));

  // A handler that throws: the exception reaches receiveNow's caller after the batch's other datagrams.
  const after: number[] = [];
  b!.onMessage((data) => {
    after.push(data[0]!);
    if (after.length === 1) throw new Error('handler failed');
  });
  for (let i = 0; i < 3; i++) a!.send(Uint8Array.of(i, i), to, '127.0.0.1');
  await new Promise((r) => setTimeout(r, 100));
  assert.throws(() => b!.receiveNow(), /handler failed/);
  assert.deepEqual(after, [0, 1, 2], 'the rest of the batch still delivered');
  a!.send(Uint8Array.of(9), to, '127.0.0.1');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(b!.receiveNow(), 1, 'the socket goes on after the exception');

  // Pull mode off: delivered on arrival again, without receiveNow.
  assert.equal(b!.setPull(false), false);
  const arrival = collect(b!, 1);
  a!.send(Uint8Array.of(7), to, '127.0.0.1');
  const [one] = await arrival;
  assert.deepEqual(one?.data, Uint8Array.of(7));
});
