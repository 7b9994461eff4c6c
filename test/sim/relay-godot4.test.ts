/**
 * The Godot 4 relay core on the in-memory network with a fake clock: gdwire clients speaking
 * the Godot 4 protocol exactly as a Godot 4 client does (ENetMultiplayerPeer client +
 * SceneMultiplayer client side, src/server/relay/testing/scene-client.ts) — rooms chosen in the
 * auth exchange and isolated from each other, RELAY preserving transfer mode and channel,
 * path cache in both CONFIRM_PATH formats, RPC packets, disconnect notices, refused room
 * names and limits, callback-less clients, auth timeout, relay drops by reason, graceful stop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { TransferMode } from '../../src/multiplayer/multiplayer-peer.js';
import { encodeAddPeer, encodeAuth, encodeRaw, encodeRelay } from '../../src/multiplayer/scene/scene-multiplayer-protocol.js';
import { decodeRpcArgs, encodeRpc } from '../../src/multiplayer/scene/scene-rpc-interface.js';
import type { LinkConditions } from '../../src/platform/memory-network.js';
import { createTestPlatform, hostPlatform, type TestPlatform } from '../../src/platform/test-platform.js';
import { resolveConfig } from '../../src/server/config.js';
import type { CoreEvent, RelayCore } from '../../src/server/core.js';
import { encodeRoomRequest } from '../../src/server/relay/room-auth.js';
import { createRelayCore } from '../../src/server/relay/relay-core.js';
import type { RelayCoreOptions } from '../../src/server/relay/relay-options.js';
import { SceneClient, type SceneClientOptions } from '../../src/server/relay/testing/scene-client.js';
import { lateTimers, type LateTimers } from '../helpers/late-timers.js';
import { flushMicrotasks, NEAR_WRAP } from '../helpers/networked-sim.js';

const { TRANSFER_MODE_UNRELIABLE: UNREL, TRANSFER_MODE_UNRELIABLE_ORDERED: ORDERED, TRANSFER_MODE_RELIABLE: REL } = TransferMode;
const PORT = 4242;
const SERVER = '10.0.0.1';

interface Sim {
  p: TestPlatform;
  core: RelayCore;
  events: CoreEvent[];
  clients: SceneClient[];
  client(name: string, auth: SceneClientOptions['auth'], version?: string): Promise<SceneClient>;
}

async function sim(
  flags: Record<string, string> = {}, conditions?: LinkConditions, options: RelayCoreOptions = {},
  wrap: (server: TestPlatform) => TestPlatform = (x) => x,
): Promise<Sim> {
  const p = createTestPlatform({ seed: 1, start: NEAR_WRAP, logLevel: 'warn', ...(conditions ? { conditions } : {}) });
  const config = resolveConfig({ port: String(PORT), 'http-port': 'off', ...flags }, {}).config;
  const core = createRelayCore(config, wrap(hostPlatform(p, p.net.createHost('server', [SERVER]))), p.logger, options);
  const events: CoreEvent[] = [];
  core.onEvent((e) => events.push(e));
  await core.start();
  const clients: SceneClient[] = [];
  const s: Sim = {
    p, core, events, clients,
    async client(name, auth, version) {
      const host = p.net.createHost(name, [`10.0.1.${clients.length + 1}`]);
      const c = new SceneClient({ platform: hostPlatform(p, host), auth, name, ...(version ? { godotVersion: version } : {}) });
      assert.equal(await c.connect(SERVER, PORT), Error.OK);
      clients.push(c);
      return c;
    },
  };
  return s;
}

/** Advances fake time 1 ms at a time (microtasks in between) for up to `ms`, or until `until`. */
async function run(p: TestPlatform, ms: number, until: () => boolean = () => false): Promise<boolean> {
  const end = p.clock.now() + ms;
  for (;;) {
    await flushMicrotasks();
    if (until()) return true;
    if (p.clock.now() >= end) return false;
    p.clock.advance(1);
  }
}

function show(s: Sim): string {
  return s.clients.map((c) => `${c.name} ${c.mp.getConnectionStatus() ? c.id : '-'}: ${JSON.stringify(c.log)}`).join('\n')
    + `\nsnapshot ${JSON.stringify(s.core.snapshot().rooms)} drops ${JSON.stringify(s.core.snapshot().totals.drops)}`;
}

