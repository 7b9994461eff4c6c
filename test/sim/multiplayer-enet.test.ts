/**
 * NetworkedMultiplayerENet (Godot 3.2) on the in-memory network with a fake clock: a server
 * and clients in Godot's polled model and in the Node mode — ids, signal order, ADD_PEER /
 * REMOVE_PEER, every transfer mode and target kind, relay attribution, the bytes on the wire
 * (taps decode every datagram), disconnects, refusal, forged packets, compression.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { ProtocolCommand, type Command } from '../../src/enet/protocol.js';
import { decodeDatagram } from '../../src/enet/wire-decode.js';
import { NetworkedMultiplayerENet } from '../../src/modules/enet/networked-multiplayer-enet.js';
import { ConnectionStatus, TransferMode } from '../../src/multiplayer/multiplayer-peer.js';
import { ascii, createMpSim, runSim, text, type MpNode, type MpSim } from '../helpers/networked-sim.js';

const { TRANSFER_MODE_UNRELIABLE: UNREL, TRANSFER_MODE_UNRELIABLE_ORDERED: ORDERED, TRANSFER_MODE_RELIABLE: REL } = TransferMode;
const PORT = 7777;

/** A server (10.0.0.1) and `n` clients connected one after the other. */
async function star(sim: MpSim, n: number, opts: { nodeMode?: boolean; setup?: (p: NetworkedMultiplayerENet) => void } = {}): Promise<{ server: MpNode; clients: MpNode[] }> {
  const server = sim.node('server', '10.0.0.1', { nodeMode: opts.nodeMode ?? false });
  opts.setup?.(server.peer);
  assert.equal(await server.peer.createServer(PORT), Error.OK);
  const clients: MpNode[] = [];
  for (let i = 0; i < n; i++) {
    const c = sim.node(`c${i}`, `10.0.1.${i + 1}`, { nodeMode: opts.nodeMode ?? false });
    opts.setup?.(c.peer);
    assert.equal(await c.peer.createClient('10.0.0.1', PORT), Error.OK);
    clients.push(c);
    assert.ok(await runSim(sim, 2000, () => c.signals.includes('connection_succeeded')), `${c.name} connected`);
  }
  const everyone = (): boolean => clients.every((c) => c.signals.filter((s) => s.startsWith('peer_connected')).length === n);
  assert.ok(await runSim(sim, 2000, everyone), 'every client knows every peer');
  return { server, clients };
}

function id(n: MpNode): number {
  return n.peer.getUniqueId();
}

test('ids, signal order and ADD_PEER notices', async () => {
  const sim = createMpSim();
  const { server, clients } = await star(sim, 3);
  const [a, b, c] = clients as [MpNode, MpNode, MpNode];
  for (const x of clients) {
    assert.ok(id(x) >= 2 && id(x) <= 0x7fffffff, 'a 31-bit id ≥ 2');
    assert.equal(x.peer.getConnectionStatus(), ConnectionStatus.CONNECTION_CONNECTED);
    assert.equal(x.peer.isServer(), false);
  }
  assert.equal(new Set(clients.map(id)).size, 3, 'distinct ids');
  assert.equal(id(server), 1);
  assert.deepEqual(server.signals, clients.map((x) => `peer_connected ${id(x)}`));
  // peer_connected(1) before connection_succeeded (Godot 3.2.3), then the others as ADD_PEER
  // notices: to a newcomer in ascending id order (Godot's sorted peer map).
  assert.deepEqual(a.signals, ['peer_connected 1', 'connection_succeeded', `peer_connected ${id(b)}`, `peer_connected ${id(c)}`]);
  assert.deepEqual(b.signals.slice(0, 2), ['peer_connected 1', 'connection_succeeded']);
  assert.deepEqual(b.signals.slice(2, 3), [`peer_connected ${id(a)}`]);
  assert.deepEqual(b.signals.slice(3), [`peer_connected ${id(c)}`]);
  assert.deepEqual(c.signals.slice(2), [id(a), id(b)].sort((x, y) => x - y).map((v) => `peer_connected ${v}`));
  assert.equal(server.peer.getPeerAddress(id(b)), '10.0.1.2');
  assert.equal(a.peer.getPeerAddress(1), '10.0.0.1');
  assert.equal(a.peer.getPeerPort(1), PORT);
  assert.equal(a.peer.getPeerAddress(id(b)), '', 'a client knows only the server address');
});

