/**
 * src/modules/enet/enet-connection.ts: Godot's argument checks, error codes and fallback
 * values, enum numbers, creation/destruction, socketSend, compress modes.
 * @see godot modules/enet/enet_connection.cpp, doc_classes/ENetConnection.xml
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { ENetConnection } from '../../src/modules/enet/enet-connection.js';
import { CompressionMode, EventType, HostStatistic } from '../../src/modules/enet/enet-connection-types.js';
import { createTestPlatform, type TestPlatform } from '../../src/platform/test-platform.js';
import { flushMicrotasks } from '../helpers/enet-connection.js';

function conn(p: TestPlatform = createTestPlatform()): ENetConnection {
  return new ENetConnection({ platform: p });
}

test('enum numbers and class constants are Godot\'s', () => {
  assert.deepEqual(
    [EventType.EVENT_ERROR, EventType.EVENT_NONE, EventType.EVENT_CONNECT, EventType.EVENT_DISCONNECT, EventType.EVENT_RECEIVE],
    [-1, 0, 1, 2, 3],
  );
  assert.deepEqual(
    [CompressionMode.COMPRESS_NONE, CompressionMode.COMPRESS_RANGE_CODER, CompressionMode.COMPRESS_FASTLZ,
      CompressionMode.COMPRESS_ZLIB, CompressionMode.COMPRESS_ZSTD],
    [0, 1, 2, 3, 4],
  );
  assert.deepEqual(
    [HostStatistic.HOST_TOTAL_SENT_DATA, HostStatistic.HOST_TOTAL_SENT_PACKETS,
      HostStatistic.HOST_TOTAL_RECEIVED_DATA, HostStatistic.HOST_TOTAL_RECEIVED_PACKETS],
    [0, 1, 2, 3],
  );
  assert.equal(ENetConnection.EVENT_ERROR, -1);
  assert.equal(ENetConnection.EVENT_RECEIVE, 3);
  assert.equal(ENetConnection.COMPRESS_ZSTD, 4);
  assert.equal(ENetConnection.HOST_TOTAL_RECEIVED_PACKETS, 3);
});

test('createHostBound: Godot\'s argument checks and error codes', async () => {
  const p = createTestPlatform();
  const c = conn(p);
  assert.equal(await c.createHostBound('not an ip', 0), Error.ERR_INVALID_PARAMETER);
  assert.equal(await c.createHostBound('*', -1), Error.ERR_INVALID_PARAMETER);
  assert.equal(await c.createHostBound('*', 65536), Error.ERR_INVALID_PARAMETER);
  assert.equal(await c.createHostBound('*', 0, 0), Error.ERR_INVALID_PARAMETER);
  assert.equal(await c.createHostBound('*', 0, 4096), Error.ERR_INVALID_PARAMETER);
  assert.equal(await c.createHostBound('*', 0, 32, 256), Error.ERR_INVALID_PARAMETER);
  assert.equal(await c.createHostBound('*', 0, 32, -1), Error.ERR_INVALID_PARAMETER);
  assert.equal(await c.createHostBound('*', 0, 32, 0, -1), Error.ERR_INVALID_PARAMETER);
  assert.equal(await c.createHostBound('*', 0, 32, 0, 0, -5), Error.ERR_INVALID_PARAMETER);
  assert.equal(c.enetHost, null, 'nothing was created');
  const first = c.createHostBound('127.0.0.1', 6000, 4095, 255);
  assert.equal(await c.createHost(), Error.ERR_ALREADY_IN_USE, 'while binding');
  assert.equal(await first, Error.OK);
  assert.equal(await c.createHost(), Error.ERR_ALREADY_IN_USE);
  assert.equal(c.getLocalPort(), 6000);
  assert.equal(c.getLocalAddress(), '127.0.0.1');
  assert.equal(c.getMaxChannels(), 255);
  const other = conn(p);
  assert.equal(await other.createHostBound('*', 6000), Error.ERR_CANT_CREATE, 'port in use');
  assert.equal(await other.createHostBound('::1', 0), Error.OK);
  assert.equal(other.getLocalAddress(), '::1');
  other.destroy();
  c.destroy();
  assert.ok(p.logger.at('error').length >= 10, 'each refusal is logged, as Godot prints it');
});

test('createHost on a machine without IPv6 falls back to IPv4; destroy() while binding cancels', async () => {
  const p = createTestPlatform({ ipv6: false });
  const c = conn(p);
  assert.equal(await c.createHost(8, 4), Error.OK);
  assert.equal(c.getLocalAddress(), '0.0.0.0');
  assert.equal(c.getMaxChannels(), 4);
  assert.equal(c.connectToHost('::1', 5000), null, 'an IPv4 socket cannot reach IPv6');
  c.destroy();
  const pending = c.createHost();
  c.destroy();
  assert.equal(await pending, Error.FAILED);
  assert.equal(c.enetHost, null);
  assert.equal(await c.createHost(), Error.OK, 'usable again');
  c.destroy();
});

test('inactive: every method fails the way Godot does, without throwing', () => {
  const p = createTestPlatform();
  const c = conn(p);
  assert.deepEqual(c.service(), [EventType.EVENT_ERROR, null, 0, 0]);
  assert.equal(c.connectToHost('127.0.0.1', 5000), null);
  assert.equal(c.broadcast(0, new Uint8Array(1), 1), Error.ERR_UNCONFIGURED);
  assert.equal(c.compress(CompressionMode.COMPRESS_RANGE_CODER), Error.ERR_UNCONFIGURED);
  assert.equal(c.popStatistic(HostStatistic.HOST_TOTAL_SENT_DATA), 0);
  assert.equal(c.getMaxChannels(), 0);
  assert.equal(c.getLocalPort(), 0);
  assert.equal(c.getLocalAddress(), '');
  assert.deepEqual(c.getPeers(), []);
  c.flush();
  c.bandwidthLimit(1, 2);
  c.channelLimit(3);
  c.refuseNewConnections(true);
  c.socketSend('127.0.0.1', 1, new Uint8Array(1));
  c.destroy();
  assert.equal(p.logger.at('error').length, 15);
});

test('connectToHost: IP literals only, port range, one peer per connection, slot limit', async () => {
  const p = createTestPlatform();
  const c = conn(p);
  assert.equal(await c.createHost(1), Error.OK);
  assert.equal(c.connectToHost('localhost', 5000), null, 'a name needs connectToHostAsync');
  assert.equal(c.connectToHost('*', 5000), null);
  assert.equal(c.connectToHost('127.0.0.1', 0), null);
  assert.equal(c.connectToHost('127.0.0.1', 65536), null);
  const peer = c.connectToHost('127.0.0.1', 5000, 0, 7);
  assert.ok(peer);
  assert.equal(peer.getChannels(), 255, 'channels 0 = 255');
  assert.equal(peer.getState(), 1, 'STATE_CONNECTING');
  assert.equal(c.connectToHost('127.0.0.1', 5001), null, 'already connected to a peer');
  assert.deepEqual(c.getPeers(), [peer]);
  peer.reset();
  const again = c.connectToHost('::ffff:127.0.0.1', 5001, 300);
  assert.ok(again, 'the slot is free after reset()');
  assert.equal(again.getChannels(), 255, 'clamped to 255');
  assert.equal(again.getRemoteAddress(), '127.0.0.1');
  const full = conn(p);
  assert.equal(await full.createHost(1), Error.OK);
  full.connectToHost('127.0.0.1', 5000)!.peerDisconnectNow();
  assert.ok(full.connectToHost('127.0.0.1', 5000), 'a peer disconnected now frees its slot at once');
  c.destroy();
  full.destroy();
});

test('compress(): every Godot mode installs its compressor; NONE removes it', async () => {
  const p = createTestPlatform();
  const c = conn(p);
  assert.equal(c.compress(CompressionMode.COMPRESS_RANGE_CODER), Error.ERR_UNCONFIGURED, 'no host yet');
  await c.createHost();
  const seen = new Set<unknown>();
  for (const m of [CompressionMode.COMPRESS_RANGE_CODER, CompressionMode.COMPRESS_FASTLZ,
    CompressionMode.COMPRESS_ZLIB, CompressionMode.COMPRESS_ZSTD]) {
    assert.equal(c.compress(m), Error.OK, CompressionMode[m]);
    assert.ok(c.enetHost?.compressor, CompressionMode[m]);
    seen.add(c.enetHost?.compressor);
  }
  assert.equal(seen.size, 4, 'a new compressor per mode');
  assert.equal(c.compress(CompressionMode.COMPRESS_NONE), Error.OK);
  assert.equal(c.enetHost?.compressor, null);
  assert.equal(c.compress(9 as CompressionMode), Error.ERR_INVALID_PARAMETER);
  c.destroy();
});

test('socketSend sends raw bytes from the host port (IP literal at once, names after DNS)', async () => {
  const p = createTestPlatform();
  const c = conn(p);
  await c.createHostBound('*', 6100);
  const raw = p.network.createSocket('udp4');
  await raw.bind(6200, '127.0.0.1');
  const got: Array<[number[], number]> = [];
  raw.onMessage((d, from) => got.push([[...d], from.port]));
  const data = new Uint8Array([1, 2, 3]);
  c.socketSend('127.0.0.1', 6200, data);
  data[0] = 9; // socketSend copied it
  c.socketSend('localhost', 6200, new Uint8Array([4]));
  c.socketSend('nowhere.invalid', 6200, new Uint8Array([5]));
  c.socketSend('127.0.0.1', 0, new Uint8Array([6]));
  await flushMicrotasks();
  p.clock.advance(1);
  assert.deepEqual(got, [[[1, 2, 3], 6100], [[4], 6100]]);
  assert.equal(c.popStatistic(HostStatistic.HOST_TOTAL_SENT_PACKETS), 0, 'raw sends are not ENet traffic');
  c.destroy();
});

test('service(timeout > 0) never blocks: it warns once and services without waiting', async () => {
  const p = createTestPlatform();
  const c = conn(p);
  await c.createHost();
  assert.deepEqual(c.service(100), [EventType.EVENT_NONE, null, 0, 0]);
  assert.deepEqual(c.service(100), [EventType.EVENT_NONE, null, 0, 0]);
  assert.equal(p.logger.at('warn').length, 1);
  assert.equal(p.clock.now(), 0, 'no time passed');
  c.destroy();
  assert.equal(p.clock.pendingTimers(), 0);
});
