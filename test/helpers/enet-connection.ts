/**
 * Test harness for ENetConnection on the in-memory network with a fake clock: simulated
 * hosts, a counting Timers (to assert what the driver arms), and runners for the polled
 * (service loop) and event-driven (listeners) modes. Clocks start just before the 32-bit
 * millisecond wrap, so every session crosses it.
 */
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { ENetConnection } from '../../src/modules/enet/enet-connection.js';
import { EventType, type ServiceResult } from '../../src/modules/enet/enet-connection-types.js';
import type { ENetPacketPeer } from '../../src/modules/enet/enet-packet-peer.js';
import type { LinkConditions } from '../../src/platform/memory-network.js';
import type { Platform, TimerHandle, Timers } from '../../src/platform/platform.js';
import { createTestPlatform, hostPlatform, type TestPlatform } from '../../src/platform/test-platform.js';

/** 3 s before the 32-bit millisecond clock wraps. */
export const NEAR_WRAP = 2 ** 32 - 3000;

/** Timers that count the live timers one platform (one connection) has armed. */
export class CountingTimers implements Timers {
  private readonly live = new Set<TimerHandle>();
  armed = 0;
  constructor(private readonly inner: Timers) {}
  setTimeout(fn: () => void, ms: number): TimerHandle {
    this.armed++;
    const h: TimerHandle = this.inner.setTimeout(() => {
      this.live.delete(h);
      fn();
    }, ms);
    this.live.add(h);
    return h;
  }
  clearTimeout(handle: TimerHandle): void {
    this.live.delete(handle);
    this.inner.clearTimeout(handle);
  }
  get pending(): number {
    return this.live.size;
  }
}

export interface SimNode {
  name: string;
  address: string;
  platform: Platform;
  timers: CountingTimers;
  conn: ENetConnection;
}

export interface Sim {
  base: TestPlatform;
  node(name: string, address: string, checksum?: boolean): SimNode;
}

export function createSim(options: { seed?: number; conditions?: LinkConditions; start?: number } = {}): Sim {
  const base = createTestPlatform({
    seed: options.seed ?? 1,
    start: options.start ?? NEAR_WRAP,
    ...(options.conditions ? { conditions: options.conditions } : {}),
    logLevel: 'warn',
  });
  return {
    base,
    node(name: string, address: string, checksum = false): SimNode {
      const host = base.net.createHost(name, [address]);
      const timers = new CountingTimers(base.clock);
      const platform: Platform = { ...hostPlatform(base, host), timers };
      const conn = new ENetConnection({ platform, checksum });
      return { name, address, platform, timers, conn };
    },
  };
}

/** Lets microtasks (kicked pumps, awaited promises) run. */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Event-driven runner: moves fake time forward by `ms`, timer by timer, letting microtasks
 * run between timers (as an event loop would). Returns early when `until` holds.
 */
export async function run(base: TestPlatform, ms: number, until?: () => boolean): Promise<boolean> {
  const clock = base.clock;
  const end = clock.now() + ms;
  for (let i = 0; i < 1_000_000; i++) {
    await flushMicrotasks();
    if (until?.()) return true;
    const next = clock.nextTimerAt();
    if (next === null || next > end) break;
    clock.advanceTo(next);
  }
  clock.advanceTo(end);
  await flushMicrotasks();
  return until?.() ?? true;
}

export type Recorded = { node: string; type: EventType; peer: ENetPacketPeer | null; data: number; channel: number };

/**
 * Polled runner: every fake millisecond, calls service() on each connection until it returns
 * EVENT_NONE, recording the events; stops when `until` holds or after `ms`.
 */
export function poll(base: TestPlatform, nodes: SimNode[], ms: number, until: () => boolean, log: Recorded[] = []): boolean {
  for (let t = 0; t <= ms; t++) {
    for (const n of nodes) {
      for (let k = 0; k < 10_000; k++) {
        const r: ServiceResult = n.conn.service();
        if (r[0] === EventType.EVENT_NONE) break;
        log.push({ node: n.name, type: r[0], peer: r[1], data: r[2], channel: r[3] });
        if (r[0] === EventType.EVENT_ERROR) break;
      }
    }
    if (until()) return true;
    base.clock.advance(1);
  }
  return false;
}

/** Creates a server on `port` and a client host; returns them after connecting (polled). */
export async function connectedPair(
  sim: Sim, opts: { channels?: number; data?: number; serverPeers?: number; checksum?: boolean } = {},
): Promise<{ server: SimNode; client: SimNode; cp: ENetPacketPeer; sp: ENetPacketPeer; log: Recorded[] }> {
  const server = sim.node('server', '10.0.0.1', opts.checksum);
  const client = sim.node('client', '10.0.0.2', opts.checksum);
  assert.equal(await server.conn.createHostBound('*', 7777, opts.serverPeers ?? 32), Error.OK);
  assert.equal(await client.conn.createHost(1), Error.OK);
  const cp = client.conn.connectToHost('10.0.0.1', 7777, opts.channels ?? 4, opts.data ?? 0);
  assert.ok(cp);
  const log: Recorded[] = [];
  const ok = poll(sim.base, [server, client], 5000, () => log.filter((e) => e.type === EventType.EVENT_CONNECT).length === 2, log);
  assert.ok(ok, 'connected');
  const sp = log.find((e) => e.node === 'server' && e.type === EventType.EVENT_CONNECT)?.peer;
  assert.ok(sp);
  return { server, client, cp, sp, log };
}
