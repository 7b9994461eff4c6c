/**
 * src/enet/host.ts + host-incoming.ts: what a host does with datagrams it should ignore or
 * refuse (@see enet protocol.c enet_protocol_handle_incoming_commands), crafted by hand with
 * the wire encoder. Refusals are silent on the wire and counted in malformedDatagrams where
 * the datagram itself is bad.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Host } from '../../src/enet/host.js';
import type { Peer } from '../../src/enet/peer.js';
import {
  COMMAND_FLAG_ACKNOWLEDGE,
  PROTOCOL_MAXIMUM_PEER_ID,
  ProtocolCommand,
  type Command,
  type ConnectCommand,
  type SendFragmentCommand,
} from '../../src/enet/protocol.js';
import { RangeCoder } from '../../src/enet/range-coder.js';
import { EventType, PeerState, type Address, type HostEvent } from '../../src/enet/types.js';
import { decodeDatagram } from '../../src/enet/wire-decode.js';
import { encodeDatagram } from '../../src/enet/wire-encode.js';
import { crc32 } from '../../src/enet/crc32.js';

const CLIENT: Address = { address: '10.0.0.2', port: 5000 };
const ACK = COMMAND_FLAG_ACKNOWLEDGE;

function connectCommand(connectID: number, data = 0): ConnectCommand {
  return {
    type: ProtocolCommand.CONNECT,
    flags: ACK,
    channelID: 0xff,
    reliableSequenceNumber: 1,
    outgoingPeerID: 0,
    incomingSessionID: 0xff,
    outgoingSessionID: 0xff,
    mtu: 1400,
    windowSize: 65536,
    channelCount: 2,
    incomingBandwidth: 0,
    outgoingBandwidth: 0,
    packetThrottleInterval: 5000,
    packetThrottleAcceleration: 2,
    packetThrottleDeceleration: 2,
    connectID,
    data,
  };
}

/** A server host with one peer fully connected by hand-made datagrams. */
function connected(options: { checksum?: boolean } = {}): {
  host: Host;
  peer: Peer;
  send: (commands: Command[], opts?: { sentTime?: number | undefined; session?: number; from?: Address; peerID?: number }) => HostEvent[];
  now: () => number;
} {
  const host = new Host({ peerCount: 2, random: { u32: () => 0 }, ...options });
  let t = 100;
  const datagram = (commands: Command[], peerID: number, session: number, sentTime: number | undefined, connectID: number): Uint8Array => {
    const d = encodeDatagram(
      { peerID, sessionID: session, compressed: false, sentTime, checksum: options.checksum ? connectID : undefined },
      commands,
    );
    if (options.checksum) {
      // The CRC is computed with the connect id in the checksum field, then replaces it.
      const hs = (sentTime === undefined ? 2 : 4) + 4;
      new DataView(d.buffer).setUint32(hs - 4, crc32(d));
    }
    return d;
  };
  const run = (): HostEvent[] => {
    const events: HostEvent[] = [];
    for (let e = host.service(++t); e; e = host.service(t)) events.push(e);
    return events;
  };
  host.receive(datagram([connectCommand(0x1234, 77)], PROTOCOL_MAXIMUM_PEER_ID, 0, t, 0), CLIENT);
  run();
  const verify = decodeDatagram(host.takeDatagrams()[0]!.data, options.checksum)!.commands[0]!;
  assert.ok(verify.type === ProtocolCommand.VERIFY_CONNECT);
  const peer = host.peers[0]!;
  const ackVerify: Command = {
    type: ProtocolCommand.ACKNOWLEDGE,
    flags: 0,
    channelID: 0xff,
    reliableSequenceNumber: 1,
    receivedReliableSequenceNumber: 1,
    receivedSentTime: t & 0xffff,
  };
  host.receive(datagram([ackVerify], 0, verify.outgoingSessionID, undefined, 0x1234), CLIENT);
  const ev = run();
  assert.equal(ev[0]?.type, EventType.CONNECT);
  assert.equal(peer.state, PeerState.CONNECTED);
  host.takeDatagrams();
  return {
    host,
    peer,
    now: () => t,
    send(commands, opts = {}) {
      const session = opts.session ?? peer.incomingSessionID;
      host.receive(
        datagram(commands, opts.peerID ?? 0, session, 'sentTime' in opts ? opts.sentTime : t, 0x1234),
        opts.from ?? CLIENT,
      );
      return run();
    },
  };
}

const reliable = (seq: number, text: string, channelID = 0): Command => ({
  type: ProtocolCommand.SEND_RELIABLE,
  flags: ACK,
  channelID,
  reliableSequenceNumber: seq,
  data: new TextEncoder().encode(text),
});
const received = (events: HostEvent[]): string[] =>
  events.flatMap((e) => (e.type === EventType.RECEIVE ? [new TextDecoder().decode(e.packet.data)] : []));

