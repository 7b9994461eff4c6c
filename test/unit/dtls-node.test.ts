/**
 * DTLS over real loopback sockets and the real clock: retransmission of lost handshake flights
 * (OpenSSL's timer, read through the addon and acted on in poll()).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { TLSOptions } from '../../src/core/crypto/tls-options.js';
import { Error } from '../../src/core/error.js';
import { DTLSServer } from '../../src/core/io/dtls-server.js';
import { PacketPeerDTLS } from '../../src/core/io/packet-peer-dtls.js';
import { PacketPeerUDP } from '../../src/core/io/packet-peer-udp.js';
import { UDPServer } from '../../src/core/io/udp-server.js';
import { AcceptLoop, keyAndCert, pollUntil, requireNative } from '../helpers/dtls.js';
import { freeUdpPort } from '../helpers/godot.js';

test('a ClientHello sent before the server is up is retransmitted until it is', { timeout: 20_000 }, async (t) => {
  if (!requireNative(t)) return;
  const { key, cert } = keyAndCert('p256');
  const port = await freeUdpPort();
  const udp = new PacketPeerUDP();
  udp.on('error', () => {}); // ICMP port unreachable while nobody listens
  t.after(() => udp.close());
  assert.equal(await udp.connectToHost('127.0.0.1', port), Error.OK);
  const client = new PacketPeerDTLS({ retransmitMs: 100 });
  assert.equal(client.connectToPeer(udp, 'myserver', TLSOptions.client(cert)), Error.OK);
  const started = performance.now();
  await pollUntil(() => client.poll(), () => false, 300);
  assert.equal(client.getStatus(), PacketPeerDTLS.STATUS_HANDSHAKING);

  const server = new UDPServer();
  t.after(() => server.stop());
  assert.equal(await server.listen(port, '127.0.0.1'), Error.OK);
  const dtls = new DTLSServer();
  assert.equal(dtls.setup(TLSOptions.server(key, cert)), Error.OK);
  const loop = new AcceptLoop(server, dtls);
  const ok = await pollUntil(() => { loop.step(); client.poll(); },
    () => client.getStatus() === PacketPeerDTLS.STATUS_CONNECTED, 5000);
  assert.ok(ok, client.getLastError());
  assert.ok(performance.now() - started > 300);
});

/**
 * A DTLS server (P-256, 100 ms retransmission) behind a loopback relay, and a client of the
 * relay: client ⇄ relay ⇄ server. `keep(fromClient)` is asked for every datagram; false drops it.
 */
async function relayedHandshake(
  t: TestContext,
  keep: (msg: Buffer, fromClient: boolean) => boolean,
): Promise<{ loop: AcceptLoop; client: PacketPeerDTLS }> {
  const { key, cert } = keyAndCert('p256');
  const server = new UDPServer();
  t.after(() => server.stop());
  assert.equal(await server.listen(0, '127.0.0.1'), Error.OK);
  const dtls = new DTLSServer({ retransmitMs: 100 });
  assert.equal(dtls.setup(TLSOptions.server(key, cert)), Error.OK);
  const loop = new AcceptLoop(server, dtls);

  const relay = createSocket('udp4');
  t.after(() => relay.close());
  await new Promise<void>((r) => relay.bind(0, '127.0.0.1', () => r()));
  let clientAddr: RemoteInfo | null = null;
  relay.on('message', (msg, rinfo) => {
    const fromClient = rinfo.port !== server.getLocalPort();
    if (fromClient) clientAddr = rinfo;
    if (!keep(msg, fromClient)) return;
    if (fromClient) relay.send(msg, server.getLocalPort(), '127.0.0.1');
    else if (clientAddr) relay.send(msg, clientAddr.port, clientAddr.address);
  });

  const udp = new PacketPeerUDP();
  t.after(() => udp.close());
  assert.equal(await udp.connectToHost('127.0.0.1', relay.address().port), Error.OK);
  const client = new PacketPeerDTLS({ retransmitMs: 100 });
  assert.equal(client.connectToPeer(udp, 'myserver', TLSOptions.client(cert)), Error.OK);
  return { loop, client };
}

