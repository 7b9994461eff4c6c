/**
 * The relay's room contract without a network: the auth payloads (`room:<name>` →
 * `ok:<name>` / `error:<reason>`, byte for byte), room-name rules, and the room directory's
 * limits (room size, room count, moves, closing when empty), plus the relay options' checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  encodeRoomAccepted, encodeRoomRefused, encodeRoomRequest, isValidRoomName, MAX_ROOM_NAME, parseRoomAnswer,
  parseRoomRequest,
} from '../../src/server/relay/room-auth.js';
import { RoomDirectory } from '../../src/server/relay/room-directory.js';
import { resolveRelayOptions } from '../../src/server/relay/relay-options.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('room request and answers: exact bytes', () => {
  assert.equal(hex(encodeRoomRequest('lobby')), '726f6f6d3a6c6f626279'); // "room:lobby"
  assert.equal(hex(encodeRoomAccepted('lobby')), '6f6b3a6c6f626279'); // "ok:lobby"
  assert.equal(hex(encodeRoomRefused('room-full')), '6572726f723a726f6f6d2d66756c6c'); // "error:room-full"
  assert.deepEqual(parseRoomRequest(encodeRoomRequest('lobby')), { ok: true, room: 'lobby' });
  assert.deepEqual(parseRoomAnswer(encodeRoomAccepted('a.b-c_1')), { ok: true, room: 'a.b-c_1' });
  assert.deepEqual(parseRoomAnswer(encodeRoomRefused('bad-room-name')), { ok: false, reason: 'bad-room-name' });
  assert.equal(parseRoomAnswer(Uint8Array.of(0xff, 0xfe)), null);
  assert.equal(parseRoomAnswer(encodeRoomRequest('x')), null);
});

test('room names: 1–32 of A–Z a–z 0–9 _ - . ; everything else refused with a reason', () => {
  for (const ok of ['a', 'Lobby_1', 'eu-west.2', 'x'.repeat(MAX_ROOM_NAME)]) assert.ok(isValidRoomName(ok), ok);
  for (const bad of ['', 'x'.repeat(MAX_ROOM_NAME + 1), 'a b', 'a/b', 'a:b', 'ü', 'a\0', 'room\n']) {
    assert.ok(!isValidRoomName(bad), JSON.stringify(bad));
    assert.deepEqual(parseRoomRequest(encodeRoomRequest(bad)), { ok: false, reason: 'bad-room-name' }, JSON.stringify(bad));
  }
  const enc = new TextEncoder();
  assert.deepEqual(parseRoomRequest(enc.encode('lobby')), { ok: false, reason: 'bad-room-request' });
  assert.deepEqual(parseRoomRequest(enc.encode('ROOM:lobby')), { ok: false, reason: 'bad-room-request' });
  assert.deepEqual(parseRoomRequest(Uint8Array.of(0x72, 0x6f, 0x6f, 0x6d, 0x3a, 0xc3)), { ok: false, reason: 'bad-room-request' }, 'bad UTF-8');
  assert.deepEqual(parseRoomRequest(new Uint8Array(0)), { ok: false, reason: 'bad-room-request' });
});

test('room directory: size and count limits, moves, rooms close when empty', () => {
  const log: string[] = [];
  const d = new RoomDirectory({ roomSize: 2, maxRooms: 2, onOpen: (r) => log.push(`open ${r}`), onClose: (r) => log.push(`close ${r}`) });
  assert.equal(d.join(10, 'a'), 'ok');
  assert.equal(d.join(11, 'a'), 'ok');
  assert.equal(d.join(12, 'a'), 'room-full');
  assert.equal(d.join(12, 'b'), 'ok');
  assert.equal(d.join(13, 'c'), 'rooms-full');
  assert.equal(d.roomOf(13), undefined, 'a refused join changes nothing');
  assert.equal(d.join(12, 'b'), 'ok', 'joining the room one is in');
  // Moving the only member of b to a new room frees b first, so the room count holds.
  assert.equal(d.join(12, 'c'), 'ok');
  assert.deepEqual(d.list(), [{ id: 'a', peers: [10, 11] }, { id: 'c', peers: [12] }]);
  assert.equal(d.join(11, 'c'), 'ok');
  assert.deepEqual(d.members('a'), [10]);
  assert.equal(d.leave(10), 'a');
  assert.equal(d.leave(10), undefined);
  assert.deepEqual(log, ['open a', 'open b', 'close b', 'open c', 'close a']);
  assert.equal(d.size, 1);
  assert.throws(() => new RoomDirectory({ roomSize: 0, maxRooms: 1 }), RangeError);
});

test('relay options: defaults and refused values', () => {
  const o = resolveRelayOptions();
  assert.deepEqual(o, { defaultRoom: 'default', admitWindowMs: 1000, authTimeoutMs: 3000, tickMs: 100, serviceIntervalMs: 4 });
  assert.throws(() => resolveRelayOptions({ defaultRoom: 'no spaces' }), RangeError);
  assert.throws(() => resolveRelayOptions({ serviceIntervalMs: -1 }), RangeError);
  assert.throws(() => resolveRelayOptions({ tickMs: 0 }), RangeError);
  assert.throws(() => resolveRelayOptions({ admitWindowMs: Number.NaN }), RangeError);
});