async function joined(s: Sim, ...cs: SceneClient[]): Promise<void> {
  assert.ok(await run(s.p, 3000, () => cs.every((c) => c.connected)), `clients admitted\n${show(s)}`);
}

const raw = (c: SceneClient): string[] => c.received.filter((r) => r.kind === 'raw').map((r) => `${r.from}:${Buffer.from(r.data).toString('latin1')}`);
const bytes = (t: string): Uint8Array => Uint8Array.from(Buffer.from(t, 'latin1'));

test('two rooms that do not see each other: notices, RELAY by mode and channel, path cache, RPC, drops', async () => {
  const s = await sim({ 'room-size': '4', 'max-rooms': '3' });
  const a1 = await s.client('a1', { room: 'alpha' });
  const a2 = await s.client('a2', { room: 'alpha', style: 'immediate' });
  const a3 = await s.client('a3', { room: 'alpha' });
  const b1 = await s.client('b1', { room: 'beta' });
  const b2 = await s.client('b2', { room: 'beta', style: 'immediate' });
  await joined(s, a1, a2, a3, b1, b2);
  assert.ok(await run(s.p, 500, () => a1.peers.size === 2 && b1.peers.size === 1 && b2.peers.size === 1), show(s));
  assert.deepEqual([...a1.peers].sort(), [a2.id, a3.id].sort());
  assert.deepEqual([...b2.peers], [b1.id]);
  assert.ok(a1.log.includes('auth ok:alpha') && b1.log.includes('auth ok:beta'), show(s));

  // RAW to everyone, to one, to all but one; a packet aimed into the other room is dropped.
  assert.equal(a1.sendBytes(bytes('all'), 0), Error.OK);
  assert.equal(a1.sendBytes(bytes('one'), a2.id), Error.OK);
  assert.equal(a1.sendBytes(bytes('but'), -a2.id), Error.OK);
  assert.equal(a1.sendBytes(bytes('leak'), b1.id), Error.OK);
  assert.equal(b1.sendBytes(bytes('beta-all'), 0), Error.OK);
  await run(s.p, 300);
  assert.deepEqual(raw(a2).sort(), [`${a1.id}:all`, `${a1.id}:one`]);
  assert.deepEqual(raw(a3).sort(), [`${a1.id}:all`, `${a1.id}:but`]);
  assert.deepEqual(raw(b1), []);
  assert.deepEqual(raw(b2), [`${b1.id}:beta-all`]);
  assert.deepEqual(raw(a1), []);
  assert.equal(s.core.snapshot().totals.drops['other-room'], 1);

  // Transfer mode and channel survive the relay.
  a2.received.length = 0;
  a1.sendBytes(bytes('u3'), a2.id, UNREL, 3);
  a1.sendBytes(bytes('o0'), a2.id, ORDERED, 0);
  a1.sendBytes(bytes('r7'), a2.id, REL, 7);
  await run(s.p, 300);
  const got = a2.received.map((r) => `${Buffer.from(r.data).toString('latin1')}/${r.mode}/${r.channel}`).sort();
  assert.deepEqual(got, [`o0/${ORDERED}/0`, `r7/${REL}/7`, `u3/${UNREL}/3`]);

  // Path cache: the relay confirms in the 4.3 id format; a room-mate confirms through the relay.
  a1.simplifyPath(1, 'Main', 1);
  a1.simplifyPath(a2.id, 'Main/Player', 2);
  await run(s.p, 300, () => (a1.confirmed.get(1)?.has(1) ?? false) && (a1.confirmed.get(a2.id)?.has(2) ?? false));
  assert.deepEqual([...(a1.confirmed.get(1) ?? [])], [1], show(s));
  assert.deepEqual([...(a1.confirmed.get(a2.id) ?? [])], [2]);
  assert.equal(a2.remoteCaches.get(a1.id)?.get(2), 'Main/Player');
  assert.equal(s.core instanceof Object && (s.core as unknown as { sceneRelay: { getCachedPath(id: number, c: number): string | undefined } }).sceneRelay.getCachedPath(a1.id, 1), 'Main');

  // An RPC packet (confirmed form) reaches the room-mate intact.
  a1.send(a2.id, encodeRpc({ nodeId: 2, methodId: 0, args: [42, 'hi'] }));
  await run(s.p, 300, () => a2.received.some((r) => r.kind === 'rpc'));
  const rpc = a2.received.find((r) => r.kind === 'rpc')?.rpc;
  assert.ok(rpc && rpc.nodeId === 2 && rpc.methodId === 0, show(s));
  const args = decodeRpcArgs(rpc);
  assert.ok(args.ok);
  assert.deepEqual(args.value, [42, 'hi']);

  const snap = s.core.snapshot();
  assert.equal(snap.status, 'running');
  assert.deepEqual(snap.rooms.map((r) => [r.id, r.capacity, r.peers.length]), [['alpha', 4, 3], ['beta', 4, 2]]);
  const pa1 = snap.peers.find((x) => x.id === a1.id);
  assert.ok(pa1 && pa1.room === 'alpha' && pa1.state === 'connected' && pa1.packetsIn >= 10 && pa1.bytesOut > 0 && pa1.address === '10.0.1.1');
  assert.ok(snap.totals.packetsOut > snap.totals.packetsIn / 2 && snap.totals.connects === 5);
  assert.deepEqual(s.events.filter((e) => e.type === 'room_opened').map((e) => e.type === 'room_opened' && e.room), ['alpha', 'beta']);

  // A disconnect is announced to the room only; an empty room closes.
  a3.close();
  await run(s.p, 500, () => a1.log.includes(`peer_disconnected ${a3.id}`) && a2.log.includes(`peer_disconnected ${a3.id}`));
  assert.ok(a2.log.includes(`peer_disconnected ${a3.id}`), show(s));
  assert.ok(!b1.log.some((l) => l.startsWith('peer_disconnected')));
  b1.close();
  b2.close();
  await run(s.p, 500, () => s.events.some((e) => e.type === 'room_closed'));
  assert.deepEqual(s.events.filter((e) => e.type === 'room_closed').map((e) => e.type === 'room_closed' && e.room), ['beta']);
  assert.deepEqual(s.core.snapshot().rooms.map((r) => r.id), ['alpha']);
  assert.equal(s.core.snapshot().totals.disconnects, 3);
  s.core.close();
});

