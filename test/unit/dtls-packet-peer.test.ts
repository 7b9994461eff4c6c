/** PacketPeerDTLS / DTLSServer API contract: Godot's constants, argument errors, statuses. */
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { CryptoKey } from '../../src/core/crypto/crypto-key.js';
import { TLSOptions } from '../../src/core/crypto/tls-options.js';
import { Error } from '../../src/core/error.js';
import { DTLSServer } from '../../src/core/io/dtls-server.js';
import { DTLSStatus, PacketPeerDTLS } from '../../src/core/io/packet-peer-dtls.js';
import { PacketPeerUDP } from '../../src/core/io/packet-peer-udp.js';
import { UDPServer } from '../../src/core/io/udp-server.js';
import { createTestPlatform, hostPlatform } from '../../src/platform/test-platform.js';
import { keyAndCert, requireNative } from '../helpers/dtls.js';

test('status numbers and max packet size are Godot\'s', () => {
  assert.equal(PacketPeerDTLS.STATUS_DISCONNECTED, 0);
  assert.equal(PacketPeerDTLS.STATUS_HANDSHAKING, 1);
  assert.equal(PacketPeerDTLS.STATUS_CONNECTED, 2);
  assert.equal(PacketPeerDTLS.STATUS_ERROR, 3);
  assert.equal(PacketPeerDTLS.STATUS_ERROR_HOSTNAME_MISMATCH, 4);
  assert.equal(DTLSStatus.STATUS_ERROR_HOSTNAME_MISMATCH, 4);
  const p = new PacketPeerDTLS({ platform: createTestPlatform() });
  assert.equal(p.getMaxPacketSize(), 488);
  assert.equal(p.getStatus(), PacketPeerDTLS.STATUS_DISCONNECTED);
});

test('not connected: putPacket ERR_UNCONFIGURED, getPacket empty with ERR_UNCONFIGURED, poll/disconnect harmless', () => {
  const p = new PacketPeerDTLS({ platform: createTestPlatform() });
  assert.equal(p.putPacket(Uint8Array.of(1)), Error.ERR_UNCONFIGURED);
  assert.equal(p.putVar('x'), Error.ERR_UNCONFIGURED);
  assert.equal(p.getPacket().length, 0);
  assert.equal(p.getPacketError(), Error.ERR_UNCONFIGURED);
  assert.equal(p.getAvailablePacketCount(), 0);
  p.poll();
  p.disconnectFromPeer();
  assert.equal(p.getStatus(), PacketPeerDTLS.STATUS_DISCONNECTED);
  assert.equal(p.getNextTimeout(), -1);
  assert.equal(p.getPeerCertificate(), null);
  assert.equal(p.getConnectionInfo(), null);
});

test('connectToPeer: the UDP peer must be connectToHost()-ed; server options are refused', async (t) => {
  if (!requireNative(t)) return;
  const platform = createTestPlatform();
  const p = new PacketPeerDTLS({ platform });
  const unconnected = new PacketPeerUDP({ platform });
  assert.equal(p.connectToPeer(unconnected, 'myserver'), Error.ERR_INVALID_PARAMETER);
  assert.equal(p.connectToPeer(unconnected), Error.ERR_INVALID_PARAMETER, '3.2 form');
  const udp = new PacketPeerUDP({ platform });
  assert.equal(await udp.connectToHost('127.0.0.1', 9), Error.OK);
  const { key, cert } = keyAndCert('p256');
  assert.equal(p.connectToPeer(udp, 'myserver', TLSOptions.server(key, cert)), Error.ERR_INVALID_PARAMETER);
  assert.equal(p.connectToPeer(udp, 'myserver\0.evil', TLSOptions.client(cert)), Error.ERR_INVALID_PARAMETER, 'NUL in the name');
  assert.equal(p.getStatus(), PacketPeerDTLS.STATUS_DISCONNECTED);
  assert.equal(p.connectToPeer(udp, 'myserver', TLSOptions.client(cert)), Error.OK);
  assert.equal(p.getStatus(), PacketPeerDTLS.STATUS_HANDSHAKING);
  assert.ok(p.getNextTimeout() > 0 && p.getNextTimeout() <= 1000, `retransmission due in ≤ 1 s (${p.getNextTimeout()})`);
  const seen: DTLSStatus[] = [];
  p.on('status', (s) => seen.push(s));
  p.disconnectFromPeer();
  assert.equal(p.getStatus(), PacketPeerDTLS.STATUS_DISCONNECTED);
  assert.deepEqual(seen, [PacketPeerDTLS.STATUS_DISCONNECTED]);
  assert.equal(udp.isSocketConnected(), true, 'a client\'s UDP peer is the application\'s: left open');
  udp.close();
});

