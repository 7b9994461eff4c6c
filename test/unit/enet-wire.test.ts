/**
 * src/enet/wire-decode.ts + wire-encode.ts against real datagrams: the fixtures are ENet
 * 1.3.17 traffic between two Godot 3.2.3 peers (shared/captures/enet_1client.pcap, decoded
 * field by field in enet_1client_summary.txt). Every fixture must decode to the fields the
 * summary lists and re-encode to the same bytes. ENet's wire format is big-endian.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDir } from '../helpers/paths.js';
import {
  COMMAND_FLAG_ACKNOWLEDGE,
  COMMAND_FLAG_UNSEQUENCED,
  COMMAND_SIZES,
  ProtocolCommand,
  type Command,
} from '../../src/enet/protocol.js';
import { decodeCommands, decodeDatagram, decodeHeader } from '../../src/enet/wire-decode.js';
import { encodeDataCommand, encodeDatagram, encodedCommandSize } from '../../src/enet/wire-encode.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function roundTrip(bytes: Uint8Array, withChecksum = false): Command[] {
  const d = decodeDatagram(bytes, withChecksum);
  assert.ok(d, 'decodes');
  assert.equal(d.complete, true, 'every command parsed');
  const { headerSize: _omit, ...header } = d.header;
  assert.equal(toHex(encodeDatagram(header, d.commands)), toHex(bytes), 're-encodes to the same bytes');
  return d.commands;
}

// #1 client -> server, 52 bytes
const CONNECT = hex(
  '8fff' + // peerID word: SENT_TIME flag (0x8000) | session 0 | peer 0xFFF (none yet)
    'ad1a' + // sentTime 44314
    '82' + // CONNECT (2) | ACKNOWLEDGE flag
    'ff' + // channel 0xFF (connection level)
    '0001' + // reliableSequenceNumber 1
    '0000' + // outgoingPeerID 0
    'ff' + // incomingSessionID 0xFF
    'ff' + // outgoingSessionID 0xFF
    '00000578' + // mtu 1400
    '00010000' + // windowSize 65536
    '00000003' + // channelCount 3
    '00000000' + // incomingBandwidth 0
    '00000000' + // outgoingBandwidth 0
    '00001388' + // packetThrottleInterval 5000
    '00000002' + // packetThrottleAcceleration 2
    '00000002' + // packetThrottleDeceleration 2
    'f93cec48' + // connectID
    '6ef3e69f', // data 1861478047 (Godot: the client's peer id)
);

test('CONNECT from a Godot 3.2.3 client decodes field by field', () => {
  const d = decodeDatagram(CONNECT);
  assert.ok(d);
  assert.deepEqual(d.header, {
    peerID: 0xfff,
    sessionID: 0,
    compressed: false,
    sentTime: 44314,
    checksum: undefined,
    headerSize: 4,
  });
  assert.deepEqual(roundTrip(CONNECT), [
    {
      type: ProtocolCommand.CONNECT,
      flags: COMMAND_FLAG_ACKNOWLEDGE,
      channelID: 0xff,
      reliableSequenceNumber: 1,
      outgoingPeerID: 0,
      incomingSessionID: 0xff,
      outgoingSessionID: 0xff,
      mtu: 1400,
      windowSize: 65536,
      channelCount: 3,
      incomingBandwidth: 0,
      outgoingBandwidth: 0,
      packetThrottleInterval: 5000,
      packetThrottleAcceleration: 2,
      packetThrottleDeceleration: 2,
      connectID: 0xf93cec48,
      data: 1861478047,
    },
  ]);
});

test('VERIFY_CONNECT (server reply) decodes and re-encodes', () => {
  // #2: peer 0, sentTime 44316, VERIFY_CONNECT|ACK ch 0xFF seq 1, outgoingPeerID 0, sessions 0/0
  const bytes = hex('8000ad1c83ff0001000000000000057800010000000000030000000000000000000013880000000200000002f93cec48');
  const [c] = roundTrip(bytes);
  assert.ok(c && c.type === ProtocolCommand.VERIFY_CONNECT);
  assert.equal(c.outgoingPeerID, 0);
  assert.equal(c.incomingSessionID, 0);
  assert.equal(c.outgoingSessionID, 0);
  assert.equal(c.mtu, 1400);
  assert.equal(c.channelCount, 3);
  assert.equal(c.connectID, 0xf93cec48);
  assert.equal(bytes.length, 4 + COMMAND_SIZES[ProtocolCommand.VERIFY_CONNECT]!);
});

test('ACKNOWLEDGE + PING in one datagram', () => {
  const bytes = hex(
    '8000 ad1c' + // peer 0, SENT_TIME, sentTime 44316
      '01 ff 0001 0001 ad1c' + // ACK ch 0xFF seq 1: receivedReliableSequenceNumber 1, receivedSentTime 44316
      '85 ff 0002', // PING|ACK ch 0xFF seq 2
  );
  assert.deepEqual(roundTrip(bytes), [
    {
      type: ProtocolCommand.ACKNOWLEDGE,
      flags: 0,
      channelID: 0xff,
      reliableSequenceNumber: 1,
      receivedReliableSequenceNumber: 1,
      receivedSentTime: 44316,
    },
    { type: ProtocolCommand.PING, flags: COMMAND_FLAG_ACKNOWLEDGE, channelID: 0xff, reliableSequenceNumber: 2 },
  ]);
});

test('SEND_RELIABLE with its 68-byte payload, behind an ACKNOWLEDGE', () => {
  const payload =
    '010000009fe6f36e1200000002000000040000000700000077656c636f6d6500020000009fe6f36e04000000090000007365727665725f69640000000200000001000000';
  const bytes = hex('8000ad1e' + '01ff00020002ad1c' + '86 01 0001 0044' + payload);
  const cmds = roundTrip(bytes);
  const c = cmds[1];
  assert.ok(c && c.type === ProtocolCommand.SEND_RELIABLE);
  assert.equal(c.flags, COMMAND_FLAG_ACKNOWLEDGE);
  assert.equal(c.channelID, 1);
  assert.equal(c.reliableSequenceNumber, 1);
  assert.equal(c.data.length, 0x44);
  assert.equal(toHex(c.data), payload);
});

test('SEND_UNSEQUENCED and SEND_UNRELIABLE carry no sent time', () => {
  const body =
    '9fe6f36e010000001200000004000000040000000300000073657100020000000000000004000000040000006d6f64650200000000000000040000000600000074617267657400000200000001000000040000000600000073656e6465720000020000009fe6f36e';
  // #5: peer word 0x0000 (no flags), SEND_UNSEQUENCED (9) | UNSEQUENCED flag (0x40), ch 2,
  // reliableSequenceNumber 0, unsequencedGroup 1, dataLength 0x68
  const unseq = roundTrip(hex('0000' + '49 02 0000 0001 0068' + body));
  assert.equal(unseq[0]?.type, ProtocolCommand.SEND_UNSEQUENCED);
  assert.equal(unseq[0]?.flags, COMMAND_FLAG_UNSEQUENCED);
  assert.equal(unseq[0]?.type === ProtocolCommand.SEND_UNSEQUENCED && unseq[0].unsequencedGroup, 1);
  // #7: SEND_UNRELIABLE (7), ch 2, reliableSequenceNumber 0, unreliableSequenceNumber 1
  const body7 = body.slice(0, 64) + '02' + body.slice(66, 104) + '01' + body.slice(106); // #7's two differing bytes
  const unrel = roundTrip(hex('0000' + '07 02 0000 0001 0068' + body7));
  const u = unrel[0];
  assert.ok(u && u.type === ProtocolCommand.SEND_UNRELIABLE);
  assert.equal(u.unreliableSequenceNumber, 1);
  assert.equal(u.data.length, 0x68);
  assert.equal(decodeHeader(hex('0000'), false)?.sentTime, undefined);
});

test('DISCONNECT sent unsequenced by disconnect_now', () => {
  // #20: DISCONNECT (4) | UNSEQUENCED, ch 0xFF, seq 3, data = the Godot client id
  const [c] = roundTrip(hex('0000' + '44 ff 0003 6ef3e69f'));
  assert.deepEqual(c, {
    type: ProtocolCommand.DISCONNECT,
    flags: COMMAND_FLAG_UNSEQUENCED,
    channelID: 0xff,
    reliableSequenceNumber: 3,
    data: 1861478047,
  });
});

test('fragments, BANDWIDTH_LIMIT and THROTTLE_CONFIGURE round-trip', () => {
  const bytes = hex(
    '8001 1234' + // peer 1, sentTime 0x1234
      '88 00 0005 0005 0003 00000002 00000001 00000583 00000580 aabbcc' + // SEND_FRAGMENT|ACK ch0 seq5
      //   start 5, dataLength 3, fragmentCount 2, fragmentNumber 1, totalLength 1411, offset 1408
      '0c 01 0007 0009 0001 00000003 00000000 00000003 00000000 dd' + // SEND_UNRELIABLE_FRAGMENT ch1
      //   reliable seq 7, start (unreliable) 9, 1 byte, 3 fragments, #0, total 3, offset 0
      '8a ff 0006 00010000 00020000' + // BANDWIDTH_LIMIT|ACK: in 65536, out 131072
      '8b ff 0007 00001388 00000002 00000003', // THROTTLE_CONFIGURE|ACK: 5000 / 2 / 3
  );
  const cmds = roundTrip(bytes);
  assert.deepEqual(
    cmds.map((c) => c.type),
    [
      ProtocolCommand.SEND_FRAGMENT,
      ProtocolCommand.SEND_UNRELIABLE_FRAGMENT,
      ProtocolCommand.BANDWIDTH_LIMIT,
      ProtocolCommand.THROTTLE_CONFIGURE,
    ],
  );
  const f = cmds[0];
  assert.ok(f && f.type === ProtocolCommand.SEND_FRAGMENT);
  assert.deepEqual(
    [f.startSequenceNumber, f.fragmentCount, f.fragmentNumber, f.totalLength, f.fragmentOffset, toHex(f.data)],
    [5, 2, 1, 1411, 1408, 'aabbcc'],
  );
  const b = cmds[2];
  assert.ok(b && b.type === ProtocolCommand.BANDWIDTH_LIMIT);
  assert.deepEqual([b.incomingBandwidth, b.outgoingBandwidth], [65536, 131072]);
  const t = cmds[3];
  assert.ok(t && t.type === ProtocolCommand.THROTTLE_CONFIGURE);
  assert.deepEqual([t.packetThrottleInterval, t.packetThrottleAcceleration, t.packetThrottleDeceleration], [5000, 2, 3]);
  for (const c of cmds) assert.ok(encodedCommandSize(c) >= COMMAND_SIZES[c.type]!);
});

test('header: session bits, compressed flag, checksum field, and peer 0xFFF keeps session clear', () => {
  const h = decodeHeader(hex('f123 0001 deadbeef'), true);
  assert.deepEqual(h, {
    peerID: 0x123,
    sessionID: 3,
    compressed: true,
    sentTime: 1,
    checksum: 0xdeadbeef,
    headerSize: 8,
  });
  const enc = encodeDatagram({ peerID: 0xfff, sessionID: 3, compressed: false, sentTime: undefined }, []);
  assert.equal(toHex(enc), '0fff');
  assert.equal(decodeHeader(hex('80'), false), null, 'one byte is no header');
  assert.equal(decodeHeader(hex('8000 00'), false), null, 'sent-time flag without the sent time');
  assert.equal(decodeHeader(hex('0000 0000'), true), null, 'checksum announced but missing');
  assert.equal(decodeDatagram(hex('4000 1234'))?.complete, false, 'compressed body is not parsed');
});

test('malformed commands stop parsing; the ones before them still count', () => {
  const ack = '01ff00010001ad1c';
  const cases: Array<[string, string, number]> = [
    ['unknown command 13', ack + '0d000000', 1],
    ['command 15', ack + '0f000000', 1],
    ['NONE (zero byte, e.g. FastLZ padding)', ack + '00000000', 1],
    ['truncated fixed part', ack + '85ff00', 1],
    ['payload past the end', ack + '86010001 0005 aabb', 1],
    ['fragment payload past the end', ack + '08000001 0001 0004 00000001 00000000 00000004 00000000 aa', 1],
  ];
  for (const [name, body, count] of cases) {
    const r = decodeCommands(hex(body));
    assert.equal(r.commands.length, count, name);
    assert.equal(r.complete, false, name);
  }
  assert.deepEqual(decodeCommands(new Uint8Array(0)), { commands: [], complete: true });
});

test('every prefix and every single-byte corruption of a fixture decodes without throwing', () => {
  const fixtures = [CONNECT, hex('8000ad1e01ff00020002ad1c8601000100 04 aabbccdd'.replace(/ /g, ''))];
  for (const f of fixtures) {
    for (let n = 0; n <= f.length; n++) {
      const d = decodeDatagram(f.subarray(0, n));
      if (d) assert.ok(d.commands.length <= 2);
    }
    for (let i = 0; i < f.length; i++) {
      for (const v of [0x00, 0xff, 0x0d, 0x80]) {
        const m = f.slice();
        m[i] = v;
        decodeDatagram(m);
        decodeDatagram(m, true);
      }
    }
  }
});

/** UDP payloads from a classic pcap file (Ethernet + IPv4 + UDP). */
function pcapPayloads(bytes: Uint8Array): Uint8Array[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(v.getUint32(0, true), 0xa1b2c3d4, 'little-endian microsecond pcap');
  const out: Uint8Array[] = [];
  for (let at = 24; at + 16 <= bytes.length; ) {
    const incl = v.getUint32(at + 8, true);
    const frame = bytes.subarray(at + 16, at + 16 + incl);
    at += 16 + incl;
    const ihl = (frame[14]! & 0x0f) * 4;
    out.push(frame.subarray(14 + ihl + 8));
  }
  return out;
}

