/**
 * generateSelfSignedCertificate against the profile of Godot 3.2.3's own certificates.
 * GODOT_CERT / GODOT_KEY below were made by real Godot 3.2.3 (godot3-server 3.2.3-stable,
 * Debian) with `Crypto.generate_rsa(2048)` and `generate_self_signed_certificate(key)` (all
 * defaults), then saved with CryptoKey.save / X509Certificate.save. A throwaway test key.
 * Each field is checked with node:crypto's X509Certificate and with a small DER reader here,
 * and the whole structure (all but key, serial and signature) must equal Godot's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate as NodeX509, createPublicKey } from 'node:crypto';
import { Crypto } from '../../src/core/crypto/crypto.js';
import { CryptoKey } from '../../src/core/crypto/crypto-key.js';
import { X509Certificate } from '../../src/core/crypto/x509-certificate.js';
import { encodeTime, parseName } from '../../src/core/crypto/x509-writer.js';
import { Error } from '../../src/core/error.js';
import { createTestPlatform } from '../../src/platform/test-platform.js';
import { toHex } from '../helpers/hex.js';

const GODOT_CERT = `-----BEGIN CERTIFICATE-----
MIIDEzCCAfugAwIBAgIUTZ8N5it/o7y4K92TLnNdtEEXF4QwDQYJKoZIhvcNAQEL
BQAwOTERMA8GA1UEAwwIbXlzZXJ2ZXIxFzAVBgNVBAoMDm15b3JnYW5pc2F0aW9u
MQswCQYDVQQGEwJJVDAeFw0xNDAxMDEwMDAwMDBaFw0zNDAxMDEwMDAwMDBaMDkx
ETAPBgNVBAMMCG15c2VydmVyMRcwFQYDVQQKDA5teW9yZ2FuaXNhdGlvbjELMAkG
A1UEBhMCSVQwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQDON7cahhOI
EJA+5HhtVQ+ooDSI6tM4hFURZsuWLTL8mAd1ZkT79uMgl1HVEmXT97x2safXeTWX
2I11tp0VkUtZ0kN79VY1v2nQpyYAluJekLxLfs8rhpAlP4pXCUhldiCtUo+ifsHA
QqVpFcgZbXQLe/rfeC9gSgXnIGyHkqczlKA2JdHA2ZfiHY1C1nqSmHwdHTp/5VrW
iBnDYvTYOJgZQj8gf7WK7SCpTAUfyIUNr6c4BP7wOKynbBT5jg0ZYPI4+UXdVMiZ
BZyfOAPS9GE7pUa5SKnLFCzOVFsaLhGVP/ouplqgCoCOFNkCiYnWhCz4FHStZ7gE
AmQTiU2gnnU5AgMBAAGjEzARMA8GA1UdEwQIMAYBAf8CAQAwDQYJKoZIhvcNAQEL
BQADggEBAJzdWR546js+WE6/gLAaJm1bZlnw61HrtLH8+kwIZJPUwCPjQis/jilM
taQ509RqYcE4QG8bKq/Tk2BKObY3uMGRpbajeCTUWOv6w433DEp0zyuNXsEBmD1a
xNYLcWsUGiwxx9qvgQRFG3rxDhBGU+yTwhqHHxjcm6E5LdrJm3LjAdbQRk85p2K+
bN+kIoaE16HjwAWl5Junj3NRIVjLs1VxfvSxbmV/bCcSAvVpWgCEepeEMmqNd3c5
YGqjEqEfQ031inLv3lDsnTJWBmvZxBFv6AvHsboVgylAcBDW4shsDrR+B4uX12GM
GF/ECoAi8gIq7/FPx+FAMBV3ltIqmVE=
-----END CERTIFICATE-----
`;
const GODOT_KEY = `-----BEGIN RSA PRIVATE KEY-----
MIIEogIBAAKCAQEAzje3GoYTiBCQPuR4bVUPqKA0iOrTOIRVEWbLli0y/JgHdWZE
+/bjIJdR1RJl0/e8drGn13k1l9iNdbadFZFLWdJDe/VWNb9p0KcmAJbiXpC8S37P
K4aQJT+KVwlIZXYgrVKPon7BwEKlaRXIGW10C3v633gvYEoF5yBsh5KnM5SgNiXR
wNmX4h2NQtZ6kph8HR06f+Va1ogZw2L02DiYGUI/IH+1iu0gqUwFH8iFDa+nOAT+
8Disp2wU+Y4NGWDyOPlF3VTImQWcnzgD0vRhO6VGuUipyxQszlRbGi4RlT/6LqZa
oAqAjhTZAomJ1oQs+BR0rWe4BAJkE4lNoJ51OQIDAQABAoIBAAd6VLz0/LNT6m8l
aMqKKZmzSYRng4ZKoi0R3bMR64XmW2rh7QF4B+9wHUsNMj0YADELqyrwncVmWGba
2uJj1OgqbEEL+fbT/JnQ3dtqnUXRmMpiDFAnPoXjQnh6gTIQsQmn80Zws0TuBcKE
RC/L3Mfn1IaS/KDQvlsNvXHDGyYPHnglqIwXOcUtByehPwc5OedgzQ9HDZdrbqYF
Ya2I8dUVh2C/w3M9ate2msbKPQDkW2TVjghqwmCr2igb8EX2wB1S99m6ELvGf2C+
6STetYvFb2gsYLIjGojlY1B8piBJfgVYmP0KPM8lyv3+6750JUambO45zDA7XLRO
TDyPQDMCgYEA9GAKnwcwbaML8WpZsvSS0XZZL+/y3eQwfrA1T80eb2rCyIuMCu/Z
/mtorgh+/6OkNtULr0mn3/ONm5m6qn67eXbqj0uLR5q8ecVxvVjk7+sz/On+KjoJ
D3zH8wHtsFoBMluqYHbGGpVKO02IPb5eso4yshSrxV2CAuuGTiUqLGMCgYEA2Ab/
fihC5gPzkp5UGQ7VO2r1VJzBARHm6/qPisSxagL3akWLv2VIO0XdeHEt2+aIJk66
TvQX9VIx3nmdYCMSsVuNNpNN5dZ1LX0oJvAjiq9LFPXurgv5pSfCyITWsWIQ6XNe
ZgeGqct7zYEXuzj1oAfHoQZsgzWandbX56MmpLMCgYAWaukOhZ5PsHFcCCGKZR1C
0dSErUJeUJySQp/hXjO4jNaphwOlzTL2P+wuauEbmmtqDEkyH1OjG7iV2ZhiI5YX
Im2KD6gLPYqksRQqBomZ6L2wKdcDEKfcH9pH1Jl1YAxUDkym5L5vmdphbk9dOqV9
Q8Yqx/Kp/FX85pY/fPFNeQKBgC7fddhdzAY0nUkW6ZB2U3YNAyZUzNv6kmxpdXPa
sdQayKxaYrQoub+CrUdQ525rWudU9b/j3r7wErn/EVKmyYuKHd3VoHVaTxqLqYap
XEzfNB9cLWm+V3Cqa+0uRZc/fAPrcHQa9fEpobc5Z3jMJx+OEJaz2h+uJdpRn483
K09ZAoGAccXv/gikmwABNy+OsX8ALB+XZSIOaBf45LYPP54QRuDmaWfOfj8hUdnc
s6bWg6BQPIuGI+vUCVHNMfbrhn3lxlDSNJTTYmGDxHDh/B2pJrU8Nqw6ITf5xAu1
1V1XcTZc5lUW70X2+4Wy2Vj07Ep3ol/Mgv32DT6cNwvyKQh6sv8=
-----END RSA PRIVATE KEY-----
`;

interface Node {
  tag: number;
  value: Uint8Array;
  children: Node[];
}

/** A DER reader just large enough for certificates (definite lengths only). */
function readDer(b: Uint8Array, start = 0, end = b.length): Node[] {
  const out: Node[] = [];
  let i = start;
  while (i < end) {
    const tag = b[i++] ?? 0;
    let len = b[i++] ?? 0;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let k = 0; k < n; k++) len = len * 256 + (b[i++] ?? 0);
    }
    const value = b.subarray(i, i + len);
    out.push({ tag, value, children: tag & 0x20 ? readDer(b, i, i + len) : [] });
    i += len;
  }
  return out;
}