test('hand-made handshake: CONNECT data and session ids as ENet computes them', () => {
  const { peer } = connected();
  assert.equal(peer.eventData, 77);
  assert.equal(peer.connectID, 0x1234);
  assert.equal(peer.incomingSessionID, 0, 'first session after 0xFF is 0');
  assert.equal(peer.outgoingSessionID, 0);
});

test('datagrams from another address, with the wrong session or an unknown peer id are ignored', () => {
  const { send, host } = connected();
  assert.deepEqual(received(send([reliable(1, 'x')], { from: { address: '10.0.0.3', port: 5000 } })), []);
  assert.deepEqual(received(send([reliable(1, 'x')], { from: { address: '10.0.0.2', port: 5001 } })), []);
  assert.deepEqual(received(send([reliable(1, 'x')], { session: 3 })), []);
  assert.deepEqual(received(send([reliable(1, 'x')], { peerID: 1 })), [], 'slot 1 is not connected');
  assert.deepEqual(received(send([reliable(1, 'x')], { peerID: 7 })), [], 'beyond peerCount');
  assert.deepEqual(host.takeDatagrams(), [], 'nothing acknowledged');
  assert.deepEqual(received(send([reliable(1, 'ok')])), ['ok']);
});

test('a reliable command in a datagram without sent time stops processing there (ENet needs it to ack)', () => {
  const { send, host } = connected();
  const ev = send([reliable(1, 'a'), reliable(2, 'b')], { sentTime: undefined });
  assert.deepEqual(received(ev), ['a'], 'the first is queued, then processing stops');
  assert.deepEqual(host.takeDatagrams(), []);
});

test('a bad command stops the datagram: earlier commands count, later ones do not', () => {
  const { send, host } = connected();
  const ev = send([reliable(1, 'a'), reliable(1, 'bad channel', 5), reliable(2, 'c')]);
  assert.deepEqual(received(ev), ['a']);
  assert.equal(host.malformedDatagrams, 1);
  const acks = decodeDatagram(host.takeDatagrams()[0]!.data)!.commands;
  assert.deepEqual(
    acks.map((c) => c.type === ProtocolCommand.ACKNOWLEDGE && c.receivedReliableSequenceNumber),
    [1],
  );
});

test('a CONNECT on an existing session, or repeated for a connection under way, creates nothing', () => {
  const { send, host } = connected();
  send([connectCommand(0x1234)]);
  assert.equal(host.peers[1]!.state, PeerState.DISCONNECTED);
  // A retransmitted CONNECT (same address, same connect id) arriving without a peer id:
  host.receive(encodeDatagram({ peerID: 0xfff, sessionID: 0, compressed: false, sentTime: 1 }, [connectCommand(0x1234)]), CLIENT);
  host.service(500);
  assert.equal(host.peers[1]!.state, PeerState.DISCONNECTED);
  // A different connect id from the same address is a new connection.
  host.receive(encodeDatagram({ peerID: 0xfff, sessionID: 0, compressed: false, sentTime: 1 }, [connectCommand(0x9999)]), CLIENT);
  host.service(501);
  assert.equal(host.peers[1]!.state, PeerState.ACKNOWLEDGING_CONNECT);
});

test('CONNECT with 0 or more than 255 channels is refused; a channel limit caps the rest', () => {
  for (const channelCount of [0, 256]) {
    const host = new Host({ peerCount: 1, random: { u32: () => 0 } });
    host.receive(encodeDatagram({ peerID: 0xfff, sessionID: 0, compressed: false, sentTime: 1 }, [{ ...connectCommand(1), channelCount }]), CLIENT);
    host.service(10);
    assert.equal(host.peers[0]!.state, PeerState.DISCONNECTED, `${channelCount} channels`);
    assert.equal(host.takeDatagrams().length, 0);
  }
});

test('absurd fragment headers are refused before anything is allocated', () => {
  const { send, host, peer } = connected();
  const fragment = (over: Partial<Record<'fragmentCount' | 'fragmentNumber' | 'totalLength' | 'fragmentOffset', number>>): SendFragmentCommand => ({
    type: ProtocolCommand.SEND_FRAGMENT,
    flags: ACK,
    channelID: 0,
    reliableSequenceNumber: 1,
    startSequenceNumber: 1,
    fragmentCount: 2,
    fragmentNumber: 0,
    totalLength: 100,
    fragmentOffset: 0,
    data: new Uint8Array(10),
    ...over,
  });
  const cases = [
    { totalLength: 0xffffffff }, // beyond maximumPacketSize
    { totalLength: 30_000_000, fragmentCount: 1 }, // one fragment cannot carry 30 MB
    { fragmentCount: 200 }, // more fragments than bytes
    { fragmentCount: 1024 * 1024 + 1 },
    { fragmentNumber: 2 },
    { fragmentOffset: 100 },
    { fragmentOffset: 95 }, // 10 bytes do not fit at 95 of 100
  ];
  for (const c of cases) {
    const before = host.malformedDatagrams;
    send([fragment(c)]);
    assert.equal(host.malformedDatagrams, before + 1, JSON.stringify(c));
    assert.equal(peer.totalWaitingData, 0, JSON.stringify(c));
    assert.equal(peer.channels[0]!.pendingReliable.size, 0);
  }
  // A sane one is accepted and reassembled.
  const ev1 = send([{ ...fragment({}), data: new Uint8Array(50).fill(1) }]);
  assert.deepEqual(received(ev1), []);
  const ev2 = send([{ ...fragment({ fragmentNumber: 1, fragmentOffset: 50 }), data: new Uint8Array(50).fill(2) }, reliable(3, 'next')]);
  assert.deepEqual(received(ev2).map((s) => s.length), [100, 4]);
});

