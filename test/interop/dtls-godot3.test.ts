/**
 * DTLS against real Godot 3.2.3 (mbedTLS 2.x), on 127.0.0.1, both ways:
 * 1. Godot PacketPeerDTLS (test/godot/dtls_client.gd) → gdwire DTLSServer with a gdwire-made
 *    RSA-4096 certificate, which Godot loads as its trusted certificate (fragmented flights,
 *    HelloVerifyRequest, chain + CN check by mbedTLS); Variant values echoed both ways.
 * 2. gdwire PacketPeerDTLS → Godot DTLSServer (test/godot/dtls_server.gd) with a key and
 *    certificate made by Godot's Crypto and loaded here; Godot's first take_connection() per
 *    client ends in STATUS_ERROR (cookie exchange), the retry connects.
 * 3. The same with a gdwire-made key and certificate loaded by Godot.
 * 4. Name checks: gdwire → Godot with a wrong host name ends in STATUS_ERROR_HOSTNAME_MISMATCH;
 *    Godot → gdwire with a wrong for_hostname is refused by mbedTLS.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CryptoKey } from '../../src/core/crypto/crypto-key.js';
import { TLSOptions } from '../../src/core/crypto/tls-options.js';
import { X509Certificate } from '../../src/core/crypto/x509-certificate.js';
import { Error } from '../../src/core/error.js';
import { DTLSServer } from '../../src/core/io/dtls-server.js';
import { PacketPeerDTLS } from '../../src/core/io/packet-peer-dtls.js';
import { PacketPeerUDP } from '../../src/core/io/packet-peer-udp.js';
import { UDPServer } from '../../src/core/io/udp-server.js';
import { bytesToVar } from '../../src/core/variant/codec.js';
import { AcceptLoop, PemDir, keyAndCert, pollUntil, requireNative } from '../helpers/dtls.js';
import { GodotPeer, freeUdpPort, requireGodot3 } from '../helpers/godot.js';

const TIMEOUT = 60_000;
const GODOT_MS = 30_000;

function setupOrSkip(t: TestContext): string | null {
  if (!requireNative(t)) return null;
  return requireGodot3(t);
}

/** Runs a gdwire echo server until Godot's dtls_client.gd exits; returns what gdwire decoded. */
async function godotClientAgainstGdwire(t: TestContext, bin: string, hostname: string, expect: 'ok' | 'error') {
  const { key, cert } = keyAndCert('rsa4096');
  const pem = new PemDir();
  t.after(() => pem.dispose());
  const udp = new UDPServer({ godot: 3 });
  t.after(() => udp.stop());
  assert.equal(await udp.listen(0, '127.0.0.1'), Error.OK);
  const dtls = new DTLSServer({ godot: 3 });
  assert.equal(dtls.setup(key, cert), Error.OK); // the 3.2 form
  const loop = new AcceptLoop(udp, dtls);
  const godot = GodotPeer.start({
    bin, script: 'dtls_client.gd', timeoutMs: GODOT_MS,
    args: { port: udp.getLocalPort(), cert: pem.write('cert.crt', cert.saveToString()), hostname, expect, timeout: 20 },
  });
  t.after(async () => { await godot.dispose(); });
  let exited = false;
  void godot.exited.then(() => { exited = true; });
  const decoded: string[] = [];
  await pollUntil(() => {
    loop.step();
    for (const p of loop.peers) {
      while (p.getAvailablePacketCount() > 0) {
        const pkt = p.getPacket();
        try {
          decoded.push(JSON.stringify(bytesToVar(pkt, { godot: 3 }), (_k, v: unknown) => typeof v === 'bigint' ? Number(v) : v));
        } catch {
          decoded.push(new TextDecoder().decode(pkt));
        }
        p.putPacket(pkt);
      }
    }
  }, () => exited, GODOT_MS);
  const r = await godot.finish();
  return { r, loop, decoded, describe: godot.describe() };
}

test('Godot 3.2.3 PacketPeerDTLS → gdwire DTLSServer (gdwire RSA-4096 certificate loaded by Godot)', { timeout: TIMEOUT }, async (t) => {
  const bin = setupOrSkip(t);
  if (!bin) return;
  const { r, loop, decoded, describe } = await godotClientAgainstGdwire(t, bin, 'myserver', 'ok');
  assert.ok(r.ok, describe);
  for (let i = 0; i < 7; i++) assert.match(r.stdout, new RegExp(`^ECHO_OK ${i}$`, 'm'), describe);
  assert.doesNotMatch(r.stdout, /ECHO_BAD/, describe);
  assert.ok(loop.cookieRejects >= 1, 'Godot answered our HelloVerifyRequest');
  assert.ok(decoded.includes('"hello gdwire"') && decoded.includes('42'), decoded.join('\n'));
  assert.ok(decoded.includes('GDWIRE_DONE'), decoded.join('\n'));
  // Godot's disconnect_from_peer() sent close_notify: the gdwire peer went DISCONNECTED.
  await pollUntil(() => loop.step(), () => loop.peers.some((p) => p.getStatus() === PacketPeerDTLS.STATUS_DISCONNECTED), 3000);
  assert.ok(loop.peers.some((p) => p.getStatus() === PacketPeerDTLS.STATUS_DISCONNECTED), 'close_notify from Godot');
});

