/**
 * DTLS 1.2 against the OpenSSL command line, on 127.0.0.1, both ways:
 * - gdwire DTLSServer ↔ `openssl s_client -dtls1_2` (which verifies our chain and name, and
 *   answers our HelloVerifyRequest), RSA-4096 (fragmented flights) and ECDSA P-256;
 * - gdwire PacketPeerDTLS ↔ `openssl s_server -dtls1_2`, without and with `-listen` (cookies).
 * Every openssl process is killed by pid when its test ends.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CryptoKey } from '../../src/core/crypto/crypto-key.js';
import { TLSOptions } from '../../src/core/crypto/tls-options.js';
import { X509Certificate } from '../../src/core/crypto/x509-certificate.js';
import { Error } from '../../src/core/error.js';
import { DTLSServer } from '../../src/core/io/dtls-server.js';
import { PacketPeerDTLS } from '../../src/core/io/packet-peer-dtls.js';
import { PacketPeerUDP } from '../../src/core/io/packet-peer-udp.js';
import { UDPServer } from '../../src/core/io/udp-server.js';
import { AcceptLoop, OpenSSLProcess, PemDir, keyAndCert, pollUntil, requireNative } from '../helpers/dtls.js';
import { freeUdpPort, interopRequired } from '../helpers/godot.js';

const TIMEOUT = 60_000;
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function requireOpenSSL(t: TestContext): boolean {
  if (!requireNative(t)) return false;
  const r = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  if (r.status === 0) return true;
  const why = 'openssl CLI not installed (apt-get install openssl)';
  if (interopRequired()) assert.fail(`${why}; GDWIRE_REQUIRE_INTEROP=1 makes that a failure`);
  t.diagnostic(`SKIPPED: ${why}`);
  t.skip(why);
  return false;
}

async function serverCase(t: TestContext, kind: 'rsa4096' | 'p256'): Promise<void> {
  if (!requireOpenSSL(t)) return;
  const { key, cert } = keyAndCert(kind);
  const pem = new PemDir();
  t.after(() => pem.dispose());
  const udp = new UDPServer();
  t.after(() => udp.stop());
  assert.equal(await udp.listen(0, '127.0.0.1'), Error.OK);
  const dtls = new DTLSServer();
  assert.equal(dtls.setup(TLSOptions.server(key, cert)), Error.OK);
  const loop = new AcceptLoop(udp, dtls);
  const client = new OpenSSLProcess(['s_client', '-dtls1_2', '-connect', `127.0.0.1:${udp.getLocalPort()}`,
    '-CAfile', pem.write('ca.pem', cert.saveToString()), '-verify_hostname', 'myserver', '-verify_return_error']);
  t.after(() => client.dispose());

  const connected = await pollUntil(() => loop.step(), () => loop.peers.some((p) => p.getStatus() === PacketPeerDTLS.STATUS_CONNECTED), 15_000);
  assert.ok(connected, `no DTLS connection\n${client.describe()}`);
  const peer = loop.peers.find((p) => p.getStatus() === PacketPeerDTLS.STATUS_CONNECTED);
  assert.ok(peer);
  assert.equal(loop.cookieRejects, 1, 'one HelloVerifyRequest, then the cookie-carrying retry');
  assert.ok(await client.waitFor(/Verification: OK|Verify return code: 0 \(ok\)/), client.describe());
  assert.equal(peer.getConnectionInfo()?.version, 'DTLSv1.2');

  client.write('hello from openssl\n');
  const got: string[] = [];
  assert.ok(await pollUntil(() => {
    loop.step();
    while (peer.getAvailablePacketCount() > 0) got.push(text(peer.getPacket()));
  }, () => got.join('').includes('hello from openssl'), 5000), `server got ${JSON.stringify(got)}`);

  assert.equal(peer.putPacket(bytes('pong from gdwire\n')), Error.OK);
  assert.ok(await client.waitFor(/pong from gdwire/), client.describe());

  peer.disconnectFromPeer(); // close_notify: s_client ends
  assert.equal(peer.getStatus(), PacketPeerDTLS.STATUS_DISCONNECTED);
  assert.ok(await client.waitFor(/DONE|closed|shutdown/i, 5000), client.describe());
}

test('gdwire DTLSServer (RSA-4096, Godot profile) ↔ openssl s_client -dtls1_2', { timeout: TIMEOUT }, async (t) => {
  await serverCase(t, 'rsa4096');
});

test('gdwire DTLSServer (ECDSA P-256) ↔ openssl s_client -dtls1_2', { timeout: TIMEOUT }, async (t) => {
  await serverCase(t, 'p256');
});

async function clientCase(t: TestContext, listen: boolean): Promise<void> {
  if (!requireOpenSSL(t)) return;
  const { key, cert } = keyAndCert('rsa4096');
  const pem = new PemDir();
  t.after(() => pem.dispose());
  const port = await freeUdpPort();
  const server = new OpenSSLProcess(['s_server', '-dtls1_2', '-accept', String(port), '-naccept', '1',
    '-cert', pem.write('cert.pem', cert.saveToString()), '-key', pem.write('key.pem', key.saveToString()),
    ...(listen ? ['-listen'] : [])]);
  t.after(() => server.dispose());
  assert.ok(await server.waitFor(/ACCEPT/), server.describe());

  const udp = new PacketPeerUDP();
  t.after(() => udp.close());
  assert.equal(await udp.connectToHost('127.0.0.1', port), Error.OK);
  const peer = new PacketPeerDTLS();
  assert.equal(peer.connectToPeer(udp, 'myserver', TLSOptions.client(cert)), Error.OK);
  assert.equal(peer.getStatus(), PacketPeerDTLS.STATUS_HANDSHAKING);
  const ok = await pollUntil(() => peer.poll(), () => peer.getStatus() !== PacketPeerDTLS.STATUS_HANDSHAKING, 15_000);
  assert.ok(ok, 'handshake did not finish');
  assert.equal(peer.getStatus(), PacketPeerDTLS.STATUS_CONNECTED, `${peer.getLastError()}\n${server.describe()}`);
  assert.equal(peer.getPeerCertificate()?.saveToString(), cert.saveToString());

  assert.equal(peer.putPacket(bytes('hello from gdwire\n')), Error.OK);
  assert.ok(await server.waitFor(/hello from gdwire/), server.describe());
  server.write('hi from openssl\n');
  const got: string[] = [];
  assert.ok(await pollUntil(() => {
    peer.poll();
    while (peer.getAvailablePacketCount() > 0) got.push(text(peer.getPacket()));
  }, () => got.join('').includes('hi from openssl'), 5000), `client got ${JSON.stringify(got)}`);

  peer.disconnectFromPeer();
  assert.ok(await server.waitFor(/DONE|shutting down|CONNECTION CLOSED/i, 5000), server.describe());
  await sleep(10);
}

test('gdwire PacketPeerDTLS ↔ openssl s_server -dtls1_2 (no cookie exchange)', { timeout: TIMEOUT }, async (t) => {
  await clientCase(t, false);
});

test('gdwire PacketPeerDTLS ↔ openssl s_server -dtls1_2 -listen (HelloVerifyRequest cookies)', { timeout: TIMEOUT }, async (t) => {
  await clientCase(t, true);
});

/** Runs `openssl` with `args` in `cwd`; throws with its output on failure. */
function opensslRun(cwd: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new globalThis.Error(`openssl ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
}

test('a leaf → intermediate → root chain made by openssl: the server sends it, the client trusts the root only', { timeout: TIMEOUT }, async (t) => {
  if (!requireOpenSSL(t)) return;
  const pem = new PemDir();
  t.after(() => pem.dispose());
  const d = pem.dir;
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  pem.write('ca.ext', 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  pem.write('leaf.ext', 'subjectAltName=DNS:leaf.example\n');
  opensslRun(d, ['req', '-x509', ...ec, '-keyout', 'root.key', '-out', 'root.crt', '-subj', '/CN=gdwire test root', '-days', '2']);
  opensslRun(d, ['req', ...ec, '-keyout', 'int.key', '-out', 'int.csr', '-subj', '/CN=gdwire test intermediate']);
  opensslRun(d, ['x509', '-req', '-in', 'int.csr', '-CA', 'root.crt', '-CAkey', 'root.key', '-CAcreateserial', '-out', 'int.crt', '-days', '2', '-extfile', 'ca.ext']);
  opensslRun(d, ['req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=leaf']);
  opensslRun(d, ['x509', '-req', '-in', 'leaf.csr', '-CA', 'int.crt', '-CAkey', 'int.key', '-CAcreateserial', '-out', 'leaf.crt', '-days', '2', '-extfile', 'leaf.ext']);
  opensslRun(d, ['req', '-x509', ...ec, '-keyout', 'other.key', '-out', 'other.crt', '-subj', '/CN=other root', '-days', '2']);

  const key = new CryptoKey();
  assert.equal(key.load(join(d, 'leaf.key')), Error.OK);
  const chain = new X509Certificate();
  assert.equal(chain.loadFromString(readFileSync(join(d, 'leaf.crt'), 'utf8') + readFileSync(join(d, 'int.crt'), 'utf8')), Error.OK);
  assert.equal(chain.getCertificateCount(), 2);
  const root = new X509Certificate();
  assert.equal(root.load(join(d, 'root.crt')), Error.OK);
  const other = new X509Certificate();
  assert.equal(other.load(join(d, 'other.crt')), Error.OK);
  const leafOnly = X509Certificate.fromDer(chain.getDer(0) ?? new Uint8Array());
  assert.ok(leafOnly);

  const outcome = async (serverChain: X509Certificate, hostname: string, trusted: X509Certificate): Promise<number> => {
    const udp = new UDPServer();
    assert.equal(await udp.listen(0, '127.0.0.1'), Error.OK);
    const dtls = new DTLSServer();
    assert.equal(dtls.setup(TLSOptions.server(key, serverChain)), Error.OK);
    const loop = new AcceptLoop(udp, dtls);
    const cu = new PacketPeerUDP();
    assert.equal(await cu.connectToHost('127.0.0.1', udp.getLocalPort()), Error.OK);
    const client = new PacketPeerDTLS();
    assert.equal(client.connectToPeer(cu, hostname, TLSOptions.client(trusted)), Error.OK);
    await pollUntil(() => { loop.step(); client.poll(); }, () => client.getStatus() !== PacketPeerDTLS.STATUS_HANDSHAKING, 5000);
    cu.close();
    udp.stop();
    return client.getStatus();
  };
  assert.equal(await outcome(chain, 'leaf.example', root), PacketPeerDTLS.STATUS_CONNECTED, 'SAN DNS name, chain through the intermediate');
  assert.equal(await outcome(chain, 'leaf', root), PacketPeerDTLS.STATUS_ERROR_HOSTNAME_MISMATCH, 'with a SAN the CN is not used');
  assert.equal(await outcome(chain, 'leaf.example', other), PacketPeerDTLS.STATUS_ERROR, 'untrusted root');
  assert.equal(await outcome(leafOnly, 'leaf.example', root), PacketPeerDTLS.STATUS_ERROR, 'intermediate not sent');
});
