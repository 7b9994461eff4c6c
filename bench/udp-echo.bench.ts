/**
 * UDP echo round trips per second: PacketPeerUDP client ↔ UDPServer echo process, against a
 * raw node:dgram client ↔ raw node:dgram echo process, alternated in the same run.
 * 64-byte packets, a window of WINDOW packets in flight. Target (issue 2): ≥ 80 % of raw.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Error as GodotErr } from '../src/core/error.js';
import { PacketPeerUDP } from '../src/core/io/packet-peer-udp.js';
import { machine, median, row } from './harness.js';

const WINDOW = 32;
const SIZE = 64;
const RUN_MS = 1500;
const ROUNDS = 3;

async function startServer(mode: 'gdwire' | 'raw'): Promise<{ child: ChildProcess; port: number }> {
  const script = fileURLToPath(new URL('./udp-echo-server.js', import.meta.url));
  const child = spawn(process.execPath, [script, mode], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, port: Number(line.toString().trim()) };
}

function stop(child: ChildProcess): void {
  child.stdin?.end();
  if (child.pid !== undefined) { try { process.kill(child.pid); } catch { /* already gone */ } }
}

async function runRaw(port: number): Promise<number> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.connect(port, '127.0.0.1', () => r()));
  const payload = Buffer.alloc(SIZE, 7);
  let received = 0;
  let running = true;
  sock.on('message', () => { received++; if (running) sock.send(payload); });
  for (let i = 0; i < WINDOW; i++) sock.send(payload);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, RUN_MS));
  running = false;
  const rate = (received * 1000) / (performance.now() - t0);
  sock.close();
  return rate;
}

async function runGdwire(port: number): Promise<number> {
  const udp = new PacketPeerUDP();
  const err = await udp.connectToHost('127.0.0.1', port);
  if (err !== GodotErr.OK) throw new Error(`connectToHost failed: ${err}`);
  const payload = new Uint8Array(SIZE).fill(7);
  let received = 0;
  let running = true;
  udp.on('packet', () => { received++; if (running) udp.putPacket(payload); });
  for (let i = 0; i < WINDOW; i++) udp.putPacket(payload);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, RUN_MS));
  running = false;
  const rate = (received * 1000) / (performance.now() - t0);
  udp.close();
  return rate;
}

async function main(): Promise<void> {
  console.log(`# UDP echo, ${SIZE} B, window ${WINDOW}, two processes on 127.0.0.1 — ${machine()}`);
  const ours: number[] = [];
  const raw: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const r = await startServer('raw');
    raw.push(await runRaw(r.port));
    stop(r.child);
    const g = await startServer('gdwire');
    ours.push(await runGdwire(g.port));
    stop(g.child);
  }
  console.log(row('UDP echo PacketPeerUDP ↔ UDPServer', median(ours), median(raw), 'dgram', 'pkt/s', 0.8));
}

await main();
