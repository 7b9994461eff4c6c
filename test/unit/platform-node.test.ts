/**
 * src/platform/node-platform.ts and default.ts: logger, randomness, and dgram sockets on
 * loopback (every socket closed, every wait bounded).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPlatform, setDefaultPlatform } from '../../src/platform/default.js';
import { NodeDatagramSocket, NodeLogger, NodeNetwork, NodeRandom, nodePlatform } from '../../src/platform/node-platform.js';
import type { DatagramSocket, SocketAddress } from '../../src/platform/platform.js';
import { createTestPlatform } from '../../src/platform/test-platform.js';

function received(sock: DatagramSocket, timeoutMs = 2000): Promise<{ data: Uint8Array; from: SocketAddress }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no datagram within ${timeoutMs} ms`)), timeoutMs);
    sock.onMessage((data, from) => {
      clearTimeout(timer);
      resolve({ data, from });
    });
  });
}

async function ipv6Available(): Promise<boolean> {
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

test('NodeLogger: level filter, text and JSON lines, bytes/bigint/errors made printable', () => {
  const lines: string[] = [];
  const log = new NodeLogger({ level: 'info', format: 'json', write: (l) => lines.push(l) });
  log.log('debug', 'hidden');
  log.log('warn', 'visible', { n: 1n, bytes: new Uint8Array([1, 255]), err: Object.assign(new Error('x'), { code: 'E1' }) });
  assert.equal(lines.length, 1);
  assert.ok(lines[0]?.endsWith('\n'));
  const obj = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
  assert.equal(obj['level'], 'warn');
  assert.equal(obj['msg'], 'visible');
  assert.equal(obj['n'], '1');
  assert.equal(obj['bytes'], '01ff');
  assert.deepEqual(obj['err'], { name: 'Error', message: 'x', code: 'E1' });
  assert.ok(!Number.isNaN(Date.parse(String(obj['time']))));
  const text = new NodeLogger({ level: 'debug', format: 'text', write: (l) => lines.push(l) });
  text.log('error', 'boom', { port: 4433, note: 'two words' });
  assert.match(lines[1] ?? '', /^\S+ ERROR boom port=4433 note="two words"\n$/);
  const silent = new NodeLogger({ level: 'silent', write: (l) => lines.push(l) });
  silent.log('error', 'nothing');
  assert.equal(lines.length, 2);
});

test('NodeRandom: fills bytes and gives 32-bit integers past its pool', () => {
  const r = new NodeRandom();
  const seen = new Set<number>();
  for (let i = 0; i < 600; i++) {
    const v = r.u32();
    assert.ok(Number.isInteger(v) && v >= 0 && v < 2 ** 32);
    seen.add(v);
  }
  assert.ok(seen.size > 590);
  const b = new Uint8Array(32);
  r.fill(b);
  assert.ok(b.some((x) => x !== 0));
});

test('defaultPlatform is the Node platform unless replaced', () => {
  const p = defaultPlatform();
  assert.ok(p.network instanceof NodeNetwork);
  assert.equal(defaultPlatform(), p);
  const t = createTestPlatform();
  setDefaultPlatform(t);
  assert.equal(defaultPlatform(), t);
  setDefaultPlatform(null);
  assert.ok(defaultPlatform().network instanceof NodeNetwork);
  const clock = nodePlatform().clock;
  const t0 = clock.now();
  assert.ok(clock.now() >= t0);
});

test('dual-stack udp6: an IPv4 sender is reported as IPv4, and replying to IPv4 works', async (t: TestContext) => {
  const server = new NodeDatagramSocket('udp6');
  const client = new NodeDatagramSocket('udp4');
  t.after(() => { server.close(); client.close(); });
  try {
    await server.bind(0, '::', { ipv6Only: false });
  } catch {
    t.skip('IPv6 sockets unavailable on this machine: dual-stack case not run');
    return;
  }
  await client.bind(0, '127.0.0.1');
  const port = server.localAddress()?.port ?? 0;
  assert.ok(port > 0);
  const arrival = received(server);
  client.send(new Uint8Array([1, 2, 3]), port, '127.0.0.1');
  const { data, from } = await arrival;
  assert.deepEqual([...data], [1, 2, 3]);
  assert.equal(Object.getPrototypeOf(data), Uint8Array.prototype, 'a plain Uint8Array, not a Buffer');
  assert.deepEqual(from, { address: '127.0.0.1', port: client.localAddress()?.port, family: 'IPv4' });
  const reply = received(client);
  server.send(new Uint8Array([9]), from.port, from.address); // dotted IPv4 on a udp6 socket
  assert.deepEqual([...(await reply).data], [9]);
});

test('udp6 on ::1 (skipped visibly without IPv6)', async (t: TestContext) => {
  if (!(await ipv6Available())) {
    t.skip('IPv6 loopback (::1) unavailable on this machine');
    return;
  }
  const a = new NodeDatagramSocket('udp6');
  const b = new NodeDatagramSocket('udp6');
  t.after(() => { a.close(); b.close(); });
  await a.bind(0, '::1', { ipv6Only: true });
  await b.bind(0, '::1', { ipv6Only: true });
  const arrival = received(a);
  b.send(new Uint8Array([6]), a.localAddress()?.port, '::1');
  const { from } = await arrival;
  assert.deepEqual(from, { address: '::1', port: b.localAddress()?.port, family: 'IPv6' });
});

test('bind errors, connect filtering, send after close reported not thrown', async (t: TestContext) => {
  const a = new NodeDatagramSocket('udp4');
  const b = new NodeDatagramSocket('udp4');
  const c = new NodeDatagramSocket('udp4');
  const taken = new NodeDatagramSocket('udp4');
  t.after(() => { for (const s of [a, b, c, taken]) s.close(); });
  await a.bind(0, '127.0.0.1');
  await b.bind(0, '127.0.0.1');
  await c.bind(0, '127.0.0.1');
  const aPort = a.localAddress()?.port ?? 0;
  await assert.rejects(taken.bind(aPort, '127.0.0.1'), { code: 'EADDRINUSE' });
  await a.connect('127.0.0.1', b.localAddress()?.port ?? 0);
  const arrival = received(a);
  c.send(new Uint8Array([1]), aPort, '127.0.0.1'); // filtered by the kernel
  b.send(new Uint8Array([2]), aPort, '127.0.0.1');
  assert.deepEqual([...(await arrival).data], [2]);
  const errs: string[] = [];
  c.onError((e) => errs.push(e.code));
  c.close();
  c.send(new Uint8Array([3]), aPort, '127.0.0.1');
  for (let i = 0; i < 5; i++) await Promise.resolve(); // errors are reported on a microtask
  assert.deepEqual(errs, [], 'a closed socket reports nothing to its old handler');
  assert.equal(c.localAddress(), null);
});

// (A failing lookup is tested on the memory network: a real resolver may take seconds to say no.)
test('NodeNetwork.lookup: literals pass through normalized; localhost resolves (hosts file)', async () => {
  const net = new NodeNetwork();
  assert.deepEqual(await net.lookup('::ffff:127.0.0.1'), ['127.0.0.1']);
  const local = await net.lookup('localhost', 4);
  assert.ok(local.includes('127.0.0.1'));
});

test('a datagram sent right before close() still goes out (close waits for dgram\'s pending sends)', async () => {
  const rx = new NodeDatagramSocket('udp4');
  const tx = new NodeDatagramSocket('udp4');
  try {
    await rx.bind(0, '127.0.0.1');
    await tx.bind(0, '127.0.0.1');
    const port = rx.localAddress()!.port;
    const got = received(rx);
    tx.send(new Uint8Array([0xde, 0xad]), port, '127.0.0.1');
    tx.close(); // before dgram's lookup step has run
    const { data } = await got;
    assert.deepEqual([...data], [0xde, 0xad]);
    assert.equal(tx.localAddress(), null, 'closed for the caller at once');
  } finally {
    rx.close();
    tx.close();
  }
});
