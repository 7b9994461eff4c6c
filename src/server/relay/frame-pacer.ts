/**
 * Frame pacing as Godot's main loop does it (OS::add_frame_delay, Godot 3.2.2+ and 4.x, with
 * low_processor_usage_mode): frames keep a fixed period — the time a frame takes comes out of
 * the wait after it, so N frames take N periods — and a late frame is forgiven at most one
 * period: when a frame starts, the schedule is pulled to within one period of the clock, so it
 * never lags by more (no burst of catch-up frames) nor leads by more (a clock that jumped back).
 * Godot applies that bound when its sleep returns; here the wait is a timer, so it is applied
 * when the next frame starts ({@link frameStarting}). A timer that fires a little early (Node's
 * timers count whole milliseconds) only makes the wait after that frame longer.
 *
 * Why it matters: re-arming a 4 ms timer after each frame gave the relay ≈ 210 frames a second
 * (the frame's own time plus the timer's lateness, ≈ 0.8 ms, added to every period), where
 * Godot 3.2.3 with a 4 ms setting runs 250 (bench/relay-fanout.bench.ts prints both).
 */
/** Frame interval of a relay with nobody to relay for, ms (CONNECTs wait at most this long). */
const IDLE_FRAME_MS = 20;

export class FramePacer {
  /** When the next frame is due, in the clock's ms; NaN until a schedule starts. */
  private target = Number.NaN;

  constructor(readonly periodMs: number) {}

  /** A frame starts at `now`: keeps the schedule within one period of the clock. */
  frameStarting(now: number): void {
    const p = this.periodMs;
    if (Number.isNaN(this.target)) this.target = now;
    else if (this.target < now - p) this.target = now - p;
    else if (this.target > now + p) this.target = now + p;
  }

  /** The wait, ms, from `now` — the end of a frame — to the next frame. */
  delayAfterFrame(now: number): number {
    if (Number.isNaN(this.target)) this.target = now;
    this.target += this.periodMs;
    return Math.max(0, this.target - now);
  }

  /**
   * The wait after a frame of a relay with no peers: at least IDLE_FRAME_MS (no need to wake
   * every few milliseconds), and no period kept across it: the next frame starts a new schedule.
   */
  idleDelay(): number {
    this.reset();
    return Math.max(this.periodMs, IDLE_FRAME_MS);
  }

  /** Starts a new schedule at the next frame (after an idle wait, which keeps no period). */
  reset(): void {
    this.target = Number.NaN;
  }
}
