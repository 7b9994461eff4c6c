/**
 * DTLS over ENet with real Godot 3.2.3 clients (test/godot/relay_godot3_client.gd: rpc_id,
 * rpc to all, send_bytes, put_packet between two games).
 *
 * Debian's godot3-server — the only Godot 3 build CI can install — links the system ENet,
 * which has no DTLS: it accepts `use_dtls = true` and still sends plain ENet (checked below,
 * from the relay's side). So:
 * 1. `gdwire serve --godot 3 --dtls-cert/--dtls-key` relays between two Godot 3.2.3 games whose
 *    ENet datagrams travel through DTLS tunnels (test/helpers/dtls-tunnel.ts: one ENet datagram
 *    = one DTLS record, the framing of DTLS over ENet; certificate and host name verified);
 * 2. the same games with `use_dtls`, `dtls_verify`, `set_dtls_certificate` (and `dtls_hostname`
 *    where the build has it) against the same server: with a build that really encrypts, the
 *    RPCs must be relayed; with Debian's, the plain CONNECTs must be refused before ENet (no
 *    handshake, no peer) and the relaying part is reported as skipped;
 * 3. a gdwire NetworkedMultiplayerENet server with use_dtls relays between tunnelled Godot
 *    3.2.3 games too.
 * Skips visibly without godot3-server or the DTLS addon (fails then under
 * GDWIRE_REQUIRE_INTEROP=1). Every process is stopped by pid; every wait is bounded.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { TLSOptions } from '../../src/core/crypto/tls-options.js';
import { Error } from '../../src/core/error.js';
import { NetworkedMultiplayerENet } from '../../src/modules/enet/networked-multiplayer-enet.js';
import { MemoryLogger } from '../../src/platform/memory-logger.js';
import { nodePlatform } from '../../src/platform/node-platform.js';
import { keyAndCert, PemDir, requireNative, type KeyAndCert } from '../helpers/dtls.js';
import { DtlsTunnel } from '../helpers/dtls-tunnel.js';
import { GodotPeer, requireGodot3 } from '../helpers/godot.js';
import { expectRelayed, godotIds } from '../helpers/relay-godot3.js';
import { ServeProcess } from '../helpers/serve.js';

/** Godot 3.2 verifies the server against the address given to create_client: `localhost`. */
const HOST = 'localhost';
const TIMEOUT = 90_000;

function pair(): KeyAndCert {
  return keyAndCert('rsa2048', `CN=${HOST},O=gdwire,C=IT`);
}

function setup(t: TestContext): string | null {
  if (!requireNative(t)) return null;
  return requireGodot3(t);
}

interface Session {
  pems: PemDir;
  files: { cert: string; key: string };
  godots: GodotPeer[];
  tunnels: DtlsTunnel[];
  serve: ServeProcess | null;
}

function session(): Session {
  const pems = new PemDir();
  const { key, cert } = pair();
  return { pems, files: { cert: pems.write('server.crt', cert.saveToString()), key: pems.write('server.key', key.saveToString()) }, godots: [], tunnels: [], serve: null };
}

function describe(s: Session, extra = ''): string {
  return [extra, ...s.tunnels.map((x, i) => `--- tunnel ${i}: up ${x.up} down ${x.down} status ${x.status}`),
    ...s.godots.map((g) => g.describe()), s.serve?.describe() ?? ''].join('\n');
}

async function dispose(s: Session): Promise<void> {
  for (const g of s.godots) await g.dispose();
  for (const x of s.tunnels) x.close();
  await s.serve?.dispose();
  s.pems.dispose();
}

/** Two Godot clients, each behind its own tunnel to 127.0.0.1:`port`. */
async function tunnelledGodots(s: Session, bin: string, port: number): Promise<void> {
  for (const name of ['A', 'B']) {
    const tunnel = await DtlsTunnel.open(port, HOST, TLSOptions.client(pair().cert));
    s.tunnels.push(tunnel);
    s.godots.push(GodotPeer.start({ bin, script: 'relay_godot3_client.gd', timeoutMs: 40_000, args: { port: tunnel.port, name, timeout: 35 } }));
  }
}

test('serve --godot 3 --dtls-cert/--dtls-key relays RPCs between real Godot 3.2.3 games (ENet datagrams in DTLS tunnels)', { timeout: TIMEOUT }, async (t) => {
  const bin = setup(t);
  if (!bin) return;
  const s = session();
  const show = (): string => describe(s);
  try {
    s.serve = await ServeProcess.start(['--godot', '3', '--dtls-cert', s.files.cert, '--dtls-key', s.files.key]);
    await tunnelledGodots(s, bin, s.serve.udpPort);
    const ids = await godotIds(s.godots) as [number, number];
    await expectRelayed(t, s.godots as [GodotPeer, GodotPeer], ids, show);
    const state = await s.serve.waitForState((st) => st.peers.length === 2, 5000);
    assert.deepEqual(state.rooms.map((r) => [r.id, [...r.peers].sort()]), [['default', [...ids].sort()]], show());
    assert.equal(state.dtls?.['handshakes'], 2, show());
    assert.equal(await s.serve.metric('gdwire_dtls_handshakes_total{result="ok"}'), 2);
    // The 3.2 core's own drop reasons are listed (at 0), not the SceneMultiplayer ones.
    const metrics = (await s.serve.metrics()).split('\n');
    assert.ok(metrics.includes('gdwire_relay_drops_total{reason="bad-peer-id"} 0') && !metrics.some((l) => l.includes('reason="other-room"')));
    assert.ok(s.tunnels.every((x) => x.up > 5 && x.down > 5), show());

    assert.equal(await s.serve.stop(), 0, show());
    for (const g of s.godots) {
      const r = await g.finish();
      assert.ok(r.ok && g.stdout.includes('SIGNAL server_disconnected'), `graceful stop reaches the Godot game through DTLS\n${show()}`);
    }
  } finally {
    await dispose(s);
  }
});

