/**
 * src/enet/outgoing-queue.ts: the FIFO of commands waiting to be sent, where plain data
 * commands wait as typed-array rows. Whatever way a command was queued, what comes out is the
 * same OutgoingCommand, in queue order — across growth, ring wrap-around, shared and distinct
 * payload buffers, and clear().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutgoingCommand, WHOLE_PACKET } from '../../src/enet/outgoing-command.js';
import { OutgoingQueue } from '../../src/enet/outgoing-queue.js';
import { COMMAND_FLAG_ACKNOWLEDGE, COMMAND_FLAG_UNSEQUENCED, ProtocolCommand } from '../../src/enet/protocol.js';

/** What a queued command should come out as. */
interface Expected {
  object?: OutgoingCommand;
  type: ProtocolCommand;
  flags: number;
  channelID: number;
  buffer: Uint8Array;
  offset: number;
  length: number;
  reliable: number;
  unreliable: number;
  group: number;
  order: number;
}

/** Queues command `n` of a deterministic mix: every 7th an object (a fragment), the rest data rows. */
function queueOne(q: OutgoingQueue, n: number, buffers: Uint8Array[]): Expected {
  const buffer = buffers[Math.floor(n / 5) % buffers.length]!; // runs of 5 rows share a buffer
  if (n % 7 === 3) {
    const object = new OutgoingCommand(null, ProtocolCommand.SEND_FRAGMENT, COMMAND_FLAG_ACKNOWLEDGE, 1, buffer, 0, { data: buffer, flags: 1 }, 8, 16);
    object.order = n;
    q.push(object);
    return { object, type: ProtocolCommand.SEND_FRAGMENT, flags: COMMAND_FLAG_ACKNOWLEDGE, channelID: 1, buffer, offset: 0, length: 16, reliable: 0, unreliable: 0, group: 0, order: n };
  }
  const kinds = [
    [ProtocolCommand.SEND_RELIABLE, COMMAND_FLAG_ACKNOWLEDGE],
    [ProtocolCommand.SEND_UNRELIABLE, 0],
    [ProtocolCommand.SEND_UNSEQUENCED, COMMAND_FLAG_UNSEQUENCED],
  ] as const;
  const [type, flags] = kinds[n % 3]!;
  const e: Expected = {
    type, flags, channelID: n % 255, buffer, offset: (n * 8) % 4096, length: n % 1400,
    reliable: (n * 3) & 0xffff, unreliable: type === ProtocolCommand.SEND_UNRELIABLE ? (n * 5) & 0xffff : 0,
    group: type === ProtocolCommand.SEND_UNSEQUENCED ? (n * 11) & 0xffff : 0,
    // Orders beyond 2^32 must survive (a long-lived peer).
    order: 2 ** 32 + n * 2,
  };
  q.pushData(e.type, e.channelID, e.buffer, e.offset, e.length, e.reliable, e.unreliable, e.group, e.order);
  return e;
}

function check(c: OutgoingCommand | undefined, e: Expected, what: string): void {
  assert.ok(c, what);
  if (e.object) return assert.equal(c, e.object, `${what}: the very object queued`);
  assert.deepEqual(
    [c.command, c.type, c.flags, c.channelID, c.dataOffset, c.fragmentOffset, c.fragmentLength, c.reliableSequenceNumber,
      c.unreliableSequenceNumber, c.unsequencedGroup, c.order, c.sendAttempts, c.sentTime, c.roundTripTimeout],
    [null, e.type, e.flags, e.channelID, e.offset, 0, e.length, e.reliable, e.unreliable, e.group, e.order, 0, 0, 0],
    what,
  );
  assert.equal(c.dataBuffer, e.buffer, `${what}: payload buffer`);
  assert.equal(c.packet, WHOLE_PACKET, `${what}: a whole-packet data command`);
}

test('commands come out in queue order with the fields they went in with (rows and objects mixed)', () => {
  const q = new OutgoingQueue();
  const buffers = [new Uint8Array(8), new Uint8Array(8), new Uint8Array(8)];
  const expected: Expected[] = [];
  for (let n = 0; n < 1000; n++) expected.push(queueOne(q, n, buffers));
  assert.equal(q.length, 1000);
  for (let n = 0; n < 1000; n++) check(q.shift(), expected[n]!, `command ${n}`);
  assert.ok(q.isEmpty());
  assert.equal(q.peek(), undefined);
  assert.equal(q.shift(), undefined);
});

