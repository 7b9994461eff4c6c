/**
 * native/record_io.c on its own (no sockets): sessionRecvInto decrypts a batch of datagrams
 * in place and reports the records in a table; sessionSendInto encrypts into a caller's
 * buffer. Hostile datagrams inside a batch, several records per datagram, a table too small
 * for the batch, records OpenSSL held back (the spill), close_notify mid-batch, and the
 * argument checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadNative, type NativeAddon, type NativeSession } from '../../src/core/crypto/native.js';
import { PEER_A, clientCtx, handshake, keyAndCert, requireNative, serverCtx } from '../helpers/dtls.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const TABLE_HEAD = 4;

interface Rec { where: number; offset: number; text: string; view: Uint8Array }

/** One sessionRecvInto call: its table decoded, each record as a view where the table says. */
function recvInto(n: NativeAddon, s: NativeSession, batch: Uint8Array[], table = new Int32Array(TABLE_HEAD + 3 * 64)):
  { status: number; taken: number; queuedOut: number; records: Rec[]; spill: Uint8Array | undefined } {
  const spill = n.sessionRecvInto(s, batch, batch.length, table);
  const records: Rec[] = [];
  for (let i = 0; i < (table[1] ?? 0); i++) {
    const [where = 0, offset = 0, len = 0] = table.subarray(TABLE_HEAD + 3 * i, TABLE_HEAD + 3 * i + 3);
    const src = where >= 0 ? batch[where] : spill;
    assert.ok(src, `record ${i}: datagram ${where} exists`);
    assert.ok(offset + len <= src.length, `record ${i} lies inside its buffer`);
    const view = new Uint8Array(src.buffer, src.byteOffset + offset, len);
    records.push({ where, offset, text: dec(view), view });
  }
  return { status: table[0] ?? 99, taken: table[2] ?? -1, queuedOut: table[3] ?? -1, records, spill };
}

function connected(n: NativeAddon, suite?: string): { client: NativeSession; server: NativeSession } {
  const kc = keyAndCert('p256');
  const cctx = suite ? n.createContext(false, null, null, kc.cert.saveToString(), true, null, suite) : clientCtx(n, kc);
  const p = handshake(n, serverCtx(n, kc), cctx, 'myserver');
  assert.equal(p.result, 1);
  if (suite) assert.equal(n.sessionInfo(p.server).cipher, suite);
  return { client: p.client, server: p.server };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  parts.reduce((at, p) => { out.set(p, at); return at + p.length; }, 0);
  return out;
}

/** The client's datagram for `text` (sessionSend's copy, a fresh buffer). */
function record(n: NativeAddon, client: NativeSession, text: string): Uint8Array {
  const d = n.sessionSend(client, enc(text));
  assert.ok(d instanceof Uint8Array);
  return d;
}

test('a bad datagram in the middle of a batch: the genuine records come out in order, in place; the session lives on', (t) => {
  if (!requireNative(t)) return;
  const n = loadNative() as NativeAddon;
  for (const suite of ['ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-ECDSA-AES128-SHA']) {
    const { client, server } = connected(n, suite);
    const g = ['one', 'two', 'three', 'four'].map((m) => record(n, client, m));
    const [g1, g2, g3, g4] = g as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const replay = Uint8Array.from(g1);
    const flipped = Uint8Array.from(g3);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 1;
    const short = Uint8Array.from(g2.subarray(0, 13 + 4)); // a record header claiming 4 bytes: too short for any suite
    short[11] = 0;
    short[12] = 4;
    const batch = [g1, enc('garbage garbage garbage'), g2, short, flipped, g3, g4.subarray(0, g4.length - 3), replay, g4];
    const r = recvInto(n, server, batch);
    assert.equal(r.status, 0, `${suite}: ${n.sessionError(server).reason}`);
    assert.equal(r.taken, batch.length);
    assert.deepEqual(r.records.map((x) => x.text), ['one', 'two', 'three', 'four'], suite);
    assert.deepEqual(r.records.map((x) => x.where), [0, 2, 5, 8], `${suite}: each in the datagram that carried it`);
    assert.equal(r.spill, undefined, 'nothing spilled');
    for (const x of r.records) {
      assert.equal(x.offset, 0);
      assert.equal(x.view.buffer, batch[x.where]?.buffer, 'a view of the datagram, not a copy');
    }
    // The session survived: the next batch is read, and answers go out.
    const after = recvInto(n, server, [record(n, client, 'five')]);
    assert.deepEqual(after.records.map((x) => x.text), ['five']);
    const back = n.sessionSend(server, enc('reply'));
    assert.ok(back instanceof Uint8Array);
    assert.deepEqual(recvInto(n, client, [back]).records.map((x) => x.text), ['reply']);
  }
});

