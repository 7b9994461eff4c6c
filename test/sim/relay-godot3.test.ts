/**
 * The Godot 3.2 relay core (`gdwire serve --godot 3`) on the in-memory network with a fake
 * clock, with gdwire NetworkedMultiplayerENet clients (the real-Godot version of this is
 * test/interop/relay-godot3.test.ts): one room, ADD/REMOVE_PEER, relaying by target, per-peer
 * counters from the routing rule, refused packets counted by reason, graceful stop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { PacketFlag } from '../../src/enet/types.js';
import { TransferMode } from '../../src/multiplayer/multiplayer-peer.js';
import { resolveConfig } from '../../src/server/config.js';
import type { CoreEvent, RelayCore } from '../../src/server/core.js';
import { createRelayCore } from '../../src/server/relay/relay-core.js';
import { hostPlatform } from '../../src/platform/test-platform.js';
import { lateTimers } from '../helpers/late-timers.js';
import { ascii, createMpSim, runSim, text, type MpNode, type MpSim } from '../helpers/networked-sim.js';

const PORT = 4343;
const REL = TransferMode.TRANSFER_MODE_RELIABLE;

async function setup(n: number, flags: Record<string, string> = {}): Promise<{ sim: MpSim; core: RelayCore; events: CoreEvent[]; clients: MpNode[] }> {
  const sim = createMpSim({ seed: 3 });
  const config = resolveConfig({ port: String(PORT), godot: '3', 'http-port': 'off', ...flags }, {}).config;
  const core = createRelayCore(config, hostPlatform(sim.base, sim.base.net.createHost('server', ['10.0.0.1'])), sim.base.logger);
  const events: CoreEvent[] = [];
  core.onEvent((e) => events.push(e));
  await core.start();
  const clients: MpNode[] = [];
  for (let i = 0; i < n; i++) {
    const c = sim.node(`c${i}`, `10.0.1.${i + 1}`, { nodeMode: true });
    assert.equal(await c.peer.createClient('10.0.0.1', PORT), Error.OK);
    clients.push(c);
  }
  const everyone = (): boolean => clients.every((c) => c.signals.filter((s) => s.startsWith('peer_connected')).length === n);
  assert.ok(await runSim(sim, 3000, everyone), `every client knows every peer: ${JSON.stringify(clients.map((c) => c.signals))}`);
  return { sim, core, events, clients };
}

function send(c: MpNode, target: number, msg: string): void {
  c.peer.setTargetPeer(target);
  c.peer.setTransferMode(REL);
  assert.equal(c.peer.putPacket(ascii(msg)), Error.OK);
}

const got = (c: MpNode): string[] => c.packets.map((p) => `${p.peer}:${text(p.data)}`).sort();

test('Godot 3.2 relay: one room, relay by target, counters, drops, graceful stop', async () => {
  const { sim, core, events, clients } = await setup(3);
  const [a, b, c] = clients as [MpNode, MpNode, MpNode];
  const id = (x: MpNode): number => x.peer.getUniqueId();
  send(a, 0, 'all');
  send(a, id(b), 'b-only');
  send(a, -id(b), 'not-b');
  send(b, 1, 'server');
  await runSim(sim, 300);
  assert.deepEqual(got(b), [`${id(a)}:all`, `${id(a)}:b-only`]);
  assert.deepEqual(got(c), [`${id(a)}:all`, `${id(a)}:not-b`]);
  assert.deepEqual(got(a), []);

  const snap = core.snapshot();
  assert.equal(snap.status, 'running');
  assert.deepEqual(snap.rooms.map((r) => [r.id, r.capacity, r.peers.length]), [['default', 32, 3]]);
  const pa = snap.peers.find((p) => p.id === id(a));
  const pb = snap.peers.find((p) => p.id === id(b));
  assert.ok(pa && pb && pa.room === 'default' && pa.state === 'connected');
  assert.equal(pa.packetsIn, 3);
  assert.equal(pb.packetsIn, 1);
  // b: 2 ADD_PEER notices + 2 relayed packets; the header makes each relayed copy 8 bytes longer.
  assert.equal(pb.packetsOut, 4);
  assert.equal(pb.bytesOut, 2 * 8 + (8 + 3) + (8 + 6));
  assert.equal(snap.totals.connects, 3);

  // Refused: a client writing on channel 0, a forged source, an unknown target, a short packet.
  const host = a.peer.getHost();
  const server = a.peer.getPeer(1);
  assert.ok(host && server);
  const forged = new Uint8Array(12);
  new DataView(forged.buffer).setUint32(0, 99999, true);
  server.send(0, new Uint8Array(8), PacketFlag.RELIABLE);
  server.send(1, forged, PacketFlag.RELIABLE);
  const unknown = new Uint8Array(12);
  new DataView(unknown.buffer).setUint32(0, id(a), true);
  new DataView(unknown.buffer).setInt32(4, 424242, true);
  server.send(1, unknown, PacketFlag.RELIABLE);
  server.send(1, new Uint8Array(5), PacketFlag.RELIABLE);
  host.flush();
  await runSim(sim, 300);
  const d = core.snapshot().totals.drops;
  assert.deepEqual([d['server-only-command'], d['forged-source'], d['unknown-target'], d['malformed']], [1, 1, 1, 1]);
  assert.deepEqual(got(b).length + got(c).length, 4, 'nothing refused was relayed');

  // A leaving client is announced to the others.
  const cid = id(c);
  c.peer.closeConnection();
  await runSim(sim, 500, () => a.signals.includes(`peer_disconnected ${cid}`) && b.signals.includes(`peer_disconnected ${cid}`));
  assert.ok(b.signals.includes(`peer_disconnected ${cid}`));

  let stopped = false;
  void core.stop({ reason: 'test', deadline: sim.base.clock.now() + 3000 }).then(() => { stopped = true; });
  assert.ok(await runSim(sim, 3000, () => stopped));
  assert.equal(core.snapshot().status, 'stopped');
  assert.ok(a.signals.includes('server_disconnected') && b.signals.includes('server_disconnected'));
  assert.deepEqual(events.filter((e) => e.type === 'room_opened' || e.type === 'room_closed').map((e) => e.type), ['room_opened', 'room_closed']);
  assert.equal(events.filter((e) => e.type === 'peer_disconnected').length, 3);
});

test('a port in use makes start() reject and the core unavailable (both modes)', async () => {
  const sim = createMpSim({ seed: 4 });
  const server = hostPlatform(sim.base, sim.base.net.createHost('server', ['10.0.0.1']));
  for (const godot of ['3', '4']) {
    const config = resolveConfig({ port: String(PORT), godot, 'http-port': 'off' }, {}).config;
    const first = createRelayCore(config, server, sim.base.logger);
    await first.start();
    assert.deepEqual(first.snapshot().listen?.port, PORT);
    const second = createRelayCore(config, server, sim.base.logger);
    await assert.rejects(second.start(), /cannot listen on UDP \*:4343/);
    assert.equal(second.snapshot().status, 'unavailable');
    assert.match(second.snapshot().detail ?? '', /port in use/);
    first.close();
    second.close();
    await runSim(sim, 5);
  }
});

test('frames keep their 4 ms period, start to start, when timers fire late: 250 a second, as Godot 3.2.3 runs', async () => {
  const sim = createMpSim({ seed: 5 });
  // Every timer fires 1 ms late: a core that re-armed a 4 ms timer after each frame would run
  // a frame every 5 ms (200 a second).
  const late = lateTimers(hostPlatform(sim.base, sim.base.net.createHost('server', ['10.0.0.1'])), 1, 4);
  const config = resolveConfig({ port: String(PORT), godot: '3', 'http-port': 'off' }, {}).config;
  const core = createRelayCore(config, late.platform, sim.base.logger);
  await core.start();
  const c = sim.node('c0', '10.0.1.1', { nodeMode: true });
  assert.equal(await c.peer.createClient('10.0.0.1', PORT), Error.OK);
  assert.ok(await runSim(sim, 3000, () => c.signals.includes('connection_succeeded')), JSON.stringify(c.signals));
  await runSim(sim, 100);
  late.reset();
  await runSim(sim, 1000);
  assert.ok(late.frames() >= 249 && late.frames() <= 251, `${late.frames()} frames in 1000 ms`);
  let stopped = false;
  void core.stop({ reason: 'test', deadline: sim.base.clock.now() + 3000 }).then(() => { stopped = true; });
  assert.ok(await runSim(sim, 3000, () => stopped));
});
