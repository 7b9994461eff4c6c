/**
 * ENetMultiplayerPeer on the in-memory network under loss, duplication, reordering and jitter
 * (fake clock near the 32-bit wrap): every transfer mode on the default and on user channels,
 * every target kind, and 4.x's direct delivery — the peer talks only to its own ENet peers
 * (a client's packet goes to the server whatever the target; relaying is SceneMultiplayer's).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { TransferMode } from '../../src/multiplayer/multiplayer-peer.js';
import { createMpSim, drain, pollAll, serverWithClients, type MpNode } from './enet-multiplayer-harness.js';

const { TRANSFER_MODE_RELIABLE: RELIABLE, TRANSFER_MODE_UNRELIABLE_ORDERED: ORDERED, TRANSFER_MODE_UNRELIABLE: UNRELIABLE } = TransferMode;
const LOSSY = { loss: 0.15, duplicate: 0.05, reorder: 0.1, latency: 5, jitter: 4 };

type Got = { from: number; channel: number; mode: TransferMode; data: Uint8Array };
/** Packet tag: [sender tag, mode, channel, seq hi, seq lo, target tag]. */
const tagged = (sender: number, mode: number, channel: number, seq: number, target: number): Uint8Array =>
  Uint8Array.of(sender, mode, channel, seq >> 8, seq & 255, target & 255);
const seqOf = (p: Got): number => (p.data[3]! << 8) | p.data[4]!;

function collect(nodes: MpNode[], got: Map<MpNode, Got[]>): void {
  for (const n of nodes) got.get(n)!.push(...drain(n.peer));
}

/** Checks one (sender → receiver, mode, channel) stream's delivery guarantees. */
function checkStream(list: Got[], mode: TransferMode, channel: number, sent: number, what: string): void {
  const seqs = list.map(seqOf);
  for (const p of list) {
    assert.equal(p.mode, mode, `${what}: getPacketMode`);
    assert.equal(p.channel, channel, `${what}: getPacketChannel`);
  }
  if (mode === RELIABLE) {
    assert.deepEqual(seqs, Array.from({ length: sent }, (_, i) => i), `${what}: reliable = all, once, in order`);
  } else if (mode === ORDERED) {
    assert.ok(seqs.every((v, i) => i === 0 || v > seqs[i - 1]!), `${what}: ordered = increasing, no duplicate`);
    assert.ok(seqs.length > 0 && seqs.length <= sent, `${what}: ${seqs.length}/${sent} arrived`);
  } else {
    assert.equal(new Set(seqs).size, seqs.length, `${what}: unreliable = no duplicate`);
    assert.ok(seqs.length > 0 && seqs.length <= sent, `${what}: ${seqs.length}/${sent} arrived`);
  }
  // (Unreliable packets sharing an ENet channel with lost reliable ones wait for them and are
  // then dropped by ENet, so how many arrive is not a guarantee; no duplicate and the order are.)
}

test('every transfer mode on channels 0 and 2, both directions, under loss and reordering', async () => {
  const sim = createMpSim({ seed: 11, conditions: LOSSY });
  const { server, clients } = await serverWithClients(sim, 2, { maxChannels: 3, channelCount: 3 });
  const all = [server, ...clients];
  const got = new Map<MpNode, Got[]>(all.map((n) => [n, []]));
  const c0 = clients[0]!;
  const id0 = c0.peer.getUniqueId();
  const N = 120;
  for (let n = 0; n < N; n++) {
    for (const mode of [RELIABLE, ORDERED, UNRELIABLE]) {
      for (const channel of [0, 2]) {
        server.peer.setTransferMode(mode);
        server.peer.setTransferChannel(channel);
        server.peer.setTargetPeer(id0);
        assert.equal(server.peer.putPacket(tagged(1, mode, channel, n, id0)), Error.OK);
        c0.peer.setTransferMode(mode);
        c0.peer.setTransferChannel(channel);
        c0.peer.setTargetPeer(1);
        assert.equal(c0.peer.putPacket(tagged(2, mode, channel, n, 1)), Error.OK);
      }
    }
    pollAll(sim.base, all, 3);
    collect(all, got);
  }
  const reliableDone = (n: MpNode): boolean => got.get(n)!.filter((p) => p.mode === RELIABLE).length === 2 * N;
  assert.ok(pollAll(sim.base, all, 60_000, () => (collect(all, got), reliableDone(server) && reliableDone(c0))), 'all reliable packets arrived');
  for (const mode of [RELIABLE, ORDERED, UNRELIABLE]) {
    for (const channel of [0, 2]) {
      const match = (p: Got): boolean => p.data[1] === mode && p.data[2] === channel;
      const atServer = got.get(server)!.filter(match);
      assert.ok(atServer.every((p) => p.from === id0), 'the server attributes packets to the ENet peer\'s id');
      checkStream(atServer, mode, channel, N, `client→server mode ${mode} ch ${channel}`);
      const atClient = got.get(c0)!.filter(match);
      assert.ok(atClient.every((p) => p.from === 1), 'a client attributes everything to peer 1');
      checkStream(atClient, mode, channel, N, `server→client mode ${mode} ch ${channel}`);
    }
  }
  assert.deepEqual(got.get(clients[1]!), [], 'the other client got nothing: no relay at this layer');
});

