/**
 * 100 NetworkedMultiplayerENet clients around one server on the in-memory network, under
 * seeded loss, duplication, reordering and jitter, with a fake clock (no sockets, no sleeps):
 * 90 join, then traffic in every transfer mode and to every kind of target while 10 more join,
 * 5 close, 3 are kicked (disconnectPeer now) and 2 vanish (their traffic blackholed, so the
 * server times them out). Half the peers run Godot's poll() loop, half the Node mode.
 *
 * Checked: ids distinct; signal order (peer_connected(1) before connection_succeeded; per
 * peer id, connected before disconnected, never twice); every ADD_PEER / REMOVE_PEER notice;
 * the final peer lists; every RELIABLE packet arrives exactly once, in order, attributed to its
 * original sender (getPacketPeer == the id inside the payload) — exactly the packets whose
 * target includes the receiver between peers present throughout, a prefix of them from a peer
 * that left, a suffix of them at a peer that joined late; unreliable packets never duplicated,
 * ordered-unreliable ones in increasing order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { TransferMode } from '../../src/multiplayer/multiplayer-peer.js';
import { Rng } from '../helpers/rng.js';
import { ascii, createMpSim, NEAR_WRAP, runSim, text, type MpNode } from '../helpers/networked-sim.js';

const SEED = 20240611;
const PORT = 7777;
const FIRST = 90;
const LATE = 10;
const ROUNDS = 30;
const { TRANSFER_MODE_UNRELIABLE: UNREL, TRANSFER_MODE_UNRELIABLE_ORDERED: ORDERED, TRANSFER_MODE_RELIABLE: REL } = TransferMode;

type Kind = 'stable' | 'late' | 'closes' | 'kicked' | 'vanishes';

interface Client {
  node: MpNode;
  kind: Kind;
  id: number;
  /** Peers this client knows (from its own signals). */
  known: Set<number>;
  gone: boolean;
}

interface Sent { seq: number; target: number }

/** Whether a packet from `from` addressed to `target` is meant for `to`. */
function includes(from: number, target: number, to: number): boolean {
  if (to === from) return false;
  if (to === 1) return target === 0 || target === 1 || (target < 0 && target !== -1);
  return target === 0 || target === to || (target < 0 && target !== -to);
}

type Run = 'exact' | 'prefix' | 'suffix' | 'run';

/** `got` is all of `want`, its start, its end, or any contiguous part of it. */
function checkRun(got: number[], want: number[], how: Run, what: string): void {
  if (how === 'exact') return assert.deepEqual(got, want, what);
  let at = how === 'prefix' ? 0 : how === 'suffix' ? want.length - got.length : Math.max(0, want.indexOf(got[0] ?? -1));
  if (got.length === 0) at = 0;
  assert.deepEqual(got, want.slice(at, at + got.length), `${what} (${how} of ${want.length})`);
}

