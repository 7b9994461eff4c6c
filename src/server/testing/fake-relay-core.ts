/**
 * A scripted {@link RelayCore} for the shell's tests and the dashboard browser test: rooms and
 * peers set by the test, traffic that grows deterministically with the clock (a smooth wave
 * per peer, so a chart has a shape), drops on demand, and a choice of stop behaviour
 * (graceful, hang until closed, fail). No sockets, no randomness.
 */
import type { Clock, Timers } from '../../platform/platform.js';
import type {
  CoreEvent, CoreSnapshot, CoreStatus, CoreStopOptions, PeerSnapshot, RelayCore, RoomSnapshot,
} from '../core.js';

export interface FakePeer {
  id: number;
  room: string | null;
  address?: string;
  port?: number;
  state?: 'authenticating' | 'connected';
  rttMs?: number;
  /** 0..1 */
  loss?: number;
  /** Mean bytes per second from the peer (default 2000); what it is sent back is 1.5× that. */
  rate?: number;
}

export interface FakeRelayCoreOptions {
  clock: Clock;
  /** Default 'fake'. */
  name?: string;
  /** RelayCore.dropReasons (default: not given). */
  dropReasons?: readonly string[];
  /** Capacity reported for every room (default 8). */
  roomSize?: number;
  listen?: { address: string; port: number };
  /** How stop() behaves: resolve after `stopDelayMs` of clock time … or never, or reject. */
  stopBehaviour?: 'graceful' | 'hang' | 'fail';
  /** With a `timers` object, 'graceful' stop resolves after this much clock time (default 0). */
  stopDelayMs?: number;
  timers?: Pick<Timers, 'setTimeout'>;
  /** start() rejects with this message. */
  startError?: string;
}

interface LivePeer {
  spec: Required<FakePeer>;
  connectedAt: number;
  bytesIn: number;
  bytesOut: number;
  /** Clock time its counters were last advanced to. */
  at: number;
}

const AVG_PACKET = 100;

export class FakeRelayCore implements RelayCore {
  readonly name: string;
  readonly dropReasons?: readonly string[];
  /** Calls received, in order: 'start', 'stop:<reason>', 'close', 'snapshot' is not recorded. */
  readonly calls: string[] = [];
  status: CoreStatus = 'starting';
  detail: string | null = null;
  private readonly peers = new Map<number, LivePeer>();
  private readonly roomOrder: string[] = [];
  private readonly listeners = new Set<(e: CoreEvent) => void>();
  private readonly drops: Record<string, number> = {};
  private closedTotals = { packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0 };
  private connects = 0;
  private disconnects = 0;
  private stopResolve: (() => void) | null = null;

  constructor(private readonly options: FakeRelayCoreOptions) {
    this.name = options.name ?? 'fake';
    if (options.dropReasons) this.dropReasons = options.dropReasons;
  }

  start(): Promise<void> {
    this.calls.push('start');
    if (this.options.startError !== undefined) {
      this.status = 'unavailable';
      this.detail = this.options.startError;
      return Promise.reject(new Error(this.options.startError));
    }
    this.status = 'running';
    return Promise.resolve();
  }

  stop(options: CoreStopOptions): Promise<void> {
    this.calls.push(`stop:${options.reason}`);
    this.status = 'stopping';
    const behaviour = this.options.stopBehaviour ?? 'graceful';
    if (behaviour === 'fail') return Promise.reject(new Error('fake stop failure'));
    return new Promise<void>((resolve) => {
      this.stopResolve = () => {
        this.stopResolve = null;
        this.finish('server stopping');
        resolve();
      };
      if (behaviour === 'hang') return;
      const delay = this.options.stopDelayMs ?? 0;
      if (delay > 0 && this.options.timers) this.options.timers.setTimeout(() => this.stopResolve?.(), delay);
      else this.stopResolve();
    });
  }

  close(): void {
    this.calls.push('close');
    this.finish('server closed');
  }

  /** Connects a peer (emits peer_connected, and room_opened for a new room). */
  addPeer(p: FakePeer): void {
    const now = this.options.clock.now();
    const spec: Required<FakePeer> = {
      address: `127.0.0.${1 + (p.id % 250)}`, port: 40000 + (p.id % 20000), state: 'connected',
      rttMs: 20, loss: 0, rate: 2000, ...p,
    };
    this.peers.set(p.id, { spec, connectedAt: now, bytesIn: 0, bytesOut: 0, at: now });
    if (p.room !== null && !this.roomOrder.includes(p.room)) {
      this.roomOrder.push(p.room);
      this.emit({ type: 'room_opened', room: p.room });
    }
    this.connects++;
    this.emit({ type: 'peer_connected', peer: p.id, address: spec.address, room: p.room });
  }

