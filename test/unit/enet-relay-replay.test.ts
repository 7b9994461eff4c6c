/**
 * Byte-exact replay of the server side of shared/captures/enet_2clients_relay.pcap: a Godot
 * 3.2.3 server (NetworkedMultiplayerENet, server_relay on) with two clients, A and B.
 *
 * A gdwire Host plays the server. It is fed the clients' datagrams at the server's clock and
 * does what Godot 3.2 did — welcome packet from peer_connected, ADD_PEER / REMOVE_PEER system
 * messages on channel 0, relaying by the 8-byte header's target (@see godot-wire.md §5.2),
 * replies from the script — and every datagram it sends must equal the captured one.
 *
 * Beyond the one-client replay this checks what only shows with several peers: peers served
 * in slot order, relayed copies batched per peer into one datagram until the event queue is
 * drained, per-peer sequence numbers and unsequenced groups, and ENet's round-robin dispatch of
 * RECEIVE events across peers (the script's replies alternate A, B, A, B…).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDir } from '../helpers/paths.js';
import { Host } from '../../src/enet/host.js';
import type { Peer } from '../../src/enet/peer.js';
import { EventType, PacketFlag, type HostEvent } from '../../src/enet/types.js';
import { decodeDatagram } from '../../src/enet/wire-decode.js';
import { ProtocolCommand } from '../../src/enet/protocol.js';

const CAPTURE = join(sharedDir, 'captures', 'enet_2clients_relay.pcap');
const SERVER_PORT = 47151;
const A_PORT = 32913;
const B_PORT = 42984;
const A_ID = 1147184092;
const B_ID = 65739822;
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** [source port, UDP payload] of each datagram of a classic Ethernet/IPv4 pcap. */
function readPcap(file: string): Array<[number, Uint8Array]> {
  const bytes = readFileSync(file);
  const out: Array<[number, Uint8Array]> = [];
  for (let at = 24; at + 16 <= bytes.length; ) {
    const incl = bytes.readUInt32LE(at + 8);
    const frame = bytes.subarray(at + 16, at + 16 + incl);
    at += 16 + incl;
    const ip = 14 + (frame[14]! & 0x0f) * 4;
    out.push([frame.readUInt16BE(ip), Uint8Array.from(frame.subarray(ip + 8))]);
  }
  return out;
}

/** The payload of the single data command in a datagram. */
function payloadOf(datagram: Uint8Array): { channelID: number; flags: number; data: Uint8Array } {
  const c = decodeDatagram(datagram)!.commands.find((x) => x.type !== ProtocolCommand.ACKNOWLEDGE)!;
  switch (c.type) {
    case ProtocolCommand.SEND_RELIABLE:
      return { channelID: c.channelID, flags: PacketFlag.RELIABLE, data: c.data };
    case ProtocolCommand.SEND_UNSEQUENCED:
      return { channelID: c.channelID, flags: PacketFlag.UNSEQUENCED, data: c.data };
    case ProtocolCommand.SEND_UNRELIABLE:
      return { channelID: c.channelID, flags: 0, data: c.data };
    default:
      throw new assert.AssertionError({ message: `no data command in ${toHex(datagram)}` });
  }
}

const sysmsg = (type: number, id: number): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setUint32(0, type, true);
  new DataView(b.buffer).setUint32(4, id, true);
  return b;
};

