/**
 * src/enet/sent-queue.ts: reliable commands in flight, in send order — rows (plain messages)
 * and objects (fragments, connection-level commands, resends) mixed. Checked against a plain
 * array model: order of the live entries, lookup and removal of rows by (channel, sequence),
 * removal of objects, a row taken out as an object with its fields, the front's deadline,
 * growth, 16-bit sequence wrap, and clear().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutgoingCommand, WHOLE_PACKET } from '../../src/enet/outgoing-command.js';
import { COMMAND_FLAG_ACKNOWLEDGE, ProtocolCommand } from '../../src/enet/protocol.js';
import { SentQueue } from '../../src/enet/sent-queue.js';

interface ModelEntry {
  row: boolean;
  channelID: number;
  seq: number;
  sentTime: number;
  timeout: number;
  limit: number;
  order: number;
  buffer: Uint8Array;
  offset: number;
  length: number;
  object?: OutgoingCommand;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** A send-loop view of a row, as OutgoingQueue hands it out (one object, reused). */
const view = new OutgoingCommand(null, ProtocolCommand.SEND_RELIABLE, COMMAND_FLAG_ACKNOWLEDGE, 0, null, 0, WHOLE_PACKET, 0, 0);
view.isRowView = true;

function pushRow(q: SentQueue, e: ModelEntry): void {
  Object.assign(view, {
    channelID: e.channelID, reliableSequenceNumber: e.seq, sentTime: e.sentTime, roundTripTimeout: e.timeout,
    roundTripTimeoutLimit: e.limit, order: e.order, dataBuffer: e.buffer, dataOffset: e.offset, fragmentLength: e.length, sendAttempts: 1,
  });
  q.pushRow(view);
}

function pushObject(q: SentQueue, e: ModelEntry): void {
  const c = new OutgoingCommand(null, ProtocolCommand.SEND_FRAGMENT, COMMAND_FLAG_ACKNOWLEDGE, e.channelID, e.buffer, 0, { data: e.buffer, flags: 1 }, 0, e.length);
  c.reliableSequenceNumber = e.seq;
  c.sentTime = e.sentTime;
  c.roundTripTimeout = e.timeout;
  e.object = c;
  q.pushObject(c);
}

function checkAgainst(q: SentQueue, model: ModelEntry[], what: string): void {
  assert.equal(q.length, model.length, `${what}: length`);
  assert.deepEqual(q.liveKeys(), model.map((m) => [m.channelID, m.seq]), `${what}: live entries in send order`);
  const front = model[0];
  assert.equal(q.frontDeadline(), front ? (front.sentTime + front.timeout) >>> 0 : 0, `${what}: front deadline`);
  // Walking by entry numbers sees the same entries, objects as themselves.
  let k = 0;
  for (let e = q.firstEntry(); e >= 0; e = q.nextEntry(e), k++) {
    const m = model[k]!;
    if (m.row) {
      assert.equal(q.objectAt(e), null);
      assert.deepEqual([q.rowSentTime(e), q.rowTimeout(e), q.rowTimeoutLimit(e)], [m.sentTime, m.timeout, m.limit], `${what}: row ${k}`);
    } else {
      assert.equal(q.objectAt(e), m.object, `${what}: object ${k}`);
    }
  }
  assert.equal(k, model.length);
}

