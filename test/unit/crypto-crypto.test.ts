/** Crypto: random bytes, keys, sign/verify of a precomputed hash, encrypt/decrypt, HMAC, comparison. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { Crypto, HashType } from '../../src/core/crypto/crypto.js';
import { CryptoKey } from '../../src/core/crypto/crypto-key.js';
import { Error } from '../../src/core/error.js';
import { createTestPlatform } from '../../src/platform/test-platform.js';
import { requireNative } from '../helpers/dtls.js';
import { toHex } from '../helpers/hex.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const sha256 = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest());
const crypto = new Crypto();
const rsa = crypto.generateRsa(2048);
const ec = crypto.generateEcdsa('P-256');
assert.ok(rsa && ec);

test('HashType numbers are Godot\'s', () => {
  assert.equal(HashType.HASH_MD5, 0);
  assert.equal(HashType.HASH_SHA1, 1);
  assert.equal(HashType.HASH_SHA256, 2);
});

test('generateRandomBytes draws from the platform random source', () => {
  const a = new Crypto({ platform: createTestPlatform({ seed: 9 }) }).generateRandomBytes(32);
  const b = new Crypto({ platform: createTestPlatform({ seed: 9 }) }).generateRandomBytes(32);
  assert.equal(a.length, 32);
  assert.deepEqual(a, b);
  assert.notDeepEqual(crypto.generateRandomBytes(32), crypto.generateRandomBytes(32));
  assert.equal(crypto.generateRandomBytes(0).length, 0);
  assert.equal(crypto.generateRandomBytes(-1).length, 0);
});

test('generateRsa: e = 65537, the size asked; a size OpenSSL refuses → null', () => {
  assert.equal(rsa.getKeySize(), 2048);
  assert.match(rsa.saveToString(), /RSA PRIVATE KEY/);
  assert.equal(crypto.generateRsa(100), null);
  assert.equal(crypto.generateEcdsa('no-such-curve'), null);
});

test('hmacDigest: RFC 2202 / RFC 4231 vectors; MD5 is refused as in Godot', () => {
  const key = enc('Jefe');
  const msg = enc('what do ya want for nothing?');
  assert.equal(toHex(crypto.hmacDigest(HashType.HASH_SHA1, key, msg)), 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79');
  assert.equal(toHex(crypto.hmacDigest(HashType.HASH_SHA256, key, msg)),
    '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  assert.equal(crypto.hmacDigest(HashType.HASH_MD5, key, msg).length, 0);
});

test('constantTimeCompare', () => {
  assert.equal(crypto.constantTimeCompare(enc('abc'), enc('abc')), true);
  assert.equal(crypto.constantTimeCompare(enc('abc'), enc('abd')), false);
  assert.equal(crypto.constantTimeCompare(enc('abc'), enc('abcd')), false);
});

test('sign/verify a SHA-256 hash with RSA: PKCS#1 v1.5, identical to signing the message', () => {
  const msg = enc('sign me');
  const sig = crypto.sign(HashType.HASH_SHA256, sha256(msg), rsa);
  assert.equal(sig.length, 256);
  assert.deepEqual(sig, new Uint8Array(nodeSign('sha256', msg, rsa.saveToString())));
  assert.equal(crypto.verify(HashType.HASH_SHA256, sha256(msg), sig, rsa), true);
  assert.equal(crypto.verify(HashType.HASH_SHA256, sha256(enc('other')), sig, rsa), false);
  const tampered = Uint8Array.from(sig);
  tampered[10] = (tampered[10] ?? 0) ^ 1;
  assert.equal(crypto.verify(HashType.HASH_SHA256, sha256(msg), tampered, rsa), false);
});

test('sign/verify with the wrong hash size, or a public-only key, fails (empty / false)', () => {
  assert.equal(crypto.sign(HashType.HASH_SHA256, new Uint8Array(20), rsa).length, 0);
  assert.equal(crypto.sign(HashType.HASH_SHA1, new Uint8Array(32), rsa).length, 0);
  const sha1 = new Uint8Array(createHash('sha1').update('x').digest());
  assert.equal(crypto.verify(HashType.HASH_SHA1, sha1, crypto.sign(HashType.HASH_SHA1, sha1, rsa), rsa), true);
  const pubOnly = new CryptoKey();
  assert.equal(pubOnly.loadFromString(rsa.saveToString(true), true), Error.OK);
  assert.equal(crypto.sign(HashType.HASH_SHA256, sha256(enc('x')), pubOnly).length, 0);
  const sig = crypto.sign(HashType.HASH_SHA256, sha256(enc('x')), rsa);
  assert.equal(crypto.verify(HashType.HASH_SHA256, sha256(enc('x')), sig, pubOnly), true, 'verify needs only the public half');
});

test('ECDSA sign of a precomputed hash (native addon) verifies with node:crypto', (t) => {
  if (!requireNative(t)) return;
  const msg = enc('ecdsa');
  const sig = crypto.sign(HashType.HASH_SHA256, sha256(msg), ec);
  assert.ok(sig.length > 60 && sig[0] === 0x30, 'DER ECDSA signature');
  assert.ok(nodeVerify('sha256', msg, ec.saveToString(true), sig));
  assert.equal(crypto.verify(HashType.HASH_SHA256, sha256(msg), sig, ec), true);
  assert.equal(crypto.verify(HashType.HASH_SHA256, sha256(enc('not it')), sig, ec), false);
});

test('encrypt/decrypt: RSA PKCS#1 v1.5 round trip; wrong key or oversize → empty', (t) => {
  const ct = crypto.encrypt(rsa, enc('secret'));
  assert.equal(ct.length, 256);
  assert.notDeepEqual(ct, crypto.encrypt(rsa, enc('secret')), 'randomised padding');
  assert.equal(crypto.encrypt(rsa, new Uint8Array(250)).length, 0, 'longer than k − 11 bytes');
  assert.equal(crypto.encrypt(ec, enc('x')).length, 0, 'RSA only');
  if (!requireNative(t)) return;
  assert.equal(new TextDecoder().decode(crypto.decrypt(rsa, ct)), 'secret');
  const other = crypto.generateRsa(2048);
  assert.ok(other);
  assert.equal(crypto.decrypt(other, ct).length, 0);
});
