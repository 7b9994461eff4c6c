/**
 * src/enet/time.ts: ENet's wrap-safe 32-bit time comparisons (@see enet time.h) and the
 * 16-bit sent-time expansion used by acknowledgements, checked across the 2^32 wrap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TIME_OVERFLOW,
  expandSentTime,
  seqNext,
  seqSub,
  timeAdd,
  timeDifference,
  timeGreater,
  timeGreaterEqual,
  timeLess,
  timeLessEqual,
  timeSub,
  toTime,
} from '../../src/enet/time.js';

const NEAR_WRAP = 0xffff_ff00;

test('comparisons hold across the 2^32 wrap', () => {
  const before = NEAR_WRAP;
  const after = timeAdd(NEAR_WRAP, 0x200); // 0x100 past zero
  assert.equal(after, 0x100);
  assert.equal(timeLess(before, after), true);
  assert.equal(timeGreater(after, before), true);
  assert.equal(timeGreaterEqual(after, before), true);
  assert.equal(timeLessEqual(after, before), false);
  assert.equal(timeLess(after, before), false);
  assert.equal(timeDifference(after, before), 0x200);
  assert.equal(timeDifference(before, after), 0x200);
  assert.equal(timeSub(after, before), 0x200);
});

test('equal times and the one-day overflow horizon', () => {
  assert.equal(timeLess(5, 5), false);
  assert.equal(timeLessEqual(5, 5), true);
  assert.equal(timeGreaterEqual(5, 5), true);
  // ENET_TIME_OVERFLOW: a timestamp a day or more "ahead" counts as behind
  assert.equal(timeLess(TIME_OVERFLOW, 0), true);
  assert.equal(timeLess(TIME_OVERFLOW - 1, 0), false);
});

test('toTime truncates fractions and wraps to 32 bits', () => {
  assert.equal(toTime(1.9), 1);
  assert.equal(toTime(2 ** 32 + 5), 5);
  assert.equal(toTime(-1), 0xffffffff);
});

test('expandSentTime rebuilds the full timestamp from 16 echoed bits, across both wraps', () => {
  assert.equal(expandSentTime(0x1234, 0x0005_1300), 0x0005_1234);
  // sent just before a 16-bit boundary, acknowledged just after it
  assert.equal(expandSentTime(0xfff0, 0x0006_0010), 0x0005_fff0);
  // ... and across the 32-bit wrap
  assert.equal(expandSentTime(0xfff0, 0x0000_0010), 0xffff_fff0);
  assert.equal(timeDifference(0x0000_0010, expandSentTime(0xfff0, 0x0000_0010)), 0x20);
});

test('16-bit sequence helpers wrap', () => {
  assert.equal(seqNext(0xffff), 0);
  assert.equal(seqSub(2, 0xfffe), 4);
  assert.equal(seqSub(0xfffe, 2), 0xfffc);
});
