/**
 * NetworkedMultiplayerENet (Godot 3.x API) with DTLS over ENet — `use_dtls`, `dtls_verify`,
 * `set_dtls_key`, `set_dtls_certificate`, `dtls_hostname` — gdwire server and gdwire clients
 * on the in-memory network with a fake clock: relay through an encrypted server (polled and
 * Node mode, nothing readable on the wire), the client's certificate and host-name checks,
 * an unencrypted client kept out, and Godot's argument checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { decodeDatagram } from '../../src/enet/wire-decode.js';
import type { NetworkedMultiplayerENet } from '../../src/modules/enet/networked-multiplayer-enet.js';
import { TransferMode } from '../../src/multiplayer/multiplayer-peer.js';
import type { TappedDatagram } from '../../src/platform/memory-network.js';
import { keyAndCert, requireNative } from '../helpers/dtls.js';
import { ascii, createMpSim, runSim, text, type MpNode, type MpSim } from '../helpers/networked-sim.js';

const PORT = 7777;
const SERVER = '10.0.0.1';

/** A DTLS server with the test certificate (CN=myserver). */
async function dtlsServer(sim: MpSim, nodeMode = false): Promise<MpNode> {
  const { key, cert } = keyAndCert('p256');
  const server = sim.node('server', SERVER, { nodeMode });
  server.peer.setDtlsEnabled(true);
  server.peer.setDtlsKey(key);
  server.peer.setDtlsCertificate(cert);
  assert.equal(await server.peer.createServer(PORT), Error.OK);
  return server;
}

/** A client configured by `setup` (DTLS on by default, trusting the test certificate as `myserver`). */
async function client(sim: MpSim, name: string, address: string, setup?: (p: NetworkedMultiplayerENet) => void, nodeMode = false): Promise<MpNode> {
  const c = sim.node(name, address, { nodeMode });
  if (setup) {
    setup(c.peer);
  } else {
    c.peer.setDtlsEnabled(true);
    c.peer.setDtlsCertificate(keyAndCert('p256').cert);
    c.peer.setDtlsHostname('myserver');
  }
  assert.equal(await c.peer.createClient(SERVER, PORT), Error.OK);
  return c;
}

function checkEncrypted(wire: TappedDatagram[], secret: string): void {
  assert.ok(wire.length > 10, `${wire.length} datagrams`);
  for (const d of wire) {
    assert.ok(d.data[0] !== undefined && d.data[0] >= 20 && d.data[0] <= 23 && d.data[1] === 0xfe, 'every datagram is a DTLS record');
    const enet = decodeDatagram(d.data);
    assert.ok(enet === null || !enet.complete || enet.commands.length === 0, 'not readable as ENet');
    assert.equal(Buffer.from(d.data).indexOf(Buffer.from(secret)), -1, 'no plaintext on the wire');
  }
}

for (const nodeMode of [false, true]) {
  test(`DTLS server relays between DTLS clients (${nodeMode ? 'Node mode' : 'polled'}); the wire is encrypted`, async (t) => {
    if (!requireNative(t)) return;
    const sim = createMpSim({ seed: nodeMode ? 8 : 7 });
    const wire: TappedDatagram[] = [];
    sim.base.net.tap((d) => void wire.push(d));
    const server = await dtlsServer(sim, nodeMode);
    const a = await client(sim, 'a', '10.0.1.1', undefined, nodeMode);
    const b = await client(sim, 'b', '10.0.1.2', undefined, nodeMode);
    const ida = a.peer.getUniqueId();
    const idb = b.peer.getUniqueId();
    assert.ok(await runSim(sim, 5000, () => a.signals.includes(`peer_connected ${idb}`) && b.signals.includes(`peer_connected ${ida}`)),
      `both connected and announced: ${JSON.stringify([a.signals, b.signals, server.signals])}`);
    assert.deepEqual(a.signals.slice(0, 2), ['peer_connected 1', 'connection_succeeded']);
    assert.deepEqual([...server.signals].sort(), [`peer_connected ${ida}`, `peer_connected ${idb}`].sort());

    a.peer.setTransferMode(TransferMode.TRANSFER_MODE_RELIABLE);
    a.peer.setTargetPeer(idb);
    assert.equal(a.peer.putPacket(ascii('secret-to-b')), Error.OK);
    b.peer.setTransferMode(TransferMode.TRANSFER_MODE_UNRELIABLE_ORDERED);
    b.peer.setTargetPeer(0);
    assert.equal(b.peer.putPacket(ascii('secret-to-all')), Error.OK);
    assert.ok(await runSim(sim, 3000, () => a.packets.length === 1 && b.packets.length === 1 && server.packets.length === 1),
      `delivered: ${JSON.stringify([a.packets.length, b.packets.length, server.packets.length])}`);
    assert.deepEqual(b.packets.map((p) => `${p.peer} ${text(p.data)}`), [`${ida} secret-to-b`], 'relayed with its source');
    assert.deepEqual(a.packets.map((p) => `${p.peer} ${text(p.data)}`), [`${idb} secret-to-all`]);
    assert.deepEqual(server.packets.map((p) => `${p.peer} ${text(p.data)}`), [`${idb} secret-to-all`]);
    checkEncrypted(wire, 'secret-');
    const stats = server.peer.getHost()?.getDtlsStatistics();
    assert.ok(stats && stats.handshakes === 2 && stats.sessions === 2, JSON.stringify(stats));

    a.peer.closeConnection();
    assert.ok(await runSim(sim, 3000, () => b.signals.includes(`peer_disconnected ${ida}`)), 'a leaving is announced to b');
    b.peer.closeConnection();
    server.peer.closeConnection();
  });
}