test('server targets: 0 = all, −n = all but n, n = one; unknown targets are refused', async () => {
  const sim = createMpSim({ seed: 3, conditions: { latency: 4, jitter: 3, duplicate: 0.1, reorder: 0.2 } });
  const { server, clients } = await serverWithClients(sim, 3);
  const all = [server, ...clients];
  const ids = clients.map((c) => c.peer.getUniqueId());
  const sends: Array<[number, number[]]> = [
    [0, [0, 1, 2]],
    [-ids[1]!, [0, 2]],
    [ids[2]!, [2]],
  ];
  for (const mode of [RELIABLE, UNRELIABLE, ORDERED]) {
    server.peer.setTransferMode(mode);
    for (const [k, [target]] of sends.entries()) {
      server.peer.setTargetPeer(target);
      assert.equal(server.peer.putPacket(Uint8Array.of(k, mode)), Error.OK);
    }
  }
  const got = new Map<MpNode, Got[]>(all.map((n) => [n, []]));
  pollAll(sim.base, all, 2000, () => (collect(all, got), false));
  for (const [i, c] of clients.entries()) {
    const want = sends.map(([, to], k) => (to.includes(i) ? k : -1)).filter((k) => k >= 0);
    const reliable = got.get(c)!.filter((p) => p.mode === RELIABLE).map((p) => p.data[0]);
    assert.deepEqual(reliable, want, `client ${i}: reliable packets for its targets, once each`);
    const unseq = got.get(c)!.filter((p) => p.data[1] === UNRELIABLE).map((p) => p.data[0]!);
    assert.deepEqual([...unseq].sort(), want, `client ${i}, unreliable: no loss here, any order, duplicates dropped`);
    const ordered = got.get(c)!.filter((p) => p.data[1] === ORDERED).map((p) => p.data[0]!);
    assert.ok(ordered.every((k, j) => want.includes(k) && (j === 0 || k > ordered[j - 1]!)),
      `client ${i}, ordered: only its targets, increasing (late ones dropped): ${ordered.join()}`);
    assert.ok(got.get(c)!.every((p) => p.from === 1));
  }
  server.peer.setTargetPeer(ids[0]! + 1);
  assert.equal(server.peer.putPacket(Uint8Array.of(1)), Error.ERR_INVALID_PARAMETER);
  for (const t of [1, -1]) {
    server.peer.setTargetPeer(t);
    assert.equal(server.peer.putPacket(Uint8Array.of(1)), Error.ERR_INVALID_PARAMETER, `target ${t}: the server is not its own peer (Godot's check)`);
  }
  server.peer.setTargetPeer(-(ids[0]! + 1));
  assert.equal(server.peer.putPacket(Uint8Array.of(1)), Error.ERR_INVALID_PARAMETER, '−n needs a known n');
});

test('client targets: 0, 1 and −1 all go to the server only; another client id is refused', async () => {
  const sim = createMpSim({ seed: 4, conditions: { latency: 3 } });
  const { server, clients } = await serverWithClients(sim, 2);
  const all = [server, ...clients];
  const c0 = clients[0]!;
  for (const [k, target] of [0, 1, -1].entries()) {
    c0.peer.setTargetPeer(target);
    assert.equal(c0.peer.putPacket(Uint8Array.of(k)), Error.OK, `target ${target}`);
  }
  c0.peer.setTargetPeer(clients[1]!.peer.getUniqueId());
  assert.equal(c0.peer.putPacket(Uint8Array.of(9)), Error.ERR_INVALID_PARAMETER, 'a client only knows peer 1');
  c0.peer.setTargetPeer(-5);
  assert.equal(c0.peer.putPacket(Uint8Array.of(9)), Error.ERR_INVALID_PARAMETER);
  const got = new Map<MpNode, Got[]>(all.map((n) => [n, []]));
  pollAll(sim.base, all, 500, () => (collect(all, got), false));
  assert.deepEqual(got.get(server)!.map((p) => [p.from, p.data[0]]), [0, 1, 2].map((k) => [c0.peer.getUniqueId(), k]));
  assert.deepEqual(got.get(clients[1]!), [], 'target 0 from a client is not forwarded by the peer');
});

test('payloads are carried transparently: SceneMultiplayer bytes, empty and large packets', async () => {
  const sim = createMpSim({ seed: 8, conditions: { loss: 0.1, latency: 5 } });
  const { server, clients } = await serverWithClients(sim, 1);
  const all = [server, ...clients];
  const relay = Uint8Array.of(0x07, 0x03, 0x05, 0, 0, 0, 0x03, 0xaa); // SYS RELAY to peer 5 of a RAW [aa]
  const big = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) & 255);
  const c = clients[0]!.peer;
  c.setTargetPeer(1);
  for (const p of [relay, new Uint8Array(0), big]) assert.equal(c.putPacket(p), Error.OK);
  c.setTransferMode(UNRELIABLE);
  assert.equal(c.putPacket(relay), Error.OK);
  const got: Got[] = [];
  assert.ok(pollAll(sim.base, all, 30_000, () => (got.push(...drain(server.peer)), got.filter((p) => p.mode === RELIABLE).length === 3)));
  const reliable = got.filter((p) => p.mode === RELIABLE).map((p) => p.data);
  assert.deepEqual(reliable, [relay, new Uint8Array(0), big], 'byte for byte, no header added or removed');
  assert.equal(server.peer.getMaxPacketSize(), 1 << 24);
});