function child(n: Node | undefined, ...path: number[]): Node {
  let cur = n;
  for (const p of path) cur = cur?.children[p];
  assert.ok(cur, `no node at ${path.join('.')}`);
  return cur;
}

const derOf = (c: X509Certificate): Uint8Array => {
  const d = c.getDer();
  assert.ok(d);
  return d;
};

/** The TBSCertificate with the serial, the key and the signature blanked: the "profile". */
function skeleton(der: Uint8Array): string {
  const tbs = child(readDer(der)[0], 0);
  const parts: string[] = [];
  const walk = (n: Node, path: string): void => {
    if (path === '1' || path === '6') {
      parts.push(`${path}:${n.tag.toString(16)}:<varies>`);
      return;
    }
    if (n.children.length > 0) {
      parts.push(`${path}:${n.tag.toString(16)}`);
      n.children.forEach((c, i) => walk(c, path === '' ? String(i) : `${path}.${i}`));
    } else {
      parts.push(`${path}:${n.tag.toString(16)}:${toHex(n.value)}`);
    }
  };
  tbs.children.forEach((c, i) => walk(c, String(i)));
  return parts.join('\n');
}

test('the Godot fixture is what this test says it is', () => {
  const c = new NodeX509(GODOT_CERT);
  assert.equal(c.subject, 'CN=myserver\nO=myorganisation\nC=IT');
  assert.ok(c.verify(createPublicKey(GODOT_KEY)));
});