test('bad room requests are refused with error:<reason> and a disconnect, and counted', async () => {
  const s = await sim();
  const bad = [
    await s.client('empty', { room: '' }),
    await s.client('space', { room: 'has space' }),
    await s.client('long', { room: 'x'.repeat(33) }),
    await s.client('nul', { payload: bytes('room:a\0b') }),
    await s.client('noprefix', { payload: bytes('lobby') }),
  ];
  const ok = await s.client('ok', { room: `${'x'.repeat(32)}` });
  assert.ok(await run(s.p, 3000, () => bad.every((c) => c.log.includes('peer_authentication_failed 1')) && ok.connected), show(s));
  assert.deepEqual(bad.map((c) => c.log.find((l) => l.startsWith('auth '))), [
    'auth error:bad-room-name', 'auth error:bad-room-name', 'auth error:bad-room-name', 'auth error:bad-room-name', 'auth error:bad-room-request',
  ]);
  assert.ok(await run(s.p, 500, () => s.core.snapshot().peers.length === 1), 'the relay forgot the refused peers');
  const snap = s.core.snapshot();
  assert.equal(snap.totals.drops['bad-room-name'], 4);
  assert.equal(snap.totals.drops['bad-room-request'], 1);
  assert.equal(snap.peers.length, 1);
  assert.equal(snap.totals.connects, 1, 'refused peers were never admitted');
  s.core.close();
});