test('the waiting-data limit refuses what the application has not taken yet', () => {
  const { send, peer } = connected();
  peer.host.maximumWaitingData = 1000;
  const big = (seq: number): Command => reliable(seq, 'x'.repeat(600));
  // Delivered packets no longer count once the application took them (service() returned them).
  assert.equal(received(send([big(1)])).length, 1);
  assert.equal(received(send([big(2)])).length, 1);
  assert.equal(peer.totalWaitingData, 0);
  // Out-of-order packets wait and count: the second would exceed the limit.
  send([big(4)]);
  assert.equal(peer.totalWaitingData, 600);
  send([big(5)]);
  assert.equal(peer.totalWaitingData, 600, 'refused: #5 is not kept');
  assert.equal(peer.channels[0]!.pendingReliable.has(5), false);
  assert.equal(peer.host.malformedDatagrams, 0, 'a refusal, not malformed data');
});

test('checksums: a corrupted datagram is dropped and counted; an intact one is accepted', () => {
  const { host, send, now } = connected({ checksum: true });
  assert.deepEqual(received(send([reliable(1, 'ok')])), ['ok']);
  const d = encodeDatagram({ peerID: 0, sessionID: 0, compressed: false, sentTime: now(), checksum: 0 }, [reliable(2, 'evil')]);
  host.receive(d, CLIENT);
  host.service(now() + 1);
  assert.equal(host.malformedDatagrams, 1);
});

test('a compressed datagram is dropped by a host without a compressor, counted when it cannot be decoded', () => {
  const { host, now } = connected();
  host.receive(encodeDatagram({ peerID: 0, sessionID: 0, compressed: true, sentTime: now() }, [reliable(1, 'x')]), CLIENT);
  assert.equal(host.service(now() + 1), null);
  host.setCompressor(new RangeCoder());
  host.receive(Uint8Array.from([0x40, 0x00, 0xff, 0xff, 0xff]), CLIENT);
  assert.equal(host.service(now() + 2), null);
  assert.ok(host.malformedDatagrams >= 1);
});

test('remote DISCONNECT: acknowledged, then a DISCONNECT event with its data', () => {
  const { send, host, peer } = connected();
  const ev = send([{ type: ProtocolCommand.DISCONNECT, flags: ACK, channelID: 0xff, reliableSequenceNumber: 2, data: 55 }]);
  const d = ev.find((e) => e.type === EventType.DISCONNECT);
  assert.ok(d && d.type === EventType.DISCONNECT);
  assert.equal(d.data, 55);
  assert.equal(peer.state, PeerState.DISCONNECTED);
  const out = decodeDatagram(host.takeDatagrams()[0]!.data)!.commands;
  assert.equal(out[0]?.type, ProtocolCommand.ACKNOWLEDGE);
});

test('the receive queue is bounded; drops are counted', () => {
  const host = new Host({ peerCount: 1, random: { u32: () => 0 }, maximumQueuedDatagrams: 3 });
  for (let i = 0; i < 5; i++) host.receive(new Uint8Array(2), CLIENT);
  assert.equal(host.droppedDatagrams, 2);
  host.service(1);
  assert.equal(host.totalReceivedPackets, 3);
});

test('constructor limits: peer count 1..4095, channel limit clamped, MTU clamped', () => {
  assert.throws(() => new Host({ peerCount: 0, random: { u32: () => 0 } }), RangeError);
  assert.throws(() => new Host({ peerCount: 4096, random: { u32: () => 0 } }), RangeError);
  const h = new Host({ peerCount: 4095, channelLimit: 300, mtu: 100, random: { u32: () => 0 } });
  assert.equal(h.channelLimit, 255);
  assert.equal(h.mtu, 576);
  h.setChannelLimit(0);
  assert.equal(h.channelLimit, 255);
  h.setChannelLimit(3);
  assert.equal(h.channelLimit, 3);
  assert.equal(new Host({ mtu: 9000, random: { u32: () => 0 } }).mtu, 4096);
});
