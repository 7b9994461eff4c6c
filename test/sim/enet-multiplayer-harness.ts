/**
 * Harness for ENetMultiplayerPeer on the in-memory network with a fake clock (clocks start
 * just before the 32-bit millisecond wrap): simulated hosts, a polled runner, a server with
 * clients, and a record of each peer's signals. Used by test/sim/enet-multiplayer-*.test.ts and
 * test/unit/enet-multiplayer-*.test.ts. Not a test file itself.
 */
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { ENetConnection } from '../../src/modules/enet/enet-connection.js';
import { EventType } from '../../src/modules/enet/enet-connection-types.js';
import { ENetMultiplayerPeer } from '../../src/modules/enet/enet-multiplayer-peer.js';
import type { LinkConditions, TappedDatagram } from '../../src/platform/memory-network.js';
import type { Platform } from '../../src/platform/platform.js';
import { createTestPlatform, hostPlatform, type TestPlatform } from '../../src/platform/test-platform.js';
import { ConnectionStatus, TransferMode } from '../../src/multiplayer/multiplayer-peer.js';

/** 3 s before the 32-bit millisecond clock wraps. */
export const NEAR_WRAP = 2 ** 32 - 3000;
export const PORT = 7777;

export interface MpNode {
  name: string;
  address: string;
  platform: Platform;
  peer: ENetMultiplayerPeer;
  /** Signals in order: "+id" for peer_connected, "-id" for peer_disconnected. */
  signals: string[];
}

export interface MpSim {
  base: TestPlatform;
  node(name: string, address: string): MpNode;
  /** A bare ENetConnection on a simulated host (mesh links, hand-made peers). */
  connection(name: string, address: string): ENetConnection;
}

export function createMpSim(options: { seed?: number; conditions?: LinkConditions; start?: number } = {}): MpSim {
  const base = createTestPlatform({
    seed: options.seed ?? 1,
    start: options.start ?? NEAR_WRAP,
    ...(options.conditions ? { conditions: options.conditions } : {}),
    logLevel: 'warn',
  });
  const hosts = new Map<string, Platform>();
  const platformFor = (name: string, address: string): Platform => {
    let p = hosts.get(name);
    if (!p) {
      p = hostPlatform(base, base.net.createHost(name, [address]));
      hosts.set(name, p);
    }
    return p;
  };
  return {
    base,
    node(name: string, address: string): MpNode {
      const platform = platformFor(name, address);
      const peer = new ENetMultiplayerPeer({ platform });
      const signals: string[] = [];
      peer.on('peer_connected', (id) => signals.push(`+${id}`));
      peer.on('peer_disconnected', (id) => signals.push(`-${id}`));
      return { name, address, platform, peer, signals };
    },
    connection(name: string, address: string): ENetConnection {
      return new ENetConnection({ platform: platformFor(name, address) });
    },
  };
}

export interface ConnEvent {
  conn: ENetConnection;
  type: EventType;
  data: number;
}

/**
 * Polled runner: every fake millisecond, poll() each active peer (and service() each extra
 * connection, recording its events in `log`); stops when `until` holds (checked after each
 * round) or after `ms`.
 */
export function pollAll(
  base: TestPlatform, nodes: MpNode[], ms: number, until: () => boolean = () => false,
  conns: ENetConnection[] = [], log: ConnEvent[] = [],
): boolean {
  for (let t = 0; t <= ms; t++) {
    for (const n of nodes) {
      if (n.peer.getConnectionStatus() !== ConnectionStatus.CONNECTION_DISCONNECTED) n.peer.poll();
    }
    for (const conn of conns) {
      for (let k = 0; k < 1000 && conn.enetHost; k++) {
        const [type, peer, data] = conn.service();
        if (type === EventType.EVENT_NONE) break;
        log.push({ conn, type, data });
        while (peer && peer.getAvailablePacketCount() > 0) peer.getPacket();
      }
    }
    if (until()) return true;
    base.clock.advance(1);
  }
  return false;
}

/** Every packet queued on `peer`: [from, channel, mode, bytes]. */
export function drain(peer: ENetMultiplayerPeer): Array<{ from: number; channel: number; mode: TransferMode; data: Uint8Array }> {
  const out = [];
  while (peer.getAvailablePacketCount() > 0) {
    const from = peer.getPacketPeer();
    const channel = peer.getPacketChannel();
    const mode = peer.getPacketMode();
    out.push({ from, channel, mode, data: peer.getPacket() });
  }
  return out;
}

/** A server on 10.0.0.1:PORT and `n` clients on 10.0.0.2… , all connected (polled). */
export async function serverWithClients(
  sim: MpSim, n: number, opts: { maxChannels?: number; channelCount?: number } = {},
): Promise<{ server: MpNode; clients: MpNode[] }> {
  const server = sim.node('server', '10.0.0.1');
  assert.equal(await server.peer.createServer(PORT, 32, opts.maxChannels ?? 0), Error.OK);
  const clients: MpNode[] = [];
  for (let i = 0; i < n; i++) {
    const c = sim.node(`client${i}`, `10.0.0.${i + 2}`);
    assert.equal(await c.peer.createClient('10.0.0.1', PORT, opts.channelCount ?? 0), Error.OK);
    clients.push(c);
  }
  const all = [server, ...clients];
  const ok = pollAll(sim.base, all, 10_000, () =>
    server.signals.length === n && clients.every((c) => c.peer.getConnectionStatus() === ConnectionStatus.CONNECTION_CONNECTED));
  assert.ok(ok, 'every client connected');
  return { server, clients };
}

/** Datagrams sent on the memory network while `fn` runs (at send time, before link conditions). */
export function capture(sim: MpSim, fn: () => void): TappedDatagram[] {
  const got: TappedDatagram[] = [];
  const off = sim.base.net.tap((d) => void got.push({ ...d, data: Uint8Array.from(d.data) }));
  try {
    fn();
  } finally {
    off();
  }
  return got;
}

/**
 * Asserts `bytes` against a hex fixture where `..` matches any byte; `#` starts a comment
 * (one field per line, as in the other wire fixtures).
 */
export function assertBytes(bytes: Uint8Array, fixture: string, what: string): void {
  const tokens = fixture.split('\n').map((l) => l.replace(/#.*$/, '')).join(' ').replace(/\s+/g, '');
  assert.equal(tokens.length % 2, 0, `${what}: odd fixture`);
  const want = tokens.length / 2;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  assert.equal(bytes.length, want, `${what}: length ${bytes.length}, want ${want} (got ${hex})`);
  for (let i = 0; i < want; i++) {
    const t = tokens.slice(2 * i, 2 * i + 2);
    if (t === '..') continue;
    assert.equal(hex.slice(2 * i, 2 * i + 2), t.toLowerCase(), `${what}: byte ${i} (got ${hex})`);
  }
}

/** Big-endian hex of a u32 (ENet's wire order). */
export function be32(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}
