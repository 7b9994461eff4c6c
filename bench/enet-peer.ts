/**
 * gdwire side of bench/enet.bench: the same server and clients as bench/c/enet-bench.c (see
 * its header for the protocol), so gdwire, C ENet and npm enet can be paired freely.
 *
 *   node enet-peer.js server [--loop event|immediate] [--peers N] [--driver godot|engine]
 *   node enet-peer.js client <port> --mode tput|rtt [--loop …] [--size B] [--count N] [--warm M]
 *                                   [--window W] [--prequeue] [--driver …]
 *   node enet-peer.js udp-echo  /  client <port> --mode udp-rtt   raw node:dgram ping-pong (no ENet)
 *   node enet-peer.js udp-sink  /  client <port> --mode udp-tput  ENet's datagrams, raw node:dgram (no ENet)
 * Output lines as the C program: READY, MARK, RESULT, RTT. Exits when stdin closes or on
 * SIGTERM (so --cpu-prof profiles are written). GDWIRE_BENCH_DEBUG=1: CPU time at exit.
 */
import dgram from 'node:dgram';
import { GodotBenchHost } from './enet-godot-driver.js';
import { tputResult } from './harness.js';
import { EngineBenchHost, type BenchHandlers, type BenchHost, type BenchHostOptions, type BenchPeer, type LoopStyle } from './enet-driver.js';

const REPORT = 256;

interface Options {
  loop: LoopStyle;
  peers: number;
  driver: string;
  mode: string;
  size: number;
  count: number;
  /** tput: messages sent before the clock starts (rounded up to REPORT), as in enet-bench.c. */
  warm: number;
  window: number;
  prequeue: boolean;
}

function parse(args: string[]): Options {
  const o: Options = { loop: 'event', peers: 8, driver: 'godot', mode: 'tput', size: 64, count: 200_000, warm: 0, window: 2048, prequeue: false };
  for (let i = 0; i < args.length; i++) {
    const k = args[i];
    const v = args[i + 1] ?? '';
    if (k === '--prequeue') { o.prequeue = true; continue; }
    if (k === '--loop') o.loop = v === 'immediate' ? 'immediate' : 'event';
    else if (k === '--peers') o.peers = Number(v);
    else if (k === '--driver') o.driver = v;
    else if (k === '--mode') o.mode = v;
    else if (k === '--size') o.size = Number(v);
    else if (k === '--count') o.count = Number(v);
    else if (k === '--warm') o.warm = Number(v);
    else if (k === '--window') o.window = Number(v);
    else throw new Error(`unknown option ${k}`);
    i++;
  }
  return o;
}

function createHost(o: Options, handlers: BenchHandlers): BenchHost {
  const options: BenchHostOptions = { peerCount: o.peers, loop: o.loop, handlers };
  if (o.driver === 'godot') return new GodotBenchHost(options);
  if (o.driver !== 'engine') throw new Error(`unknown driver ${o.driver}`);
  return new EngineBenchHost(options);
}

function le32(n: number): Uint8Array {
  return new Uint8Array([n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24]);
}

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

async function server(o: Options): Promise<void> {
  let total = 0;
  const host = await createHost(o, {
    connect: (peer) => { peer.count = 0; },
    disconnect: (peer) => { peer.count = 0; },
    receive: (peer, channel, data) => {
      if (channel === 0) {
        total++;
        if (++peer.count % REPORT === 0) peer.sendReliable(0, le32(peer.count));
      } else if (channel === 1) {
        peer.sendReliable(1, data);
      } else {
        console.log(`MARK ${cpuMicros()} ${Math.round(performance.now() * 1000)} ${total}`);
      }
    },
  });
  console.log(`READY ${await host.listen(0)}`);
}

function finish(host: BenchHost, line: string): void {
  console.log(line);
  host.close();
  process.exit(0);
}

async function clientTput(port: number, o: Options): Promise<void> {
  const warm = Math.ceil(o.warm / REPORT) * REPORT;
  const count = Math.ceil(o.count / REPORT) * REPORT + warm;
  const payload = new Uint8Array(o.size).fill(7);
  let sent = 0;
  let reported = 0;
  let t0 = 0;
  let t1 = -1; // when the server had reported the warm-up messages
  let base = 0;
  let server: BenchPeer | null = null;
  const topUp = (): void => {
    if (!server) return;
    for (; sent < count && sent - reported < o.window; sent++) server.sendReliable(0, payload);
  };
  const host: BenchHost = await createHost(o, {
    connect: (peer) => {
      server = peer;
      t0 = performance.now();
      if (warm === 0) t1 = t0;
      if (o.prequeue) {
        for (; sent < count; sent++) peer.sendReliable(0, payload);
        // What (f) pays before its first datagram: the synchronous queueing loop.
        if (process.env['GDWIRE_BENCH_DEBUG']) console.error(`[client] queued ${count} in ${(performance.now() - t0).toFixed(1)} ms`);
      }
      topUp();
    },
    disconnect: () => finish(host, 'DISCONNECTED'),
    receive: (_peer, channel, data) => {
      if (channel !== 0 || data.length !== 4) return;
      reported = ((data[0] ?? 0) | ((data[1] ?? 0) << 8) | ((data[2] ?? 0) << 16) | ((data[3] ?? 0) << 24)) >>> 0;
      if (t1 < 0 && reported >= warm) { t1 = performance.now(); base = reported; }
      if (reported >= count) {
        const end = performance.now();
        finish(host, tputResult(reported - base, end - t1, reported, end - t0));
      }
      topUp();
    },
  });
  await host.connect(port);
}

/** The floor for any Node ENet: 64-byte ping-pong over raw node:dgram sockets (no ENet). */
function udpEcho(): void {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (msg, r) => sock.send(msg, r.port, r.address));
  sock.bind(0, '127.0.0.1', () => console.log(`READY ${sock.address().port}`));
}

