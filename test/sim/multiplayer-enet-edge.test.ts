/**
 * NetworkedMultiplayerENet's defences and settings on the in-memory network: refused and
 * forged connections, forged sources, system messages from clients, server_relay off,
 * connection_failed, compression modes, DNS names, closing while a create is in flight, and
 * Godot's fallbacks when inactive. Each case checks the peer still works afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { decodeHeader } from '../../src/enet/wire-decode.js';
import { ENetConnection } from '../../src/modules/enet/enet-connection.js';
import { EventType } from '../../src/modules/enet/enet-connection-types.js';
import { ENetPacketPeer } from '../../src/modules/enet/enet-packet-peer.js';
import { NetworkedMultiplayerENet } from '../../src/modules/enet/networked-multiplayer-enet.js';
import { encodePacket, encodeSysMsg, SysMsg } from '../../src/modules/enet/networked-protocol.js';
import { zstdAvailable } from '../../src/modules/enet/compression/index.js';
import { ConnectionStatus, TransferMode } from '../../src/multiplayer/multiplayer-peer.js';
import { hostPlatform } from '../../src/platform/test-platform.js';
import { Rng } from '../helpers/rng.js';
import { ascii, createMpSim, runSim, text, type MpNode, type MpSim } from '../helpers/networked-sim.js';

const PORT = 7777;

async function serverWith(sim: MpSim, setup?: (p: NetworkedMultiplayerENet) => void): Promise<MpNode> {
  const server = sim.node('server', '10.0.0.1');
  setup?.(server.peer);
  assert.equal(await server.peer.createServer(PORT), Error.OK);
  return server;
}

async function client(sim: MpSim, name: string, address: string, setup?: (p: NetworkedMultiplayerENet) => void): Promise<MpNode> {
  const c = sim.node(name, address);
  setup?.(c.peer);
  assert.equal(await c.peer.createClient('10.0.0.1', PORT), Error.OK);
  const server = sim.nodes[0];
  const both = (): boolean => c.signals.includes('connection_succeeded') && server?.signals.includes(`peer_connected ${c.peer.getUniqueId()}`) === true;
  assert.ok(await runSim(sim, 2000, both), `${name} connected (both sides)`);
  return c;
}

/** A bare ENet host on its own simulated machine, connecting with arbitrary CONNECT data. */
async function rawConnect(sim: MpSim, address: string, data: number): Promise<ENetConnection> {
  const conn = new ENetConnection({ platform: hostPlatform(sim.base, sim.base.net.createHost(`raw${address}`, [address])) });
  assert.equal(await conn.createHost(1, 3), Error.OK);
  assert.ok(conn.connectToHost('10.0.0.1', PORT, 3, data));
  return conn;
}

function errors(sim: MpSim): string[] {
  return sim.base.logger.entries.filter((e) => e.level === 'error').map((e) => e.message);
}

test('ids 0, 1 and an id in use are reset without a signal; the server keeps working', async () => {
  const sim = createMpSim({ seed: 11 });
  const server = await serverWith(sim);
  const a = await client(sim, 'a', '10.0.1.1');
  const raws = [await rawConnect(sim, '10.0.2.1', 0), await rawConnect(sim, '10.0.2.2', 1), await rawConnect(sim, '10.0.2.3', a.peer.getUniqueId())];
  const events: EventType[] = [];
  await runSim(sim, 500, () => {
    for (const r of raws) for (let e = r.service(); e[0] !== EventType.EVENT_NONE; e = r.service()) events.push(e[0]);
    return false;
  });
  assert.deepEqual(server.signals, [`peer_connected ${a.peer.getUniqueId()}`], 'no peer_connected for the forged ids');
  assert.equal(errors(sim).filter((m) => m.includes('invalid or already used id')).length, 3);
  assert.ok(events.every((t) => t === EventType.EVENT_CONNECT), 'ENet-level connects (then silently reset, as in Godot)');
  const b = await client(sim, 'b', '10.0.1.2');
  assert.ok(server.signals.includes(`peer_connected ${b.peer.getUniqueId()}`));
  for (const r of raws) r.destroy();
});

