/**
 * gdwire's ENet against the C library (libenet 1.3.17) and npm `enet` (emscripten ENet), all
 * measured in this run: two processes on 127.0.0.1, each benchmark alternating the
 * implementations round by round, medians of ROUNDS rounds (issue 3 item 7).
 *
 * gdwire runs through Godot's classes (ENetConnection/ENetPacketPeer, src/modules/enet) in
 * their event-driven mode, or polled in a setImmediate loop for the busy-loop rows. C runs
 * bench/c/enet-bench.c (compiled now with gcc -O2 -lenet into a temp dir) with
 * enet_host_service(…, 1) — "svc 1", a blocking 1 ms service timeout — or (…, 0), "svc 0", a
 * busy loop. npm enet is serviced in a setImmediate loop, its fastest style. The processes
 * share the machine's cores, so only the ratios printed side by side mean anything. Throughput
 * targets are judged against C svc 1 (a blocking wait, the loop style of the event-driven mode);
 * the svc 0 rows are for information: two busy loops collapse when other work shares the CPUs.
 *
 *   (a) reliable 64 B msg/s        target ≥ 0.5× C (svc 1) and ≥ 4× npm enet (client → C server)
 *   (b) reliable 1200 B msg/s      target ≥ 0.8× C
 *   (c) reliable 4000 B msg/s (3 fragments)
 *   (d) ping-pong RTT median, p99  target ≤ 1.25× C at the same loop style
 *   (e) 1000 peers × 20 msg/s      server CPU, target ≤ 2× C's
 *   (f) 200k messages queued before the first service: rate vs the steady-state rate
 * Throughput runs (a)–(c) send a tenth more messages first and start the clock once the server
 * has reported those (every implementation alike, the rule the RTT rows already use): a
 * steady-state rate, free of connect and JIT warm-up. (a) also prints each side's whole-run rate.
 * "diag" rows run the same gdwire processes on the engine (src/enet Host) with the minimal
 * node:dgram driver of enet-driver.ts instead of ENetConnection, to separate engine and driver costs.
 * `GDWIRE_ENET_BENCH=a,d` runs a subset.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { fmt, machine, median, row } from './harness.js';

const ROUNDS = 3;
const WINDOW = 2048; // messages a throughput client keeps unreported (the server reports every 256)
const MANY = { peers: 1000, rate: 20, seconds: 10 };
const only = (process.env['GDWIRE_ENET_BENCH'] ?? 'a,b,c,d,e,f').split(',');

const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));
const GDWIRE = [process.execPath, here('./enet-peer.js')];
const NPM = [process.execPath, '--no-warnings', here('./enet-npm-client.js')];
let C: string[] | null = null;
let cReason = '';

function buildC(): void {
  const dir = mkdtempSync(join(tmpdir(), 'gdwire-enet-bench-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const bin = join(dir, 'enet-bench');
  const src = fileURLToPath(new URL('../../bench/c/enet-bench.c', import.meta.url));
  const r = spawnSync('gcc', ['-O2', '-o', bin, src, '-lenet'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) cReason = `gcc/libenet unavailable: ${r.error?.message ?? r.stderr.trim()}`;
  else C = [bin];
}

/** A child process whose stdout lines are collected; stdin stays open until it is stopped. */
class Proc {
  readonly lines: string[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  private waiters: Array<() => void> = [];
  constructor(cmd: string[]) {
    this.child = spawn(cmd[0]!, cmd.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.child.stdout! }).on('line', (l) => {
      this.lines.push(l);
      for (const w of this.waiters.splice(0)) w();
    });
    this.exited = new Promise((r) => this.child.on('exit', () => { for (const w of this.waiters.splice(0)) w(); r(); }));
  }
  async line(prefix: string, ms: number): Promise<string | null> {
    const deadline = Date.now() + ms;
    for (;;) {
      const l = this.lines.find((x) => x.startsWith(prefix) || x.startsWith('UNAVAILABLE') || x.startsWith('TIMEOUT'));
      if (l) return l.startsWith(prefix) ? l : null;
      if (Date.now() > deadline || this.child.exitCode !== null) return null;
      await new Promise<void>((r) => { this.waiters.push(r); setTimeout(r, 50); });
    }
  }
  async stop(): Promise<void> {
    this.child.stdin?.end();
    if (this.child.exitCode === null && this.child.pid !== undefined) {
      try { process.kill(this.child.pid, 'SIGTERM'); } catch { /* already gone */ }
    }
    await this.exited;
  }
}

