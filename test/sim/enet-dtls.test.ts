/**
 * DTLS over ENet (ENetConnection.dtlsServerSetup / dtlsClientSetup) on the in-memory network
 * with a fake clock starting near the 32-bit wrap: connect, the three send modes, a 256 KiB
 * reliable packet and disconnect in the polled and event-driven modes; what is on the wire
 * (taps try to decode every datagram as ENet); host-name and certificate checks; plaintext
 * ENet against a DTLS server; stateless cookies under spoofed ClientHellos; bounded
 * associations, refuse_new_connections and Godot's 8-second rule; reconnecting.
 * (ENetMultiplayerPeer over DTLS: test/sim/enet-dtls-multiplayer.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TLSOptions } from '../../src/core/crypto/tls-options.js';
import { Error } from '../../src/core/error.js';
import { PacketPeerDTLS } from '../../src/core/io/packet-peer-dtls.js';
import { PacketPeerUDP } from '../../src/core/io/packet-peer-udp.js';
import { decodeDatagram } from '../../src/enet/wire-decode.js';
import { EventType } from '../../src/modules/enet/enet-connection-types.js';
import { ENetPacketPeer } from '../../src/modules/enet/enet-packet-peer.js';
import { ENET_DTLS_TIMEOUT_MS } from '../../src/modules/enet/enet-dtls.js';
import type { TappedDatagram } from '../../src/platform/memory-network.js';
import { hostPlatform } from '../../src/platform/test-platform.js';
import { keyAndCert, requireNative, type KeyAndCert } from '../helpers/dtls.js';
import { createSim, poll, run, type Recorded, type Sim, type SimNode } from '../helpers/enet-connection.js';
import { Rng } from '../helpers/rng.js';

const PORT = 7777;
const { FLAG_RELIABLE, FLAG_UNSEQUENCED } = ENetPacketPeer;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const genuine = (): KeyAndCert => keyAndCert('p256');

/** A DTLS server on 10.0.0.1:PORT and a client host (10.0.0.2) set up to verify it. */
async function dtlsPair(sim: Sim, opts: {
  hostname?: string; client?: TLSOptions | null; server?: KeyAndCert; serverPeers?: number; name?: string; ip?: string;
} = {}): Promise<{ server: SimNode; client: SimNode }> {
  const s = opts.server ?? genuine();
  const server = sim.node('server', '10.0.0.1');
  assert.equal(await server.conn.createHostBound('*', PORT, opts.serverPeers ?? 32), Error.OK);
  assert.equal(server.conn.dtlsServerSetup(TLSOptions.server(s.key, s.cert)), Error.OK);
  const client = await dtlsClient(sim, opts.name ?? 'client', opts.ip ?? '10.0.0.2', opts.hostname ?? 'myserver',
    opts.client === undefined ? TLSOptions.client(genuine().cert) : opts.client);
  return { server, client };
}

async function dtlsClient(sim: Sim, name: string, ip: string, hostname = 'myserver', options: TLSOptions | null = TLSOptions.client(genuine().cert)): Promise<SimNode> {
  const client = sim.node(name, ip);
  assert.equal(await client.conn.createHost(1), Error.OK);
  assert.equal(client.conn.dtlsClientSetup(hostname, options), Error.OK);
  return client;
}

const count = (log: Recorded[], node: string, type: EventType): number => log.filter((e) => e.node === node && e.type === type).length;

/** Every datagram must be a DTLS record that ENet cannot read; none may carry `secrets`. */
function assertNotPlaintext(wire: TappedDatagram[], secrets: Uint8Array[]): void {
  assert.ok(wire.length > 10, `datagrams seen (${wire.length})`);
  for (const d of wire) {
    const b = d.data;
    assert.ok(b[0] !== undefined && b[0] >= 20 && b[0] <= 23 && b[1] === 0xfe, `a DTLS record header (${b[0]}, ${b[1]})`);
    const decoded = decodeDatagram(b);
    assert.ok(decoded === null || !decoded.complete || decoded.commands.length === 0, `decodes as ENet: ${JSON.stringify(decoded?.commands.map((c) => c.type))}`);
    for (const s of secrets) assert.equal(Buffer.from(b).indexOf(Buffer.from(s)), -1, 'plaintext payload on the wire');
  }
}

