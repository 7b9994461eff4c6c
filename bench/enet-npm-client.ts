/**
 * npm `enet` (emscripten-compiled ENet) client for bench/enet.bench, speaking the protocol of
 * bench/c/enet-bench.c (its header describes it) to a C ENet server.
 *
 *   node enet-npm-client.js <port> --mode tput|rtt [--size B] [--count N] [--warm M] [--window W]
 *                                  [--loop immediate|interval]
 * 'immediate' services the host on every event-loop turn (setImmediate), its fastest style;
 * 'interval' keeps the package's own 10 ms polling. Prints RESULT / RTT lines like the others,
 * or "UNAVAILABLE <reason>" when the package cannot be loaded.
 */
import { createRequire } from 'node:module';
import { tputResult } from './harness.js';

const REPORT = 256;

interface NpmPacket { data(): Buffer }
interface NpmPeer {
  send(channel: number, packet: NpmPacket): boolean;
  on(event: 'connect', fn: () => void): void;
  on(event: 'disconnect', fn: () => void): void;
}
interface NpmHost {
  connect(address: { address: string; port: number }, channels: number, data: number): NpmPeer | undefined;
  on(event: 'message', fn: (peer: NpmPeer, packet: NpmPacket, channel: number) => void): void;
  _service(): void;
  _io_loop?: NodeJS.Timeout;
  destroy(): void;
}
interface NpmEnet {
  createClient(opts: { peers: number; channels: number; down: number; up: number }, cb: (err: Error | undefined, host: NpmHost) => void): NpmHost | undefined;
  Packet: new (data: Buffer, flags: number) => NpmPacket;
  PACKET_FLAG: { RELIABLE: number };
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const port = Number(process.argv[2]);
const mode = arg('--mode', 'tput');
const size = Number(arg('--size', '64'));
const count = Math.ceil(Number(arg('--count', '200000')) / (mode === 'rtt' ? 1 : REPORT)) * (mode === 'rtt' ? 1 : REPORT);
// tput: messages sent before the clock starts (rounded up to REPORT), as in enet-bench.c.
const warmTput = mode === 'rtt' ? 0 : Math.ceil(Number(arg('--warm', '0')) / REPORT) * REPORT;
const total = count + warmTput;
const window = Number(arg('--window', '2048'));
const loop = arg('--loop', 'immediate');

let enet: NpmEnet;
try {
  enet = createRequire(import.meta.url)('enet') as NpmEnet;
} catch (e) {
  console.log(`UNAVAILABLE ${(e as Error).message.split('\n')[0]}`);
  process.exit(0);
}

let finished = false;
function finish(host: NpmHost, line: string): void {
  if (finished) return;
  finished = true;
  console.log(line);
  try { host.destroy(); } catch { /* exiting anyway */ }
  process.exit(0);
}

setTimeout(() => { console.log('TIMEOUT'); process.exit(1); }, 30_000).unref();

enet.createClient({ peers: 1, channels: 3, down: 0, up: 0 }, (err, host) => {
  if (err) {
    console.log(`UNAVAILABLE ${err.message}`);
    process.exit(0);
  }
  const peer = host.connect({ address: '127.0.0.1', port }, 3, 0);
  if (!peer) return finish(host, 'UNAVAILABLE connect failed');
  if (loop === 'immediate') {
    // Replace the package's 10 ms interval with a service on every event-loop turn.
    if (host._io_loop) clearInterval(host._io_loop);
    const spin = (): void => {
      host._service();
      setImmediate(spin);
    };
    setImmediate(spin);
  }
  const payload = Buffer.alloc(size, 7);
  const reliable = enet.PACKET_FLAG.RELIABLE;
  let sent = 0;
  let reported = 0;
  let t0 = 0;
  let t1 = -1; // tput: when the server had reported the warm-up messages
  let base = 0;
  const rtts: number[] = [];
  const warm = Number(arg('--warm', String(Math.floor(count / 10)))); // rtt: round trips before the clock
  let pings = 0;
  const topUp = (): void => {
    for (; sent < total && sent - reported < window; sent++) peer.send(0, new enet.Packet(payload, reliable));
  };
  peer.on('connect', () => {
    t0 = performance.now();
    if (warmTput === 0) t1 = t0;
    if (mode === 'rtt') peer.send(1, new enet.Packet(payload, reliable));
    else topUp();
  });
  peer.on('disconnect', () => finish(host, 'DISCONNECTED'));
  host.on('message', (_peer, packet, channel) => {
    const data = packet.data();
    if (mode === 'rtt') {
      if (channel !== 1) return;
      const now = performance.now();
      if (pings++ >= warm) rtts.push((now - t0) * 1000);
      if (rtts.length >= count) {
        rtts.sort((a, b) => a - b);
        return finish(host, `RTT ${rtts[rtts.length >> 1]!.toFixed(1)} ${rtts[Math.floor(rtts.length * 0.99)]!.toFixed(1)}`);
      }
      t0 = performance.now();
      peer.send(1, new enet.Packet(payload, reliable));
      return;
    }
    if (channel !== 0 || data.length !== 4) return;
    reported = data.readUInt32LE(0);
    if (t1 < 0 && reported >= warmTput) { t1 = performance.now(); base = reported; }
    if (reported >= total) {
      const end = performance.now();
      return finish(host, tputResult(reported - base, end - t1, reported, end - t0));
    }
    topUp();
  });
});
