/**
 * DTLS over ENet against an independent DTLS 1.2 implementation, the OpenSSL command line, on
 * 127.0.0.1 (no Godot 4 runtime exists here, and Debian's Godot 3.2.3 has no DTLS on ENet):
 * - a gdwire ENetConnection DTLS client → `openssl s_server -dtls1_2 -quiet`: what OpenSSL
 *   decrypts is exactly ENet CONNECT datagrams, one per record (the framing Godot 4 uses);
 * - `openssl s_client -dtls1_2 -quiet` → a gdwire ENetConnection DTLS server: a plaintext ENet
 *   CONNECT written as one record is answered with a VERIFY_CONNECT, decrypted by OpenSSL.
 * Every openssl process is killed by pid when its test ends.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { TLSOptions } from '../../src/core/crypto/tls-options.js';
import { Error } from '../../src/core/error.js';
import { ProtocolCommand } from '../../src/enet/protocol.js';
import { decodeDatagram } from '../../src/enet/wire-decode.js';
import { ENetConnection } from '../../src/modules/enet/enet-connection.js';
import { nodePlatform } from '../../src/platform/node-platform.js';
import { createTestPlatform, hostPlatform } from '../../src/platform/test-platform.js';
import { PemDir, keyAndCert, requireNative } from '../helpers/dtls.js';
import { freeUdpPort, interopRequired } from '../helpers/godot.js';

const platform = nodePlatform({ logger: { level: 'error' } });
/** ENet's CONNECT datagram: 4-byte header (peer id, sent time) + the 48-byte command. */
const CONNECT_SIZE = 52;

function requireOpenSSL(t: TestContext): boolean {
  if (!requireNative(t)) return false;
  if (spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0) return true;
  const why = 'openssl CLI not installed (apt-get install openssl)';
  if (interopRequired()) assert.fail(`${why}; GDWIRE_REQUIRE_INTEROP=1 makes that a failure`);
  t.diagnostic(`SKIPPED: ${why}`);
  t.skip(why);
  return false;
}

/** An openssl process whose stdout is kept as bytes (application data under -quiet). */
class Binary {
  readonly child: ChildProcess;
  out = Buffer.alloc(0);
  err = '';
  constructor(args: string[]) {
    this.child = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (b: Buffer) => { this.out = Buffer.concat([this.out, b]); });
    this.child.stderr?.setEncoding('utf8').on('data', (s: string) => { this.err += s; });
    this.child.once('error', (e) => { this.err += String(e); });
  }
  kill(): void {
    const pid = this.child.pid;
    if (pid !== undefined && this.child.exitCode === null && this.child.signalCode === null) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
  }
}

async function until(pred: () => boolean, ms: number, step?: () => void): Promise<boolean> {
  const end = performance.now() + ms;
  for (let i = 0; i < 100_000 && performance.now() < end; i++) {
    step?.();
    if (pred()) return true;
    await sleep(5);
  }
  return pred();
}

test('gdwire ENet DTLS client → openssl s_server: each record is one plaintext ENet CONNECT datagram', { timeout: 60_000 }, async (t) => {
  if (!requireOpenSSL(t)) return;
  const { key, cert } = keyAndCert('rsa2048');
  const pem = new PemDir();
  t.after(() => pem.dispose());
  const port = await freeUdpPort();
  const server = new Binary(['s_server', '-dtls1_2', '-quiet', '-listen', '-accept', String(port), '-naccept', '1',
    '-cert', pem.write('cert.pem', cert.saveToString()), '-key', pem.write('key.pem', key.saveToString())]);
  t.after(() => server.kill());
  await sleep(300); // s_server binds

  const client = new ENetConnection({ platform });
  t.after(() => client.destroy());
  assert.equal(await client.createHost(1), Error.OK);
  assert.equal(client.dtlsClientSetup('myserver', TLSOptions.client(cert)), Error.OK);
  const peer = client.connectToHost('127.0.0.1', port, 5, 0x1234567);
  assert.ok(peer);
  // ENet resends the CONNECT (OpenSSL never answers it): two records are enough.
  const ok = await until(() => server.out.length >= 2 * CONNECT_SIZE, 15_000, () => void client.service());
  assert.ok(ok, `s_server got ${server.out.length} bytes\n${server.err}`);
  assert.equal(client.getDtlsStatistics()?.handshakes, 1, 'handshake with OpenSSL');
  assert.equal(server.out.length % CONNECT_SIZE, 0, 'whole CONNECT datagrams only');
  for (let at = 0; at < server.out.length; at += CONNECT_SIZE) {
    const d = decodeDatagram(new Uint8Array(server.out.subarray(at, at + CONNECT_SIZE)));
    assert.ok(d?.complete, 'decodes as ENet');
    const c = d.commands[0];
    assert.equal(d.commands.length, 1);
    assert.ok(c && c.type === ProtocolCommand.CONNECT);
    assert.equal(c.data, 0x1234567, 'the CONNECT data');
    assert.equal(c.channelCount, 5);
  }
});

test('openssl s_client → gdwire ENet DTLS server: a CONNECT record gets a VERIFY_CONNECT record back', { timeout: 60_000 }, async (t) => {
  if (!requireOpenSSL(t)) return;
  // A genuine ENet CONNECT datagram, taken from a gdwire client on the in-memory network.
  const base = createTestPlatform();
  let connect: Uint8Array | null = null;
  base.net.tap((d) => { connect ??= d.data.slice(); });
  const plain = new ENetConnection({ platform: hostPlatform(base, base.net.createHost('c', ['10.0.0.2'])) });
  assert.equal(await plain.createHost(1), Error.OK);
  assert.ok(plain.connectToHost('10.0.0.1', 7777, 3, 99));
  plain.service();
  plain.destroy();
  assert.ok(connect !== null && (connect as Uint8Array).length === CONNECT_SIZE);

  const { key, cert } = keyAndCert('rsa2048');
  const server = new ENetConnection({ platform });
  t.after(() => server.destroy());
  assert.equal(await server.createHostBound('127.0.0.1', 0, 4), Error.OK);
  assert.equal(server.dtlsServerSetup(TLSOptions.server(key, cert)), Error.OK);
  const connects: number[] = [];
  server.on('connect', (_p, data) => void connects.push(data)); // event-driven: serviced on arrival
  const pem = new PemDir();
  t.after(() => pem.dispose());
  const client = new Binary(['s_client', '-dtls1_2', '-quiet', '-connect', `127.0.0.1:${server.getLocalPort()}`,
    '-CAfile', pem.write('ca.pem', cert.saveToString()), '-verify_hostname', 'myserver', '-verify_return_error']);
  t.after(() => client.kill());
  assert.ok(await until(() => server.getDtlsStatistics()?.handshakes === 1, 15_000), `no handshake\n${client.err}`);
  assert.equal(server.getDtlsStatistics()?.cookieExchanges, 1, 'OpenSSL answered our HelloVerifyRequest');
  client.child.stdin?.write(connect);
  assert.ok(await until(() => client.out.length > 0, 10_000), `no answer\n${client.err}`);
  await sleep(50);
  const d = decodeDatagram(new Uint8Array(client.out));
  assert.ok(d, 'decodes as ENet');
  const verify = d.commands.find((c) => c.type === ProtocolCommand.VERIFY_CONNECT);
  assert.ok(verify && verify.type === ProtocolCommand.VERIFY_CONNECT, `commands: ${d.commands.map((c) => ProtocolCommand[c.type]).join(',')}`);
  assert.equal(verify.channelCount, 3);
  assert.deepEqual(connects, [], 'no CONNECT event until the VERIFY_CONNECT is acknowledged');
});
