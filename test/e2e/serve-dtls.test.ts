/**
 * `gdwire serve --dtls-cert --dtls-key` as a process, end to end on loopback: gdwire clients
 * speaking the Godot 4 protocol over DTLS (ENetConnection.dtls_client_setup with a
 * TLSOptions.client trusting the test certificate, host name checked) join rooms and relay
 * through it; an unencrypted client and a client checking the wrong host name stay out (seen
 * in the gdwire_dtls_* metrics); refused room requests and an auth timeout are counted by
 * reason in /metrics; SIGTERM still tells every client. Then the start-up checks:
 * unreadable, wrong and mismatched files, half a pair, no DTLS addon — each one clear line.
 * Every process is stopped by pid; every wait is bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TLSOptions } from '../../src/core/crypto/tls-options.js';
import { Error } from '../../src/core/error.js';
import { decodeRpcArgs, encodeRpc } from '../../src/multiplayer/scene/scene-rpc-interface.js';
import { MemoryLogger } from '../../src/platform/memory-logger.js';
import { nodePlatform } from '../../src/platform/node-platform.js';
import { SceneClient, type SceneClientOptions } from '../../src/server/relay/testing/scene-client.js';
import { keyAndCert, PemDir, requireNative } from '../helpers/dtls.js';
import { waitFor } from '../helpers/networked-interop.js';
import { runGdwire, ServeProcess } from '../helpers/serve.js';

const bytes = (t: string): Uint8Array => Uint8Array.from(Buffer.from(t, 'latin1'));
const raw = (c: SceneClient): string[] => c.received.filter((r) => r.kind === 'raw').map((r) => `${r.from}:${Buffer.from(r.data).toString('latin1')}`);

/** The test certificate (CN=myserver) and its key as PEM files. */
function writePair(dir: PemDir): { cert: string; key: string } {
  const { key, cert } = keyAndCert('p256');
  return { cert: dir.write('server.crt', cert.saveToString()), key: dir.write('server.key', key.saveToString()) };
}

test('serve --dtls-cert/--dtls-key: encrypted Godot 4 clients relay in rooms; unencrypted and wrong-host clients stay out', { timeout: 90_000 }, async (t) => {
  if (!requireNative(t)) return;
  const pems = new PemDir();
  const files = writePair(pems);
  const trusted = TLSOptions.client(keyAndCert('p256').cert);
  const platform = nodePlatform({ logger: new MemoryLogger('warn') });
  const clients: SceneClient[] = [];
  let serve: ServeProcess | null = null;
  const show = (): string => [
    ...clients.map((c) => `${c.name} ${c.id}: ${JSON.stringify(c.log)} raw ${JSON.stringify(raw(c))}`),
    serve?.describe() ?? '',
  ].join('\n');
  const client = async (name: string, room: string | SceneClientOptions['auth'], dtls: SceneClientOptions['dtls']): Promise<SceneClient> => {
    const c = new SceneClient({ platform, name, auth: typeof room === 'string' ? { room } : room, ...(dtls ? { dtls } : {}) });
    clients.push(c);
    assert.equal(await c.connect('127.0.0.1', serve?.udpPort ?? 0), Error.OK, `${name} connect`);
    return c;
  };
  try {
    serve = await ServeProcess.start(['--dtls-cert', files.cert, '--dtls-key', files.key, '--room-size', '4']);
    const tls = { hostname: 'myserver', options: trusted };
    const a1 = await client('a1', 'red', tls);
    const a2 = await client('a2', 'red', tls);
    const b1 = await client('b1', 'blue', tls);
    const b2 = await client('b2', 'blue', tls);
    await waitFor(() => [a1, a2, b1, b2].every((c) => c.connected) && a1.peers.size === 1 && b1.peers.size === 1, 15_000, 'DTLS clients admitted to their rooms', show);
    assert.deepEqual([...a1.peers], [a2.id]);
    assert.deepEqual([...b2.peers], [b1.id]);

    a1.sendBytes(bytes('hello red'), 0);
    a1.send(a2.id, encodeRpc({ nodeId: 1, methodId: 3, args: ['jump', 2.5] }));
    b1.sendBytes(bytes('hello blue'), b2.id);
    await waitFor(() => raw(a2).length === 1 && raw(b2).length === 1 && a2.received.some((r) => r.kind === 'rpc'), 5000, 'relayed in each room', show);
    assert.deepEqual(raw(a2), [`${a1.id}:hello red`]);
    assert.deepEqual(raw(b2), [`${b1.id}:hello blue`]);
    assert.deepEqual([raw(b1), raw(a1)], [[], []], 'nothing crosses rooms or comes back');
    const rpc = a2.received.find((r) => r.kind === 'rpc')?.rpc;
    const args = rpc ? decodeRpcArgs(rpc) : null;
    assert.ok(args?.ok && args.value[0] === 'jump' && args.value[1] === 2.5, show());

    // A client without DTLS: its CONNECTs are dropped before ENet (ENet retries them).
    const dropsBefore = await serve.metric('gdwire_dtls_dropped_datagrams_total');
    const plain = await client('plain', 'red', undefined);
    assert.ok(await serve.waitForMetric('gdwire_dtls_dropped_datagrams_total', dropsBefore + 2, 10_000) >= dropsBefore + 2, `plain CONNECTs dropped\n${show()}`);
    // A client that checks another host name: its handshake fails.
    const wrongHost = await client('wrong-host', 'red', { hostname: 'not-myserver', options: trusted });
    assert.ok(await serve.waitForMetric('gdwire_dtls_handshakes_total{result="failed"}', 1, 10_000) >= 1, `wrong host name refused\n${show()}`);
    assert.ok(!plain.connected && !wrongHost.connected, show());
    assert.equal(await serve.metric('gdwire_dtls_handshakes_total{result="ok"}'), 4, show());

    const state = await serve.waitForState((st) => st.peers.length === 4, 5000);
    assert.deepEqual(state.rooms.map((r) => [r.id, [...r.peers].sort()]).sort(),
      [['blue', [b1.id, b2.id].sort()], ['red', [a1.id, a2.id].sort()]], show());
    assert.ok(state.dtls && state.dtls['handshakes'] === 4, JSON.stringify(state.dtls));
    assert.ok((await serve.metrics()).includes('gdwire_peers{state="connected"} 4'), show());

    // Refusals by reason in /metrics: listed at 0 from the start, then counted.
    const before = await serve.metrics();
    for (const r of ['bad-room-request', 'bad-room-name', 'auth-timeout', 'channel-unavailable', 'other-room']) {
      assert.ok(before.split('\n').includes(`gdwire_relay_drops_total{reason="${r}"} 0`), `${r} listed at 0`);
    }
    await client('bad-name', 'no/slash', tls);
    await client('bad-request', { payload: bytes('let me in') }, tls);
    await client('silent', { room: 'red', style: 'never' }, tls); // never completes auth: 3 s
    for (const r of ['bad-room-name', 'bad-room-request', 'auth-timeout']) {
      assert.equal(await serve.waitForMetric(`gdwire_relay_drops_total{reason="${r}"}`, 1, 10_000), 1, `${r} counted\n${show()}`);
    }

    assert.equal(await serve.stop(), 0, show());
    await waitFor(() => [a1, a2, b1, b2].every((c) => c.log.includes('server_disconnected')), 5000, 'every DTLS client told', show);
  } finally {
    for (const c of clients) c.close();
    await serve?.dispose();
    pems.dispose();
  }
});