test('clients without auth_callback land in the default room: at their first packet, or after the admit window', async () => {
  const s = await sim();
  const quiet = await s.client('quiet', null);
  const talker = await s.client('talker', null);
  const asked = await s.client('asked', { room: 'default' });
  await joined(s, quiet, talker, asked);
  // talker speaks before the window ends: admitted at once, its packet relayed.
  talker.sendBytes(bytes('early'), 0);
  assert.ok(await run(s.p, 300, () => raw(asked).length === 1), show(s));
  const t0 = s.p.clock.now();
  assert.ok(await run(s.p, 2000, () => quiet.peers.size === 2), show(s));
  assert.ok(s.p.clock.now() - t0 <= 1100, 'quiet one admitted after the 1 s window');
  assert.deepEqual(raw(asked), [`${talker.id}:early`]);
  assert.deepEqual(s.core.snapshot().rooms.map((r) => [r.id, r.peers.length]), [['default', 3]]);
  // The relay's [07][00] to a callback-less client is a late confirmation: no error on its side.
  assert.ok(!quiet.log.some((l) => l.startsWith('error')), show(s));

  // A room request that arrives after the window moves the peer (e.g. delayed by loss).
  const mover = await s.client('mover', null);
  const alone = await s.client('alone', { room: 'elsewhere' });
  await joined(s, mover, alone);
  assert.ok(await run(s.p, 2000, () => mover.peers.size === 3), show(s));
  mover.sendRaw(encodeAuth(encodeRoomRequest('elsewhere')));
  assert.ok(await run(s.p, 500, () => mover.peers.size === 1 && quiet.peers.size === 2), show(s));
  assert.deepEqual([...mover.peers], [alone.id]);
  assert.ok(alone.log.includes(`peer_connected ${mover.id}`));
  assert.ok(quiet.log.includes(`peer_disconnected ${mover.id}`));
  s.core.close();
});

test('room size, room count and client limits; auth timeout', async () => {
  const s = await sim({ 'room-size': '2', 'max-rooms': '2', 'max-clients': '4' });
  const r1 = await s.client('r1', { room: 'one' });
  const r2 = await s.client('r2', { room: 'one' });
  const t1 = await s.client('t1', { room: 'two' });
  await joined(s, r1, r2, t1);
  const refusedBy = async (c: SceneClient, reason: string): Promise<void> => {
    assert.ok(await run(s.p, 3000, () => c.log.includes('peer_authentication_failed 1')), show(s));
    assert.ok(c.log.includes(`auth error:${reason}`), show(s));
  };
  await refusedBy(await s.client('r3', { room: 'one' }), 'room-full');
  await refusedBy(await s.client('t3', { room: 'three' }), 'rooms-full');
  // 3 connected: one more fits, the fifth is told the server is full.
  const t2 = await s.client('t2', { room: 'two' });
  await joined(s, t2);
  await refusedBy(await s.client('full', { room: 'two' }), 'server-full');
  // A client that never completes is dropped after auth_timeout (3 s).
  t2.close();
  const slow = await s.client('slow', { room: 'two', style: 'never' });
  const t0 = s.p.clock.now();
  assert.ok(await run(s.p, 5000, () => slow.log.includes('peer_authentication_failed 1')), show(s));
  assert.ok(s.p.clock.now() - t0 >= 3000);
  const d = s.core.snapshot().totals.drops;
  assert.deepEqual([d['room-full'], d['rooms-full'], d['server-full'], d['auth-timeout']], [1, 1, 1, 1]);
  s.core.close();
});

test('Godot 4.0–4.2 clients get the path-format CONFIRM_PATH', async () => {
  const s = await sim({ godot: '4.2' });
  const a = await s.client('a', { room: 'r' }, '4.2');
  const b = await s.client('b', { room: 'r' }, '4.2');
  await joined(s, a, b);
  a.simplifyPath(1, 'World/Level', 7);
  b.simplifyPath(a.id, 'World/Player', 3);
  assert.ok(await run(s.p, 500, () => (a.confirmed.get(1)?.has('World/Level') ?? false) && (b.confirmed.get(a.id)?.has('World/Player') ?? false)), show(s));
  s.core.close();
});

test('what a client may not send is dropped and counted', async () => {
  const s = await sim();
  const a = await s.client('a', { room: 'r' });
  const b = await s.client('b', { room: 'r' });
  await joined(s, a, b);
  await run(s.p, 200);
  a.sendRaw(encodeRelay(b.id, encodeRelay(a.id, encodeRaw(bytes('nested')))));  // a nested SYS forges a source
  a.sendRaw(encodeAddPeer(12345));                                             // only the server announces peers
  a.sendBytes(bytes('nobody'), 987654);                                        // unknown target
  a.sendRaw(Uint8Array.of(7, 3, 1));                                           // truncated RELAY
  a.sendRaw(encodeAuth(bytes('room:r')));                                      // auth after admission
  await run(s.p, 300);
  const d = s.core.snapshot().totals.drops;
  assert.deepEqual([d['forged-source'], d['server-only-command'], d['unknown-target'], d['malformed'], d['late-auth']], [1, 1, 1, 1, 1]);
  assert.deepEqual(raw(b), []);
  assert.ok(s.events.some((e) => e.type === 'drop' && e.reason === 'forged-source' && e.peer === a.id));
  s.core.close();
});