test('polled: connect, reliable / unreliable / unsequenced both ways, a 256 KiB reliable packet, disconnect — only DTLS on the wire', async (t) => {
  if (!requireNative(t)) return;
  const sim = createSim();
  const wire: TappedDatagram[] = [];
  sim.base.net.tap((d) => void wire.push(d));
  const { server, client } = await dtlsPair(sim);
  const cp = client.conn.connectToHost('10.0.0.1', PORT, 4, 42);
  assert.ok(cp);
  const log: Recorded[] = [];
  assert.ok(poll(sim.base, [server, client], 5000, () => count(log, 'server', EventType.EVENT_CONNECT) + count(log, 'client', EventType.EVENT_CONNECT) === 2, log), 'connected');
  assert.equal(log.find((e) => e.node === 'server' && e.type === EventType.EVENT_CONNECT)?.data, 42, 'CONNECT data came through');
  const sp = log.find((e) => e.node === 'server' && e.type === EventType.EVENT_CONNECT)?.peer;
  assert.ok(sp);
  assert.deepEqual(server.conn.getDtlsStatistics(), { sessions: 1, handshakes: 1, handshakeFailures: 0, cookieExchanges: 1, droppedDatagrams: 0 });
  assert.equal(client.conn.getDtlsStatistics()?.handshakes, 1);

  const modes: Array<[number, number, string]> = [[0, FLAG_RELIABLE, 'secret-reliable'], [1, 0, 'secret-unreliable'], [2, FLAG_UNSEQUENCED, 'secret-unsequenced']];
  for (const [ch, flags, text] of modes) {
    assert.equal(cp.send(ch, enc(`${text}>`), flags), Error.OK);
    assert.equal(sp.send(ch, enc(`${text}<`), flags), Error.OK);
  }
  const big = new Rng(7).bytes(256 * 1024);
  assert.equal(cp.send(3, big, FLAG_RELIABLE), Error.OK);
  const got = { server: [] as string[], client: [] as string[] };
  let bigGot: Uint8Array | null = null;
  const drain = (): void => {
    for (const [name, peer] of [['server', sp], ['client', cp]] as const) {
      while (peer.getAvailablePacketCount() > 0) {
        const ch = peer.getPacketChannel();
        const flags = peer.getPacketFlags();
        const p = peer.getPacket();
        if (ch === 3) bigGot = p;
        else got[name].push(`${ch}/${flags}/${dec(p)}`);
      }
    }
  };
  assert.ok(poll(sim.base, [server, client], 10_000, () => {
    drain();
    return got.server.length === 3 && got.client.length === 3 && bigGot !== null;
  }), `delivered: ${JSON.stringify(got)}`);
  assert.deepEqual(got.server.sort(), modes.map(([ch, f, s]) => `${ch}/${f}/${s}>`).sort());
  assert.deepEqual(got.client.sort(), modes.map(([ch, f, s]) => `${ch}/${f}/${s}<`).sort());
  assert.ok(bigGot !== null && Buffer.from(bigGot).equals(Buffer.from(big)), '256 KiB intact');

  cp.peerDisconnect(7);
  assert.ok(poll(sim.base, [server, client], 5000, () => count(log, 'server', EventType.EVENT_DISCONNECT) === 1 && count(log, 'client', EventType.EVENT_DISCONNECT) === 1, log), 'disconnected');
  assert.equal(log.find((e) => e.node === 'server' && e.type === EventType.EVENT_DISCONNECT)?.data, 7);
  poll(sim.base, [server, client], 50, () => false);
  assert.equal(server.conn.getDtlsStatistics()?.sessions, 0, 'the association went with the ENet peer');
  assert.equal(client.conn.getDtlsStatistics()?.sessions, 0);

  assertNotPlaintext(wire, [...modes.map(([, , s]) => enc(s)), big.subarray(1000, 1032)]);
  server.conn.destroy();
  client.conn.destroy();
});

