/** TLSOptions: the three constructors and what each verifies. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Crypto } from '../../src/core/crypto/crypto.js';
import { TLSOptions, TLSVerifyMode } from '../../src/core/crypto/tls-options.js';

const crypto = new Crypto();
const key = crypto.generateEcdsa();
assert.ok(key);
const cert = crypto.generateSelfSignedCertificate(key);
assert.ok(cert);

test('client(): full verification, optional chain and common-name override', () => {
  const o = TLSOptions.client();
  assert.equal(o.isServer(), false);
  assert.equal(o.isUnsafeClient(), false);
  assert.equal(o.getVerifyMode(), TLSVerifyMode.FULL);
  assert.equal(o.getTrustedCaChain(), null);
  assert.equal(o.getCommonNameOverride(), '');
  const p = TLSOptions.client(cert, 'myserver');
  assert.equal(p.getTrustedCaChain(), cert);
  assert.equal(p.getCommonNameOverride(), 'myserver');
});

test('clientUnsafe(): nothing verified without a chain, the chain only with one', () => {
  assert.equal(TLSOptions.clientUnsafe().getVerifyMode(), TLSVerifyMode.NONE);
  assert.equal(TLSOptions.clientUnsafe().isUnsafeClient(), true);
  assert.equal(TLSOptions.clientUnsafe(cert).getVerifyMode(), TLSVerifyMode.CHAIN_ONLY);
  assert.equal(TLSOptions.clientUnsafe(cert).isUnsafeClient(), true);
});

test('server(): key and certificate', () => {
  const s = TLSOptions.server(key, cert);
  assert.equal(s.isServer(), true);
  assert.equal(s.isUnsafeClient(), false);
  assert.equal(s.getPrivateKey(), key);
  assert.equal(s.getOwnCertificate(), cert);
});
