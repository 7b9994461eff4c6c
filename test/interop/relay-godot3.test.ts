/**
 * `gdwire serve --godot 3`'s relay core with real Godot 3.2.3 clients: two Godot games
 * (test/godot/relay_godot3_client.gd) join the gdwire relay on loopback and, through it, call
 * `remote` functions on each other (rpc_id, rpc to all, rpc_unreliable_id — path cache
 * included), send MultiplayerAPI send_bytes packets and a raw put_packet on the unreliable
 * channel; each prints what it received and both sides are checked. Then the relay stops
 * gracefully and both games see server_disconnected. Bounded (≤ 30 s); on failure the Godot
 * output and the relay's snapshot are printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryLogger } from '../../src/platform/memory-logger.js';
import { nodePlatform } from '../../src/platform/node-platform.js';
import { resolveConfig } from '../../src/server/config.js';
import type { CoreEvent } from '../../src/server/core.js';
import { createRelayCore } from '../../src/server/relay/relay-core.js';
import { freeUdpPort, GodotPeer, requireGodot3 } from '../helpers/godot.js';
import { waitFor } from '../helpers/networked-interop.js';
import { expectRelayed, godotIds } from '../helpers/relay-godot3.js';

test('Godot 3.2.3 clients call rpc/rpc_id and send packets to each other through the gdwire relay', { timeout: 30_000 }, async (t) => {
  const bin = requireGodot3(t);
  if (!bin) return;
  const port = await freeUdpPort();
  const logger = new MemoryLogger('warn');
  const config = resolveConfig({ port: String(port), bind: '127.0.0.1', godot: '3', 'http-port': 'off' }, {}).config;
  const core = createRelayCore(config, nodePlatform({ logger }), logger);
  const events: CoreEvent[] = [];
  core.onEvent((e) => events.push(e));
  const godots: GodotPeer[] = [];
  const show = (): string => [
    `--- relay snapshot ${JSON.stringify(core.snapshot(), null, 1)}`,
    `--- relay events ${JSON.stringify(events)}`,
    `--- relay log ${JSON.stringify(logger.entries.map((e) => e.message))}`,
    ...godots.map((g) => g.describe()),
  ].join('\n');
  try {
    await core.start();
    for (const name of ['A', 'B']) {
      godots.push(GodotPeer.start({ bin, script: 'relay_godot3_client.gd', timeoutMs: 25_000, args: { port, name, timeout: 22 } }));
    }
    const [ida, idb] = await godotIds(godots) as [number, number];
    await expectRelayed(t, godots as [GodotPeer, GodotPeer], [ida, idb], show);
    const snap = core.snapshot();
    assert.equal(snap.status, 'running');
    assert.deepEqual(snap.rooms.map((r) => [r.id, [...r.peers].sort()]), [['default', [ida, idb].sort()]], show());
    for (const id of [ida, idb]) {
      const p = snap.peers.find((x) => x.id === id);
      assert.ok(p && p.state === 'connected' && p.address === '127.0.0.1', show());
      // At least: SIMPLIFY_PATH ×2 (the other client and the server), 3 RPCs, 2 packets.
      assert.ok(p.packetsIn >= 7 && p.packetsOut >= 6, `peer ${id} counters\n${show()}`);
    }
    assert.deepEqual(snap.totals.drops, {}, show());

    const stopping = core.stop({ reason: 'test', deadline: performance.now() + 5000 });
    for (const g of godots) {
      const r = await g.finish();
      assert.ok(r.ok && g.stdout.includes('SIGNAL server_disconnected'), `graceful stop reaches the Godot client\n${show()}`);
    }
    await stopping;
    assert.equal(core.snapshot().status, 'stopped');
    await waitFor(() => events.filter((e) => e.type === 'peer_disconnected').length === 2, 2000, 'both peers reported gone', show);
  } finally {
    core.close();
    for (const g of godots) await g.dispose();
  }
});
