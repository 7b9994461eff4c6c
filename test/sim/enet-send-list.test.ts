/**
 * The send loop visits only peers with something to send, plus every peer when one of their
 * deadlines (retransmission, ping) may have come (Host.markSend / takeSendPeers). These tests
 * pin both halves: idle peers are still pinged and retransmitted to on time while another
 * peer is busy, and the visits do not scale with the number of idle peers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Peer } from '../../src/enet/peer.js';
import { SimNetwork, type SimNode } from '../../src/enet/testing/sim-network.js';
import { EventType, PacketFlag, PeerState } from '../../src/enet/types.js';

const CLIENTS = 40;

function crowd(): { net: SimNetwork; server: SimNode; clients: SimNode[]; serverPeers: Peer[]; clientPeers: Peer[] } {
  const net = new SimNetwork({ seed: 7, conditions: { latency: 5 } });
  const server = net.addHost('server', { peerCount: CLIENTS });
  const clients: SimNode[] = [];
  const clientPeers: Peer[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const c = net.addHost(`c${i}`, { peerCount: 1 });
    clients.push(c);
    clientPeers.push(c.host.connect(server.address, 2, i)!);
  }
  assert.ok(net.runUntil(() => server.events.filter((e) => e.type === EventType.CONNECT).length === CLIENTS, 5000));
  const serverPeers = server.events.filter((e) => e.type === EventType.CONNECT).map((e) => e.peer);
  return { net, server, clients, serverPeers, clientPeers };
}

/** Runs `ms` with client 0 sending one reliable packet every millisecond. */
function busy(net: SimNetwork, peer: Peer, ms: number): void {
  for (let t = 0; t < ms; t++) {
    peer.send(0, new Uint8Array([t & 255]), PacketFlag.RELIABLE);
    net.run(1);
  }
}

test('idle peers are still pinged on time while one peer keeps the host busy', () => {
  const { net, serverPeers, clientPeers } = crowd();
  busy(net, clientPeers[0]!, 3000);
  for (const sp of serverPeers) {
    assert.equal(sp.state, PeerState.CONNECTED);
    // lastReceiveTime moves only when an acknowledgement of the server's own reliable
    // command (for an idle peer: its PING) arrives.
    const since = (net.now >>> 0) - sp.lastReceiveTime;
    assert.ok(since <= sp.pingInterval + 50, `peer ${sp.incomingPeerID}: last ping answered ${since} ms ago`);
  }
});

test('a reliable packet to an otherwise silent peer is retransmitted at its deadline', () => {
  const { net, clients, serverPeers, clientPeers } = crowd();
  const target = clients[5]!;
  const sp = serverPeers.find((p) => p.address.address === 'c5')!;
  // c5 stays silent (no pings of its own) and the link is cut both ways while the packet is
  // first sent: only the server's retransmission deadline can bring it over.
  clientPeers[5]!.setPingInterval(600_000);
  net.run(600);
  net.linkOverrides.set('server->c5', { loss: 1 });
  net.linkOverrides.set('c5->server', { loss: 1 });
  sp.send(1, new Uint8Array([42]), PacketFlag.RELIABLE);
  busy(net, clientPeers[0]!, 400);
  assert.equal(target.events.filter((e) => e.type === EventType.RECEIVE).length, 0, 'lost while the link was cut');
  net.linkOverrides.clear();
  assert.ok(
    net.runUntil(() => target.events.some((e) => e.type === EventType.RECEIVE && e.channelID === 1), 3000),
    'the retransmission arrived',
  );
});

test('send visits do not scale with idle peers', () => {
  const { net, server, clientPeers } = crowd();
  net.run(100);
  const before = server.host.peerVisits;
  busy(net, clientPeers[0]!, 1000);
  const visits = server.host.peerVisits - before;
  // Visiting every live peer on each of the ≥ 2 sends per tick would be ≥ 80,000.
  assert.ok(visits < 2 * 1000 * 4, `${visits} peer visits in 1000 ticks with ${CLIENTS} peers`);
  assert.ok(visits >= 1000, 'the busy peer is visited every tick');
});