test('Godot 3.2.3 games with use_dtls / dtls_verify / set_dtls_certificate against serve --godot 3 with DTLS', { timeout: TIMEOUT }, async (t) => {
  const bin = setup(t);
  if (!bin) return;
  const s = session();
  const show = (): string => describe(s);
  try {
    s.serve = await ServeProcess.start(['--godot', '3', '--dtls-cert', s.files.cert, '--dtls-key', s.files.key]);
    const serve = s.serve;
    for (const name of ['A', 'B']) {
      s.godots.push(GodotPeer.start({
        bin, script: 'relay_godot3_client.gd', timeoutMs: 40_000,
        args: { port: serve.udpPort, host: HOST, name, timeout: 35, 'dtls-cert': s.files.cert, 'dtls-verify': 1, 'dtls-hostname': HOST },
      }));
    }
    for (const g of s.godots) await g.waitForLine(/^DTLS use_dtls=True hostname=(yes|no)$/);
    const ids = await godotIds(s.godots) as [number, number];
    // Either both handshakes complete (a build with DTLS over ENet) or ENet's CONNECT and
    // its retries (≥ 2 per game) arrive in clear and are dropped before ENet.
    const until = performance.now() + 20_000;
    let ok = 0;
    let dropped = 0;
    for (let i = 0; i < 1000 && performance.now() < until; i++) {
      ok = await serve.metric('gdwire_dtls_handshakes_total{result="ok"}');
      dropped = await serve.metric('gdwire_dtls_dropped_datagrams_total');
      if (ok >= 2 || dropped >= 4) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    if (ok >= 2) {
      await expectRelayed(t, s.godots as [GodotPeer, GodotPeer], ids, show);
      return;
    }
    assert.ok(dropped >= 4, `neither DTLS handshakes nor dropped plain datagrams\n${show()}`);
    const metrics = await serve.metrics();
    for (const series of ['gdwire_dtls_handshakes_total{result="ok"} 0', 'gdwire_dtls_handshakes_total{result="failed"} 0',
      'gdwire_dtls_cookie_exchanges_total 0', 'gdwire_peers{state="connected"} 0', 'gdwire_peer_connects_total 0']) {
      assert.ok(metrics.split('\n').includes(series), `${series}: no DTLS record ever came, nobody got in\n${show()}`);
    }
    assert.ok(s.godots.every((g) => !g.stdout.includes('SIGNAL connected_to_server')), show());
    const why = 'this Godot 3 build accepts use_dtls but sends plain ENet (Debian\'s 3.2.3 links the system ENet, which has no DTLS): '
      + 'its CONNECTs were refused by the DTLS relay as they must be; relaying with real Godot over DTLS runs through tunnels in the test before';
    t.diagnostic(`SKIPPED (relaying part): ${why}`);
  } finally {
    await dispose(s);
  }
});

test('gdwire NetworkedMultiplayerENet server with use_dtls relays between real Godot 3.2.3 games (DTLS tunnels)', { timeout: TIMEOUT }, async (t) => {
  const bin = setup(t);
  if (!bin) return;
  const s = session();
  const logger = new MemoryLogger('warn');
  const server = new NetworkedMultiplayerENet({ platform: nodePlatform({ logger }) });
  const seen: string[] = [];
  server.on('peer_connected', (id) => seen.push(`+${id}`));
  server.on('packet', () => {}); // Node mode: serviced as datagrams arrive
  const show = (): string => describe(s, `--- gdwire server: ${JSON.stringify(seen)} log ${JSON.stringify(logger.entries.map((e) => e.message))}`);
  try {
    const { key, cert } = pair();
    server.useDtls = true;
    server.setDtlsKey(key);
    server.setDtlsCertificate(cert);
    server.setBindIp('127.0.0.1');
    assert.equal(await server.createServer(0), Error.OK);
    const port = server.getHost()?.getLocalPort() ?? 0;
    await tunnelledGodots(s, bin, port);
    const ids = await godotIds(s.godots) as [number, number];
    await expectRelayed(t, s.godots as [GodotPeer, GodotPeer], ids, show);
    assert.deepEqual([...seen].sort(), ids.map((id) => `+${id}`).sort());
    assert.equal(server.getHost()?.getDtlsStatistics()?.handshakes, 2, show());
    server.closeConnection();
    for (const g of s.godots) {
      const r = await g.finish();
      assert.ok(r.ok && g.stdout.includes('SIGNAL server_disconnected'), show());
    }
  } finally {
    if (server.getConnectionStatus() !== 0) server.closeConnection();
    await dispose(s);
  }
});