test('several records in one datagram land back to back in it; a table too small → the rest on the next calls', (t) => {
  if (!requireNative(t)) return;
  const n = loadNative() as NativeAddon;
  const { client, server } = connected(n);
  const whole = recvInto(n, server, [concat(['alpha', 'beta', 'gamma'].map((m) => record(n, client, m)))]);
  assert.deepEqual(whole.records.map((x) => [x.text, x.where, x.offset]), [['alpha', 0, 0], ['beta', 0, 5], ['gamma', 0, 9]]);

  // A table for one record: each call stops when it is full; nothing is lost or repeated.
  const three = concat(['a1', 'a2', 'a3'].map((m) => record(n, client, m)));
  const tail = record(n, client, 'b');
  const tiny = new Int32Array(TABLE_HEAD + 3);
  let pending = [three, tail];
  const got: string[] = [];
  const spilled: string[] = [];
  for (let calls = 0; pending.length > 0 || calls === 0; calls++) {
    assert.ok(calls < 10, 'progress');
    const r = recvInto(n, server, pending, tiny);
    assert.equal(r.status, 0);
    assert.ok(r.records.length <= 1);
    for (const x of r.records) {
      got.push(x.text);
      if (x.where < 0) spilled.push(x.text);
    }
    pending = pending.slice(r.taken);
  }
  assert.deepEqual(got, ['a1', 'a2', 'a3', 'b']);
  // a2 and a3 were still inside OpenSSL when the next call lent it `tail`: not in place there.
  assert.deepEqual(spilled, ['a2', 'a3']);
});

test('count 0 reads what OpenSSL holds (datagrams fed earlier) into the spill; queued datagrams are never in place', (t) => {
  if (!requireNative(t)) return;
  const n = loadNative() as NativeAddon;
  const { client, server } = connected(n);
  assert.equal(n.sessionFeed(server, record(n, client, 'fed earlier')), true);
  const only = recvInto(n, server, []);
  assert.equal(only.status, 0);
  assert.deepEqual(only.records.map((x) => [x.text, x.where]), [['fed earlier', -1]]);
  assert.ok(only.spill instanceof Uint8Array);

  // With an older datagram queued, a new one is queued behind it (not lent): both spill.
  n.sessionFeed(server, record(n, client, 'older'));
  const newer = record(n, client, 'newer');
  const copy = Uint8Array.from(newer);
  const r = recvInto(n, server, [newer]);
  assert.deepEqual(r.records.map((x) => [x.text, x.where]), [['older', -1], ['newer', -1]]);
  assert.deepEqual(newer, copy, 'a datagram that was not lent is left as it was');
  assert.deepEqual(recvInto(n, server, []).records, [], 'nothing left');
});

test('close_notify in the middle of a batch: the records before it, status 1, the rest not taken', (t) => {
  if (!requireNative(t)) return;
  const n = loadNative() as NativeAddon;
  const { client, server } = connected(n);
  const before = record(n, client, 'before');
  assert.ok(n.sessionShutdown(client) >= 0);
  const [notify] = n.sessionDrain(client);
  assert.ok(notify);
  const r = recvInto(n, server, [before, notify, enc('never read')]);
  assert.equal(r.status, 1);
  assert.equal(r.taken, 2);
  assert.deepEqual(r.records.map((x) => x.text), ['before']);
});

