/**
 * Byte-exact replay of a real session between two Godot 3.2.3 peers (libenet 1.3.17), from
 * shared/captures/enet_1client.pcap (fields decoded in enet_1client_summary.txt).
 *
 * Each side is played by a gdwire Host: it is fed the datagrams the *other* side sent, at the
 * captured times, and does what Godot did (connect, send with a flush after every packet,
 * disconnect_now). Every datagram it produces must equal the captured one byte for byte —
 * header, sent time, sequence numbers, unsequenced groups, acknowledgement batching, pings.
 * Both Godot processes read the same millisecond clock (44314 at the first datagram).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Host } from '../../src/enet/host.js';
import { EventType, PacketFlag, type HostEvent } from '../../src/enet/types.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// The 20 datagrams, in capture order (C = client, S = server).
const D: Record<number, string> = {
  1: '8fffad1a82ff00010000ffff0000057800010000000000030000000000000000000013880000000200000002f93cec486ef3e69f',
  2: '8000ad1c83ff0001000000000000057800010000000000030000000000000000000013880000000200000002f93cec48',
  3: '8000ad1c01ff00010001ad1c85ff0002',
  4: '8000ad1e01ff00020002ad1c860100010044010000009fe6f36e1200000002000000040000000700000077656c636f6d6500020000009fe6f36e04000000090000007365727665725f69640000000200000001000000',
  5: '000049020000000100689fe6f36e010000001200000004000000040000000300000073657100020000000000000004000000040000006d6f64650200000000000000040000000600000074617267657400000200000001000000040000000600000073656e6465720000020000009fe6f36e',
  6: '000049020000000200689fe6f36e000000001200000004000000040000000300000073657100020000000100000004000000040000006d6f64650200000000000000040000000600000074617267657400000200000000000000040000000600000073656e6465720000020000009fe6f36e',
  7: '000007020000000100689fe6f36e010000001200000004000000040000000300000073657100020000000200000004000000040000006d6f64650200000001000000040000000600000074617267657400000200000001000000040000000600000073656e6465720000020000009fe6f36e',
  8: '000007020000000200689fe6f36e000000001200000004000000040000000300000073657100020000000300000004000000040000006d6f64650200000001000000040000000600000074617267657400000200000000000000040000000600000073656e6465720000020000009fe6f36e',
  9: '8000ad1f8601000100689fe6f36e010000001200000004000000040000000300000073657100020000000400000004000000040000006d6f64650200000002000000040000000600000074617267657400000200000001000000040000000600000073656e6465720000020000009fe6f36e',
  10: '8000ad1f8601000200689fe6f36e000000001200000004000000040000000300000073657100020000000500000004000000040000006d6f64650200000002000000040000000600000074617267657400000200000000000000040000000600000073656e6465720000020000009fe6f36e',
  11: '0000010100010001ad1e',
  12: '0000010100010001ad1f010100020002ad1f',
  13: '00004902000000010050010000009fe6f36e120000000300000004000000080000007265706c795f746f020000000000000004000000040000006d6f646502000000000000000400000002000000746f0000020000009fe6f36e',
  14: '00004902000000020050010000009fe6f36e120000000300000004000000080000007265706c795f746f020000000100000004000000040000006d6f646502000000000000000400000002000000746f0000020000009fe6f36e',
  15: '00000702000000010050010000009fe6f36e120000000300000004000000080000007265706c795f746f020000000200000004000000040000006d6f646502000000010000000400000002000000746f0000020000009fe6f36e',
  16: '00000702000000020050010000009fe6f36e120000000300000004000000080000007265706c795f746f020000000300000004000000040000006d6f646502000000010000000400000002000000746f0000020000009fe6f36e',
  17: '8000ad21860100020050010000009fe6f36e120000000300000004000000080000007265706c795f746f020000000400000004000000040000006d6f646502000000020000000400000002000000746f0000020000009fe6f36e',
  18: '8000ad21860100030050010000009fe6f36e120000000300000004000000080000007265706c795f746f020000000500000004000000040000006d6f646502000000020000000400000002000000746f0000020000009fe6f36e',
  19: '0000010100020002ad21010100030003ad21',
  20: '000044ff00036ef3e69f',
};
const dg = (n: number): Uint8Array => hex(D[n]!);
/** The application payload of a single-command datagram with a `headerSize`-byte header. */
function payload(n: number, headerSize: number, commandSize: number): Uint8Array {
  return dg(n).subarray(headerSize + commandSize);
}

const CLIENT = { address: '127.0.0.1', port: 46150 };
const SERVER = { address: '127.0.0.1', port: 47150 };
const GODOT_CLIENT_ID = 1861478047;

/**
 * A host whose datagrams are collected. service() runs the pump as Godot's poll() does —
 * enet_host_service until it returns 0 — handing each event to `onEvent` before the next
 * call (Godot emits its signals there, and a script may send from them).
 */
function harness(host: Host): {
  events: HostEvent[];
  service: (now: number, onEvent?: (e: HostEvent) => void) => void;
  expect: (...numbers: number[]) => void;
} {
  const events: HostEvent[] = [];
  return {
    events,
    service(now, onEvent) {
      for (let e = host.service(now); e; e = host.service(now)) {
        events.push(e);
        onEvent?.(e);
      }
    },
    expect(...numbers) {
      const got = host.takeDatagrams().map((d) => toHex(d.data));
      assert.deepEqual(
        got,
        numbers.map((n) => D[n]),
        `datagrams ${numbers.join(', ')}`,
      );
    },
  };
}

