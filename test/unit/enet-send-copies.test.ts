/**
 * Host.sendCopies: when the `send` callback copies each datagram before returning (a batched
 * socket), datagrams are assembled in one reused buffer; otherwise each is a fresh buffer the
 * callback may keep. Either way the bytes on the wire are the same.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Host } from '../../src/enet/host.js';
import { RangeCoder } from '../../src/enet/range-coder.js';
import { EventType, PacketFlag, PeerState, type Address } from '../../src/enet/types.js';

const A: Address = { address: '10.0.0.1', port: 1 };
const B: Address = { address: '10.0.0.2', port: 2 };

function seeded(n: number): { u32(): number } {
  let s = n;
  return { u32: () => (s = (s * 1103515245 + 12345) >>> 0) };
}

interface Run { wire: Uint8Array[]; buffers: Set<number>; places: Set<string>; received: number[] }

/** Connects a → b and sends 200 reliable packets of varied size; records what a emitted. */
function run(sendCopies: boolean, extras = false): Run {
  const opts = extras ? { checksum: true } : {};
  const wire: Uint8Array[] = [];
  const places = new Set<string>();
  const buffers = new Set<number>();
  const ids = new Map<ArrayBufferLike, number>();
  const toB: Uint8Array[] = [];
  const toA: Uint8Array[] = [];
  const a = new Host({
    random: seeded(1), peerCount: 1, ...opts, compressor: extras ? new RangeCoder() : null,
    send: (data) => {
      if (!ids.has(data.buffer)) ids.set(data.buffer, ids.size);
      places.add(`${ids.get(data.buffer)}@${data.byteOffset}`);
      buffers.add(ids.get(data.buffer) ?? -1);
      // A copying sink: what it keeps is its own copy, taken before send returns.
      wire.push(data.slice());
      toB.push(data.slice());
    },
  });
  a.sendCopies = sendCopies;
  const b = new Host({ random: seeded(2), peerCount: 1, ...opts, compressor: extras ? new RangeCoder() : null, send: (data) => toA.push(data.slice()) });
  const received: number[] = [];
  const peer = a.connect(B, 2, 0)!;
  const step = (t: number): void => {
    while (a.service(t));
    for (const d of toB.splice(0)) b.receive(d, A);
    for (let e = b.service(t); e; e = b.service(t)) {
      if (e.type === EventType.RECEIVE) received.push(e.packet.data.length);
    }
    for (const d of toA.splice(0)) a.receive(d, B);
  };
  for (let t = 1; t < 50 && peer.state !== PeerState.CONNECTED; t++) step(t);
  assert.equal(peer.state, PeerState.CONNECTED);
  // Half compressible (runs), half not (a pseudo-random fill), so both frames get used.
  for (let i = 0; i < 200; i++) {
    const p = new Uint8Array(1 + ((i * 37) % 900)).fill(i & 255);
    if (i % 2) for (let k = 0; k < p.length; k++) p[k] = (k * 2654435761 + i) >>> 24;
    peer.send(i % 2, p, PacketFlag.RELIABLE);
  }
  for (let t = 50; t < 150 && received.length < 200; t++) step(t);
  return { wire, buffers, places, received };
}

for (const extras of [false, true]) test(`sendCopies${extras ? ' (checksum, range coder)' : ''}: one reused buffer, the same bytes on the wire, everything delivered`, () => {
  const fresh = run(false, extras);
  const reused = run(true, extras);
  assert.equal(reused.received.length, 200);
  assert.deepEqual(reused.received, fresh.received);
  assert.deepEqual(reused.wire, fresh.wire, 'identical datagrams either way');
  assert.ok(fresh.wire.length > 10);
  // Every datagram is assembled in the same buffer (its header right before the commands, at
  // one of the few header sizes); fresh ones each have a place of their own.
  assert.equal(reused.buffers.size, extras ? 2 : 1, 'the commands\' frame (and the compressed one)');
  assert.ok(reused.places.size <= 4, [...reused.places].join(' '));
  assert.ok(fresh.places.size > 10, `fresh: ${fresh.places.size} places`);
});

test('without sendCopies each datagram is a buffer of its own the sink may keep', () => {
  const kept: Uint8Array[] = [];
  const copies: Uint8Array[] = [];
  const a = new Host({ random: seeded(1), peerCount: 1, send: (d) => { kept.push(d); copies.push(d.slice()); } });
  const peer = a.connect(B, 2, 0)!;
  for (let t = 1; t < 5; t++) while (a.service(t));
  assert.ok(peer.state !== PeerState.DISCONNECTED);
  assert.ok(kept.length >= 1);
  assert.deepEqual(kept, copies, 'nothing emitted earlier was overwritten');
});
