/**
 * Several Godot 4 clients around the relay server, in memory: each client is a model of
 * SceneMultiplayer's client side as the wire sees it (scene_multiplayer.cpp send_command and
 * _process_sys, scene_cache_interface.cpp, scene_rpc_interface.cpp _send_rpc/process_rpc),
 * built only from this module's codecs. Packets are delivered in order (reliable channel 0),
 * no sleeps, no ports. Checks that RPCs, path caches and raw bytes flow within a room, in both
 * path-cache formats, and never across rooms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { TransferMode } from '../../src/multiplayer/multiplayer-peer.js';
import type { Variant } from '../../src/core/variant/variant.js';
import {
  decodeConfirmPath, decodeSimplifyPath, encodeConfirmPath, encodeSimplifyPath,
} from '../../src/multiplayer/scene/scene-cache-interface.js';
import {
  commandOf, decodeRaw, decodeSys, encodeRaw, encodeRelay, NetworkCommand, SysCommand,
} from '../../src/multiplayer/scene/scene-multiplayer-protocol.js';
import { SceneRelayServer } from '../../src/multiplayer/scene/scene-relay-server.js';
import { RELIABLE, roomsBy, type SceneRelayAction } from '../../src/multiplayer/scene/scene-relay-types.js';
import { decodeRpc, decodeRpcArgs, encodeRpc } from '../../src/multiplayer/scene/scene-rpc-interface.js';
import type { PathCacheFormat } from '../../src/multiplayer/scene/scene-version.js';

interface Wire { bytes: Uint8Array; mode: TransferMode; channel: number }
type Received = { kind: 'rpc'; from: number; path: string; method: string; args: Variant[] } | { kind: 'raw'; from: number; hex: string };

/** The node tree both sides share: path → RPC method names (their ids = sorted order). */
const NODES: Record<string, string[]> = { Main: ['chat', 'ping'], 'World/Player': ['jump'] };
const md5 = (names: string[]): string => createHash('md5').update(names.join('')).digest('hex');

class GodotClient {
  readonly peers = new Set<number>([1]);
  readonly outbox: Wire[] = [];
  readonly received: Received[] = [];
  private nextCacheId = 1;
  /** Send side: node path → cache id and per-peer confirmation. */
  private readonly sent = new Map<string, { id: number; confirmed: Map<number, boolean> }>();
  /** Receive side: peer → cache id → path. */
  private readonly recv = new Map<number, Map<number, string>>([[1, new Map()]]);
  sentCompact = 0;

  constructor(readonly id: number, private readonly format: PathCacheFormat) {}

  /** send_command: anything for another client goes to the server wrapped in RELAY. */
  private sendCommand(to: number, packet: Uint8Array, mode: TransferMode = RELIABLE, channel = 0): void {
    this.outbox.push({ bytes: to === 1 ? packet : encodeRelay(to, packet), mode, channel });
  }

  /** rpc()/rpc_id(): SIMPLIFY_PATH to targets that lack the node, then one packet per target. */
  rpc(to: number, path: string, method: string, args: Variant[], mode: TransferMode = RELIABLE, channel = 0): void {
    const names = [...(NODES[path] ?? [])].sort();
    const methodId = names.indexOf(method);
    let cache = this.sent.get(path);
    if (!cache) { cache = { id: this.nextCacheId++, confirmed: new Map() }; this.sent.set(path, cache); }
    const targets = to > 0 ? [to] : [...this.peers].filter((p) => p !== -to);
    for (const p of targets) {
      if (cache.confirmed.has(p)) continue;
      this.sendCommand(p, encodeSimplifyPath({ checksum: md5(names), cacheId: cache.id, path }));
      cache.confirmed.set(p, false);
    }
    const all = targets.every((p) => cache.confirmed.get(p) === true);
    for (const p of targets) {
      const ok = cache.confirmed.get(p) === true;
      if (all) this.sentCompact++;
      const call = ok ? { nodeId: cache.id, methodId, args, ...(all ? {} : { nodeIdSize: 4 as const }) }
        : { nodeId: cache.id, path, methodId, args };
      this.sendCommand(p, encodeRpc(call), mode, channel);
    }
  }

