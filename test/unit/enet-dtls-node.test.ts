/**
 * DTLS over ENet on real loopback sockets and the real clock (the Node platform): two
 * ENetConnections (event-driven server on "*", polled client) and an ENetMultiplayerPeer pair;
 * a relay between them records every datagram (none readable as ENet) and drops one
 * handshake flight, which the DTLS timer must retransmit; a wrong host name fails fast.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import { TLSOptions } from '../../src/core/crypto/tls-options.js';
import { Error } from '../../src/core/error.js';
import { decodeDatagram } from '../../src/enet/wire-decode.js';
import { EventType } from '../../src/modules/enet/enet-connection-types.js';
import { ENetConnection } from '../../src/modules/enet/enet-connection.js';
import { ENetMultiplayerPeer } from '../../src/modules/enet/enet-multiplayer-peer.js';
import { ENetPacketPeer } from '../../src/modules/enet/enet-packet-peer.js';
import { ConnectionStatus, TransferMode } from '../../src/multiplayer/multiplayer-peer.js';
import { nodePlatform } from '../../src/platform/node-platform.js';
import { keyAndCert, requireNative } from '../helpers/dtls.js';
import { Rng } from '../helpers/rng.js';

const platform = nodePlatform({ logger: { level: 'error' } });
const { FLAG_RELIABLE, FLAG_UNSEQUENCED } = ENetPacketPeer;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

async function until(pred: () => boolean, ms: number, what: string, step?: () => void): Promise<void> {
  const deadline = performance.now() + ms;
  for (let i = 0; i < 1_000_000 && !pred(); i++) {
    if (performance.now() > deadline) assert.fail(`timeout: ${what}`);
    step?.();
    await sleep(2);
  }
}

/** client ⇄ relay ⇄ server on 127.0.0.1, recording every datagram; drops the client's datagram number `drop` (1-based). */
class Relay {
  readonly sock: Socket = createSocket('udp4');
  readonly seen: Uint8Array[] = [];
  private client: RemoteInfo | null = null;
  private fromClient = 0;
  dropped = 0;
  constructor(private readonly serverPort: number, private readonly drop = 0) {}
  async start(): Promise<number> {
    this.sock.on('message', (msg, rinfo) => {
      this.seen.push(new Uint8Array(msg));
      if (rinfo.port === this.serverPort) {
        if (this.client) this.sock.send(msg, this.client.port, this.client.address);
        return;
      }
      this.client = rinfo;
      if (++this.fromClient === this.drop) {
        this.dropped++;
        return;
      }
      this.sock.send(msg, this.serverPort, '127.0.0.1');
    });
    await new Promise<void>((r) => this.sock.bind(0, '127.0.0.1', () => r()));
    return this.sock.address().port;
  }
  close(): void {
    this.sock.close();
  }
}

async function dtlsServer(t: TestContext): Promise<ENetConnection> {
  const { key, cert } = keyAndCert('p256');
  const server = new ENetConnection({ platform, dtls: { retransmitMs: 100 } });
  t.after(() => server.destroy());
  assert.equal(await server.createHostBound('*', 0, 4), Error.OK);
  assert.equal(server.dtlsServerSetup(TLSOptions.server(key, cert)), Error.OK);
  return server;
}

test('loopback: event-driven DTLS server, polled DTLS client; send modes, 256 KiB, disconnect; a lost flight retransmitted', { timeout: 30_000 }, async (t) => {
  if (!requireNative(t)) return;
  const server = await dtlsServer(t);
  const got: string[] = [];
  let big: Uint8Array | null = null;
  server.on('receive', (peer, packet, channel, flags) => {
    if (packet.length > 1000) big = packet;
    else {
      got.push(`${channel}/${flags}/${dec(packet)}`);
      assert.equal(peer.send(channel, enc(`echo ${dec(packet)}`), flags), Error.OK);
    }
  });
  const serverEvents: string[] = [];
  server.on('connect', (_p, data) => void serverEvents.push(`connect ${data}`));
  server.on('disconnect', (_p, data) => void serverEvents.push(`disconnect ${data}`));
  // The relay drops the client's second datagram: the Finished flight (the first is the
  // cookie-less ClientHello), so the client's DTLS timer must resend it.
  const relay = new Relay(server.getLocalPort(), 3);
  t.after(() => relay.close());
  const relayPort = await relay.start();

  const client = new ENetConnection({ platform, dtls: { retransmitMs: 100 } });
  t.after(() => client.destroy());
  assert.equal(await client.createHost(1), Error.OK);
  assert.equal(client.dtlsClientSetup('myserver', TLSOptions.client(keyAndCert('p256').cert)), Error.OK);
  const cp = client.connectToHost('127.0.0.1', relayPort, 4, 1234);
  assert.ok(cp);
  const events: string[] = [];
  const echoes: string[] = [];
  const pump = (): void => {
    for (let k = 0; k < 100; k++) {
      const [type, , data] = client.service();
      if (type === EventType.EVENT_NONE) break;
      events.push(`${EventType[type]} ${data}`);
    }
    while (cp.getAvailablePacketCount() > 0) echoes.push(dec(cp.getPacket()));
  };
  await until(() => events.includes('EVENT_CONNECT 0'), 10_000, 'connected', pump);
  assert.equal(relay.dropped, 1);
  assert.deepEqual(serverEvents, ['connect 1234']);
  assert.ok((client.getDtlsStatistics()?.handshakes ?? 0) === 1);

  for (const [ch, flags, s] of [[0, FLAG_RELIABLE, 'reliable'], [1, 0, 'unreliable'], [2, FLAG_UNSEQUENCED, 'unsequenced']] as const) {
    assert.equal(cp.send(ch, enc(s), flags), Error.OK);
  }
  const payload = new Rng(9).bytes(256 * 1024);
  assert.equal(cp.send(3, payload, FLAG_RELIABLE), Error.OK);
  await until(() => echoes.length === 3 && big !== null, 10_000, 'exchanged', pump);
  assert.deepEqual(got.sort(), ['0/1/reliable', '1/0/unreliable', '2/2/unsequenced']);
  assert.deepEqual(echoes.sort(), ['echo reliable', 'echo unreliable', 'echo unsequenced']);
  assert.ok(big !== null && Buffer.from(big).equals(Buffer.from(payload)), '256 KiB intact');

  cp.peerDisconnect(5);
  await until(() => events.includes('EVENT_DISCONNECT 0') && serverEvents.includes('disconnect 5'), 5000, 'disconnected', pump);
  await until(() => server.getDtlsStatistics()?.sessions === 0, 2000, 'association dropped', pump);
  for (const d of relay.seen) {
    const e = decodeDatagram(d);
    assert.ok(e === null || !e.complete || e.commands.length === 0, 'no plaintext ENet on the wire');
    assert.equal(Buffer.from(d).indexOf(Buffer.from('unsequenced')), -1);
  }
});