test('control: the same wire check sees plaintext ENet without DTLS (the check can fail)', async () => {
  const sim = createSim();
  const wire: TappedDatagram[] = [];
  sim.base.net.tap((d) => void wire.push(d));
  const server = sim.node('server', '10.0.0.1');
  const client = sim.node('client', '10.0.0.2');
  assert.equal(await server.conn.createHostBound('*', PORT), Error.OK);
  assert.equal(await client.conn.createHost(1), Error.OK);
  assert.equal(server.conn.getDtlsStatistics(), null);
  assert.ok(client.conn.connectToHost('10.0.0.1', PORT));
  const log: Recorded[] = [];
  assert.ok(poll(sim.base, [server, client], 2000, () => count(log, 'server', EventType.EVENT_CONNECT) === 1, log));
  assert.ok(wire.every((d) => decodeDatagram(d.data)?.complete === true), 'every datagram decodes as ENet');
  assert.throws(() => assertNotPlaintext([...wire, ...wire, ...wire, ...wire], []));
});

test('event-driven (listeners): connect and echo over DTLS', async (t) => {
  if (!requireNative(t)) return;
  const sim = createSim({ seed: 3 });
  const { server, client } = await dtlsPair(sim);
  const seen: string[] = [];
  server.conn.on('receive', (peer, packet, channel, flags) => {
    seen.push(`server ${dec(packet)}`);
    assert.equal(peer.send(channel, enc(`echo ${dec(packet)}`), flags), Error.OK);
  });
  client.conn.on('receive', (_peer, packet) => void seen.push(`client ${dec(packet)}`));
  client.conn.on('connect', (peer) => void peer.send(0, enc('hello'), FLAG_RELIABLE));
  assert.ok(client.conn.connectToHost('10.0.0.1', PORT, 2));
  assert.ok(await run(sim.base, 3000, () => seen.length === 2), JSON.stringify(seen));
  assert.deepEqual(seen, ['server hello', 'client echo hello']);
  server.conn.destroy();
  client.conn.destroy();
  assert.equal(client.timers.pending, 0, 'no timer left behind');
  assert.equal(server.timers.pending, 0, 'no timer left behind');
});

/** Runs until the client's connection attempt ends; returns the events. */
function attempt(sim: Sim, server: SimNode, client: SimNode, ms = 3000): Recorded[] {
  assert.ok(client.conn.connectToHost('10.0.0.1', PORT, 2));
  const log: Recorded[] = [];
  poll(sim.base, [server, client], ms, () => log.some((e) => e.node === client.name), log);
  return log;
}

test('wrong host name: the attempt fails at once (DISCONNECT), the server sees nothing; clientUnsafe() and a CN override connect', async (t) => {
  if (!requireNative(t)) return;
  const sim = createSim({ seed: 4 });
  const start = sim.base.clock.now();
  const bad = await dtlsPair(sim, { hostname: 'otherhost' });
  const log = attempt(sim, bad.server, bad.client);
  assert.deepEqual(log.map((e) => `${e.node} ${EventType[e.type]}`), ['client EVENT_DISCONNECT']);
  assert.ok(sim.base.clock.now() - start < 1000, 'failed without waiting for ENet\'s timeout');
  assert.equal(bad.client.conn.getDtlsStatistics()?.handshakeFailures, 1);
  assert.ok(sim.base.logger.entries.some((e) => e.level === 'warn' && /DTLS/.test(e.message) && e.fields?.['status'] === 'STATUS_ERROR_HOSTNAME_MISMATCH'), 'the reason is logged');
  assert.equal(bad.server.conn.getDtlsStatistics()?.handshakes, 0);

  for (const [name, ip, options] of [['unsafe', '10.0.0.3', TLSOptions.clientUnsafe()], ['override', '10.0.0.4', TLSOptions.client(genuine().cert, 'myserver')]] as const) {
    const c = await dtlsClient(sim, name, ip, 'otherhost', options);
    const ok: Recorded[] = [];
    assert.ok(c.conn.connectToHost('10.0.0.1', PORT, 2));
    assert.ok(poll(sim.base, [bad.server, c], 3000, () => count(ok, name, EventType.EVENT_CONNECT) === 1 && count(ok, 'server', EventType.EVENT_CONNECT) === 1, ok), `${name} connects`);
    c.conn.destroy();
  }
  bad.server.conn.destroy();
});

