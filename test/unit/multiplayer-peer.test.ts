/**
 * MultiplayerPeer (the Godot 4 base class): constants and enums with Godot's numbers,
 * settings and their validation, generateUniqueId's range, and the Node form (Node mode
 * switching with 'packet' listeners and iterators, delivery, iterators ending) — through a
 * minimal in-memory subclass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import {
  ConnectionStatus, MultiplayerPeer, TARGET_PEER_BROADCAST, TARGET_PEER_SERVER, TransferMode, type MultiplayerPacket,
} from '../../src/multiplayer/multiplayer-peer.js';
import { NetworkedPeerMap } from '../../src/modules/enet/networked-peer-map.js';
import type { Random } from '../../src/platform/platform.js';
import { createTestPlatform } from '../../src/platform/test-platform.js';

/** Delivers what it is given; records Node-mode changes. */
class LoopPeer extends MultiplayerPeer {
  readonly queue: MultiplayerPacket[] = [];
  readonly modes: boolean[] = [];
  closed = 0;
  receive(p: MultiplayerPacket): void {
    if (!this.deliverPacket(p)) this.queue.push(p);
  }
  getPacketPeer(): number { return this.queue[0]?.peer ?? 0; }
  getPacketChannel(): number { return this.queue[0]?.channel ?? 0; }
  getPacketMode(): TransferMode { return this.queue[0]?.mode ?? TransferMode.TRANSFER_MODE_RELIABLE; }
  poll(): void {}
  close(): void { this.closed++; this.endPacketIterators(); }
  disconnectPeer(): void {}
  getConnectionStatus(): ConnectionStatus { return ConnectionStatus.CONNECTION_CONNECTED; }
  getUniqueId(): number { return 1; }
  get inNodeMode(): boolean { return this.nodeMode; }
  protected override onNodeModeChange(on: boolean): void { this.modes.push(on); }
  protected _getAvailablePacketCount(): number { return this.queue.length; }
  protected _getPacket(): { error: Error; packet?: Uint8Array } {
    const p = this.queue.shift();
    return p ? { error: Error.OK, packet: p.data } : { error: Error.ERR_UNAVAILABLE };
  }
  protected _putPacket(buffer: Uint8Array): Error {
    this.receive({ peer: 1, data: buffer, channel: 0, mode: this.getTransferMode() });
    return Error.OK;
  }
  protected _getMaxPacketSize(): number { return 1 << 24; }
}

const packet = (n: number): MultiplayerPacket => ({ peer: n, data: Uint8Array.of(n), channel: 1, mode: TransferMode.TRANSFER_MODE_RELIABLE });

test("Godot's numbers: targets, TransferMode, ConnectionStatus", () => {
  assert.deepEqual([TARGET_PEER_BROADCAST, TARGET_PEER_SERVER], [0, 1]);
  assert.deepEqual([MultiplayerPeer.TARGET_PEER_BROADCAST, MultiplayerPeer.TARGET_PEER_SERVER], [0, 1]);
  assert.deepEqual([TransferMode.TRANSFER_MODE_UNRELIABLE, TransferMode.TRANSFER_MODE_UNRELIABLE_ORDERED, TransferMode.TRANSFER_MODE_RELIABLE], [0, 1, 2]);
  assert.deepEqual([MultiplayerPeer.TRANSFER_MODE_UNRELIABLE, MultiplayerPeer.TRANSFER_MODE_UNRELIABLE_ORDERED, MultiplayerPeer.TRANSFER_MODE_RELIABLE], [0, 1, 2]);
  assert.deepEqual([ConnectionStatus.CONNECTION_DISCONNECTED, ConnectionStatus.CONNECTION_CONNECTING, ConnectionStatus.CONNECTION_CONNECTED], [0, 1, 2]);
  assert.deepEqual([MultiplayerPeer.CONNECTION_DISCONNECTED, MultiplayerPeer.CONNECTION_CONNECTING, MultiplayerPeer.CONNECTION_CONNECTED], [0, 1, 2]);
});

test('settings: Godot 4 defaults, methods and properties agree, bad values refused and logged', () => {
  const platform = createTestPlatform();
  const p = new LoopPeer({ platform });
  assert.equal(p.getTransferMode(), TransferMode.TRANSFER_MODE_RELIABLE);
  assert.equal(p.getTransferChannel(), 0);
  assert.equal(p.isRefusingNewConnections(), false);
  assert.equal(p.isServerRelaySupported(), false);
  p.transferMode = TransferMode.TRANSFER_MODE_UNRELIABLE;
  assert.equal(p.getTransferMode(), TransferMode.TRANSFER_MODE_UNRELIABLE);
  p.setTransferChannel(255);
  assert.equal(p.transferChannel, 255);
  p.refuseNewConnections = true;
  assert.equal(p.isRefusingNewConnections(), true);
  for (const bad of [3, -1, 1.5, Number.NaN]) p.setTransferMode(bad as TransferMode);
  for (const bad of [256, -1, 0.5]) p.setTransferChannel(bad);
  for (const bad of [0.5, 2 ** 31, -(2 ** 31) - 1]) p.setTargetPeer(bad);
  assert.equal(p.transferMode, TransferMode.TRANSFER_MODE_UNRELIABLE);
  assert.equal(p.transferChannel, 255);
  assert.equal(platform.logger.at('error').length, 10, 'each refusal logged');
  p.setTargetPeer(-(2 ** 31));
  assert.equal(p.putVar('x'), Error.OK, 'PacketPeer API on top');
  assert.equal(p.godot, 4, 'Godot 4 Variant format by default');
});

