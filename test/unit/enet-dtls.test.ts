/**
 * ENetConnection.dtlsServerSetup / dtlsClientSetup: Godot's preconditions and Error codes,
 * gdwire's extra checks, what a failed setup leaves behind, and ERR_UNAVAILABLE without the
 * native addon (in a child process pointed at a missing addon).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CryptoKey } from '../../src/core/crypto/crypto-key.js';
import { TLSOptions, TLSVerifyMode } from '../../src/core/crypto/tls-options.js';
import { Error } from '../../src/core/error.js';
import { ENetConnection } from '../../src/modules/enet/enet-connection.js';
import { godot3ClientOptions } from '../../src/modules/enet/enet-dtls.js';
import { LinkTimer, isClientHello, linkKey } from '../../src/modules/enet/enet-dtls-link.js';
import { createTestPlatform, hostPlatform, type TestPlatform } from '../../src/platform/test-platform.js';
import { keyAndCert, requireNative } from '../helpers/dtls.js';

function conn(base: TestPlatform, name = 'a', ip = '10.0.0.1'): ENetConnection {
  return new ENetConnection({ platform: hostPlatform(base, base.net.createHost(name, [ip])) });
}

test('without a host: ERR_UNCONFIGURED (both), no statistics', () => {
  const base = createTestPlatform({ logLevel: 'error' });
  const c = conn(base);
  const { key, cert } = keyAndCert('p256');
  assert.equal(c.dtlsServerSetup(TLSOptions.server(key, cert)), Error.ERR_UNCONFIGURED);
  assert.equal(c.dtlsClientSetup('myserver'), Error.ERR_UNCONFIGURED);
  assert.equal(c.getDtlsStatistics(), null);
  assert.ok(base.logger.entries.some((e) => e.level === 'error' && /isn't currently active/.test(e.message)));
});

test('server setup: client options or none → ERR_INVALID_PARAMETER; a second setup (either kind) → FAILED', async (t) => {
  if (!requireNative(t)) return;
  const base = createTestPlatform({ logLevel: 'error' });
  const c = conn(base);
  assert.equal(await c.createHostBound('*', 7777), Error.OK);
  const { key, cert } = keyAndCert('p256');
  assert.equal(c.dtlsServerSetup(TLSOptions.client()), Error.ERR_INVALID_PARAMETER);
  assert.equal(c.dtlsServerSetup(null as unknown as TLSOptions), Error.ERR_INVALID_PARAMETER);
  assert.equal(c.getDtlsStatistics(), null, 'a refused setup leaves the host plain');
  assert.equal(c.dtlsServerSetup(TLSOptions.server(key, cert)), Error.OK);
  assert.deepEqual(c.getDtlsStatistics(), { sessions: 0, handshakes: 0, handshakeFailures: 0, cookieExchanges: 0, droppedDatagrams: 0 });
  assert.equal(c.dtlsServerSetup(TLSOptions.server(key, cert)), Error.FAILED, 'Godot: the socket cannot be upgraded twice');
  assert.equal(c.dtlsClientSetup('myserver'), Error.FAILED);
  c.destroy();
  assert.equal(c.getDtlsStatistics(), null);
  assert.equal(await c.createHostBound('*', 7777), Error.OK);
  assert.equal(c.getDtlsStatistics(), null, 'a new host starts plain');
  assert.equal(c.dtlsServerSetup(TLSOptions.server(key, cert)), Error.OK, 'and can be set up again');
  c.destroy();
});

test('server setup: a key that is not the certificate\'s, or a public key → ERR_INVALID_PARAMETER (Godot accepts them)', async (t) => {
  if (!requireNative(t)) return;
  const base = createTestPlatform({ logLevel: 'error' });
  const c = conn(base);
  assert.equal(await c.createHostBound('*', 7777), Error.OK);
  const a = keyAndCert('p256');
  const b = keyAndCert('p256', 'CN=b', undefined, undefined, 'b');
  assert.equal(c.dtlsServerSetup(TLSOptions.server(a.key, b.cert)), Error.ERR_INVALID_PARAMETER);
  const pub = new CryptoKey();
  assert.equal(pub.loadFromString(a.key.saveToString(true), true), Error.OK);
  assert.equal(c.dtlsServerSetup(TLSOptions.server(pub, a.cert)), Error.ERR_INVALID_PARAMETER);
  assert.equal(c.getDtlsStatistics(), null);
  assert.equal(c.dtlsServerSetup(TLSOptions.server(a.key, a.cert)), Error.OK, 'still usable after the errors');
  c.destroy();
});

test('client setup: server options, a NUL in the name, or no name for TLSOptions.client() → ERR_INVALID_PARAMETER', async (t) => {
  if (!requireNative(t)) return;
  const base = createTestPlatform({ logLevel: 'error' });
  const { key, cert } = keyAndCert('p256');
  const c = conn(base);
  assert.equal(await c.createHost(1), Error.OK);
  assert.equal(c.dtlsClientSetup('myserver', TLSOptions.server(key, cert)), Error.ERR_INVALID_PARAMETER);
  assert.equal(c.dtlsClientSetup('my\0server', TLSOptions.client(cert)), Error.ERR_INVALID_PARAMETER);
  assert.equal(c.dtlsClientSetup('', TLSOptions.client(cert)), Error.ERR_INVALID_PARAMETER, 'nothing to check the name against');
  assert.equal(c.getDtlsStatistics(), null);
  assert.equal(c.dtlsClientSetup('', TLSOptions.client(cert, 'myserver')), Error.OK, 'a CN override is a name');
  assert.equal(c.dtlsClientSetup('myserver'), Error.FAILED);
  c.destroy();
  const cases = [['', TLSOptions.clientUnsafe()], ['myserver', undefined], ['myserver', null], ['10.0.0.1', TLSOptions.clientUnsafe(cert)]] as const;
  for (const [i, [name, options]] of cases.entries()) {
    const d = conn(base, `c${i}`, `10.0.1.${i + 1}`);
    assert.equal(await d.createHost(1), Error.OK);
    assert.equal(d.dtlsClientSetup(name, options), Error.OK, `${name} ${String(options)}`);
    d.destroy();
  }
});

test('without the native addon: ERR_UNAVAILABLE, logged, and the host stays plain', () => {
  const dist = fileURLToPath(new URL('../../src/modules/enet/enet-connection.js', import.meta.url));
  const tls = fileURLToPath(new URL('../../src/core/crypto/tls-options.js', import.meta.url));
  const script = `
    const { ENetConnection } = await import(${JSON.stringify(dist)});
    const { TLSOptions } = await import(${JSON.stringify(tls)});
    const c = new ENetConnection();
    console.log('create', await c.createHostBound('127.0.0.1', 0, 1));
    console.log('client', c.dtlsClientSetup('myserver', TLSOptions.clientUnsafe()));
    console.log('stats', JSON.stringify(c.getDtlsStatistics()));
    c.destroy();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8', timeout: 20_000, env: { ...process.env, GDWIRE_NATIVE: '/nonexistent/gdwire_dtls.node' },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /create 0\b/);
  assert.match(r.stdout, new RegExp(`client ${Error.ERR_UNAVAILABLE}\\b`));
  assert.match(r.stdout, /stats null/);
  assert.match(r.stdout + r.stderr, /DTLS unavailable/);
});

test('isClientHello recognises only an epoch-0 handshake record carrying a ClientHello', () => {
  const hello = new Uint8Array(60);
  hello.set([22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 47, 1]); // type, version, epoch 0, seq, length, msg_type
  assert.equal(isClientHello(hello), true);
  assert.equal(isClientHello(hello.subarray(0, 13)), false, 'truncated');
  for (const [at, v] of [[0, 23], [1, 0x03], [4, 1], [13, 2]] as const) {
    const x = hello.slice();
    x[at] = v;
    assert.equal(isClientHello(x), false, `byte ${at} = ${v}`);
  }
  assert.notEqual(linkKey('::1', 1), linkKey('::', 11), 'keys cannot collide');
});

test('godot3ClientOptions: dtls_verify → chain and name checked against the given certificate; off → nothing', () => {
  const { cert } = keyAndCert('p256');
  const on = godot3ClientOptions(true, cert);
  assert.equal(on.getVerifyMode(), TLSVerifyMode.FULL);
  assert.equal(on.getTrustedCaChain(), cert);
  assert.equal(godot3ClientOptions(true, null).getTrustedCaChain(), null, 'default trust store');
  assert.equal(godot3ClientOptions(false, cert).getVerifyMode(), TLSVerifyMode.NONE);
});

test('LinkTimer: one timer at a time, at least 1 ms ahead, cleared by Infinity', () => {
  const base = createTestPlatform({ start: 2 ** 32 - 5 });
  let fired = 0;
  const timer = new LinkTimer(base, () => void fired++);
  const now = base.clock.now();
  timer.arm(now - 50); // already due: still 1 ms ahead, never a 0 ms spin
  assert.equal(base.clock.nextTimerAt(), now + 1);
  timer.arm(now + 30);
  assert.equal(base.clock.nextTimerAt(), now + 30, 're-armed, not doubled');
  base.clock.advance(29);
  assert.equal(fired, 0);
  base.clock.advance(1);
  assert.equal(fired, 1);
  assert.equal(timer.armed, false);
  timer.arm(now + 100);
  timer.arm(Infinity);
  assert.equal(timer.armed, false);
  assert.equal(base.clock.nextTimerAt(), null);
});