test('DTLSServer.setup: twice → ERR_ALREADY_IN_USE; client options, public-only key or mismatched key → ERR_INVALID_PARAMETER', (t) => {
  if (!requireNative(t)) return;
  const platform = createTestPlatform();
  const a = keyAndCert('p256');
  const b = keyAndCert('p256', 'CN=b', undefined, undefined, 'b');
  assert.equal(new DTLSServer({ platform }).setup(TLSOptions.client()), Error.ERR_INVALID_PARAMETER);
  assert.equal(new DTLSServer({ platform }).setup(TLSOptions.server(a.key, b.cert)), Error.ERR_INVALID_PARAMETER);
  const pub = new CryptoKey();
  assert.equal(pub.loadFromString(a.key.saveToString(true), true), Error.OK);
  assert.equal(new DTLSServer({ platform }).setup(TLSOptions.server(pub, a.cert)), Error.ERR_INVALID_PARAMETER);
  const s = new DTLSServer({ platform });
  assert.equal(s.setup(a.key, a.cert), Error.OK, '3.2 form');
  assert.equal(s.setup(TLSOptions.server(a.key, a.cert)), Error.ERR_ALREADY_IN_USE);
  assert.equal(new DTLSServer({ platform }).setup(a.key, a.cert, b.cert), Error.OK, '3.2 form with a chain');
});

test('DTLSServer.takeConnection: not set up → a DISCONNECTED peer; the cookie exchange → ERROR and the UDP peer released', async (t) => {
  if (!requireNative(t)) return;
  const base = createTestPlatform();
  const sp = hostPlatform(base, base.net.createHost('s', ['10.0.0.1']));
  const cp = hostPlatform(base, base.net.createHost('c', ['10.0.0.2']));
  const udp = new UDPServer({ platform: sp });
  assert.equal(await udp.listen(4433), Error.OK);
  const client = new PacketPeerUDP({ platform: cp });
  assert.equal(await client.connectToHost('10.0.0.1', 4433), Error.OK);
  const { key, cert } = keyAndCert('p256');
  const c = new PacketPeerDTLS({ platform: cp });
  assert.equal(c.connectToPeer(client, 'myserver', TLSOptions.client(cert)), Error.OK);
  base.clock.advance(1);
  udp.poll();
  const first = udp.takeConnection();
  assert.ok(first);
  assert.equal(new DTLSServer({ platform: sp }).takeConnection(first).getStatus(), PacketPeerDTLS.STATUS_DISCONNECTED);
  const server = new DTLSServer({ platform: sp });
  assert.equal(server.setup(TLSOptions.server(key, cert)), Error.OK);
  const peer = server.takeConnection(first);
  assert.equal(peer.getStatus(), PacketPeerDTLS.STATUS_ERROR);
  assert.match(peer.getLastError(), /cookie/);
  assert.equal(first.isBound(), false, 'the UDP peer was closed: the retry is a new connection');
  base.clock.advance(1);
  c.poll(); // reads the HelloVerifyRequest, sends the ClientHello with the cookie
  base.clock.advance(1);
  udp.poll();
  const second = udp.takeConnection();
  assert.ok(second);
  assert.equal(server.takeConnection(second).getStatus(), PacketPeerDTLS.STATUS_HANDSHAKING);
  udp.stop();
});

