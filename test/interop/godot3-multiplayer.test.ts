/**
 * gdwire NetworkedMultiplayerENet clients with a real Godot 3.2.3 NetworkedMultiplayerENet
 * server (test/godot/mp3_peer.gd, remote-controlled by "CMD …" packets) over 127.0.0.1
 * (Godot 3.2.3's ENet is IPv4-only):
 * 1. two gdwire clients (one in the Node mode, one polled): ids and signal order, Godot's
 *    ADD_PEER notices, every transfer mode to every kind of target (broadcast, server, one
 *    peer, all-but-one, all-but-server), relay by Godot with the original sender kept, Godot's
 *    own sends, a forged source dropped by Godot, refuse_new_connections, disconnect_peer,
 *    close_connection seen as server_disconnected;
 * 2. each compression mode on both ends.
 * Each test is bounded (≤ 30 s) and prints Godot's output and gdwire's view on failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { zstdAvailable } from '../../src/modules/enet/compression/index.js';
import { ENetPacketPeer } from '../../src/modules/enet/enet-packet-peer.js';
import { encodePacket } from '../../src/modules/enet/networked-protocol.js';
import { freeUdpPort, GodotPeer, requireGodot3 } from '../helpers/godot.js';
import { checkDelivery, connectClient, GdPeer, godotLines, sleep, unreliableText, waitFor } from '../helpers/networked-interop.js';

/** Wraps the client's ENet compressor to count datagrams really compressed / decompressed. */
function countCompression(p: GdPeer): { compressed: number; decompressed: number } {
  const host = p.peer.getHost()?.enetHost;
  const inner = host?.compressor;
  assert.ok(host && inner, 'a compressor is installed');
  const counts = { compressed: 0, decompressed: 0 };
  host.setCompressor({
    compress: (input, output) => {
      const n = inner.compress(input, output);
      if (n > 0) counts.compressed++;
      return n;
    },
    decompress: (input, output) => {
      const n = inner.decompress(input, output);
      if (n > 0) counts.decompressed++;
      return n;
    },
  });
  return counts;
}

const U = 0;
const O = 1;
const R = 2;
const MODES = [U, O, R];

