/**
 * gdwire's ENet engine against the C library ENet 1.3.17 over real loopback UDP.
 * test/c/enet-peer.c is compiled at test time (gcc -lenet) and run as an echo server or as a
 * client; the gdwire side is a Host driven by a node:dgram socket (a minimal driver, here in
 * the test). The gdwire clock starts 3 s before the 32-bit wrap, so every session crosses it.
 * Covered: handshake and CONNECT data, reliable ordered delivery with fragmentation (up to
 * 100 KB), unreliable/unsequenced, graceful disconnect both ways with data, CRC32 checksums,
 * the range coder. Skips visibly without gcc/libenet unless GDWIRE_REQUIRE_INTEROP=1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from '../helpers/paths.js';
import { Error } from '../../src/core/error.js';
import { Host, type HostOptions } from '../../src/enet/host.js';
import type { Peer } from '../../src/enet/peer.js';
import { RangeCoder } from '../../src/enet/range-coder.js';
import { SeededRandom } from '../../src/enet/testing/sim-network.js';
import { EventType, PacketFlag, type HostEvent } from '../../src/enet/types.js';

const requireInterop = process.env['GDWIRE_REQUIRE_INTEROP'] === '1';
const SIZES = [1, 100, 1000, 3000, 10000];

function pattern(n: number, len: number): Uint8Array {
  return Uint8Array.from({ length: len }, (_, i) => (n * 31 + i) & 255);
}

let built: { path: string; dir: string } | { reason: string } | undefined;
function peerBinary(): { path: string } | { reason: string } {
  if (built) return built;
  const dir = mkdtempSync(join(tmpdir(), 'gdwire-enet-peer-'));
  const path = join(dir, 'enet-peer');
  const r = spawnSync('gcc', ['-O2', '-o', path, join(repoRoot, 'test', 'c', 'enet-peer.c'), '-lenet'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    built = { reason: `gcc/libenet unavailable: ${r.error?.message ?? r.stderr.trim()}` };
  } else {
    built = { path, dir };
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return built;
}

/** A C peer process with its stdout as lines. */
class CPeer {
  readonly lines: string[] = [];
  private waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;
  constructor(readonly proc: ChildProcess) {
    createInterface({ input: proc.stdout! }).on('line', (l) => {
      this.lines.push(l);
      for (const w of this.waiters.splice(0)) w();
    });
    this.exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  }
  async waitFor(re: RegExp, ms: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      for (const l of this.lines) {
        const m = l.match(re);
        if (m) return m;
      }
      if (Date.now() > deadline) throw new assert.AssertionError({ message: `timeout waiting for ${re}; got ${this.lines.join(' | ')}` });
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 20);
      });
    }
  }
}

/** Minimal driver: a Host on a UDP socket, serviced every millisecond. */
class UdpHost {
  readonly host: Host;
  readonly events: HostEvent[] = [];
  private readonly socket: Socket;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly offset: number;
  onEvent: (e: HostEvent) => void = () => {};
  private readonly lossRandom = new SeededRandom(7);

  /** @param loss fraction of datagrams dropped in each direction (simulated on this side) */
  constructor(options: Omit<HostOptions, 'random' | 'send'>, private readonly loss = 0) {
    this.socket = createSocket('udp4');
    // Start 3 seconds before the 32-bit millisecond clock wraps.
    this.offset = 2 ** 32 - 3000 - Math.floor(performance.now());
    this.host = new Host({
      ...options,
      random: new SeededRandom(99),
      send: (data, to) => {
        if (this.loss > 0 && this.lossRandom.next() < this.loss) return;
        this.socket.send(data, to.port, to.address);
      },
    });
    this.socket.on('message', (msg, rinfo) => {
      if (this.loss > 0 && this.lossRandom.next() < this.loss) return;
      this.host.receive(new Uint8Array(msg.buffer, msg.byteOffset, msg.length), { address: rinfo.address, port: rinfo.port });
      this.pump();
    });
  }

