/**
 * src/platform/memory-network.ts + memory-socket.ts: the in-memory network ENet's and the UDP
 * classes' tests run on. Binding rules, routing, broadcast/multicast, and seeded link
 * conditions delivered on the fake clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/platform/fake-clock.js';
import { MemoryNetwork, type LinkConditions } from '../../src/platform/memory-network.js';
import type { DatagramSocket, SocketAddress, SocketError } from '../../src/platform/platform.js';

interface Rx {
  data: number[];
  from: SocketAddress;
}

function setup(options: { seed?: number; conditions?: LinkConditions; ipv6?: boolean } = {}) {
  const clock = new FakeClock();
  const net = new MemoryNetwork({ clock, ...options });
  return { clock, net };
}

function listen(sock: DatagramSocket): Rx[] {
  const got: Rx[] = [];
  sock.onMessage((data, from) => got.push({ data: [...data], from }));
  return got;
}

function errors(sock: DatagramSocket): SocketError[] {
  const out: SocketError[] = [];
  sock.onError((e) => out.push(e));
  return out;
}

async function rejectionCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as SocketError).code;
  }
  return 'resolved';
}

const flushMicrotasks = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

test('bind: explicit and ephemeral ports, localAddress, EADDRINUSE, reuse after close', async () => {
  const { net } = setup();
  const a = net.createSocket('udp4');
  await a.bind(4000, '127.0.0.1');
  assert.deepEqual(a.localAddress(), { address: '127.0.0.1', port: 4000, family: 'IPv4' });
  const b = net.createSocket('udp4');
  assert.equal(await rejectionCode(b.bind(4000, '0.0.0.0')), 'EADDRINUSE');
  const e1 = net.createSocket('udp4');
  const e2 = net.createSocket('udp4');
  await e1.bind(0, undefined);
  await e2.bind(0, undefined);
  const p1 = e1.localAddress()?.port ?? 0;
  const p2 = e2.localAddress()?.port ?? 0;
  assert.ok(p1 >= 49152 && p2 >= 49152 && p1 !== p2);
  a.close();
  assert.equal(a.localAddress(), null);
  const c = net.createSocket('udp4');
  await c.bind(4000, '127.0.0.1'); // the port is free again
  assert.equal(await rejectionCode(c.bind(4001, '127.0.0.1')), 'ERR_SOCKET_ALREADY_BOUND');
});

test('bind: dual-stack "::" covers IPv4 too; ipv6Only does not; reuseAddr on both sides shares', async () => {
  const { net } = setup();
  const dual = net.createSocket('udp6');
  await dual.bind(5000, '::', { ipv6Only: false });
  assert.equal(await rejectionCode(net.createSocket('udp4').bind(5000, '127.0.0.1')), 'EADDRINUSE');
  const v6only = net.createSocket('udp6');
  await v6only.bind(5001, '::', { ipv6Only: true });
  await net.createSocket('udp4').bind(5001, '0.0.0.0'); // IPv4 side of 5001 is free
  const r1 = net.createSocket('udp4');
  await r1.bind(5002, '0.0.0.0', { reuseAddr: true });
  const r2 = net.createSocket('udp4');
  await r2.bind(5002, '0.0.0.0', { reuseAddr: true });
  const r3 = net.createSocket('udp4');
  assert.equal(await rejectionCode(r3.bind(5002, '0.0.0.0')), 'EADDRINUSE'); // r3 did not ask
});

test('bind: address checks (family, not local) and a machine without IPv6', async () => {
  const { net } = setup();
  assert.equal(await rejectionCode(net.createSocket('udp4').bind(0, '::1')), 'EINVAL');
  assert.equal(await rejectionCode(net.createSocket('udp6').bind(0, '127.0.0.1')), 'EINVAL');
  assert.equal(await rejectionCode(net.createSocket('udp4').bind(0, '10.9.9.9')), 'EADDRNOTAVAIL');
  assert.equal(await rejectionCode(net.createSocket('udp4').bind(70000, undefined)), 'ERR_SOCKET_BAD_PORT');
  const host = net.createHost('h', ['10.0.0.7']);
  await host.createSocket('udp4').bind(0, '10.0.0.7');
  const noV6 = setup({ ipv6: false }).net;
  assert.equal(await rejectionCode(noV6.createSocket('udp6').bind(0, '::')), 'EAFNOSUPPORT');
  await noV6.createSocket('udp4').bind(0, undefined);
});

test('unicast on loopback: delivered on the clock, source address as the receiver sees it', async () => {
  const { clock, net } = setup();
  const rx = net.createSocket('udp6');
  await rx.bind(6000, '::', { ipv6Only: false });
  const got = listen(rx);
  const tx4 = net.createSocket('udp4');
  tx4.send(new Uint8Array([1, 2]), 6000, '127.0.0.1'); // implicit bind
  const tx6 = net.createSocket('udp6');
  tx6.send(new Uint8Array([3]), 6000, '::1');
  assert.equal(got.length, 0, 'nothing arrives before the clock moves');
  assert.equal(net.inFlight(), 2);
  clock.advance(0);
  assert.equal(got.length, 2);
  assert.deepEqual(got[0], { data: [1, 2], from: { address: '127.0.0.1', port: tx4.localAddress()?.port, family: 'IPv4' } });
  assert.deepEqual(got[1]?.from, { address: '::1', port: tx6.localAddress()?.port, family: 'IPv6' });
  assert.equal(net.stats.delivered, 2);
});

test('the datagram is copied at send: reusing the buffer does not change it', async () => {
  const { clock, net } = setup();
  const rx = net.createSocket('udp4');
  await rx.bind(6001, '127.0.0.1');
  const got = listen(rx);
  const buf = new Uint8Array([7, 7, 7]);
  net.createSocket('udp4').send(buf, 6001, '127.0.0.1');
  buf.fill(0);
  clock.advance(0);
  assert.deepEqual(got[0]?.data, [7, 7, 7]);
});

test('connect: only the connected remote is received; send() without address goes there', async () => {
  const { clock, net } = setup();
  const a = net.createSocket('udp4');
  await a.bind(7000, '127.0.0.1');
  const b = net.createSocket('udp4');
  await b.bind(7001, '127.0.0.1');
  const c = net.createSocket('udp4');
  await c.bind(7002, '127.0.0.1');
  await a.connect('127.0.0.1', 7001);
  const got = listen(a);
  const bGot = listen(b);
  b.send(new Uint8Array([1]), 7000, '127.0.0.1');
  c.send(new Uint8Array([2]), 7000, '127.0.0.1');
  a.send(new Uint8Array([3]));
  clock.advance(0);
  assert.deepEqual(got.map((r) => r.data), [[1]]);
  assert.deepEqual(bGot.map((r) => r.data), [[3]]);
  assert.equal(net.stats.noListener, 1); // c's datagram found no socket that takes it
  const errs = errors(a);
  a.send(new Uint8Array([4]), 7001, '127.0.0.1');
  await flushMicrotasks();
  assert.deepEqual(errs.map((e) => e.code), ['EISCONN']);
});

test('a connected socket wins over the wildcard for its remote; others go to the wildcard', async () => {
  const { clock, net } = setup();
  // conn is bound first, so "last bound wins" alone would pick wild: the connection must decide.
  const conn = net.createSocket('udp4');
  await conn.bind(7100, '0.0.0.0', { reuseAddr: true });
  const wild = net.createSocket('udp4');
  await wild.bind(7100, '0.0.0.0', { reuseAddr: true });
  const peer = net.createSocket('udp4');
  await peer.bind(7101, '127.0.0.1');
  const other = net.createSocket('udp4');
  await other.bind(7102, '127.0.0.1');
  await conn.connect('127.0.0.1', 7101);
  const wGot = listen(wild);
  const cGot = listen(conn);
  peer.send(new Uint8Array([1]), 7100, '127.0.0.1');
  other.send(new Uint8Array([2]), 7100, '127.0.0.1');
  clock.advance(0);
  assert.deepEqual(cGot.map((r) => r.data), [[1]]);
  assert.deepEqual(wGot.map((r) => r.data), [[2]]);
});

test('send errors are asynchronous with Node codes: family, size, not connected', async () => {
  const { net } = setup();
  const s4 = net.createSocket('udp4');
  const e4 = errors(s4);
  s4.send(new Uint8Array(1), 9, '::1');
  s4.send(new Uint8Array(65508), 9, '127.0.0.1');
  s4.send(new Uint8Array(1));
  assert.equal(e4.length, 0, 'not synchronous');
  await flushMicrotasks();
  assert.deepEqual(e4.map((e) => e.code), ['EINVAL', 'EMSGSIZE', 'EDESTADDRREQ']);
  const s6 = net.createSocket('udp6');
  await s6.bind(0, '::', { ipv6Only: true });
  const e6 = errors(s6);
  s6.send(new Uint8Array(1), 9, '127.0.0.1');
  await flushMicrotasks();
  assert.deepEqual(e6.map((e) => e.code), ['EINVAL']);
});

test('hosts: routing by address, source address selection, unroutable, DNS names', async () => {
  const { clock, net } = setup();
  const alice = net.createHost('alice', ['10.0.0.1', 'fd00::1']);
  const bob = net.createHost('bob', ['10.0.0.2']);
  const rx = bob.createSocket('udp4');
  await rx.bind(8000, undefined);
  const got = listen(rx);
  const tx = alice.createSocket('udp6');
  await tx.bind(0, '::');
  tx.send(new Uint8Array([1]), 8000, '10.0.0.2');
  tx.send(new Uint8Array([2]), 8000, '10.0.0.99');
  // bob's loopback is bob's own: alice's 127.0.0.1 does not reach it.
  alice.createSocket('udp4').send(new Uint8Array([3]), 8000, '127.0.0.1');
  clock.advance(0);
  assert.deepEqual(got.map((r) => [r.data, r.from.address]), [[[1], '10.0.0.1']]);
  assert.equal(net.stats.unroutable, 1);
  assert.deepEqual(await net.lookup('bob'), ['10.0.0.2']);
  assert.deepEqual(await alice.lookup('alice'), ['10.0.0.1', 'fd00::1']);
  assert.deepEqual(await net.lookup('alice', 6), ['fd00::1']);
  assert.deepEqual(await net.lookup('localhost'), ['127.0.0.1', '::1']);
  assert.deepEqual(await net.lookup('::FFFF:10.0.0.1'), ['10.0.0.1']);
  assert.equal(await rejectionCode(net.lookup('nobody.example')), 'ENOTFOUND');
  // A socket bound to loopback cannot leave the host.
  const loBound = alice.createSocket('udp4');
  await loBound.bind(0, '127.0.0.1');
  loBound.send(new Uint8Array([4]), 8000, '10.0.0.2');
  clock.advance(0);
  assert.equal(got.length, 1);
  assert.equal(net.stats.unroutable, 2);
  assert.throws(() => net.createHost('dup', ['10.0.0.1']), RangeError);
  assert.throws(() => net.createHost('bcast', ['10.0.0.255']), RangeError);
  assert.throws(() => net.createHost('lo', ['127.0.0.2']), RangeError);
});

test('broadcast: EACCES unless enabled; reaches wildcard sockets on the port in the subnet, sender included', async () => {
  const { clock, net } = setup();
  const hosts = ['10.0.0.1', '10.0.0.2', '10.0.1.3'].map((a, i) => net.createHost(`h${i}`, [a]));
  const rx = await Promise.all(hosts.map(async (h) => {
    const s = h.createSocket('udp4');
    await s.bind(9000, undefined);
    return listen(s);
  }));
  const specific = hosts[1]?.createSocket('udp4');
  assert.ok(specific);
  assert.equal(await rejectionCode(specific.bind(9000, '10.0.0.2')), 'EADDRINUSE'); // overlaps the wildcard
  const tx = hosts[0]?.createSocket('udp4');
  assert.ok(tx);
  await tx.bind(9000 + 1, undefined);
  const errs = errors(tx);
  tx.send(new Uint8Array([1]), 9000, '10.0.0.255');
  await flushMicrotasks();
  assert.deepEqual(errs.map((e) => e.code), ['EACCES']);
  tx.setBroadcast(true);
  tx.send(new Uint8Array([2]), 9000, '10.0.0.255');
  clock.advance(0);
  assert.deepEqual(rx.map((g) => g.map((r) => r.data[0])), [[2], [2], []]);
  tx.send(new Uint8Array([3]), 9000, '255.255.255.255');
  clock.advance(0);
  assert.deepEqual(rx.map((g) => g.map((r) => r.data[0])), [[2, 3], [2, 3], [3]]);
});

test('multicast: only sockets that joined the group receive; leave stops it; errors as Linux', async () => {
  const { clock, net } = setup();
  const a = net.createSocket('udp4');
  await a.bind(9100, '0.0.0.0', { reuseAddr: true });
  const b = net.createSocket('udp4');
  await b.bind(9100, '0.0.0.0', { reuseAddr: true });
  const aGot = listen(a);
  const bGot = listen(b);
  a.addMembership('239.1.2.3');
  assert.throws(() => a.addMembership('239.1.2.3'), { code: 'EADDRINUSE' });
  assert.throws(() => a.addMembership('10.0.0.1'), { code: 'EINVAL' });
  assert.throws(() => a.addMembership('ff02::1'), { code: 'EINVAL' }); // IPv6 group on udp4
  assert.throws(() => b.dropMembership('239.1.2.3'), { code: 'EADDRNOTAVAIL' });
  const tx = net.createSocket('udp4');
  tx.send(new Uint8Array([1]), 9100, '239.1.2.3');
  clock.advance(0);
  a.dropMembership('239.1.2.3');
  tx.send(new Uint8Array([2]), 9100, '239.1.2.3');
  clock.advance(0);
  assert.deepEqual(aGot.map((r) => r.data), [[1]]);
  assert.deepEqual(bGot.length, 0);
});

test('latency and jitter: delivered at send time + latency (+ jitter), in arrival order', async () => {
  const { clock, net } = setup({ seed: 3, conditions: { latency: 50 } });
  const rx = net.createSocket('udp4');
  await rx.bind(9200, '127.0.0.1');
  const arrivals: Array<[number, number]> = [];
  rx.onMessage((d) => arrivals.push([d[0] ?? -1, clock.now()]));
  const tx = net.createSocket('udp4');
  tx.send(new Uint8Array([1]), 9200, '127.0.0.1');
  clock.advance(10);
  tx.send(new Uint8Array([2]), 9200, '127.0.0.1');
  clock.advance(39);
  assert.deepEqual(arrivals, []);
  clock.advance(1);
  assert.deepEqual(arrivals, [[1, 50]]);
  clock.advance(10);
  assert.deepEqual(arrivals, [[1, 50], [2, 60]]);

  net.setConditions({ latency: 20, jitter: 10 });
  const t0 = clock.now();
  const jittered: Array<[number, number]> = [];
  rx.onMessage((d) => jittered.push([d[0] ?? -1, clock.now()]));
  for (let i = 0; i < 200; i++) tx.send(new Uint8Array([i & 255]), 9200, '127.0.0.1');
  clock.advance(30);
  assert.equal(jittered.length, 200);
  for (const [, t] of jittered) assert.ok(t >= t0 + 20 && t < t0 + 30, `arrived at ${t - t0}`);
  const order = jittered.map(([v]) => v);
  assert.notDeepEqual(order, [...order].sort((x, y) => x - y), 'jitter reorders some');
});

/** Sends `n` numbered datagrams through `conditions` and returns what arrived, in order. */
async function run(seed: number, conditions: LinkConditions, n = 2000) {
  const { clock, net } = setup({ seed, conditions });
  const rx = net.createSocket('udp4');
  await rx.bind(9300, '127.0.0.1');
  const seen: number[] = [];
  rx.onMessage((d) => seen.push(((d[0] ?? 0) << 8) | (d[1] ?? 0)));
  const tx = net.createSocket('udp4');
  for (let i = 0; i < n; i++) {
    tx.send(new Uint8Array([i >> 8, i & 255]), 9300, '127.0.0.1');
    if (i % 10 === 9) clock.advance(1);
  }
  clock.runAll();
  return { seen, stats: { ...net.stats } };
}

