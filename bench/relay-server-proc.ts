/**
 * The relay under test for bench/relay-fanout.bench.ts, in its own process (so its CPU time
 * can be read from /proc/<pid>/stat):
 *
 *   node relay-server-proc.js <kind> <port> <max clients> [room size]
 *
 * Every kind runs Godot's frame model: one frame every GDWIRE_RELAY_FRAME_MS (default: the
 * cores' serviceIntervalMs), start to start as Godot paces them, services the ENet host, relays
 * and sends.
 * - `bare3`: Godot 3.2's relay alone — a NetworkedMultiplayerENet server with server relay,
 *   polled once per frame, packets for the server itself drained and discarded.
 * - `full3`: `gdwire serve --godot 3`'s core (Godot3RelayCore: the same protocol and routing,
 *   with per-peer counters and drop accounting) under the operations shell (RelayServer:
 *   metrics sampled every second, HTTP /metrics and dashboard on an ephemeral port).
 * - `bare4`: Godot 4's relay alone — ENetMultiplayerPeer + SceneRelayServer (no auth, no
 *   rooms), polled once per frame, sends straight to the ENet peers, one flush per frame.
 * - `full4`: `gdwire serve`'s Godot 4 core (rooms chosen in the auth exchange, counters) under
 *   the operations shell.
 * Prints `READY <port>`; exits when stdin closes or on SIGTERM.
 */
import { Error as GodotError } from '../src/core/error.js';
import { ENetMultiplayerPeer } from '../src/modules/enet/enet-multiplayer-peer.js';
import { sendRoute } from '../src/modules/enet/enet-multiplayer-protocol.js';
import type { ENetPacketPeer } from '../src/modules/enet/enet-packet-peer.js';
import { NetworkedMultiplayerENet } from '../src/modules/enet/networked-multiplayer-enet.js';
import { SceneRelayServer } from '../src/multiplayer/scene/scene-relay-server.js';
import type { SceneRelayAction } from '../src/multiplayer/scene/scene-relay-types.js';
import { MemoryLogger } from '../src/platform/memory-logger.js';
import { nodePlatform } from '../src/platform/node-platform.js';
import { resolveConfig } from '../src/server/config.js';
import { createRelayCore } from '../src/server/relay/relay-core.js';
import { FramePacer } from '../src/server/relay/frame-pacer.js';
import { DEFAULT_RELAY_OPTIONS } from '../src/server/relay/relay-options.js';
import { RelayServer } from '../src/server/relay-server.js';

const [kind, portArg, maxArg, roomArg] = process.argv.slice(2);
const port = Number(portArg);
const maxClients = Number(maxArg ?? 64);
const roomSize = Number(roomArg ?? maxClients);
/** The relay's frame interval, ms (the cores' serviceIntervalMs). */
const FRAME_MS = Number(process.env['GDWIRE_RELAY_FRAME_MS'] ?? DEFAULT_RELAY_OPTIONS.serviceIntervalMs);
const logger = process.env['GDWIRE_BENCH_DEBUG']
  ? { log: (level: string, message: string, fields?: unknown) => { if (level !== 'debug') console.error(`[relay ${kind}] ${level} ${message} ${JSON.stringify(fields ?? {})}`); } }
  : new MemoryLogger('error');
const platform = nodePlatform({ logger });
let stop: () => Promise<void> = async () => {};

/**
 * A frame loop like Godot's main loop: `frame()` every FRAME_MS, start to start, paced as
 * Godot paces its frames and as the serve cores do (FramePacer). Prints `FRAMES <frames so
 * far> <µs>` once a second, as the Godot relay script does: the bench reports every relay's
 * frame rate.
 */
function frames(frame: () => void): () => void {
  const pacer = new FramePacer(FRAME_MS);
  let count = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const run = (): void => {
    pacer.frameStarting(performance.now());
    frame();
    count++;
    if (!stopped) timer = setTimeout(run, pacer.delayAfterFrame(performance.now()));
  };
  timer = setTimeout(run, FRAME_MS);
  const report = setInterval(() => console.log(`FRAMES ${count} ${Math.round(performance.now() * 1000)}`), 1000);
  return () => { stopped = true; if (timer) clearTimeout(timer); clearInterval(report); };
}

