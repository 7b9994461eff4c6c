/**
 * Runs real Godot 3.2.3 (Debian's `godot3-server`) as an interop peer.
 *
 * Each peer runs in its own scratch directory holding copies of test/godot/project.godot (file
 * logging off) and every test/godot/*.gd, so `res://` is that directory and nothing is written
 * into the repo or $HOME. The traps this guards against (shared/godot3/README.md):
 * - a script that fails to parse EXITS 0, so `--check-only` runs first, and success is only
 *   ever an explicit `GDWIRE_OK` line plus exit code 0;
 * - a missing `-s` script also exits 0 (even with --check-only), so the file is checked here;
 * - a runtime error before quit() leaves Godot idling forever, so every run is bounded twice:
 *   by coreutils `timeout` (survives this process dying) and by a timer here that kills the
 *   pid. Every peer still running when the test process exits is killed too.
 *
 * Binary lookup: $GDWIRE_GODOT3 if set (a path, or a name looked up in PATH), else
 * `godot3-server` in PATH. When it is missing, {@link requireGodot3} skips the test visibly —
 * or FAILS it when GDWIRE_REQUIRE_INTEROP=1 (CI sets that).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket, type SocketType } from 'node:dgram';
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import type { TestContext } from 'node:test';
import { repoRoot } from './paths.js';

export const godotScriptsDir = join(repoRoot, 'test', 'godot');
export const SUCCESS_LINE = 'GDWIRE_OK';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function which(name: string): string | null {
  if (isAbsolute(name) || name.includes('/')) return isExecutable(name) ? name : null;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** The godot3-server binary, or null when it is not installed (or $GDWIRE_GODOT3 is wrong). */
export function findGodot3(): string | null {
  return which(process.env['GDWIRE_GODOT3'] || 'godot3-server');
}

/** True when GDWIRE_REQUIRE_INTEROP=1: a missing interop peer then fails instead of skipping. */
export function interopRequired(): boolean {
  return process.env['GDWIRE_REQUIRE_INTEROP'] === '1';
}

/**
 * Returns the godot3-server path, or marks the test skipped (with a visible reason) and
 * returns null. Under GDWIRE_REQUIRE_INTEROP=1 a missing binary fails the test instead.
 * Callers: `const bin = requireGodot3(t); if (!bin) return;`
 */
export function requireGodot3(t: TestContext): string | null {
  const bin = findGodot3();
  if (bin) return bin;
  const wanted = process.env['GDWIRE_GODOT3'] || 'godot3-server';
  const why = `godot3-server not installed (looked for "${wanted}") — ` +
    'install it with `apt-get install godot3-server` (Debian 12) to run the Godot 3.2.3 interop tests';
  if (interopRequired()) assert.fail(`${why}; GDWIRE_REQUIRE_INTEROP=1 makes that a failure`);
  t.diagnostic(`SKIPPED: ${why}`);
  t.skip(why);
  return null;
}

/** A UDP port that was free a moment ago on `address` (bind to 0, read it, close). */
export async function freeUdpPort(address = '127.0.0.1'): Promise<number> {
  const type: SocketType = address.includes(':') ? 'udp6' : 'udp4';
  const sock = createSocket(type);
  try {
    return await new Promise<number>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, address, () => resolve(sock.address().port));
    });
  } finally {
    sock.close();
  }
}

/** Whether this machine can bind a UDP socket on the IPv6 loopback ::1. */
export async function hasIpv6Loopback(): Promise<boolean> {
  try {
    await freeUdpPort('::1');
    return true;
  } catch {
    return false;
  }
}

export interface GodotResult {
  /** Exit code; 124 = killed by `timeout`; null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Exit code 0 AND a `GDWIRE_OK` line on stdout. */
  ok: boolean;
  stdout: string;
  stderr: string;
}

export interface GodotPeerOptions {
  /** The godot3-server binary (from {@link requireGodot3}). */
  bin: string;
  /** A script file name in test/godot/, e.g. 'udp_client.gd'. */
  script: string;
  /** Passed after `--` as `--key=value`. */
  args?: Record<string, string | number>;
  /** Hard limit for the whole run. Default 30 s. */
  timeoutMs?: number;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killPid(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // `timeout` forwards SIGTERM to Godot (and SIGKILLs it 2 s later if needed).
  process.on('exit', () => { for (const c of live) killPid(c.pid, 'SIGTERM'); });
}

function scratchEnv(scratch: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['LC_ALL'];
  delete env['LC_MESSAGES'];
  env['LANG'] = 'en_US.UTF-8';
  // user:// and Godot's data/config/cache dirs stay inside the scratch directory.
  env['XDG_DATA_HOME'] = join(scratch, 'xdg-data');
  env['XDG_CONFIG_HOME'] = join(scratch, 'xdg-config');
  env['XDG_CACHE_HOME'] = join(scratch, 'xdg-cache');
  return env;
}

function makeScratch(): string {
  const scratch = mkdtempSync(join(tmpdir(), 'gdwire-godot3-'));
  for (const name of readdirSync(godotScriptsDir)) {
    if (name.endsWith('.gd') || name === 'project.godot') {
      copyFileSync(join(godotScriptsDir, name), join(scratch, name));
    }
  }
  for (const d of ['xdg-data', 'xdg-config', 'xdg-cache']) mkdirSync(join(scratch, d));
  return scratch;
}

/** One running Godot peer. Always `dispose()` it (in `finally` / `t.after`). */
export class GodotPeer {
  stdout = '';
  stderr = '';
  readonly exited: Promise<GodotResult>;
  private readonly child: ChildProcess;
  private timedOut = false;
  private readonly timer: NodeJS.Timeout;
  private lineWaiters: Array<() => void> = [];

