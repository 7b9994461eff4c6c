/**
 * ReliableIndex: the per-channel rings that find a sent reliable command's entry (a number in
 * the sent queue) by (channel, sequence number) when its acknowledgement comes. Checked against a Map model under the engine's
 * usage (first sends in sequence order, acknowledgements in any order, numbers wrapping at
 * 2^16), including spans that force the ring to grow.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReliableIndex } from '../../src/enet/reliable-index.js';

/** Distinct entry numbers, growing like the sent queue's (past 2^32, as on a long-lived peer). */
let nextEntry = 2 ** 32 - 5;
function entry(): number {
  return nextEntry++;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

test('matches a Map model: in-order sends, random-order acknowledgements, wrap, growth', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const random = rng(seed);
    const index = new ReliableIndex();
    const model = new Map<number, number>();
    const channels = [0, 1, 7, 0xff];
    // Each channel starts near the wrap so most runs cross 65535 → 0.
    const next = new Map(channels.map((ch) => [ch, (65536 - 300 + Math.floor(random() * 200)) & 0xffff]));
    const key = (ch: number, seq: number): number => ch * 0x10000 + seq;
    // Per channel, the numbers sent, oldest first (acknowledged ones are skipped when read).
    const sent = new Map<number, number[]>(channels.map((ch) => [ch, []]));
    const oldest = (ch: number): number | undefined => {
      const list = sent.get(ch)!;
      while (list.length > 0 && !model.has(key(ch, list[0]!))) list.shift();
      return list[0];
    };
    for (let step = 0; step < 20_000; step++) {
      const ch = channels[Math.floor(random() * channels.length)]!;
      const r = random();
      if (r < 0.5 || model.size === 0) {
        // A burst now and then makes spans of thousands (growth past the initial ring).
        const n = random() < 0.005 ? 2000 : 1;
        for (let i = 0; i < n; i++) {
          const seq = next.get(ch)!;
          next.set(ch, (seq + 1) & 0xffff);
          const c = entry();
          index.set(ch, seq, c);
          model.set(key(ch, seq), c);
          sent.get(ch)!.push(seq);
        }
      } else {
        // Acknowledge: mostly the oldest of a channel, else a recent or an arbitrary number.
        const list = sent.get(ch)!;
        const first = oldest(ch);
        let seq: number;
        if (first !== undefined && r < 0.8) seq = first;
        else if (list.length > 0 && r < 0.95) seq = list[Math.floor(random() * list.length)]!;
        else seq = Math.floor(random() * 0x10000);
        const expected = model.get(key(ch, seq)) ?? -1;
        assert.equal(index.get(ch, seq), expected, `get ${ch}/${seq}`);
        assert.equal(index.delete(ch, seq), expected, `delete ${ch}/${seq}`);
        model.delete(key(ch, seq));
        assert.equal(index.get(ch, seq), -1);
      }
      if (step % 5000 === 0) assert.deepEqual(new Set(index.values()), new Set(model.values()), `contents at ${step}`);
    }
    assert.deepEqual(new Set(index.values()), new Set(model.values()));
    for (const [k, c] of model) assert.equal(index.get(Math.floor(k / 0x10000), k & 0xffff), c);
  }
});

test('absent channels, numbers outside the span, and clear()', () => {
  const index = new ReliableIndex();
  assert.equal(index.get(3, 10), -1);
  assert.equal(index.delete(3, 10), -1);
  const a = entry();
  const b = entry();
  index.set(3, 10, a);
  index.set(3, 12, b);
  assert.equal(index.get(3, 11), -1, 'a gap');
  assert.equal(index.get(3, 13), -1, 'past the newest');
  assert.equal(index.get(3, 9), -1, 'before the oldest');
  assert.equal(index.get(4, 10), -1, 'another channel');
  assert.equal(index.delete(3, 10), a);
  assert.equal(index.get(3, 12), b, 'the base moved past the gap');
  index.clear();
  assert.equal(index.get(3, 12), -1);
  assert.deepEqual([...index.values()], []);
});

test('a span of every 16-bit number still answers exactly', () => {
  const index = new ReliableIndex();
  const cs: Array<{ seq: number; e: number }> = [];
  for (let n = 0; n < 0x10000; n++) {
    const c = { seq: (n + 40_000) & 0xffff, e: entry() };
    cs.push(c);
    index.set(0, c.seq, c.e);
  }
  for (let i = cs.length - 1; i >= 0; i -= 3) assert.equal(index.delete(0, cs[i]!.seq), cs[i]!.e);
  for (let i = 0; i < cs.length; i++) {
    assert.equal(index.get(0, cs[i]!.seq), (cs.length - 1 - i) % 3 === 0 ? -1 : cs[i]!.e);
  }
});
