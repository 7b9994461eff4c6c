/**
 * Shared pieces of the DTLS tests: the native-addon gate, cached keys and certificates, a
 * handshake driven by hand through the native addon, a Godot-style accept loop, and
 * `openssl` processes killed by pid.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Crypto } from '../../src/core/crypto/crypto.js';
import type { CryptoKey } from '../../src/core/crypto/crypto-key.js';
import { isNativeAvailable, nativeLoadError, type NativeAddon, type NativeContext, type NativeSession } from '../../src/core/crypto/native.js';
import type { X509Certificate } from '../../src/core/crypto/x509-certificate.js';
import { TLSOptions } from '../../src/core/crypto/tls-options.js';
import { Error } from '../../src/core/error.js';
import { DTLSServer } from '../../src/core/io/dtls-server.js';
import { PacketPeerDTLS } from '../../src/core/io/packet-peer-dtls.js';
import { PacketPeerUDP } from '../../src/core/io/packet-peer-udp.js';
import { UDPServer } from '../../src/core/io/udp-server.js';
import type { LinkConditions } from '../../src/platform/memory-network.js';
import { createTestPlatform, hostPlatform, type TestPlatform } from '../../src/platform/test-platform.js';
import { interopRequired } from './godot.js';

/**
 * true when the native addon is loaded; otherwise skips the test visibly (or fails it under
 * GDWIRE_REQUIRE_INTEROP=1, as CI runs).
 */
export function requireNative(t: TestContext): boolean {
  if (isNativeAvailable()) return true;
  const why = `DTLS native addon unavailable: ${nativeLoadError()}`;
  if (interopRequired()) assert.fail(`${why}; GDWIRE_REQUIRE_INTEROP=1 makes that a failure`);
  t.diagnostic(`SKIPPED: ${why}`);
  t.skip(why);
  return false;
}

export interface KeyAndCert {
  key: CryptoKey;
  cert: X509Certificate;
}

const cache = new Map<string, KeyAndCert>();

/** A key and a self-signed certificate, generated once per process for each distinct request. */
export function keyAndCert(kind: 'rsa2048' | 'rsa4096' | 'p256', issuer = 'CN=myserver,O=myorganisation,C=IT',
  notBefore = '20140101000000', notAfter = '20340101000000', tag = ''): KeyAndCert {
  const id = [kind, issuer, notBefore, notAfter, tag].join('|');
  const hit = cache.get(id);
  if (hit) return hit;
  const c = new Crypto();
  const key = kind === 'p256' ? c.generateEcdsa('P-256') : c.generateRsa(kind === 'rsa4096' ? 4096 : 2048);
  assert.ok(key, `generate ${kind}`);
  const cert = c.generateSelfSignedCertificate(key, issuer, notBefore, notAfter);
  assert.ok(cert, `certificate for ${kind}`);
  const made = { key, cert };
  cache.set(id, made);
  return made;
}

/** The cookie secret, and two peer ids (16-byte address + port) of the native tests. */
export const SECRET = new Uint8Array(32).fill(7);
export const PEER_A = new Uint8Array(18).fill(1);
export const PEER_B = new Uint8Array(18).fill(2);

/** A native server context for `kc` (cookie secret SECRET). */
export function serverCtx(n: NativeAddon, kc: KeyAndCert): NativeContext {
  const pem = kc.key.saveToString();
  return n.createContext(true, kc.cert.saveToString(), pem, null, false, SECRET);
}

/** A native client context trusting `trusted` (null: verifies nothing). */
export function clientCtx(n: NativeAddon, trusted: KeyAndCert | null): NativeContext {
  return n.createContext(false, null, null, trusted ? trusted.cert.saveToString() : null, trusted !== null, null);
}

export interface NativePair {
  server: NativeSession;
  client: NativeSession;
  /** Datagrams the server wrote during the handshake, in order. */
  serverFlights: Uint8Array[];
}

