/**
 * ENetConnection on real loopback sockets (the Node platform), gdwire to gdwire: connect with
 * data, the three send modes, disconnect with data both ways, over IPv4 and (when the machine
 * has it) IPv6, with the event-driven mode on one side and Godot's polled loop on the other.
 * The ping-pong round trip of the event-driven mode is reported as a diagnostic, not asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { ENetConnection } from '../../src/modules/enet/enet-connection.js';
import { EventType, type ENetConnectionEvent } from '../../src/modules/enet/enet-connection-types.js';
import { ENetPacketPeer } from '../../src/modules/enet/enet-packet-peer.js';
import { nodePlatform } from '../../src/platform/node-platform.js';

const { FLAG_RELIABLE, FLAG_UNSEQUENCED } = ENetPacketPeer;
const platform = nodePlatform({ logger: { level: 'warn' } });

async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) assert.fail(`timeout: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

for (const family of ['IPv4', 'IPv6'] as const) {
  test(`loopback ${family}: event-driven server, polled client; send modes; disconnect with data`, { timeout: 20_000 }, async (t) => {
    const server = new ENetConnection({ platform });
    const client = new ENetConnection({ platform });
    const loopback = family === 'IPv4' ? '127.0.0.1' : '::1';
    let stop = false;
    try {
      const bound = await server.createHostBound(family === 'IPv4' ? '*' : '::1', 0, 4);
      if (family === 'IPv6' && bound === Error.ERR_CANT_CREATE) return void t.skip('no IPv6 loopback here');
      assert.equal(bound, Error.OK);
      assert.equal(await client.createHost(1), Error.OK);
      const serverEvents: string[] = [];
      server.on('connect', (_p, data) => serverEvents.push(`connect ${data}`));
      server.on('receive', (peer, packet, channel, flags) => {
        serverEvents.push(`receive ${packet.length} ch${channel} f${flags}`);
        if (packet.length === 3 && packet[0] === 0x62) peer.peerDisconnect(77); // "bye"
        else peer.send(channel, packet, flags);
      });
      server.on('disconnect', (_p, data) => serverEvents.push(`disconnect ${data}`));

      const peer = client.connectToHost(loopback, server.getLocalPort(), 3, 31337);
      assert.ok(peer);
      const clientLog: Array<[EventType, number, number]> = [];
      const loop = (async () => {
        while (!stop) {
          const [type, , data, channel] = await client.serviceAsync(20);
          if (type !== EventType.EVENT_NONE) clientLog.push([type, data, channel]);
        }
      })();
      await until(() => clientLog.some((e) => e[0] === EventType.EVENT_CONNECT), 5000, 'client CONNECT');
      assert.equal(peer.getRemoteAddress(), loopback);
      peer.send(2, Uint8Array.from({ length: 50_000 }, (_, i) => i & 255), FLAG_RELIABLE);
      peer.send(1, new Uint8Array([1]), 0);
      peer.send(0, new Uint8Array([2]), FLAG_UNSEQUENCED);
      await until(() => peer.getAvailablePacketCount() === 3, 5000, 'three echoes');
      const got = [];
      while (peer.getAvailablePacketCount() > 0) got.push([peer.getPacketChannel(), peer.getPacketFlags(), peer.getPacket().length]);
      assert.deepEqual(got.sort(), [[0, FLAG_UNSEQUENCED, 1], [1, 0, 1], [2, FLAG_RELIABLE, 50_000]]);
      assert.deepEqual(serverEvents.slice(0, 1), ['connect 31337']);

      peer.send(0, new TextEncoder().encode('bye'), FLAG_RELIABLE);
      await until(() => clientLog.some((e) => e[0] === EventType.EVENT_DISCONNECT), 5000, 'client DISCONNECT');
      assert.deepEqual(clientLog.find((e) => e[0] === EventType.EVENT_DISCONNECT), [EventType.EVENT_DISCONNECT, 77, 0]);

      const again = client.connectToHost(loopback, server.getLocalPort(), 1, 5);
      assert.ok(again);
      await until(() => again.getState() === ENetPacketPeer.STATE_CONNECTED, 5000, 'reconnect');
      again.peerDisconnect(88);
      await until(() => serverEvents.includes('disconnect 88'), 5000, 'server DISCONNECT 88');
    } finally {
      stop = true;
      if (server.enetHost) server.destroy();
      if (client.enetHost) client.destroy();
    }
  });
}

test('loopback: event-driven ping-pong on both sides (round trip reported, not asserted)', { timeout: 20_000 }, async (t) => {
  const server = new ENetConnection({ platform });
  const client = new ENetConnection({ platform });
  try {
    assert.equal(await server.createHostBound('127.0.0.1', 0), Error.OK);
    assert.equal(await client.createHostBound('127.0.0.1', 0), Error.OK);
    server.on('receive', (peer, packet, channel) => peer.send(channel, packet, FLAG_RELIABLE));
    const it = client[Symbol.asyncIterator]();
    const peer = client.connectToHost('127.0.0.1', server.getLocalPort(), 1);
    assert.ok(peer);
    const next = async (): Promise<ENetConnectionEvent> => {
      const r = await it.next();
      assert.ok(!r.done);
      return r.value;
    };
    assert.equal((await next()).type, EventType.EVENT_CONNECT);
    const rtts: number[] = [];
    const payload = new Uint8Array(64);
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      peer.send(0, payload, FLAG_RELIABLE);
      const ev = await next();
      assert.equal(ev.type, EventType.EVENT_RECEIVE);
      assert.equal(ev.packet?.length, 64);
      rtts.push(performance.now() - t0);
    }
    rtts.sort((a, b) => a - b);
    t.diagnostic(`reliable 64 B ping-pong RTT: median ${(rtts[100]! * 1000).toFixed(0)} µs, p99 ${(rtts[198]! * 1000).toFixed(0)} µs`);
    await it.return?.();
  } finally {
    server.destroy();
    client.destroy();
  }
});
