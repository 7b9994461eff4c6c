/**
 * Shared pieces of the DTLS tests: the native-addon gate, cached keys and certificates, a
 * Godot-style accept loop, and `openssl` processes killed by pid.
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
import { isNativeAvailable, nativeLoadError } from '../../src/core/crypto/native.js';
import type { X509Certificate } from '../../src/core/crypto/x509-certificate.js';
import type { DTLSServer } from '../../src/core/io/dtls-server.js';
import { PacketPeerDTLS } from '../../src/core/io/packet-peer-dtls.js';
import type { UDPServer } from '../../src/core/io/udp-server.js';
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
