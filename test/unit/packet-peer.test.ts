/** PacketPeer's own logic: packet errors, the Variant layer, encode_buffer_max_size. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error as GodotErr } from '../../src/core/error.js';
import { DEFAULT_ENCODE_BUFFER_MAX_SIZE, nextPowerOf2, PacketPeer } from '../../src/core/io/packet-peer.js';
import { GodotObject } from '../../src/core/variant/object.js';
import { Vector3 } from '../../src/core/variant/vectors.js';
import type { PacketPeerOptions } from '../../src/core/io/packet-peer.js';

/** A PacketPeer whose "wire" is an array: what is put can be read back. */
class LoopPeer extends PacketPeer {
  readonly sent: Uint8Array[] = [];
  constructor(options?: PacketPeerOptions) { super(options); }
  protected _getAvailablePacketCount(): number { return this.sent.length; }
  protected _getPacket(): { error: GodotErr; packet?: Uint8Array } {
    const packet = this.sent.shift();
    return packet ? { error: GodotErr.OK, packet } : { error: GodotErr.ERR_UNAVAILABLE };
  }
  protected _putPacket(buffer: Uint8Array): GodotErr { this.sent.push(Uint8Array.from(buffer)); return GodotErr.OK; }
  protected _getMaxPacketSize(): number { return 1 << 16; }
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('getPacket on an empty queue gives an empty array and ERR_UNAVAILABLE', () => {
  const p = new LoopPeer();
  assert.equal(p.getPacket().length, 0);
  assert.equal(p.getPacketError(), GodotErr.ERR_UNAVAILABLE);
  p.putPacket(new Uint8Array([1, 2]));
  assert.deepEqual([...p.getPacket()], [1, 2]);
  assert.equal(p.getPacketError(), GodotErr.OK);
});

test('putVar writes exactly one Variant per packet in the peer\'s profile', () => {
  const v4 = new LoopPeer();
  const v3 = new LoopPeer({ godot: 3 });
  v4.putVar(new Vector3(0, 0, 1));
  v3.putVar(new Vector3(0, 0, 1));
  assert.equal(hex(v4.sent[0]!), '09000000' + '00000000' + '00000000' + '0000803f'); // VECTOR3 = 9 in 4.x
  assert.equal(hex(v3.sent[0]!), '07000000' + '00000000' + '00000000' + '0000803f'); // VECTOR3 = 7 in 3.x
  assert.ok(v3.getVar() instanceof Vector3);
});

test('getVar of undecodable bytes returns null and keeps the Error in getPacketError', () => {
  const p = new LoopPeer();
  p.putPacket(new Uint8Array([0x04, 0, 0, 0, 0xff, 0xff, 0xff, 0xff])); // String claiming 4 GiB
  assert.equal(p.getVar(), null);
  assert.equal(p.getPacketError(), GodotErr.ERR_FILE_EOF);
  p.putVar('still works');
  assert.equal(p.getVar(), 'still works');
  assert.equal(p.getPacketError(), GodotErr.OK);
  assert.equal(p.getVar(), null);
  assert.equal(p.getPacketError(), GodotErr.ERR_UNAVAILABLE);
});

test('full objects need fullObjects to send and allowObjects to receive', () => {
  const p = new LoopPeer();
  const obj = new GodotObject('RefCounted', new Map([['name', 'x']]), 42n);
  p.putVar(obj);                                   // id form
  assert.equal(hex(p.sent[0]!), '18000100' + '2a00000000000000');
  p.sent.length = 0;
  p.putVar(obj, true);                             // full form
  assert.equal(p.getVar(), null);
  assert.equal(p.getPacketError(), GodotErr.ERR_UNAUTHORIZED);
  p.putVar(obj, true);
  const back = p.getVar(true);
  assert.ok(back instanceof GodotObject && back.className === 'RefCounted');
  p.allowObjectDecoding = true;                    // Godot 3.2's deprecated property ORs in
  p.putVar(obj);
  assert.ok(p.getVar() instanceof GodotObject);
});

test('encodeBufferMaxSize: 8 MiB default, Godot\'s bounds, power-of-two rounding', () => {
  const p = new LoopPeer();
  assert.equal(p.getEncodeBufferMaxSize(), DEFAULT_ENCODE_BUFFER_MAX_SIZE);
  assert.equal(DEFAULT_ENCODE_BUFFER_MAX_SIZE, 8388608);
  assert.equal(p.setEncodeBufferMaxSize(1025), GodotErr.OK);
  assert.equal(p.getEncodeBufferMaxSize(), 2048);
  assert.equal(p.setEncodeBufferMaxSize(1023), GodotErr.ERR_INVALID_PARAMETER);
  assert.equal(p.setEncodeBufferMaxSize(256 * 1024 * 1024 + 1), GodotErr.ERR_INVALID_PARAMETER);
  assert.equal(p.getEncodeBufferMaxSize(), 2048);
  p.encodeBufferMaxSize = 1024;
  assert.equal(p.encodeBufferMaxSize, 1024);
  assert.deepEqual([1, 2, 3, 1024, 1025, 4097].map(nextPowerOf2), [1, 2, 4, 1024, 2048, 8192]);
});

test('putVar larger than encodeBufferMaxSize is ERR_OUT_OF_MEMORY and sends nothing', () => {
  const p = new LoopPeer();
  p.setEncodeBufferMaxSize(1024);
  assert.equal(p.putVar(new Uint8Array(1016)), GodotErr.OK);     // 4 + 4 + 1016 = 1024 bytes
  assert.equal(p.putVar(new Uint8Array(1017)), GodotErr.ERR_OUT_OF_MEMORY);
  assert.equal(p.sent.length, 1);
});

test('putVar of a value the profile cannot carry returns the codec Error', () => {
  const p = new LoopPeer({ godot: 3 });
  assert.equal(p.putVar(new BigInt64Array(1)), GodotErr.ERR_INVALID_PARAMETER);
  assert.equal(p.sent.length, 0);
});