type Impl = 'c' | 'gdwire' | 'npm' | 'udp' | 'sink';
interface Pair { server: Impl; serverArgs: string[]; client: Impl; clientArgs: string[] }

function command(impl: Impl): string[] | null {
  return impl === 'c' ? C : impl === 'npm' ? NPM : GDWIRE;
}

function serverCommand(impl: Impl, cmd: string[]): string[] {
  return impl === 'udp' ? [...cmd, 'udp-echo'] : impl === 'sink' ? [...cmd, 'udp-sink'] : [...cmd, 'server'];
}

/** Runs one client against a fresh server; returns the client's `expect` line's numbers. */
async function runPair(p: Pair, expect: string): Promise<number[] | null> {
  const s = command(p.server);
  const c = command(p.client);
  if (!s || !c) return null;
  const server = new Proc([...serverCommand(p.server, s), ...p.serverArgs]);
  try {
    const ready = await server.line('READY', 10_000);
    if (!ready) return null;
    const port = ready.split(' ')[1]!;
    const client = new Proc(p.client === 'npm' ? [...c, port, ...p.clientArgs] : [...c, 'client', port, ...p.clientArgs]);
    const out = await client.line(expect, 40_000);
    await client.stop();
    return out ? out.split(' ').slice(1).map(Number) : null;
  } finally {
    await server.stop();
  }
}

/** Runs every named pair once per round (alternating), returns the per-pair samples. */
async function rounds(pairs: Record<string, Pair>, expect: string, n = ROUNDS): Promise<Record<string, number[][]>> {
  const out: Record<string, number[][]> = {};
  for (let r = 0; r < n; r++) {
    for (const [name, p] of Object.entries(pairs)) {
      const v = (await runPair(p, expect)) ?? (await runPair(p, expect)); // one retry
      if (v) (out[name] ??= []).push(v);
    }
  }
  return out;
}

/** Median of field `i` of a pair's samples (NaN when it never produced a result). */
function med(samples: Record<string, number[][]>, name: string, i = 0): number {
  const s = samples[name];
  return s && s.length > 0 ? median(s.map((v) => v[i] ?? NaN)) : NaN;
}

function unavailable(name: string, who: string, why: string): string {
  return `${name.padEnd(44)} ${who} unavailable: ${why}`;
}

/** row() for figures where lower is better (RTT, CPU): the target is a maximum ratio. */
function rowLower(name: string, ours: number, anchor: number, anchorName: string, unit: string, target?: number): string {
  const ratio = ours / anchor;
  const verdict = target === undefined ? '  (no target)' : ratio <= target ? `  (target ≤ ${target}: met)` : `  (target ≤ ${target}: MISSED)`;
  const f = (n: number): string => n.toFixed(1).padStart(9);
  return `${name.padEnd(44)} gdwire ${f(ours)} ${unit}   ${anchorName} ${f(anchor)} ${unit}   ratio ${ratio.toFixed(2)}${verdict}`;
}

function print(name: string, ours: number, anchor: number, anchorName: string, unit: string, target?: number): void {
  if (Number.isNaN(anchor)) console.log(unavailable(name, anchorName, anchorName.startsWith('C ') && cReason ? cReason : 'no result'));
  else if (Number.isNaN(ours)) console.log(unavailable(name, 'gdwire', 'no result'));
  else console.log(row(name, ours, anchor, anchorName, unit, target));
}