test('without the native addon: ERR_UNAVAILABLE with a clear reason, the rest of gdwire unaffected', () => {
  // A fresh process whose addon path points nowhere.
  const script = `
    const { PacketPeerDTLS } = await import(${JSON.stringify(new URL('../../src/core/io/packet-peer-dtls.js', import.meta.url).href)});
    const { DTLSServer } = await import(${JSON.stringify(new URL('../../src/core/io/dtls-server.js', import.meta.url).href)});
    const { PacketPeerUDP } = await import(${JSON.stringify(new URL('../../src/core/io/packet-peer-udp.js', import.meta.url).href)});
    const { Crypto } = await import(${JSON.stringify(new URL('../../src/core/crypto/crypto.js', import.meta.url).href)});
    const { TLSOptions } = await import(${JSON.stringify(new URL('../../src/core/crypto/tls-options.js', import.meta.url).href)});
    const { nativeLoadError } = await import(${JSON.stringify(new URL('../../src/core/crypto/native.js', import.meta.url).href)});
    const crypto = new Crypto();
    const key = crypto.generateRsa(1024);
    const cert = crypto.generateSelfSignedCertificate(key);
    const udp = new PacketPeerUDP();
    await udp.connectToHost('127.0.0.1', 9);
    const out = {
      connect: new PacketPeerDTLS().connectToPeer(udp, 'x'),
      setup: new DTLSServer().setup(TLSOptions.server(key, cert)),
      cert: cert !== null,
      why: nativeLoadError(),
    };
    udp.close();
    console.log(JSON.stringify(out));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8', env: { ...process.env, GDWIRE_NATIVE: '/nonexistent/gdwire_dtls.node', GDWIRE_LOG_LEVEL: 'silent' }, timeout: 20_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  assert.equal(out['connect'], Error.ERR_UNAVAILABLE);
  assert.equal(out['setup'], Error.ERR_UNAVAILABLE);
  assert.equal(out['cert'], true, 'certificates are made without the addon');
  assert.match(String(out['why']), /failed to load/);
});

test('an addon left over from an older build (functions missing) is refused with a clear reason, not used', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gdwire-stale-'));
  try {
    // Stands in for an old .node file: require() loads it the same way.
    const stale = join(dir, 'stale.cjs');
    writeFileSync(stale, 'module.exports = { sessionNew() {}, sessionRecv() {}, sessionSend() {} };');
    const script = `
      const { isNativeAvailable, nativeLoadError } = await import(${JSON.stringify(new URL('../../src/core/crypto/native.js', import.meta.url).href)});
      console.log(JSON.stringify({ available: isNativeAvailable(), why: nativeLoadError() }));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8', env: { ...process.env, GDWIRE_NATIVE: stale }, timeout: 20_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    assert.equal(out['available'], false);
    assert.match(String(out['why']), /out of date \(no sessionRecvInto, sessionSendInto\).*npm rebuild/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('closing the UDP peer under a live DTLS peer: STATUS_ERROR on the next poll (Godot\'s bio_recv)', async (t) => {
  if (!requireNative(t)) return;
  const platform = createTestPlatform();
  const udp = new PacketPeerUDP({ platform });
  assert.equal(await udp.connectToHost('127.0.0.1', 9), Error.OK);
  const p = new PacketPeerDTLS({ platform });
  assert.equal(p.connectToPeer(udp, 'x', TLSOptions.clientUnsafe()), Error.OK);
  udp.close();
  p.poll();
  assert.equal(p.getStatus(), PacketPeerDTLS.STATUS_ERROR);
  assert.match(p.getLastError(), /closed/);
});
