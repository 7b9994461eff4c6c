/**
 * src/modules/enet/compression/enet-compressor.ts: Godot's CompressionMode numbers, the
 * factory, the Compressor contract ENet relies on (0 = send uncompressed / drop), and
 * whole ENet sessions between two gdwire hosts in simulation for every mode.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { RangeCoder, type Compressor } from '../../src/enet/range-coder.js';
import { SimNetwork } from '../../src/enet/testing/sim-network.js';
import { EventType, PacketFlag, PeerState } from '../../src/enet/types.js';
import {
  CompressionMode,
  createENetCompressor,
  GodotENetCompressor,
  NetworkedMultiplayerENetCompressionMode,
} from '../../src/modules/enet/compression/enet-compressor.js';
import { Rng } from '../helpers/rng.js';

const GODOT_MODES = [CompressionMode.COMPRESS_FASTLZ, CompressionMode.COMPRESS_ZLIB, CompressionMode.COMPRESS_ZSTD];
const text = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => 97 + ((i * 5) % 11));

test('CompressionMode numbers: ENetConnection (4.x) and NetworkedMultiplayerENet (3.x) agree', () => {
  const names = ['COMPRESS_NONE', 'COMPRESS_RANGE_CODER', 'COMPRESS_FASTLZ', 'COMPRESS_ZLIB', 'COMPRESS_ZSTD'];
  names.forEach((name, i) => {
    assert.equal(CompressionMode[name as keyof typeof CompressionMode], i, name);
    assert.equal(NetworkedMultiplayerENetCompressionMode[name as keyof typeof NetworkedMultiplayerENetCompressionMode], i, name);
  });
});

test('createENetCompressor: NONE = none, RANGE_CODER = ENet\'s, the others Godot\'s; bad numbers throw', () => {
  assert.equal(createENetCompressor(CompressionMode.COMPRESS_NONE), null);
  assert.ok(createENetCompressor(CompressionMode.COMPRESS_RANGE_CODER) instanceof RangeCoder);
  for (const mode of GODOT_MODES) {
    const comp = createENetCompressor(mode);
    assert.ok(comp instanceof GodotENetCompressor);
    assert.equal(comp.mode, mode);
  }
  assert.ok(createENetCompressor(NetworkedMultiplayerENetCompressionMode.COMPRESS_ZLIB) instanceof GodotENetCompressor);
  assert.throws(() => createENetCompressor(5 as CompressionMode), RangeError);
  assert.throws(() => createENetCompressor(-1 as CompressionMode), RangeError);
  assert.throws(() => new GodotENetCompressor(CompressionMode.COMPRESS_RANGE_CODER), RangeError);
});

test('compress: smaller results only; 0 for incompressible data, tiny bodies and small outputs', () => {
  const rng = new Rng(4);
  for (const mode of GODOT_MODES) {
    const comp = new GodotENetCompressor(mode);
    const body = text(1000);
    const out = new Uint8Array(body.length);
    const n = comp.compress(body, out);
    assert.ok(n > 0 && n < body.length, `${CompressionMode[mode]} compresses text (${n})`);
    assert.equal(comp.compress(rng.bytes(1000), new Uint8Array(1000)), 0, `${CompressionMode[mode]}: random data is sent raw`);
    assert.equal(comp.compress(text(8), new Uint8Array(8)), 0, `${CompressionMode[mode]}: 8 bytes never shrink`);
    assert.equal(comp.compress(body, new Uint8Array(n - 1)), 0, `${CompressionMode[mode]}: result must fit the out limit`);
    assert.equal(comp.compress(body, new Uint8Array(n)), n, 'an exact fit is fine');
    // decompress with ENet's limit (the datagram buffer) returns the body
    const back = new Uint8Array(4096);
    assert.equal(comp.decompress(out.subarray(0, n), back), body.length);
    assert.deepEqual(back.subarray(0, body.length), body);
  }
});

test('FASTLZ datagrams below 16 bytes would decompress to 16 (the zero padding follows the commands)', () => {
  // ENet never sends these compressed (never smaller); a Godot peer's decoder output shows why
  // a receiver must tolerate trailing zeros: Compression pads to 16 before compressing.
  const comp = new GodotENetCompressor(CompressionMode.COMPRESS_FASTLZ);
  const body = Uint8Array.of(0x01, 0xff, 0x00, 0x01, 0x00, 0x01, 0xad, 0x1c, 0x85, 0xff, 0x00, 0x02);
  assert.equal(comp.compress(body, new Uint8Array(64)), 0, 'padded to 16 and framed: not smaller');
  const godotBlock = Uint8Array.from(Buffer.from('0f01ff00010001ad1c85ff000200000000', 'hex')); // Godot 3.2.3's output
  const out = new Uint8Array(4096);
  assert.equal(comp.decompress(godotBlock, out), 16);
  assert.deepEqual(out.subarray(0, 16), Uint8Array.from([...body, 0, 0, 0, 0]));
});

test('decompress: garbage and oversized data return 0 (ENet drops the datagram), then it works again', () => {
  const rng = new Rng(8);
  for (const mode of GODOT_MODES) {
    const comp = new GodotENetCompressor(mode);
    const body = text(3000);
    const packed = new Uint8Array(3000);
    const n = comp.compress(body, packed);
    assert.ok(n > 0);
    assert.equal(comp.decompress(packed.subarray(0, n), new Uint8Array(2999)), 0, 'bigger than the limit');
    assert.equal(comp.decompress(new Uint8Array(0), new Uint8Array(100)), 0, 'empty');
    for (let i = 0; i < 20; i++) {
      const r = comp.decompress(rng.bytes(rng.int(1, 50)), new Uint8Array(100));
      assert.ok(r >= 0 && r <= 100);
    }
    const out = new Uint8Array(4096);
    assert.equal(comp.decompress(packed.subarray(0, n), out), 3000);
    assert.deepEqual(out.subarray(0, 3000), body);
  }
});

/**
 * Counts datagrams that went out compressed, and those that came in compressed (ENet calls
 * decompress only for datagrams with the COMPRESSED header flag).
 */