/**
 * The native addon alone: client and server sessions through the cookie exchange and the
 * handshake, moving datagrams by hand; `tamper` may rewrite each server datagram on its way
 * to the client.
 */
export function handshake(n: NativeAddon, sctx: NativeContext, cctx: NativeContext, host: string | null, mtu = 1400,
  tamper: (d: Uint8Array) => Uint8Array = (d) => d): NativePair & { client: NativeSession; result: number } {
  const client = n.sessionNew(cctx, host, host, mtu, 1000, null);
  assert.equal(n.sessionHandshake(client), 0);
  const hello = n.sessionDrain(client);
  assert.equal(hello.length, 1);
  const first = n.sessionNew(sctx, null, null, mtu, 1000, PEER_A);
  n.sessionFeed(first, hello[0] ?? new Uint8Array());
  assert.equal(n.sessionListen(first, 5), 0, 'no cookie: HelloVerifyRequest');
  const hvr = n.sessionDrain(first);
  assert.equal(hvr.length, 1);
  n.sessionFree(first);
  n.sessionFeed(client, hvr[0] ?? new Uint8Array());
  assert.equal(n.sessionHandshake(client), 0);
  const server = n.sessionNew(sctx, null, null, mtu, 1000, PEER_A);
  for (const d of n.sessionDrain(client)) n.sessionFeed(server, d);
  assert.equal(n.sessionListen(server, 5), 1, 'valid cookie');
  const serverFlights: Uint8Array[] = [];
  let result = 0;
  for (let i = 0; i < 20 && result === 0; i++) {
    const s = n.sessionHandshake(server);
    assert.notEqual(s, -1, n.sessionError(server).reason);
    for (const d of n.sessionDrain(server)) {
      serverFlights.push(d);
      n.sessionFeed(client, tamper(d));
    }
    result = n.sessionHandshake(client);
    for (const d of n.sessionDrain(client)) n.sessionFeed(server, d);
    if (result === 1) assert.equal(n.sessionHandshake(server), 1);
  }
  for (const d of n.sessionDrain(server)) n.sessionFeed(client, d);
  return { server, client, serverFlights, result };
}

/**
 * The Godot accept loop: poll the UDPServer, hand each new UDP peer to the DTLSServer, keep the
 * peers still HANDSHAKING (the first one per client ends in STATUS_ERROR: cookie exchange), and
 * poll every kept peer.
 */
export class AcceptLoop {
  readonly peers: PacketPeerDTLS[] = [];
  taken = 0;
  cookieRejects = 0;

  constructor(readonly udp: UDPServer, readonly dtls: DTLSServer) {}

  step(): void {
    this.udp.poll();
    while (this.udp.isConnectionAvailable()) {
      const u = this.udp.takeConnection();
      if (!u) break;
      this.taken++;
      const p = this.dtls.takeConnection(u);
      if (p.getStatus() === PacketPeerDTLS.STATUS_HANDSHAKING) this.peers.push(p);
      else this.cookieRejects++;
    }
    for (const p of this.peers) p.poll();
  }
}

/** Real time: calls `step` every `everyMs` until `done()` or `ms` elapse; whether done. */
export async function pollUntil(step: () => void, done: () => boolean, ms = 5000, everyMs = 2): Promise<boolean> {
  const until = performance.now() + ms;
  for (let i = 0; i < 100_000; i++) {
    step();
    if (done()) return true;
    if (performance.now() > until) return false;
    await sleep(everyMs);
  }
  return done();
}

/** A scratch directory holding PEM files for openssl; removed by dispose(). */
export class PemDir {
  readonly dir = mkdtempSync(join(tmpdir(), 'gdwire-dtls-'));
  write(name: string, text: string): string {
    const p = join(this.dir, name);
    writeFileSync(p, text);
    return p;
  }
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One `openssl` process (s_server / s_client) with its output; kill() by pid. */
export class OpenSSLProcess {
  stdout = '';
  stderr = '';
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(args: string[], timeoutMs = 20_000) {
    this.child = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout?.setEncoding('utf8').on('data', (s: string) => { this.stdout += s; });
    this.child.stderr?.setEncoding('utf8').on('data', (s: string) => { this.stderr += s; });
    const timer = setTimeout(() => this.kill(), timeoutMs);
    this.exited = new Promise((resolve) => {
      this.child.once('error', () => { clearTimeout(timer); resolve(null); });
      this.child.once('close', (code) => { clearTimeout(timer); resolve(code); });
    });
  }

