/**
 * ENet connection lifecycle in simulation: handshake parameters, graceful and immediate
 * disconnects (both directions), disconnect-later, timeouts, failed connects, peer limit,
 * refusing connections, duplicate-address limit, pings on idle links, bandwidth and throttle
 * commands.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import type { Peer } from '../../src/enet/peer.js';
import { SimNetwork, type SimHostOptions, type SimNode } from '../../src/enet/testing/sim-network.js';
import { EventType, PacketFlag, PeerState, type DisconnectEvent, type HostEvent } from '../../src/enet/types.js';
import { decodeDatagram } from '../../src/enet/wire-decode.js';
import { ProtocolCommand } from '../../src/enet/protocol.js';

function setup(
  serverOptions: SimHostOptions = {},
  clientOptions: SimHostOptions = {},
  channels = 3,
): { net: SimNetwork; server: SimNode; client: SimNode; cp: Peer; sp: Peer } {
  const net = new SimNetwork({ seed: 1, conditions: { latency: 10 } });
  const server = net.addHost('server', { peerCount: 4, ...serverOptions });
  const client = net.addHost('client', { peerCount: 1, ...clientOptions });
  const cp = client.host.connect(server.address, channels, 5)!;
  assert.ok(net.runUntil(() => cp.state === PeerState.CONNECTED && server.events.length > 0, 5000));
  const sp = server.events[0]!.peer;
  return { net, server, client, cp, sp };
}

const ofType = <T extends HostEvent['type']>(node: SimNode, type: T): Array<Extract<HostEvent, { type: T }>> =>
  node.events.filter((e): e is Extract<HostEvent, { type: T }> => e.type === type);

test('handshake: CONNECT data, channel limit, MTU and session ids are negotiated', () => {
  const { server, client, cp, sp } = setup({ channelLimit: 2, mtu: 1200 }, { mtu: 1400 }, 5);
  const e = ofType(server, EventType.CONNECT)[0]!;
  assert.equal(e.data, 5);
  assert.equal(ofType(client, EventType.CONNECT)[0]!.data, 0, 'the connecting side reports 0');
  assert.equal(sp.channelCount, 2, 'server caps channels at its limit');
  assert.equal(cp.channelCount, 2, 'client adopts the smaller count');
  assert.equal(sp.mtu, 1400, 'the accepting side takes the MTU from CONNECT');
  assert.equal(cp.mtu, 1400);
  assert.equal(cp.outgoingPeerID, sp.incomingPeerID);
  assert.equal(sp.outgoingPeerID, cp.incomingPeerID);
  assert.equal(cp.outgoingSessionID, sp.incomingSessionID);
  assert.equal(cp.incomingSessionID, sp.outgoingSessionID);
  assert.equal(cp.connectID, sp.connectID);
  assert.equal(cp.send(2, new Uint8Array(1)), Error.ERR_INVALID_PARAMETER, 'channel 2 no longer exists');
});

test('graceful disconnect from the client: both sides get DISCONNECT with the data', () => {
  const { net, server, client, cp, sp } = setup();
  cp.disconnect(42);
  assert.equal(cp.state, PeerState.DISCONNECTING);
  net.run(200);
  const s = ofType(server, EventType.DISCONNECT);
  const c = ofType(client, EventType.DISCONNECT);
  assert.equal(s.length, 1);
  assert.equal(s[0]!.data, 42);
  assert.equal(s[0]!.timedOut, false);
  assert.equal(c.length, 1);
  assert.equal(c[0]!.timedOut, false);
  assert.equal(cp.state, PeerState.DISCONNECTED);
  assert.equal(sp.state, PeerState.DISCONNECTED);
  assert.equal(server.host.connectedPeers, 0);
  assert.equal(client.host.connectedPeers, 0);
});

test('disconnectNow: the remote end gets DISCONNECT, the local end none', () => {
  const { net, server, client, cp } = setup();
  cp.disconnectNow(9);
  assert.equal(cp.state, PeerState.DISCONNECTED);
  net.run(200);
  assert.deepEqual(
    ofType(server, EventType.DISCONNECT).map((e) => e.data),
    [9],
  );
  assert.equal(ofType(client, EventType.DISCONNECT).length, 0);
});

test('disconnectLater delivers everything queued first', () => {
  const { net, server, cp } = setup();
  for (let i = 0; i < 50; i++) cp.send(1, new Uint8Array(3000).fill(i), PacketFlag.RELIABLE);
  cp.disconnectLater(3);
  assert.equal(cp.state, PeerState.DISCONNECT_LATER);
  assert.equal(cp.send(1, new Uint8Array(1), PacketFlag.RELIABLE), Error.ERR_UNCONFIGURED, 'no new sends');
  net.run(3000);
  const got = ofType(server, EventType.RECEIVE);
  assert.equal(got.length, 50);
  assert.deepEqual(
    got.map((e) => e.packet.data[0]),
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.equal(ofType(server, EventType.DISCONNECT)[0]?.data, 3);
  assert.equal(cp.state, PeerState.DISCONNECTED);
});

test('a peer that goes silent times out: DISCONNECT with timedOut, within timeoutMaximum', () => {
  const { net, client, cp, server } = setup();
  cp.send(1, new Uint8Array(10), PacketFlag.RELIABLE);
  net.run(100);
  net.conditions = { loss: 1 };
  const t0 = net.now;
  assert.ok(net.runUntil(() => ofType(client, EventType.DISCONNECT).length > 0, 60_000));
  const elapsed = net.now - t0;
  const d = ofType(client, EventType.DISCONNECT)[0]!;
  assert.equal(d.timedOut, true);
  assert.equal(d.data, 0);
  assert.ok(elapsed >= 5000 && elapsed <= 31_000, `timed out after ${elapsed} ms`);
  // The server times out too (its pings go unanswered).
  assert.ok(net.runUntil(() => ofType(server, EventType.DISCONNECT).length > 0, 60_000));
  assert.equal((ofType(server, EventType.DISCONNECT)[0] as DisconnectEvent).timedOut, true);
});

test('custom timeouts: setTimeout shortens detection', () => {
  const { net, client, cp } = setup();
  cp.setTimeout(4, 500, 1000);
  net.conditions = { loss: 1 };
  const t0 = net.now;
  assert.ok(net.runUntil(() => ofType(client, EventType.DISCONNECT).length > 0, 20_000));
  assert.ok(net.now - t0 <= 2500, `timed out after ${net.now - t0} ms`);
});

test('connecting to nobody fails with DISCONNECT; a refused or full server stays silent', () => {
  const net = new SimNetwork({ seed: 2, conditions: { latency: 10 } });
  const client = net.addHost('client', { peerCount: 1 });
  const peer = client.host.connect({ address: 'nowhere', port: 1 }, 2, 0)!;
  assert.ok(net.runUntil(() => ofType(client, EventType.DISCONNECT).length > 0, 60_000));
  assert.equal(ofType(client, EventType.DISCONNECT)[0]!.peer, peer);
  assert.equal(ofType(client, EventType.DISCONNECT)[0]!.timedOut, true);
  assert.equal(peer.state, PeerState.DISCONNECTED);

  const server = net.addHost('server', { peerCount: 1, refuseNewConnections: true });
  const c2 = net.addHost('c2', { peerCount: 1 });
  c2.host.connect(server.address, 2, 0);
  net.run(40_000);
  assert.equal(server.events.length, 0, 'refused: no event on the server');
  assert.equal(ofType(c2, EventType.DISCONNECT).length, 1, 'the client gives up');
  assert.equal(server.host.peers[0]!.state, PeerState.DISCONNECTED);

  server.host.refuseNewConnections(false);
  c2.host.connect(server.address, 2, 0);
  net.run(200);
  assert.equal(ofType(server, EventType.CONNECT).length, 1, 'accepted once refusal is lifted');
});

test('peer limit: the server accepts as many peers as it has slots', () => {
  const net = new SimNetwork({ seed: 3, conditions: { latency: 10 } });
  const server = net.addHost('server', { peerCount: 2 });
  const clients = [0, 1, 2].map((i) => net.addHost(`c${i}`, { peerCount: 1 }));
  clients.forEach((c, i) => {
    c.host.connect(server.address, 1, i);
    net.run(50);
  });
  net.run(200);
  assert.deepEqual(
    ofType(server, EventType.CONNECT).map((e) => e.data),
    [0, 1],
  );
  assert.equal(ofType(clients[2]!, EventType.CONNECT).length, 0);
  // The client side is limited too.
  assert.equal(clients[0]!.host.connect(server.address, 1, 0), null, 'no free slot');
  // When a slot frees up, the third client gets in on a retry.
  ofType(server, EventType.CONNECT)[0]!.peer.disconnect(0);
  net.run(40_000);
  clients[2]!.host.connect(server.address, 1, 2);
  net.run(500);
  assert.deepEqual(
    ofType(server, EventType.CONNECT).map((e) => e.data),
    [0, 1, 2],
  );
});

test('duplicatePeers limits connections from one address', () => {
  const net = new SimNetwork({ seed: 4, conditions: { latency: 10 } });
  const server = net.addHost('server', { peerCount: 4, duplicatePeers: 1 });
  const a = net.addHost('same', { peerCount: 2 }, 9000);
  a.host.connect(server.address, 1, 1);
  a.host.connect(server.address, 1, 2);
  net.run(300);
  assert.deepEqual(
    ofType(server, EventType.CONNECT).map((e) => e.data),
    [1],
  );
});

test('an idle connection stays up on pings; RTT is measured from them', () => {
  const { net, client, server, cp } = setup();
  let pings = 0;
  const orig = server.host.receive.bind(server.host);
  server.host.receive = (data, from) => {
    if (decodeDatagram(data)?.commands.some((c) => c.type === ProtocolCommand.PING)) pings++;
    orig(data, from);
  };
  net.run(60_000, 5);
  assert.equal(cp.state, PeerState.CONNECTED);
  assert.equal(client.events.filter((e) => e.type === EventType.DISCONNECT).length, 0);
  assert.ok(pings >= 60 && pings <= 130, `about one ping per 500 ms (${pings})`);
  assert.ok(cp.roundTripTime >= 18 && cp.roundTripTime <= 30, `rtt ${cp.roundTripTime}`);
  cp.setPingInterval(2000);
  pings = 0;
  net.run(20_000, 5);
  assert.ok(pings >= 8 && pings <= 12, `ping interval 2000 ms (${pings})`);
});

test('bandwidth limits are announced; throttle configuration reaches the remote end', () => {
  const { net, cp, sp, server } = setup(
    { incomingBandwidth: 100_000, outgoingBandwidth: 50_000 },
    { outgoingBandwidth: 30_000 },
  );
  // VERIFY_CONNECT carried the server's limits; the window follows the smaller side.
  assert.equal(cp.incomingBandwidth, 100_000);
  assert.equal(cp.outgoingBandwidth, 50_000);
  assert.equal(cp.windowSize, 4096);
  assert.equal(sp.incomingBandwidth, 0);
  assert.equal(sp.outgoingBandwidth, 30_000);
  // Within a second the server shares out its incoming bandwidth (BANDWIDTH_LIMIT): a peer
  // sending less than its share (30 kB/s < 100 kB/s) is granted its own rate.
  net.run(1500);
  assert.equal(cp.incomingBandwidth, 30_000);
  assert.equal(cp.outgoingBandwidth, 50_000);
  cp.throttleConfigure(1000, 4, 8);
  net.run(200);
  assert.deepEqual([sp.packetThrottleInterval, sp.packetThrottleAcceleration, sp.packetThrottleDeceleration], [1000, 4, 8]);
  server.host.bandwidthLimit(0, 0);
  net.run(1500);
  assert.equal(cp.outgoingBandwidth, 0);
  assert.equal(cp.incomingBandwidth, 0);
});

test('reset forgets a peer silently; the other end times out', () => {
  const { net, client, server, sp } = setup();
  sp.reset();
  assert.equal(sp.state, PeerState.DISCONNECTED);
  assert.ok(net.runUntil(() => ofType(client, EventType.DISCONNECT).length > 0, 60_000));
  assert.equal(ofType(server, EventType.DISCONNECT).length, 0);
});

test('peers can reconnect after a disconnect; sessions move on', () => {
  const { net, server, client, cp, sp } = setup();
  const session = sp.incomingSessionID;
  cp.disconnect(0);
  net.run(500);
  const again = client.host.connect(server.address, 2, 6)!;
  net.run(500);
  assert.equal(again.state, PeerState.CONNECTED);
  const e = ofType(server, EventType.CONNECT);
  assert.equal(e.length, 2);
  assert.equal(e[1]!.data, 6);
  assert.notEqual(e[1]!.peer.incomingSessionID, session);
  again.send(0, new Uint8Array([1]), PacketFlag.RELIABLE);
  net.run(100);
  assert.equal(ofType(server, EventType.RECEIVE).length, 1);
});

test('nextServiceDelay tells a driver when to come back', () => {
  const { net, client, cp } = setup();
  net.run(100);
  const d = client.host.nextServiceDelay(net.now >>> 0);
  assert.ok(d > 0 && d <= 500, `idle: next ping within the interval (${d})`);
  cp.send(1, new Uint8Array(1), 0);
  assert.equal(client.host.nextServiceDelay(net.now >>> 0), 0, 'something to send');
});
