/**
 * gdwire NetworkedMultiplayerENet peers on real loopback sockets, for the interop tests with
 * Godot 3.2.3: every signal and packet recorded, driven either in the Node mode ('packet'
 * listener) or by a poll() loop on a 1 ms interval, and bounded waits that print what was
 * seen (gdwire's and Godot's side) when they time out.
 */
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { NetworkedMultiplayerENet } from '../../src/modules/enet/networked-multiplayer-enet.js';
import type { MultiplayerPacket } from '../../src/multiplayer/multiplayer-peer.js';
import { MemoryLogger } from '../../src/platform/memory-logger.js';
import { nodePlatform } from '../../src/platform/node-platform.js';
import type { GodotPeer } from './godot.js';
import { SIGNALS } from './networked-sim.js';

export class GdPeer {
  readonly peer: NetworkedMultiplayerENet;
  readonly signals: string[] = [];
  readonly packets: MultiplayerPacket[] = [];
  readonly logger = new MemoryLogger('warn');
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly name: string, nodeMode: boolean, setup?: (p: NetworkedMultiplayerENet) => void) {
    this.peer = new NetworkedMultiplayerENet({ platform: nodePlatform({ logger: this.logger }) });
    setup?.(this.peer);
    for (const s of SIGNALS) this.peer.on(s, (id?: number) => this.signals.push(id === undefined ? s : `${s} ${id}`));
    if (nodeMode) {
      this.peer.on('packet', (peer, data, channel, mode) => this.packets.push({ peer, data, channel, mode }));
    } else {
      this.timer = setInterval(() => this.pollOnce(), 1);
    }
  }

  private pollOnce(): void {
    const p = this.peer;
    if (p.getConnectionStatus() === 0) return;
    p.poll();
    while (p.getAvailablePacketCount() > 0) {
      const peer = p.getPacketPeer();
      const channel = p.getPacketChannel();
      const mode = p.getPacketMode();
      this.packets.push({ peer, channel, mode, data: p.getPacket() });
    }
  }

  get id(): number {
    return this.peer.getUniqueId();
  }

  /** Packets as "from ch text". */
  received(): string[] {
    return this.packets.map((p) => `${p.peer} ${p.channel} ${Buffer.from(p.data).toString('latin1')}`);
  }

  send(target: number, mode: number, text: string, channel = -1): Error {
    this.peer.setTargetPeer(target);
    this.peer.setTransferMode(mode);
    this.peer.setTransferChannel(channel);
    return this.peer.putPacket(Uint8Array.from(Buffer.from(text, 'latin1')));
  }

  describe(): string {
    return `--- gdwire ${this.name} (id ${this.peer.getConnectionStatus() === 0 ? '-' : this.id}): signals ${JSON.stringify(this.signals)}\n` +
      `received ${JSON.stringify(this.received())}\nlog ${JSON.stringify(this.logger.entries.map((e) => e.message))}`;
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.peer.removeAllListeners('packet');
    if (this.peer.getConnectionStatus() !== 0) this.peer.closeConnection();
  }
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits (≤ `ms`) for `pred`; fails with `what` and everyone's output otherwise. */
export async function waitFor(pred: () => boolean, ms: number, what: string, show: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) assert.fail(`timed out (${ms} ms): ${what}\n${show()}`);
    await sleep(5);
  }
}

/** Godot's stdout lines matching `re` (first capture group, or the whole line). */
export function godotLines(g: GodotPeer, re: RegExp): string[] {
  return g.stdout.split('\n').map((l) => l.trim().match(re)).filter((m): m is RegExpMatchArray => m !== null).map((m) => m[1] ?? m[0]);
}

/** Starts a gdwire client and waits for connection_succeeded. */
export async function connectClient(c: GdPeer, port: number, show: () => string): Promise<void> {
  assert.equal(await c.peer.createClient('127.0.0.1', port), Error.OK, `${c.name}: createClient`);
  await waitFor(() => c.signals.includes('connection_succeeded'), 5000, `${c.name} connects`, show);
}

/** Whether a test text names an unreliable send: texts end in ":<mode>", 0 and 1 being unreliable. */
export function unreliableText(s: string): boolean {
  return /:[01]$/.test(s);
}

/**
 * `got` holds no duplicate and nothing outside `want`; every reliable packet of `want` is in it.
 * Unreliable ones may be missing: once one round trip is slower than the last, ENet's packet
 * throttle (packetThrottle 30 of 32) drops every 32nd unreliable packet to that peer — common on
 * a loaded loopback, with Godot's ENet and gdwire's alike. Returns the missing unreliable ones
 * (for a diagnostic).
 */
export function checkDelivery(got: string[], want: string[], what: string): string[] {
  assert.equal(new Set(got).size, got.length, `${what}: duplicates in ${JSON.stringify(got)}`);
  const extra = got.filter((s) => !want.includes(s));
  assert.deepEqual(extra, [], `${what}: unexpected packets`);
  const missing = want.filter((s) => !got.includes(s));
  assert.deepEqual(missing.filter((s) => !unreliableText(s)), [], `${what}: reliable packets missing`);
  return missing;
}