test('Godot 3.2.3 server with two gdwire clients: modes, targets, relay, notices, refuse, kick, close', { timeout: 30_000 }, async (t) => {
  const bin = requireGodot3(t);
  if (!bin) return;
  const port = await freeUdpPort();
  const godot = GodotPeer.start({ bin, script: 'mp3_peer.gd', timeoutMs: 28_000, args: { role: 'server', port, timeout: 25 } });
  const a = new GdPeer('A', true);
  const b = new GdPeer('B', false);
  const c = new GdPeer('C', true);
  const show = (): string => [a, b, c].map((p) => p.describe()).join('\n') + `\n${godot.describe()}`;
  try {
    await godot.waitForLine(/^GDWIRE_LISTENING/);
    await connectClient(a, port, show);
    assert.deepEqual(a.signals, ['peer_connected 1', 'connection_succeeded'], 'peer_connected(1) before connection_succeeded');
    await godot.waitForLine(new RegExp(`^SIGNAL peer_connected ${a.id}$`));
    await connectClient(b, port, show);
    await waitFor(() => a.signals.includes(`peer_connected ${b.id}`) && b.signals.includes(`peer_connected ${a.id}`), 3000, 'ADD_PEER both ways', show);
    assert.deepEqual(b.signals, ['peer_connected 1', 'connection_succeeded', `peer_connected ${a.id}`]);

    // A → every target kind in every mode; Godot prints what the server got, B records the relayed rest
    const targets = [0, 1, b.id, -b.id, -1];
    for (const mode of MODES) for (const target of targets) assert.equal(a.send(target, mode, `a:${target}:${mode}`), Error.OK);
    a.send(1, R, 'a:transfer-channel', 2);
    a.send(1, R, 'a:done');
    await godot.waitForLine(/^RECV .* a:done$/);
    const relayedToB = MODES.flatMap((m) => [0, b.id, -1].map((tg) => `${a.id} ${m === R ? 1 : 2} a:${tg}:${m}`));
    await waitFor(() => relayedToB.filter((x) => !unreliableText(x)).every((x) => b.received().includes(x)), 3000, 'B got what was relayed to it', show);
    await sleep(100);
    const wantServer = MODES.flatMap((m) => [0, 1, -b.id].map((tg) => `from=${a.id} ch=${m === R ? 1 : 2} a:${tg}:${m}`));
    wantServer.push(`from=${a.id} ch=2 a:transfer-channel`, `from=${a.id} ch=1 a:done`);
    const lost = [
      ...checkDelivery(godotLines(godot, /^RECV (from=\d+ ch=\d+ a:.*)$/), wantServer, `what Godot's server got\n${show()}`),
      ...checkDelivery(b.received(), relayedToB, `what Godot relayed to B (original sender kept)\n${show()}`),
    ];
    assert.deepEqual(a.packets, []);

    // Godot's own sends, on command
    for (const [target, mode] of [[0, R], [a.id, U], [-a.id, O], [b.id, R]] as const) {
      a.send(1, R, `CMD send ${target} ${mode} -1 g:${target}:${mode}`);
    }
    await waitFor(() => a.received().includes(`1 1 g:0:${R}`) && b.received().includes(`1 1 g:${b.id}:${R}`), 3000, "Godot's sends", show);
    await sleep(100);
    lost.push(...checkDelivery(a.received(), [`1 1 g:0:${R}`, `1 2 g:${a.id}:${U}`], "A: Godot's sends"));
    lost.push(...checkDelivery(b.received().filter((x) => x.startsWith('1 ')), [`1 1 g:0:${R}`, `1 2 g:${-a.id}:${O}`, `1 1 g:${b.id}:${R}`], "B: Godot's sends"));
    for (const p of [...a.packets, ...b.packets]) {
      const text = Buffer.from(p.data).toString('latin1');
      assert.equal(p.mode, Number(text.slice(-1)), `${text}: arrives with the mode it was sent with (unsequenced vs sequenced)`);
    }
    if (lost.length > 0) t.diagnostic(`unreliable packets dropped on the way (ENet may): ${lost.join(', ')}`);
    assert.ok(lost.length <= 4, `most unreliable packets arrive (${lost.length} of 10 lost)`);
    // Godot's server refuses 1 and -1 as targets (it is not in its own peer map)
    a.send(1, R, `CMD send -1 ${R} -1 never`);
    await godot.waitForLine(/^RESULT 31$/);

    // a forged source is dropped by Godot (and not relayed)
    const raw = a.peer.getPeer(1);
    assert.ok(raw);
    raw.send(1, encodePacket(b.id, 0, Uint8Array.from(Buffer.from('forged'))), ENetPacketPeer.FLAG_RELIABLE);
    a.send(1, R, 'a:after-forged');
    await godot.waitForLine(/a:after-forged$/);
    await sleep(100);
    assert.ok(!/^RECV .* forged$/m.test(godot.stdout), `Godot accepted a forged source\n${show()}`);
    assert.ok(!b.received().some((s) => s.endsWith(' forged')), 'not relayed either');
    await waitFor(() => godot.stderr.includes('source != *id'), 2000, "Godot's own error for a forged source", show);

    // refuse_new_connections: the Debian build (system ENet) resets the peer on CONNECT, so the
    // client's ENet handshake completes but Godot never registers it
    a.send(1, R, 'CMD refuse 1');
    await godot.waitForLine(/^CMD refuse 1$/);
    assert.equal(await c.peer.createClient('127.0.0.1', port), Error.OK);
    const cId = c.id;
    await sleep(1000);
    assert.ok(!godot.stdout.includes(`SIGNAL peer_connected ${cId}`), `a refused client was registered\n${show()}`);
    assert.ok(!a.signals.includes(`peer_connected ${cId}`), 'nor announced');
    t.diagnostic(`the refused client's own signals (Debian's build completes the ENet handshake): ${JSON.stringify(c.signals)}`);
    c.dispose();
    a.send(1, R, 'CMD refuse 0');

    // disconnect_peer(B, now): B sees server_disconnected, A a REMOVE_PEER
    const bId = b.id;
    a.send(1, R, `CMD kick ${bId} 1`);
    await waitFor(() => b.signals.includes('server_disconnected') && a.signals.includes(`peer_disconnected ${bId}`), 3000, 'kick', show);
    assert.equal(b.peer.getConnectionStatus(), 0, 'B closed itself');
    await godot.waitForLine(new RegExp(`^SIGNAL peer_disconnected ${bId}$`));

    // close_connection on Godot's side: A sees server_disconnected and closes
    a.send(1, R, 'CMD close');
    await waitFor(() => a.signals.includes('server_disconnected'), 3000, 'server shutdown', show);
    assert.equal(a.peer.getConnectionStatus(), 0);
    const r = await godot.finish();
    assert.ok(r.ok, `Godot did not finish cleanly\n${show()}`);
  } finally {
    for (const p of [a, b, c]) p.dispose();
    await godot.dispose();
  }
});

test('Godot 3.2.3 server, gdwire client: every compression mode on both ends', { timeout: 30_000 }, async (t) => {
  const bin = requireGodot3(t);
  if (!bin) return;
  for (const mode of [1, 2, 3, 4]) {
    if (mode === 4 && !zstdAvailable()) {
      t.diagnostic('COMPRESS_ZSTD skipped: the zstd addon is not available');
      continue;
    }
    const port = await freeUdpPort();
    const godot = GodotPeer.start({ bin, script: 'mp3_peer.gd', timeoutMs: 8_000, args: { role: 'server', port, compression: mode, timeout: 6 } });
    const a = new GdPeer(`A/${mode}`, true, (p) => { p.compressionMode = mode; });
    const show = (): string => `${a.describe()}\n${godot.describe()}`;
    try {
      await godot.waitForLine(/^GDWIRE_LISTENING/);
      await connectClient(a, port, show);
      const counts = countCompression(a);
      const body = 'compress me '.repeat(30);
      for (let i = 0; i < 5; i++) a.send(1, R, `a:${i}:${body}`);
      for (let i = 0; i < 5; i++) a.send(1, R, `CMD send ${a.id} ${R} -1 g:${i}:${body}`);
      await waitFor(() => a.packets.length === 5, 4000, `compression ${mode}: Godot's replies`, show);
      assert.deepEqual(a.received().map((s) => s.split(':')[1]).sort(), ['0', '1', '2', '3', '4']);
      assert.ok(a.packets.every((p) => Buffer.from(p.data).toString('latin1').endsWith(body)), 'intact');
      await godot.waitForLine(/^RECV .* a:4:/);
      assert.equal(godotLines(godot, /^RECV from=\d+ ch=1 (a:\d):/).length, 5, `Godot decoded gdwire's compressed packets\n${show()}`);
      assert.ok(counts.compressed > 0 && counts.decompressed > 0, `datagrams were compressed both ways (${JSON.stringify(counts)})`);
      a.send(1, R, 'CMD quit');
      assert.ok((await godot.finish()).ok, show());
    } finally {
      a.dispose();
      await godot.dispose();
    }
  }
});