/** Godot 3.2's relay alone: NetworkedMultiplayerENet polled once per frame, packets for the server drained. */
async function bare3(): Promise<void> {
  const mp = new NetworkedMultiplayerENet({ platform });
  mp.setBindIp('127.0.0.1');
  const err = await mp.createServer(port, maxClients);
  if (err !== GodotError.OK) throw new Error(`createServer: ${err}`);
  const end = frames(() => {
    mp.poll();
    while (mp.getAvailablePacketCount() > 0) mp.getPacket();
  });
  stop = async () => { end(); report(mp.getHost()); mp.closeConnection(); };
}

/** Godot 4's relay alone: ENetMultiplayerPeer polled once per frame feeding SceneRelayServer, flushed once. */
async function bare4(): Promise<void> {
  const mp = new ENetMultiplayerPeer({ platform });
  mp.setBindIp('127.0.0.1');
  const relay = new SceneRelayServer({ godotVersion: '4.3' });
  const peers = new Map<number, ENetPacketPeer>();
  const run = (actions: SceneRelayAction[]): void => {
    for (const a of actions) {
      if (a.type !== 'send') continue;
      const r = sendRoute(a.mode, a.channel);
      peers.get(a.to)?.send(r.channel, a.bytes, r.flags);
    }
  };
  mp.on('peer_connected', (id) => {
    const p = mp.getPeer(id);
    if (p) peers.set(id, p);
    run(relay.peerConnected(id, platform.clock.now()));
  });
  mp.on('peer_disconnected', (id) => { peers.delete(id); run(relay.peerDisconnected(id)); });
  const err = await mp.createServer(port, maxClients);
  if (err !== GodotError.OK) throw new Error(`createServer: ${err}`);
  const host = mp.getHost();
  const end = frames(() => {
    mp.poll();
    while (mp.getAvailablePacketCount() > 0) {
      const from = mp.getPacketPeer();
      const channel = mp.getPacketChannel();
      const mode = mp.getPacketMode();
      run(relay.handlePacket(from, mp.getPacket(), mode, channel));
    }
    host?.flush();
  });
  stop = async () => { end(); report(host); mp.close(); };
}

async function full(godot: string): Promise<void> {
  const config = resolveConfig({
    port: String(port), bind: '127.0.0.1', godot, 'max-clients': String(maxClients), 'room-size': String(roomSize),
    'max-rooms': String(Math.max(1, Math.ceil(maxClients / roomSize) + 1)), 'http-port': '0', 'log-level': 'error',
  }, {}).config;
  const core = createRelayCore(config, platform, logger, { serviceIntervalMs: FRAME_MS });
  const server = new RelayServer({ config, core, platform, logger, version: 'bench' });
  await server.start();
  stop = async () => void await server.closeNow('bench');
}

/** With GDWIRE_BENCH_DEBUG set, the host's datagram totals go to stderr at exit. */
function report(host: { enetHost: { totalSentPackets: number; totalReceivedPackets: number; totalSentData: number } | null } | null): void {
  const h = host?.enetHost;
  if (process.env['GDWIRE_BENCH_DEBUG'] && h) console.error(`[relay ${kind}] datagrams sent ${h.totalSentPackets} (${h.totalSentData} B), received ${h.totalReceivedPackets}`);
}

async function main(): Promise<void> {
  if (kind === 'bare3') await bare3();
  else if (kind === 'bare4') await bare4();
  else if (kind === 'full3') await full('3');
  else if (kind === 'full4') await full('4.3');
  else throw new Error(`unknown kind ${kind}`);
  console.log(`READY ${port}`);
  const quit = (): void => void stop().finally(() => process.exit(0));
  process.stdin.on('end', quit).resume();
  process.on('SIGTERM', quit);
}

main().catch((e: unknown) => { console.log(`FAILED ${String(e)}`); process.exit(1); });