test('an impostor (same name, its own key) is refused; so is an untrusted chain', async (t) => {
  if (!requireNative(t)) return;
  const sim = createSim({ seed: 5 });
  const impostor = keyAndCert('p256', 'CN=myserver,O=myorganisation,C=IT', undefined, undefined, 'impostor');
  const { server, client } = await dtlsPair(sim, { server: impostor });
  const log = attempt(sim, server, client);
  assert.deepEqual(log.map((e) => `${e.node} ${EventType[e.type]}`), ['client EVENT_DISCONNECT']);
  assert.equal(server.conn.getDtlsStatistics()?.handshakes, 0);
  assert.ok(sim.base.logger.entries.some((e) => e.level === 'warn' && e.fields?.['status'] === 'STATUS_ERROR'), 'a certificate failure, not a name mismatch');
  const other = await dtlsClient(sim, 'other', '10.0.0.3', 'myserver', TLSOptions.client(keyAndCert('rsa2048').cert));
  assert.deepEqual(attempt(sim, server, other).map((e) => `${e.node} ${EventType[e.type]}`), ['other EVENT_DISCONNECT']);
  assert.equal(server.conn.getDtlsStatistics()?.handshakes, 0);
  server.conn.destroy();
});

test('a plaintext ENet CONNECT to a DTLS server gets no answer, no event and no association', async (t) => {
  if (!requireNative(t)) return;
  const sim = createSim({ seed: 6 });
  const s = genuine();
  const server = sim.node('server', '10.0.0.1');
  assert.equal(await server.conn.createHostBound('*', PORT), Error.OK);
  assert.equal(server.conn.dtlsServerSetup(TLSOptions.server(s.key, s.cert)), Error.OK);
  const plain = sim.node('plain', '10.0.0.2');
  assert.equal(await plain.conn.createHost(1), Error.OK);
  const answers: TappedDatagram[] = [];
  let sent = 0;
  sim.base.net.tap((d) => {
    if (d.from.address === '10.0.0.1') answers.push(d);
    else sent++;
  });
  const cp = plain.conn.connectToHost('10.0.0.1', PORT, 2);
  assert.ok(cp);
  cp.setTimeout(4, 500, 2000);
  const log: Recorded[] = [];
  poll(sim.base, [server, plain], 10_000, () => log.some((e) => e.node === 'plain'), log);
  assert.deepEqual(log.map((e) => `${e.node} ${EventType[e.type]}`), ['plain EVENT_DISCONNECT'], 'the attempt timed out');
  assert.ok(sent >= 2, `CONNECTs sent (${sent})`);
  assert.equal(answers.length, 0, 'not even a HelloVerifyRequest');
  const st = server.conn.getDtlsStatistics();
  assert.equal(st?.sessions, 0);
  assert.equal(st?.droppedDatagrams, sent);
  assert.equal(server.conn.enetHost?.totalReceivedPackets, 0, 'ENet never saw them');
  server.conn.destroy();
});

