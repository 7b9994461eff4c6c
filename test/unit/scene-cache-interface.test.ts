/**
 * Path cache messages (scene-cache-interface.ts) and the version → format rule
 * (scene-version.ts): SIMPLIFY_PATH (same in every 4.x), CONFIRM_PATH in the 4.0–4.2 path
 * format and the 4.3+ id format — hex fixtures with a comment per field.
 * Layouts: godot-wire.md §6.6.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Error, GodotError } from '../../src/core/error.js';
import {
  decodeConfirmPath, decodeSimplifyPath, encodeConfirmPath, encodeSimplifyPath, SIMPLIFY_PATH_HEADER,
} from '../../src/multiplayer/scene/scene-cache-interface.js';
import type { Decoded, RefusalReason } from '../../src/multiplayer/scene/scene-multiplayer-protocol.js';
import {
  compareSceneVersions, pathCacheFormatOf, variantProfileOf,
} from '../../src/multiplayer/scene/scene-version.js';
import { fromHex, toHex } from '../helpers/hex.js';

function code(f: () => unknown): Error | 'no error' {
  try { f(); } catch (e) {
    if (e instanceof GodotError) return e.code;
    throw e;
  }
  return 'no error';
}
function reason<T>(d: Decoded<T>): RefusalReason | 'ok' { return d.ok ? 'ok' : d.reason; }
function value<T>(d: Decoded<T>): T {
  if (!d.ok) assert.fail(`refused: ${d.reason}`);
  return d.value;
}
const ascii = (s: string): string => toHex(new TextEncoder().encode(s));

/** get_rpc_md5: MD5 of the RPC method names in id order, lowercase hex. */
const md5 = (names: string[]): string => createHash('md5').update(names.join('')).digest('hex');

test('the RPC checksum used by the fixtures', () => {
  assert.equal(md5(['ping']), 'df911f0151f9ef021d410b4be5060972');
  assert.equal(md5(['ping', 'pong']), md5(['pingpong']), 'names are concatenated without separator');
  assert.equal(md5([]), 'd41d8cd98f00b204e9800998ecf8427e', 'a node without RPCs still sends 32 chars');
});

const SUM = md5(['ping']);
const SIMPLIFY_HEX = `01                      # NETWORK_COMMAND_SIMPLIFY_PATH
  ${ascii(SUM)}                 # 32 lowercase hex chars: MD5 of the RPC method names
  00                            # NUL closing the checksum cstring
  01000000                      # u32 LE cache id 1 (ids start at 1 per sender)
  4d61696e 00                   # node path "Main" (relative to root_path) + NUL`;

test('SIMPLIFY_PATH fixture (both formats)', () => {
  const bytes = fromHex(SIMPLIFY_HEX);
  assert.equal(bytes.length, SIMPLIFY_PATH_HEADER + 5);
  assert.equal(toHex(encodeSimplifyPath({ checksum: SUM, cacheId: 1, path: 'Main' })), toHex(bytes));
  assert.deepEqual(value(decodeSimplifyPath(bytes)), { checksum: SUM, cacheId: 1, path: 'Main' });
  // A deep path and a large id.
  const deep = encodeSimplifyPath({ checksum: SUM, cacheId: 0xfffffffe, path: 'World/Players/1234567' });
  assert.deepEqual(value(decodeSimplifyPath(deep)), { checksum: SUM, cacheId: 0xfffffffe, path: 'World/Players/1234567' });
  // Non-ASCII node names are UTF-8.
  const uni = encodeSimplifyPath({ checksum: SUM, cacheId: 2, path: 'Wörld/日本' });
  assert.equal(value(decodeSimplifyPath(uni)).path, 'Wörld/日本');
});

test('SIMPLIFY_PATH decoding: Godot\'s leniencies and limits', () => {
  const bytes = fromHex(SIMPLIFY_HEX);
  assert.equal(reason(decodeSimplifyPath(bytes.subarray(0, 37))), 'too-short', 'process_simplify_path needs ≥ 38 bytes');
  // Exactly 38 bytes: an empty path with no terminator is accepted (parse_utf8 of 0 bytes).
  assert.equal(value(decodeSimplifyPath(bytes.subarray(0, 38))).path, '');
  // A missing NUL after the path is tolerated (parse_utf8 stops at the packet end).
  assert.equal(value(decodeSimplifyPath(bytes.subarray(0, bytes.length - 1))).path, 'Main');
  // Bytes after the path's NUL are ignored.
  assert.equal(value(decodeSimplifyPath(Uint8Array.from([...bytes, 0x41, 0x42]))).path, 'Main');
  const bad = Uint8Array.from(bytes); bad[SIMPLIFY_PATH_HEADER] = 0xff;
  assert.equal(reason(decodeSimplifyPath(bad)), 'bad-utf8');
  assert.equal(reason(decodeSimplifyPath(fromHex('02 01 4d00'))), 'wrong-command');
  assert.equal(reason(decodeSimplifyPath(new Uint8Array(0))), 'empty');
  assert.equal(code(() => encodeSimplifyPath({ checksum: 'abc', cacheId: 1, path: 'Main' })), Error.ERR_INVALID_PARAMETER);
  assert.equal(code(() => encodeSimplifyPath({ checksum: SUM, cacheId: -1, path: 'Main' })), Error.ERR_INVALID_PARAMETER);
  assert.equal(code(() => encodeSimplifyPath({ checksum: SUM, cacheId: 1, path: 'a\0b' })), Error.ERR_INVALID_PARAMETER);
});

