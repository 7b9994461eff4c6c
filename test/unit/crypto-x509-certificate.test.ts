/** X509Certificate: PEM chains in and out, DER files, errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Crypto } from '../../src/core/crypto/crypto.js';
import { X509Certificate } from '../../src/core/crypto/x509-certificate.js';
import { Error } from '../../src/core/error.js';

const crypto = new Crypto();
const k1 = crypto.generateEcdsa();
const k2 = crypto.generateEcdsa();
assert.ok(k1 && k2);
const c1 = crypto.generateSelfSignedCertificate(k1, 'CN=one');
const c2 = crypto.generateSelfSignedCertificate(k2, 'CN=two');
assert.ok(c1 && c2);

test('PEM: 64-column base64 between CERTIFICATE armour; round trip', () => {
  const pem = c1.saveToString();
  assert.match(pem, /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE-----\n$/);
  const again = new X509Certificate();
  assert.equal(again.loadFromString(pem), Error.OK);
  assert.equal(again.saveToString(), pem);
  assert.equal(again.getCertificateCount(), 1);
  assert.equal(again.getSubject(), 'CN=one');
});

test('chains: every certificate is loaded (leaf first) and saved', () => {
  const chain = new X509Certificate();
  const text = `some text before\n${c1.saveToString()}between\n${c2.saveToString()}`;
  assert.equal(chain.loadFromString(text), Error.OK);
  assert.equal(chain.getCertificateCount(), 2);
  assert.equal(chain.getSubject(0), 'CN=one');
  assert.equal(chain.getSubject(1), 'CN=two');
  assert.equal(chain.saveToString(), c1.saveToString() + c2.saveToString());
});

test('errors: no block, bad base64, or a block that is no certificate → FAILED, chain unchanged', () => {
  const c = new X509Certificate();
  assert.equal(c.saveToString(), '');
  assert.equal(c.loadFromString('nothing here'), Error.FAILED);
  assert.equal(c.loadFromString(c1.saveToString()), Error.OK);
  assert.equal(c.loadFromString('-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n'), Error.FAILED);
  assert.equal(c.loadFromString('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), Error.FAILED);
  assert.equal(c.loadFromString(c2.saveToString() + '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), Error.FAILED);
  assert.equal(c.getSubject(), 'CN=one', 'unchanged');
  assert.equal(c.load('/nonexistent/x.crt'), Error.ERR_INVALID_PARAMETER);
  assert.equal(new X509Certificate().save(join(tmpdir(), 'never-written.crt')), Error.FAILED);
});

test('files: save/load a PEM chain; load a DER certificate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gdwire-crt-'));
  try {
    const chain = new X509Certificate();
    assert.equal(chain.loadFromString(c1.saveToString() + c2.saveToString()), Error.OK);
    const p = join(dir, 'chain.crt');
    assert.equal(chain.save(p), Error.OK);
    assert.equal(readFileSync(p, 'utf8'), chain.saveToString());
    const back = new X509Certificate();
    assert.equal(back.load(p), Error.OK);
    assert.equal(back.getCertificateCount(), 2);
    const der = c2.getDer();
    assert.ok(der);
    writeFileSync(join(dir, 'c.der'), der);
    assert.equal(back.load(join(dir, 'c.der')), Error.OK);
    assert.equal(back.getSubject(), 'CN=two');
    writeFileSync(join(dir, 'junk.der'), Uint8Array.of(1, 2, 3));
    assert.equal(back.load(join(dir, 'junk.der')), Error.FAILED);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