  private constructor(readonly options: GodotPeerOptions, readonly scratch: string) {
    const { bin, script } = options;
    const timeoutMs = options.timeoutMs ?? 30_000;
    const args = Object.entries(options.args ?? {}).map(([k, v]) => `--${k}=${v}`);
    const secs = String(Math.ceil(timeoutMs / 1000) + 2);
    const godotArgv = [bin, '-s', script, '--', ...args];
    const useTimeout = which('timeout') !== null;
    this.child = spawn(useTimeout ? 'timeout' : bin,
      useTimeout ? ['-k', '2', secs, ...godotArgv] : godotArgv.slice(1),
      { cwd: scratch, env: scratchEnv(scratch), stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this.child);
    installExitHook();
    this.child.stdout?.setEncoding('utf8').on('data', (s: string) => { this.stdout += s; this.wake(); });
    this.child.stderr?.setEncoding('utf8').on('data', (s: string) => { this.stderr += s; });
    this.timer = setTimeout(() => { this.timedOut = true; this.kill(); }, timeoutMs);
    this.exited = new Promise<GodotResult>((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null): void => {
        clearTimeout(this.timer);
        live.delete(this.child);
        this.wake();
        const timedOut = this.timedOut || code === 124;
        const ok = code === 0 && !timedOut && this.stdout.split('\n').some((l) => l.trim() === SUCCESS_LINE);
        resolve({ code, signal, timedOut, ok, stdout: this.stdout, stderr: this.stderr });
      };
      this.child.once('error', (e) => { this.stderr += `\nspawn error: ${e.message}`; done(null, null); });
      this.child.once('close', done);
    });
  }

  /**
   * Parse-checks the script (`--check-only`: exit 1 on a parse error), then starts it.
   * Throws, with Godot's output, when the check fails.
   */
  static start(options: GodotPeerOptions): GodotPeer {
    if (!existsSync(join(godotScriptsDir, options.script))) {
      throw new Error(`GDScript ${options.script} not found in ${godotScriptsDir}`);
    }
    const scratch = makeScratch();
    const check = spawnSync(options.bin, ['--check-only', '-s', options.script], {
      cwd: scratch, env: scratchEnv(scratch), encoding: 'utf8', timeout: 20_000,
    });
    if (check.status !== 0) {
      rmSync(scratch, { recursive: true, force: true });
      throw new Error(`godot3-server --check-only -s ${options.script} failed ` +
        `(status ${check.status}, ${check.error?.message ?? 'no spawn error'}):\n${check.stdout}\n${check.stderr}`);
    }
    return new GodotPeer(options, scratch);
  }

  get pid(): number | undefined { return this.child.pid; }

  private wake(): void {
    const waiters = this.lineWaiters;
    this.lineWaiters = [];
    for (const w of waiters) w();
  }

  private running(): boolean { return this.child.exitCode === null && this.child.signalCode === null; }

  /** Resolves with the first stdout line matching `re`; rejects on exit or after `ms`. */
  async waitForLine(re: RegExp, ms = 10_000): Promise<RegExpMatchArray> {
    const deadline = setTimeout(() => this.wake(), ms);
    const started = process.hrtime.bigint();
    try {
      for (;;) {
        for (const line of this.stdout.split('\n')) {
          const m = line.match(re);
          if (m) return m;
        }
        const waited = Number(process.hrtime.bigint() - started) / 1e6;
        if (!this.running() || waited >= ms) {
          throw new Error(`Godot never printed ${re} (${waited >= ms ? `after ${ms} ms` : 'it exited'})\n${this.describe()}`);
        }
        await new Promise<void>((r) => this.lineWaiters.push(r));
      }
    } finally {
      clearTimeout(deadline);
    }
  }

  /** Waits for Godot to exit by itself (bounded by the peer's hard timeout). */
  finish(): Promise<GodotResult> { return this.exited; }

  /** Kills the process by pid (SIGTERM through `timeout`, SIGKILL 2 s later if needed). */
  kill(): void {
    if (!this.running()) return;
    const pid = this.child.pid;
    killPid(pid, 'SIGTERM');
    setTimeout(() => { if (this.running()) killPid(pid, 'SIGKILL'); }, 2500).unref();
  }

  /** Kills the process if it still runs, waits for it, removes the scratch directory. */
  async dispose(): Promise<GodotResult> {
    this.kill();
    const r = await this.exited;
    rmSync(this.scratch, { recursive: true, force: true });
    return r;
  }

  /** Godot's output, for assertion messages. */
  describe(): string {
    const cmd = `godot3-server -s ${this.options.script} -- ` +
      Object.entries(this.options.args ?? {}).map(([k, v]) => `--${k}=${v}`).join(' ');
    return `--- ${cmd} (pid ${this.child.pid}, exit ${this.child.exitCode ?? this.child.signalCode ?? 'running'}` +
      `${this.timedOut ? ', TIMED OUT' : ''})\n--- stdout:\n${this.stdout}\n--- stderr:\n${this.stderr}`;
  }
}

/** Runs a script to completion and returns its result; the peer is always disposed. */
export async function runGodot(options: GodotPeerOptions): Promise<GodotResult & { describe: string }> {
  const peer = GodotPeer.start(options);
  try {
    const r = await peer.finish();
    return { ...r, describe: peer.describe() };
  } finally {
    await peer.dispose();
  }
}