/** Raw node:dgram moving the datagrams of a throughput run, no ENet (enet-peer.ts udp-sink). */
const floorPair = (size: number, count: number): Pair => ({
  server: 'sink', serverArgs: [], client: 'gdwire', clientArgs: ['--mode', 'udp-tput', '--size', String(size), '--count', String(count)],
});

/**
 * The ceiling of any ENet on node:dgram: the same datagrams with no ENet work at all. When
 * it is below the target, node:dgram sockets cannot meet it; gdwire's ENet uses batched
 * native sockets where it can (src/platform/batched-socket.ts), which this row does not.
 */
function printFloor(label: string, floor: number, c: number, target: number): void {
  if (Number.isNaN(floor) || Number.isNaN(c)) return;
  const ceiling = floor / c;
  const note = ceiling < target ? `below the ${target} target on node:dgram; the batched socket lifts this ceiling` : `the ${target} target is within reach`;
  console.log(`${`${label} floor: node:dgram alone, same datagrams`.padEnd(44)} Node   ${fmt(floor)} msg/s   C svc 1   ${fmt(c)} msg/s   ratio ${ceiling.toFixed(2)}  (${note})`);
}

const tput = (size: number, count: number, extra: string[] = []): string[] =>
  ['--mode', 'tput', '--size', String(size), '--count', String(count), '--window', String(WINDOW), ...extra];
/** tput() after a warm-up of a tenth of `count` messages, outside the clock. */
const steady = (size: number, count: number): string[] => tput(size, count, ['--warm', String(count / 10)]);
const cc = (svc: number, args: string[]): Pair => ({ server: 'c', serverArgs: ['--svc', String(svc)], client: 'c', clientArgs: [...args, '--svc', String(svc)] });
const gg = (loop: string, args: string[]): Pair => {
  const driver = args.includes('--driver') ? ['--driver', args[args.indexOf('--driver') + 1]!] : [];
  return { server: 'gdwire', serverArgs: ['--loop', loop, ...driver], client: 'gdwire', clientArgs: [...args, '--loop', loop] };
};