test('refuseNewConnections: new clients never connect (connection_failed, still CONNECTING); create_server resets it', async () => {
  const sim = createMpSim({ seed: 12 });
  const server = sim.node('server', '10.0.0.1');
  server.peer.refuseNewConnections = true;
  assert.equal(await server.peer.createServer(PORT), Error.OK);
  assert.equal(server.peer.isRefusingNewConnections(), false, 'Godot 3.2.3 resets it in create_server');
  const a = await client(sim, 'a', '10.0.1.1');
  server.peer.setRefuseNewConnections(true);
  const b = sim.node('b', '10.0.1.2');
  assert.equal(await b.peer.createClient('10.0.0.1', PORT), Error.OK);
  assert.ok(await runSim(sim, 60_000, () => b.signals.includes('connection_failed'), 50), 'ENet gives up');
  assert.deepEqual(b.signals, ['connection_failed']);
  assert.equal(b.peer.getConnectionStatus(), ConnectionStatus.CONNECTION_CONNECTING, 'as in Godot 3.2.3: stays CONNECTING');
  b.peer.setTargetPeer(1);
  assert.equal(b.peer.putPacket(ascii('x')), Error.ERR_UNCONFIGURED);
  b.peer.closeConnection();
  assert.equal(b.peer.getConnectionStatus(), ConnectionStatus.CONNECTION_DISCONNECTED);
  assert.deepEqual(server.signals, [`peer_connected ${a.peer.getUniqueId()}`]);
  server.peer.refuseNewConnections = false;
  assert.equal(await b.peer.createClient('10.0.0.1', PORT), Error.OK);
  assert.ok(await runSim(sim, 2000, () => b.signals.includes('connection_succeeded')), 'accepted again');
});

test('forged source ids, system messages from clients, short packets and unknown targets are dropped', async () => {
  const sim = createMpSim({ seed: 13 });
  const server = await serverWith(sim);
  const a = await client(sim, 'a', '10.0.1.1');
  const b = await client(sim, 'b', '10.0.1.2');
  await runSim(sim, 200);
  const toServer = a.peer.getPeer(1);
  assert.ok(toServer instanceof ENetPacketPeer);
  const bId = b.peer.getUniqueId();
  toServer.send(1, encodePacket(bId, 0, ascii('forged')), ENetPacketPeer.FLAG_RELIABLE);
  toServer.send(0, encodeSysMsg(SysMsg.REMOVE_PEER, bId), ENetPacketPeer.FLAG_RELIABLE);
  toServer.send(1, ascii('short'), ENetPacketPeer.FLAG_RELIABLE);
  toServer.send(1, encodePacket(a.peer.getUniqueId(), 424242, ascii('nobody')), ENetPacketPeer.FLAG_RELIABLE);
  toServer.send(1, encodePacket(a.peer.getUniqueId(), 0, ascii('genuine')), ENetPacketPeer.FLAG_RELIABLE);
  await runSim(sim, 300);
  assert.deepEqual(server.packets.map((p) => text(p.data)), ['genuine']);
  assert.deepEqual(b.packets.map((p) => `${p.peer}:${text(p.data)}`), [`${a.peer.getUniqueId()}:genuine`]);
  assert.ok(!server.signals.includes(`peer_disconnected ${bId}`));
  const errs = errors(sim);
  for (const want of ['forged source', 'A client sent a system message', 'shorter than the 8-byte header', 'unknown peer']) {
    assert.ok(errs.some((m) => m.includes(want)), `logged: ${want}`);
  }
});

test('a client ignores short system messages and takes any source id from the server', async () => {
  const sim = createMpSim({ seed: 14 });
  const server = await serverWith(sim);
  const a = await client(sim, 'a', '10.0.1.1');
  const toA = server.peer.getPeer(a.peer.getUniqueId());
  assert.ok(toA);
  toA.send(0, Uint8Array.of(0, 0, 0, 0, 9, 9, 9), ENetPacketPeer.FLAG_RELIABLE);
  toA.send(0, encodeSysMsg(7 as SysMsg, 99), ENetPacketPeer.FLAG_RELIABLE);
  toA.send(0, encodeSysMsg(SysMsg.ADD_PEER, 555), ENetPacketPeer.FLAG_RELIABLE);
  toA.send(2, encodePacket(555, a.peer.getUniqueId(), ascii('via server')), 0);
  await runSim(sim, 200);
  assert.deepEqual(a.signals.slice(2), ['peer_connected 555']);
  assert.deepEqual(a.packets.map((p) => [p.peer, text(p.data), p.mode]), [[555, 'via server', TransferMode.TRANSFER_MODE_UNRELIABLE_ORDERED]]);
});

