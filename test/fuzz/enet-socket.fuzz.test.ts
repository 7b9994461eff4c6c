/**
 * The live receive path — socket (batched native where available), driver, engine — under
 * hostile datagrams on loopback: random bytes and sizes (0 … 65507), mutated copies of real
 * ENet datagrams, and bursts of them from many source ports, interleaved with a legitimate
 * client's reliable traffic. Nothing crashes, the legitimate traffic arrives whole and in
 * order, and the server still serves afterwards. Fixed seed (GDWIRE_FUZZ_SEED overrides).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { Error } from '../../src/core/error.js';
import { ENetConnection } from '../../src/modules/enet/enet-connection.js';
import { ENetPacketPeer } from '../../src/modules/enet/enet-packet-peer.js';
import { loadNativeUdp } from '../../src/platform/batched-socket.js';
import { nodePlatform } from '../../src/platform/node-platform.js';
import type { Network, Platform } from '../../src/platform/platform.js';
import { Rng, seedFromEnv } from '../helpers/rng.js';

const SEED = seedFromEnv('GDWIRE_FUZZ_SEED', 0x0e7f5eed);
const ROUNDS = 40;
const MESSAGES = 400;
const HOSTILE = 4000;

async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) assert.fail(`timeout: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** One hostile datagram: random, a mutated real one, or an edge size. */
function hostile(rng: Rng, real: Uint8Array[]): Uint8Array {
  const kind = rng.int(0, 9);
  if (kind <= 3 || real.length === 0) {
    const b = new Uint8Array(rng.int(0, 1500));
    for (let i = 0; i < b.length; i++) b[i] = rng.int(0, 255);
    return b;
  }
  if (kind === 4) return new Uint8Array(rng.pick([0, 1, 2, 3, 4, 65507]));
  const b = rng.pick(real).slice();
  for (let n = rng.int(1, 6); n > 0 && b.length > 0; n--) b[rng.int(0, b.length - 1)] = rng.int(0, 255);
  return rng.bool(0.2) ? b.subarray(0, rng.int(0, b.length)) : b;
}

test(`hostile datagrams at a live ENetConnection server (seed ${SEED})`, { timeout: 60_000 }, async () => {
  const rng = new Rng(SEED);
  const base = nodePlatform({ logger: { level: 'error' } });
  const kinds: string[] = [];
  const network: Network = {
    createSocket: (family, options) => {
      const s = base.network.createSocket(family, options);
      kinds.push(s.constructor.name);
      return s;
    },
    lookup: (h, f) => base.network.lookup(h, f),
  };
  const platform: Platform = { ...base, network };
  // Copies of real datagrams the client sent, to mutate.
  const real: Uint8Array[] = [];
  const tapped: Network = {
    createSocket: (family, options) => {
      const s = base.network.createSocket(family, options);
      const send = s.send.bind(s);
      s.send = (data, port, address, owned) => {
        if (real.length < 200) real.push(data.slice());
        send(data, port, address, owned);
      };
      return s;
    },
    lookup: (h, f) => base.network.lookup(h, f),
  };
  const server = new ENetConnection({ platform });
  const client = new ENetConnection({ platform: { ...base, network: tapped } });
  const attackers = Array.from({ length: 8 }, () => dgram.createSocket('udp4'));
  try {
    // Replayed CONNECTs with mutated connect ids make half-open ENet peers (ENet's own state,
    // until they time out): room for them and the late client.
    assert.equal(await server.createHostBound('127.0.0.1', 0, 128), Error.OK);
    assert.equal(await client.createHost(1), Error.OK);
    assert.equal(kinds[0], loadNativeUdp() ? 'BatchedDatagramSocket' : 'NodeDatagramSocket');
    for (const a of attackers) await new Promise<void>((r) => a.bind(0, '127.0.0.1', () => r()));
    const got: number[] = [];
    let fromOthers = 0;
    server.on('receive', (peer, packet, channel) => {
      // Replays of the client's CONNECT from an attacker's port make peers of their own, whose
      // replayed data is theirs (as in ENet): only the real client's traffic is checked.
      if (peer.getRemotePort() !== client.getLocalPort()) {
        fromOthers++;
        return;
      }
      if (channel === 0 && packet.length >= 4) {
        got.push(new DataView(packet.buffer, packet.byteOffset).getUint32(0, true));
        peer.send(1, packet, ENetPacketPeer.FLAG_RELIABLE);
      }
    });
    const port = server.getLocalPort();
    const peer = client.connectToHost('127.0.0.1', port, 2, 0);
    assert.ok(peer);
    client.on('receive', () => undefined);
    await until(() => peer.getState() === ENetPacketPeer.STATE_CONNECTED, 5000, 'connect');
    let sent = 0;
    let hostileSent = 0;
    // Rounds: some legitimate messages, then a burst of hostile datagrams from random ports.
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < MESSAGES / ROUNDS; i++) {
        const m = new Uint8Array(4 + rng.int(0, 300));
        new DataView(m.buffer).setUint32(0, sent++, true);
        assert.equal(peer.send(0, m, ENetPacketPeer.FLAG_RELIABLE), Error.OK);
      }
      for (let i = 0; i < HOSTILE / ROUNDS; i++, hostileSent++) rng.pick(attackers).send(hostile(rng, real), port, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 5));
    }
    await until(() => got.length >= MESSAGES, 20_000, `${MESSAGES} messages (got ${got.length})`);
    assert.deepEqual(got, Array.from({ length: MESSAGES }, (_, i) => i), 'in order, once each');
    assert.equal(hostileSent, HOSTILE);
    assert.ok(fromOthers <= HOSTILE, 'hostile datagrams cannot multiply');
    // Still serving: a new client connects after the storm.
    const late = new ENetConnection({ platform });
    try {
      assert.equal(await late.createHost(1), Error.OK);
      const p2 = late.connectToHost('127.0.0.1', port, 1, 0);
      assert.ok(p2);
      late.on('receive', () => undefined);
      await until(() => p2.getState() === ENetPacketPeer.STATE_CONNECTED, 5000, `late client connects (server peers: ${server.enetHost?.peers.map((p) => p.state).join(',')}; late: ${p2.getState()})`);
    } finally {
      late.destroy();
    }
  } finally {
    for (const a of attackers) a.close();
    if (server.enetHost) server.destroy();
    if (client.enetHost) client.destroy();
  }
});