test('loss, duplication, reordering: rates close to the settings, identical for the same seed', async () => {
  const conditions = { loss: 0.1, duplicate: 0.05, reorder: 0.1, reorderDelay: 5, latency: 2 };
  const r1 = await run(7, conditions);
  const r2 = await run(7, conditions);
  const r3 = await run(8, conditions);
  assert.deepEqual(r1.seen, r2.seen, 'same seed → same deliveries');
  assert.notDeepEqual(r1.seen, r3.seen, 'another seed → other deliveries');
  const { stats } = r1;
  assert.equal(stats.sent, 2000);
  assert.ok(stats.lost > 120 && stats.lost < 280, `lost ${stats.lost}`);
  assert.ok(stats.duplicated > 50 && stats.duplicated < 150, `duplicated ${stats.duplicated}`);
  assert.ok(stats.reordered > 120, `reordered ${stats.reordered}`);
  assert.equal(r1.seen.length, 2000 - stats.lost + stats.duplicated);
  assert.equal(stats.delivered, r1.seen.length);
  const distinct = new Set(r1.seen);
  assert.equal(distinct.size, 2000 - stats.lost);
  let inversions = 0;
  for (let i = 1; i < r1.seen.length; i++) if ((r1.seen[i] ?? 0) < (r1.seen[i - 1] ?? 0)) inversions++;
  assert.ok(inversions > 50, `inversions ${inversions}`);
});