for (const name of ['enet_1client', 'enet_2clients_relay']) {
  const file = join(sharedDir, 'captures', `${name}.pcap`);
  test(`every datagram of ${name}.pcap decodes completely and re-encodes byte for byte`, (t) => {
    if (!existsSync(file)) {
      t.skip(`capture not found: ${file}`);
      return;
    }
    const summary = readFileSync(join(sharedDir, 'captures', `${name}_summary.txt`), 'utf8');
    const expectedCounts = summary
      .split(/\n(?=#\d+ )/)
      .filter((b) => b.startsWith('#'))
      .map((b) => b.split('\n').filter((l) => /^ {2}[A-Z_]+/.test(l)).length);
    const datagrams = pcapPayloads(readFileSync(file));
    assert.equal(datagrams.length, expectedCounts.length);
    datagrams.forEach((dg, i) => {
      const cmds = roundTrip(dg);
      assert.equal(cmds.length, expectedCounts[i], `datagram #${i + 1}`);
    });
  });
}

test('encodeDataCommand copies every payload size and offset exactly, from shared and detached sources', () => {
  const slab = new Uint8Array(4096);
  for (let i = 0; i < slab.length; i++) slab[i] = (i * 131 + 17) & 0xff;
  // The source may itself be a view inside a bigger buffer (a slab carved by bytes.ts).
  const source = new Uint8Array(slab.buffer, 5, 4000);
  const frame = new Uint8Array(2048 + 8);
  const body = frame.subarray(8);
  const view = new DataView(frame.buffer, 8);
  const fields = { type: ProtocolCommand.SEND_RELIABLE, flags: COMMAND_FLAG_ACKNOWLEDGE, channelID: 3, reliableSequenceNumber: 9, unreliableSequenceNumber: 0, unsequencedGroup: 0 };
  for (const length of [0, 1, 3, 4, 5, 7, 8, 63, 64, 65, 255, 256, 257, 1000]) {
    for (const from of [0, 1, 2, 3, 4, 1001, 4000 - length]) {
      for (const at of [0, 1, 3]) {
        body.fill(0xee);
        const end = encodeDataCommand(body, view, at, fields, source, from, length);
        assert.equal(end, at + 6 + length);
        assert.equal(toHex(body.subarray(at + 6, end)), toHex(source.subarray(from, from + length)), `${length} B from ${from} at ${at}`);
        assert.equal(body[end], 0xee, 'nothing written past the payload');
      }
    }
  }
  // Sources alternating between views of one buffer and of another (the copy keeps one
  // DataView per buffer): each copy reads its own view's bytes.
  const other = new Uint8Array(300).map((_, i) => 255 - (i & 0xff));
  const sources = [new Uint8Array(slab.buffer, 100, 50), new Uint8Array(slab.buffer, 7, 80), other.subarray(3), new Uint8Array(slab.buffer, 0, 9)];
  for (let round = 0; round < 3; round++) {
    for (const src of sources) {
      const end = encodeDataCommand(body, view, 1, fields, src, 2, 7);
      assert.equal(toHex(body.subarray(7, end)), toHex(src.subarray(2, 9)), `round ${round}, view at ${src.byteOffset}`);
    }
  }
  // The same source object, detached afterwards (a NO_ALLOCATE caller transferred it): no throw.
  const own = new Uint8Array(64).fill(9);
  encodeDataCommand(body, view, 0, fields, own, 0, 64);
  structuredClone(own.buffer, { transfer: [own.buffer] });
  assert.doesNotThrow(() => encodeDataCommand(body, view, 0, fields, own, 0, 64));
});
