/**
 * The datagrams ENetMultiplayerPeer puts on the wire, byte by byte (captured on the in-memory
 * network at send time): the client's CONNECT (channel count, client id as data), the server's
 * VERIFY_CONNECT (its channel limit), each transfer mode on its ENet channel with its flags,
 * transfer-channel offsets, unreliable fragments above the MTU, and the DISCONNECTs of
 * disconnectPeer() and close(). No Godot header: the payload follows the ENet command as is.
 * ENet's wire fields are big-endian; `..` is a byte the test does not pin (clock, random).
 * @see godot modules/enet/enet_multiplayer_peer.cpp; enet protocol.h (command layouts)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { ConnectionStatus, TransferMode } from '../../src/multiplayer/multiplayer-peer.js';
import { PORT, assertBytes, be32, capture, createMpSim, pollAll, serverWithClients } from '../sim/enet-multiplayer-harness.js';

const payload = (n: number, len: number): Uint8Array => Uint8Array.from({ length: len }, (_, i) => (n + i) & 255);

test('client CONNECT: 255 channels by default, the client id as data', async () => {
  const sim = createMpSim();
  const server = sim.node('server', '10.0.0.1');
  const client = sim.node('client', '10.0.0.2');
  assert.equal(await server.peer.createServer(PORT), Error.OK);
  assert.equal(await client.peer.createClient('10.0.0.1', PORT), Error.OK);
  const id = client.peer.getUniqueId();
  assert.ok(id >= 2 && id <= 0x7fffffff, `client id ${id} is 31 bits, ≥ 2`);
  const sent = capture(sim, () => client.peer.poll()); // the CONNECT leaves on the first poll
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0]!.to, { address: '10.0.0.1', port: PORT });
  assertBytes(sent[0]!.data, `
    8f ff        # header peerID: SENT_TIME flag | no session | 0xFFF (no peer id yet)
    .. ..        # sentTime (clock)
    82           # CONNECT (2) | ACKNOWLEDGE flag
    ff           # channelID 0xFF: connection-level command
    00 01        # reliableSequenceNumber 1
    00 00        # outgoingPeerID: the client's slot 0
    ff ff        # incoming/outgoing session id: none yet
    00 00 05 78  # mtu 1400: ENet 1.3.17's default (1.3.18, in Godot 4.3+, says 1392; the smaller wins)
    00 01 00 00  # windowSize 65536 (no bandwidth limit)
    00 00 00 ff  # channelCount 255: channel_count 0 asks for ENet's maximum
    00 00 00 00  # incomingBandwidth 0
    00 00 00 00  # outgoingBandwidth 0
    00 00 13 88  # packetThrottleInterval 5000 ms
    00 00 00 02  # packetThrottleAcceleration 2
    00 00 00 02  # packetThrottleDeceleration 2
    .. .. .. ..  # connectID (random)
    ${be32(id)}  # data: the client's unique id
  `, 'CONNECT');
  client.peer.close();
  server.peer.close();
});

test('client CONNECT asks channel_count + 2; server VERIFY_CONNECT grants max_channels + 2', async () => {
  const sim = createMpSim();
  const server = sim.node('server', '10.0.0.1');
  const client = sim.node('client', '10.0.0.2');
  assert.equal(await server.peer.createServer(PORT, 32, 4), Error.OK);
  assert.equal(await client.peer.createClient('10.0.0.1', PORT, 6), Error.OK);
  const sent = capture(sim, () => pollAll(sim.base, [server, client], 1000, () => server.signals.length === 1));
  const connect = sent.find((d) => d.data[4] === 0x82);
  const verify = sent.find((d) => d.data[4] === 0x83);
  assert.ok(connect && verify);
  assertBytes(connect.data.subarray(20, 24), '00 00 00 08 # channelCount: 6 user channels + 2 reserved', 'CONNECT channelCount');
  assertBytes(connect.data.subarray(48, 52), be32(client.peer.getUniqueId()), 'CONNECT data');
  assertBytes(verify.data, `
    80 00        # header: SENT_TIME | session 0 | peer id 0 (the client's slot)
    .. ..        # sentTime
    83           # VERIFY_CONNECT (3) | ACKNOWLEDGE
    ff           # channelID 0xFF
    00 01        # reliableSequenceNumber 1
    00 00        # outgoingPeerID: the server's slot 0 for this client
    00 00        # incoming/outgoing session ids (first session on fresh slots)
    00 00 05 78  # mtu 1400: ENet 1.3.17's default (1.3.18, in Godot 4.3+, says 1392; the smaller wins)
    00 01 00 00  # windowSize 65536
    00 00 00 06  # channelCount: min(8 asked, server limit 4 + 2)
    00 00 00 00  # incomingBandwidth 0 (gdwire honours in_bandwidth; Godot puts max_channels + 2 here)
    00 00 00 00  # outgoingBandwidth 0
    00 00 13 88  # packetThrottleInterval 5000
    00 00 00 02  # packetThrottleAcceleration 2
    00 00 00 02  # packetThrottleDeceleration 2
    .. .. .. ..  # connectID (echoed)
  `, 'VERIFY_CONNECT');
  assert.equal(server.peer.getPeer(client.peer.getUniqueId())?.getChannels(), 6);
});

test('transfer modes on the default channel: reliable ch 0, unreliable unsequenced ch 1, ordered sequenced ch 1', async () => {
  const sim = createMpSim();
  const { server, clients } = await serverWithClients(sim, 1);
  const client = clients[0]!;
  pollAll(sim.base, [server, client], 100); // handshake acknowledged: nothing else pending
  client.peer.setTargetPeer(1);
  let sent = capture(sim, () => assert.equal(client.peer.putPacket(payload(1, 3)), Error.OK));
  assert.equal(sent.length, 1, 'put_packet flushes: one datagram per packet');
  assertBytes(sent[0]!.data, `
    80 00        # header: SENT_TIME | session 0 | peer id 0 (the server's slot for this client)
    .. ..        # sentTime
    86           # SEND_RELIABLE (6) | ACKNOWLEDGE
    00           # channelID 0 = SYSCH_RELIABLE
    00 01        # reliableSequenceNumber 1 (first on the channel)
    00 03        # dataLength 3
    01 02 03     # the payload as given: no source/target header in 4.x
  `, 'RELIABLE');

  server.peer.setTransferMode(TransferMode.TRANSFER_MODE_UNRELIABLE);
  sent = capture(sim, () => server.peer.putPacket(payload(9, 2)));
  assertBytes(sent[0]!.data, `
    00 00        # header: no SENT_TIME (nothing to acknowledge) | peer id 0
    49           # SEND_UNSEQUENCED (9) | UNSEQUENCED flag (0x40)
    01           # channelID 1 = SYSCH_UNRELIABLE
    00 00        # reliableSequenceNumber 0
    00 01        # unsequencedGroup 1
    00 02        # dataLength 2
    09 0a        # payload
  `, 'UNRELIABLE');

  server.peer.setTransferMode(TransferMode.TRANSFER_MODE_UNRELIABLE_ORDERED);
  sent = capture(sim, () => server.peer.putPacket(payload(7, 1)));
  assertBytes(sent[0]!.data, `
    00 00        # header: no SENT_TIME | peer id 0
    07           # SEND_UNRELIABLE (7): sequenced, no flag
    01           # channelID 1 = SYSCH_UNRELIABLE
    00 00        # reliableSequenceNumber 0 (no reliable packet on channel 1 yet)
    00 01        # unreliableSequenceNumber 1
    00 01        # dataLength 1
    07           # payload
  `, 'UNRELIABLE_ORDERED');
});

test('transfer channel c > 0 uses ENet channel c + 1 with the flags of the mode', async () => {
  const sim = createMpSim();
  const { server, clients } = await serverWithClients(sim, 1);
  pollAll(sim.base, [server, clients[0]!], 100);
  const id = clients[0]!.peer.getUniqueId();
  server.peer.setTargetPeer(id);
  server.peer.setTransferChannel(3);
  const datagram = (mode: TransferMode): Uint8Array => {
    server.peer.setTransferMode(mode);
    const sent = capture(sim, () => assert.equal(server.peer.putPacket(payload(0xa0, 1)), Error.OK));
    return sent[0]!.data;
  };
  assertBytes(datagram(TransferMode.TRANSFER_MODE_RELIABLE), `
    80 00 .. ..  # header with sentTime
    86 04        # SEND_RELIABLE | ACKNOWLEDGE, channel 4 = 2 + 3 − 1
    00 01        # reliableSequenceNumber 1 (channel 4's own numbering)
    00 01 a0     # dataLength 1, payload
  `, 'RELIABLE on transfer channel 3');
  assertBytes(datagram(TransferMode.TRANSFER_MODE_UNRELIABLE), `
    00 00        # header
    49 04 00 00  # SEND_UNSEQUENCED | UNSEQUENCED, channel 4, reliableSequenceNumber 0 (always, unsequenced)
    00 01        # unsequencedGroup 1
    00 01 a0     # dataLength 1, payload
  `, 'UNRELIABLE on transfer channel 3');
  assertBytes(datagram(TransferMode.TRANSFER_MODE_UNRELIABLE_ORDERED), `
    00 00        # header
    07 04 00 01  # SEND_UNRELIABLE, channel 4, reliableSequenceNumber 1
    00 01        # unreliableSequenceNumber 1
    00 01 a0     # dataLength 1, payload
  `, 'UNRELIABLE_ORDERED on transfer channel 3');
});

test('above the MTU: unreliable modes send unreliable fragments, reliable sends reliable fragments', async () => {
  const sim = createMpSim();
  const { server, clients } = await serverWithClients(sim, 1);
  pollAll(sim.base, [server, clients[0]!], 100);
  server.peer.setTransferMode(TransferMode.TRANSFER_MODE_UNRELIABLE);
  let sent = capture(sim, () => server.peer.putPacket(payload(0, 2000)));
  assert.equal(sent.length, 2, 'two fragments, one datagram each');
  assertBytes(sent[0]!.data.subarray(0, 26), `
    00 00        # header: unreliable fragments need no acknowledgement
    0c           # SEND_UNRELIABLE_FRAGMENT (12): sequenced, never unsequenced
    01           # channelID 1
    00 00        # reliableSequenceNumber 0
    00 01        # startSequenceNumber 1 (the channel's next unreliable number)
    05 5c        # dataLength 1372 = mtu 1400 − header 4 − command 24
    00 00 00 02  # fragmentCount 2
    00 00 00 00  # fragmentNumber 0
    00 00 07 d0  # totalLength 2000
    00 00 00 00  # fragmentOffset 0
  `, 'first unreliable fragment');
  assertBytes(sent[1]!.data.subarray(0, 26), `
    00 00 0c 01 00 00 00 01  # header, SEND_UNRELIABLE_FRAGMENT, channel 1, start 1
    02 74        # dataLength 628
    00 00 00 02 00 00 00 01  # fragmentCount 2, fragmentNumber 1
    00 00 07 d0 00 00 05 5c  # totalLength 2000, fragmentOffset 1372
  `, 'second unreliable fragment');
  server.peer.setTransferMode(TransferMode.TRANSFER_MODE_RELIABLE);
  sent = capture(sim, () => server.peer.putPacket(payload(0, 2000)));
  assert.equal(sent[0]!.data[4], 0x88, 'SEND_FRAGMENT (8) | ACKNOWLEDGE');
  assert.equal(sent[0]!.data[5], 0, 'on channel 0');
});

test('disconnectPeer sends an acknowledged DISCONNECT with data 0; close() an unsequenced one', async () => {
  const sim = createMpSim();
  const { server, clients } = await serverWithClients(sim, 2);
  pollAll(sim.base, [server, ...clients], 100);
  const id0 = clients[0]!.peer.getUniqueId();
  let sent = capture(sim, () => server.peer.disconnectPeer(id0));
  assert.equal(sent.length, 1, 'flushed at once');
  assertBytes(sent[0]!.data, `
    80 00 .. ..  # header with sentTime, peer id 0
    84           # DISCONNECT (4) | ACKNOWLEDGE: graceful
    ff .. ..     # channel 0xFF, reliableSequenceNumber (connection-level)
    00 00 00 00  # data 0 (Godot 4; 3.x sent the unique id)
  `, 'graceful DISCONNECT');
  sent = capture(sim, () => clients[1]!.peer.close());
  assert.equal(sent.length, 1);
  assertBytes(sent[0]!.data, `
    00 01        # header: no sentTime, the server's slot 1 for this client
    44           # DISCONNECT | UNSEQUENCED: enet_peer_disconnect_now, not retried
    ff .. ..     # channel 0xFF, reliableSequenceNumber
    00 00 00 00  # data 0
  `, 'DISCONNECT of close()');
  assert.equal(clients[1]!.peer.getConnectionStatus(), ConnectionStatus.CONNECTION_DISCONNECTED);
});