  /** send_bytes: to 0 / −N the RELAY carries the broadcast / exclusion target. */
  sendBytes(to: number, data: Uint8Array): void {
    this.sendCommand(to, encodeRaw(data));
  }

  /** Everything a client receives comes from peer 1 (the server). */
  receive(bytes: Uint8Array): void {
    if (commandOf(bytes[0]!) !== NetworkCommand.NETWORK_COMMAND_SYS) { this.process(1, bytes); return; }
    const d = decodeSys(bytes);
    assert.ok(d.ok, 'the server sends well-formed SYS messages');
    const m = d.value;
    switch (m.sys) {
      case SysCommand.SYS_COMMAND_ADD_PEER: this.peers.add(m.peerId); this.recv.set(m.peerId, new Map()); break;
      case SysCommand.SYS_COMMAND_DEL_PEER:
        this.peers.delete(m.peerId); this.recv.delete(m.peerId);
        for (const c of this.sent.values()) c.confirmed.delete(m.peerId);
        break;
      case SysCommand.SYS_COMMAND_RELAY:
        assert.ok(this.peers.has(m.peer), `${this.id} got a relay from ${m.peer}, a peer it was never told about`);
        this.process(m.peer, m.packet);
        break;
      default: assert.fail('auth is not used here');
    }
  }

  private process(from: number, bytes: Uint8Array): void {
    switch (commandOf(bytes[0]!)) {
      case NetworkCommand.NETWORK_COMMAND_SIMPLIFY_PATH: {
        const d = decodeSimplifyPath(bytes);
        assert.ok(d.ok);
        const names = [...(NODES[d.value.path] ?? [])].sort();
        this.recv.get(from)!.set(d.value.cacheId, d.value.path);
        const valid = md5(names) === d.value.checksum;
        this.sendCommand(from, encodeConfirmPath(this.format === 'id'
          ? { format: 'id', valid, cacheId: d.value.cacheId } : { format: 'path', valid, path: d.value.path }));
        break;
      }
      case NetworkCommand.NETWORK_COMMAND_CONFIRM_PATH: {
        const d = decodeConfirmPath(bytes, this.format);
        assert.ok(d.ok, `${this.id}: CONFIRM_PATH in the ${this.format} format`);
        assert.equal(d.value.valid, true, 'checksums match');
        const c = d.value;
        const entry = c.format === 'id'
          ? [...this.sent.values()].find((e) => e.id === c.cacheId) : this.sent.get(c.path);
        if (!entry?.confirmed.has(from)) assert.fail('confirms something that was simplified for that peer');
        entry.confirmed.set(from, true);
        break;
      }
      case NetworkCommand.NETWORK_COMMAND_REMOTE_CALL: {
        const d = decodeRpc(bytes);
        assert.ok(d.ok);
        const path = d.value.path ?? this.recv.get(from)?.get(d.value.nodeId);
        assert.ok(path !== undefined, 'node resolvable');
        const args = decodeRpcArgs(d.value);
        assert.ok(args.ok);
        this.received.push({ kind: 'rpc', from, path, method: [...NODES[path]!].sort()[d.value.methodId]!, args: args.value });
        break;
      }
      case NetworkCommand.NETWORK_COMMAND_RAW: {
        const d = decodeRaw(bytes);
        assert.ok(d.ok);
        this.received.push({ kind: 'raw', from, hex: Buffer.from(d.value).toString('hex') });
        break;
      }
      default: assert.fail('unexpected command');
    }
  }
}

class World {
  readonly clients = new Map<number, GodotClient>();
  readonly serverEvents: SceneRelayAction[] = [];
  constructor(readonly server: SceneRelayServer, readonly format: PathCacheFormat) {}