test('server side of a two-client relay session: every datagram byte for byte', (t) => {
  if (!existsSync(CAPTURE)) {
    t.skip(`capture not found: ${CAPTURE}`);
    return;
  }
  const dg = readPcap(CAPTURE);
  assert.equal(dg.length, 50);
  const at = (n: number): Uint8Array => dg[n - 1]![1];
  const from = (n: number) => ({ address: '127.0.0.1', port: dg[n - 1]![0] });

  const host = new Host({ peerCount: 32, channelLimit: 3, random: { u32: () => 1 } });
  // Where each server datagram went (the pcap records source ports; see the summary).
  const destinations = new Map<number, number>([
    [2, A_PORT], [4, A_PORT], [7, B_PORT], [9, B_PORT], [10, A_PORT], [11, B_PORT], [30, A_PORT], [31, B_PORT],
    [32, A_PORT], [33, B_PORT], [34, A_PORT], [35, B_PORT], [36, A_PORT], [37, B_PORT], [38, A_PORT],
    [39, B_PORT], [40, A_PORT], [41, B_PORT], [42, A_PORT], [43, B_PORT], [44, A_PORT], [45, B_PORT], [50, A_PORT],
  ]);
  const expect = (...numbers: number[]): void => {
    const got = host.takeDatagrams().map((d) => `${d.address.port}:${toHex(d.data)}`);
    const want = numbers.map((n) => {
      assert.equal(dg[n - 1]![0], SERVER_PORT, `#${n} is a server datagram`);
      return `${destinations.get(n)!}:${toHex(at(n))}`;
    });
    assert.deepEqual(got, want, `datagrams ${numbers.join(', ')}`);
  };

  // Godot 3.2 server state: peer id -> ENet peer, and the relay rules of poll().
  const peers = new Map<number, Peer>();
  const local: Array<[number, Uint8Array]> = []; // packets delivered to the server itself
  const sortedIds = (): number[] => [...peers.keys()].sort((x, y) => x - y);
  const onEvent = (e: HostEvent, now: number, welcome: Uint8Array | null): void => {
    if (e.type === EventType.CONNECT) {
      peers.set(e.data, e.peer);
      if (welcome) {
        e.peer.send(1, welcome, PacketFlag.RELIABLE); // the script's peer_connected handler…
        host.flush(now); // …put_packet flushes
      }
      for (const id of sortedIds()) {
        if (id === e.data) continue;
        e.peer.send(0, sysmsg(0, id), PacketFlag.RELIABLE); // ADD_PEER(existing) to the newcomer
        peers.get(id)!.send(0, sysmsg(0, e.data), PacketFlag.RELIABLE); // ADD_PEER(newcomer) to existing
      }
    } else if (e.type === EventType.RECEIVE) {
      const v = new DataView(e.packet.data.buffer, e.packet.data.byteOffset, e.packet.data.byteLength);
      const source = v.getUint32(0, true);
      const target = v.getInt32(4, true);
      assert.equal(peers.get(source), e.peer, 'source id matches the sending peer');
      if (target === 1) local.push([source, e.packet.data]);
      else if (target === 0 || target < 0) {
        if (target === 0 || -target !== 1) local.push([source, e.packet.data]);
        for (const id of sortedIds()) {
          if (id === source || id === -target) continue;
          peers.get(id)!.send(e.channelID, e.packet.data, e.packet.flags);
        }
      } else peers.get(target)!.send(e.channelID, e.packet.data, e.packet.flags);
    } else if (e.type === EventType.DISCONNECT) {
      const id = [...peers].find(([, p]) => p === e.peer)![0];
      peers.delete(id);
      for (const other of sortedIds()) peers.get(other)!.send(0, sysmsg(1, id), PacketFlag.RELIABLE);
    }
  };
  /** Godot's poll(): enet_host_service until it returns 0, handling each event in between. */
  const poll = (now: number, next = now, welcome: Uint8Array | null = null): HostEvent[] => {
    const events: HostEvent[] = [];
    for (let e = host.service(now); e; e = host.service(next)) {
      events.push(e);
      onEvent(e, now, welcome);
    }
    return events;
  };

  // Client A connects.
  host.receive(at(1), from(1));
  poll(45669);
  expect(2);
  host.receive(at(3), from(3));
  assert.equal(poll(45672, 45672, payloadOf(at(4)).data)[0]?.type, EventType.CONNECT);
  expect(4);
  host.receive(at(5), from(5));
  poll(45673);
  expect();

  // Client B connects 200 ms later: welcome (flushed at once), then ADD_PEER both ways.
  host.receive(at(6), from(6));
  poll(45871);
  expect(7);
  host.receive(at(8), from(8));
  poll(45873, 45874, payloadOf(at(9)).data);
  expect(9, 10, 11);
  host.receive(at(12), from(12));
  host.receive(at(13), from(13));
  poll(45875);
  expect();

  // Each client sends 8 packets (dst server, all, the other, all-but-server).
  for (let n = 14; n <= 29; n++) host.receive(at(n), from(n));
  const events = poll(45878);
  // Acknowledgements leave before any event; relayed copies go out, one datagram per peer,
  // once the application has drained the events.
  expect(30, 31, 32, 33);
  assert.equal(events.length, 16);
  assert.deepEqual(
    events.map((e) => (e.type === EventType.RECEIVE && e.peer === peers.get(A_ID) ? 'A' : 'B')).join(''),
    'ABABABABABABABAB',
    'ENet dispatches round-robin across peers',
  );
  assert.deepEqual(
    local.map(([src]) => (src === A_ID ? 'A' : 'B')).join(''),
    'ABABABABABAB',
  );

  // The script answers each packet delivered locally, in order, flushing every time.
  const replyTimes = [45878, 45878, 45878, 45878, 45878, 45878, 45878, 45878, 45878, 45879, 45879, 45879];
  for (let n = 34; n <= 45; n++) {
    const reply = payloadOf(at(n));
    const to = n % 2 === 0 ? peers.get(A_ID)! : peers.get(B_ID)!;
    to.send(reply.channelID, reply.data, reply.flags);
    host.flush(replyTimes[n - 34]!);
    expect(n);
  }
  host.receive(at(46), from(46));
  host.receive(at(47), from(47));
  poll(45880);
  expect();

  // B leaves (disconnect_now): REMOVE_PEER(B) is queued for A during the event; the poll
  // loop ends. At the next poll it leaves first, before A's own DISCONNECT is read.
  host.receive(at(48), from(48));
  const first = host.service(46183);
  assert.ok(first && first.type === EventType.DISCONNECT && first.data === B_ID);
  onEvent(first, 46183, null);
  expect();
  host.receive(at(49), from(49));
  const second = poll(46187);
  expect(50);
  assert.ok(second[0]?.type === EventType.DISCONNECT && second[0].data === A_ID);
  assert.equal(host.connectedPeers, 0);
});