  write(text: string): void {
    this.child.stdin?.write(text);
  }

  /** Waits until stdout+stderr matches `re`; false after `ms` or when the process ended. */
  async waitFor(re: RegExp, ms = 5000): Promise<boolean> {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      if (re.test(this.stdout) || re.test(this.stderr)) return true;
      if (this.child.exitCode !== null || this.child.signalCode !== null) return re.test(this.stdout + this.stderr);
      await sleep(10);
    }
    return false;
  }

  kill(): void {
    const pid = this.child.pid;
    if (pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  async dispose(): Promise<void> {
    this.kill();
    await this.exited;
  }

  describe(): string {
    return `--- openssl (pid ${this.child.pid})\n--- stdout:\n${this.stdout}\n--- stderr:\n${this.stderr}`;
  }
}

/**
 * DTLS on the in-memory network with a fake clock: a UDPServer + DTLSServer on 10.0.0.1:4433
 * run by an AcceptLoop, and client hosts added on demand.
 */
export class SimWorld {
  readonly base: TestPlatform;
  readonly udp: UDPServer;
  readonly dtls: DTLSServer;
  readonly loop: AcceptLoop;
  readonly clients: PacketPeerDTLS[] = [];
  private hosts = 0;

  constructor(seed: number, conditions: LinkConditions = {}, readonly server: KeyAndCert = keyAndCert('p256'),
    tuning: { handshakeTimeoutMs?: number } = {}) {
    this.base = createTestPlatform({ seed, conditions });
    const sp = hostPlatform(this.base, this.base.net.createHost('server', ['10.0.0.1']));
    this.udp = new UDPServer({ platform: sp });
    this.dtls = new DTLSServer({ platform: sp, ...tuning });
    this.loop = new AcceptLoop(this.udp, this.dtls);
  }

  async start(): Promise<void> {
    assert.equal(await this.udp.listen(4433), Error.OK);
    assert.equal(this.dtls.setup(TLSOptions.server(this.server.key, this.server.cert)), Error.OK);
  }

  /** A client host with a UDP peer connected to the server (or to `ip`). */
  async udpClient(ip = '10.0.0.1'): Promise<{ udp: PacketPeerUDP; platform: TestPlatform }> {
    const n = ++this.hosts;
    const platform = hostPlatform(this.base, this.base.net.createHost(`client${n}`, [`10.0.1.${n}`]));
    const udp = new PacketPeerUDP({ platform });
    assert.equal(await udp.connectToHost(ip, 4433), Error.OK);
    return { udp, platform };
  }

  async connect(hostname: string, options: TLSOptions, tuning: { handshakeTimeoutMs?: number } = {}): Promise<PacketPeerDTLS> {
    const { udp, platform } = await this.udpClient();
    const peer = new PacketPeerDTLS({ platform, ...tuning });
    assert.equal(peer.connectToPeer(udp, hostname, options), Error.OK);
    this.clients.push(peer);
    return peer;
  }

  /** Advances fake time in `step` ms ticks, running the accept loop and polling clients. */
  run(ms: number, until: () => boolean = () => false, step = 5): void {
    for (let t = 0; t < ms && !until(); t += step) {
      this.base.clock.advance(step);
      this.loop.step();
      for (const c of this.clients) c.poll();
    }
  }

  serverPeer(): PacketPeerDTLS | undefined {
    return this.loop.peers.find((p) => p.getStatus() === PacketPeerDTLS.STATUS_CONNECTED);
  }

  stop(): void {
    this.udp.stop();
  }
}