test('matches an array model: rows and objects in send order, removals in any order, rows taken as objects, growth and wrap', () => {
  for (const seed of [1, 2, 3, 4]) {
    const random = rng(seed);
    const q = new SentQueue();
    const model: ModelEntry[] = [];
    const buffers = [new Uint8Array(64), new Uint8Array(64), new Uint8Array(4096)];
    const channels = [0, 1, 5];
    // Each channel starts near the 16-bit wrap.
    const nextSeq = new Map(channels.map((c) => [c, 0xffff - 40 - c]));
    let time = 0xffff_ff00; // sent times wrap too
    for (let step = 0; step < 6000; step++) {
      const r = random();
      if (r < 0.55 || model.length === 0) {
        const channelID = channels[Math.floor(random() * channels.length)]!;
        const seq = nextSeq.get(channelID)!;
        nextSeq.set(channelID, (seq + 1) & 0xffff);
        time = (time + Math.floor(random() * 3)) >>> 0;
        const e: ModelEntry = {
          row: random() < 0.85, channelID, seq, sentTime: time, timeout: 10 + Math.floor(random() * 500), limit: 32 * 500,
          order: 2 ** 33 + step, buffer: buffers[Math.floor(random() * buffers.length)]!, offset: Math.floor(random() * 4000), length: Math.floor(random() * 1400),
        };
        if (e.row) pushRow(q, e);
        else pushObject(q, e);
        model.push(e);
      } else {
        // Mostly the oldest (acknowledgements arrive in order), sometimes any.
        const i = random() < 0.6 ? 0 : Math.floor(random() * model.length);
        const m = model[i]!;
        if (m.row && random() < 0.1) {
          // A timeout: the row leaves as an object carrying its fields.
          let e = q.firstEntry();
          for (let k = 0; k < i; k++) e = q.nextEntry(e);
          const c = q.takeRowAsObject(e);
          assert.deepEqual(
            [c.type, c.channelID, c.reliableSequenceNumber, c.sentTime, c.roundTripTimeout, c.roundTripTimeoutLimit, c.order, c.dataBuffer, c.dataOffset, c.fragmentLength, c.sendAttempts, c.packet],
            [ProtocolCommand.SEND_RELIABLE, m.channelID, m.seq, m.sentTime, m.timeout, m.limit, m.order, m.buffer, m.offset, m.length, 1, WHOLE_PACKET],
          );
          assert.equal(q.removeRow(m.channelID, m.seq), -1, 'no longer a row');
        } else if (m.row) {
          assert.equal(q.removeRow(m.channelID, m.seq), m.length, 'removed, with its payload length');
          assert.equal(q.removeRow(m.channelID, m.seq), -1, 'only once');
        } else {
          q.removeObject(m.object!);
          assert.equal(m.object!.inSentList, false);
          q.removeObject(m.object!); // a second removal changes nothing
        }
        model.splice(i, 1);
      }
      if (step % 97 === 0) checkAgainst(q, model, `seed ${seed}, step ${step}`);
    }
    checkAgainst(q, model, `seed ${seed}, end`);
    // Rows never sent or already gone are not found; rowInfo reads live rows only.
    assert.equal(q.removeRow(9, 1), -1);
    const live = model.find((m) => m.row);
    if (live) assert.deepEqual(q.rowInfo(live.channelID, live.seq)?.sentTime, live.sentTime);
    const objects = model.filter((m) => !m.row).map((m) => m.object!);
    q.clear();
    assert.equal(q.length, 0);
    assert.equal(q.firstEntry(), -1);
    assert.ok(objects.every((c) => !c.inSentList), 'clear() takes the objects out');
    if (live) assert.equal(q.rowInfo(live.channelID, live.seq), undefined);
    // Usable again after clear().
    const e: ModelEntry = { row: true, channelID: 2, seq: 7, sentTime: 5, timeout: 9, limit: 99, order: 1, buffer: buffers[0]!, offset: 0, length: 3 };
    pushRow(q, e);
    checkAgainst(q, [e], 'after clear');
  }
});

test('thousands of rows in flight on one channel, acknowledged in random order: each found once (table growth, wrap)', () => {
  const random = rng(7);
  const q = new SentQueue();
  const buffer = new Uint8Array(16);
  const N = 5000;
  const entries: ModelEntry[] = [];
  for (let n = 0; n < N; n++) {
    const e: ModelEntry = { row: true, channelID: 3, seq: (65_000 + n) & 0xffff, sentTime: n, timeout: 100, limit: 3200, order: n, buffer, offset: 0, length: n % 1000 };
    pushRow(q, e);
    entries.push(e);
    // Now and then an acknowledgement arrives out of order, while the table is still growing.
    if (n % 50 === 49) {
      const i = Math.floor(random() * entries.length);
      const [gone] = entries.splice(i, 1);
      assert.equal(q.removeRow(3, gone!.seq), gone!.length);
    }
  }
  // 5000 consecutive numbers in flight need 8192 slots, no more (each growth doubles once).
  assert.equal(q.removeRow(3, entries[entries.length - 1]!.seq), entries.pop()!.length, 'the newest, out of order');
  assert.ok(q.tableSlots(3) <= 8192, `table of ${q.tableSlots(3)} slots`);
  for (let left = entries.length; left > 0; left--) {
    const i = Math.floor(random() * left);
    const [gone] = entries.splice(i, 1);
    assert.equal(q.removeRow(3, gone!.seq), gone!.length, `seq ${gone!.seq}`);
    assert.equal(q.removeRow(3, gone!.seq), -1);
  }
  assert.equal(q.length, 0);
  assert.equal(q.removeRow(3, 65_000), -1);
});