  connect(id: number): GodotClient {
    const c = new GodotClient(id, this.format);
    this.clients.set(id, c);
    this.apply(this.server.peerConnected(id, 0));
    return c;
  }

  disconnect(id: number): void {
    this.clients.delete(id);
    this.apply(this.server.peerDisconnected(id));
  }

  private apply(actions: SceneRelayAction[]): void {
    for (const a of actions) {
      if (a.type === 'send') this.clients.get(a.to)?.receive(a.bytes);
      else this.serverEvents.push(a);
    }
  }

  /** Delivers every queued client packet until nothing moves. */
  run(): void {
    for (let moved = true; moved;) {
      moved = false;
      for (const c of this.clients.values()) {
        for (const w of c.outbox.splice(0)) { moved = true; this.apply(this.server.handlePacket(c.id, w.bytes, w.mode, w.channel)); }
      }
    }
  }
}

for (const [version, format] of [['4.2', 'path'], ['4.3', 'id']] as const) {
  test(`Godot ${version} clients in two rooms: RPCs, path caches, raw bytes, departures`, () => {
    const room = new Map<number, string>([[101, 'lobby-1'], [102, 'lobby-1'], [201, 'lobby-2']]);
    const server = new SceneRelayServer({ godotVersion: version, canSee: roomsBy((id) => room.get(id)) });
    const w = new World(server, format);
    const a = w.connect(101);
    const b = w.connect(102);
    const c = w.connect(201);
    assert.deepEqual([...a.peers], [1, 102]);
    assert.deepEqual([...c.peers], [1]);

    a.rpc(0, 'Main', 'ping', [42, 'hi']);
    w.run();
    assert.deepEqual(b.received, [{ kind: 'rpc', from: 101, path: 'Main', method: 'ping', args: [42, 'hi'] }]);
    assert.deepEqual(c.received, []);
    const ev = w.serverEvents.filter((e) => e.type === 'rpc');
    assert.equal(ev.length, 1, 'the server got its own copy');

    // Second call: every target confirmed → compact u8 node id.
    a.rpc(0, 'Main', 'chat', ['again']);
    const compact = a.outbox.map((o) => o.bytes);
    w.run();
    assert.equal(a.sentCompact, 2);
    assert.equal(compact[0]![0], 0x00, 'meta: u8 node id, u8 method id, argc');
    assert.deepEqual(b.received.at(-1), { kind: 'rpc', from: 101, path: 'Main', method: 'chat', args: ['again'] });

    // rpc_id to one peer, unreliable on channel 2, on a second node; raw bytes to all.
    b.rpc(101, 'World/Player', 'jump', [true], 0 as TransferMode, 2);
    b.sendBytes(0, Uint8Array.of(0xbe, 0xef));
    w.run();
    assert.deepEqual(a.received, [
      { kind: 'rpc', from: 102, path: 'World/Player', method: 'jump', args: [true] },
      { kind: 'raw', from: 102, hex: 'beef' },
    ]);
    assert.ok(w.serverEvents.some((e) => e.type === 'peer_packet' && e.from === 102));
    // C's broadcast reaches nobody in lobby 1.
    c.sendBytes(0, Uint8Array.of(1));
    c.rpc(0, 'Main', 'ping', [1]);
    w.run();
    assert.deepEqual([a.received.length, b.received.length], [2, 2], 'unchanged');

    w.disconnect(201);
    assert.deepEqual([...a.peers], [1, 102], 'C left quietly: nobody in lobby 1 knew it');
    w.disconnect(101);
    assert.deepEqual([...b.peers], [1]);
    assert.equal(server.getDropTotal(), 0, JSON.stringify(server.getDropCounts()));
  });
}

test('a client of the wrong version fails to confirm — why the format option exists', () => {
  const server = new SceneRelayServer({ godotVersion: '4.3' });
  const w = new World(server, 'path');
  const a = w.connect(101);
  a.rpc(1, 'Main', 'ping', [1]);
  assert.throws(() => w.run(), /CONFIRM_PATH in the path format|confirms something/);
});