test('server_relay off: no notices, no relay, target 1 still delivered', async () => {
  const sim = createMpSim({ seed: 15 });
  const server = await serverWith(sim, (p) => { p.serverRelay = false; });
  assert.equal(server.peer.isServerRelaySupported(), false);
  server.peer.serverRelay = true;
  assert.equal(server.peer.serverRelay, false, 'not while active');
  const a = await client(sim, 'a', '10.0.1.1');
  const b = await client(sim, 'b', '10.0.1.2');
  await runSim(sim, 200);
  assert.deepEqual(a.signals, ['peer_connected 1', 'connection_succeeded']);
  a.peer.setTargetPeer(b.peer.getUniqueId());
  assert.equal(a.peer.putPacket(ascii('x')), Error.ERR_INVALID_PARAMETER, 'b is unknown to a');
  for (const t of [0, 1, -1]) {
    a.peer.setTargetPeer(t);
    assert.equal(a.peer.putPacket(ascii(`to ${t}`)), Error.OK);
  }
  await runSim(sim, 200);
  server.peer.disconnectPeer(a.peer.getUniqueId(), true);
  await runSim(sim, 200);
  assert.deepEqual(server.packets.map((p) => text(p.data)), ['to 1'], '3.2.3: only target 1 reaches a non-relaying server');
  assert.deepEqual(b.packets, []);
  assert.deepEqual(b.signals, ['peer_connected 1', 'connection_succeeded'], 'no REMOVE_PEER either (3.2.3 checks server_relay)');
});

test('compression: every mode between matching peers', async () => {
  for (const mode of [0, 1, 2, 3, 4]) {
    if (mode === NetworkedMultiplayerENet.COMPRESS_ZSTD && !zstdAvailable()) continue;
    const sim = createMpSim({ seed: 20 + mode, conditions: { loss: 0.05 } });
    let compressed = 0;
    sim.base.net.tap((d) => { if (decodeHeader(d.data, false)?.compressed) compressed++; });
    const setup = (p: NetworkedMultiplayerENet): void => { p.compressionMode = mode; };
    const server = await serverWith(sim, setup);
    const a = await client(sim, 'a', '10.0.1.1', setup);
    const b = await client(sim, 'b', '10.0.1.2', setup);
    a.peer.setTargetPeer(0);
    const body = 'compressible '.repeat(40);
    for (let i = 0; i < 20; i++) a.peer.putPacket(ascii(`${i} ${body}`));
    assert.ok(await runSim(sim, 5000, () => b.packets.length === 20 && server.packets.length === 20), `mode ${mode}`);
    assert.deepEqual(b.packets.map((p) => text(p.data)), Array.from({ length: 20 }, (_, i) => `${i} ${body}`));
    assert.equal(compressed > 20, mode !== 0, `mode ${mode}: ${compressed} datagrams went compressed`);
  }
});

test('createClient: host names through DNS, ERR_CANT_RESOLVE, argument checks; close while creating', async () => {
  const sim = createMpSim({ seed: 30 });
  await serverWith(sim);
  const c = sim.node('c', '10.0.1.1');
  assert.equal(await c.peer.createClient('nowhere.invalid', PORT), Error.ERR_CANT_RESOLVE);
  assert.equal(c.peer.getConnectionStatus(), ConnectionStatus.CONNECTION_DISCONNECTED);
  assert.equal(await c.peer.createClient('10.0.0.1', 0), Error.ERR_INVALID_PARAMETER);
  assert.equal(await c.peer.createClient('10.0.0.1', PORT, -1), Error.ERR_INVALID_PARAMETER);
  assert.equal(await c.peer.createClient('10.0.0.1', PORT, 0, 0, 70000), Error.ERR_INVALID_PARAMETER);
  const pending = c.peer.createClient('server', PORT);
  c.peer.closeConnection();
  assert.equal(await pending, Error.FAILED, 'closed while binding');
  assert.equal(await c.peer.createClient('server', PORT), Error.OK, 'the simulated host name resolves');
  assert.equal(await c.peer.createClient('server', PORT), Error.ERR_ALREADY_IN_USE);
  assert.ok(await runSim(sim, 2000, () => c.signals.includes('connection_succeeded')));
  const s2 = sim.node('s2', '10.0.0.2');
  assert.equal(await s2.peer.createServer(PORT, 0), Error.ERR_INVALID_PARAMETER);
  assert.equal(await s2.peer.createServer(70000), Error.ERR_INVALID_PARAMETER);
});