test('the server\'s last flight was lost: the connected server answers the client\'s retransmission (reported in table[3])', async (t) => {
  if (!requireNative(t)) return;
  const n = loadNative() as NativeAddon;
  const kc = keyAndCert('p256');
  const sctx = serverCtx(n, kc);
  const client = n.sessionNew(clientCtx(n, kc), 'myserver', 'myserver', 1400, 1, null); // 1 ms first retransmission
  assert.equal(n.sessionHandshake(client), 0);
  const first = n.sessionNew(sctx, null, null, 1400, 1000, PEER_A);
  for (const d of n.sessionDrain(client)) n.sessionFeed(first, d);
  assert.equal(n.sessionListen(first, 5), 0);
  for (const d of n.sessionDrain(first)) n.sessionFeed(client, d);
  n.sessionFree(first);
  assert.equal(n.sessionHandshake(client), 0);
  const server = n.sessionNew(sctx, null, null, 1400, 1000, PEER_A);
  for (const d of n.sessionDrain(client)) n.sessionFeed(server, d);
  assert.equal(n.sessionListen(server, 5), 1);
  let done = 0;
  for (let i = 0; i < 20 && done !== 1; i++) {
    done = n.sessionHandshake(server);
    const flight = n.sessionDrain(server);
    if (done === 1) break; // the server's last flight (ChangeCipherSpec, Finished) is lost
    for (const d of flight) n.sessionFeed(client, d);
    assert.equal(n.sessionHandshake(client), 0, n.sessionError(client).reason);
    for (const d of n.sessionDrain(client)) n.sessionFeed(server, d);
  }
  assert.equal(done, 1, 'the server is connected');
  // The client, still waiting for the server's Finished, retransmits its last flight.
  let again: Uint8Array[] = [];
  for (let i = 0; i < 200 && again.length === 0; i++) {
    await sleep(5);
    assert.notEqual(n.sessionHandleTimeout(client), -1);
    again = n.sessionDrain(client);
  }
  assert.ok(again.length > 0, 'the client retransmitted');
  const r = recvInto(n, server, again);
  assert.equal(r.status, 0, n.sessionError(server).reason);
  assert.deepEqual(r.records, []);
  assert.ok(r.queuedOut > 0, 'the server wrote its last flight again');
  assert.equal(r.queuedOut, n.sessionPending(server));
  for (const d of n.sessionDrain(server)) n.sessionFeed(client, d);
  assert.equal(n.sessionHandshake(client), 1, n.sessionError(client).reason);
  assert.deepEqual(recvInto(n, server, [record(n, client, 'connected')]).records.map((x) => x.text), ['connected']);
});

test('sessionSendInto: the datagram at the offset and nothing else written; no room → -2 and sessionDrain has it', (t) => {
  if (!requireNative(t)) return;
  const n = loadNative() as NativeAddon;
  const { client, server } = connected(n);
  const out = new Uint8Array(2000).fill(0xee);
  const len = n.sessionSendInto(client, enc('hello'), out, 100);
  assert.ok(len > 5 + 13, `length ${len}`);
  assert.ok(out.subarray(0, 100).every((b) => b === 0xee), 'bytes before the offset untouched');
  assert.ok(out.subarray(100 + len).every((b) => b === 0xee), 'bytes after the datagram untouched');
  assert.equal(n.sessionPending(client), 0);
  assert.deepEqual(recvInto(n, server, [out.slice(100, 100 + len)]).records.map((x) => x.text), ['hello']);

  const small = new Uint8Array(10);
  assert.equal(n.sessionSendInto(client, enc('does not fit'), small, 0), -2);
  assert.ok(small.every((b) => b === 0), 'nothing written into a buffer too small');
  const queued = n.sessionDrain(client);
  assert.equal(queued.length, 1);
  assert.deepEqual(recvInto(n, server, queued).records.map((x) => x.text), ['does not fit']);
  assert.equal(n.sessionSendInto(client, new Uint8Array(0), out, 0), 0, 'an empty packet writes nothing');
  assert.equal(n.sessionSendInto(client, enc('at the very end'), out, out.length), -2, 'no room at all');
  assert.deepEqual(recvInto(n, server, n.sessionDrain(client)).records.map((x) => x.text), ['at the very end']);
});

test('argument checks: a bad table, offset or datagram throws GDWIRE_DTLS_ARGS; a freed session GDWIRE_DTLS_FREED', (t) => {
  if (!requireNative(t)) return;
  const n = loadNative() as NativeAddon;
  const { client, server } = connected(n);
  const code = (c: string) => (e: unknown): boolean => (e as { code?: string }).code === c;
  assert.throws(() => n.sessionRecvInto(server, [], 0, new Int32Array(6)), code('GDWIRE_DTLS_ARGS'));
  assert.throws(() => n.sessionRecvInto(server, [], 0, new Uint32Array(16) as unknown as Int32Array), code('GDWIRE_DTLS_ARGS'));
  assert.throws(() => n.sessionRecvInto(server, ['x' as unknown as Uint8Array], 1, new Int32Array(16)), code('GDWIRE_DTLS_ARGS'));
  assert.throws(() => n.sessionSendInto(client, enc('x'), new Uint8Array(4), 5), code('GDWIRE_DTLS_ARGS'));
  assert.throws(() => n.sessionSendInto(client, enc('x'), 'out' as unknown as Uint8Array, 0), code('GDWIRE_DTLS_ARGS'));
  // The session is still usable after every refusal.
  const d = n.sessionSend(client, enc('fine'));
  assert.ok(d instanceof Uint8Array);
  assert.deepEqual(recvInto(n, server, [d]).records.map((x) => x.text), ['fine']);
  n.sessionFree(server);
  assert.throws(() => n.sessionRecvInto(server, [], 0, new Int32Array(16)), code('GDWIRE_DTLS_FREED'));
});
