/**
 * A platform whose timers fire `lateMs` after their time, as Node's do (≈ 0.2–1 ms on this
 * host), counting the callbacks of timers set for at most `frameMs`: a relay core's frames
 * (its other timers — ticks, auth timeouts, the idle wait — are longer).
 */
import type { Platform, TimerHandle } from '../../src/platform/platform.js';

export interface LateTimers<P extends Platform> {
  platform: P;
  /** Frame-length timer callbacks run since the last reset. */
  frames(): number;
  reset(): void;
}

export function lateTimers<P extends Platform>(base: P, lateMs: number, frameMs: number): LateTimers<P> {
  let fired = 0;
  const t = base.timers;
  // Methods, not a spread: the fake clock's timers are a class instance.
  const timers: Platform['timers'] = {
    clearTimeout: (handle) => t.clearTimeout(handle),
    ...(t.setImmediate ? { setImmediate: (fn: () => void) => t.setImmediate!(fn) } : {}),
    setTimeout(fn: () => void, ms: number): TimerHandle {
      return t.setTimeout(() => {
        if (ms <= frameMs) fired++;
        fn();
      }, ms + lateMs);
    },
  };
  return { platform: { ...base, timers }, frames: () => fired, reset: () => { fired = 0; } };
}