test('no conditions: nothing lost, duplicated or reordered, and no randomness drawn', async () => {
  const r = await run(1, {});
  assert.deepEqual(r.seen, Array.from({ length: 2000 }, (_, i) => i));
});

test('per-pair conditions override the network default (endpoint pair over address pair)', async () => {
  const { clock, net } = setup({ seed: 1 });
  const rx = net.createSocket('udp4');
  await rx.bind(9400, '127.0.0.1');
  const got = listen(rx);
  const a = net.createSocket('udp4');
  await a.bind(9401, '127.0.0.1');
  const b = net.createSocket('udp4');
  await b.bind(9402, '127.0.0.1');
  net.setLinkConditions('127.0.0.1:9401', '127.0.0.1:9400', { loss: 1 }); // a → rx partitioned
  net.setLinkConditions('127.0.0.1', '127.0.0.1', { latency: 100 }); // everything else on lo: slow
  a.send(new Uint8Array([1]), 9400, '127.0.0.1');
  b.send(new Uint8Array([2]), 9400, '127.0.0.1');
  clock.advance(99);
  assert.equal(got.length, 0);
  clock.advance(1);
  assert.deepEqual(got.map((r) => r.data), [[2]]);
  net.setLinkConditions('127.0.0.1:9401', '127.0.0.1:9400', null);
  a.send(new Uint8Array([3]), 9400, '127.0.0.1');
  clock.advance(100);
  assert.deepEqual(got.map((r) => r.data), [[2], [3]]);
  assert.throws(() => net.setLinkConditions('nope', '127.0.0.1', {}), RangeError);
});