test('stateless cookies: 200 spoofed ClientHellos get HelloVerifyRequests and leave no association', async (t) => {
  if (!requireNative(t)) return;
  const sim = createSim({ seed: 7 });
  let hello: Uint8Array | null = null;
  sim.base.net.tap((d) => {
    if (hello === null && d.from.address === '10.0.0.2') hello = d.data.slice();
  });
  const { server, client } = await dtlsPair(sim);
  assert.ok(client.conn.connectToHost('10.0.0.1', PORT, 2)); // its ClientHello is the sample
  client.conn.service();
  assert.ok(hello !== null);
  client.conn.destroy();
  poll(sim.base, [server], 20, () => false);
  const before = server.conn.getDtlsStatistics()?.cookieExchanges ?? -1;
  const attacker = sim.base.net.createHost('attacker', ['10.6.6.6']);
  const answers = new Set<number>();
  for (let i = 0; i < 200; i++) {
    const sock = attacker.createSocket('udp4');
    await sock.bind(20000 + i, '10.6.6.6');
    sock.onMessage(() => answers.add(i));
    sock.send(hello, PORT, '10.0.0.1');
  }
  poll(sim.base, [server], 20, () => false);
  const st = server.conn.getDtlsStatistics();
  assert.equal(st?.sessions, 0, 'nothing kept before a valid cookie');
  assert.equal(st?.cookieExchanges, before + 200);
  assert.equal(answers.size, 200, 'each got its HelloVerifyRequest');
  server.conn.destroy();
});

test('associations are bounded by the peer count; refuseNewConnections() stops new handshakes', async (t) => {
  if (!requireNative(t)) return;
  const sim = createSim({ seed: 8 });
  const { server, client: a } = await dtlsPair(sim, { serverPeers: 2 });
  const b = await dtlsClient(sim, 'b', '10.0.0.3');
  const c = await dtlsClient(sim, 'c', '10.0.0.4');
  const log: Recorded[] = [];
  for (const n of [a, b]) assert.ok(n.conn.connectToHost('10.0.0.1', PORT, 2));
  assert.ok(poll(sim.base, [server, a, b], 3000, () => count(log, 'server', EventType.EVENT_CONNECT) === 2, log));
  const cp = c.conn.connectToHost('10.0.0.1', PORT, 2);
  assert.ok(cp);
  cp.setTimeout(4, 500, 2000);
  poll(sim.base, [server, a, b, c], 5000, () => count(log, 'c', EventType.EVENT_DISCONNECT) === 1, log);
  assert.equal(count(log, 'c', EventType.EVENT_DISCONNECT), 1, 'the third client never got in');
  assert.equal(server.conn.getDtlsStatistics()?.sessions, 2);

  // A free slot, but refused: no HelloVerifyRequest even.
  const bp = server.conn.getPeers().find((p) => p.getRemoteAddress() === '10.0.0.3');
  assert.ok(bp);
  bp.peerDisconnect();
  assert.ok(poll(sim.base, [server, a, b], 3000, () => count(log, 'b', EventType.EVENT_DISCONNECT) === 1, log));
  poll(sim.base, [server, a, b], 50, () => false, log);
  assert.equal(server.conn.getDtlsStatistics()?.sessions, 1);
  server.conn.refuseNewConnections(true);
  const cookies = server.conn.getDtlsStatistics()?.cookieExchanges;
  const d = await dtlsClient(sim, 'd', '10.0.0.5');
  const dp = d.conn.connectToHost('10.0.0.1', PORT, 2);
  assert.ok(dp);
  dp.setTimeout(4, 500, 2000);
  poll(sim.base, [server, a, d], 5000, () => count(log, 'd', EventType.EVENT_DISCONNECT) === 1, log);
  assert.equal(count(log, 'd', EventType.EVENT_DISCONNECT), 1, 'refused');
  assert.equal(server.conn.getDtlsStatistics()?.cookieExchanges, cookies, 'not even a cookie');
  // The established client is unaffected.
  const ap = a.conn.getPeers()[0];
  assert.ok(ap);
  assert.equal(ap.send(0, enc('still here'), FLAG_RELIABLE), Error.OK);
  assert.ok(poll(sim.base, [server, a], 1000, () => count(log, 'server', EventType.EVENT_RECEIVE) === 1, log));
  server.conn.refuseNewConnections(false);
  const e = await dtlsClient(sim, 'e', '10.0.0.6');
  assert.ok(e.conn.connectToHost('10.0.0.1', PORT, 2));
  assert.ok(poll(sim.base, [server, a, e], 3000, () => count(log, 'e', EventType.EVENT_CONNECT) === 1, log), 'accepted again');
  for (const n of [server, a, b, c, d, e]) n.conn.destroy();
});