test('a lost client flight is retransmitted (relay drops the third client datagram)', { timeout: 20_000 }, async (t) => {
  if (!requireNative(t)) return;
  let fromClient = 0;
  let dropped = 0;
  const { loop, client } = await relayedHandshake(t, (_msg, client) => {
    // the client's 3rd datagram is its Finished flight
    if (client && ++fromClient === 3) {
      dropped++;
      return false;
    }
    return true;
  });
  const ok = await pollUntil(() => { loop.step(); client.poll(); },
    () => client.getStatus() === PacketPeerDTLS.STATUS_CONNECTED && loop.peers.some((p) => p.getStatus() === PacketPeerDTLS.STATUS_CONNECTED), 5000);
  assert.ok(ok, `client ${client.getStatus()} ${client.getLastError()}`);
  assert.equal(dropped, 1);
  assert.ok(fromClient >= 4, `the flight was sent again (${fromClient} datagrams)`);
});

test('a lost last server flight: the connected server answers the client\'s retransmission', { timeout: 20_000 }, async (t) => {
  if (!requireNative(t)) return;
  // Drops the server's ChangeCipherSpec (content type 20) and epoch-1 records until the client
  // sends again, so the server is CONNECTED while the client still waits for Finished.
  let dropping = true;
  let dropped = 0;
  let clientAfterDrop = 0;
  const { loop, client } = await relayedHandshake(t, (msg, fromClient) => {
    if (fromClient) {
      if (dropped > 0) {
        dropping = false;
        clientAfterDrop++;
      }
      return true;
    }
    const epoch = ((msg[3] ?? 0) << 8) | (msg[4] ?? 0);
    if (dropping && (msg[0] === 20 || epoch === 1)) {
      dropped++;
      return false;
    }
    return true;
  });
  const serverPeer = (): PacketPeerDTLS | undefined => loop.peers.find((p) => p.getStatus() === PacketPeerDTLS.STATUS_CONNECTED);
  const ok = await pollUntil(() => { loop.step(); client.poll(); },
    () => client.getStatus() === PacketPeerDTLS.STATUS_CONNECTED && serverPeer() !== undefined, 5000);
  assert.ok(ok, `client ${client.getStatus()} ${client.getLastError()}`);
  assert.ok(dropped > 0, 'the server\'s last flight was dropped');
  assert.ok(clientAfterDrop > 0, 'the client retransmitted');
  assert.equal(client.putPacket(Uint8Array.of(1, 2, 3)), Error.OK);
  assert.ok(await pollUntil(() => { loop.step(); client.poll(); }, () => (serverPeer()?.getAvailablePacketCount() ?? 0) > 0, 2000));
  assert.deepEqual(serverPeer()?.getPacket(), Uint8Array.of(1, 2, 3));
});

test('Node form on real sockets: acceptFrom + setAutoPoll echo, no poll loop anywhere', { timeout: 20_000 }, async (t) => {
  if (!requireNative(t)) return;
  const { key, cert } = keyAndCert('rsa2048');
  const udpServer = new UDPServer();
  t.after(() => udpServer.stop());
  assert.equal(await udpServer.listen(0, '127.0.0.1'), Error.OK);
  const server = new DTLSServer();
  assert.equal(server.setup(TLSOptions.server(key, cert)), Error.OK);
  assert.equal(server.acceptFrom(udpServer), Error.OK);
  t.after(() => server.stopAccepting());
  server.on('connection', (peer) => peer.on('packet', (d) => peer.putPacket(d)));

  const udp = new PacketPeerUDP();
  t.after(() => udp.close());
  assert.equal(await udp.connectToHost('127.0.0.1', udpServer.getLocalPort()), Error.OK);
  const client = new PacketPeerDTLS();
  client.setAutoPoll(true);
  assert.equal(client.connectToPeer(udp, 'myserver', TLSOptions.client(cert)), Error.OK);
  assert.equal(await client.waitForHandshake(), PacketPeerDTLS.STATUS_CONNECTED, client.getLastError());
  const got = new Set<number>();
  const all = new Promise<void>((resolve) => {
    client.on('packet', (d) => { got.add(((d[0] ?? 0) << 8) | (d[1] ?? 0)); if (got.size === 100) resolve(); });
  });
  for (let i = 0; i < 100; i++) assert.equal(client.putPacket(Uint8Array.of(i >> 8, i & 255, 1, 2, 3)), Error.OK);
  await Promise.race([all, new Promise((r) => setTimeout(r, 5000))]);
  assert.equal(got.size, 100);
  client.disconnectFromPeer();
});
