/**
 * ENetMultiplayerPeer against C ENet 1.3.17 peers that behave, at the ENet level, like Godot 4's
 * ENetMultiplayerPeer (test/c/enet-mp-peer.c, compiled at test time with gcc -lenet), over real
 * loopback UDP: the CONNECT's channel count and id, each transfer mode and transfer channel in
 * both directions (ENet channel and flags checked by the C side, channel and mode by gdwire),
 * unreliable packets above the MTU, ids < 2 and id collisions reset, graceful disconnects both
 * ways. The gdwire clock starts 3 s before the 32-bit wrap. Every C process is killed by pid.
 * Skips visibly without gcc/libenet unless GDWIRE_REQUIRE_INTEROP=1.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cPeerOrSkip, wrapPlatform } from '../helpers/c-enet.js';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Error } from '../../src/core/error.js';
import { ENetMultiplayerPeer } from '../../src/modules/enet/enet-multiplayer-peer.js';
import { ConnectionStatus, TransferMode } from '../../src/multiplayer/multiplayer-peer.js';

const MODES = [TransferMode.TRANSFER_MODE_UNRELIABLE, TransferMode.TRANSFER_MODE_UNRELIABLE_ORDERED, TransferMode.TRANSFER_MODE_RELIABLE];
// ENet packet flags as C ENet reports them on arrival.
const ARRIVAL_FLAGS: Record<TransferMode, number> = { 0: 2, 1: 0, 2: 1 };
/** Godot 4's ENet channel for a mode and transfer channel (reference §6.1). */
const enetChannel = (mode: TransferMode, tc: number): number => (tc > 0 ? tc + 1 : mode === TransferMode.TRANSFER_MODE_RELIABLE ? 0 : 1);

const binaryOrSkip = (t: TestContext): string | null => cPeerOrSkip(t, 'enet-mp-peer');

/** A C peer process: stdout as lines; killed by pid at the end of the test. */
class CPeer {
  readonly lines: string[] = [];
  readonly proc: ChildProcess;
  constructor(bin: string, args: string[]) {
    this.proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    createInterface({ input: this.proc.stdout! }).on('line', (l) => this.lines.push(l));
  }
  find(re: RegExp): RegExpMatchArray | null {
    for (const l of this.lines) {
      const m = l.match(re);
      if (m) return m;
    }
    return null;
  }
  all(re: RegExp): RegExpMatchArray[] {
    return this.lines.map((l) => l.match(re)).filter((m): m is RegExpMatchArray => m !== null);
  }
  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null && this.proc.pid !== undefined) process.kill(this.proc.pid, 'SIGKILL');
  }
}