test(`100 peers join, leave and relay under loss and reordering (seed ${SEED})`, { timeout: 170_000 }, async (t) => {
  const rng = new Rng(SEED);
  const sim = createMpSim({ seed: SEED, conditions: { loss: 0.04, duplicate: 0.02, reorder: 0.05, latency: 3, jitter: 4 } });
  const server = sim.node('server', '10.0.0.1');
  assert.equal(await server.peer.createServer(PORT, 128), Error.OK);
  const clients: Client[] = [];
  const sent = new Map<number, Sent[]>([[1, []]]);
  const vanished = new Set<string>();
  sim.base.net.tap((d) => !vanished.has(d.from.address) && !vanished.has(d.to.address));
  const serverKnown = new Set<number>();
  server.peer.on('peer_connected', (id) => serverKnown.add(id));
  server.peer.on('peer_disconnected', (id) => serverKnown.delete(id));

  const join = async (i: number, kind: Kind): Promise<void> => {
    const node = sim.node(`c${i}`, `10.1.${i >> 8}.${(i & 255) + 1}`, { nodeMode: i % 2 === 0 });
    const c: Client = { node, kind, id: 0, known: new Set(), gone: false };
    node.peer.on('peer_connected', (id) => c.known.add(id));
    node.peer.on('peer_disconnected', (id) => c.known.delete(id));
    assert.equal(await node.peer.createClient('10.0.0.1', PORT), Error.OK);
    c.id = node.peer.getUniqueId();
    sent.set(c.id, []);
    clients.push(c);
  };
  const kinds = (i: number): Kind => (i < 80 ? 'stable' : i < 85 ? 'closes' : i < 88 ? 'kicked' : 'vanishes');
  for (let i = 0; i < FIRST; i++) {
    await join(i, kinds(i));
    await runSim(sim, 2, () => false, 1);
  }
  const meshed = (): boolean => clients.every((c) => c.known.size === FIRST); // the server + 89 others
  assert.ok(await runSim(sim, 30_000, meshed, 5), 'the first 90 clients all know each other');
  assert.equal(new Set(clients.map((c) => c.id)).size, FIRST, 'distinct ids');

  let seq = 0;
  const send = (node: MpNode, from: number, known: Iterable<number>): void => {
    const peers = [...known].filter((id) => id !== 1);
    const pick = peers.length > 0 ? (peers[rng.int(0, peers.length - 1)] as number) : 0;
    const choices = from === 1 ? [0, pick, -pick] : [0, 1, -1, pick, -pick];
    const target = choices[rng.int(0, choices.length - 1)] as number;
    node.peer.setTargetPeer(target);
    node.peer.setTransferMode(REL);
    const s = ++seq;
    assert.equal(node.peer.putPacket(ascii(`${from}:${s}:${REL}`)), Error.OK, `${node.name} → ${target}`);
    sent.get(from)?.push({ seq: s, target });
    node.peer.setTargetPeer(0);
    for (const mode of [UNREL, ORDERED]) {
      node.peer.setTransferMode(mode);
      node.peer.putPacket(ascii(`${from}:${++seq}:${mode}`));
    }
  };

  for (let round = 0; round < ROUNDS; round++) {
    if (round === 8) for (let i = FIRST; i < FIRST + LATE; i++) await join(i, 'late');
    if (round === 15) {
      for (const c of clients) {
        if (c.kind === 'closes') c.node.peer.closeConnection();
        if (c.kind === 'kicked') server.peer.disconnectPeer(c.id, true);
        if (c.kind === 'vanishes') vanished.add(c.node.address);
        if (c.kind !== 'stable' && c.kind !== 'late') c.gone = true;
      }
    }
    send(server, 1, serverKnown);
    for (const c of clients) {
      if (!c.gone && c.node.signals.includes('connection_succeeded')) send(c.node, c.id, c.known);
    }
    await runSim(sim, 20, () => false, 5);
  }

  const live = clients.filter((c) => !c.gone);
  const leavers = clients.filter((c) => c.gone);
  const stableIds = new Set(clients.filter((c) => c.kind === 'stable').map((c) => c.id));
  const reliableFrom = (n: MpNode, from: number): number[] =>
    n.packets.filter((p) => p.peer === from && p.mode === REL).map((p) => Number(text(p.data).split(':')[1]));
  const want = (from: number, to: number): number[] => (sent.get(from) ?? []).filter((s) => includes(from, s.target, to)).map((s) => s.seq);
  const settled = (): boolean =>
    live.every((c) => leavers.every((l) => !c.known.has(l.id)) && c.known.size === live.length) &&
    server.signals.filter((s) => s.startsWith('peer_disconnected')).length === leavers.length &&
    leavers.filter((l) => l.kind !== 'closes').every((l) => l.node.signals.includes('server_disconnected')) &&
    [...stableIds].every((a) => [...stableIds].every((b) => a === b || reliableFrom(clientOf(b).node, a).length === want(a, b).length));
  const clientOf = (id: number): Client => clients.find((c) => c.id === id) as Client;
  if (!(await runSim(sim, 90_000, settled, 10))) {
    const missing: string[] = [];
    for (const c of live) {
      const stale = leavers.filter((l) => c.known.has(l.id)).map((l) => l.node.name);
      if (stale.length > 0 || c.known.size !== live.length) missing.push(`${c.node.name} knows ${c.known.size} peers (${live.length} expected; stale: ${stale.join(',')})`);
    }
    for (const l of leavers) if (l.kind !== 'closes' && !l.node.signals.includes('server_disconnected')) missing.push(`${l.node.name} never saw server_disconnected`);
    for (const a of stableIds) for (const b of stableIds) {
      if (a !== b && reliableFrom(clientOf(b).node, a).length !== want(a, b).length) {
        missing.push(`${clientOf(a).node.name} → ${clientOf(b).node.name}: ${reliableFrom(clientOf(b).node, a).length}/${want(a, b).length}`);
      }
    }
    assert.fail(`not settled after 90 s of simulated time:\n${missing.slice(0, 30).join('\n')}`);
  }
  await runSim(sim, 3000, () => false, 10); // let the pairs not in `settled` finish too

  // --- reliable delivery: once, in order, attributed to the original sender ---
  const everyone = [{ id: 1, node: server, kind: 'stable' as Kind }, ...clients.map((c) => ({ id: c.id, node: c.node, kind: c.kind }))];
  for (const r of everyone) {
    for (const p of r.node.packets) assert.equal(p.peer, Number(text(p.data).split(':')[0]), `${r.node.name}: attribution`);
    if (r.kind !== 'stable' && r.kind !== 'late') continue;
    for (const s of everyone) {
      if (s.id === r.id) continue;
      const leaver = s.kind !== 'stable' && s.kind !== 'late';
      const how: Run = leaver ? (r.kind === 'late' ? 'run' : 'prefix') : r.kind === 'late' ? 'suffix' : 'exact';
      checkRun(reliableFrom(r.node, s.id), want(s.id, r.id), how, `${s.node.name} → ${r.node.name}`);
    }
    // unreliable: never twice; ordered ones increasing per sender
    const seen = new Set<string>();
    const lastOrdered = new Map<number, number>();
    for (const p of r.node.packets) {
      const [from, n, mode] = text(p.data).split(':').map(Number) as [number, number, number];
      assert.ok(!seen.has(`${from}:${n}`), `${r.node.name}: ${from}:${n} delivered twice`);
      seen.add(`${from}:${n}`);
      assert.equal(p.mode, mode, 'the mode of the packet is the mode it was sent with');
      if (mode === ORDERED) {
        assert.ok(n > (lastOrdered.get(from) ?? 0), `${r.node.name}: ordered-unreliable from ${from} went backwards`);
        lastOrdered.set(from, n);
      }
    }
  }

  // --- signals: order, notices, final peer lists ---
  const liveIds = new Set(live.map((c) => c.id));
  for (const c of clients) {
    assert.deepEqual(c.node.signals.slice(0, 2), ['peer_connected 1', 'connection_succeeded'], `${c.node.name}: first signals`);
    const state = new Map<number, boolean>();
    for (const s of c.node.signals.slice(2)) {
      const [name, arg] = s.split(' ');
      if (arg === undefined) continue;
      const id = Number(arg);
      if (name === 'peer_connected') assert.notEqual(state.get(id), true, `${c.node.name}: ${id} connected twice`);
      else assert.equal(state.get(id), true, `${c.node.name}: ${id} disconnected before connecting`);
      state.set(id, name === 'peer_connected');
    }
    if (c.gone) continue;
    assert.deepEqual([...c.known].sort(), [1, ...liveIds].filter((id) => id !== c.id).sort(), `${c.node.name}: final peer list`);
    for (const l of leavers) {
      if (c.kind === 'stable') assert.ok(c.node.signals.includes(`peer_disconnected ${l.id}`), `${c.node.name} heard ${l.node.name} leave`);
    }
  }
  const serverSeen = server.signals.map((s) => s.split(' '));
  for (const c of clients) {
    assert.equal(serverSeen.filter(([n, id]) => n === 'peer_connected' && Number(id) === c.id).length, 1);
    assert.equal(serverSeen.filter(([n, id]) => n === 'peer_disconnected' && Number(id) === c.id).length, c.gone ? 1 : 0);
  }
  for (const l of leavers) if (l.kind !== 'closes') assert.deepEqual(l.node.signals.slice(-1), ['server_disconnected'], l.node.name);
  const delivered = everyone.reduce((n, r) => n + r.node.packets.length, 0);
  const stats = sim.base.net.stats;
  t.diagnostic(`delivered ${delivered} packets; datagrams sent ${stats.sent}, lost ${stats.lost}, duplicated ${stats.duplicated}, reordered ${stats.reordered}; simulated ${Math.round(sim.base.clock.now() - NEAR_WRAP)} ms`);
  const fromLeavers = leavers.map((l) => `${l.kind}:${reliableFrom(server, l.id).length}/${want(l.id, 1).length}`);
  t.diagnostic(`reliable packets the server got from each leaver (prefix/sent): ${fromLeavers.join(' ')}`);
  assert.ok(delivered > 50_000, `a real load (${delivered} packets delivered)`);
  const logged = new Map<string, number>();
  for (const e of sim.base.logger.entries) logged.set(`${e.level} ${e.message}`, (logged.get(`${e.level} ${e.message}`) ?? 0) + 1);
  t.diagnostic(`log: ${JSON.stringify([...logged])}`);
  // a client may still target a peer that just left (the server drops it, as Godot does)
  const unexpected = [...logged.keys()].filter((k) => k.startsWith('error') && !k.includes('Packet for an unknown peer dropped'));
  assert.deepEqual(unexpected, [], 'no other error was logged');
  for (const c of clients) if (!c.gone) c.node.peer.closeConnection();
  server.peer.closeConnection();
});
