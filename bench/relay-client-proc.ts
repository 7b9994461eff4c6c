/**
 * Load generator for bench/relay-fanout.bench.ts: one process driving many ENet clients of a
 * relay (each its own ENetConnection and UDP socket, event-driven), speaking Godot 3.2's
 * NetworkedMultiplayerENet protocol (`3`) or Godot 4's ENetMultiplayerPeer + SceneMultiplayer
 * (`4`: SYS RELAY, optional room request in the auth exchange), byte for byte as the Godot
 * classes would put it on the wire, without the per-packet bookkeeping of a full client.
 *
 *   node relay-client-proc.js <port> <3|4> <count> <rate/s> <room size (0 = one room, no auth)> <first index>
 *
 * Prints `CONNECTED` once every client knows every peer of its room; then waits for
 * `GO <baseNs> <startMs> <warmupMs> <windowMs>` on stdin (times relative to baseNs, a
 * process.hrtime.bigint() value — CLOCK_MONOTONIC, shared by every process on the machine).
 * From startMs each client broadcasts `rate` reliable 64-byte packets per second to its room
 * (phases staggered), each carrying its send time; deliveries received in
 * [startMs + warmupMs, + windowMs] are counted and their latency binned. Prints
 * `RESULT <json>` and exits.
 */
import { createInterface } from 'node:readline';
import { Error as GodotError } from '../src/core/error.js';
import { ENetConnection } from '../src/modules/enet/enet-connection.js';
import { ENetPacketPeer } from '../src/modules/enet/enet-packet-peer.js';
import { BIN_MS, BINS } from './relay-bench-common.js';

const SIZE = 64;

const [portArg, protoArg, countArg, rateArg, roomArg, firstArg] = process.argv.slice(2);
const port = Number(portArg);
const proto = protoArg === '3' ? 3 : 4;
const count = Number(countArg);
const rate = Number(rateArg);
const roomSize = Number(roomArg ?? 0);
const first = Number(firstArg ?? 0);
const enc = new TextEncoder();
const dec = new TextDecoder();

let base = process.hrtime.bigint();
const now = (): number => Number(process.hrtime.bigint() - base) / 1e6;

interface Client {
  index: number;
  id: number;
  conn: ENetConnection;
  peer: ENetPacketPeer | null;
  known: number;
  roomPeers: number;
  packet: Uint8Array;
  view: DataView;
  seq: number;
  admitted: boolean;
}

const clients: Client[] = [];
const hist = new Uint32Array(BINS + 1);
let window = { from: Infinity, to: -Infinity };
let delivered = 0;
let sent = 0;
let sentInWindow = 0;
let maxLatency = 0;
const TIME_AT = proto === 3 ? 8 : 7;

function room(index: number): number {
  return roomSize > 0 ? Math.floor(index / roomSize) : 0;
}

function makePacket(c: Client): void {
  const p = new Uint8Array(SIZE);
  const v = new DataView(p.buffer);
  if (proto === 3) {
    v.setUint32(0, c.id, true); // source
    v.setInt32(4, 0, true); // target: everyone (the relay forwards to every other client)
  } else {
    p[0] = 7; p[1] = 3; // SYS RELAY
    v.setInt32(2, 0, true); // to everyone the relay lets this client see
    p[6] = 3; // the inner packet: RAW
  }
  c.packet = p;
  c.view = v;
}

function onReceive(c: Client, data: Uint8Array, channel: number): void {
  if (proto === 3) {
    if (channel === 0) { c.known++; return; } // ADD_PEER / REMOVE_PEER
    if (data.length === SIZE) return record(data);
    return;
  }
  if (data[0] !== 7) return;
  if (data[1] === 1) { c.known++; return; } // ADD_PEER
  if (data[1] === 3 && data.length === SIZE) return record(data);
  if (data[1] === 0) onAuth(c, data);
}

function onAuth(c: Client, data: Uint8Array): void {
  const text = dec.decode(data.subarray(2));
  if (text.startsWith('ok:')) c.peer?.send(0, Uint8Array.of(7, 0), ENetPacketPeer.FLAG_RELIABLE);
  else if (text.startsWith('error:')) console.error(`client ${c.index}: ${text}`);
}

function record(data: Uint8Array): void {
  const t = now();
  if (t < window.from || t > window.to) return;
  const sentAt = new DataView(data.buffer, data.byteOffset, data.length).getFloat64(TIME_AT, true);
  const ms = t - sentAt;
  delivered++;
  if (ms > maxLatency) maxLatency = ms;
  hist[Math.min(BINS, Math.max(0, Math.floor(ms / BIN_MS)))]!++;
}