test("Godot's 8-second rule: a DTLS association that serves no ENet peer is dropped (close_notify)", async (t) => {
  if (!requireNative(t)) return;
  const sim = createSim({ seed: 9 });
  const s = genuine();
  const server = sim.node('server', '10.0.0.1');
  assert.equal(await server.conn.createHostBound('*', PORT), Error.OK);
  assert.equal(server.conn.dtlsServerSetup(TLSOptions.server(s.key, s.cert)), Error.OK);
  // A bare DTLS client: it handshakes, then never speaks ENet.
  const platform = hostPlatform(sim.base, sim.base.net.createHost('bare', ['10.0.0.9']));
  const udp = new PacketPeerUDP({ platform });
  assert.equal(await udp.connectToHost('10.0.0.1', PORT), Error.OK);
  const dtls = new PacketPeerDTLS({ platform });
  assert.equal(dtls.connectToPeer(udp, 'myserver', TLSOptions.client(s.cert)), Error.OK);
  assert.ok(poll(sim.base, [server], 2000, () => {
    dtls.poll();
    return dtls.getStatus() === PacketPeerDTLS.STATUS_CONNECTED;
  }), 'DTLS connected');
  const connectedAt = sim.base.clock.now();
  assert.equal(server.conn.getDtlsStatistics()?.sessions, 1);
  poll(sim.base, [server], ENET_DTLS_TIMEOUT_MS - 500, () => false);
  assert.equal(server.conn.getDtlsStatistics()?.sessions, 1, 'kept until the deadline');
  assert.ok(poll(sim.base, [server], 1000, () => {
    dtls.poll();
    return dtls.getStatus() === PacketPeerDTLS.STATUS_DISCONNECTED;
  }), 'the bare client was told (close_notify)');
  assert.equal(server.conn.getDtlsStatistics()?.sessions, 0);
  assert.ok(sim.base.clock.now() - connectedAt <= ENET_DTLS_TIMEOUT_MS + 100);
  udp.close();
  server.conn.destroy();
});

test('reconnecting from the same client host runs a new handshake; destroy() sends close_notify', async (t) => {
  if (!requireNative(t)) return;
  const sim = createSim({ seed: 10 });
  const { server, client } = await dtlsPair(sim);
  const log: Recorded[] = [];
  for (let round = 1; round <= 2; round++) {
    const cp = client.conn.connectToHost('10.0.0.1', PORT, 2);
    assert.ok(cp, `round ${round}`);
    assert.ok(poll(sim.base, [server, client], 3000, () => count(log, 'client', EventType.EVENT_CONNECT) === round, log), `connected (round ${round})`);
    cp.peerDisconnect();
    assert.ok(poll(sim.base, [server, client], 3000, () => count(log, 'client', EventType.EVENT_DISCONNECT) === round, log));
    poll(sim.base, [server, client], 20, () => false, log);
  }
  assert.equal(server.conn.getDtlsStatistics()?.handshakes, 2);
  assert.equal(client.conn.getDtlsStatistics()?.handshakes, 2);
  // A third connection, then the server goes away: its close_notify ends the client's association.
  assert.ok(client.conn.connectToHost('10.0.0.1', PORT, 2));
  assert.ok(poll(sim.base, [server, client], 3000, () => count(log, 'client', EventType.EVENT_CONNECT) === 3, log));
  assert.equal(client.conn.getDtlsStatistics()?.sessions, 1);
  server.conn.destroy();
  poll(sim.base, [client], 20, () => false, log);
  assert.equal(client.conn.getDtlsStatistics()?.sessions, 0, 'close_notify received');
  client.conn.destroy();
});