async function throughput(): Promise<void> {
  if (only.includes('a')) {
    // 1M messages (≈ 0.5 s for gdwire) after 100k of warm-up.
    const a = steady(64, 1_000_000);
    const s = await rounds({
      cc1: cc(1, a), cc0: cc(0, a), gg: gg('event', a),
      ge: gg('event', [...a, '--driver', 'engine']),
      npm: { server: 'c', serverArgs: ['--svc', '1'], client: 'npm', clientArgs: a },
      gc: { server: 'c', serverArgs: ['--svc', '1'], client: 'gdwire', clientArgs: a },
      floor: floorPair(64, 1_000_000),
    }, 'RESULT');
    print('(a) 64 B reliable, event vs C svc 1', med(s, 'gg'), med(s, 'cc1'), 'C svc 1', 'msg/s', 0.5);
    print('(a) 64 B reliable, event vs C svc 0 (busy)', med(s, 'gg'), med(s, 'cc0'), 'C svc 0', 'msg/s');
    print('(a) diag: engine + bench dgram driver, svc 1', med(s, 'ge'), med(s, 'cc1'), 'C svc 1', 'msg/s');
    printFloor('(a)', med(s, 'floor'), med(s, 'cc1'), 0.5);
    const npm = med(s, 'npm');
    if (Number.isNaN(npm)) console.log(unavailable('(a) 64 B, client → C server, vs npm enet', 'npm enet', 'package not installed or failed (npm install enet)'));
    else {
      print('(a) 64 B, client → C server, vs npm enet', med(s, 'gc'), npm, 'npm enet', 'msg/s', 4);
      // What any client can reach against this C server: the C library's own client (the
      // cc1 pair: same server, same flags). The target row cannot pass this ratio.
      if (!Number.isNaN(med(s, 'cc1'))) console.log(row('(a) info: ceiling, C client → C server, vs npm enet', med(s, 'cc1'), npm, 'npm enet', 'msg/s', undefined, 'C'));
    }
    // The same runs timed from connect, warm-up included: what a short-lived client sees.
    print('(a) info: whole run incl. warm-up, vs C svc 1', med(s, 'gg', 2), med(s, 'cc1', 2), 'C svc 1', 'msg/s');
    if (!Number.isNaN(npm)) {
      print('(a) info: whole run incl. warm-up, vs npm enet', med(s, 'gc', 2), med(s, 'npm', 2), 'npm enet', 'msg/s');
      // Both JITs keep speeding up for about a second (a 200k-message run measures mostly
      // warm-up: npm enet ≈ 0.3 M msg/s there, ≈ 0.7 M after 1M messages); this row is the
      // steady state of both: 4M messages timed after 1M of warm-up.
      const long = tput(64, 4_000_000, ['--warm', '1000000']);
      const l = await rounds({
        npm: { server: 'c', serverArgs: ['--svc', '1'], client: 'npm', clientArgs: long },
        gc: { server: 'c', serverArgs: ['--svc', '1'], client: 'gdwire', clientArgs: long },
        cc: cc(1, long),
      }, 'RESULT');
      print('(a) info: 4M after 1M warm-up, vs npm enet', med(l, 'gc'), med(l, 'npm'), 'npm enet', 'msg/s');
      if (!Number.isNaN(med(l, 'cc')) && !Number.isNaN(med(l, 'npm'))) {
        console.log(row('(a) info: 4M after 1M, ceiling: C client → C server, vs npm enet', med(l, 'cc'), med(l, 'npm'), 'npm enet', 'msg/s', undefined, 'C'));
      }
      print('(a) info: 4M after 1M, gdwire client vs C client (both → C server)', med(l, 'gc'), med(l, 'cc'), 'C client', 'msg/s');
    }
  }
  if (only.includes('b')) {
    const b = steady(1200, 200_000);
    const s = await rounds({
      cc1: cc(1, b), cc0: cc(0, b), gg: gg('event', b),
      ge: gg('event', [...b, '--driver', 'engine']),
      npm: { server: 'c', serverArgs: ['--svc', '1'], client: 'npm', clientArgs: steady(1200, 20_000) },
      floor: floorPair(1200, 200_000),
    }, 'RESULT');
    print('(b) 1200 B reliable, event vs C svc 1', med(s, 'gg'), med(s, 'cc1'), 'C svc 1', 'msg/s', 0.8);
    print('(b) 1200 B reliable, event vs C svc 0 (busy)', med(s, 'gg'), med(s, 'cc0'), 'C svc 0', 'msg/s');
    print('(b) diag: engine + bench dgram driver, svc 1', med(s, 'ge'), med(s, 'cc1'), 'C svc 1', 'msg/s');
    printFloor('(b)', med(s, 'floor'), med(s, 'cc1'), 0.8);
    print('(b) 1200 B reliable, gdwire↔gdwire vs npm→C', med(s, 'gg'), med(s, 'npm'), 'npm enet', 'msg/s');
  }
  if (only.includes('c')) {
    const c = steady(4000, 20_000);
    const s = await rounds({ cc1: cc(1, c), cc0: cc(0, c), gg: gg('event', c) }, 'RESULT');
    print('(c) 4000 B reliable (3 fragments) vs C svc 1', med(s, 'gg'), med(s, 'cc1'), 'C svc 1', 'msg/s');
    print('(c) 4000 B reliable (3 fragments) vs C svc 0', med(s, 'gg'), med(s, 'cc0'), 'C svc 0', 'msg/s');
  }
}

