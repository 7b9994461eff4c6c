/**
 * DTLS benchmarks (issue: DTLS 1.2), each against an anchor measured in the same run:
 * 1. encrypted echo throughput, PacketPeerDTLS vs plain PacketPeerUDP, 1 KiB packets, window 32,
 *    client and server in this process on one poll loop (setImmediate) — target ≥ 70 %;
 * 2. echo round-trip time, window 1 (median), DTLS vs UDP;
 * 3. handshakes/s of a gdwire DTLSServer process vs `openssl s_server -dtls1_2` on the same
 *    certificate (ECDSA P-256, RSA-2048); the client is a gdwire PacketPeerDTLS (clientUnsafe,
 *    event-driven) in both cases, one handshake at a time; the gdwire server is event-driven
 *    too (DTLSServer.acceptFrom), so neither side spins. The gdwire server always does the cookie exchange
 *    (one more round trip, as Godot's); s_server does not (its -listen mode serves only the
 *    first client), so the anchor is a little flattered.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Crypto } from '../src/core/crypto/crypto.js';
import { isNativeAvailable, nativeLoadError } from '../src/core/crypto/native.js';
import { TLSOptions } from '../src/core/crypto/tls-options.js';
import { DTLSServer } from '../src/core/io/dtls-server.js';
import { PacketPeerDTLS } from '../src/core/io/packet-peer-dtls.js';
import { PacketPeerUDP } from '../src/core/io/packet-peer-udp.js';
import { UDPServer } from '../src/core/io/udp-server.js';
import type { PacketPeer } from '../src/core/io/packet-peer.js';
import { machine, median, row } from './harness.js';

const SIZE = 1024;
const WINDOW = 32;
const RUN_MS = 1500;
const ROUNDS = 3;
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

interface Pair { client: PacketPeer; pump: () => void; close: () => void }

async function udpPair(): Promise<Pair> {
  const server = new UDPServer();
  await server.listen(0, '127.0.0.1');
  const client = new PacketPeerUDP();
  await client.connectToHost('127.0.0.1', server.getLocalPort());
  const peers: PacketPeerUDP[] = [];
  return {
    client,
    pump: () => {
      server.poll();
      while (server.isConnectionAvailable()) { const p = server.takeConnection(); if (p) peers.push(p); }
      for (const p of peers) while (p.getAvailablePacketCount() > 0) p.putPacket(p.getPacket());
    },
    close: () => { client.close(); server.stop(); },
  };
}

async function dtlsPair(crypto: Crypto): Promise<Pair> {
  const key = crypto.generateEcdsa('P-256');
  const cert = key ? crypto.generateSelfSignedCertificate(key) : null;
  if (!key || !cert) throw new Error('key generation failed');
  const server = new UDPServer();
  await server.listen(0, '127.0.0.1');
  const dtls = new DTLSServer();
  dtls.setup(TLSOptions.server(key, cert));
  const udp = new PacketPeerUDP();
  await udp.connectToHost('127.0.0.1', server.getLocalPort());
  const client = new PacketPeerDTLS();
  client.connectToPeer(udp, 'myserver', TLSOptions.client(cert));
  const peers: PacketPeerDTLS[] = [];
  const pump = (): void => {
    server.poll();
    while (server.isConnectionAvailable()) {
      const u = server.takeConnection();
      const p = u ? dtls.takeConnection(u) : null;
      if (p && p.getStatus() === PacketPeerDTLS.STATUS_HANDSHAKING) peers.push(p);
    }
    for (const p of peers) {
      p.poll();
      while (p.getAvailablePacketCount() > 0) p.putPacket(p.getPacket());
    }
    client.poll();
  };
  for (let i = 0; i < 10_000 && client.getStatus() !== PacketPeerDTLS.STATUS_CONNECTED; i++) { pump(); await tick(); }
  if (client.getStatus() !== PacketPeerDTLS.STATUS_CONNECTED) throw new Error(`DTLS handshake failed: ${client.getLastError()}`);
  return { client, pump, close: () => { client.disconnectFromPeer(); udp.close(); server.stop(); } };
}

/** Packets/s echoed with `window` in flight; also the median round trip when window = 1. */
async function echo(pair: Pair, window: number, ms: number): Promise<{ rate: number; rttMs: number }> {
  const payload = new Uint8Array(SIZE).fill(7);
  // Let the previous run's packets land and discard them.
  for (const until = performance.now() + 50; performance.now() < until;) {
    pair.pump();
    while (pair.client.getAvailablePacketCount() > 0) pair.client.getPacket();
    await tick();
  }
  const sentAt: number[] = [];
  const rtts: number[] = [];
  for (let i = 0; i < window; i++) { pair.client.putPacket(payload); sentAt.push(performance.now()); }
  let received = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    pair.pump();
    while (pair.client.getAvailablePacketCount() > 0) {
      pair.client.getPacket();
      received++;
      const s = sentAt.shift();
      if (s !== undefined) rtts.push(performance.now() - s);
      pair.client.putPacket(payload);
      sentAt.push(performance.now());
    }
    await tick();
  }
  return { rate: (received * 1000) / (performance.now() - t0), rttMs: median(rtts) };
}