test('every transfer mode and target kind: who receives what, on which channel, from whom', async () => {
  const sim = createMpSim({ seed: 2 });
  const { server, clients } = await star(sim, 3);
  const [a, b, c] = clients as [MpNode, MpNode, MpNode];
  const sends: Array<[MpNode, number, TransferMode]> = [];
  for (const mode of [UNREL, ORDERED, REL]) for (const t of [0, 1, id(b), -id(b), -1]) sends.push([a, t, mode]);
  for (const mode of [UNREL, ORDERED, REL]) for (const t of [0, id(a), -id(a)]) sends.push([server, t, mode]);
  for (const [from, target, mode] of sends) {
    from.peer.setTargetPeer(target);
    from.peer.setTransferMode(mode);
    assert.equal(from.peer.putPacket(ascii(`${from.name}>${target}/${mode}`)), Error.OK);
  }
  await runSim(sim, 500);
  const got = (n: MpNode): string[] => n.packets.map((p) => `${p.peer}:${text(p.data)}@${p.channel}/${p.mode}`).sort();
  const expect = (n: MpNode): string[] => sends.filter(([from, t]) => {
    const me = id(n);
    if (from === n) return false;
    return t === 0 || t === me || (t < 0 && -t !== me);
  }).map(([from, t, mode]) => `${id(from)}:${from.name}>${t}/${mode}@${mode === REL ? 1 : 2}/${mode}`).sort();
  for (const n of [server, a, b, c]) assert.deepEqual(got(n), expect(n), `${n.name} received`);

  // a server is not in its own map: 1 and −1 are invalid targets there; unknown ids everywhere
  for (const [n, t] of [[server, 1], [server, -1], [server, 12345], [a, 12345], [a, id(a)]] as const) {
    n.peer.setTargetPeer(t);
    assert.equal(n.peer.putPacket(ascii('x')), Error.ERR_INVALID_PARAMETER, `${n.name} → ${t}`);
  }
});

