/**
 * The native addon on its own (no sockets): datagram boundaries, fragmentation at the MTU,
 * stateless cookies, the retransmission timer, peer authentication, and the record layer's
 * handling of garbage, truncation, replays and close_notify.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadNative, type NativeAddon, type NativeSession } from '../../src/core/crypto/native.js';
import { Crypto } from '../../src/core/crypto/crypto.js';
import { PEER_A, PEER_B, clientCtx, handshake, keyAndCert, requireNative, serverCtx, type KeyAndCert } from '../helpers/dtls.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

test('handshake; one write = one datagram; records read back one per datagram', (t) => {
  if (!requireNative(t)) return;
  const n = loadNative() as NativeAddon;
  const kc = keyAndCert('p256');
  const p = handshake(n, serverCtx(n, kc), clientCtx(n, kc), 'myserver');
  assert.equal(p.result, 1);
  assert.equal(n.sessionInfo(p.client).version, 'DTLSv1.2');
  for (const m of ['one', 'two', 'three']) n.sessionWrite(p.client, enc(m));
  const out = n.sessionDrain(p.client);
  assert.equal(out.length, 3);
  for (const d of out) n.sessionFeed(p.server, d);
  const got: string[] = [];
  for (let r = n.sessionRead(p.server); r instanceof Uint8Array; r = n.sessionRead(p.server)) got.push(new TextDecoder().decode(r));
  assert.deepEqual(got, ['one', 'two', 'three']);
  assert.equal(n.sessionRead(p.server), 0);
  assert.equal(n.sessionTimeout(p.client), -1, 'no timer once established');
});

test('RSA-4096 flights are fragmented to the MTU and reassembled', (t) => {
  if (!requireNative(t)) return;
  const n = loadNative() as NativeAddon;
  const kc = keyAndCert('rsa4096');
  for (const mtu of [512, 1400]) {
    const p = handshake(n, serverCtx(n, kc), clientCtx(n, kc), 'myserver', mtu);
    assert.equal(p.result, 1, `mtu ${mtu}`);
    assert.ok(p.serverFlights.every((d) => d.length <= mtu), `every datagram ≤ ${mtu}`);
    const total = p.serverFlights.reduce((s, d) => s + d.length, 0);
    assert.ok(total > 1400 && p.serverFlights.length >= Math.ceil(total / mtu), `${p.serverFlights.length} datagrams, ${total} bytes`);
  }
});

test('cookies: bound to the peer id and to the current or previous epoch; none → no state', (t) => {
  if (!requireNative(t)) return;
  const n = loadNative() as NativeAddon;
  const kc = keyAndCert('p256');
  const sctx = serverCtx(n, kc);
  const cctx = clientCtx(n, kc);
  const retryFor = (epoch: number): Uint8Array => {
    const c = n.sessionNew(cctx, 'myserver', null, 1400, 1000, null);
    n.sessionHandshake(c);
    const s = n.sessionNew(sctx, null, null, 1400, 1000, PEER_A);
    for (const d of n.sessionDrain(c)) n.sessionFeed(s, d);
    assert.equal(n.sessionListen(s, epoch), 0);
    for (const d of n.sessionDrain(s)) n.sessionFeed(c, d);
    n.sessionHandshake(c);
    const retry = n.sessionDrain(c)[0];
    assert.ok(retry);
    return retry;
  };
  const listen = (retry: Uint8Array, peer: Uint8Array, epoch: number): { r: number; wrote: number } => {
    const s = n.sessionNew(sctx, null, null, 1400, 1000, peer);
    n.sessionFeed(s, retry);
    const r = n.sessionListen(s, epoch);
    const wrote = n.sessionDrain(s).length;
    n.sessionFree(s);
    return { r, wrote };
  };
  const retry = retryFor(10);
  assert.deepEqual(listen(retry, PEER_A, 10), { r: 1, wrote: 0 });
  assert.deepEqual(listen(retry, PEER_A, 11), { r: 1, wrote: 0 }, 'previous epoch still valid');
  assert.deepEqual(listen(retry, PEER_A, 12), { r: 0, wrote: 1 }, 'two epochs later: a new HelloVerifyRequest');
  assert.deepEqual(listen(retry, PEER_B, 10), { r: 0, wrote: 1 }, 'another address/port: rejected');
  assert.deepEqual(listen(retryFor(255), PEER_A, 0), { r: 1, wrote: 0 }, 'epoch wraps');
  assert.deepEqual(listen(enc('not a datagram of DTLS'), PEER_A, 10), { r: 0, wrote: 0 }, 'junk: dropped silently');
});

test('retransmission timer: reported to TypeScript, fires only once expired, then backs off', async (t) => {
  if (!requireNative(t)) return;
  const n = loadNative() as NativeAddon;
  const c = n.sessionNew(clientCtx(n, null), null, null, 1400, 200, null);
  assert.equal(n.sessionTimeout(c), -1, 'no timer before the first flight');
  n.sessionHandshake(c);
  const hello = n.sessionDrain(c);
  const t1 = n.sessionTimeout(c);
  assert.ok(t1 > 150 && t1 <= 200, `first interval ≈ 200 ms (${t1})`);
  assert.equal(n.sessionHandleTimeout(c), 0, 'not expired yet');
  assert.equal(n.sessionDrain(c).length, 0);
  await sleep(220);
  assert.equal(n.sessionHandleTimeout(c), 1);
  const again = n.sessionDrain(c);
  assert.equal(again.length, 1);
  assert.equal(again[0]?.length, hello[0]?.length, 'the ClientHello again');
  const t2 = n.sessionTimeout(c);
  assert.ok(t2 > 350 && t2 <= 400, `doubled (${t2})`);
});

test('an impostor (genuine certificate, another key) fails the signature check', (t) => {
  if (!requireNative(t)) return;
  const n = loadNative() as NativeAddon;
  // Two P-256 certificates with the same name and the same DER length: the impostor server
  // holds B's key; its Certificate message is rewritten on the wire to carry A's certificate.
  const crypto = new Crypto();
  const genuine = keyAndCert('p256');
  const der = (c: typeof genuine.cert): Uint8Array => c.getDer() ?? new Uint8Array();
  let impostor: KeyAndCert | null = null;
  for (let i = 0; i < 200 && !impostor; i++) {
    const key = crypto.generateEcdsa();
    const cert = key ? crypto.generateSelfSignedCertificate(key) : null;
    if (key && cert && der(cert).length === der(genuine.cert).length) impostor = { key, cert };
  }
  assert.ok(impostor, 'found a same-length certificate');
  const from = der(impostor.cert);
  const to = der(genuine.cert);
  let swapped = 0;
  const tamper = (d: Uint8Array): Uint8Array => {
    const at = Buffer.from(d).indexOf(Buffer.from(from));
    if (at < 0) return d;
    swapped++;
    const out = Uint8Array.from(d);
    out.set(to, at);
    return out;
  };
  const p = handshake(n, serverCtx(n, impostor), clientCtx(n, genuine), 'myserver', 1400, tamper);
  assert.equal(swapped, 1, 'the certificate was swapped on the wire');
  assert.equal(p.result, -1);
  assert.match(n.sessionError(p.client).reason, /bad signature|signature/i);
});

test('records: garbage, truncated and replayed datagrams are dropped; the session lives on; close_notify', (t) => {
  if (!requireNative(t)) return;
  const n = loadNative() as NativeAddon;
  const kc = keyAndCert('p256');
  const p = handshake(n, serverCtx(n, kc), clientCtx(n, kc), 'myserver');
  assert.equal(p.result, 1);
  n.sessionWrite(p.client, enc('first'));
  const [rec] = n.sessionDrain(p.client);
  assert.ok(rec);
  n.sessionFeed(p.server, enc('garbage garbage garbage garbage'));
  n.sessionFeed(p.server, rec.subarray(0, rec.length - 5)); // truncated
  const flipped = Uint8Array.from(rec);
  flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 0x80; // bad tag
  n.sessionFeed(p.server, flipped);
  n.sessionFeed(p.server, rec);
  n.sessionFeed(p.server, rec); // replay
  const got: string[] = [];
  for (let r = n.sessionRead(p.server); r !== 0; r = n.sessionRead(p.server)) {
    assert.ok(r instanceof Uint8Array, `read returned ${String(r)}`);
    got.push(new TextDecoder().decode(r));
  }
  assert.deepEqual(got, ['first']);
  n.sessionWrite(p.client, enc('second'));
  for (const d of n.sessionDrain(p.client)) n.sessionFeed(p.server, d);
  const second = n.sessionRead(p.server);
  assert.ok(second instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(second), 'second');
  assert.equal(n.sessionShutdown(p.server) >= 0, true);
  for (const d of n.sessionDrain(p.server)) n.sessionFeed(p.client, d);
  assert.equal(n.sessionRead(p.client), 1, 'close_notify');
});

test('record guard: short, forged and flipped records never end a session, whatever the suite', (t) => {
  if (!requireNative(t)) return;
  const n = loadNative() as NativeAddon;
  const kc = keyAndCert('p256');
  const sctx = serverCtx(n, kc);
  // OpenSSL 3.0 alone ends the session on an AEAD record shorter than IV + tag, and on any bad
  // MAC under encrypt-then-MAC; the addon drops the first and turns encrypt-then-MAC off.
  for (const suite of ['ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA384']) {
    const cctx = n.createContext(false, null, null, kc.cert.saveToString(), true, null, suite);
    const mutations: Array<[string, (rec: Uint8Array) => Uint8Array]> = [
      ['flipped body', (r) => { const m = Uint8Array.from(r); m[20] = (m[20] ?? 0) ^ 1; return m; }],
      ['flipped last byte', (r) => { const m = Uint8Array.from(r); m[m.length - 1] = (m[m.length - 1] ?? 0) ^ 1; return m; }],
      ...[1, 8, 15, 16, 23, 24, 40, 100].map((len): [string, (rec: Uint8Array) => Uint8Array] => [`forged length ${len}`, (r) => {
        const m = new Uint8Array(13 + len).fill(0x55);
        m.set(r.subarray(0, 11));
        m[11] = len >> 8;
        m[12] = len & 255;
        return m;
      }]),
    ];
    for (const [what, mutate] of mutations) {
      const p = handshake(n, sctx, cctx, 'myserver');
      assert.equal(p.result, 1, suite);
      assert.equal(n.sessionInfo(p.server).cipher, suite);
      const rec = n.sessionSend(p.client, enc('genuine'));
      assert.ok(rec instanceof Uint8Array);
      const out = n.sessionRecv(p.server, [mutate(rec), rec]);
      assert.equal(out.length, 1, `${suite}, ${what}: ${String(out)} ${n.sessionError(p.server).reason}`);
      assert.equal(new TextDecoder().decode(out[0] as Uint8Array), 'genuine', `${suite}, ${what}`);
    }
  }
});