test('default certificate: same structure as Godot 3.2.3 generates, byte for byte outside key/serial/signature', () => {
  const key = new CryptoKey();
  assert.equal(key.loadFromString(GODOT_KEY), Error.OK);
  const cert = new Crypto().generateSelfSignedCertificate(key);
  assert.ok(cert);
  const godot = new X509Certificate();
  assert.equal(godot.loadFromString(GODOT_CERT), Error.OK);
  assert.equal(skeleton(derOf(cert)), skeleton(derOf(godot)));
  // Same key: the SubjectPublicKeyInfo is identical too.
  const spki = (d: Uint8Array): string => toHex(child(readDer(d)[0], 0, 6).value);
  assert.equal(spki(derOf(cert)), spki(derOf(godot)));
});

test('Godot profile, field by field (node:crypto X509Certificate and DER)', () => {
  const crypto = new Crypto({ platform: createTestPlatform({ seed: 7 }) });
  const key = crypto.generateRsa(2048);
  assert.ok(key);
  const cert = crypto.generateSelfSignedCertificate(key);
  assert.ok(cert);
  const der = derOf(cert);
  const x = new NodeX509(der);
  assert.equal(x.subject, 'CN=myserver\nO=myorganisation\nC=IT');
  assert.equal(x.issuer, x.subject);
  assert.equal(x.validFrom, 'Jan  1 00:00:00 2014 GMT');
  assert.equal(x.validTo, 'Jan  1 00:00:00 2034 GMT');
  assert.equal(x.ca, true, 'basicConstraints CA:TRUE');
  assert.equal(x.subjectAltName, undefined, 'no SAN');
  assert.equal(x.keyUsage, undefined, 'no (extended) key usage');
  assert.ok(x.verify(x.publicKey), 'self-signed');
  assert.equal(x.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  assert.equal(x.publicKey.asymmetricKeyDetails?.publicExponent, 65537n);
  assert.equal(x.checkHost('myserver'), 'myserver', 'host name checks fall back to the CN');
  assert.equal(x.checkHost('other'), undefined);

  const root = readDer(der)[0];
  const tbs = child(root, 0);
  assert.equal(toHex(child(tbs, 0).value), '020102', 'version v3');
  const serial = child(tbs, 1).value;
  assert.ok(serial.length >= 19 && serial.length <= 21, `20 random bytes as an unsigned INTEGER (${serial.length})`);
  if (serial.length === 21) assert.equal(serial[0], 0);
  assert.equal(toHex(child(tbs, 2).value), '06092a864886f70d01010b0500', 'sha256WithRSAEncryption');
  assert.equal(toHex(child(root, 1).value), '06092a864886f70d01010b0500');
  assert.equal(child(tbs, 4, 0).tag, 0x17, 'UTCTime');
  assert.equal(new TextDecoder().decode(child(tbs, 4, 0).value), '140101000000Z');
  const exts = child(tbs, 7, 0);
  assert.equal(exts.children.length, 1, 'one extension only');
  assert.equal(toHex(child(exts, 0).value), '0603551d13040830060101ff020100', 'basicConstraints (not critical) CA:TRUE pathlen 0');
});

test('serials are 20 bytes of the platform random source (seeded: reproducible)', () => {
  const a = new Crypto({ platform: createTestPlatform({ seed: 3 }) });
  const b = new Crypto({ platform: createTestPlatform({ seed: 3 }) });
  const key = new CryptoKey();
  assert.equal(key.loadFromString(GODOT_KEY), Error.OK);
  const serial = (c: Crypto): string => toHex(child(readDer(derOf(c.generateSelfSignedCertificate(key) ?? new X509Certificate()))[0], 0, 1).value);
  assert.equal(serial(a), serial(b));
  assert.notEqual(serial(a), serial(a));
});

test('names: order kept, C as PrintableString, escapes, unknown keys refused', () => {
  assert.deepEqual(parseName('CN=a\\,b, O=x+y,C=FR'), [['2.5.4.3', 'a,b'], ['2.5.4.10', 'x+y'], ['2.5.4.6', 'FR']]);
  assert.equal(parseName('CN=a,XX=b'), null);
  assert.equal(parseName('CN'), null);
  const crypto = new Crypto();
  const key = new CryptoKey();
  assert.equal(key.loadFromString(GODOT_KEY), Error.OK);
  const cert = crypto.generateSelfSignedCertificate(key, 'CN=héllo,O=a\\,b,C=FR,emailAddress=a@b.c');
  assert.ok(cert);
  const name = child(readDer(derOf(cert))[0], 0, 3);
  assert.deepEqual(name.children.map((rdn) => child(rdn, 0, 1).tag), [0x0c, 0x0c, 0x13, 0x16]);
  assert.equal(new TextDecoder().decode(child(name, 0, 0, 1).value), 'héllo');
  assert.equal(crypto.generateSelfSignedCertificate(key, 'CN=x,Bogus=y'), null);
});

test('validity: UTCTime for 2000–2049, GeneralizedTime otherwise (mbedTLS rule); malformed → null', () => {
  assert.equal(toHex(encodeTime('20491231235959') ?? new Uint8Array()), `170d${toHex(new TextEncoder().encode('491231235959Z'))}`);
  assert.equal(encodeTime('20500101000000')?.[0], 0x18);
  assert.equal(encodeTime('19991231000000')?.[0], 0x18);
  assert.equal(encodeTime('2014010100000'), null);
  assert.equal(encodeTime('20141301000000'), null);
  const key = new CryptoKey();
  assert.equal(key.loadFromString(GODOT_KEY), Error.OK);
  assert.equal(new Crypto().generateSelfSignedCertificate(key, undefined, 'yesterday'), null);
  const late = new Crypto().generateSelfSignedCertificate(key, undefined, '20140101000000', '20991231235959');
  assert.ok(late);
  assert.equal(new NodeX509(derOf(late)).validTo, 'Dec 31 23:59:59 2099 GMT');
});

test('ECDSA keys get ecdsa-with-SHA256 certificates; public-only keys get none', () => {
  const crypto = new Crypto();
  const ec = crypto.generateEcdsa('P-256');
  assert.ok(ec);
  const cert = crypto.generateSelfSignedCertificate(ec);
  assert.ok(cert);
  const der = derOf(cert);
  assert.equal(toHex(child(readDer(der)[0], 0, 2).value), '06082a8648ce3d040302');
  assert.ok(new NodeX509(der).verify(new NodeX509(der).publicKey));
  const pub = new CryptoKey();
  assert.equal(pub.loadFromString(ec.saveToString(true), true), Error.OK);
  assert.equal(crypto.generateSelfSignedCertificate(pub), null);
});