  /** Disconnects a peer (its traffic stays in the totals); closes its room when empty. */
  removePeer(id: number, reason = 'disconnected'): void {
    const live = this.peers.get(id);
    if (!live) return;
    this.advance(live, this.options.clock.now());
    this.retire(live);
    this.peers.delete(id);
    this.disconnects++;
    this.emit({ type: 'peer_disconnected', peer: id, reason });
    const room = live.spec.room;
    if (room !== null && ![...this.peers.values()].some((l) => l.spec.room === room)) {
      this.roomOrder.splice(this.roomOrder.indexOf(room), 1);
      this.emit({ type: 'room_closed', room });
    }
  }

  /** Counts a refused packet. */
  drop(reason: string, peer = 0, n = 1): void {
    this.drops[reason] = (this.drops[reason] ?? 0) + n;
    this.emit({ type: 'drop', reason, peer });
  }

  setPeer(id: number, change: Partial<Pick<FakePeer, 'rttMs' | 'loss' | 'rate' | 'state'>>): void {
    const live = this.peers.get(id);
    if (live) live.spec = { ...live.spec, ...change };
  }

  emit(e: CoreEvent): void {
    for (const l of this.listeners) l(e);
  }

  onEvent(listener: (event: CoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  listenerCount(): number {
    return this.listeners.size;
  }

  snapshot(): CoreSnapshot {
    const now = this.options.clock.now();
    const peers: PeerSnapshot[] = [];
    const totals = { ...this.closedTotals };
    for (const live of this.peers.values()) {
      this.advance(live, now);
      const s = live.spec;
      const view: PeerSnapshot = {
        id: s.id, address: s.address, port: s.port, room: s.room, state: s.state, rttMs: s.rttMs, loss: s.loss,
        bytesIn: Math.floor(live.bytesIn), bytesOut: Math.floor(live.bytesOut),
        packetsIn: Math.floor(live.bytesIn / AVG_PACKET), packetsOut: Math.floor(live.bytesOut / AVG_PACKET),
        connectedAt: live.connectedAt,
      };
      peers.push(view);
      totals.bytesIn += view.bytesIn;
      totals.bytesOut += view.bytesOut;
      totals.packetsIn += view.packetsIn;
      totals.packetsOut += view.packetsOut;
    }
    const rooms: RoomSnapshot[] = this.roomOrder.map((id) => ({
      id, capacity: this.options.roomSize ?? 8, peers: peers.filter((p) => p.room === id).map((p) => p.id),
    }));
    return {
      status: this.status, detail: this.detail,
      listen: this.status === 'running' || this.status === 'stopping' ? this.options.listen ?? { address: '127.0.0.1', port: 4242 } : null,
      rooms, peers,
      totals: { ...totals, connects: this.connects, disconnects: this.disconnects, drops: { ...this.drops } },
    };
  }

  /** Lets a hanging stop() finish now (as if every peer acknowledged). */
  finishStop(): void {
    this.stopResolve?.();
  }

  private finish(reason: string): void {
    if (this.status === 'stopped') return;
    for (const id of [...this.peers.keys()]) this.removePeer(id, reason);
    this.status = 'stopped';
  }

  private retire(live: LivePeer): void {
    const c = this.closedTotals;
    c.bytesIn += Math.floor(live.bytesIn);
    c.bytesOut += Math.floor(live.bytesOut);
    c.packetsIn += Math.floor(live.bytesIn / AVG_PACKET);
    c.packetsOut += Math.floor(live.bytesOut / AVG_PACKET);
  }

  /**
   * Integrates the peer's traffic from its last time to `now`: rate × (1 + 0.6·sin), the phase
   * set by the peer id and the period ~40 s, so the chart moves and every peer differs.
   */
  private advance(live: LivePeer, now: number): void {
    if (now <= live.at) return;
    const w = (2 * Math.PI) / 40_000;
    const phase = live.spec.id * 1.7;
    // ∫ rate·(1 + 0.6 sin(w t + φ)) dt, t in ms, rate per second.
    const integral = (t: number): number => (t - (0.6 / w) * Math.cos(w * t + phase)) / 1000;
    const bytes = live.spec.rate * (integral(now) - integral(live.at));
    if (this.status === 'running' && live.spec.state === 'connected') {
      live.bytesIn += bytes;
      live.bytesOut += bytes * 1.5;
    }
    live.at = now;
  }
}
