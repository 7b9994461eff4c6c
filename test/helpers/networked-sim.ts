/**
 * Test harness for NetworkedMultiplayerENet on the in-memory network with a fake clock: one
 * simulated host per peer, every signal recorded in order, and a runner that advances time
 * step by step, letting microtasks run (Node-mode peers) and calling poll() on the others.
 * Clocks start just before the 32-bit millisecond wrap, so sessions cross it.
 */
import { NetworkedMultiplayerENet } from '../../src/modules/enet/networked-multiplayer-enet.js';
import type { MultiplayerPacket } from '../../src/multiplayer/multiplayer-peer.js';
import type { LinkConditions } from '../../src/platform/memory-network.js';
import { createTestPlatform, hostPlatform, type TestPlatform } from '../../src/platform/test-platform.js';

export const NEAR_WRAP = 2 ** 32 - 3000;
export const SIGNALS = ['peer_connected', 'peer_disconnected', 'connection_succeeded', 'connection_failed', 'server_disconnected'] as const;

export interface MpNode {
  name: string;
  address: string;
  peer: NetworkedMultiplayerENet;
  /** Signals in order: "peer_connected 1", "connection_succeeded", … */
  signals: string[];
  /** Packets taken by {@link drain} or by the Node-mode listener. */
  packets: MultiplayerPacket[];
  /** Node mode (a 'packet' listener) instead of poll(). */
  nodeMode: boolean;
}

export interface MpSim {
  base: TestPlatform;
  nodes: MpNode[];
  node(name: string, address: string, options?: { nodeMode?: boolean }): MpNode;
}

export function createMpSim(options: { seed?: number; conditions?: LinkConditions; start?: number } = {}): MpSim {
  const base = createTestPlatform({
    seed: options.seed ?? 1,
    start: options.start ?? NEAR_WRAP,
    ...(options.conditions ? { conditions: options.conditions } : {}),
    logLevel: 'warn',
  });
  const nodes: MpNode[] = [];
  return {
    base,
    nodes,
    node(name: string, address: string, opts: { nodeMode?: boolean } = {}): MpNode {
      const host = base.net.createHost(name, [address]);
      const peer = new NetworkedMultiplayerENet({ platform: hostPlatform(base, host) });
      const n: MpNode = { name, address, peer, signals: [], packets: [], nodeMode: opts.nodeMode ?? false };
      for (const s of SIGNALS) peer.on(s, (id?: number) => n.signals.push(id === undefined ? s : `${s} ${id}`));
      if (n.nodeMode) peer.on('packet', (from, data, channel, mode) => n.packets.push({ peer: from, data, channel, mode }));
      nodes.push(n);
      return n;
    },
  };
}

/** Lets microtasks (kicked pumps, awaited promises) run. */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Reads every queued packet of a polled node into `node.packets`. */
export function drain(node: MpNode): void {
  const p = node.peer;
  while (p.getAvailablePacketCount() > 0) {
    const peer = p.getPacketPeer();
    const channel = p.getPacketChannel();
    const mode = p.getPacketMode();
    node.packets.push({ peer, channel, mode, data: p.getPacket() });
  }
}

/**
 * Advances fake time by `step` ms at a time for up to `ms`, polling (and draining) every
 * active polled node after microtasks ran; stops early when `until` holds.
 */
export async function runSim(sim: MpSim, ms: number, until: () => boolean = () => false, step = 1): Promise<boolean> {
  const end = sim.base.clock.now() + ms;
  for (;;) {
    await flushMicrotasks();
    for (const n of sim.nodes) {
      if (n.nodeMode || n.peer.getConnectionStatus() === 0) continue;
      n.peer.poll();
      drain(n);
    }
    if (until()) return true;
    if (sim.base.clock.now() >= end) return false;
    sim.base.clock.advance(Math.min(step, end - sim.base.clock.now()));
  }
}

/** The payload as text (tests send ASCII). */
export function text(data: Uint8Array): string {
  return Buffer.from(data).toString('latin1');
}

export function ascii(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'latin1'));
}
