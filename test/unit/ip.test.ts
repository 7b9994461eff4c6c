/** src/core/io/ip.ts: IP literal parsing, canonical text (gdwire's IPAddress identity), classification. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bytesToIp, formatEndpoint, ipFamily, ipToBytes, isLoopback, isMulticast, isUnspecified, isValidIp,
  isWildcard, normalizeIp, parseEndpoint,
} from '../../src/core/io/ip.js';

test('normalizeIp: IPv4, IPv6 (RFC 5952), IPv4-mapped as IPv4, zones kept', () => {
  const cases: Array<[string, string | null]> = [
    ['127.0.0.1', '127.0.0.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['::', '::'],
    ['::1', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal zero runs
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['fe80::0001%eth0', 'fe80::1%eth0'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:0102:0304', '1.2.3.4'],
    ['64:ff9b::1.2.3.4', '64:ff9b::102:304'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    // not IP literals
    ['', null], ['*', null], ['localhost', null], ['1.2.3', null], ['1.2.3.4.5', null],
    ['256.1.1.1', null], ['01234.1.1.1', null], ['1.2.3.-4', null], [':::', null], ['1::2::3', null],
    ['1:2:3:4:5:6:7:8:9', null], ['12345::', null], ['g::1', null], [':1::', null],
    ['1:2:3:4:5:6:7::8', null], ['::1.2.3', null],
  ];
  for (const [input, expected] of cases) assert.equal(normalizeIp(input), expected, input);
});

test('families and classification', () => {
  assert.equal(ipFamily('10.0.0.1'), 4);
  assert.equal(ipFamily('::ffff:10.0.0.1'), 4);
  assert.equal(ipFamily('::1'), 6);
  assert.equal(ipFamily('example.com'), 0);
  assert.equal(isValidIp('::'), true);
  assert.equal(isValidIp('*'), false);
  assert.equal(isWildcard('*'), true);
  assert.equal(isWildcard('0.0.0.0'), false);
  assert.ok(isUnspecified('0.0.0.0') && isUnspecified('::') && !isUnspecified('::1'));
  assert.ok(isLoopback('127.1.2.3') && isLoopback('::1') && !isLoopback('128.0.0.1'));
  assert.ok(isMulticast('224.0.0.1') && isMulticast('239.255.255.255') && isMulticast('ff02::1'));
  assert.ok(!isMulticast('240.0.0.1') && !isMulticast('223.255.255.255') && !isMulticast('fe80::1'));
});

test('16-byte form: IPv4 as ::ffff:a.b.c.d (Godot IPAddress), round trip', () => {
  assert.deepEqual([...(ipToBytes('1.2.3.4') ?? [])], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4]);
  assert.deepEqual([...(ipToBytes('::1') ?? [])], [...Array(15).fill(0), 1]);
  assert.equal(ipToBytes('nope'), null);
  for (const a of ['1.2.3.4', '::1', '2001:db8::1:0:0:1', 'ff02::fb']) {
    assert.equal(bytesToIp(ipToBytes(a) ?? new Uint8Array(16)), a);
  }
  assert.throws(() => bytesToIp(new Uint8Array(4)), RangeError);
});

test('endpoints: format and parse', () => {
  assert.equal(formatEndpoint('1.2.3.4', 5), '1.2.3.4:5');
  assert.equal(formatEndpoint('::1', 5), '[::1]:5');
  assert.deepEqual(parseEndpoint('1.2.3.4:80'), { ip: '1.2.3.4', port: 80 });
  assert.deepEqual(parseEndpoint('[::1]:80'), { ip: '::1', port: 80 });
  assert.deepEqual(parseEndpoint('::1'), { ip: '::1', port: undefined });
  assert.deepEqual(parseEndpoint('[::ffff:1.2.3.4]'), { ip: '1.2.3.4', port: undefined });
  assert.equal(parseEndpoint('1.2.3.4:70000'), null);
  assert.equal(parseEndpoint('[::1]x'), null);
  assert.equal(parseEndpoint('host:80'), null);
});
