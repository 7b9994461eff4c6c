/**
 * PacketPeerUDP's hooks for PacketPeerDTLS (not public API): kTakeInto moves queued
 * datagrams out in bulk, kPutOwned sends a buffer the caller hands over (no copy).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { PacketPeerUDP, kPutOwned, kTakeInto } from '../../src/core/io/packet-peer-udp.js';
import { UDPServer } from '../../src/core/io/udp-server.js';
import type { Platform } from '../../src/platform/platform.js';
import { createTestPlatform } from '../../src/platform/test-platform.js';

/** `p` whose sockets record the `owned` flag of every send. */
function recordingOwned(p: Platform, log: boolean[]): Platform {
  return {
    ...p,
    network: {
      lookup: (h, f) => p.network.lookup(h, f),
      createSocket: (family) => {
        const sock = p.network.createSocket(family);
        const send = sock.send.bind(sock);
        sock.send = (data, port, address, owned) => {
          log.push(owned === true);
          send(data, port, address, owned);
        };
        return sock;
      },
    },
  };
}

test('kTakeInto: oldest first from `at`, at most `max`; getPacketIp/Port describe the last one taken', async () => {
  const p = createTestPlatform();
  const rx = new PacketPeerUDP({ platform: p });
  const into: Uint8Array[] = [];
  assert.equal(rx[kTakeInto](into, 0, 8), 0, 'unbound: nothing');
  assert.equal(await rx.bind(0, '127.0.0.1'), Error.OK);
  const ports: number[] = [];
  for (let i = 1; i <= 3; i++) {
    const tx = new PacketPeerUDP({ platform: p });
    assert.equal(await tx.bind(0, '127.0.0.1'), Error.OK);
    ports.push(tx.getLocalPort());
    await tx.setDestAddress('127.0.0.1', rx.getLocalPort());
    assert.equal(tx.putPacket(Uint8Array.of(i)), Error.OK);
    p.clock.advance(0);
  }
  assert.equal(rx.getAvailablePacketCount(), 3);
  into.push(Uint8Array.of(99));
  assert.equal(rx[kTakeInto](into, 1, 2), 2);
  assert.deepEqual(into.map((d) => [...d]), [[99], [1], [2]]);
  assert.equal(rx.getPacketIp(), '127.0.0.1');
  assert.equal(rx.getPacketPort(), ports[1]);
  assert.equal(rx.getAvailablePacketCount(), 1);
  assert.equal(rx[kTakeInto](into, 0, 8), 1);
  assert.deepEqual([...(into[0] ?? [])], [3]);
  assert.equal(rx.getPacketPort(), ports[2]);
  assert.equal(rx[kTakeInto](into, 0, 8), 0, 'empty');
  assert.equal(rx.getPacketPort(), ports[2], 'unchanged when nothing was taken');
  rx.getPacket();
  assert.equal(rx.getPacketError(), Error.ERR_UNAVAILABLE, 'getPacket agrees: the queue is empty');
});

test('kPutOwned hands the buffer to the socket as owned (putPacket never does); same checks as putPacket', async () => {
  const base = createTestPlatform();
  const log: boolean[] = [];
  const p = recordingOwned(base, log);
  const rx = new PacketPeerUDP({ platform: base });
  assert.equal(await rx.bind(0, '127.0.0.1'), Error.OK);
  const tx = new PacketPeerUDP({ platform: p });
  assert.equal(tx[kPutOwned](Uint8Array.of(1)), Error.ERR_UNCONFIGURED, 'no destination');
  assert.equal(await tx.connectToHost('127.0.0.1', rx.getLocalPort()), Error.OK);
  assert.equal(tx.putPacket(Uint8Array.of(1)), Error.OK);
  assert.equal(tx[kPutOwned](Uint8Array.of(2)), Error.OK);
  assert.equal(tx[kPutOwned](new Uint8Array(65508)), Error.FAILED, 'oversized');
  base.clock.advance(0);
  assert.deepEqual(log, [false, true]);
  assert.deepEqual([rx.getPacket(), rx.getPacket()].map((d) => [...d]), [[1], [2]]);

  // A UDPServer peer sends through the server's socket, owned too.
  const slog: boolean[] = [];
  const server = new UDPServer({ platform: recordingOwned(base, slog) });
  assert.equal(await server.listen(0, '127.0.0.1'), Error.OK);
  const client = new PacketPeerUDP({ platform: base });
  assert.equal(await client.connectToHost('127.0.0.1', server.getLocalPort()), Error.OK);
  client.putPacket(Uint8Array.of(7));
  base.clock.advance(0);
  server.poll();
  const peer = server.takeConnection();
  assert.ok(peer);
  assert.equal(peer[kPutOwned](Uint8Array.of(8)), Error.OK);
  base.clock.advance(0);
  assert.deepEqual(slog, [true]);
  assert.deepEqual([...client.getPacket()], [8]);
  server.stop();
});