test('client checks: host name (dtls_hostname, else the address), trusted certificate, dtls_verify off', async (t) => {
  if (!requireNative(t)) return;
  const sim = createMpSim({ seed: 9 });
  const server = await dtlsServer(sim);
  const cert = keyAndCert('p256').cert;
  const other = keyAndCert('p256', 'CN=myserver,O=someone else,C=IT', undefined, undefined, 'other').cert;
  const byAddress = await client(sim, 'by-address', '10.0.1.1', (p) => { p.setDtlsEnabled(true); p.setDtlsCertificate(cert); });
  const untrusted = await client(sim, 'untrusted', '10.0.1.2', (p) => {
    p.setDtlsEnabled(true);
    p.setDtlsCertificate(other);
    p.dtlsHostname = 'myserver';
  });
  const unverified = await client(sim, 'unverified', '10.0.1.3', (p) => { p.useDtls = true; p.dtlsVerify = false; });
  const failed = (c: MpNode): boolean => c.signals.includes('connection_failed');
  assert.ok(await runSim(sim, 5000, () => failed(byAddress) && failed(untrusted) && server.signals.length > 0),
    JSON.stringify([byAddress.signals, untrusted.signals, unverified.signals]));
  // The address (10.0.0.1) is not the certificate's name: Godot 3.2 verifies against it.
  assert.ok(!byAddress.signals.includes('connection_succeeded') && !untrusted.signals.includes('connection_succeeded'));
  assert.deepEqual(server.signals, [`peer_connected ${unverified.peer.getUniqueId()}`], 'only the unverified client got in');
  assert.ok((server.peer.getHost()?.getDtlsStatistics()?.handshakeFailures ?? 0) >= 2);
  for (const n of sim.nodes) if (n.peer.getConnectionStatus() !== 0) n.peer.closeConnection();
});

test('an unencrypted client cannot join a DTLS server, nor a DTLS client a plain one', async (t) => {
  if (!requireNative(t)) return;
  const sim = createMpSim({ seed: 10 });
  const server = await dtlsServer(sim);
  const plain = await client(sim, 'plain', '10.0.1.1', () => {});
  const plainServer = sim.node('plain-server', '10.0.0.2');
  assert.equal(await plainServer.peer.createServer(PORT), Error.OK);
  const dtlsClient = sim.node('dtls-client', '10.0.1.2');
  dtlsClient.peer.setDtlsEnabled(true);
  dtlsClient.peer.setDtlsVerifyEnabled(false);
  assert.equal(await dtlsClient.peer.createClient('10.0.0.2', PORT), Error.OK);
  // ENet retries the CONNECT; the DTLS server drops each one before ENet sees it.
  const dropped = (): number => server.peer.getHost()?.getDtlsStatistics()?.droppedDatagrams ?? 0;
  assert.ok(await runSim(sim, 5000, () => dropped() >= 3, 5), `plain CONNECTs dropped: ${dropped()}`);
  assert.deepEqual([server.signals, plain.signals], [[], []]);
  assert.ok(await runSim(sim, 2000, () => false, 5) === false);
  assert.deepEqual([plainServer.signals, dtlsClient.signals.filter((s) => s !== 'connection_failed')], [[], []],
    'a ClientHello is not an ENet CONNECT');
  for (const n of sim.nodes) if (n.peer.getConnectionStatus() !== 0) n.peer.closeConnection();
});

test('Godot\'s argument checks: a server needs key and certificate; settings are locked while active', async (t) => {
  if (!requireNative(t)) return;
  const sim = createMpSim({ seed: 11 });
  const { key, cert } = keyAndCert('p256');
  const s = sim.node('server', SERVER);
  s.peer.setDtlsEnabled(true);
  s.peer.setDtlsCertificate(cert);
  assert.equal(await s.peer.createServer(PORT), Error.ERR_INVALID_PARAMETER, 'no key');
  assert.equal(s.peer.getConnectionStatus(), 0);
  s.peer.setDtlsKey(key);
  assert.equal(await s.peer.createServer(PORT), Error.OK);
  s.peer.setDtlsEnabled(false);
  s.peer.setDtlsVerifyEnabled(false);
  s.peer.setDtlsHostname('x');
  assert.deepEqual([s.peer.isDtlsEnabled(), s.peer.isDtlsVerifyEnabled(), s.peer.getDtlsHostname()], [true, true, '']);
  // A key that is not the certificate's: refused at setup (Godot would fail every handshake).
  const other = keyAndCert('p256', 'CN=other', undefined, undefined, 'mismatch').key;
  const bad = sim.node('bad', '10.0.0.3');
  bad.peer.setDtlsEnabled(true);
  bad.peer.setDtlsKey(other);
  bad.peer.setDtlsCertificate(cert);
  assert.equal(await bad.peer.createServer(PORT), Error.ERR_INVALID_PARAMETER);
  assert.equal(bad.peer.getConnectionStatus(), 0);
  s.peer.closeConnection();
});