  now(): number {
    return (Math.floor(performance.now()) + this.offset) >>> 0;
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.socket.bind(0, '127.0.0.1', r));
    this.timer = setInterval(() => this.pump(), 1);
  }

  pump(): void {
    for (let e = this.host.service(this.now()); e; e = this.host.service(this.now())) {
      this.events.push(e);
      this.onEvent(e);
    }
  }

  async waitFor(pred: () => boolean, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) assert.fail(`timeout: ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.socket.close();
  }
}

interface Config {
  name: string;
  args: string[];
  options: Omit<HostOptions, 'random' | 'send'>;
  /** Simulated loss on the gdwire side, each direction. */
  loss: number;
  /** Who ends the gdwire-client session: the C server ("bye") or gdwire (disconnect()). */
  closer: 'c' | 'gdwire';
}
const CONFIGS: Config[] = [
  { name: 'plain', args: [], options: {}, loss: 0, closer: 'c' },
  {
    name: 'checksum + range coder',
    args: ['--checksum', '--range-coder'],
    options: { checksum: true, compressor: new RangeCoder() },
    loss: 0,
    closer: 'gdwire',
  },
  { name: '10 % loss each way', args: [], options: {}, loss: 0.1, closer: 'gdwire' },
];

for (const cfg of CONFIGS) {
  test(`gdwire client <-> C ENet echo server (${cfg.name})`, { timeout: 30000 }, async (t) => {
    const bin = peerBinary();
    if ('reason' in bin) {
      if (requireInterop) assert.fail(bin.reason);
      t.skip(bin.reason);
      return;
    }
    const c = new CPeer(spawn(bin.path, ['server', '--seconds', '20', '--exit-on-disconnect', ...cfg.args]));
    const client = new UdpHost({ peerCount: 1, ...cfg.options }, cfg.loss);
    try {
      const port = Number((await c.waitFor(/^READY (\d+)/, 5000))[1]);
      await client.start();
      const peer: Peer | null = client.host.connect({ address: '127.0.0.1', port }, 3, 1234);
      assert.ok(peer);
      await client.waitFor(() => client.events.some((e) => e.type === EventType.CONNECT), 5000, 'CONNECT');
      await c.waitFor(/^CONNECT 1234$/, 2000);

      const total = 60;
      const echoes: Uint8Array[] = [];
      const fragmentedEchoes: Uint8Array[] = [];
      let others = 0;
      client.onEvent = (e) => {
        if (e.type !== EventType.RECEIVE) return;
        if (e.channelID === 1) echoes.push(e.packet.data);
        else if (e.packet.flags === PacketFlag.UNRELIABLE_FRAGMENT) fragmentedEchoes.push(e.packet.data);
        else others++;
      };
      for (let n = 0; n < total; n++) {
        assert.equal(peer.send(1, pattern(n, SIZES[n % 5]!), PacketFlag.RELIABLE), Error.OK);
        if (n % 10 === 0) {
          peer.send(2, pattern(n, 20), PacketFlag.UNSEQUENCED);
          peer.send(2, pattern(n, 20), 0);
          peer.send(2, pattern(n, 5000), PacketFlag.UNRELIABLE_FRAGMENT);
        }
      }
      assert.equal(peer.send(1, pattern(total, 100_000), PacketFlag.RELIABLE), Error.OK);
      await client.waitFor(() => echoes.length === total + 1, 15000, `${total + 1} echoes (have ${echoes.length})`);
      echoes.slice(0, total).forEach((d, n) => assert.deepEqual(d, pattern(n, SIZES[n % 5]!), `echo #${n}`));
      assert.deepEqual(echoes[total], pattern(total, 100_000));
      if (cfg.loss === 0) {
        assert.ok(others > 0, 'unreliable/unsequenced echoes came back');
        assert.ok(fragmentedEchoes.length > 0, 'unreliable fragmented echoes came back');
      }
      const sentFragmented = [0, 10, 20, 30, 40, 50].map((n) => Buffer.from(pattern(n, 5000)));
      for (const f of fragmentedEchoes) {
        assert.ok(
          sentFragmented.some((p) => p.equals(f)),
          'unreliable fragments: only whole, intact packets are delivered',
        );
      }
      if (cfg.loss > 0) assert.ok(peer.packetsLost > 0 || peer.packetLoss > 0, 'losses were repaired');

      if (cfg.closer === 'c') {
        peer.send(1, new TextEncoder().encode('bye'), PacketFlag.RELIABLE);
      } else {
        peer.disconnect(5);
        await c.waitFor(/^DISCONNECT 5$/, 5000);
      }
      await client.waitFor(() => client.events.some((e) => e.type === EventType.DISCONNECT), 10000, 'DISCONNECT');
      const d = client.events.find((e) => e.type === EventType.DISCONNECT);
      assert.ok(d && d.type === EventType.DISCONNECT);
      assert.equal(d.data, cfg.closer === 'c' ? 7 : 0);
      // Under loss, C may forget the peer before its acknowledgement of our DISCONNECT gets
      // through; we then end by timeout, exactly as a C client would.
      if (cfg.loss === 0) assert.equal(d.timedOut, false);
      assert.equal(client.host.malformedDatagrams, 0);
    } finally {
      client.close();
      c.proc.kill();
      await c.exited;
    }
  });

  test(`C ENet client <-> gdwire echo server (${cfg.name})`, { timeout: 30000 }, async (t) => {
    const bin = peerBinary();
    if ('reason' in bin) {
      if (requireInterop) assert.fail(bin.reason);
      t.skip(bin.reason);
      return;
    }
    const server = new UdpHost({ peerCount: 4, ...cfg.options }, cfg.loss);
    await server.start();
    server.onEvent = (e) => {
      if (e.type === EventType.RECEIVE) e.peer.send(e.channelID, e.packet.data, e.packet.flags);
    };
    const port = (server as unknown as { socket: Socket }).socket.address().port;
    const c = new CPeer(spawn(bin.path, ['client', String(port), '--count', '150', '--seconds', '20', ...cfg.args]));
    try {
      const code = await c.exited;
      const done = c.lines.find((l) => l.startsWith('DONE'));
      assert.equal(done?.split(' ')[1], '150', `C client output: ${c.lines.join(' | ')}`);
      assert.equal(code, 0);
      assert.ok(!c.lines.some((l) => l.startsWith('BAD')));
      await server.waitFor(() => server.events.some((e) => e.type === EventType.DISCONNECT), 3000, 'DISCONNECT');
      const connect = server.events.find((e) => e.type === EventType.CONNECT);
      assert.ok(connect && connect.type === EventType.CONNECT && connect.data === 1234);
      const d = server.events.find((e) => e.type === EventType.DISCONNECT);
      assert.ok(d && d.type === EventType.DISCONNECT && d.data === 42);
      assert.equal(server.host.malformedDatagrams, 0);
    } finally {
      server.close();
      c.proc.kill();
    }
  });
}
