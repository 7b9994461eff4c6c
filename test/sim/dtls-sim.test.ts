/**
 * DTLS on the in-memory network with a fake clock: handshakes, Godot's accept loop, the
 * security checks (names, trust, expiry), timeouts, hostile datagrams and a spoofed flood.
 * No ports, no sleeps. (OpenSSL keeps its own retransmission clock, which a fast simulated
 * run never lets expire; retransmission is tested on loopback in unit/dtls-node.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadNative, type NativeAddon } from '../../src/core/crypto/native.js';
import { TLSOptions } from '../../src/core/crypto/tls-options.js';
import type { X509Certificate } from '../../src/core/crypto/x509-certificate.js';
import { Error } from '../../src/core/error.js';
import { DTLSServer } from '../../src/core/io/dtls-server.js';
import { PacketPeerDTLS } from '../../src/core/io/packet-peer-dtls.js';
import { PacketPeerUDP } from '../../src/core/io/packet-peer-udp.js';
import { UDPServer } from '../../src/core/io/udp-server.js';
import { createTestPlatform, hostPlatform } from '../../src/platform/test-platform.js';
import { SimWorld as World, keyAndCert, requireNative, type KeyAndCert } from '../helpers/dtls.js';
import { Rng } from '../helpers/rng.js';

const S = PacketPeerDTLS;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

test('handshake and echo over a jittery LAN with duplicates and reordering (no loss)', async (t) => {
  if (!requireNative(t)) return;
  const w = new World(11, { latency: 5, jitter: 4, duplicate: 0.05, reorder: 0.05 });
  await w.start();
  const kc = w.server;
  const client = await w.connect('myserver', TLSOptions.client(kc.cert));
  assert.equal(client.getStatus(), S.STATUS_HANDSHAKING);
  w.run(2000, () => client.getStatus() === S.STATUS_CONNECTED && w.serverPeer() !== undefined);
  assert.equal(client.getStatus(), S.STATUS_CONNECTED, client.getLastError());
  const server = w.serverPeer();
  assert.ok(server);
  assert.equal(w.loop.taken, 2, 'Godot\'s "50 %": one UDP peer per ClientHello…');
  assert.equal(w.loop.cookieRejects, 1, '…the first one answered with a HelloVerifyRequest and dropped');

  const got: string[] = [];
  const back: string[] = [];
  for (let i = 0; i < 50; i++) assert.equal(client.putPacket(enc(`c${i}`)), Error.OK);
  w.run(500, () => {
    while (server.getAvailablePacketCount() > 0) {
      const p = server.getPacket();
      got.push(dec(p));
      server.putPacket(p);
    }
    while (client.getAvailablePacketCount() > 0) back.push(dec(client.getPacket()));
    return back.length >= 50;
  });
  assert.equal(got.length, 50, 'each record once: DTLS drops the network\'s duplicates');
  assert.deepEqual([...got].sort(), Array.from({ length: 50 }, (_, i) => `c${i}`).sort());
  assert.equal(back.length, 50);
  assert.ok(w.base.net.stats.duplicated > 0 && w.base.net.stats.reordered > 0, 'the link really misbehaved');
  w.stop();
});

test('close_notify both ways; packets already received stay readable', async (t) => {
  if (!requireNative(t)) return;
  const w = new World(12);
  await w.start();
  const a = await w.connect('myserver', TLSOptions.client(w.server.cert));
  const b = await w.connect('myserver', TLSOptions.client(w.server.cert));
  w.run(1000, () => w.loop.peers.filter((p) => p.getStatus() === S.STATUS_CONNECTED).length === 2 &&
    a.getStatus() === S.STATUS_CONNECTED && b.getStatus() === S.STATUS_CONNECTED);
  const [sa, sb] = w.loop.peers.filter((p) => p.getStatus() === S.STATUS_CONNECTED);
  assert.ok(sa && sb);
  assert.equal(a.putPacket(enc('last words')), Error.OK);
  a.disconnectFromPeer();
  assert.equal(a.getStatus(), S.STATUS_DISCONNECTED);
  assert.equal(a.putPacket(enc('x')), Error.ERR_UNCONFIGURED);
  w.run(100, () => sa.getStatus() !== S.STATUS_CONNECTED && sb.getStatus() !== S.STATUS_CONNECTED);
  const closedByClient = [sa, sb].find((p) => p.getStatus() === S.STATUS_DISCONNECTED);
  assert.ok(closedByClient, 'server side saw close_notify');
  assert.equal(dec(closedByClient.getPacket()), 'last words');
  assert.equal(closedByClient.getPacket().length, 0);
  assert.equal(closedByClient.getPacketError(), Error.ERR_UNCONFIGURED);
  const other = closedByClient === sa ? sb : sa;
  other.disconnectFromPeer();
  w.run(100, () => b.getStatus() !== S.STATUS_CONNECTED);
  assert.equal(b.getStatus(), S.STATUS_DISCONNECTED, 'client saw close_notify');
  w.stop();
});

test('certificate checks: name mismatch, untrusted, expired, unsafe modes, the 3.2 form', async (t) => {
  if (!requireNative(t)) return;
  const good = keyAndCert('p256');
  const stranger = keyAndCert('p256', 'CN=myserver', undefined, undefined, 'stranger');
  const expired = keyAndCert('p256', 'CN=myserver', '20100101000000', '20200101000000');
  const outcome = async (server: KeyAndCert, connect: (w: World) => Promise<PacketPeerDTLS>) => {
    const w = new World(13, {}, server);
    await w.start();
    const c = await connect(w);
    w.run(2000, () => c.getStatus() !== S.STATUS_HANDSHAKING);
    w.stop();
    return { status: c.getStatus(), why: c.getLastError() };
  };
  const client = (name: string, trusted: X509Certificate | null = good.cert) =>
    (w: World) => w.connect(name, TLSOptions.client(trusted));

  assert.equal((await outcome(good, client('myserver'))).status, S.STATUS_CONNECTED);
  const mismatch = await outcome(good, client('other.example'));
  assert.equal(mismatch.status, S.STATUS_ERROR_HOSTNAME_MISMATCH, mismatch.why);
  assert.equal((await outcome(good, (w) => w.connect('other', TLSOptions.client(good.cert, 'myserver')))).status,
    S.STATUS_CONNECTED, 'commonNameOverride');
  const untrusted = await outcome(stranger, client('myserver'));
  assert.equal(untrusted.status, S.STATUS_ERROR);
  assert.match(untrusted.why, /certificate verify failed/);
  const old = await outcome(expired, client('myserver', expired.cert));
  assert.equal(old.status, S.STATUS_ERROR);
  assert.match(old.why, /expired/);
  const byIp = keyAndCert('p256', 'CN=10.0.0.1');
  assert.equal((await outcome(byIp, client('10.0.0.1', byIp.cert))).status, S.STATUS_CONNECTED,
    'an IP literal is matched against the CN as text, as mbedTLS does');
  assert.equal((await outcome(good, client('10.0.0.1'))).status, S.STATUS_ERROR_HOSTNAME_MISMATCH);
  const noRoots = await outcome(good, client('myserver', null));
  assert.equal(noRoots.status, S.STATUS_ERROR, 'a self-signed certificate is not in the default (Mozilla) roots');

  assert.equal((await outcome(stranger, (w) => w.connect('x', TLSOptions.clientUnsafe()))).status, S.STATUS_CONNECTED);
  assert.equal((await outcome(good, (w) => w.connect('x', TLSOptions.clientUnsafe(good.cert)))).status, S.STATUS_CONNECTED,
    'clientUnsafe(chain): the name is not checked…');
  assert.equal((await outcome(stranger, (w) => w.connect('x', TLSOptions.clientUnsafe(good.cert)))).status, S.STATUS_ERROR,
    '…but the chain is');

  const form32 = (validate: boolean, name: string, trusted: X509Certificate | null) => async (w: World) => {
    const { udp, platform } = await w.udpClient();
    const peer = new PacketPeerDTLS({ platform });
    assert.equal(peer.connectToPeer(udp, validate, name, trusted), Error.OK);
    w.clients.push(peer);
    return peer;
  };
  assert.equal((await outcome(stranger, form32(false, '', null))).status, S.STATUS_CONNECTED);
  assert.equal((await outcome(good, form32(true, 'myserver', good.cert))).status, S.STATUS_CONNECTED);
  assert.equal((await outcome(good, form32(true, 'nope', good.cert))).status, S.STATUS_ERROR_HOSTNAME_MISMATCH);
  assert.equal((await outcome(stranger, form32(true, 'myserver', good.cert))).status, S.STATUS_ERROR);
});

test('handshake timeout: a silent server, and a client that vanishes after the cookie', async (t) => {
  if (!requireNative(t)) return;
  const w = new World(14, {}, keyAndCert('p256'), { handshakeTimeoutMs: 10_000 });
  await w.start();
  const { udp, platform } = await w.udpClient('10.9.9.9'); // nobody there
  const lost = new PacketPeerDTLS({ platform });
  assert.equal(lost.connectToPeer(udp, 'myserver', TLSOptions.client(w.server.cert)), Error.OK);
  w.clients.push(lost);
  w.run(59_000, () => lost.getStatus() !== S.STATUS_HANDSHAKING, 500);
  assert.equal(lost.getStatus(), S.STATUS_HANDSHAKING, 'default handshake timeout is 60 s');
  w.run(2_000, () => lost.getStatus() !== S.STATUS_HANDSHAKING, 500);
  assert.equal(lost.getStatus(), S.STATUS_ERROR);
  assert.match(lost.getLastError(), /timed out/);

  // A client that passes the cookie exchange, then goes quiet: the server peer gives up.
  const n = loadNative() as NativeAddon;
  const cctx = n.createContext(false, null, null, null, false, null);
  const raw = n.sessionNew(cctx, null, null, 1400, 1000, null);
  const { udp: rawUdp } = await w.udpClient();
  n.sessionHandshake(raw);
  for (const d of n.sessionDrain(raw)) rawUdp.putPacket(d);
  w.run(50, () => rawUdp.getAvailablePacketCount() > 0);
  n.sessionFeed(raw, rawUdp.getPacket()); // HelloVerifyRequest
  n.sessionHandshake(raw);
  for (const d of n.sessionDrain(raw)) rawUdp.putPacket(d); // ClientHello with cookie, then silence
  w.run(50, () => w.loop.peers.length > 0);
  const half = w.loop.peers[0];
  assert.ok(half);
  assert.equal(half.getStatus(), S.STATUS_HANDSHAKING);
  w.run(9_000, () => half.getStatus() !== S.STATUS_HANDSHAKING, 500);
  assert.equal(half.getStatus(), S.STATUS_HANDSHAKING);
  w.run(2_000, () => half.getStatus() !== S.STATUS_HANDSHAKING, 500);
  assert.equal(half.getStatus(), S.STATUS_ERROR, 'handshakeTimeoutMs from the DTLSServer options');
  w.stop();
});

test('hostile datagrams in a live session: garbage, truncated and replayed records are dropped', async (t) => {
  if (!requireNative(t)) return;
  const w = new World(15);
  await w.start();
  const { udp, platform } = await w.udpClient();
  const client = new PacketPeerDTLS({ platform });
  assert.equal(client.connectToPeer(udp, 'myserver', TLSOptions.client(w.server.cert)), Error.OK);
  w.clients.push(client);
  w.run(1000, () => client.getStatus() === S.STATUS_CONNECTED && w.serverPeer() !== undefined);
  const server = w.serverPeer();
  assert.ok(server);
  const captured: Uint8Array[] = [];
  const untap = w.base.net.tap((d) => { if (d.to.port === 4433) captured.push(Uint8Array.from(d.data)); });
  assert.equal(client.putPacket(enc('genuine')), Error.OK);
  untap();
  const record = captured[0];
  assert.ok(record && captured.length === 1);
  udp.putPacket(enc('\x17\xfe\xfd garbage that looks a bit like a record'));
  udp.putPacket(record.subarray(0, 20));
  udp.putPacket(record); // replay
  udp.putPacket(new Uint8Array(3000).fill(0xaa));
  w.run(100);
  const got: string[] = [];
  while (server.getAvailablePacketCount() > 0) got.push(dec(server.getPacket()));
  assert.deepEqual(got, ['genuine']);
  assert.equal(server.getStatus(), S.STATUS_CONNECTED);
  assert.equal(client.putPacket(enc('still alive')), Error.OK);
  w.run(50, () => server.getAvailablePacketCount() > 0);
  assert.equal(dec(server.getPacket()), 'still alive');
  w.stop();
});

test('10,000 spoofed ClientHellos from varied ports: answered statelessly, memory flat, no session', async (t) => {
  if (!requireNative(t)) return;
  const w = new World(16);
  await w.start();
  const n = loadNative() as NativeAddon;
  const hello = (() => {
    const s = n.sessionNew(n.createContext(false, null, null, null, false, null), null, null, 1400, 1000, null);
    n.sessionHandshake(s);
    const d = n.sessionDrain(s)[0];
    n.sessionFree(s);
    assert.ok(d);
    return d;
  })();
  const attacker = w.base.net.createHost('attacker', ['10.6.6.6']);
  let answers = 0;
  w.base.net.tap((d) => { if (d.to.address === '10.6.6.6') answers++; });
  const rssBefore = process.memoryUsage().rss;
  const sources = new Set<number>();
  for (let i = 0; i < 10_000; i++) {
    const sock = attacker.createSocket('udp4');
    sock.send(hello, 4433, '10.0.0.1');
    sources.add(sock.localAddress()?.port ?? 0);
    sock.close();
    if (i % 16 === 15) w.run(1, () => false, 1);
  }
  w.run(50);
  const grown = (process.memoryUsage().rss - rssBefore) / (1024 * 1024);
  assert.equal(sources.size, 10_000, 'every hello from its own port');
  assert.equal(w.loop.peers.length, 0, 'no DTLS peer got past the cookie');
  assert.equal(w.loop.cookieRejects, w.loop.taken);
  assert.ok(w.loop.taken > 9_000, `taken ${w.loop.taken} (the rest refused by UDPServer's pending limit)`);
  assert.equal(answers, w.loop.taken, 'one HelloVerifyRequest per taken hello, nothing more');
  assert.ok(grown < 64, `RSS grew ${grown.toFixed(1)} MiB`);
  // The server still serves a real client afterwards.
  const c = await w.connect('myserver', TLSOptions.client(w.server.cert));
  w.run(1000, () => c.getStatus() === S.STATUS_CONNECTED);
  assert.equal(c.getStatus(), S.STATUS_CONNECTED);
  w.stop();
});

/** Lets promise callbacks (PacketPeerUDP.wait → auto-poll) run, as an event loop would. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

test('Node form: DTLSServer.acceptFrom + auto-polling peers, events only, no poll() calls', async (t) => {
  if (!requireNative(t)) return;
  const base = createTestPlatform({ seed: 17, conditions: { latency: 3, jitter: 2 } });
  const sp = hostPlatform(base, base.net.createHost('server', ['10.0.0.1']));
  const cp = hostPlatform(base, base.net.createHost('client', ['10.0.0.2']));
  const kc = keyAndCert('p256');
  const udpServer = new UDPServer({ platform: sp });
  assert.equal(await udpServer.listen(4433), Error.OK);
  const server = new DTLSServer({ platform: sp });
  assert.equal(server.acceptFrom(udpServer), Error.ERR_UNCONFIGURED);
  assert.equal(server.setup(TLSOptions.server(kc.key, kc.cert)), Error.OK);
  assert.equal(server.acceptFrom(udpServer), Error.OK);
  assert.equal(server.acceptFrom(udpServer), Error.ERR_ALREADY_IN_USE);
  const accepted: PacketPeerDTLS[] = [];
  server.on('connection', (peer) => {
    accepted.push(peer);
    peer.on('packet', (d) => peer.putPacket(d));
  });

  const udp = new PacketPeerUDP({ platform: cp });
  assert.equal(await udp.connectToHost('10.0.0.1', 4433), Error.OK);
  const client = new PacketPeerDTLS({ platform: cp });
  client.setAutoPoll(true);
  const statuses: number[] = [];
  client.on('status', (s) => statuses.push(s));
  const echoed: string[] = [];
  client.on('packet', (d) => echoed.push(dec(d)));
  assert.equal(client.connectToPeer(udp, 'myserver', TLSOptions.client(kc.cert)), Error.OK);
  const done = client.waitForHandshake();
  for (let i = 0; i < 200 && client.getStatus() === S.STATUS_HANDSHAKING; i++) {
    base.clock.advance(1);
    await settle();
  }
  assert.equal(await done, S.STATUS_CONNECTED, client.getLastError());
  assert.deepEqual(statuses, [S.STATUS_HANDSHAKING, S.STATUS_CONNECTED]);
  for (let i = 0; i < 20 && accepted.length === 0; i++) {
    base.clock.advance(1);
    await settle();
  }
  assert.equal(accepted.length, 1, "one 'connection' (the cookie exchange is not one)");
  for (let i = 0; i < 20; i++) assert.equal(client.putPacket(enc(`m${i}`)), Error.OK);
  for (let i = 0; i < 100 && echoed.length < 20; i++) {
    base.clock.advance(1);
    await settle();
  }
  assert.deepEqual([...echoed].sort(), Array.from({ length: 20 }, (_, i) => `m${i}`).sort(), 'all echoed (jitter reorders)');
  assert.equal(client.getAvailablePacketCount(), 0, "with a 'packet' listener nothing is queued");
  client.disconnectFromPeer();
  for (let i = 0; i < 20 && accepted[0]?.getStatus() !== S.STATUS_DISCONNECTED; i++) {
    base.clock.advance(1);
    await settle();
  }
  assert.equal(accepted[0]?.getStatus(), S.STATUS_DISCONNECTED, 'close_notify seen by the auto-polling server peer');
  server.stopAccepting();
  udpServer.stop();
});

test('Node form: the handshake deadline fires from a platform timer (no poll() calls)', async (t) => {
  if (!requireNative(t)) return;
  const base = createTestPlatform({ seed: 18 });
  const cp = hostPlatform(base, base.net.createHost('client', ['10.0.0.2']));
  const udp = new PacketPeerUDP({ platform: cp });
  assert.equal(await udp.connectToHost('10.0.0.99', 4433), Error.OK);
  const client = new PacketPeerDTLS({ platform: cp, handshakeTimeoutMs: 5000 });
  client.setAutoPoll(true);
  assert.equal(client.connectToPeer(udp, 'myserver', TLSOptions.clientUnsafe()), Error.OK);
  const done = client.waitForHandshake();
  base.clock.advance(4999);
  await settle();
  assert.equal(client.getStatus(), S.STATUS_HANDSHAKING);
  base.clock.advance(1);
  await settle();
  assert.equal(await done, S.STATUS_ERROR);
  assert.match(client.getLastError(), /timed out/);
  assert.equal(base.timers.pendingTimers(), 0, 'no timer left behind');
});

test('fuzz: 3000 mutated records (bit flips, cuts, splices, epochs, lengths) never break a live session', async (t) => {
  if (!requireNative(t)) return;
  const seed = Number(process.env['GDWIRE_FUZZ_SEED'] ?? 2025);
  t.diagnostic(`seed ${seed}`);
  const rng = new Rng(seed);
  const w = new World(19);
  await w.start();
  const { udp, platform } = await w.udpClient();
  const client = new PacketPeerDTLS({ platform });
  assert.equal(client.connectToPeer(udp, 'myserver', TLSOptions.client(w.server.cert)), Error.OK);
  w.clients.push(client);
  const captured: Uint8Array[] = [];
  const untap = w.base.net.tap((d) => { if (d.to.port === 4433) captured.push(Uint8Array.from(d.data)); });
  w.run(1000, () => client.getStatus() === S.STATUS_CONNECTED && w.serverPeer() !== undefined);
  const server = w.serverPeer();
  assert.ok(server);
  for (let i = 0; i < 5; i++) client.putPacket(enc(`sample ${i}`));
  w.run(20);
  untap();
  while (server.getAvailablePacketCount() > 0) server.getPacket();
  const samples = captured.filter((d) => d.length > 13);
  assert.ok(samples.length >= 5);
  for (let i = 0; i < 3000; i++) {
    const base = samples[rng.u32() % samples.length] ?? new Uint8Array(0);
    let m = Uint8Array.from(base);
    switch (rng.u32() % 6) {
      case 0: for (let k = 1 + (rng.u32() % 4); k > 0; k--) { const at = rng.u32() % m.length; m[at] = (m[at] ?? 0) ^ (1 << (rng.u32() % 8)); } break;
      case 1: m = m.subarray(0, rng.u32() % m.length); break;
      case 2: m[3] = rng.u32() & 0xff; m[4] = rng.u32() & 0xff; break; // epoch
      case 3: m[11] = rng.u32() & 0xff; m[12] = rng.u32() & 0xff; break; // length
      case 4: { const other = samples[rng.u32() % samples.length] ?? m; const cut = rng.u32() % m.length; const s = new Uint8Array(cut + other.length); s.set(m.subarray(0, cut)); s.set(other, cut); m = s; break; }
      default: m = new Uint8Array(rng.u32() % 1500).map(() => rng.u32() & 0xff);
    }
    udp.putPacket(m);
    w.run(1);
    if (server.getStatus() !== S.STATUS_CONNECTED) assert.fail(`mutation ${i} (${Buffer.from(m).toString("hex")}, ${m.length} B) broke the session: ${server.getLastError()}`);
  }
  w.run(50);
  const got: string[] = [];
  while (server.getAvailablePacketCount() > 0) got.push(dec(server.getPacket()));
  assert.deepEqual(got, [], 'nothing forged got through');
  assert.equal(server.getStatus(), S.STATUS_CONNECTED);
  assert.equal(client.putPacket(enc('after the storm')), Error.OK);
  w.run(50, () => server.getAvailablePacketCount() > 0);
  assert.equal(dec(server.getPacket()), 'after the storm');
  assert.equal(server.putPacket(enc('and back')), Error.OK);
  w.run(50, () => client.getAvailablePacketCount() > 0);
  assert.equal(dec(client.getPacket()), 'and back');
  w.stop();
});
