/**
 * What the dashboard and /api/state show: a core snapshot plus what the shell derives from
 * consecutive snapshots (per-peer throughput, traffic rates, uptime). JSON-safe.
 */
import type { CoreSnapshot, CoreStatus, CoreTotals, DtlsTotals, PeerSnapshot, RoomSnapshot } from './core.js';
import { counterDelta, type TrafficPoint } from './traffic-history.js';

export type ShellStatus = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

export interface PeerView extends PeerSnapshot {
  /** Bytes per second received from / sent to the peer over the last sample interval. */
  readonly inRate: number;
  readonly outRate: number;
  /** Seconds since it connected. */
  readonly connectedFor: number;
}

export interface ServerState {
  readonly version: string;
  readonly status: ShellStatus;
  readonly core: { readonly name: string; readonly status: CoreStatus; readonly detail: string | null };
  /** `address:port` of the ENet socket, and the dashboard's URL. */
  readonly listen: { readonly udp: string | null; readonly http: string | null };
  readonly godot: string;
  readonly config: Readonly<Record<string, unknown>>;
  /** Seconds since start. */
  readonly uptime: number;
  readonly intervalMs: number;
  readonly historyWindowMs: number;
  readonly totals: CoreTotals;
  /** DTLS over ENet counters (`--dtls-cert`); null when the relay is not encrypted. */
  readonly dtls: DtlsTotals | null;
  /** The latest traffic point (rates per second), null before the second sample. */
  readonly rates: TrafficPoint | null;
  readonly rooms: readonly RoomSnapshot[];
  readonly peers: readonly PeerView[];
  /** Only in the full state (/api/state, first SSE event): the last minutes, oldest first. */
  readonly history?: readonly TrafficPoint[];
}

/** Remembers each peer's byte counts between samples to derive its throughput. */
export class PeerRates {
  private last = new Map<number, { t: number; bytesIn: number; bytesOut: number; inRate: number; outRate: number }>();

  /** Peer views for `snap` taken at `now`; forgets peers that left. */
  update(now: number, snap: CoreSnapshot): PeerView[] {
    const next = new Map<number, { t: number; bytesIn: number; bytesOut: number; inRate: number; outRate: number }>();
    const views = snap.peers.map((p) => {
      const prev = this.last.get(p.id);
      let inRate = 0;
      let outRate = 0;
      if (prev && now > prev.t) {
        const s = (now - prev.t) / 1000;
        inRate = counterDelta(prev.bytesIn, p.bytesIn) / s;
        outRate = counterDelta(prev.bytesOut, p.bytesOut) / s;
      } else if (prev) {
        inRate = prev.inRate;
        outRate = prev.outRate;
      }
      next.set(p.id, { t: now, bytesIn: p.bytesIn, bytesOut: p.bytesOut, inRate, outRate });
      return { ...p, inRate, outRate, connectedFor: Math.max(0, (now - p.connectedAt) / 1000) };
    });
    this.last = next;
    return views;
  }
}

function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export function udpListenText(snap: CoreSnapshot): string | null {
  return snap.listen ? hostPort(snap.listen.address, snap.listen.port) : null;
}