test('corrupted records and junk are dropped without harm: the session survives, ENet resends, data arrives intact', async (t) => {
  if (!requireNative(t)) return;
  const sim = createSim({ seed: 11 });
  const rng = new Rng(11);
  let corrupt = false;
  let flipped = 0;
  sim.base.net.tap((d) => {
    if (!corrupt || d.from.address === '10.6.6.6' || !rng.bool(0.25)) return;
    const at = rng.int(0, d.data.length - 1);
    d.data[at] = (d.data[at] ?? 0) ^ (1 << rng.int(0, 7)); // the delivered copy
    flipped++;
  });
  const { server, client } = await dtlsPair(sim);
  const cp = client.conn.connectToHost('10.0.0.1', PORT, 2);
  assert.ok(cp);
  const log: Recorded[] = [];
  assert.ok(poll(sim.base, [server, client], 3000, () => count(log, 'server', EventType.EVENT_CONNECT) === 1, log));
  const sp = log.find((e) => e.node === 'server' && e.type === EventType.EVENT_CONNECT)?.peer;
  assert.ok(sp);
  corrupt = true;
  // Junk from a third host: random bytes, and things that look like DTLS handshake records.
  const attacker = sim.base.net.createHost('attacker', ['10.6.6.6']);
  const sock = attacker.createSocket('udp4');
  await sock.bind(40000, '10.6.6.6');
  for (let i = 0; i < 300; i++) {
    const junk = rng.bytes(rng.int(0, 200));
    if (i % 3 === 0 && junk.length > 14) junk.set([22, 0xfe, 0xfd, 0, 0], 0);
    if (i % 6 === 0 && junk.length > 14) junk[13] = 1; // "ClientHello"
    sock.send(junk, PORT, '10.0.0.1');
  }
  const N = 50;
  let sent = 0;
  const up: string[] = [];
  const down: string[] = [];
  assert.ok(poll(sim.base, [server, client], 30_000, () => {
    if (sent < N) { // one each way per millisecond: many datagrams
      assert.equal(cp.send(0, enc(`up ${sent}`), FLAG_RELIABLE), Error.OK);
      assert.equal(sp.send(1, enc(`down ${sent}`), FLAG_RELIABLE), Error.OK);
      sent++;
    }
    while (sp.getAvailablePacketCount() > 0) up.push(dec(sp.getPacket()));
    while (cp.getAvailablePacketCount() > 0) down.push(dec(cp.getPacket()));
    return up.length === N && down.length === N;
  }), `delivered ${up.length}/${N} up, ${down.length}/${N} down`);
  assert.deepEqual(up, Array.from({ length: N }, (_, i) => `up ${i}`), 'intact, once, in order');
  assert.deepEqual(down, Array.from({ length: N }, (_, i) => `down ${i}`));
  assert.ok(flipped > 10, `${flipped} datagrams corrupted`);
  assert.equal(count(log, 'client', EventType.EVENT_DISCONNECT), 0);
  const st = server.conn.getDtlsStatistics();
  assert.equal(st?.sessions, 1, 'no association for junk');
  assert.equal(st?.handshakeFailures, 0);
  assert.ok((st?.droppedDatagrams ?? 0) >= 250, `junk dropped (${st?.droppedDatagrams})`);
  server.conn.destroy();
  client.conn.destroy();
});
