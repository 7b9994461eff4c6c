/**
 * The ENet compressors of src/modules/enet/compression on the wire with real Godot 3.2.3:
 * a NetworkedMultiplayerENet server (test/godot/compression_enet_server.gd) with
 * compression_mode RANGE_CODER / FASTLZ / ZLIB / ZSTD echoes packets back to a gdwire ENet
 * Host using createENetCompressor() of the same mode, over loopback UDP. Checked: every
 * echo arrives intact, datagrams were compressed in both directions (so both sides decoded
 * the other's compression), and gdwire refused no datagram as malformed. Incompressible
 * payloads are in the mix, so datagrams sent uncompressed (flag clear) interleave with
 * compressed ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { Error } from '../../src/core/error.js';
import { Host } from '../../src/enet/host.js';
import type { Compressor } from '../../src/enet/range-coder.js';
import { SeededRandom } from '../../src/enet/testing/sim-network.js';
import { EventType, PacketFlag, type HostEvent } from '../../src/enet/types.js';
import { CompressionMode, createENetCompressor } from '../../src/modules/enet/compression/index.js';
import { freeUdpPort, GodotPeer, requireGodot3 } from '../helpers/godot.js';
import { Rng } from '../helpers/rng.js';

const CLIENT_ID = 777777;

/** Counts the datagrams that really were compressed / decompressed. */
class CountingCompressor implements Compressor {
  compressed = 0;
  decompressed = 0;
  constructor(private readonly inner: Compressor) {}
  compress(input: Uint8Array, output: Uint8Array): number {
    const n = this.inner.compress(input, output);
    if (n > 0 && n < input.length) this.compressed++;
    return n;
  }
  decompress(input: Uint8Array, output: Uint8Array): number {
    const n = this.inner.decompress(input, output);
    if (n > 0) this.decompressed++;
    return n;
  }
}

/** A gdwire ENet host on a loopback UDP socket, serviced every millisecond. */
class UdpHost {
  readonly host: Host;
  readonly events: HostEvent[] = [];
  private readonly socket: Socket = createSocket('udp4');
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(compressor: Compressor) {
    this.host = new Host({
      peerCount: 1,
      compressor,
      random: new SeededRandom(5),
      send: (data, to) => this.socket.send(data, to.port, to.address),
    });
    this.socket.on('message', (msg, rinfo) => {
      this.host.receive(new Uint8Array(msg.buffer, msg.byteOffset, msg.length), { address: rinfo.address, port: rinfo.port });
      this.pump();
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.socket.bind(0, '127.0.0.1', r));
    this.timer = setInterval(() => this.pump(), 1);
  }

  pump(): void {
    const now = Math.floor(performance.now()) >>> 0;
    for (let e = this.host.service(now); e; e = this.host.service(now)) this.events.push(e);
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

/** Godot 3's per-packet header: u32 LE source id, u32 LE target id. */
function withHeader(source: number, target: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, source, true);
  v.setUint32(4, target, true);
  out.set(payload, 8);
  return out;
}

/** Payloads: compressible text-like ones and incompressible random ones, 1 B .. 20 KB. */
function payloads(rng: Rng): Uint8Array[] {
  const out: Uint8Array[] = [];
  const text = Buffer.from('position=(12.5, 4.25) velocity=(0, -9.8) name="Player" hp=100; ');
  for (const n of [1, 7, 15, 16, 40, 200, 1000, 1300, 3000, 20000]) {
    out.push(Uint8Array.from({ length: n }, (_, i) => text[(i * 7 + n) % text.length]!));
    out.push(Uint8Array.from({ length: n }, () => rng.u32() & 255));
  }
  return out;
}

const MODES = [
  CompressionMode.COMPRESS_RANGE_CODER,
  CompressionMode.COMPRESS_FASTLZ,
  CompressionMode.COMPRESS_ZLIB,
  CompressionMode.COMPRESS_ZSTD,
];

for (const mode of MODES) {
  test(`gdwire ENet client <-> Godot 3.2.3 NetworkedMultiplayerENet server, ${CompressionMode[mode]}`,
    { timeout: 60_000 }, async (t) => {
      const bin = requireGodot3(t);
      if (!bin) return;
      const port = await freeUdpPort();
      const godot = GodotPeer.start({ bin, script: 'compression_enet_server.gd', args: { port, mode, timeout: 30 }, timeoutMs: 40_000 });
      const inner = createENetCompressor(mode);
      assert.ok(inner);
      const counting = new CountingCompressor(inner);
      const client = new UdpHost(counting);
      try {
        await godot.waitForLine(new RegExp(`^GDWIRE_LISTENING ${port} MODE ${mode}$`));
        await client.start();
        const peer = client.host.connect({ address: '127.0.0.1', port }, 3, CLIENT_ID);
        assert.ok(peer);
        await client.waitFor(() => client.events.some((e) => e.type === EventType.CONNECT), 5000, 'CONNECT');
        await godot.waitForLine(new RegExp(`^PEER_CONNECTED ${CLIENT_ID}$`));

        const sent = payloads(new Rng(mode));
        for (const p of sent) assert.equal(peer.send(1, withHeader(CLIENT_ID, 1, p), PacketFlag.RELIABLE), Error.OK);
        const echoes = (): Uint8Array[] => client.events.flatMap((e) => (e.type === EventType.RECEIVE ? [e.packet.data] : []));
        await client.waitFor(() => echoes().length === sent.length, 20_000, `${sent.length} echoes (have ${echoes().length})`);
        for (const [i, got] of echoes().entries()) {
          assert.deepEqual(got, withHeader(1, CLIENT_ID, sent[i]!), `echo #${i} (${sent[i]!.length} bytes)`);
        }
        assert.equal(peer.send(1, withHeader(CLIENT_ID, 1, Buffer.from('GDWIRE_DONE')), PacketFlag.RELIABLE), Error.OK);
        const r = await godot.finish();
        assert.ok(r.ok, `Godot did not finish cleanly\n${godot.describe()}`);
        assert.match(r.stdout, new RegExp(`^ECHOED ${sent.length}$`, 'm'));
        t.diagnostic(`datagrams compressed by gdwire: ${counting.compressed}, Godot's decompressed by gdwire: ${counting.decompressed}`);
        assert.ok(counting.compressed > 0, 'gdwire sent compressed datagrams');
        assert.ok(counting.decompressed > 0, 'Godot sent compressed datagrams that gdwire decoded');
        assert.equal(client.host.malformedDatagrams, 0, 'gdwire refused none of Godot\'s datagrams');
      } finally {
        client.close();
        await godot.dispose();
      }
    });
}
