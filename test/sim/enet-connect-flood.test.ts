/**
 * A CONNECT flood from many source ports (issue 3, hostile input): the peer limit holds, no
 * state is created beyond ENet's own half-open slots, those slots time out, and a genuine
 * client gets in afterwards. Driven directly through Host.receive() with a fake clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Host } from '../../src/enet/host.js';
import { SeededRandom } from '../../src/enet/testing/sim-network.js';
import { EventType, PeerState, type Address, type Datagram } from '../../src/enet/types.js';

const SERVER: Address = { address: '10.0.0.1', port: 7000 };
const PEERS = 8;
const FLOOD = 10_000;

/** One genuine CONNECT datagram, captured from a real client host. */
function captureConnect(seed: number, now: number): Uint8Array {
  const client = new Host({ random: new SeededRandom(seed), peerCount: 1 });
  assert.ok(client.connect(SERVER, 2, 1234));
  client.flush(now);
  const out = client.takeDatagrams();
  assert.equal(out.length, 1);
  return Uint8Array.from(out[0]!.data);
}

const busy = (h: Host): number => h.peers.filter((p) => p.state !== PeerState.DISCONNECTED).length;

test(`CONNECT flood from ${FLOOD} source ports: peer limit holds, half-open slots expire, a real client connects after`, () => {
  const sent: Datagram[] = [];
  const server = new Host({ random: new SeededRandom(1), peerCount: PEERS, send: (data, address) => sent.push({ data, address }) });
  let now = 0x7fff_f000; // near the signed 32-bit boundary on purpose
  const connect = captureConnect(2, now);
  let maxBusy = 0;
  for (let i = 0; i < FLOOD; i++) {
    // Vary the connect id so every CONNECT looks new; vary the source port and address.
    const dgram = Uint8Array.from(connect);
    new DataView(dgram.buffer).setUint32(dgram.length - 8, (i * 2654435761) >>> 0);
    server.receive(dgram, { address: `10.1.${(i >> 8) & 255}.${i & 255}`, port: 1024 + (i % 60000) });
    if (i % 64 === 0) {
      while (server.service(now)) { /* drain events */ }
      now = (now + 1) >>> 0;
      maxBusy = Math.max(maxBusy, busy(server));
    }
  }
  while (server.service(now)) { /* drain */ }
  maxBusy = Math.max(maxBusy, busy(server));
  assert.equal(server.peers.length, PEERS, 'no peer objects beyond the configured slots');
  assert.ok(maxBusy <= PEERS, `at most ${PEERS} half-open slots (saw ${maxBusy})`);
  assert.equal(busy(server), PEERS, 'the slots are full of half-open peers');
  assert.ok(sent.length <= PEERS * 2 + 16, `replies only to the admitted CONNECTs (${sent.length})`);

  // Nobody acknowledges VERIFY_CONNECT: ENet's timeout frees every slot, with no CONNECT event.
  const events: number[] = [];
  for (let t = 0; t < 40_000 && busy(server) > 0; t += 50) {
    now = (now + 50) >>> 0;
    for (let e = server.service(now); e; e = server.service(now)) events.push(e.type);
  }
  assert.equal(busy(server), 0, 'every half-open slot timed out');
  assert.ok(!events.includes(EventType.CONNECT), 'no half-open peer was ever reported as connected');

  // A genuine client now gets a slot and completes the handshake.
  const client = new Host({ random: new SeededRandom(3), peerCount: 1 });
  const cp = client.connect(SERVER, 2, 99)!;
  const clientAddr: Address = { address: '10.2.0.1', port: 5555 };
  let connected = false;
  for (let step = 0; step < 200 && !connected; step++) {
    now = (now + 5) >>> 0;
    client.flush(now);
    for (const d of client.takeDatagrams()) server.receive(d.data, clientAddr);
    for (let e = server.service(now); e; e = server.service(now)) {
      if (e.type === EventType.CONNECT) connected = e.data === 99;
    }
    for (const d of sent.splice(0)) if (d.address.port === clientAddr.port) client.receive(d.data, SERVER);
    while (client.service(now)) { /* drain */ }
  }
  assert.ok(connected, 'the server reported the genuine client');
  assert.equal(cp.state, PeerState.CONNECTED);
});
