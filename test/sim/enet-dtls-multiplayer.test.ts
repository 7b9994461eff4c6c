/**
 * ENetMultiplayerPeer over DTLS, as Godot 4 scripts do it (`peer.host.dtls_server_setup(…)`
 * after create_server, `peer.host.dtls_client_setup(…)` after create_client), on the
 * in-memory network with a fake clock: Godot's polled model and the Node mode, every
 * transfer mode both ways, a 256 KiB reliable packet, close; nothing readable on the wire.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TLSOptions } from '../../src/core/crypto/tls-options.js';
import { Error } from '../../src/core/error.js';
import { decodeDatagram } from '../../src/enet/wire-decode.js';
import { ConnectionStatus, TransferMode, type MultiplayerPacket } from '../../src/multiplayer/multiplayer-peer.js';
import type { TappedDatagram } from '../../src/platform/memory-network.js';
import { keyAndCert, requireNative } from '../helpers/dtls.js';
import { run } from '../helpers/enet-connection.js';
import { Rng } from '../helpers/rng.js';
import { PORT, createMpSim, drain, pollAll, type MpNode, type MpSim } from './enet-multiplayer-harness.js';

const MODES = [TransferMode.TRANSFER_MODE_RELIABLE, TransferMode.TRANSFER_MODE_UNRELIABLE_ORDERED, TransferMode.TRANSFER_MODE_UNRELIABLE];
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

async function dtlsStar(sim: MpSim, nodeMode: boolean, sink: MultiplayerPacket[]): Promise<{ server: MpNode; client: MpNode }> {
  const { key, cert } = keyAndCert('p256');
  const server = sim.node('server', '10.0.0.1');
  const client = sim.node('client', '10.0.0.2');
  if (nodeMode) {
    server.peer.on('packet', (peer, data, channel, mode) => void sink.push({ peer, data, channel, mode }));
    client.peer.on('packet', (peer, data, channel, mode) => void sink.push({ peer, data, channel, mode }));
  }
  assert.equal(await server.peer.createServer(PORT), Error.OK);
  assert.equal(server.peer.host?.dtlsServerSetup(TLSOptions.server(key, cert)), Error.OK);
  assert.equal(await client.peer.createClient('10.0.0.1', PORT), Error.OK);
  assert.equal(client.peer.host?.dtlsClientSetup('myserver', TLSOptions.client(cert)), Error.OK);
  return { server, client };
}

function sendAll(server: MpNode, client: MpNode, big: Uint8Array): void {
  for (const mode of MODES) {
    client.peer.setTransferMode(mode);
    client.peer.setTargetPeer(1);
    assert.equal(client.peer.putPacket(enc(`secret-up-${mode}`)), Error.OK);
    server.peer.setTransferMode(mode);
    server.peer.setTargetPeer(0);
    assert.equal(server.peer.putPacket(enc(`secret-down-${mode}`)), Error.OK);
  }
  client.peer.setTransferMode(TransferMode.TRANSFER_MODE_RELIABLE);
  assert.equal(client.peer.putPacket(big), Error.OK);
}

function checkWire(wire: TappedDatagram[], big: Uint8Array): void {
  assert.ok(wire.length > 20);
  for (const d of wire) {
    assert.ok(d.data[0] !== undefined && d.data[0] >= 20 && d.data[0] <= 23 && d.data[1] === 0xfe, 'a DTLS record');
    const decoded = decodeDatagram(d.data);
    assert.ok(decoded === null || !decoded.complete || decoded.commands.length === 0, 'not readable as ENet');
    assert.equal(Buffer.from(d.data).indexOf(Buffer.from('secret-')), -1);
    assert.equal(Buffer.from(d.data).indexOf(Buffer.from(big.subarray(5000, 5032))), -1);
  }
}

test('ENetMultiplayerPeer over DTLS, polled: connect, every mode both ways, 256 KiB, close', async (t) => {
  if (!requireNative(t)) return;
  const sim = createMpSim({ seed: 21 });
  const wire: TappedDatagram[] = [];
  sim.base.net.tap((d) => void wire.push(d));
  const { server, client } = await dtlsStar(sim, false, []);
  assert.ok(pollAll(sim.base, [server, client], 3000, () => client.peer.getConnectionStatus() === ConnectionStatus.CONNECTION_CONNECTED && server.signals.length === 1), 'connected');
  const id = client.peer.getUniqueId();
  assert.deepEqual([server.signals, client.signals], [[`+${id}`], ['+1']]);
  const big = new Rng(3).bytes(256 * 1024);
  sendAll(server, client, big);
  const got: Array<{ at: string; from: number; mode: TransferMode; data: Uint8Array }> = [];
  assert.ok(pollAll(sim.base, [server, client], 10_000, () => {
    for (const [at, n] of [['server', server], ['client', client]] as const) got.push(...drain(n.peer).map((p) => ({ at, ...p })));
    return got.length === 7;
  }), `delivered ${got.length}/7`);
  const small = got.filter((g) => g.data.length < 100).map((g) => `${g.at}<${g.from}:${g.mode}:${dec(g.data)}`).sort();
  assert.deepEqual(small, MODES.flatMap((m) => [`server<${id}:${m}:secret-up-${m}`, `client<1:${m}:secret-down-${m}`]).sort());
  const bigGot = got.find((g) => g.data.length > 100);
  assert.ok(bigGot && bigGot.at === 'server' && Buffer.from(bigGot.data).equals(Buffer.from(big)), '256 KiB intact');

  client.peer.close();
  assert.ok(pollAll(sim.base, [server], 3000, () => server.signals.length === 2), 'the server saw the client go');
  assert.deepEqual(server.signals, [`+${id}`, `-${id}`]);
  pollAll(sim.base, [server], 1100);
  assert.equal(server.peer.host?.getDtlsStatistics()?.sessions, 0);
  checkWire(wire, big);
  server.peer.close();
});

test('ENetMultiplayerPeer over DTLS, Node mode: the CONNECT that left before dtlsClientSetup is resent over DTLS', async (t) => {
  if (!requireNative(t)) return;
  const sim = createMpSim({ seed: 22 });
  const wire: TappedDatagram[] = [];
  sim.base.net.tap((d) => void wire.push(d));
  const packets: MultiplayerPacket[] = [];
  const { server, client } = await dtlsStar(sim, true, packets);
  assert.ok(await run(sim.base, 5000, () => server.signals.length === 1 && client.signals.length === 1), 'connected without poll()');
  const big = new Rng(4).bytes(256 * 1024);
  sendAll(server, client, big);
  assert.ok(await run(sim.base, 10_000, () => packets.length === 7), `delivered ${packets.length}/7`);
  assert.ok(packets.some((p) => p.data.length === big.length && Buffer.from(p.data).equals(Buffer.from(big))));
  client.peer.close();
  assert.ok(await run(sim.base, 3000, () => server.signals.length === 2));
  // The plaintext CONNECT (sent by the Node-mode pump before dtlsClientSetup) is the only
  // datagram ENet can read, and the DTLS server dropped it.
  const plain = wire.filter((d) => decodeDatagram(d.data)?.complete === true && (decodeDatagram(d.data)?.commands.length ?? 0) > 0);
  assert.ok(plain.length <= 1, `${plain.length} plaintext datagrams`);
  checkWire(wire.filter((d) => !plain.includes(d)), big);
  assert.ok((server.peer.host?.getDtlsStatistics()?.droppedDatagrams ?? 0) >= plain.length);
  server.peer.close();
});