test('peek() makes the front command once: the same object until shifted', () => {
  const q = new OutgoingQueue();
  const buffer = new Uint8Array(8);
  q.pushData(ProtocolCommand.SEND_RELIABLE, 0, buffer, 0, 8, 1, 0, 0, 0);
  q.pushData(ProtocolCommand.SEND_RELIABLE, 0, buffer, 8, 8, 2, 0, 0, 1);
  const front = q.peek();
  assert.equal(q.peek(), front, 'the send loop may look at the front several times (window full, datagram full)');
  front!.sendAttempts = 1; // state set on it is kept
  assert.equal(q.shift(), front);
  assert.equal(front!.sendAttempts, 1);
  assert.equal(q.peek()!.reliableSequenceNumber, 2);
});

test('interleaved push and shift: wrap-around and growth keep order and payloads', () => {
  const q = new OutgoingQueue();
  const buffers = Array.from({ length: 4 }, () => new Uint8Array(8));
  const waiting: Expected[] = [];
  let pushed = 0;
  let shifted = 0;
  // Waves of growing length, each shifted only partly: the ring wraps, then grows while wrapped.
  for (let wave = 1; wave <= 12; wave++) {
    for (let k = 0; k < wave * 37; k++) waiting.push(queueOne(q, pushed++, buffers));
    for (let k = 0; k < wave * 23; k++) check(q.shift(), waiting.shift()!, `command ${shifted++}`);
    assert.equal(q.length, waiting.length);
  }
  while (waiting.length > 0) check(q.shift(), waiting.shift()!, `command ${shifted++}`);
  assert.ok(q.isEmpty());
  // A drained queue starts afresh: a buffer used before is still found.
  q.pushData(ProtocolCommand.SEND_UNRELIABLE, 2, buffers[0]!, 16, 4, 3, 9, 0, 7);
  assert.equal(q.shift()!.dataBuffer, buffers[0]);
});

test('clear() drops everything; the queue is usable again', () => {
  const q = new OutgoingQueue();
  const buffers = [new Uint8Array(8)];
  for (let n = 0; n < 100; n++) queueOne(q, n, buffers);
  q.peek();
  q.clear();
  assert.equal(q.length, 0);
  assert.equal(q.peek(), undefined);
  const e = queueOne(q, 1, buffers);
  check(q.shift(), e, 'after clear');
});

test('rows come out through two reused views, in turn: the shifted one stays intact while the next front is made; objects come out as themselves', () => {
  const q = new OutgoingQueue();
  const buffers = [new Uint8Array(8), new Uint8Array(8)];
  q.pushData(ProtocolCommand.SEND_RELIABLE, 3, buffers[0]!, 8, 8, 41, 0, 0, 5);
  const e1 = queueOne(q, 1, buffers); // a SEND_UNRELIABLE row
  const first = q.shift()!;
  assert.equal(first.isRowView, true);
  // What the send loop does to a command it sends (a view's fields are only read afterwards).
  first.sendAttempts = 1;
  first.sentTime = 1234;
  first.roundTripTimeout = 200;
  first.roundTripTimeoutLimit = 6400;
  const next = q.peek()!;
  assert.notEqual(next, first, 'the next front is the other view');
  assert.deepEqual([first.channelID, first.reliableSequenceNumber, first.dataOffset, first.sentTime], [3, 41, 8, 1234], 'the shifted view is untouched');
  check(q.shift(), e1, 'second row, engine fields fresh');
  const e2 = queueOne(q, 2, buffers);
  const third = q.shift()!;
  assert.equal(third, first, 'views are reused in turn: nothing allocated per row');
  check(third, e2, 'the reused view carries the new row only (sendAttempts, sentTime, timeouts reset)');
  const fragment = queueOne(q, 3, buffers); // every 7th from 3: an object
  const out = q.shift()!;
  assert.equal(out, fragment.object, 'an object queued as such');
  assert.equal(out.isRowView, false);
});
