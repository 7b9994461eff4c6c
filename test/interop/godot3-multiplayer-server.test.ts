/**
 * A gdwire NetworkedMultiplayerENet server (polled) with two real Godot 3.2.3 clients
 * (test/godot/mp3_peer.gd, remote-controlled by "CMD …" packets) and a gdwire client (Node
 * mode) mixed in, over 127.0.0.1: Godot's signal order, ADD_PEER notices from gdwire, every
 * transfer mode to every kind of target from the server and from a Godot client (relayed by
 * gdwire, get_packet_peer() = the original sender in Godot), refuse_new_connections,
 * disconnect_peer now and later, and the server shutting down; then each compression mode with
 * a Godot client. Bounded (≤ 30 s each); Godot's output and gdwire's view are printed on failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { zstdAvailable } from '../../src/modules/enet/compression/index.js';
import { freeUdpPort, GodotPeer, requireGodot3 } from '../helpers/godot.js';
import { checkDelivery, connectClient, GdPeer, godotLines, sleep, unreliableText, waitFor } from '../helpers/networked-interop.js';

const U = 0;
const O = 1;
const R = 2;
const MODES = [U, O, R];
const ch = (mode: number): number => (mode === R ? 1 : 2);

test('gdwire server with two Godot 3.2.3 clients and a gdwire client', { timeout: 30_000 }, async (t) => {
  const bin = requireGodot3(t);
  if (!bin) return;
  const port = await freeUdpPort();
  const server = new GdPeer('server', false, (p) => p.setBindIp('127.0.0.1'));
  const d = new GdPeer('D', true);
  const godots: GodotPeer[] = [];
  const godot = (name: string): GodotPeer => {
    const g = GodotPeer.start({ bin, script: 'mp3_peer.gd', timeoutMs: 27_000, args: { role: 'client', port, timeout: 24, name } });
    godots.push(g);
    return g;
  };
  const show = (): string => [server.describe(), d.describe(), ...godots.map((g) => g.describe())].join('\n');
  try {
    assert.equal(await server.peer.createServer(port), Error.OK);
    const g1 = godot('g1');
    const id1 = Number((await g1.waitForLine(/^GDWIRE_ID (\d+)$/))[1]);
    await g1.waitForLine(/^SIGNAL connection_succeeded$/);
    assert.deepEqual(godotLines(g1, /^SIGNAL (.*)$/), ['peer_connected 1', 'connection_succeeded'], 'Godot: peer_connected(1) first');
    await waitFor(() => server.signals.includes(`peer_connected ${id1}`), 3000, 'the server registers g1', show);
    const g2 = godot('g2');
    const id2 = Number((await g2.waitForLine(/^GDWIRE_ID (\d+)$/))[1]);
    await g2.waitForLine(new RegExp(`^SIGNAL peer_connected ${id1}$`));
    await g1.waitForLine(new RegExp(`^SIGNAL peer_connected ${id2}$`));
    await connectClient(d, port, show);
    await g1.waitForLine(new RegExp(`^SIGNAL peer_connected ${d.id}$`));
    await g2.waitForLine(new RegExp(`^SIGNAL peer_connected ${d.id}$`));
    await waitFor(() => d.signals.length === 4, 2000, 'D learns both Godot clients', show);
    assert.deepEqual(d.signals, ['peer_connected 1', 'connection_succeeded', ...[id1, id2].sort((x, y) => x - y).map((i) => `peer_connected ${i}`)]);
    assert.deepEqual(server.signals, [id1, id2, d.id].map((i) => `peer_connected ${i}`));
    assert.equal(server.peer.getPeerAddress(id1), '127.0.0.1');

    // the server's own packets: broadcast, one peer, all but one
    for (const mode of MODES) for (const target of [0, id1, -id1]) assert.equal(server.send(target, mode, `s:${target}:${mode}`), Error.OK);
    // g1's packets, on command: every target kind, relayed by gdwire
    const g1Targets = [0, 1, id2, -id2, -1, d.id];
    for (const mode of MODES) for (const target of g1Targets) server.send(id1, R, `CMD send ${target} ${mode} -1 g1:${target}:${mode}`);
    server.send(id1, R, `CMD send ${id2} ${R} -1 g1:done`);
    // D's packets through the relay
    d.send(id2, R, 'd:to-g2');
    d.send(-id1, U, 'd:not-g1:0');
    d.send(id2, R, 'd:done');
    await g2.waitForLine(/^RECV .* g1:done$/);
    await g2.waitForLine(/^RECV .* d:done$/);
    await sleep(150);

    const recv = (g: GodotPeer, prefix: string): string[] => godotLines(g, new RegExp(`^RECV (from=\\d+ ch=\\d+ ${prefix}:.*)$`));
    const includes = (tg: number, to: number): boolean => tg === 0 || tg === to || (tg < 0 && -tg !== to);
    const fromServer = (to: number): string[] => MODES.flatMap((m) => [0, id1, -id1]
      .filter((tg) => includes(tg, to)).map((tg) => `from=1 ch=${ch(m)} s:${tg}:${m}`));
    const fromG1 = (to: number): string[] => MODES.flatMap((m) => g1Targets
      .filter((tg) => includes(tg, to)).map((tg) => `${id1} ${ch(m)} g1:${tg}:${m}`));
    const asGodot = (l: string): string => `from=${l.replace(' ', ' ch=')}`;
    const lost = [
      ...checkDelivery(recv(g1, 's'), fromServer(id1), `g1 got the server's packets\n${show()}`),
      ...checkDelivery(recv(g2, 's'), fromServer(id2), `g2 got the server's packets\n${show()}`),
      ...checkDelivery(d.received().filter((x) => x.includes(' s:')), fromServer(d.id).map((l) => l.replace(/^from=(\d+) ch=(\d+) /, '$1 $2 ')), `D: the server's packets\n${show()}`),
      ...checkDelivery(recv(g2, 'g1').filter((l) => !l.endsWith('g1:done')), fromG1(id2).map(asGodot),
        `g2: packets relayed from g1 keep g1 as get_packet_peer()\n${show()}`),
      ...checkDelivery(d.received().filter((x) => x.includes(' g1:')), fromG1(d.id), `D: relayed from g1\n${show()}`),
      ...checkDelivery(server.received().filter((x) => x.includes(' g1:')), fromG1(1), `server: from g1\n${show()}`),
      ...checkDelivery(recv(g2, 'd'), [`from=${d.id} ch=1 d:done`, `from=${d.id} ch=1 d:to-g2`, `from=${d.id} ch=2 d:not-g1:0`], 'g2: from D'),
      ...checkDelivery(server.received().filter((x) => x.includes(' d:')), [`${d.id} 2 d:not-g1:0`], 'server: from D'),
    ];
    assert.deepEqual(recv(g1, 'd'), [], 'g1 is excluded from D\'s packet');
    for (const p of [...d.packets, ...server.packets]) {
      const text = Buffer.from(p.data).toString('latin1');
      if (/:\d$/.test(text)) assert.equal(p.mode, Number(text.slice(-1)), `${text}: arrives with the mode it was sent with`);
    }
    const sentUnreliable = [fromServer(id1), fromServer(id2), fromServer(d.id), fromG1(id2), fromG1(d.id), fromG1(1)].flat().filter(unreliableText).length;
    if (lost.length > 0) t.diagnostic(`unreliable packets dropped on the way (ENet may): ${lost.join(', ')}`);
    assert.ok(lost.length * 2 < sentUnreliable, `most unreliable packets arrive (${lost.length} of ${sentUnreliable} lost)`);
    assert.deepEqual(godotLines(g1, /^RESULT (\d+)$/).filter((r) => r !== '0'), [], "all of g1's sends accepted");

    // refuse_new_connections: gdwire's host ignores the CONNECT (as Godot's own ENet patch does)
    server.peer.refuseNewConnections = true;
    const g3 = godot('g3');
    await g3.waitForLine(/^GDWIRE_ID/);
    await sleep(1500);
    assert.equal(server.signals.length, 3, `no new peer while refusing\n${show()}`);
    assert.deepEqual(godotLines(g3, /^SIGNAL (.*)$/), [], 'the refused Godot client never connects');
    g3.kill();
    server.peer.refuseNewConnections = false;

    // disconnect_peer(g2, now): g2 sees server_disconnected, the others a REMOVE_PEER
    server.peer.disconnectPeer(id2, true);
    assert.deepEqual(server.signals.slice(-1), [`peer_disconnected ${id2}`]);
    await g2.waitForLine(/^SIGNAL server_disconnected$/);
    await g1.waitForLine(new RegExp(`^SIGNAL peer_disconnected ${id2}$`));
    await waitFor(() => d.signals.includes(`peer_disconnected ${id2}`), 2000, 'D hears g2 leave', show);
    assert.ok((await g2.finish()).ok, show());
    // disconnect_peer(D) (later): D sees server_disconnected, g1 a REMOVE_PEER
    const dId = d.id;
    server.peer.disconnectPeer(dId);
    await waitFor(() => d.signals.includes('server_disconnected'), 3000, 'D disconnected', show);
    await g1.waitForLine(new RegExp(`^SIGNAL peer_disconnected ${dId}$`));
    await waitFor(() => server.signals.includes(`peer_disconnected ${dId}`), 2000, 'server signal for D', show);
    // the server shuts down: g1 sees server_disconnected and exits
    server.peer.closeConnection();
    await g1.waitForLine(/^SIGNAL server_disconnected$/);
    assert.ok((await g1.finish()).ok, show());
    assert.deepEqual(server.logger.entries.filter((e) => e.level === 'error').map((e) => e.message), [], 'no error on the gdwire server');
  } finally {
    server.dispose();
    d.dispose();
    for (const g of godots) await g.dispose();
  }
});

test('gdwire server, Godot 3.2.3 client: every compression mode on both ends', { timeout: 30_000 }, async (t) => {
  const bin = requireGodot3(t);
  if (!bin) return;
  for (const mode of [1, 2, 3, 4]) {
    if (mode === 4 && !zstdAvailable()) {
      t.diagnostic('COMPRESS_ZSTD skipped: the zstd addon is not available');
      continue;
    }
    const port = await freeUdpPort();
    const server = new GdPeer(`server/${mode}`, true, (p) => {
      p.setBindIp('127.0.0.1');
      p.compressionMode = mode;
    });
    let g: GodotPeer | null = null;
    const show = (): string => `${server.describe()}\n${g?.describe() ?? ''}`;
    try {
      assert.equal(await server.peer.createServer(port), Error.OK);
      g = GodotPeer.start({ bin, script: 'mp3_peer.gd', timeoutMs: 8_000, args: { role: 'client', port, compression: mode, timeout: 6 } });
      const gid = Number((await g.waitForLine(/^GDWIRE_ID (\d+)$/))[1]);
      await waitFor(() => server.signals.includes(`peer_connected ${gid}`), 4000, `compression ${mode}: Godot connects`, show);
      const body = 'squeeze me '.repeat(30);
      for (let i = 0; i < 4; i++) server.send(gid, R, `s:${i}:${body}`);
      for (let i = 0; i < 4; i++) server.send(gid, R, `CMD send 1 ${R} -1 g:${i}:${body}`);
      await waitFor(() => server.packets.length === 4, 4000, `compression ${mode}: Godot's packets`, show);
      assert.ok(server.packets.every((p) => Buffer.from(p.data).toString('latin1').endsWith(body)), 'intact');
      await g.waitForLine(/^RECV from=1 ch=\d s:3:/);
      assert.equal(godotLines(g, /^RECV from=1 ch=\d (s:\d):/).length, 4, `Godot decoded gdwire's compressed packets\n${show()}`);
      server.peer.closeConnection();
      assert.ok((await g.finish()).ok, show());
    } finally {
      server.dispose();
      await g?.dispose();
    }
  }
});
