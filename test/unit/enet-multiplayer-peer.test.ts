/**
 * src/modules/enet/enet-multiplayer-peer.ts: Godot's guards, error codes and fallback values,
 * create/close lifecycles, getHost/getPeer/setBindIp, the unique id, per-mode capabilities.
 * Errors are asserted by code (and that something was logged), never by message.
 * @see godot modules/enet/enet_multiplayer_peer.cpp (4.1+)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { ENetMultiplayerPeer } from '../../src/modules/enet/enet-multiplayer-peer.js';
import { ENetPacketPeer } from '../../src/modules/enet/enet-packet-peer.js';
import { ConnectionStatus, MultiplayerPeer, TransferMode } from '../../src/multiplayer/multiplayer-peer.js';
import { createTestPlatform } from '../../src/platform/test-platform.js';
import { PORT, createMpSim, pollAll, serverWithClients } from '../sim/enet-multiplayer-harness.js';

const errors = (p: ReturnType<typeof createTestPlatform>): number => p.logger.at('error').length;

test('is a MultiplayerPeer with Godot\'s constants', () => {
  const peer = new ENetMultiplayerPeer({ platform: createTestPlatform() });
  assert.ok(peer instanceof MultiplayerPeer);
  assert.equal(ENetMultiplayerPeer.TARGET_PEER_BROADCAST, 0);
  assert.equal(ENetMultiplayerPeer.TARGET_PEER_SERVER, 1);
  assert.equal(ENetMultiplayerPeer.TRANSFER_MODE_RELIABLE, 2);
  assert.equal(ENetMultiplayerPeer.CONNECTION_CONNECTING, 1);
  assert.equal(peer.getTransferMode(), TransferMode.TRANSFER_MODE_RELIABLE, 'default transfer mode');
  assert.equal(peer.getTransferChannel(), 0, 'default transfer channel');
  assert.equal(peer.isRefusingNewConnections(), false);
  assert.equal(peer.getMaxPacketSize(), 1 << 24);
});

test('inactive: Godot\'s fallback values, logged', () => {
  const p = createTestPlatform();
  const peer = new ENetMultiplayerPeer({ platform: p });
  assert.equal(peer.getConnectionStatus(), ConnectionStatus.CONNECTION_DISCONNECTED);
  let before = errors(p);
  assert.equal(peer.getUniqueId(), 0);
  assert.equal(peer.getPacketPeer(), 1);
  assert.equal(peer.getPacketChannel(), 1);
  assert.equal(peer.getPacketMode(), TransferMode.TRANSFER_MODE_RELIABLE);
  assert.equal(peer.getHost(), null);
  assert.equal(peer.host, null);
  assert.equal(peer.getPeer(1), null);
  peer.poll();
  peer.disconnectPeer(2);
  assert.equal(errors(p) - before, 9, 'each guard logs an error');
  before = errors(p);
  peer.close(); // silent no-op, as Godot
  assert.equal(errors(p), before);
  assert.equal(peer.putPacket(Uint8Array.of(1)), Error.ERR_UNCONFIGURED);
  assert.equal(peer.getAvailablePacketCount(), 0);
  assert.deepEqual(peer.getPacket(), new Uint8Array(0));
  assert.equal(peer.getPacketError(), Error.ERR_UNAVAILABLE);
  assert.equal(peer.isServer(), false);
  assert.equal(peer.isServerRelaySupported(), false);
});

test('createServer: id 1, CONNECTED at once; ERR_ALREADY_IN_USE while active or creating; port in use', async () => {
  const sim = createMpSim();
  const a = sim.node('server', '10.0.0.1');
  const pending = a.peer.createServer(PORT);
  assert.equal(await a.peer.createClient('10.0.0.9', PORT), Error.ERR_ALREADY_IN_USE, 'a create is under way');
  assert.equal(await pending, Error.OK);
  assert.equal(a.peer.getUniqueId(), 1);
  assert.equal(a.peer.getConnectionStatus(), ConnectionStatus.CONNECTION_CONNECTED);
  assert.equal(a.peer.isServer(), true);
  assert.equal(a.peer.isServerRelaySupported(), true);
  assert.ok(a.peer.getHost());
  assert.equal(a.peer.host, a.peer.getHost());
  assert.equal(a.peer.getHost()?.getLocalPort(), PORT);
  assert.equal(await a.peer.createServer(PORT + 1), Error.ERR_ALREADY_IN_USE);
  assert.equal(a.peer.createMesh(5), Error.ERR_ALREADY_IN_USE);
  const b = sim.node('server', '10.0.0.1'); // same simulated machine
  assert.equal(await b.peer.createServer(PORT), Error.ERR_CANT_CREATE, 'the port is taken');
  assert.equal(b.peer.getConnectionStatus(), ConnectionStatus.CONNECTION_DISCONNECTED);
  assert.equal(await b.peer.createServer(PORT, 0), Error.ERR_INVALID_PARAMETER, 'the host checks max_clients');
  a.peer.close();
  assert.equal(a.peer.getHost(), null);
  sim.base.clock.advance(0); // the closed host's socket goes on the next timer turn
  assert.equal(await b.peer.createServer(PORT), Error.OK, 'close() released the port');
  b.peer.close();
  assert.equal(await b.peer.createServer(PORT), Error.OK, 'the same peer reuses its port at once');
});

test('close() during createServer/createClient: FAILED, nothing left open', async () => {
  const sim = createMpSim();
  const n = sim.node('server', '10.0.0.1');
  const pending = n.peer.createServer(PORT);
  n.peer.close();
  assert.equal(await pending, Error.FAILED);
  assert.equal(n.peer.getConnectionStatus(), ConnectionStatus.CONNECTION_DISCONNECTED);
  assert.equal(await n.peer.createServer(PORT), Error.OK, 'the port was not kept');
  const c = sim.node('client', '10.0.0.2');
  const pendingClient = c.peer.createClient('10.0.0.1', PORT);
  c.peer.close();
  assert.equal(await pendingClient, Error.FAILED);
  pollAll(sim.base, [n], 100);
  assert.deepEqual(n.signals, [], 'no connection was made');
});

test('createClient: CONNECTING, a 31-bit id ≥ 2, peer 1 only; putPacket waits for CONNECTED', async () => {
  const sim = createMpSim();
  const server = sim.node('server', '10.0.0.1');
  assert.equal(await server.peer.createServer(PORT), Error.OK);
  const client = sim.node('client', '10.0.0.2');
  assert.equal(await client.peer.createClient('10.0.0.1', PORT), Error.OK);
  assert.equal(client.peer.getConnectionStatus(), ConnectionStatus.CONNECTION_CONNECTING);
  const id = client.peer.getUniqueId();
  assert.ok(Number.isInteger(id) && id >= 2 && id < 2 ** 31);
  assert.equal(client.peer.isServer(), false);
  assert.equal(client.peer.isServerRelaySupported(), true);
  assert.ok(client.peer.getPeer(1) instanceof ENetPacketPeer);
  assert.equal(client.peer.getPeer(2), null, 'a client only has peer 1');
  assert.equal(client.peer.putPacket(Uint8Array.of(1)), Error.ERR_UNCONFIGURED, 'not connected yet');
  assert.ok(pollAll(sim.base, [server, client], 2000, () => client.signals.length === 1 && server.signals.length === 1));
  assert.equal(client.peer.getConnectionStatus(), ConnectionStatus.CONNECTION_CONNECTED);
  assert.deepEqual(client.signals, ['+1']);
  assert.equal(client.peer.putPacket(Uint8Array.of(1)), Error.OK);
  assert.equal(server.peer.getPeer(id)?.getRemoteAddress(), '10.0.0.2');
});

test('createClient: host names are resolved; unresolvable names and bad ports are ERR_CANT_CREATE', async () => {
  const sim = createMpSim();
  sim.base.net.addDnsRecord('game.example', ['10.0.0.1']);
  const server = sim.node('server', '10.0.0.1');
  assert.equal(await server.peer.createServer(PORT), Error.OK);
  const c = sim.node('client', '10.0.0.2');
  assert.equal(await c.peer.createClient('nowhere.example', PORT), Error.ERR_CANT_CREATE);
  assert.equal(c.peer.getConnectionStatus(), ConnectionStatus.CONNECTION_DISCONNECTED);
  assert.equal(await c.peer.createClient('10.0.0.1', 0), Error.ERR_CANT_CREATE, 'port 0');
  assert.equal(await c.peer.createClient('game.example', PORT), Error.OK);
  assert.ok(pollAll(sim.base, [server, c], 2000, () => c.signals.length === 1));
});

test('createClient with a local port binds the bind IP; setBindIp refuses what is not an IP', async () => {
  const sim = createMpSim();
  const server = sim.node('server', '10.0.0.1');
  const before = errors(sim.base);
  server.peer.setBindIp('not an ip');
  assert.equal(errors(sim.base) - before, 1);
  server.peer.setBindIp('10.0.0.1');
  assert.equal(await server.peer.createServer(PORT), Error.OK);
  assert.equal(server.peer.getHost()?.getLocalAddress(), '10.0.0.1');
  const c = sim.node('client', '10.0.0.2');
  c.peer.setBindIp('10.0.0.3');
  assert.equal(await c.peer.createClient('10.0.0.1', PORT, 0, 0, 0, 4000), Error.ERR_CANT_CREATE, 'not an address of this host');
  c.peer.setBindIp('*');
  assert.equal(await c.peer.createClient('10.0.0.1', PORT, 0, 0, 0, 4000), Error.OK);
  assert.equal(c.peer.getHost()?.getLocalPort(), 4000);
  assert.ok(pollAll(sim.base, [server, c], 2000, () => server.signals.length === 1));
});

test('mesh: argument checks of createMesh and addMeshPeer', async () => {
  const sim = createMpSim();
  const m = sim.node('mesh', '10.0.0.1');
  const conn = sim.connection('mesh', '10.0.0.1');
  assert.equal(m.peer.addMeshPeer(2, conn), Error.ERR_UNCONFIGURED, 'not a mesh');
  assert.equal(m.peer.createMesh(0), Error.ERR_INVALID_PARAMETER);
  assert.equal(m.peer.createMesh(-3), Error.ERR_INVALID_PARAMETER);
  assert.equal(m.peer.createMesh(7), Error.OK);
  assert.equal(m.peer.getUniqueId(), 7);
  assert.equal(m.peer.getConnectionStatus(), ConnectionStatus.CONNECTION_CONNECTED);
  assert.equal(m.peer.isServerRelaySupported(), false);
  assert.equal(m.peer.getHost(), null);
  assert.equal(m.peer.addMeshPeer(2, null), Error.ERR_INVALID_PARAMETER);
  assert.equal(m.peer.addMeshPeer(2, conn), Error.ERR_INVALID_PARAMETER, 'an inactive host has no peer');
  assert.equal(await conn.createHost(1), Error.OK);
  assert.ok(conn.connectToHost('10.0.0.2', 9000));
  assert.equal(m.peer.addMeshPeer(2, conn), Error.ERR_INVALID_PARAMETER, 'its peer is not connected yet');
  m.peer.setTargetPeer(2);
  assert.equal(m.peer.putPacket(Uint8Array.of(1)), Error.ERR_INVALID_PARAMETER, 'no such mesh peer');
  m.peer.close();
  assert.equal(m.peer.getConnectionStatus(), ConnectionStatus.CONNECTION_DISCONNECTED);
  assert.equal(conn.enetHost !== null, true, 'a host never added is not touched');
});

test('putPacket: channel beyond the connection\'s channels returns the ENet error; a large unreliable packet warns once', async () => {
  const sim = createMpSim();
  const { server, clients } = await serverWithClients(sim, 1, { channelCount: 1 });
  const c = clients[0]!.peer;
  assert.equal(c.getPeer(1)?.getChannels(), 3, '1 user channel + 2 reserved');
  c.setTargetPeer(1);
  c.setTransferChannel(1);
  assert.equal(c.putPacket(Uint8Array.of(1)), Error.OK, 'transfer channel 1 = ENet channel 2');
  c.setTransferChannel(2);
  assert.notEqual(c.putPacket(Uint8Array.of(1)), Error.OK, 'ENet channel 3 does not exist (Godot returns OK regardless)');
  c.setTransferChannel(0);
  c.setTransferMode(TransferMode.TRANSFER_MODE_UNRELIABLE);
  const warns = (): number => sim.base.logger.at('warn').length;
  const before = warns();
  assert.equal(c.putPacket(new Uint8Array(5000)), Error.OK);
  assert.equal(c.putPacket(new Uint8Array(5000)), Error.OK);
  assert.equal(warns() - before, 1, 'above the MTU: warned once');
  pollAll(sim.base, [server, ...clients], 200);
  assert.equal(server.peer.getAvailablePacketCount(), 3);
});

test('getPacketPeer/Channel/Mode describe the next packet; getVar decodes a 4.x Variant', async () => {
  const sim = createMpSim();
  const { server, clients } = await serverWithClients(sim, 2);
  const [a, b] = clients as [typeof clients[0] & object, typeof clients[0] & object];
  a.peer.setTargetPeer(1);
  a.peer.setTransferChannel(4);
  a.peer.setTransferMode(TransferMode.TRANSFER_MODE_UNRELIABLE);
  assert.equal(a.peer.putPacket(Uint8Array.of(1)), Error.OK);
  b.peer.setTargetPeer(1);
  assert.equal(b.peer.putVar('hi'), Error.OK);
  pollAll(sim.base, [server, a, b], 100, () => server.peer.getAvailablePacketCount() === 2);
  const order = [];
  while (server.peer.getAvailablePacketCount() > 0) {
    const from = server.peer.getPacketPeer();
    const head = [from, server.peer.getPacketChannel(), server.peer.getPacketMode()];
    order.push(head);
    if (from === b.peer.getUniqueId()) assert.equal(server.peer.getVar(), 'hi');
    else assert.deepEqual(server.peer.getPacket(), Uint8Array.of(1));
  }
  assert.deepEqual(order.sort(), [
    [a.peer.getUniqueId(), 4, TransferMode.TRANSFER_MODE_UNRELIABLE],
    [b.peer.getUniqueId(), 0, TransferMode.TRANSFER_MODE_RELIABLE],
  ].sort());
});