test('loopback: a wrong host name fails the attempt at once; the server keeps nothing', { timeout: 20_000 }, async (t) => {
  if (!requireNative(t)) return;
  const server = await dtlsServer(t);
  const connects: number[] = [];
  server.on('connect', () => void connects.push(1));
  const client = new ENetConnection({ platform });
  t.after(() => client.destroy());
  assert.equal(await client.createHost(1), Error.OK);
  assert.equal(client.dtlsClientSetup('not-myserver', TLSOptions.client(keyAndCert('p256').cert)), Error.OK);
  const started = performance.now();
  assert.ok(client.connectToHost('127.0.0.1', server.getLocalPort(), 2));
  const [type] = await client.serviceAsync(5000);
  assert.equal(type, EventType.EVENT_DISCONNECT);
  assert.ok(performance.now() - started < 2000, 'without waiting for ENet\'s timeout');
  await sleep(50);
  assert.deepEqual(connects, []);
  assert.equal(server.getDtlsStatistics()?.sessions, 0);
  assert.equal(client.getDtlsStatistics()?.handshakeFailures, 1);
});

test('loopback: ENetMultiplayerPeer server and client over DTLS (peer.host.dtls*Setup), every mode, close', { timeout: 30_000 }, async (t) => {
  if (!requireNative(t)) return;
  const { key, cert } = keyAndCert('p256');
  const server = new ENetMultiplayerPeer({ platform });
  const client = new ENetMultiplayerPeer({ platform });
  t.after(() => { client.close(); server.close(); });
  assert.equal(await server.createServer(0, 4), Error.OK);
  assert.equal(server.host?.dtlsServerSetup(TLSOptions.server(key, cert)), Error.OK);
  const port = server.host?.getLocalPort() ?? 0;
  assert.equal(await client.createClient('127.0.0.1', port), Error.OK);
  assert.equal(client.host?.dtlsClientSetup('myserver', TLSOptions.client(cert)), Error.OK);
  const signals: string[] = [];
  server.on('peer_connected', (id) => void signals.push(`+${id}`));
  server.on('peer_disconnected', (id) => void signals.push(`-${id}`));
  const got: string[] = [];
  const poll = (): void => {
    for (const p of [server, client]) {
      p.poll();
      while (p.getAvailablePacketCount() > 0) {
        const from = p.getPacketPeer();
        got.push(`${from}:${dec(p.getPacket())}`);
      }
    }
  };
  await until(() => client.getConnectionStatus() === ConnectionStatus.CONNECTION_CONNECTED && signals.length === 1, 10_000, 'connected', poll);
  const id = client.getUniqueId();
  for (const mode of [TransferMode.TRANSFER_MODE_RELIABLE, TransferMode.TRANSFER_MODE_UNRELIABLE_ORDERED, TransferMode.TRANSFER_MODE_UNRELIABLE]) {
    client.setTransferMode(mode);
    assert.equal(client.putPacket(enc(`up ${mode}`)), Error.OK);
    server.setTransferMode(mode);
    server.setTargetPeer(id);
    assert.equal(server.putPacket(enc(`down ${mode}`)), Error.OK);
  }
  await until(() => got.length === 6, 10_000, 'six packets', poll);
  assert.deepEqual(got.sort(), [`${id}:up 0`, `${id}:up 1`, `${id}:up 2`, '1:down 0', '1:down 1', '1:down 2'].sort());
  client.close();
  await until(() => signals.includes(`-${id}`), 5000, 'the server saw the client go', poll);
});