test('Godot 3.2.3 client with a wrong for_hostname refuses the gdwire server', { timeout: TIMEOUT }, async (t) => {
  const bin = setupOrSkip(t);
  if (!bin) return;
  const { r, loop, describe } = await godotClientAgainstGdwire(t, bin, 'not-myserver', 'error');
  assert.ok(r.ok, describe);
  assert.match(r.stdout, /STATUS 3/, describe);
  assert.ok(!loop.peers.some((p) => p.getStatus() === PacketPeerDTLS.STATUS_CONNECTED), 'no gdwire peer connected');
});

/** Connects a gdwire client to a Godot DTLSServer and echoes a few packets. */
async function gdwireClientAgainstGodot(t: TestContext, godot: GodotPeer, port: number, trusted: X509Certificate,
  form: 'godot4' | 'godot3') {
  const udp = new PacketPeerUDP({ godot: 3 });
  udp.on('error', () => {}); // ICMP unreachable once Godot has exited (our close_notify answer)
  t.after(() => udp.close());
  assert.equal(await udp.connectToHost('127.0.0.1', port), Error.OK);
  const peer = new PacketPeerDTLS({ godot: 3 });
  const err = form === 'godot4'
    ? peer.connectToPeer(udp, 'myserver', TLSOptions.client(trusted))
    : peer.connectToPeer(udp, true, 'myserver', trusted);
  assert.equal(err, Error.OK);
  await pollUntil(() => peer.poll(), () => peer.getStatus() !== PacketPeerDTLS.STATUS_HANDSHAKING, 15_000);
  assert.equal(peer.getStatus(), PacketPeerDTLS.STATUS_CONNECTED, `${peer.getLastError()}\n${godot.describe()}`);
  const sent = ['hello godot', 12345, [1.5, 'x']] as const;
  const echoed: unknown[] = [];
  for (const v of sent) {
    assert.equal(peer.putVar(v as never), Error.OK);
    assert.ok(await pollUntil(() => peer.poll(), () => peer.getAvailablePacketCount() > 0, 5000), godot.describe());
    echoed.push(peer.getVar());
  }
  assert.equal(echoed[0], 'hello godot');
  assert.equal(Number(echoed[1]), 12345);
  assert.equal(peer.putPacket(new TextEncoder().encode('GDWIRE_DONE')), Error.OK);
  await pollUntil(() => peer.poll(), () => peer.getStatus() !== PacketPeerDTLS.STATUS_CONNECTED, 5000);
  assert.equal(peer.getStatus(), PacketPeerDTLS.STATUS_DISCONNECTED, 'Godot closed with close_notify');
}

test('gdwire PacketPeerDTLS → Godot 3.2.3 DTLSServer (Godot-made key and certificate loaded by gdwire)', { timeout: TIMEOUT }, async (t) => {
  const bin = setupOrSkip(t);
  if (!bin) return;
  const pem = new PemDir();
  t.after(() => pem.dispose());
  const port = await freeUdpPort();
  const keyOut = join(pem.dir, 'godot.key');
  const certOut = join(pem.dir, 'godot.crt');
  const godot = GodotPeer.start({
    bin, script: 'dtls_server.gd', timeoutMs: GODOT_MS,
    args: { port, bits: 2048, key_out: keyOut, cert_out: certOut, timeout: 20 },
  });
  t.after(async () => { await godot.dispose(); });
  await godot.waitForLine(/^GDWIRE_READY/, 15_000);

  const cert = new X509Certificate();
  assert.equal(cert.load(certOut), Error.OK);
  const key = new CryptoKey();
  assert.equal(key.load(keyOut), Error.OK);
  assert.equal(key.getKeySize(), 2048);
  assert.equal(key.saveToString(true), cert.parsed()[0]?.publicKeyPem, 'Godot saved a matching key and certificate');

  // A wrong name first: the chain verifies, the name does not.
  const udpBad = new PacketPeerUDP();
  t.after(() => udpBad.close());
  assert.equal(await udpBad.connectToHost('127.0.0.1', port), Error.OK);
  const bad = new PacketPeerDTLS();
  assert.equal(bad.connectToPeer(udpBad, 'not-myserver', TLSOptions.client(cert)), Error.OK);
  await pollUntil(() => bad.poll(), () => bad.getStatus() !== PacketPeerDTLS.STATUS_HANDSHAKING, 15_000);
  assert.equal(bad.getStatus(), PacketPeerDTLS.STATUS_ERROR_HOSTNAME_MISMATCH, bad.getLastError());

  await gdwireClientAgainstGodot(t, godot, port, cert, 'godot4');
  const r = await godot.finish();
  assert.ok(r.ok, godot.describe());
  assert.match(r.stdout, /^TAKE 3$/m, 'Godot: the first take_connection per client ends in STATUS_ERROR');
  assert.match(r.stdout, /^CONNECTED$/m, godot.describe());
});

test('gdwire PacketPeerDTLS (3.2 form) → Godot 3.2.3 DTLSServer running a gdwire-made key and certificate', { timeout: TIMEOUT }, async (t) => {
  const bin = setupOrSkip(t);
  if (!bin) return;
  const { key, cert } = keyAndCert('rsa2048');
  const pem = new PemDir();
  t.after(() => pem.dispose());
  const port = await freeUdpPort();
  const godot = GodotPeer.start({
    bin, script: 'dtls_server.gd', timeoutMs: GODOT_MS,
    args: { port, key: pem.write('k.key', key.saveToString()), cert: pem.write('c.crt', cert.saveToString()), timeout: 20 },
  });
  t.after(async () => { await godot.dispose(); });
  await godot.waitForLine(/^GDWIRE_READY/, 15_000);
  await gdwireClientAgainstGodot(t, godot, port, cert, 'godot3');
  const r = await godot.finish();
  assert.ok(r.ok, godot.describe());
});