test('bytes on the wire: channel 0 notices, the header, ENet flags per mode, DISCONNECT data', async () => {
  const sim = createMpSim({ seed: 3 });
  const seen: Array<{ from: string; to: string; c: Command }> = [];
  sim.base.net.tap((d) => {
    for (const c of decodeDatagram(d.data)?.commands ?? []) seen.push({ from: d.from.address, to: d.to.address, c });
  });
  const { clients } = await star(sim, 2);
  const [a, b] = clients as [MpNode, MpNode];
  const le = (v: number): string => Buffer.from(Uint32Array.of(v >>> 0).buffer).toString('hex');
  const connects = seen.filter((s) => s.c.type === ProtocolCommand.CONNECT).map((s) => (s.c as { data: number }).data);
  assert.deepEqual(connects, [id(a), id(b)], 'the client id rides in CONNECT data');
  const sys = seen.filter((s) => s.c.type === ProtocolCommand.SEND_RELIABLE && s.c.channelID === 0)
    .map((s) => `${s.to} ${Buffer.from((s.c as { data: Uint8Array }).data).toString('hex')}`);
  // as in the capture (enet_2clients_relay #10, #11): the datagram to the older peer leaves first
  assert.deepEqual(sys, [`10.0.1.1 00000000${le(id(b))}`, `10.0.1.2 00000000${le(id(a))}`], 'ADD_PEER both ways, 8 bytes LE');

  seen.length = 0;
  a.peer.setTargetPeer(-1);
  for (const mode of [UNREL, ORDERED, REL]) {
    a.peer.setTransferMode(mode);
    a.peer.putPacket(ascii('hi'));
  }
  a.peer.setAlwaysOrdered(true);
  a.peer.setTransferMode(UNREL);
  a.peer.putPacket(ascii('ao'));
  a.peer.setTransferChannel(2);
  a.peer.setTransferMode(REL);
  a.peer.putPacket(ascii('tc'));
  // put_packet flushes at once: the datagrams are on the wire before any poll
  const fromA = seen.filter((s) => s.from === '10.0.1.1' && 'data' in s.c);
  const header = `${le(id(a))}ffffffff`;
  assert.deepEqual(fromA.map((s) => [ProtocolCommand[s.c.type], s.c.channelID, Buffer.from((s.c as { data: Uint8Array }).data).toString('hex')]), [
    ['SEND_UNSEQUENCED', 2, `${header}6869`],
    ['SEND_UNRELIABLE', 2, `${header}6869`],
    ['SEND_RELIABLE', 1, `${header}6869`],
    ['SEND_UNRELIABLE', 2, `${header}616f`],
    ['SEND_RELIABLE', 2, `${header}7463`],
  ]);
  await runSim(sim, 100);
  const relayed = seen.filter((s) => s.from === '10.0.0.1' && s.to === '10.0.1.2' && 'data' in s.c && s.c.channelID !== 0);
  assert.deepEqual(relayed.map((s) => ProtocolCommand[s.c.type]), ['SEND_UNSEQUENCED', 'SEND_UNRELIABLE', 'SEND_RELIABLE', 'SEND_UNRELIABLE', 'SEND_RELIABLE'],
    'relayed copies keep the channel and flags');
  assert.ok(relayed.every((s) => Buffer.from((s.c as { data: Uint8Array }).data).toString('hex').startsWith(header)), 'and the original header');
  assert.deepEqual(b.packets.map((p) => [p.peer, p.channel, p.mode]), [[id(a), 2, UNREL], [id(a), 2, ORDERED], [id(a), 1, REL], [id(a), 2, ORDERED], [id(a), 2, REL]]);

  seen.length = 0;
  const aId = id(a);
  a.peer.closeConnection();
  const disc = seen.filter((s) => s.c.type === ProtocolCommand.DISCONNECT);
  assert.deepEqual(disc.map((s) => [s.from, (s.c as { data: number }).data]), [['10.0.1.1', aId]], 'close sends DISCONNECT with the client id, at once');
  await runSim(sim, 200);
  const rm = seen.filter((s) => s.c.type === ProtocolCommand.SEND_RELIABLE && s.c.channelID === 0);
  assert.deepEqual(rm.map((s) => `${s.to} ${Buffer.from((s.c as { data: Uint8Array }).data).toString('hex')}`), [`10.0.1.2 01000000${le(aId)}`]);
  assert.deepEqual(b.signals.slice(-1), [`peer_disconnected ${aId}`]);
});

