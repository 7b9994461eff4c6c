/**
 * The Godot 4 relay core end to end on real loopback UDP sockets: gdwire clients that speak the
 * Godot 4 protocol exactly as a Godot 4 game does (ENetMultiplayerPeer client + SceneMultiplayer
 * client side: auth, SYS ADD/DEL_PEER, RELAY, SIMPLIFY/CONFIRM_PATH, RPC and RAW packets —
 * src/server/relay/testing/scene-client.ts) in two rooms that do not see each other; a
 * disconnect announced to its room only; a bad room name refused; relay drops counted; a
 * graceful stop every client hears about. Bounded (≤ 30 s); on failure every client's log and
 * the relay's snapshot are printed. (The same scenarios on a fake clock: test/sim/relay-godot4.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { TransferMode } from '../../src/multiplayer/multiplayer-peer.js';
import { decodeRpcArgs, encodeRpc } from '../../src/multiplayer/scene/scene-rpc-interface.js';
import { MemoryLogger } from '../../src/platform/memory-logger.js';
import { nodePlatform } from '../../src/platform/node-platform.js';
import { resolveConfig } from '../../src/server/config.js';
import type { CoreEvent } from '../../src/server/core.js';
import { createRelayCore } from '../../src/server/relay/relay-core.js';
import { SceneClient, type SceneClientOptions } from '../../src/server/relay/testing/scene-client.js';
import { freeUdpPort } from '../helpers/godot.js';
import { waitFor } from '../helpers/networked-interop.js';

const bytes = (t: string): Uint8Array => Uint8Array.from(Buffer.from(t, 'latin1'));
const raw = (c: SceneClient): string[] => c.received.filter((r) => r.kind === 'raw').map((r) => `${r.from}:${Buffer.from(r.data).toString('latin1')}`).sort();

test('Godot 4 protocol clients through the relay on loopback: rooms, relay, path cache, RPC, refusals, drops, stop', { timeout: 30_000 }, async () => {
  const port = await freeUdpPort();
  const logger = new MemoryLogger('warn');
  const platform = nodePlatform({ logger });
  const config = resolveConfig({ port: String(port), bind: '127.0.0.1', 'http-port': 'off', 'room-size': '3' }, {}).config;
  const core = createRelayCore(config, platform, logger, { admitWindowMs: 300 });
  const events: CoreEvent[] = [];
  core.onEvent((e) => events.push(e));
  const clients: SceneClient[] = [];
  const show = (): string => [
    ...clients.map((c) => `${c.name} ${c.id}: ${JSON.stringify(c.log)} raw ${JSON.stringify(raw(c))}`),
    `snapshot ${JSON.stringify(core.snapshot())}`, `log ${JSON.stringify(logger.entries.map((e) => e.message))}`,
  ].join('\n');
  const client = async (name: string, auth: SceneClientOptions['auth']): Promise<SceneClient> => {
    const c = new SceneClient({ platform, auth, name });
    clients.push(c);
    assert.equal(await c.connect('127.0.0.1', port), Error.OK);
    return c;
  };
  try {
    await core.start();
    const a1 = await client('a1', { room: 'red' });
    const a2 = await client('a2', { room: 'red', style: 'immediate' });
    const a3 = await client('a3', null); // no auth_callback: the default room
    const b1 = await client('b1', { room: 'blue' });
    const b2 = await client('b2', { room: 'blue' });
    const bad = await client('bad', { room: 'no/slash' });
    await waitFor(() => [a1, a2, a3, b1, b2].every((c) => c.connected) && a1.peers.size === 1 && b1.peers.size === 1, 5000, 'clients admitted to their rooms', show);
    await waitFor(() => bad.log.includes('peer_authentication_failed 1'), 5000, 'bad room name refused', show);
    assert.ok(bad.log.includes('auth error:bad-room-name'), show());
    assert.deepEqual([...a1.peers], [a2.id]);
    assert.deepEqual([...b2.peers], [b1.id]);

    // RAW to the room, RELAY into the other room (dropped), the default room on its own.
    a1.sendBytes(bytes('to red'), 0);
    a1.sendBytes(bytes('to blue'), b1.id);
    b1.sendBytes(bytes('to b2'), b2.id, TransferMode.TRANSFER_MODE_UNRELIABLE_ORDERED, 2);
    a3.sendBytes(bytes('alone'), 0);
    await waitFor(() => raw(a2).length === 1 && raw(b2).length === 1, 3000, 'room traffic', show);
    assert.deepEqual(raw(a2), [`${a1.id}:to red`]);
    assert.deepEqual(raw(b1), []);
    const r = b2.received.find((x) => x.kind === 'raw');
    assert.ok(r && r.mode === TransferMode.TRANSFER_MODE_UNRELIABLE_ORDERED && r.channel === 2, show());

    // Path cache and an RPC between room-mates, through the relay.
    a1.simplifyPath(a2.id, 'Game/Player', 1);
    await waitFor(() => a1.confirmed.get(a2.id)?.has(1) ?? false, 3000, 'CONFIRM_PATH relayed back', show);
    a1.send(a2.id, encodeRpc({ nodeId: 1, methodId: 3, args: ['jump', 2.5] }));
    await waitFor(() => a2.received.some((x) => x.kind === 'rpc'), 3000, 'RPC relayed', show);
    const rpc = a2.received.find((x) => x.kind === 'rpc')?.rpc;
    assert.ok(rpc && rpc.methodId === 3);
    const args = decodeRpcArgs(rpc);
    assert.ok(args.ok && args.value[0] === 'jump' && args.value[1] === 2.5, show());

    // A disconnect reaches the room, not the other room.
    const a2id = a2.id;
    a2.close();
    await waitFor(() => a1.log.includes(`peer_disconnected ${a2id}`), 5000, 'a2 announced gone to a1', show);
    assert.ok(!b1.log.some((l) => l.startsWith('peer_disconnected')), show());

    const snap = core.snapshot();
    assert.deepEqual(snap.rooms.map((x) => [x.id, x.peers.length]).sort(), [['blue', 2], ['default', 1], ['red', 1]]);
    assert.equal(snap.totals.drops['other-room'], 1);
    assert.equal(snap.totals.drops['bad-room-name'], 1);
    const p1 = snap.peers.find((x) => x.id === a1.id);
    assert.ok(p1 && p1.packetsIn >= 4 && p1.packetsOut >= 3 && p1.rttMs >= 0 && p1.loss >= 0 && p1.loss <= 1, show());

    await core.stop({ reason: 'test', deadline: performance.now() + 5000 });
    assert.equal(core.snapshot().status, 'stopped');
    await waitFor(() => [a1, a3, b1, b2].every((c) => c.log.includes('server_disconnected')), 3000, 'every client told', show);
  } finally {
    core.close();
    for (const c of clients) c.close();
  }
});