test('graceful stop: what the relay queued is delivered first, every client told, then closed', async () => {
  const s = await sim();
  const a = await s.client('a', { room: 'r' });
  const b = await s.client('b', { room: 'r' });
  const c = await s.client('c', null);
  await joined(s, a, b, c);
  await run(s.p, 1200);
  // b sits behind a slow link, so the relay's copies to b pile up in its ENet queue.
  s.p.net.setLinkConditions(SERVER, '10.0.1.2', { latency: 50 });
  const filler = 'x'.repeat(1000);
  for (let i = 0; i < 300; i++) a.sendBytes(bytes(`m${i} ${filler}`), b.id);
  assert.ok(await run(s.p, 2000, () => s.core.snapshot().totals.packetsIn >= 300), 'the relay took the burst in');
  const queued = (s.core.snapshot().peers.find((p) => p.id === b.id)?.packetsOut ?? 0) - raw(b).length;
  assert.ok(queued > 100, `copies still on their way to b when the stop begins (${queued})`);
  let stopped = false;
  const stopping = s.core.stop({ reason: 'test', deadline: s.p.clock.now() + 8000 }).then(() => { stopped = true; });
  assert.equal(s.core.snapshot().status, 'stopping');
  assert.ok(await run(s.p, 8000, () => stopped), show(s));
  await stopping;
  assert.equal(s.core.snapshot().status, 'stopped');
  assert.equal(raw(b).length, 300, `b got every relayed packet before the disconnect\n${show(s)}`);
  for (const x of [a, b, c]) assert.ok(x.log.includes('server_disconnected'), show(s));
  assert.equal(s.events.filter((e) => e.type === 'peer_disconnected').length, 3);
});

test('event-driven mode (serviceIntervalMs 0): each datagram handled as it arrives, same behaviour', async () => {
  const s = await sim({}, undefined, { serviceIntervalMs: 0 });
  const a = await s.client('a', { room: 'x' });
  const b = await s.client('b', { room: 'x' });
  const c = await s.client('c', { room: 'y' });
  await joined(s, a, b, c);
  assert.ok(await run(s.p, 100, () => a.peers.size === 1), show(s));
  const t0 = s.p.clock.now();
  a.sendBytes(bytes('now'), 0);
  a.sendBytes(bytes('leak'), c.id);
  assert.ok(await run(s.p, 100, () => raw(b).length === 1), show(s));
  assert.ok(s.p.clock.now() - t0 <= 2, `relayed at once, no frame to wait for (${s.p.clock.now() - t0} ms)`);
  assert.deepEqual(raw(c), []);
  assert.equal(s.core.snapshot().totals.drops['other-room'], 1);
  let stopped = false;
  void s.core.stop({ reason: 'test', deadline: s.p.clock.now() + 3000 }).then(() => { stopped = true; });
  assert.ok(await run(s.p, 3000, () => stopped));
  for (const x of [a, b, c]) assert.ok(x.log.includes('server_disconnected'), show(s));
});

test('frames keep their 4 ms period, start to start, when timers fire late: 250 a second, as Godot runs', async () => {
  // Every timer fires 1 ms late: re-arming a 4 ms timer after each frame would give 200 a second.
  let late: LateTimers<TestPlatform> | null = null;
  const s = await sim({}, undefined, {}, (server) => (late = lateTimers(server, 1, 4)).platform);
  const a = await s.client('a', { room: 'x' });
  await joined(s, a);
  await run(s.p, 100);
  late!.reset();
  await run(s.p, 1000);
  assert.ok(late!.frames() >= 249 && late!.frames() <= 251, `${late!.frames()} frames in 1000 ms`);
  s.core.close();
});