/**
 * (d) round trips: measured after a long warm-up, every implementation alike. A Node peer's
 * JIT settles only after about 15 k round trips: before that, V8's compile threads take the
 * 2 cores from the busy processes (round trips of 0.5–15 ms; p99 1–2 ms in 5 k runs against
 * 0.15 ms warmed) and keep the CPUs from idling, which flatters the event-driven median
 * (27–38 µs in 5 k runs against 70–90 µs steady, where each hop waits for a wake-up).
 */
const RTT = ['--count', '20000', '--warm', '10000'];

async function latency(): Promise<void> {
  const args = ['--mode', 'rtt', ...RTT];
  const s = await rounds({
    cc1: cc(1, args), gg: gg('event', args), cc0: cc(0, args), ggi: gg('immediate', args),
    npm: { server: 'c', serverArgs: ['--svc', '0'], client: 'npm', clientArgs: args },
    udp: { server: 'udp', serverArgs: [], client: 'gdwire', clientArgs: ['--mode', 'udp-rtt', ...RTT] },
  }, 'RTT');
  for (const [i, what] of [[0, 'median'], [1, 'p99']] as const) {
    const c1 = med(s, 'cc1', i);
    const c0 = med(s, 'cc0', i);
    // The issue's target is on the median; p99 is printed for information.
    const target = what === 'median' ? 1.25 : undefined;
    if (Number.isNaN(c1)) console.log(unavailable(`(d) RTT ${what}`, 'C', cReason || 'no result'));
    else console.log(rowLower(`(d) RTT ${what}, event vs C svc 1 (blocking)`, med(s, 'gg', i), c1, 'C svc 1', 'µs', target));
    if (!Number.isNaN(c0)) console.log(rowLower(`(d) RTT ${what}, setImmediate vs C svc 0 (busy)`, med(s, 'ggi', i), c0, 'C svc 0', 'µs', target));
  }
  const info = (name: string, who: string, key: string): void => {
    const m = med(s, key);
    if (!Number.isNaN(m)) console.log(`${name.padEnd(44)} ${who} median ${m.toFixed(1)} µs, p99 ${med(s, key, 1).toFixed(1)} µs`);
  };
  info('(d) floor: raw node:dgram ping-pong, no ENet', 'Node', 'udp');
  info('(d) npm enet (setImmediate) → C svc 0', 'npm enet', 'npm');
}

/**
 * (e): a C client host with MANY.peers peers loads the server; the server reports CPU between
 * two marks. C and gdwire servers alternate for ROUNDS rounds; the ratio is of the medians
 * (one 10 s run swung the ratio ±0.3 on the shared 2-core machine).
 */
async function manyPeers(): Promise<void> {
  if (!C) return void console.log(unavailable('(e) 1000 peers × 20 msg/s server CPU', 'C', cReason));
  const cpu: Record<string, number[]> = { c: [], gdwire: [] };
  const offered = MANY.peers * MANY.rate;
  let behind = '';
  const servers = [['c', [...C, 'server', '--svc', '1', '--peers', '1024']], ['gdwire', [...GDWIRE, 'server', '--loop', 'event', '--peers', '1024']]] as const;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, server] of servers) {
      const srv = new Proc([...server]);
      try {
        const port = (await srv.line('READY', 10_000))?.split(' ')[1];
        if (!port) continue;
        const client = new Proc([...C, 'client', port, '--mode', 'many', '--peers', String(MANY.peers), '--rate', String(MANY.rate), '--seconds', String(MANY.seconds)]);
        const sent = await client.line('SENT', (MANY.seconds + 30) * 1000);
        await client.stop();
        const marks = srv.lines.filter((l) => l.startsWith('MARK')).map((l) => l.split(' ').slice(1).map(Number));
        if (!sent || marks.length < 2) {
          console.log(`(e) ${name} server: no result (${client.lines.join(' | ')})`);
          continue;
        }
        const [c0 = 0, w0 = 0, n0 = 0] = marks[0]!;
        const [c1 = 0, w1 = 0, n1 = 0] = marks[marks.length - 1]!;
        const share = ((c1 - c0) / (w1 - w0)) * 100;
        cpu[name]!.push(share);
        const rate = ((n1 - n0) * 1e6) / (w1 - w0);
        if (name === 'gdwire' && rate < 0.95 * offered) behind = ` — gdwire fell behind (${fmt(rate)} of ${fmt(offered)} msg/s)`;
        console.log(`    round ${round + 1}, ${name} server: ${fmt(rate)} msg/s received of ${fmt(offered)} offered, CPU ${share.toFixed(1)} % of one core`);
      } finally {
        await srv.stop();
      }
    }
  }
  if (cpu['c']!.length > 0 && cpu['gdwire']!.length > 0) {
    console.log(rowLower(`(e) ${MANY.peers} peers × ${MANY.rate} msg/s, server CPU`, median(cpu['gdwire']!), median(cpu['c']!), 'C svc 1', '%', 2) + behind);
  }
}