/** Polls `peers` every 2 ms (Godot's per-frame poll) until `pred` holds; fails after `ms`. */
async function pollUntil(peers: ENetMultiplayerPeer[], pred: () => boolean, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    for (const p of peers) if (p.getConnectionStatus() !== ConnectionStatus.CONNECTION_DISCONNECTED) p.poll();
    if (pred()) return;
    if (Date.now() > deadline) assert.fail(`timeout: ${what()}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

type Got = { from: number; channel: number; mode: TransferMode; data: Uint8Array };
function drainInto(peer: ENetMultiplayerPeer, out: Got[]): void {
  while (peer.getAvailablePacketCount() > 0) {
    const from = peer.getPacketPeer();
    const channel = peer.getPacketChannel();
    const mode = peer.getPacketMode();
    out.push({ from, channel, mode, data: peer.getPacket() });
  }
}

test('C ENet as Godot 4 clients → gdwire server: ids, channels, modes, collisions, disconnect', async (t) => {
  const bin = binaryOrSkip(t);
  if (!bin) return;
  const procs: CPeer[] = [];
  const server = new ENetMultiplayerPeer({ platform: wrapPlatform() });
  const signals: string[] = [];
  server.on('peer_connected', (id) => signals.push(`+${id}`));
  server.on('peer_disconnected', (id) => signals.push(`-${id}`));
  try {
    server.setBindIp('127.0.0.1');
    assert.equal(await server.createServer(0), Error.OK);
    const port = String(server.getHost()!.getLocalPort());
    const c = new CPeer(bin, ['client', port, '--id', '1234']);
    procs.push(c);
    const got: Got[] = [];
    // The C peer's CONNECTED line comes through a pipe and may trail its datagrams: wait for both.
    await pollUntil([server], () => (drainInto(server, got), got.length === 7 && c.find(/^CONNECTED/) !== null), 10_000, () => `${signals} ${c.lines.join(' | ')}`);
    assert.deepEqual(signals, ['+1234']);
    assert.ok(c.find(/^CONNECTED 255$/), 'the server grants the 255 channels a default Godot client asks for');
    assert.equal(server.getPeer(1234)?.getChannels(), 255);
    for (const mode of MODES) {
      for (const tc of [0, 3]) {
        const p = got.find((g) => g.data[0] === 0x10 + mode * 4 + tc);
        assert.ok(p, `packet mode ${mode} channel ${tc}`);
        assert.deepEqual([p.from, p.channel, p.mode, p.data.length], [1234, tc, mode, 3], `mode ${mode} tc ${tc}`);
      }
    }
    const big = got.find((g) => g.data[0] === 0x30);
    assert.deepEqual([big?.channel, big?.mode, big?.data.length], [0, TransferMode.TRANSFER_MODE_UNRELIABLE_ORDERED, 3000],
      'an unreliable packet above the MTU arrives as sequenced unreliable fragments (as in Godot)');

    server.setTargetPeer(1234);
    for (const mode of MODES) {
      for (const tc of [0, 3]) {
        server.setTransferMode(mode);
        server.setTransferChannel(tc);
        assert.equal(server.putPacket(Uint8Array.of(0x50 + mode * 4 + tc, mode, tc)), Error.OK);
      }
    }
    server.setTransferChannel(0);
    server.setTransferMode(TransferMode.TRANSFER_MODE_UNRELIABLE);
    assert.equal(server.putPacket(new Uint8Array(3000).fill(0x70)), Error.OK);
    await pollUntil([server], () => c.all(/^RECEIVE /).length === 7, 10_000, () => c.lines.join(' | '));
    for (const mode of MODES) {
      for (const tc of [0, 3]) {
        const m = c.find(new RegExp(`^RECEIVE (\\d+) (\\d+) 3 ${0x50 + mode * 4 + tc} `));
        assert.ok(m, `C got mode ${mode} tc ${tc}`);
        assert.deepEqual([Number(m[1]), Number(m[2])], [enetChannel(mode, tc), ARRIVAL_FLAGS[mode]], `ENet channel/flags of mode ${mode} tc ${tc}`);
      }
    }
    assert.ok(c.find(/^RECEIVE 1 8 3000 112 /), 'above the MTU: UNRELIABLE_FRAGMENT on channel 1');

    for (const id of ['1234', '1', '0']) procs.push(new CPeer(bin, ['client', port, '--id', id, '--short-timeout', '--seconds', '8']));
    const refused = procs.slice(1);
    await pollUntil([server], () => refused.every((p) => p.find(/^DISCONNECT/)), 12_000, () => refused.map((p) => p.lines.join(' | ')).join(' || '));
    for (const p of refused) assert.ok(p.find(/^CONNECTED/), 'ENet completed the handshake, then the server reset it');
    assert.deepEqual(signals, ['+1234'], 'id collision, id 1 and id 0 were not admitted');

    server.disconnectPeer(1234);
    await pollUntil([server], () => signals.includes('-1234') && c.find(/^DISCONNECT/) !== null, 5000, () => c.lines.join(' | '));
    assert.ok(c.find(/^DISCONNECT 0$/), 'graceful, data 0');
  } finally {
    server.close();
    for (const p of procs) p.kill();
  }
});

test('gdwire client → C ENet as a Godot 4 server: CONNECT id and channels, modes both ways, server disconnect', async (t) => {
  const bin = binaryOrSkip(t);
  if (!bin) return;
  const procs: CPeer[] = [];
  const client = new ENetMultiplayerPeer({ platform: wrapPlatform() });
  const signals: string[] = [];
  client.on('peer_connected', (id) => signals.push(`+${id}`));
  client.on('peer_disconnected', (id) => signals.push(`-${id}`));
  try {
    const s = new CPeer(bin, ['server', '--max-channels', '3']);
    procs.push(s);
    await pollUntil([], () => s.find(/^READY \d+/) !== null, 5000, () => s.lines.join(' | '));
    const port = Number(s.find(/^READY (\d+)/)![1]);
    assert.equal(await client.createClient('127.0.0.1', port, 3), Error.OK);
    await pollUntil([client], () => signals.length === 1 && s.find(/^CONNECT /) !== null, 5000, () => s.lines.join(' | '));
    assert.deepEqual(signals, ['+1']);
    const m = s.find(/^CONNECT (\d+) (\d+)$/);
    assert.deepEqual([Number(m?.[1]), Number(m?.[2])], [client.getUniqueId(), 5], 'data = the client id; 3 + 2 channels');

    client.setTargetPeer(1);
    for (const mode of MODES) {
      for (const tc of [0, 2]) {
        client.setTransferMode(mode);
        client.setTransferChannel(tc);
        assert.equal(client.putPacket(Uint8Array.of(0x20 + mode * 4 + tc, mode, tc)), Error.OK);
      }
    }
    const got: Got[] = [];
    // The echoes can come back before the C server's RECEIVE lines reach us through its stdout pipe.
    const received = (): number => s.lines.filter((l) => l.startsWith('RECEIVE ')).length;
    await pollUntil([client], () => (drainInto(client, got), got.length === 6 && received() >= 6), 5000, () => s.lines.join(' | '));
    for (const mode of MODES) {
      for (const tc of [0, 2]) {
        const line = s.find(new RegExp(`^RECEIVE (\\d+) (\\d+) 3 ${0x20 + mode * 4 + tc} `));
        assert.ok(line, `C server got mode ${mode} tc ${tc}`);
        assert.deepEqual([Number(line[1]), Number(line[2])], [enetChannel(mode, tc), ARRIVAL_FLAGS[mode]]);
        const echo = got.find((g) => g.data[0] === 0x20 + mode * 4 + tc);
        assert.deepEqual([echo?.from, echo?.channel, echo?.mode], [1, tc, mode], 'the echo reads back as sent, from peer 1');
      }
    }

    client.setTransferMode(TransferMode.TRANSFER_MODE_RELIABLE);
    client.setTransferChannel(0);
    assert.equal(client.putPacket(new TextEncoder().encode('bye')), Error.OK);
    await pollUntil([client], () => client.getConnectionStatus() === ConnectionStatus.CONNECTION_DISCONNECTED, 5000, () => s.lines.join(' | '));
    assert.deepEqual(signals, ['+1', '-1']);

    const d = new CPeer(bin, ['server']);
    procs.push(d);
    await pollUntil([], () => d.find(/^READY \d+/) !== null, 5000, () => d.lines.join(' | '));
    assert.equal(await client.createClient('127.0.0.1', Number(d.find(/^READY (\d+)/)![1])), Error.OK);
    await pollUntil([client], () => d.find(/^CONNECT /) !== null && signals.length === 3, 5000, () => d.lines.join(' | '));
    assert.deepEqual(d.find(/^CONNECT (\d+) (\d+)$/)?.slice(1).map(Number), [client.getUniqueId(), 255], 'channel_count 0 asks for 255');
    client.close();
    await pollUntil([], () => d.find(/^DISCONNECT 0$/) !== null, 5000, () => d.lines.join(' | '));
  } finally {
    client.close();
    for (const p of procs) p.kill();
  }
});