test('serve refuses to start on bad DTLS files, half a pair, or without the DTLS addon — one clear line each', { timeout: 90_000 }, async (t) => {
  if (!requireNative(t)) return;
  const pems = new PemDir();
  try {
    const good = writePair(pems);
    const other = keyAndCert('p256', 'CN=other', undefined, undefined, 'mismatch');
    const otherKey = pems.write('other.key', other.key.saveToString());
    const junk = pems.write('junk.pem', 'not a pem file\n');
    const missing = `${pems.dir}/missing.crt`;
    const cases: Array<{ args: string[]; env?: NodeJS.ProcessEnv; code: number; re: RegExp }> = [
      { args: ['--dtls-cert', missing, '--dtls-key', good.key], code: 2, re: /--dtls-cert: cannot read ".*missing\.crt"/ },
      { args: ['--dtls-cert', junk, '--dtls-key', good.key], code: 2, re: /--dtls-cert: ".*junk\.pem" holds no valid PEM certificate/ },
      { args: ['--dtls-cert', good.cert, '--dtls-key', good.cert], code: 2, re: /--dtls-key: ".*server\.crt" holds no PEM private key/ },
      { args: ['--dtls-cert', good.cert, '--dtls-key', otherKey], code: 2, re: /--dtls-key ".*other\.key" does not match the certificate in --dtls-cert ".*server\.crt" \(subject CN=myserver/ },
      { args: [], env: { GDWIRE_DTLS_CERT: good.cert }, code: 2, re: /--dtls-cert and --dtls-key go together \(--dtls-key is missing\)/ },
      { args: ['--dtls-cert', good.cert, '--dtls-key', good.key], env: { GDWIRE_NATIVE: `${pems.dir}/no-addon.node` }, code: 1, re: /DTLS is unavailable in this build/ },
    ];
    for (const c of cases) {
      const r = await runGdwire(['serve', '--port', '0', '--http-port', 'off', ...c.args], c.env ?? {});
      const lines = r.stderr.trim().split('\n');
      assert.equal(r.code, c.code, `${c.args.join(' ')}: exit code\n${r.stderr}`);
      assert.equal(lines.length, 1, `one line: ${r.stderr}`);
      assert.match(lines[0] ?? '', c.re);
      assert.match(lines[0] ?? '', /^gdwire: /);
    }
    const help = await runGdwire(['serve', '--help']);
    assert.equal(help.code, 0);
    for (const re of [/--dtls-cert <file>/, /--dtls-key <file>/, /GDWIRE_DTLS_CERT/, /GDWIRE_DTLS_KEY/, /dtls_client_setup/, /use_dtls/]) assert.match(help.stdout, re);
  } finally {
    pems.dispose();
  }
});