async function queueGrowth(): Promise<void> {
  // Pre-queued and steady runs of the same length, so start-up weighs the same on both.
  const pre = tput(64, 200_000, ['--prequeue']);
  const s = await rounds({ cc1: cc(1, pre), gg: gg('event', pre) }, 'RESULT');
  const a = await rounds({ cc1: cc(1, tput(64, 200_000)), gg: gg('event', tput(64, 200_000)) }, 'RESULT');
  const gs = med(a, 'gg');
  const cs = med(a, 'cc1');
  print('(f) 200k pre-queued, gdwire vs C svc 1', med(s, 'gg'), med(s, 'cc1'), 'C svc 1', 'msg/s');
  const drop = (pre: number, steady: number): string => `${fmt(pre)} msg/s pre-queued vs ${fmt(steady)} msg/s steady (×${(pre / steady).toFixed(2)})`;
  console.log(`${'(f) C svc 1 (O(n) outgoing-list walk)'.padEnd(44)} C ${drop(med(s, 'cc1'), cs)}`);
  const g = med(s, 'gg') / gs;
  console.log(`${'(f) gdwire'.padEnd(44)} gdwire ${drop(med(s, 'gg'), gs)}  (target ≥ 0.8 of steady: ${g >= 0.8 ? 'met' : 'MISSED'})`);
  // A 200k run lasts ≈ 0.3 s, so start-up (connect, JIT warm-up, the synchronous queueing
  // loop) weighs on it; 800k messages, pre-queued or not, show the per-message cost itself.
  const long = await rounds({ pre: gg('event', tput(64, 800_000, ['--prequeue'])), steady: gg('event', tput(64, 800_000)) }, 'RESULT');
  const l = med(long, 'pre') / med(long, 'steady');
  console.log(`${'(f) gdwire, 800k: pre-queued vs not'.padEnd(44)} gdwire ${drop(med(long, 'pre'), med(long, 'steady'))}  (${l >= 0.8 ? 'flat: queue length does not slow the engine' : 'SLOWER with a long queue'})`);
}

const load = (): string => loadavg().map((x) => x.toFixed(1)).join(' ');

async function main(): Promise<void> {
  buildC();
  console.log(`# ENet: gdwire (ENetConnection) vs C libenet 1.3.17 vs npm enet, two processes on 127.0.0.1 — ${machine()}`);
  console.log(`# medians of ${ROUNDS} alternating rounds; C "svc 1" = enet_host_service(…, 1 ms), "svc 0" = busy loop${C ? '' : `; C: ${cReason}`}`);
  console.log(`# load average at start ${load()}`);
  const t0 = performance.now();
  await throughput();
  if (only.includes('d')) await latency();
  if (only.includes('e')) await manyPeers();
  if (only.includes('f')) await queueGrowth();
  console.log(`# ENet bench took ${((performance.now() - t0) / 1000).toFixed(0)} s; load average ${load()} (2 cores: above ~2, other work shared the CPUs)`);
}

await main();
