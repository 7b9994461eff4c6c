/**
 * The traffic of the last few minutes, one point per sample: rates derived from the core's
 * cumulative totals, kept in a bounded ring for the dashboard chart.
 */
import type { CoreTotals } from './core.js';

export interface TrafficPoint {
  /** Platform-clock time of the sample, ms. */
  readonly t: number;
  /** Per second over the interval ending at `t`. */
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly packetsIn: number;
  readonly packetsOut: number;
  /** Connected peers at `t`. */
  readonly peers: number;
}

/** `now − before` for a cumulative count; a count that went down (core restarted) counts from 0. */
export function counterDelta(before: number, now: number): number {
  return now >= before ? now - before : now;
}

export class TrafficHistory {
  private readonly points: TrafficPoint[] = [];
  private last: { t: number; totals: CoreTotals } | null = null;

  /** @param capacity most points kept (e.g. 300 = five minutes at one per second) */
  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError('capacity must be ≥ 1');
  }

  /**
   * Records the totals seen at `t`; returns the new point, or null for the first call (a
   * rate needs two samples) and when no time passed.
   */
  record(t: number, totals: CoreTotals, peers: number): TrafficPoint | null {
    const prev = this.last;
    if (prev && t <= prev.t) return null;
    this.last = { t, totals };
    if (!prev) return null;
    const seconds = (t - prev.t) / 1000;
    const rate = (a: number, b: number): number => counterDelta(a, b) / seconds;
    const point: TrafficPoint = {
      t,
      bytesIn: rate(prev.totals.bytesIn, totals.bytesIn),
      bytesOut: rate(prev.totals.bytesOut, totals.bytesOut),
      packetsIn: rate(prev.totals.packetsIn, totals.packetsIn),
      packetsOut: rate(prev.totals.packetsOut, totals.packetsOut),
      peers,
    };
    this.points.push(point);
    if (this.points.length > this.capacity) this.points.shift();
    return point;
  }

  /** Oldest first. */
  all(): readonly TrafficPoint[] {
    return this.points;
  }

  latest(): TrafficPoint | null {
    return this.points[this.points.length - 1] ?? null;
  }
}
