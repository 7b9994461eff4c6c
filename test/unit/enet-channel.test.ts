/**
 * src/enet/channel.ts: ENet's receive-side ordering rules in isolation (@see enet peer.c
 * enet_peer_queue_incoming_command and the two dispatch functions), driven directly with a
 * recording IncomingTarget. Also src/enet/deque.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Channel, IncomingCommand, QueueResult, inReceiveWindow, type IncomingTarget } from '../../src/enet/channel.js';
import { Deque, NumberQueue } from '../../src/enet/deque.js';
import { ProtocolCommand } from '../../src/enet/protocol.js';
import { PacketFlag } from '../../src/enet/types.js';

const RELIABLE = ProtocolCommand.SEND_RELIABLE;
const UNRELIABLE = ProtocolCommand.SEND_UNRELIABLE;
const FRAGMENT = ProtocolCommand.SEND_FRAGMENT;
const UFRAGMENT = ProtocolCommand.SEND_UNRELIABLE_FRAGMENT;
const UNSEQUENCED = ProtocolCommand.SEND_UNSEQUENCED;

class Recorder implements IncomingTarget {
  delivered: string[] = [];
  released = 0;
  waiting = 0;
  limit = Infinity;
  reserve(bytes: number): boolean {
    if (this.waiting + bytes > this.limit) return false;
    this.waiting += bytes;
    return true;
  }
  dispatch(c: IncomingCommand): void {
    this.delivered.push(new TextDecoder().decode(c.packet.data));
  }
  release(c: IncomingCommand): void {
    this.released++;
    this.waiting -= c.packet.data.length;
  }
}
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

test('inReceiveWindow: current window plus 6 ahead; anything behind counts as wrapped', () => {
  assert.equal(inReceiveWindow(1, 0), true);
  assert.equal(inReceiveWindow(0x1000 * 7 - 1, 0), true, 'end of the 7th window');
  assert.equal(inReceiveWindow(0x1000 * 7, 0), false);
  assert.equal(inReceiveWindow(5, 10), false, 'behind, same window');
  assert.equal(inReceiveWindow(2, 0xfff0), true, 'past the 16-bit wrap');
  assert.equal(inReceiveWindow(0xfff5, 0xfff0), true);
});

test('reliable: out-of-order arrivals wait for the gap, duplicates are discarded', () => {
  const ch = new Channel(1);
  const t = new Recorder();
  assert.ok(ch.queueIncoming(t, RELIABLE, 2, 0, bytes('b'), 1, 0) instanceof IncomingCommand);
  ch.queueIncoming(t, RELIABLE, 3, 0, bytes('c'), 1, 0);
  assert.deepEqual(t.delivered, []);
  assert.equal(ch.queueIncoming(t, RELIABLE, 3, 0, bytes('c'), 1, 0), QueueResult.DISCARDED, 'duplicate waiting');
  ch.queueIncoming(t, RELIABLE, 1, 0, bytes('a'), 1, 0);
  assert.deepEqual(t.delivered, ['a', 'b', 'c']);
  assert.equal(ch.incomingReliableSequenceNumber, 3);
  assert.equal(ch.queueIncoming(t, RELIABLE, 2, 0, bytes('b'), 1, 0), QueueResult.DISCARDED, 'already delivered');
  assert.equal(ch.queueIncoming(t, RELIABLE, 3, 0, bytes('c'), 1, 0), QueueResult.DISCARDED, 'the current one');
  assert.equal(ch.queueIncoming(t, RELIABLE, 3 + 0x1000 * 7, 0, bytes('x'), 1, 0), QueueResult.DISCARDED, 'too far ahead');
});

test('reliable delivery continues across the 16-bit wrap', () => {
  const ch = new Channel(0);
  const t = new Recorder();
  ch.incomingReliableSequenceNumber = 0xfffe;
  ch.queueIncoming(t, RELIABLE, 0x0000, 0, bytes('2'), 1, 0);
  ch.queueIncoming(t, RELIABLE, 0xffff, 0, bytes('1'), 1, 0);
  ch.queueIncoming(t, RELIABLE, 0x0001, 0, bytes('3'), 1, 0);
  assert.deepEqual(t.delivered, ['1', '2', '3']);
  assert.equal(ch.incomingReliableSequenceNumber, 1);
});

test('a fragmented reliable packet is delivered once complete and advances the sequence by its count', () => {
  const ch = new Channel(0);
  const t = new Recorder();
  const start = ch.queueIncoming(t, FRAGMENT, 1, 0, null, 6, 3);
  assert.ok(start instanceof IncomingCommand);
  assert.equal(start.packet.flags, PacketFlag.RELIABLE);
  ch.queueIncoming(t, RELIABLE, 4, 0, bytes('after'), 5, 0); // the next packet, after fragments 1..3
  for (const n of [2, 0, 1]) {
    assert.equal(start.markFragment(n), true);
    assert.equal(start.markFragment(n), false, 'a duplicate fragment does not count twice');
    start.packet.data.set(bytes(['ab', 'cd', 'ef'][n]!), n * 2);
  }
  ch.dispatchReliable(t);
  assert.deepEqual(t.delivered, ['abcdef', 'after']);
  assert.equal(ch.incomingReliableSequenceNumber, 4);
});

test('garbage numbered inside a fragmented packet is purged, not left to stall the channel', () => {
  const ch = new Channel(0);
  const t = new Recorder();
  ch.queueIncoming(t, RELIABLE, 3, 0, bytes('junk'), 4, 0); // inside 1..4 below
  const start = ch.queueIncoming(t, FRAGMENT, 1, 0, null, 4, 4) as IncomingCommand;
  for (let n = 0; n < 4; n++) start.markFragment(n);
  ch.dispatchReliable(t);
  assert.equal(ch.incomingReliableSequenceNumber, 4);
  assert.equal(t.released, 1);
  assert.equal(ch.pendingReliable.size, 0);
  ch.queueIncoming(t, RELIABLE, 5, 0, bytes('next'), 4, 0);
  assert.deepEqual(t.delivered, ['\0\0\0\0', 'next']);
});

test('sequenced unreliable: old ones dropped; ahead of a missing reliable they wait', () => {
  const ch = new Channel(2);
  const t = new Recorder();
  ch.queueIncoming(t, UNRELIABLE, 0, 2, bytes('u2'), 2, 0);
  assert.equal(ch.queueIncoming(t, UNRELIABLE, 0, 1, bytes('u1'), 2, 0), QueueResult.DISCARDED, 'older than the last');
  assert.equal(ch.queueIncoming(t, UNRELIABLE, 0, 2, bytes('u2'), 2, 0), QueueResult.DISCARDED, 'duplicate');
  // Sent after reliable #1, which has not arrived: wait for it.
  ch.queueIncoming(t, UNRELIABLE, 1, 1, bytes('r1u1'), 4, 0);
  ch.queueIncoming(t, UNRELIABLE, 1, 2, bytes('r1u2'), 4, 0);
  assert.deepEqual(t.delivered, ['u2']);
  ch.queueIncoming(t, RELIABLE, 1, 0, bytes('R1'), 2, 0);
  assert.deepEqual(t.delivered, ['u2', 'R1', 'r1u1', 'r1u2']);
  assert.equal(ch.incomingUnreliableSequenceNumber, 2);
  assert.equal(ch.pendingUnreliable.size, 0);
});

test('unreliable commands of an already-passed reliable number are dropped when it moves on', () => {
  const ch = new Channel(2);
  const t = new Recorder();
  ch.queueIncoming(t, RELIABLE, 2, 0, bytes('R2'), 2, 0); // waits for #1
  ch.queueIncoming(t, UNRELIABLE, 1, 5, bytes('r1u5'), 4, 0); // follows #1: waits
  const frag = ch.queueIncoming(t, UFRAGMENT, 1, 6, null, 8, 2) as IncomingCommand; // incomplete
  ch.queueIncoming(t, RELIABLE, 1, 0, bytes('R1'), 2, 0);
  // #1 and #2 are delivered in one step, so the channel is already past #1 when its
  // unreliable followers are looked at: as in ENet, both are dropped.
  assert.deepEqual(t.delivered, ['R1', 'R2']);
  assert.equal(t.released, 2);
  assert.equal(ch.pendingUnreliable.size, 0);
  assert.equal(frag.fragmentsRemaining, 2);
});

test('unreliable fragments: all or nothing, and a newer complete packet drops an older incomplete one', () => {
  const ch = new Channel(1);
  const t = new Recorder();
  const a = ch.queueIncoming(t, UFRAGMENT, 0, 1, null, 4, 2) as IncomingCommand;
  assert.equal(a.packet.flags, PacketFlag.UNRELIABLE_FRAGMENT);
  const b = ch.queueIncoming(t, UFRAGMENT, 0, 2, null, 4, 2) as IncomingCommand;
  a.markFragment(0);
  b.markFragment(0);
  b.markFragment(1);
  b.packet.data.set(bytes('BBBB'));
  ch.dispatchUnreliable(t, null, 0);
  assert.deepEqual(t.delivered, ['BBBB']);
  assert.equal(t.released, 1, 'the older incomplete packet is gone');
  assert.equal(ch.findUnreliable(0, 1), undefined);
  assert.equal(ch.incomingUnreliableSequenceNumber, 2);
});

test('unsequenced commands are delivered at once; the waiting-data limit refuses with ERROR', () => {
  const ch = new Channel(0);
  const t = new Recorder();
  ch.queueIncoming(t, UNSEQUENCED, 0, 0, bytes('x'), 1, 0);
  assert.deepEqual(t.delivered, ['x']);
  t.limit = 4;
  assert.equal(ch.queueIncoming(t, RELIABLE, 1, 0, bytes('12345'), 5, 0), QueueResult.ERROR);
  assert.equal(ch.queueIncoming(t, FRAGMENT, 1, 0, null, 100, 2), QueueResult.ERROR, 'checked before allocating');
});

test('a fragment start that cannot be queued is an ERROR, not a silent discard', () => {
  const ch = new Channel(0);
  const t = new Recorder();
  ch.incomingReliableSequenceNumber = 5;
  assert.equal(ch.queueIncoming(t, FRAGMENT, 5, 0, null, 10, 2), QueueResult.ERROR);
  assert.equal(ch.queueIncoming(t, RELIABLE, 5, 0, bytes('x'), 1, 0), QueueResult.DISCARDED);
});

test('Deque: FIFO at both ends, growth, iteration', () => {
  const d = new Deque<number>(2);
  for (let i = 0; i < 100; i++) d.push(i);
  d.pushFront(-1);
  assert.equal(d.length, 101);
  assert.equal(d.peek(), -1);
  assert.equal(d.at(100), 99);
  assert.equal(d.at(101), undefined);
  assert.equal(d.shift(), -1);
  assert.deepEqual([...d].slice(0, 3), [0, 1, 2]);
  for (let i = 0; i < 100; i++) assert.equal(d.shift(), i);
  assert.equal(d.shift(), undefined);
  assert.ok(d.isEmpty());
  d.pushFront(7);
  assert.equal(d.shift(), 7);
});

test('NumberQueue: FIFO across growth and wrap, exact values above 2^32, clear', () => {
  const q = new NumberQueue();
  const big = (i: number): number => i * 0x1_0000_0000 + 0xffff_fff0 + (i % 16);
  let next = 0;
  let expect = 0;
  // Interleave pushes and shifts so the ring wraps before and after it grows.
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 7 + round; i++) q.push(big(next++));
    for (let i = 0; i < 5; i++) assert.equal(q.shift(), big(expect++));
  }
  assert.equal(q.length, next - expect);
  while (!q.isEmpty()) assert.equal(q.shift(), big(expect++));
  assert.equal(expect, next);
  assert.equal(q.shift(), undefined);
  q.push(3);
  q.clear();
  assert.ok(q.isEmpty());
  assert.equal(q.shift(), undefined);
});
