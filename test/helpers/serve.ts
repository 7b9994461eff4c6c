/**
 * `gdwire serve` as a child process for end-to-end tests: started on free ports of the
 * loopback (UDP and HTTP port 0, JSON logs), its addresses read from the "relay server started"
 * log line, /metrics and /api/state read over HTTP, stopped with SIGTERM by pid (SIGKILL when
 * it does not exit in time). Every process still running when the test process exits is
 * killed, and every wait is bounded.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from './paths.js';

export const GDWIRE_MAIN = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

const live = new Set<ChildProcess>();
let hooked = false;

function killPid(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export interface ServeRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `gdwire <args>` to its end (killed by pid after `timeoutMs`). */
export function runGdwire(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 20_000): Promise<ServeRun> {
  const child = spawn(process.execPath, [GDWIRE_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  const timer = setTimeout(() => killPid(child.pid, 'SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export class ServeProcess {
  stderr = '';
  udpPort = 0;
  httpUrl = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly killer: NodeJS.Timeout;

  private constructor(args: string[], env: NodeJS.ProcessEnv, lifetimeMs: number) {
    const argv = [GDWIRE_MAIN, 'serve', '--port', '0', '--bind', '127.0.0.1', '--http-port', '0', '--log-format', 'json', ...args];
    this.child = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    live.add(this.child);
    if (!hooked) {
      hooked = true;
      process.on('exit', () => { for (const c of live) killPid(c.pid, 'SIGKILL'); });
    }
    this.child.stderr?.setEncoding('utf8').on('data', (s: string) => { this.stderr += s; });
    this.killer = setTimeout(() => killPid(this.child.pid, 'SIGKILL'), lifetimeMs);
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code) => {
        clearTimeout(this.killer);
        live.delete(this.child);
        resolve(code);
      });
    });
  }

  /**
   * Starts `gdwire serve` with `args` and waits (≤ 20 s) for it to listen. `lifetimeMs`: the
   * hard limit after which it is killed whatever happens.
   */
  static async start(args: string[], env: NodeJS.ProcessEnv = {}, lifetimeMs = 120_000): Promise<ServeProcess> {
    const s = new ServeProcess(args, env, lifetimeMs);
    const started = await s.waitForLog('relay server started', 20_000);
    const udp = /:(\d+)$/.exec(String(started['udp']))?.[1];
    s.udpPort = Number(udp);
    s.httpUrl = String(started['http']);
    assert.ok(s.udpPort > 0 && s.httpUrl.startsWith('http://'), `serve listening\n${s.describe()}`);
    return s;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The JSON log lines so far. */
  logs(): Array<Record<string, unknown>> {
    return this.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** The first log line whose msg is `msg` (waits ≤ `ms`; fails when the process exits first). */
  async waitForLog(msg: string, ms: number): Promise<Record<string, unknown>> {
    const until = performance.now() + ms;
    for (let i = 0; i < 100_000; i++) {
      const hit = this.logs().find((l) => l['msg'] === msg);
      if (hit) return hit;
      if (this.child.exitCode !== null || this.child.signalCode !== null) assert.fail(`serve exited before logging "${msg}"\n${this.describe()}`);
      if (performance.now() > until) assert.fail(`serve did not log "${msg}" within ${ms} ms\n${this.describe()}`);
      await sleep(20);
    }
    return assert.fail('unreachable');
  }

  async metrics(): Promise<string> {
    const res = await fetch(`${this.httpUrl}metrics`, { signal: AbortSignal.timeout(5000) });
    return res.text();
  }

  /** The value of one Prometheus series, e.g. `gdwire_dtls_handshakes_total{result="ok"}`; NaN when absent. */
  async metric(series: string): Promise<number> {
    const text = await this.metrics();
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? NaN : Number(line.slice(series.length + 1));
  }

  /** Waits (≤ `ms`, one scrape every 50 ms) until `series` reaches `atLeast`; its last value. */
  async waitForMetric(series: string, atLeast: number, ms: number): Promise<number> {
    const until = performance.now() + ms;
    let v = NaN;
    for (let i = 0; i < 10_000; i++) {
      v = await this.metric(series);
      if (v >= atLeast || performance.now() > until) return v;
      await sleep(50);
    }
    return v;
  }

  async state(): Promise<{ rooms: Array<{ id: string; peers: number[] }>; peers: Array<{ id: number; room: string | null; rttMs: number }>; dtls: Record<string, number> | null }> {
    const res = await fetch(`${this.httpUrl}api/state`, { signal: AbortSignal.timeout(5000) });
    return (await res.json()) as Awaited<ReturnType<ServeProcess['state']>>;
  }

  /**
   * The first /api/state (one read every 50 ms, ≤ `ms`) for which `pred` holds — the server
   * samples its core once per interval, so a change shows up there a moment later.
   */
  async waitForState(pred: (st: Awaited<ReturnType<ServeProcess['state']>>) => boolean, ms: number): Promise<Awaited<ReturnType<ServeProcess['state']>>> {
    const until = performance.now() + ms;
    for (let i = 0; i < 10_000; i++) {
      const st = await this.state();
      if (pred(st) || performance.now() > until) return st;
      await sleep(50);
    }
    return this.state();
  }

  /** SIGTERM by pid and the exit code (SIGKILL after `ms`). */
  async stop(ms = 15_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    killPid(this.child.pid, 'SIGTERM');
    const hard = setTimeout(() => killPid(this.child.pid, 'SIGKILL'), ms);
    const code = await this.exited;
    clearTimeout(hard);
    return code;
  }

  /** Kills it if it still runs (always call, in `finally`). */
  async dispose(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) killPid(this.child.pid, 'SIGKILL');
    await this.exited;
  }

  describe(): string {
    return `--- gdwire serve (pid ${this.child.pid}, exit ${this.child.exitCode ?? this.child.signalCode ?? 'running'})\n${this.stderr}`;
  }
}