test('tap sees every datagram and can drop it', async () => {
  const { clock, net } = setup();
  const rx = net.createSocket('udp4');
  await rx.bind(9500, '127.0.0.1');
  const got = listen(rx);
  const seen: string[] = [];
  const untap = net.tap((d) => {
    seen.push(`${d.from.address}>${d.to.address}:${d.to.port}:${d.data[0]}`);
    return d.data[0] !== 2;
  });
  const tx = net.createSocket('udp4');
  for (const v of [1, 2, 3]) tx.send(new Uint8Array([v]), 9500, '127.0.0.1');
  clock.advance(0);
  untap();
  tx.send(new Uint8Array([4]), 9500, '127.0.0.1');
  clock.advance(0);
  assert.deepEqual(got.map((r) => r.data[0]), [1, 3, 4]);
  assert.equal(seen.length, 3);
  assert.equal(seen[0], '127.0.0.1>127.0.0.1:9500:1');
  assert.equal(net.stats.filtered, 1);
});

test('a closed socket receives nothing more, its in-flight datagrams are dropped, and send reports', async () => {
  const { clock, net } = setup({ conditions: { latency: 5 } });
  const rx = net.createSocket('udp4');
  await rx.bind(9600, '127.0.0.1');
  const got = listen(rx);
  const tx = net.createSocket('udp4');
  tx.send(new Uint8Array([1]), 9600, '127.0.0.1');
  rx.close();
  rx.close();
  clock.advance(5);
  assert.equal(got.length, 0);
  assert.equal(net.stats.noListener, 1);
  assert.equal(await rejectionCode(rx.bind(0, undefined)), 'ERR_SOCKET_DGRAM_NOT_RUNNING');
});

test('thousands of datagrams between many sockets (no time asserted: a benchmark is not a test)', async () => {
  const { clock, net } = setup({ seed: 9, conditions: { latency: 1, jitter: 2, loss: 0.01 } });
  const socks = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
    const s = net.createSocket('udp4');
    await s.bind(10000 + i, '127.0.0.1');
    return s;
  }));
  let received = 0;
  for (const s of socks) s.onMessage(() => { received++; });
  const payload = new Uint8Array(1200);
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < socks.length; i++) socks[i]?.send(payload, 10000 + ((i + 1) % socks.length), '127.0.0.1');
    clock.advance(1);
  }
  clock.runAll();
  assert.equal(received + net.stats.lost, 1000);
  assert.ok(net.stats.lost > 0 && net.stats.lost < 40, `lost ${net.stats.lost}`);
});