async function open(index: number): Promise<Client> {
  const conn = new ENetConnection();
  const err = await conn.createHostBound('127.0.0.1', 0, 1, 0);
  if (err !== GodotError.OK) throw new Error(`createHostBound: ${err}`);
  const c: Client = {
    index, id: 0, conn, peer: null, known: 0, roomPeers: 0, packet: new Uint8Array(0), view: new DataView(new ArrayBuffer(0)),
    seq: 0, admitted: false,
  };
  c.id = 100 + index;
  conn.on('connect', () => {
    c.admitted = true;
    if (proto === 4 && roomSize > 0) c.peer?.send(0, Uint8Array.of(7, 0, ...enc.encode(`room:r${room(index)}`)), ENetPacketPeer.FLAG_RELIABLE);
  });
  conn.on('receive', (_p, data, channel) => onReceive(c, data, channel));
  conn.on('disconnect', () => { c.admitted = false; });
  c.peer = conn.connectToHost('127.0.0.1', port, proto === 3 ? 3 : 0, c.id);
  if (!c.peer) throw new Error('connectToHost failed');
  makePacket(c);
  return c;
}

function send(c: Client): void {
  if (!c.peer || !c.admitted) return;
  c.view.setFloat64(TIME_AT, now(), true);
  c.view.setUint32(TIME_AT + 8, c.seq++, true);
  // ENet copies the bytes into its command, so the buffer can be reused.
  c.peer.send(proto === 3 ? 1 : 0, c.packet, ENetPacketPeer.FLAG_RELIABLE);
  sent++;
  if (now() >= window.from && now() <= window.to) sentInWindow++;
}

async function main(): Promise<void> {
  for (let i = 0; i < count; i++) clients.push(await open(first + i));
  // The peers each client must know before the run: its room-mates (every other client in one room).
  const total = Number(process.env['RELAY_BENCH_TOTAL'] ?? count);
  for (const c of clients) {
    const r = room(c.index);
    const size = roomSize > 0 ? Math.min(roomSize, total - r * roomSize) : total;
    c.roomPeers = size - 1;
  }
  const ready = (): boolean => clients.every((c) => c.admitted && c.known >= c.roomPeers);
  const deadline = Date.now() + Number(process.env["RELAY_BENCH_CONNECT_MS"] ?? 60_000);
  while (!ready()) {
    if (Date.now() > deadline) {
      const bad = clients.filter((c) => !(c.admitted && c.known >= c.roomPeers));
      console.log(`TIMEOUT ${bad.length} clients not ready (${clients.filter((c) => c.admitted).length} connected), e.g. index ${bad[0]?.index} knows ${bad[0]?.known}/${bad[0]?.roomPeers}`);
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  console.log('CONNECTED');
  const rl = createInterface({ input: process.stdin });
  const go = await new Promise<string[]>((resolve) => rl.on('line', (l) => { if (l.startsWith('GO ')) resolve(l.split(' ')); }));
  base = BigInt(go[1]!);
  const start = Number(go[2]);
  const warmup = Number(go[3]);
  const length = Number(go[4]);
  window = { from: start + warmup, to: start + warmup + length };
  const period = 1000 / rate;
  const phase = clients.map((_, i) => start + (period * i) / clients.length + (period * first) / (count * 7.3));
  const next = phase.slice();
  const cpu0 = { at: 0, usage: process.cpuUsage() };
  let cpuWindow = 0;
  const datagramsOut = (): number => clients.reduce((n, c) => n + (c.conn.enetHost?.totalSentPackets ?? 0), 0);
  let out0 = 0;
  let outWindow = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const t = now();
      if (cpu0.at === 0 && t >= window.from) { cpu0.at = t; cpu0.usage = process.cpuUsage(); out0 = datagramsOut(); }
      if (cpuWindow === 0 && t >= window.to) {
        const u = process.cpuUsage(cpu0.usage);
        cpuWindow = (u.user + u.system) / 1000 / (t - cpu0.at);
        outWindow = datagramsOut() - out0;
      }
      if (t > window.to + 300) { resolve(); return; }
      for (let i = 0; i < clients.length; i++) {
        while (next[i]! <= t && t <= window.to) {
          send(clients[i]!);
          next[i]! += period;
        }
      }
      setTimeout(tick, 2);
    };
    tick();
  });
  const bins: Record<number, number> = {};
  hist.forEach((n, i) => { if (n) bins[i] = n; });
  for (const c of clients) c.conn.destroy();
  // A pipe takes the line asynchronously: exit once it is written.
  process.stdout.write(`RESULT ${JSON.stringify({ delivered, sent, sentInWindow, maxLatency, cpu: cpuWindow, datagramsOut: outWindow, bins })}\n`, () => process.exit(0));
}

main().catch((e: unknown) => { console.log(`FAILED ${String(e)}`); process.exit(1); });