test('settings and fallbacks: Godot defaults, validation, values when inactive', () => {
  const sim = createMpSim();
  const p = sim.node('p', '10.0.0.9').peer;
  assert.equal(p.transferChannel, -1);
  assert.equal(p.channelCount, 3);
  assert.equal(p.serverRelay, true);
  assert.equal(p.alwaysOrdered, false);
  assert.equal(p.compressionMode, NetworkedMultiplayerENet.COMPRESS_NONE);
  assert.equal(p.transferMode, TransferMode.TRANSFER_MODE_RELIABLE);
  assert.equal(p.refuseNewConnections, false);
  assert.equal(p.getConnectionStatus(), ConnectionStatus.CONNECTION_DISCONNECTED);
  p.transferChannel = 0;
  p.transferChannel = 3;
  assert.equal(p.transferChannel, -1, '0 is reserved, 3 ≥ channel_count');
  p.transferChannel = 2;
  assert.equal(p.transferChannel, 2);
  p.channelCount = 2;
  assert.equal(p.channelCount, 3);
  p.channelCount = 8;
  p.transferChannel = 7;
  assert.equal(p.transferChannel, 7);
  p.transferMode = 7 as TransferMode;
  assert.equal(p.transferMode, TransferMode.TRANSFER_MODE_RELIABLE, 'gdwire refuses unknown modes');
  p.setBindIp('not an ip');
  assert.deepEqual([p.isDtlsEnabled(), p.isDtlsVerifyEnabled(), p.getDtlsHostname()], [false, true, ''], 'Godot 3.x defaults');
  p.setDtlsEnabled(true);
  assert.equal(p.isDtlsEnabled(), true);
  assert.equal(p.getUniqueId(), 0);
  assert.equal(p.getPacketPeer(), 1);
  assert.equal(p.getPacketChannel(), -1);
  assert.equal(p.getLastPacketChannel(), -1);
  assert.equal(p.putPacket(ascii('x')), Error.ERR_UNCONFIGURED);
  assert.equal(p.getPacket().length, 0);
  assert.equal(p.getPacketError(), Error.ERR_UNAVAILABLE);
  assert.equal(p.getMaxPacketSize(), 1 << 24);
  p.poll();
  p.closeConnection();
  p.disconnectPeer(5);
  const ids = new Set<number>();
  for (let i = 0; i < 1000; i++) {
    const v = p.generateUniqueId();
    assert.ok(Number.isInteger(v) && v >= 2 && v <= 0x7fffffff);
    ids.add(v);
  }
  assert.ok(ids.size > 990);
  assert.ok(!sim.base.logger.entries.some((e) => e.message.includes('DTLS')), 'DTLS is supported: no warning');
  assert.ok(errors(sim).some((m) => m.includes('The channel 0 is reserved.')));
});

test('putVar/getVar use the Godot 3 Variant format; get_packet_peer and channels follow the queue', async () => {
  const sim = createMpSim({ seed: 31 });
  const server = await serverWith(sim);
  const a = await client(sim, 'a', '10.0.1.1');
  a.peer.setTargetPeer(1);
  a.peer.putVar(42);
  a.peer.transferMode = TransferMode.TRANSFER_MODE_UNRELIABLE;
  a.peer.putVar('hello');
  // read by hand: the runner skips (does not poll or drain) a node marked as Node mode
  server.nodeMode = true;
  await runSim(sim, 100);
  const s = server.peer;
  s.poll();
  assert.equal(s.getAvailablePacketCount(), 2);
  const got: unknown[] = [];
  while (s.getAvailablePacketCount() > 0) {
    assert.equal(s.getPacketPeer(), a.peer.getUniqueId());
    const ch = s.getPacketChannel();
    got.push([ch, s.getVar()]);
    assert.equal(s.getLastPacketChannel(), ch);
  }
  assert.deepEqual(got.sort(), [[1, 42], [2, 'hello']]);
  s.poll();
  assert.equal(s.getLastPacketChannel(), -1, 'poll() forgets the current packet');
});

test('garbage on every channel, both ways: receive paths never throw and both peers keep working', async () => {
  const rng = new Rng(99);
  const sim = createMpSim({ seed: 32 });
  const server = await serverWith(sim);
  const a = await client(sim, 'a', '10.0.1.1');
  const up = a.peer.getPeer(1);
  const down = server.peer.getPeer(a.peer.getUniqueId());
  assert.ok(up && down);
  const flags = [0, ENetPacketPeer.FLAG_RELIABLE, ENetPacketPeer.FLAG_UNSEQUENCED];
  for (let i = 0; i < 400; i++) {
    const junk = Uint8Array.from({ length: rng.int(0, 24) }, () => rng.int(0, 255));
    if (i % 7 === 0 && junk.length >= 8) junk.set(encodePacket(a.peer.getUniqueId(), rng.int(-3, 3), new Uint8Array(0)));
    (i % 2 === 0 ? up : down).send(rng.int(0, 2), junk, flags[rng.int(0, 2)] as number);
    if (i % 50 === 0) await runSim(sim, 5);
  }
  await runSim(sim, 500);
  server.packets.length = 0;
  a.packets.length = 0;
  a.peer.setTargetPeer(1);
  assert.equal(a.peer.putPacket(ascii('still here')), Error.OK);
  server.peer.setTargetPeer(a.peer.getUniqueId());
  assert.equal(server.peer.putPacket(ascii('me too')), Error.OK);
  assert.ok(await runSim(sim, 500, () => server.packets.length === 1 && a.packets.length === 1));
  assert.equal(text(server.packets[0]?.data ?? new Uint8Array(0)), 'still here');
  assert.equal(text(a.packets[0]?.data ?? new Uint8Array(0)), 'me too');
});