test('client side: a gdwire Host reproduces the Godot client datagrams byte for byte', () => {
  // ENet's connect id is the host's random seed plus one.
  const host = new Host({ peerCount: 1, channelLimit: 3, random: { u32: () => 0xf93cec48 - 1 } });
  const h = harness(host);
  const peer = host.connect(SERVER, 3, GODOT_CLIENT_ID);
  assert.ok(peer);
  h.service(44314);
  h.expect(1); // CONNECT

  host.receive(dg(2), SERVER);
  h.service(44316);
  assert.equal(h.events.shift()?.type, EventType.CONNECT);
  h.expect(3); // ACK of VERIFY_CONNECT + first PING

  // Godot: put_packet = enet_peer_send + enet_host_flush, six times, before polling again.
  const sends: Array<[number, number, number]> = [
    [5, PacketFlag.UNSEQUENCED, 2],
    [6, PacketFlag.UNSEQUENCED, 2],
    [7, 0, 2],
    [8, 0, 2],
    [9, PacketFlag.RELIABLE, 1],
    [10, PacketFlag.RELIABLE, 1],
  ];
  for (const [n, flags, channel] of sends) {
    const reliable = flags === PacketFlag.RELIABLE;
    peer.send(channel, payload(n, reliable ? 4 : 2, reliable ? 6 : 8), flags);
    host.flush(44319);
    h.expect(n);
  }

  host.receive(dg(4), SERVER); // ACK of the PING + the server's welcome packet
  h.service(44319);
  const welcome = h.events.shift();
  assert.ok(welcome && welcome.type === EventType.RECEIVE && welcome.channelID === 1);
  assert.deepEqual(welcome.packet.data, payload(4, 4, 8 + 6));
  h.expect(11);

  for (const n of [12, 13, 14, 15, 16, 17, 18]) host.receive(dg(n), SERVER);
  h.service(44321);
  assert.deepEqual(
    h.events.splice(0).map((e) => (e.type === EventType.RECEIVE ? [e.channelID, e.packet.flags] : e.type)),
    [
      [2, PacketFlag.UNSEQUENCED],
      [2, PacketFlag.UNSEQUENCED],
      [2, 0],
      [2, 0],
      [1, PacketFlag.RELIABLE],
      [1, PacketFlag.RELIABLE],
    ],
  );
  h.expect(19); // both reliable packets acknowledged in one datagram

  h.service(44624); // 300 ms later: nothing due (no ping: the last ack is recent)
  h.expect();
  peer.disconnectNow(GODOT_CLIENT_ID);
  h.expect(20);
});

test('server side: a gdwire Host reproduces the Godot server datagrams byte for byte', () => {
  const host = new Host({ peerCount: 32, channelLimit: 3, random: { u32: () => 1 } });
  const h = harness(host);
  host.receive(dg(1), CLIENT);
  h.service(44316);
  assert.equal(h.events.length, 0, 'no event until the client acknowledges');
  h.expect(2); // VERIFY_CONNECT

  host.receive(dg(3), CLIENT);
  // Godot's peer_connected handler sends a welcome packet (put_packet = send + flush) from
  // inside the poll loop: the PING's acknowledgement, still queued, rides along with it.
  h.service(44318, (e) => {
    if (e.type !== EventType.CONNECT) return;
    e.peer.send(1, payload(4, 4, 8 + 6), PacketFlag.RELIABLE);
    host.flush(44318);
  });
  const connect = h.events.shift();
  assert.ok(connect && connect.type === EventType.CONNECT);
  assert.equal(connect.data, GODOT_CLIENT_ID);
  h.expect(4);

  for (const n of [5, 6, 7, 8, 9, 10, 11]) host.receive(dg(n), CLIENT);
  h.service(44320);
  assert.deepEqual(
    h.events.splice(0).map((e) => (e.type === EventType.RECEIVE ? [e.channelID, e.packet.flags] : e.type)),
    [
      [2, PacketFlag.UNSEQUENCED],
      [2, PacketFlag.UNSEQUENCED],
      [2, 0],
      [2, 0],
      [1, PacketFlag.RELIABLE],
      [1, PacketFlag.RELIABLE],
    ],
  );
  h.expect(12);

  const replies: Array<[number, number, number]> = [
    [13, PacketFlag.UNSEQUENCED, 2],
    [14, PacketFlag.UNSEQUENCED, 2],
    [15, 0, 2],
    [16, 0, 2],
    [17, PacketFlag.RELIABLE, 1],
    [18, PacketFlag.RELIABLE, 1],
  ];
  for (const [n, flags, channel] of replies) {
    const reliable = flags === PacketFlag.RELIABLE;
    connect.peer.send(channel, payload(n, reliable ? 4 : 2, reliable ? 6 : 8), flags);
    host.flush(44321);
    h.expect(n);
  }

  host.receive(dg(19), CLIENT); // the client's acknowledgements, 0.2 ms later
  h.service(44321);
  h.expect();
  host.receive(dg(20), CLIENT); // disconnect_now, 300 ms later
  h.service(44624);
  const d = h.events.shift();
  assert.ok(d && d.type === EventType.DISCONNECT);
  assert.equal(d.data, GODOT_CLIENT_ID);
  assert.equal(host.connectedPeers, 0);
  h.expect();
});