test('Node mode: packet listeners and iterators, no poll() calls; signals as events', async () => {
  const sim = createMpSim({ seed: 4, conditions: { latency: 5 } });
  const { server, clients } = await star(sim, 2, { nodeMode: true });
  const [a, b] = clients as [MpNode, MpNode];
  assert.deepEqual(a.signals.slice(0, 2), ['peer_connected 1', 'connection_succeeded']);
  // an iterator on b as well as its listener: both get each packet
  const iterated: string[] = [];
  const loop = (async () => {
    for await (const p of b.peer) iterated.push(`${p.peer}:${text(p.data)}`);
  })();
  a.peer.setTargetPeer(id(b));
  a.peer.putPacket(ascii('one'));
  server.peer.setTargetPeer(0);
  server.peer.putPacket(ascii('two'));
  assert.ok(await runSim(sim, 200, () => iterated.length === 2));
  assert.deepEqual([...iterated].sort(), ['1:two', `${id(a)}:one`].sort(), 'the relayed packet (two hops) arrives after the direct one');
  assert.deepEqual(b.packets.map((p) => `${p.peer}:${text(p.data)}`), iterated);
  assert.equal(b.peer.getAvailablePacketCount(), 0, 'taken by the Node form, not queued');
  assert.deepEqual(server.packets.map((p) => text(p.data)), [], 'a packet to one client is not delivered to the server');
  const bId = id(b);
  b.peer.closeConnection();
  await loop; // iterators end on close
  assert.ok(await runSim(sim, 200, () => a.signals.includes(`peer_disconnected ${bId}`)));
  assert.deepEqual(server.signals.slice(-1), [`peer_disconnected ${bId}`]);
  server.peer.closeConnection();
  assert.ok(await runSim(sim, 200, () => a.signals.includes('server_disconnected')));
  assert.equal(a.peer.getConnectionStatus(), ConnectionStatus.CONNECTION_DISCONNECTED);
  await runSim(sim, 100);
  assert.equal(sim.base.clock.pendingTimers(), 0, 'nothing left armed after everything closed');
});

test('server shutdown: clients see server_disconnected and close; disconnectPeer now and later', async () => {
  const sim = createMpSim({ seed: 5 });
  const { server, clients } = await star(sim, 3);
  const [a, b, c] = clients as [MpNode, MpNode, MpNode];
  const [aId, bId] = [id(a), id(b)];
  server.peer.disconnectPeer(aId, true);
  assert.deepEqual(server.signals.slice(-1), [`peer_disconnected ${aId}`], 'now: the signal at once');
  server.peer.disconnectPeer(bId);
  assert.equal(server.signals.length, 4, 'later: nothing yet');
  await runSim(sim, 300);
  assert.deepEqual(a.signals.slice(-1), ['server_disconnected']);
  assert.equal(a.peer.getConnectionStatus(), ConnectionStatus.CONNECTION_DISCONNECTED);
  assert.deepEqual(b.signals.slice(-2), [`peer_disconnected ${aId}`, 'server_disconnected']);
  assert.equal(b.peer.getConnectionStatus(), ConnectionStatus.CONNECTION_DISCONNECTED);
  assert.deepEqual(server.signals.slice(-1), [`peer_disconnected ${bId}`]);
  assert.deepEqual(c.signals.slice(-2), [`peer_disconnected ${aId}`, `peer_disconnected ${bId}`]);
  server.peer.closeConnection();
  assert.equal(server.peer.getConnectionStatus(), ConnectionStatus.CONNECTION_DISCONNECTED);
  await runSim(sim, 300);
  assert.deepEqual(c.signals.slice(-1), ['server_disconnected']);
  assert.equal(c.peer.getConnectionStatus(), ConnectionStatus.CONNECTION_DISCONNECTED);
});

test('relayed broadcasts share one copy: the server app scribbling on its own packet changes nothing relayed', async () => {
  const sim = createMpSim({ seed: 9, conditions: { latency: 5 } });
  const { server, clients } = await star(sim, 3, { nodeMode: true });
  const [a, b, c] = clients as [MpNode, MpNode, MpNode];
  // The server's listener overwrites every packet it gets (the relayed copies are queued by then).
  server.peer.on('packet', (_from, data) => data.fill(0x21));
  a.peer.setTargetPeer(0);
  for (let i = 0; i < 20; i++) a.peer.putPacket(ascii(`broadcast ${i}`));
  const want = Array.from({ length: 20 }, (_, i) => `${id(a)}:broadcast ${i}`);
  const got = (n: MpNode): string[] => n.packets.map((p) => `${p.peer}:${text(p.data)}`);
  assert.ok(await runSim(sim, 500, () => got(b).length === 20 && got(c).length === 20));
  assert.deepEqual(got(b), want);
  assert.deepEqual(got(c), want);
  assert.equal(server.packets.length, 20);
  assert.ok(server.packets.every((p) => p.data.every((x) => x === 0x21)), 'the server app did scribble');
});
