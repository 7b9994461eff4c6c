/**
 * C ENet test peers (test/c/*.c): compiled once per run with gcc -lenet into a temp dir,
 * skipped visibly when gcc/libenet are missing — and failed instead under
 * GDWIRE_REQUIRE_INTEROP=1. Also the Node platform with its clock near the 32-bit wrap.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { nodePlatform } from '../../src/platform/node-platform.js';
import type { Network, Platform } from '../../src/platform/platform.js';
import { repoRoot } from './paths.js';

const requireInterop = process.env['GDWIRE_REQUIRE_INTEROP'] === '1';
const built = new Map<string, { path: string } | { reason: string }>();

/** Compiles test/c/<name>.c once; the binary path or why it could not be built. */
export function cPeerBinary(name: string): { path: string } | { reason: string } {
  const cached = built.get(name);
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), `gdwire-${name}-`));
  const path = join(dir, name);
  const r = spawnSync('gcc', ['-O2', '-o', path, join(repoRoot, 'test', 'c', `${name}.c`), '-lenet'], { encoding: 'utf8' });
  let result: { path: string } | { reason: string };
  if (r.error || r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    result = { reason: `gcc/libenet unavailable: ${r.error?.message ?? r.stderr.trim()}` };
  } else {
    result = { path };
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  built.set(name, result);
  return result;
}

/** The binary, or null after skipping the test (failing it under GDWIRE_REQUIRE_INTEROP=1). */
export function cPeerOrSkip(t: TestContext, name: string): string | null {
  const bin = cPeerBinary(name);
  if ('path' in bin) return bin.path;
  if (requireInterop) assert.fail(bin.reason);
  t.skip(bin.reason);
  return null;
}

/** Class names of the sockets {@link wrapPlatform} platforms created, in order. */
export const createdSockets: string[] = [];

/**
 * The Node platform with the clock moved to 3 s before the 32-bit millisecond wrap.
 * `dgramOnly`: node:dgram sockets even where ENet would get batched native ones.
 */
export function wrapPlatform(dgramOnly = false): Platform {
  const p = nodePlatform({ logger: { level: 'warn' } });
  const offset = 2 ** 32 - 3000 - p.clock.now();
  const network: Network = {
    createSocket: (family, options) => {
      const sock = p.network.createSocket(family, dgramOnly ? {} : options);
      createdSockets.push(sock.constructor.name);
      return sock;
    },
    lookup: (host, family) => p.network.lookup(host, family),
  };
  return { ...p, network, clock: { now: () => p.clock.now() + offset } };
}