class Counting implements Compressor {
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

for (const mode of [CompressionMode.COMPRESS_RANGE_CODER, ...GODOT_MODES]) {
  test(`ENet session in simulation with ${CompressionMode[mode]} on both hosts`, () => {
    const net = new SimNetwork({ seed: mode, conditions: { latency: 5, loss: 0.05 } });
    const serverComp = new Counting(createENetCompressor(mode)!);
    const clientComp = new Counting(createENetCompressor(mode)!);
    const server = net.addHost('server', { peerCount: 2, compressor: serverComp });
    const client = net.addHost('client', { peerCount: 1, compressor: clientComp });
    const peer = client.host.connect(server.address, 3, 42)!;
    assert.ok(net.runUntil(() => peer.state === PeerState.CONNECTED, 5000));
    const rng = new Rng(mode);
    const sent: Uint8Array[] = [];
    for (let i = 0; i < 40; i++) {
      const p = i % 3 === 0 ? rng.bytes(rng.int(1, 2000)) : text(rng.int(1, 5000));
      sent.push(p);
      assert.equal(peer.send(1, p, PacketFlag.RELIABLE), Error.OK);
    }
    const received = (): Uint8Array[] => server.events.flatMap((e) => (e.type === EventType.RECEIVE ? [e.packet.data] : []));
    assert.ok(net.runUntil(() => received().length === sent.length, 20_000), `got ${received().length}/${sent.length}`);
    received().forEach((d, i) => assert.deepEqual(d, sent[i], `packet #${i}`));
    assert.ok(clientComp.compressed > 0, 'the client compressed datagrams');
    assert.ok(serverComp.decompressed > 0, 'the server received flagged datagrams and decoded them');
    assert.ok(serverComp.decompressed <= clientComp.compressed, 'only flagged datagrams reach decompress');
    assert.equal(server.host.malformedDatagrams, 0);
    assert.equal(client.host.malformedDatagrams, 0);
  });
}