test('generateUniqueId: 31 bits, never 0 or 1, from the platform random', () => {
  const values = [0, 1, 0x80000000, 0x80000001, 0xffffffff, 5];
  const random: Random = { fill: () => {}, u32: () => values.shift() ?? 9 };
  const p = new LoopPeer({ platform: { ...createTestPlatform(), random } });
  assert.equal(p.generateUniqueId(), 0x7fffffff, '0, 1, 2^31 (→0) and 2^31+1 (→1) are skipped');
  assert.equal(p.generateUniqueId(), 5);
  const q = new LoopPeer({ platform: createTestPlatform({ seed: 7 }) });
  for (let i = 0; i < 10_000; i++) {
    const id = q.generateUniqueId();
    assert.ok(Number.isInteger(id) && id >= 2 && id <= 0x7fffffff);
  }
});

test('Node mode: on while a packet listener or iterator exists; packets go there, not to the queue', async () => {
  const p = new LoopPeer({ platform: createTestPlatform() });
  p.receive(packet(1));
  assert.equal(p.getAvailablePacketCount(), 1, 'polled model: queued');
  p.on('peer_connected', () => {});
  assert.deepEqual(p.modes, [], 'signals alone do not switch');
  const got: number[] = [];
  const listener = (peer: number): void => { got.push(peer); };
  p.on('packet', listener);
  assert.equal(p.inNodeMode, true);
  p.receive(packet(2));
  assert.deepEqual(got, [2]);
  assert.equal(p.getAvailablePacketCount(), 1, 'the queued packet stays');
  const it = p[Symbol.asyncIterator]();
  p.receive(packet(3));
  assert.deepEqual((await it.next()).value?.peer, 3);
  p.off('packet', listener);
  assert.equal(p.inNodeMode, true, 'the iterator keeps it on');
  await it.return?.();
  assert.equal(p.inNodeMode, false);
  assert.deepEqual(p.modes, [true, false]);
  p.once('packet', (peer) => got.push(peer));
  p.receive(packet(4));
  assert.equal(p.inNodeMode, false, 'a once listener is gone after one packet');
  p.on('packet', () => {});
  p.removeAllListeners();
  assert.equal(p.inNodeMode, false);
  p.on('packet', () => {});
  assert.equal(p.inNodeMode, true, 'hooks survive removeAllListeners()');
  assert.deepEqual(got, [2, 3, 4]);
  assert.deepEqual(p.modes, [true, false, true, false, true, false, true]);
});

test('iterators: buffered packets first, then they end when the peer closes', async () => {
  const p = new LoopPeer({ platform: createTestPlatform() });
  const seen: number[] = [];
  const loop = (async () => { for await (const x of p) seen.push(x.peer); })();
  const other = p[Symbol.asyncIterator]();
  for (const n of [1, 2, 3]) p.receive(packet(n));
  p.close();
  await loop;
  assert.deepEqual(seen, [1, 2, 3]);
  const rest: number[] = [];
  for (let r = await other.next(); !r.done; r = await other.next()) rest.push(r.value.peer);
  assert.deepEqual(rest, [1, 2, 3], 'each iterator has its own buffer');
  assert.equal(p.inNodeMode, false);
});

test("NetworkedPeerMap keeps ids in ascending order (Godot's sorted Map)", () => {
  const m = new NetworkedPeerMap<string>();
  for (const id of [50, 3, 0x7fffffff, 7, 3]) m.set(id, `v${id}`);
  assert.deepEqual(m.ids(), [3, 7, 50, 0x7fffffff]);
  assert.deepEqual(m.values(), ['v3', 'v7', 'v50', `v${0x7fffffff}`], 'values in id order');
  m.set(50, 'again');
  assert.deepEqual(m.values(), ['v3', 'v7', 'again', `v${0x7fffffff}`], 'a replaced value in place');
  m.set(50, 'v50');
  assert.equal(m.size, 4);
  assert.equal(m.get(7), 'v7');
  assert.equal(m.delete(7), true);
  assert.equal(m.delete(7), false);
  assert.deepEqual(m.ids(), [3, 50, 0x7fffffff]);
  assert.deepEqual(m.values(), ['v3', 'v50', `v${0x7fffffff}`]);
  m.clear();
  assert.deepEqual(m.ids(), []);
  assert.deepEqual(m.values(), []);
  assert.equal(m.has(3), false);
});
