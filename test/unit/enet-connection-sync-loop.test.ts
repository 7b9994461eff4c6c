/**
 * ENetConnection on the Node platform (batched sockets on loopback), serviced the way GDScript's
 * `while true: host.service()` or a worker thread does: in a synchronous loop that never yields
 * to the event loop. service() must then both read (pull mode) and send (the staged datagrams
 * reach the kernel within the call, as enet_host_service's sendto does). Skipped with a visible
 * message where the native addon is missing (node:dgram only reads in event-loop turns); a
 * failure with GDWIRE_REQUIRE_INTEROP=1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { ENetConnection } from '../../src/modules/enet/enet-connection.js';
import { EventType } from '../../src/modules/enet/enet-connection-types.js';
import { ENetPacketPeer } from '../../src/modules/enet/enet-packet-peer.js';
import { loadNativeUdp } from '../../src/platform/batched-socket.js';
import { interopRequired } from '../helpers/godot.js';

const COUNT = 20;

test('a synchronous service() loop that never yields connects, echoes 20 reliable packets in order, and disconnects', async (t) => {
  if (!loadNativeUdp()) {
    const why = 'native addon without batched UDP: a synchronous loop cannot read';
    if (interopRequired() && process.platform === 'linux') assert.fail(`${why}; GDWIRE_REQUIRE_INTEROP=1 makes that a failure`);
    t.diagnostic(`SKIPPED: ${why}`);
    return t.skip(why);
  }
  const server = new ENetConnection();
  const client = new ENetConnection();
  t.after(() => {
    server.destroy();
    client.destroy();
  });
  assert.equal(await server.createHostBound('127.0.0.1', 0, 4, 2), Error.OK);
  assert.equal(await client.createHostBound('127.0.0.1', 0, 4, 2), Error.OK);
  const peer = client.connectToHost('127.0.0.1', server.getLocalPort(), 2, 0);
  assert.ok(peer);

  const echoed: number[] = [];
  let connected = false;
  let disconnected = false;
  const deadline = performance.now() + 3000;
  // Bounded in turns and time; nothing below awaits, so only service() moves datagrams.
  for (let turn = 0; turn < 5_000_000 && !disconnected && performance.now() < deadline; turn++) {
    for (let [type, from, , channel] = server.service(); type !== EventType.EVENT_NONE; [type, from, , channel] = server.service()) {
      if (type === EventType.EVENT_RECEIVE) from!.send(channel, from!.getPacket(), ENetPacketPeer.FLAG_RELIABLE);
    }
    for (let [type] = client.service(); type !== EventType.EVENT_NONE; [type] = client.service()) {
      if (type === EventType.EVENT_CONNECT) {
        connected = true;
        for (let i = 0; i < COUNT; i++) peer.send(1, Uint8Array.of(i), ENetPacketPeer.FLAG_RELIABLE);
      } else if (type === EventType.EVENT_RECEIVE) {
        echoed.push(peer.getPacket()[0]!);
        if (echoed.length === COUNT) peer.peerDisconnect(0);
      } else if (type === EventType.EVENT_DISCONNECT) {
        disconnected = true;
      }
    }
  }
  assert.ok(connected, 'connected');
  assert.deepEqual(echoed, Array.from({ length: COUNT }, (_, i) => i), 'every packet echoed once, in order');
  assert.ok(disconnected, 'the disconnect was acknowledged');
});