async function handshakesPerSecond(port: number, ms: number): Promise<number> {
  let done = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    const udp = new PacketPeerUDP();
    udp.on('error', () => {});
    await udp.connectToHost('127.0.0.1', port);
    const p = new PacketPeerDTLS({ handshakeTimeoutMs: 3000 });
    p.setAutoPoll(true); // event-driven: no busy loop competing with the server for the CPU
    p.connectToPeer(udp, 'myserver', TLSOptions.clientUnsafe());
    if (await p.waitForHandshake() === PacketPeerDTLS.STATUS_CONNECTED) done++;
    p.disconnectFromPeer();
    udp.close();
  }
  return (done * 1000) / (performance.now() - t0);
}

async function spawnPort(cmd: string, args: string[], portFromStdout: boolean, port = 0): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  if (!portFromStdout) {
    await new Promise((r) => setTimeout(r, 300));
    return { child, port };
  }
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, port: Number(line.toString().trim()) };
}

function stop(child: ChildProcess): void {
  child.stdin?.end();
  if (child.pid !== undefined) { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }
}

async function freePort(): Promise<number> {
  const s = new UDPServer();
  await s.listen(0, '127.0.0.1');
  const p = s.getLocalPort();
  s.stop();
  return p;
}

async function main(): Promise<void> {
  if (!isNativeAvailable()) {
    console.log(`# DTLS benchmarks skipped: ${nativeLoadError()}`);
    return;
  }
  console.log(`# DTLS 1.2, ${SIZE} B packets, 127.0.0.1 — ${machine()}`);
  const crypto = new Crypto();
  const udpRates: number[] = []; const dtlsRates: number[] = [];
  const udpRtt: number[] = []; const dtlsRtt: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const u = await udpPair();
    udpRates.push((await echo(u, WINDOW, RUN_MS)).rate);
    udpRtt.push((await echo(u, 1, 500)).rttMs);
    u.close();
    const d = await dtlsPair(crypto);
    dtlsRates.push((await echo(d, WINDOW, RUN_MS)).rate);
    dtlsRtt.push((await echo(d, 1, 500)).rttMs);
    d.close();
  }
  console.log(row('echo throughput PacketPeerDTLS vs UDP', median(dtlsRates), median(udpRates), 'UDP', 'pkt/s', 0.7));
  // Each round measures UDP then DTLS back to back: its own ratio shows how steady the machine was.
  console.log(`${'  ratio per round'.padEnd(44)} ${dtlsRates.map((d, i) => (d / (udpRates[i] ?? d)).toFixed(2)).join(' ')}`);
  console.log(`${'echo RTT (window 1, median)'.padEnd(44)} gdwire ${median(dtlsRtt).toFixed(3)} ms   UDP ${median(udpRtt).toFixed(3)} ms`);

  const dir = mkdtempSync(join(tmpdir(), 'gdwire-dtls-bench-'));
  try {
    for (const kind of ['ECDSA P-256', 'RSA-2048'] as const) {
      const key = kind === 'RSA-2048' ? crypto.generateRsa(2048) : crypto.generateEcdsa('P-256');
      const cert = key ? crypto.generateSelfSignedCertificate(key) : null;
      if (!key || !cert) throw new Error('key generation failed');
      const keyPath = join(dir, 'k.pem');
      const certPath = join(dir, 'c.pem');
      writeFileSync(keyPath, key.saveToString());
      writeFileSync(certPath, cert.saveToString());
      const script = fileURLToPath(new URL('./dtls-server.js', import.meta.url));
      const ours: number[] = []; const theirs: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const g = await spawnPort(process.execPath, [script, keyPath, certPath], true);
        ours.push(await handshakesPerSecond(g.port, 1500));
        stop(g.child);
        const port = await freePort();
        const o = await spawnPort('openssl', ['s_server', '-dtls1_2', '-quiet', '-accept', String(port),
          '-key', keyPath, '-cert', certPath], false, port);
        theirs.push(await handshakesPerSecond(o.port, 1500));
        stop(o.child);
      }
      console.log(row(`handshakes/s, ${kind} server`, median(ours), median(theirs), 's_server', 'hs/s'));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
