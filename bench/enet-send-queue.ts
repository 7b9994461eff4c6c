/**
 * Micro-benchmark of the queueing path alone (issue 3 (f)): N reliable 64-byte
 * ENetPacketPeer.send() calls on a connected peer of the in-memory network, nothing serviced
 * in between — the synchronous loop the pre-queued throughput run pays before its first
 * datagram. Reports ns per send and heap bytes per queued message (run with --expose-gc for
 * the heap figure). Not a *.bench.ts: run-bench.mjs does not pick it up.
 *
 *   node --expose-gc dist/bench/enet-send-queue.js [count] [rounds] [--engine]
 * --engine calls the engine's Peer.send directly (no Godot wrapper checks).
 */
import { ENetConnection, EventType } from '../src/modules/enet/enet-connection.js';
import { ENetPacketPeer, kEnetPeer } from '../src/modules/enet/enet-packet-peer.js';
import { createTestPlatform, hostPlatform } from '../src/platform/test-platform.js';
import { Error as GodotError } from '../src/core/error.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const COUNT = Number(args[0] ?? 200_000);
const ROUNDS = Number(args[1] ?? 7);
const engine = process.argv.includes('--engine');
const gc = (globalThis as { gc?: () => void }).gc;

/** A client peer connected to a server over a fresh in-memory network (polled services). */
async function connected(): Promise<{ peer: ENetPacketPeer; close: () => void }> {
  const base = createTestPlatform({ logLevel: 'warn' });
  const make = (name: string, address: string): ENetConnection =>
    new ENetConnection({ platform: hostPlatform(base, base.net.createHost(name, [address])) });
  const server = make('server', '10.0.0.1');
  const client = make('client', '10.0.0.2');
  if ((await server.createHostBound('*', 7777, 4)) !== GodotError.OK) throw new Error('server');
  if ((await client.createHost(1)) !== GodotError.OK) throw new Error('client');
  const peer = client.connectToHost('10.0.0.1', 7777, 3, 0);
  if (!peer) throw new Error('connectToHost');
  for (let t = 0; t < 5000 && peer.getState() !== ENetPacketPeer.STATE_CONNECTED; t++) {
    for (const c of [server, client]) while (c.service()[0] !== EventType.EVENT_NONE);
    base.clock.advance(1);
  }
  if (peer.getState() !== ENetPacketPeer.STATE_CONNECTED) throw new Error('not connected');
  return { peer, close: () => { client.destroy(); server.destroy(); } };
}

async function round(): Promise<{ ns: number; heap: number; buffers: number }> {
  const { peer, close } = await connected();
  const payload = new Uint8Array(64).fill(7);
  const enetPeer = peer[kEnetPeer]()!;
  gc?.();
  const m0 = process.memoryUsage();
  const t0 = process.hrtime.bigint();
  if (engine) {
    for (let i = 0; i < COUNT; i++) enetPeer.send(0, payload, ENetPacketPeer.FLAG_RELIABLE);
  } else {
    for (let i = 0; i < COUNT; i++) peer.send(0, payload, ENetPacketPeer.FLAG_RELIABLE);
  }
  const ns = Number(process.hrtime.bigint() - t0) / COUNT;
  gc?.();
  const m1 = process.memoryUsage();
  close();
  // Typed arrays and payload slabs live outside the JS heap: `arrayBuffers` counts them.
  return { ns, heap: (m1.heapUsed - m0.heapUsed) / COUNT, buffers: (m1.arrayBuffers - m0.arrayBuffers) / COUNT };
}

const results: Array<{ ns: number; heap: number; buffers: number }> = [];
for (let r = 0; r < ROUNDS; r++) results.push(await round());
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const ns = results.map((r) => r.ns);
console.log(`${engine ? 'Peer.send' : 'ENetPacketPeer.send'} × ${COUNT}, 64 B reliable: ` +
  `median ${median(ns).toFixed(0)} ns/send (rounds ${ns.map((x) => x.toFixed(0)).join(' ')})` +
  (gc ? `; per queued message: JS heap ${median(results.map((r) => r.heap)).toFixed(0)} B, ` +
    `array buffers ${median(results.map((r) => r.buffers)).toFixed(0)} B (payload copy included)` : ' (--expose-gc for memory)'));
