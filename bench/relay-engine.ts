/**
 * The relay's JavaScript alone (issue 4): a Godot 3.2 NetworkedMultiplayerENet server relaying
 * for 50 clients, each broadcasting 20 reliable 64-byte packets a second, as
 * bench/relay-fanout.bench does, but on the in-memory network with a fake clock in one
 * process: no kernel, no other processes, no timer jitter. The server's poll() is timed on its
 * own, frame by frame (4 ms of fake time each); reports ns of server poll per delivery. The
 * clients' work is not timed. Use it to A/B a change to the relay path in alternated
 * processes (take each side's minimum): on this shared VM the fan-out bench cannot resolve
 * changes under ≈ 10 %. Not a *.bench.ts: run-bench.mjs does not pick it up.
 *
 * --cold reads through 64 MiB between frames (untimed), so each frame starts with the relay's
 * state out of the CPU caches, as in the real relay, which idles 4 ms between frames while the
 * clients run (measured: ≈ 0.4–0.6 µs per delivery warm, ≈ 1.4–2.1 µs cold; the two-process
 * relay's user-space CPU is ≈ 1.9 µs per delivery).
 *
 *   node dist/bench/relay-engine.js [frames] [rounds] [--cold]
 */
import { NetworkedMultiplayerENet } from '../src/modules/enet/networked-multiplayer-enet.js';
import { TransferMode } from '../src/multiplayer/multiplayer-peer.js';
import { pipePlatform } from './pipe-platform.js';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const FRAMES = Number(positional[0] ?? 2500);
const ROUNDS = Number(positional[1] ?? 5);
const COLD = process.argv.includes('--cold');
const CLIENTS = 50;
const FRAME_MS = 4;
const PER_SECOND = 20;
const PORT = 7000;

/** Takes every packet a polled peer has; returns how many. */
function drain(p: NetworkedMultiplayerENet): number {
  let n = 0;
  for (; p.getAvailablePacketCount() > 0; n++) p.getPacket();
  return n;
}

const tick = (): Promise<void> => new Promise<void>((r) => setImmediate(r));

/** Larger than any CPU cache here: reading it evicts the relay's state. */
const evictor = COLD ? new Int32Array(16 * 1024 * 1024) : new Int32Array(0);
let evictSum = 0;
function evictCaches(): void {
  let x = 0;
  for (let i = 0; i < evictor.length; i += 16) x += evictor[i]!++; // one read and write per 64-byte line
  evictSum += x;
}

async function round(): Promise<{ nsPerDelivery: number; deliveries: number }> {
  const { platform, advance } = pipePlatform();
  const server = new NetworkedMultiplayerENet({ platform });
  await server.createServer(PORT, CLIENTS + 4);
  const clients: NetworkedMultiplayerENet[] = [];
  let joined = 0;
  for (let i = 0; i < CLIENTS; i++) {
    const c = new NetworkedMultiplayerENet({ platform });
    c.on('peer_connected', () => joined++);
    await c.createClient('127.0.0.1', PORT);
    c.transferMode = TransferMode.TRANSFER_MODE_RELIABLE;
    c.setTargetPeer(0);
    clients.push(c);
  }
  for (let i = 0; i < 5000 && joined < CLIENTS * CLIENTS; i++) {
    for (const c of clients) c.poll();
    await tick();
    server.poll();
    await tick();
    advance(5);
  }
  if (joined < CLIENTS * CLIENTS) throw new Error(`only ${joined} of ${CLIENTS * CLIENTS} peer_connected signals`);
  const payload = new Uint8Array(64).fill(7);
  let serverNs = 0;
  let deliveries = 0;
  // Each client sends every 1000 / PER_SECOND ms, the clients spread evenly over that period.
  const period = 1000 / PER_SECOND;
  for (let frame = 0; frame < FRAMES; frame++) {
    const t = frame * FRAME_MS;
    for (let i = 0; i < CLIENTS; i++) {
      const phase = (i * period) / CLIENTS;
      if (Math.floor((t - phase) / period) !== Math.floor((t - FRAME_MS - phase) / period)) clients[i]!.putPacket(payload);
    }
    for (const c of clients) {
      c.poll();
      deliveries += drain(c);
    }
    await tick(); // the clients' sends leave
    if (COLD) evictCaches();
    const t0 = process.hrtime.bigint();
    server.poll();
    serverNs += Number(process.hrtime.bigint() - t0);
    drain(server);
    await tick(); // the server's sends leave
    advance(FRAME_MS);
  }
  server.close();
  for (const c of clients) c.close();
  return { nsPerDelivery: serverNs / deliveries, deliveries };
}

for (let r = 0; r < ROUNDS; r++) {
  const { nsPerDelivery, deliveries } = await round();
  console.log(`round ${r}: server poll ${nsPerDelivery.toFixed(0)} ns per delivery (${deliveries} deliveries)${COLD ? `, caches evicted (${evictSum & 1})` : ''}`);
}