/** Round trips before the clock starts: --warm, else a tenth of --count (as enet-bench.c). */
function rttWarm(o: Options): number {
  return o.warm > 0 ? o.warm : Math.floor(o.count / 10);
}

function clientUdpRtt(port: number, o: Options): void {
  const sock = dgram.createSocket('udp4');
  const payload = Buffer.alloc(64, 7);
  const warm = rttWarm(o);
  const rtts: number[] = [];
  let done = 0;
  let t = 0;
  sock.on('message', () => {
    const now = performance.now();
    if (done++ >= warm) rtts.push((now - t) * 1000);
    if (rtts.length >= o.count) {
      rtts.sort((a, b) => a - b);
      console.log(`RTT ${rtts[rtts.length >> 1]!.toFixed(1)} ${rtts[Math.floor(rtts.length * 0.99)]!.toFixed(1)}`);
      process.exit(0);
    }
    t = performance.now();
    sock.send(payload);
  });
  sock.connect(port, '127.0.0.1', () => {
    t = performance.now();
    sock.send(payload);
  });
}

/**
 * The datagrams alone: what ENet's reliable throughput run puts on the wire (the same number
 * of datagrams of the same size, the same 64 KiB in flight, one small ACK datagram back per
 * receiving event-loop turn), moved by raw node:dgram with no ENet at all. Its rate is the
 * ceiling of any ENet written on node:dgram; RESULT reports it in application messages/s.
 */
function udpSink(): void {
  const sock = dgram.createSocket('udp4');
  const ack = Buffer.alloc(12);
  let received = 0;
  let to: dgram.RemoteInfo | null = null;
  let queued = false;
  const reply = (): void => {
    queued = false;
    ack.writeUInt32LE(received, 0);
    if (to) sock.send(ack, to.port, to.address);
  };
  sock.on('message', (_msg, r) => {
    received++;
    to = r;
    if (!queued) {
      queued = true;
      setImmediate(reply);
    }
  });
  sock.bind(0, '127.0.0.1', () => console.log(`READY ${sock.address().port}`));
}

function clientUdpTput(port: number, o: Options): void {
  const MTU = 1400;
  const HEADER = 4; // ENet protocol header with sent time
  const COMMAND = 6; // SEND_RELIABLE: command header + length
  const perDatagram = Math.max(1, Math.floor((MTU - HEADER) / (o.size + COMMAND)));
  const datagramSize = Math.min(MTU, HEADER + perDatagram * (o.size + COMMAND));
  const total = Math.ceil(o.count / perDatagram);
  const inFlight = Math.max(1, Math.floor(65536 / datagramSize));
  const sock = dgram.createSocket('udp4');
  let sent = 0;
  let acked = 0;
  const t0 = performance.now();
  const pump = (): void => {
    // A fresh buffer per datagram, as an engine that cannot reuse a buffer handed to send().
    for (; sent < total && sent - acked < inFlight; sent++) sock.send(new Uint8Array(datagramSize), port, '127.0.0.1');
  };
  sock.on('message', (m) => {
    acked = m.readUInt32LE(0);
    if (acked >= total) {
      const ms = performance.now() - t0;
      console.log(`RESULT ${Math.round((total * perDatagram * 1000) / ms)} ${ms.toFixed(1)}`);
      process.exit(0);
    }
    pump();
  });
  sock.bind(0, '127.0.0.1', pump);
}

async function clientRtt(port: number, o: Options): Promise<void> {
  const warm = rttWarm(o);
  const rtts: number[] = [];
  const payload = new Uint8Array(64).fill(7);
  let t = 0;
  let done = 0;
  const host: BenchHost = await createHost(o, {
    connect: (peer) => {
      t = performance.now();
      peer.sendReliable(1, payload);
    },
    disconnect: () => finish(host, 'DISCONNECTED'),
    receive: (peer, channel) => {
      if (channel !== 1) return;
      const now = performance.now();
      if (done++ >= warm) rtts.push((now - t) * 1000);
      if (rtts.length >= o.count) {
        rtts.sort((a, b) => a - b);
        finish(host, `RTT ${rtts[rtts.length >> 1]!.toFixed(1)} ${rtts[Math.floor(rtts.length * 0.99)]!.toFixed(1)}`);
        return;
      }
      t = performance.now();
      peer.sendReliable(1, payload);
    },
  });
  await host.connect(port);
}

const [role, ...rest] = process.argv.slice(2);
if (process.env['GDWIRE_BENCH_DEBUG']) {
  process.on('exit', () => console.error(`[${role}] cpu ${(cpuMicros() / 1000).toFixed(0)} ms, uptime ${(performance.now()).toFixed(0)} ms`));
}
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0)); // the bench stops servers by pid; exit cleanly (--cpu-prof)
process.stdin.resume();
if (role === 'server') {
  await server(parse(rest));
} else if (role === 'udp-echo') {
  udpEcho();
} else if (role === 'udp-sink') {
  udpSink();
} else if (role === 'client') {
  const [port, ...args] = rest;
  const o = parse(args);
  setTimeout(() => finish({ close: () => {}, listen: async () => 0, connect: async () => {}, kick: () => {} }, 'TIMEOUT'), 30_000).unref();
  if (o.mode === 'udp-rtt') clientUdpRtt(Number(port), o);
  else if (o.mode === 'udp-tput') clientUdpTput(Number(port), o);
  else if (o.mode === 'rtt') await clientRtt(Number(port), o);
  else await clientTput(Number(port), o);
} else {
  console.error('usage: enet-peer.js server|client <port> [options]');
  process.exit(2);
}
