/**
 * A manual clock with timers, for deterministic tests: time moves only when the test calls
 * {@link FakeClock.advance}. Timers fire in (due time, creation order); a timer set while
 * others fire runs in the same advance() when it is due by the target time. Every run is
 * bounded ({@link FakeClock.maxFiringsPerCall}) so a zero-delay ping-pong cannot hang a test.
 */
import type { Clock, TimerHandle, Timers } from './platform.js';

interface Entry {
  at: number;
  seq: number;
  fn: (() => void) | null; // null once fired or cleared
}

export class FakeClock implements Clock, Timers {
  /** The most timers one advance()/runAll() may fire before it throws. */
  maxFiringsPerCall = 1_000_000;
  private time: number;
  private seq = 0;
  private heap: Entry[] = [];
  private live = 0;

  /** @param start the initial time in ms (e.g. near 2^32 to test wrap-around). */
  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const entry: Entry = { at: this.time + delay, seq: this.seq++, fn };
    this.push(entry);
    this.live++;
    return entry;
  }

  /** A zero-delay timer: runs on the next advance()/runAll(), after timers already due now. */
  setImmediate(fn: () => void): void {
    this.setTimeout(fn, 0);
  }

  clearTimeout(handle: TimerHandle): void {
    const entry = handle as Partial<Entry>;
    if (typeof entry.seq === 'number' && entry.fn) {
      entry.fn = null;
      this.live--;
    }
  }

  /** Number of timers not yet fired or cleared. */
  pendingTimers(): number {
    return this.live;
  }

  /** When the next live timer is due, or null when none is set. */
  nextTimerAt(): number | null {
    this.dropCleared();
    return this.heap[0]?.at ?? null;
  }

  /**
   * Moves time forward by `ms`, firing every timer due by then, in order; time reads as each
   * timer's due time while it runs. Returns how many timers fired.
   */
  advance(ms: number): number {
    if (!(ms >= 0)) throw new RangeError(`advance(${ms}): time only moves forward`);
    return this.advanceTo(this.time + ms);
  }

  /** Like {@link advance} but to an absolute time (no-op when `t` is in the past). */
  advanceTo(t: number): number {
    let fired = 0;
    for (;;) {
      this.dropCleared();
      const top = this.heap[0];
      if (!top || top.at > t) break;
      this.fireTop(top);
      if (++fired > this.maxFiringsPerCall) {
        throw new Error(`FakeClock: more than ${this.maxFiringsPerCall} timers in one advance`);
      }
    }
    if (t > this.time) this.time = t;
    return fired;
  }

  /**
   * Fires timers (jumping time to each) until none is left, or `maxMs` of fake time would be
   * exceeded. Returns how many fired. For "let the simulation settle".
   */
  runAll(maxMs = 3_600_000): number {
    const limit = this.time + maxMs;
    let fired = 0;
    for (;;) {
      this.dropCleared();
      const top = this.heap[0];
      if (!top || top.at > limit) break;
      this.fireTop(top);
      if (++fired > this.maxFiringsPerCall) {
        throw new Error(`FakeClock: more than ${this.maxFiringsPerCall} timers in one runAll`);
      }
    }
    return fired;
  }

  private fireTop(top: Entry): void {
    this.pop();
    const fn = top.fn;
    top.fn = null;
    this.live--;
    if (top.at > this.time) this.time = top.at;
    fn?.();
  }

  private dropCleared(): void {
    while (this.heap.length > 0 && this.heap[0]?.fn === null) this.pop();
  }

  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p] as Entry;
      if (!this.less(e, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = e;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (!last || h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const left = h[l] as Entry;
      const right = h[r];
      const c = right && this.less(right, left) ? r : l;
      const child = h[c] as Entry;
      if (!this.less(child, last)) break;
      h[i] = child;
      i = c;
    }
    h[i] = last;
  }
}
