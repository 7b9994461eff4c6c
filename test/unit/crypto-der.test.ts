/** The DER writer and PEM armour, against hand-checked bytes (X.690 §8, RFC 7468). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as der from '../../src/core/crypto/der.js';
import { fromHex, toHex } from '../helpers/hex.js';

test('lengths: short form below 128, long form (0x81, 0x82) above', () => {
  assert.equal(toHex(der.octetString(new Uint8Array(3))), '0403000000');
  assert.equal(toHex(der.octetString(new Uint8Array(127))).slice(0, 4), '047f');
  assert.equal(toHex(der.octetString(new Uint8Array(128))).slice(0, 6), '048180');
  assert.equal(toHex(der.octetString(new Uint8Array(300))).slice(0, 8), '0482012c');
});

test('INTEGER: minimal, unsigned (sign byte when the top bit is set, leading zeros dropped)', () => {
  assert.equal(toHex(der.smallInteger(0)), '020100');
  assert.equal(toHex(der.smallInteger(2)), '020102');
  assert.equal(toHex(der.smallInteger(128)), '02020080');
  assert.equal(toHex(der.smallInteger(65537)), '0203010001');
  assert.equal(toHex(der.unsignedInteger(fromHex('0000ff01'))), '020300ff01');
  assert.equal(toHex(der.unsignedInteger(fromHex('0000'))), '020100');
});

test('OBJECT IDENTIFIER: first two arcs folded, base-128 arcs', () => {
  assert.equal(toHex(der.oid('2.5.4.3')), '0603550403');
  assert.equal(toHex(der.oid('1.2.840.113549.1.1.11')), '06092a864886f70d01010b');
  assert.equal(toHex(der.oid('0.9.2342.19200300.100.1.25')), '060a0992268993f22c640119');
});

test('constructed: SEQUENCE, SET, [n] EXPLICIT; BOOLEAN, NULL, BIT STRING', () => {
  assert.equal(toHex(der.sequence(der.boolean(true), der.smallInteger(0))), '30060101ff020100');
  assert.equal(toHex(der.set(der.derNull())), '31020500');
  assert.equal(toHex(der.explicit(3, der.derNull())), 'a3020500');
  assert.equal(toHex(der.bitString(fromHex('abcd'))), '030300abcd');
});

test('PEM: 64-column lines, final newline, several blocks decoded, bad base64 → null', () => {
  const bytes = new Uint8Array(100).map((_, i) => i);
  const pem = der.toPem('THING', bytes);
  const lines = pem.trimEnd().split('\n');
  assert.equal(lines[0], '-----BEGIN THING-----');
  assert.equal(lines[1]?.length, 64);
  assert.ok(pem.endsWith('-----END THING-----\n'));
  const both = der.fromPem('THING', `${pem}junk\n${der.toPem('THING', Uint8Array.of(1))}`);
  assert.equal(both.length, 2);
  assert.deepEqual(both[0], bytes);
  assert.deepEqual(der.fromPem('THING', '-----BEGIN THING-----\n#$%\n-----END THING-----'), [null]);
  assert.deepEqual(der.fromPem('OTHER', pem), []);
});