test('CONFIRM_PATH, 4.0–4.2 format: [02][ok][cstr path]', () => {
  const bytes = fromHex(`02        # NETWORK_COMMAND_CONFIRM_PATH
                         01        # checksum_ok = true
                         4d61696e 00  # the confirmed node path "Main" + NUL`);
  assert.equal(toHex(encodeConfirmPath({ format: 'path', valid: true, path: 'Main' })), toHex(bytes));
  assert.deepEqual(value(decodeConfirmPath(bytes, 'path')), { format: 'path', valid: true, path: 'Main' });
  assert.equal(toHex(encodeConfirmPath({ format: 'path', valid: false, path: 'Main' })), '02004d61696e00');
  assert.equal(value(decodeConfirmPath(fromHex('02 07 4100'), 'path')).valid, true, 'any non-zero byte is true');
  assert.equal(reason(decodeConfirmPath(fromHex('02 01'), 'path')), 'too-short', 'needs ≥ 3 bytes');
  assert.equal(value(decodeConfirmPath(fromHex('02 01 00'), 'path')).format, 'path', '3 bytes: an empty path');
  assert.equal(reason(decodeConfirmPath(fromHex('02 01 c3'), 'path')), 'bad-utf8');
});

test('CONFIRM_PATH, 4.3+ format: [02][ok][u32 cache id], exactly 6 bytes', () => {
  const bytes = fromHex(`02        # NETWORK_COMMAND_CONFIRM_PATH
                         01        # checksum_ok = true
                         01000000  # u32 LE: the sender's cache id 1`);
  assert.equal(toHex(encodeConfirmPath({ format: 'id', valid: true, cacheId: 1 })), toHex(bytes));
  assert.deepEqual(value(decodeConfirmPath(bytes, 'id')), { format: 'id', valid: true, cacheId: 1 });
  assert.equal(reason(decodeConfirmPath(bytes.subarray(0, 5), 'id')), 'too-short');
  assert.equal(reason(decodeConfirmPath(Uint8Array.from([...bytes, 0]), 'id')), 'bad-length', 'process_confirm_path wants len == 6');
  // Why the format must match the peer: each version misreads the other's message.
  const oldMsg = fromHex('02 01 4d61696e 00');
  assert.equal(reason(decodeConfirmPath(oldMsg, 'id')), 'bad-length', 'a 4.3 peer refuses the old format');
  assert.equal(value(decodeConfirmPath(bytes, 'path')).format, 'path', 'a 4.2 peer reads the id as a path …');
  assert.equal((value(decodeConfirmPath(bytes, 'path')) as { path: string }).path, '\u0001', '… which it then fails to find');
  assert.equal(reason(decodeConfirmPath(fromHex('01 01 01000000'), 'id')), 'wrong-command');
  assert.equal(code(() => encodeConfirmPath({ format: 'id', valid: true, cacheId: 2 ** 32 })), Error.ERR_INVALID_PARAMETER);
});

test('version → CONFIRM_PATH format, with a configurable cut-over', () => {
  const rows: Array<[string, 'path' | 'id']> = [
    ['4.0', 'path'], ['4.1', 'path'], ['4.1.4', 'path'], ['4.2', 'path'], ['4.2.1', 'path'],
    ['4.2.2', 'id'], // PR #87190 was in 4.2.2 (issue #90908); see scene-version.ts
    ['4.3', 'id'], ['4.3.0', 'id'], ['4.4', 'id'], ['4.5.1', 'id'], ['4.10', 'id'],
  ];
  for (const [v, f] of rows) assert.equal(pathCacheFormatOf(v), f, v);
  assert.equal(pathCacheFormatOf('4.3', { idFormatSince: '4.4' }), 'path');
  assert.equal(pathCacheFormatOf('4.2', { idFormatSince: '4.2' }), 'id');
  assert.equal(pathCacheFormatOf('4.2.2', { idFormatBackports: [] }), 'path');
  assert.equal(compareSceneVersions('4.2.2', '4.2'), 1);
  assert.equal(compareSceneVersions('4.10', '4.9'), 1);
  assert.equal(compareSceneVersions('4.3.0', '4.3'), 0);
  assert.equal(code(() => pathCacheFormatOf('3.5')), Error.ERR_INVALID_PARAMETER);
  assert.equal(code(() => pathCacheFormatOf('four')), Error.ERR_INVALID_PARAMETER);
  assert.deepEqual(['4.0', '4.2.2', '4.3', '4.4', '4.6'].map(variantProfileOf), ['4.2', '4.2', '4.3', 4, 4]);
});
