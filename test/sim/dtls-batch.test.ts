/**
 * PacketPeerDTLS's record path on the in-memory network: one poll() decrypts every queued
 * datagram in one native call, in place; a hostile datagram inside that batch costs nothing
 * but itself. Packets handed out are views that later traffic never touches, and the
 * encrypted datagrams handed to the socket (owned: not copied) are never written again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TLSOptions } from '../../src/core/crypto/tls-options.js';
import { Error } from '../../src/core/error.js';
import { PacketPeerDTLS } from '../../src/core/io/packet-peer-dtls.js';
import { PacketPeerUDP } from '../../src/core/io/packet-peer-udp.js';
import type { Platform } from '../../src/platform/platform.js';
import { SimWorld, requireNative } from '../helpers/dtls.js';

const S = PacketPeerDTLS;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** A connected client/server pair; `platform` lets a test wrap the client's sockets. */
async function pair(seed: number, wrap: (p: Platform) => Platform = (p) => p) {
  const w = new SimWorld(seed);
  await w.start();
  const { platform } = await w.udpClient();
  const cp = wrap(platform);
  const udp = new PacketPeerUDP({ platform: cp });
  assert.equal(await udp.connectToHost('10.0.0.1', 4433), Error.OK);
  const client = new PacketPeerDTLS({ platform: cp });
  assert.equal(client.connectToPeer(udp, 'myserver', TLSOptions.client(w.server.cert)), Error.OK);
  w.clients.push(client);
  w.run(1000, () => client.getStatus() === S.STATUS_CONNECTED && w.serverPeer() !== undefined);
  const server = w.serverPeer();
  assert.ok(server, client.getLastError());
  return { w, udp, client, server };
}

/** Lets the network deliver everything in flight without polling anyone. */
function deliver(w: SimWorld, ms = 20): void {
  for (let t = 0; t < ms; t++) w.base.clock.advance(1);
}

test('one poll, one batch: hostile datagrams between genuine ones are dropped alone; order kept; the session lives on', async (t) => {
  if (!requireNative(t)) return;
  const { w, udp, client, server } = await pair(31);
  const captured: Uint8Array[] = [];
  const untap = w.base.net.tap((d) => { if (d.to.port === 4433) captured.push(Uint8Array.from(d.data)); });
  for (const m of ['one', 'two', 'three', 'four', 'five']) assert.equal(client.putPacket(enc(m)), Error.OK);
  untap();
  assert.equal(captured.length, 5);
  const [g1, g2, , g4, g5] = captured as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  deliver(w);
  w.loop.udp.poll(); // queue the genuine five in the server peer, then send the rest around them
  const flipped = Uint8Array.from(g4);
  flipped[20] = (flipped[20] ?? 0) ^ 1;
  const short = Uint8Array.from(g2.subarray(0, 17));
  short[11] = 0;
  short[12] = 4;
  // Wire order: one two three four five | garbage | short | replay(one) | flipped(four) | truncated(five) | six
  for (const bad of [enc('\x17\xfe\xfd garbage garbage garbage'), short, g1, flipped, g5.subarray(0, g5.length - 2)]) udp.putPacket(bad);
  assert.equal(client.putPacket(enc('six')), Error.OK);
  deliver(w);
  w.loop.udp.poll();
  assert.equal(server.getAvailablePacketCount(), 0, 'nothing is decrypted before poll()');
  server.poll(); // the whole batch in one receive()
  const got: string[] = [];
  while (server.getAvailablePacketCount() > 0) got.push(dec(server.getPacket()));
  assert.deepEqual(got, ['one', 'two', 'three', 'four', 'five', 'six']);
  assert.equal(server.getStatus(), S.STATUS_CONNECTED);
  assert.equal(server.putPacket(enc('still alive')), Error.OK);
  w.run(50, () => client.getAvailablePacketCount() > 0);
  assert.equal(dec(client.getPacket()), 'still alive');
  w.stop();
});

test('packets are views that later traffic never touches; owned datagrams are never written again (> one send chunk)', async (t) => {
  if (!requireNative(t)) return;
  // The client's socket keeps every datagram handed over as owned, to check it later.
  const owned: Uint8Array[] = [];
  const sentCopies: Uint8Array[] = [];
  const keep = (p: Platform): Platform => ({
    ...p,
    network: {
      lookup: (h, f) => p.network.lookup(h, f),
      createSocket: (family) => {
        const sock = p.network.createSocket(family);
        const send = sock.send.bind(sock);
        sock.send = (data, port, address, isOwned) => {
          if (isOwned) {
            owned.push(data);
            sentCopies.push(Uint8Array.from(data));
          }
          send(data, port, address, isOwned);
        };
        return sock;
      },
    },
  });
  const { w, client, server } = await pair(32, keep);
  owned.length = 0;
  sentCopies.length = 0;
  const N = 200; // 200 × ~1 KiB: the shared 64 KiB send chunk is replaced several times
  const body = (i: number): Uint8Array => new Uint8Array(1000).fill(i & 255).map((b, k) => (k < 4 ? (i >> (8 * k)) & 255 : b));
  const kept: Uint8Array[] = [];
  for (let i = 0; i < N; i++) {
    assert.equal(client.putPacket(body(i)), Error.OK);
    if (i % 25 === 24) {
      w.run(20);
      while (server.getAvailablePacketCount() > 0) kept.push(server.getPacket());
    }
  }
  w.run(50);
  while (server.getAvailablePacketCount() > 0) kept.push(server.getPacket());
  assert.equal(owned.length, N, 'every encrypted datagram went to the socket as owned');
  owned.forEach((d, i) => assert.deepEqual(d, sentCopies[i], `datagram ${i} unchanged after later sends`));
  assert.equal(kept.length, N);
  kept.forEach((p, i) => assert.deepEqual(p, body(i), `packet ${i} unchanged after later traffic`));
  // And back (25 at a time: the client's receive ring holds ~60 of them): intact too.
  const echoed: Uint8Array[] = [];
  kept.forEach((p, i) => {
    assert.equal(server.putPacket(p), Error.OK);
    if (i % 25 === 24) {
      w.run(20);
      while (client.getAvailablePacketCount() > 0) echoed.push(client.getPacket());
    }
  });
  assert.equal(echoed.length, N);
  echoed.forEach((p, i) => assert.deepEqual(p, body(i), `echo ${i}`));
  w.stop();
});

test('a packet right behind the server\'s Finished, read in the same poll that completes the client\'s handshake', async (t) => {
  if (!requireNative(t)) return;
  const w = new SimWorld(33);
  await w.start();
  const { udp } = await w.udpClient();
  const client = new PacketPeerDTLS({ platform: udp.platform });
  assert.equal(client.connectToPeer(udp, 'myserver', TLSOptions.client(w.server.cert)), Error.OK);
  // Step by hand: stop as soon as the server is connected, before the client sees its Finished.
  for (let i = 0; i < 1000 && w.serverPeer() === undefined; i++) {
    w.base.clock.advance(1);
    w.loop.step();
    if (w.serverPeer() === undefined) client.poll();
  }
  const server = w.serverPeer();
  assert.ok(server);
  assert.equal(client.getStatus(), S.STATUS_HANDSHAKING);
  assert.equal(server.putPacket(enc('early')), Error.OK);
  deliver(w);
  client.poll(); // ChangeCipherSpec, Finished and 'early' are all queued now
  assert.equal(client.getStatus(), S.STATUS_CONNECTED);
  assert.equal(client.getAvailablePacketCount(), 1);
  assert.equal(dec(client.getPacket()), 'early');
  w.stop();
});
