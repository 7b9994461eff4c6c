/**
 * FramePacer (src/server/relay/frame-pacer.ts): frames a fixed period apart, start to start,
 * as Godot's OS::add_frame_delay paces them — the frame's own time and a timer's lateness come
 * out of the next wait, a late frame is forgiven at most one period, a timer that fires early
 * does not speed the frames up.
 */

/** One frame from `start` to `end`: the wait after it. */
function frame(p: FramePacer, start: number, end: number): number {
  p.frameStarting(start);
  return p.delayAfterFrame(end);
}
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FramePacer } from '../../src/server/relay/frame-pacer.js';

test('a frame that takes time shortens the wait after it: starts stay one period apart', () => {
  const p = new FramePacer(4);
  // The first frame ran 100.0–101.0: the next is due at 104.
  assert.equal(frame(p, 100, 101), 3);
  // It started at 105 (the timer fired 1 ms late) and took 0.5 ms: due at 108, 2.5 ms away.
  assert.equal(frame(p, 105, 105.5), 2.5);
  // Started at 108.5, took 2 ms: due at 112.
  assert.equal(frame(p, 108.5, 110.5), 1.5);
  // Over many frames with a fixed cost and lateness, the average period is exactly the period.
  const q = new FramePacer(4);
  let now = 0;
  let frames = 0;
  while (now < 1000) {
    const start = now;
    now += 0.7; // the frame's work
    now += frame(q, start, now) + 0.6; // the wait, and a timer that fires late
    frames++;
  }
  assert.ok(frames >= 249 && frames <= 251, `${frames} frames in 1000 ms`);
});

test('a timer that fires early does not speed the frames up', () => {
  // Node's timers count whole milliseconds: a wait of 3.4 ms may end after 2.5.
  const q = new FramePacer(4);
  let now = 0;
  let frames = 0;
  while (now < 1000) {
    const start = now;
    now += 0.3;
    const wait = frame(q, start, now);
    now += Math.max(0, wait - 0.9);
    frames++;
  }
  assert.ok(frames >= 249 && frames <= 251, `${frames} frames in 1000 ms`);
});

test('a late frame is forgiven at most one period: no burst of catch-up frames', () => {
  const p = new FramePacer(4);
  assert.equal(frame(p, 0, 0), 4); // due at 4
  // That frame started on time and ran until 30, 26 ms late. When the next one starts, the
  // schedule is pulled to one period behind the clock (due at 26), as Godot's clamp does: two
  // frames at once, then back to the period — not six frames of catch-up.
  assert.equal(frame(p, 4, 30), 0); // due at 8: now
  assert.equal(frame(p, 30, 30.5), 0); // pulled to 26, due at 30: now
  assert.equal(frame(p, 30.5, 31), 3); // due at 34
  assert.equal(frame(p, 34, 34.5), 3.5); // due at 38
});

test('a clock that jumped back is followed: the schedule leads it by at most one period', () => {
  const p = new FramePacer(4);
  frame(p, 1000, 1000); // due at 1004
  assert.equal(frame(p, 500, 500), 8); // pulled to 504, due at 508: not 1008
});

test('reset starts a new schedule at the next frame (after an idle wait)', () => {
  const p = new FramePacer(4);
  frame(p, 0, 0);
  p.reset();
  // 100 ms idle later a frame runs 100.0–100.5: due at 104, not pulled from the old schedule.
  assert.equal(frame(p, 100, 100.5), 3.5);
  assert.equal(new FramePacer(16).periodMs, 16);
});
