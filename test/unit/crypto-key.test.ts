/** CryptoKey: PEM forms in and out (as mbedTLS writes them), public-only keys, files, errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Crypto } from '../../src/core/crypto/crypto.js';
import { CryptoKey } from '../../src/core/crypto/crypto-key.js';
import { Error } from '../../src/core/error.js';

const crypto = new Crypto();
const rsa = crypto.generateRsa(1024);
const ec = crypto.generateEcdsa('P-256');

test('RSA private keys save as PKCS#1 ("RSA PRIVATE KEY"), public halves as SPKI ("PUBLIC KEY")', () => {
  assert.ok(rsa);
  const pem = rsa.saveToString();
  assert.match(pem, /^-----BEGIN RSA PRIVATE KEY-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END RSA PRIVATE KEY-----\n$/);
  assert.match(rsa.saveToString(true), /^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
  assert.equal(rsa.isPublicOnly(), false);
  assert.equal(rsa.getKeyType(), 'rsa');
  assert.equal(rsa.getKeySize(), 1024);
});

test('EC keys save as SEC1 ("EC PRIVATE KEY")', () => {
  assert.ok(ec);
  assert.match(ec.saveToString(), /^-----BEGIN EC PRIVATE KEY-----\n/);
  assert.equal(ec.getKeyType(), 'ec');
  assert.equal(ec.getKeySize(), 256);
});

test('PEM round trips: private, public-only, and PKCS#8 input', () => {
  assert.ok(rsa && ec);
  for (const k of [rsa, ec]) {
    const again = new CryptoKey();
    assert.equal(again.loadFromString(k.saveToString()), Error.OK);
    assert.equal(again.saveToString(), k.saveToString());
    const pub = new CryptoKey();
    assert.equal(pub.loadFromString(k.saveToString(true), true), Error.OK);
    assert.equal(pub.isPublicOnly(), true);
    assert.equal(pub.saveToString(), k.saveToString(true), 'a public-only key saves its public half');
    assert.equal(pub.saveToString(false), k.saveToString(true));
  }
  const pkcs8 = createPrivateKey(rsa.saveToString()).export({ type: 'pkcs8', format: 'pem' }).toString();
  const k = new CryptoKey();
  assert.equal(k.loadFromString(pkcs8), Error.OK);
  assert.equal(k.saveToString(), rsa.saveToString(), 'written back in the PKCS#1 form');
});

test('a private key can be loaded public-only (its public half is kept)', () => {
  assert.ok(rsa);
  const k = new CryptoKey();
  assert.equal(k.loadFromString(rsa.saveToString(true), true), Error.OK);
  const fromPriv = new CryptoKey();
  // Godot parses a public key in public-only mode; a private PEM is refused there.
  assert.equal(fromPriv.loadFromString(rsa.saveToString(), true), Error.OK);
  assert.equal(fromPriv.saveToString(), rsa.saveToString(true));
});

test('errors: garbage → FAILED (key unchanged), a public key as private → FAILED, unreadable file → ERR_INVALID_PARAMETER', () => {
  assert.ok(rsa);
  const k = new CryptoKey();
  assert.equal(k.saveToString(), '');
  assert.equal(k.loadFromString('-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n'), Error.FAILED);
  assert.equal(k.loadFromString('nope'), Error.FAILED);
  assert.equal(k.loadFromString(rsa.saveToString(true)), Error.FAILED, 'public PEM without publicOnly');
  assert.equal(k.loadFromString(rsa.saveToString()), Error.OK);
  assert.equal(k.loadFromString('garbage'), Error.FAILED);
  assert.equal(k.saveToString(), rsa.saveToString(), 'unchanged after a failed load');
  assert.equal(k.load('/nonexistent/dir/key.pem'), Error.ERR_INVALID_PARAMETER);
  assert.equal(k.save('/nonexistent/dir/key.pem'), Error.ERR_INVALID_PARAMETER);
  assert.equal(new CryptoKey().save(join(tmpdir(), 'never-written.key')), Error.FAILED);
});

test('files: save/load PEM, load DER', () => {
  assert.ok(ec);
  const dir = mkdtempSync(join(tmpdir(), 'gdwire-key-'));
  try {
    const p = join(dir, 'k.key');
    assert.equal(ec.save(p), Error.OK);
    assert.equal(readFileSync(p, 'utf8'), ec.saveToString());
    const k = new CryptoKey();
    assert.equal(k.load(p), Error.OK);
    assert.equal(k.saveToString(), ec.saveToString());
    assert.equal(ec.save(join(dir, 'pub.key'), true), Error.OK);
    const pub = new CryptoKey();
    assert.equal(pub.load(join(dir, 'pub.key'), true), Error.OK);
    assert.equal(pub.isPublicOnly(), true);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    writeFileSync(join(dir, 'k.der'), privateKey.export({ type: 'pkcs1', format: 'der' }));
    assert.equal(k.load(join(dir, 'k.der')), Error.OK);
    assert.equal(k.getKeySize(), 1024);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
