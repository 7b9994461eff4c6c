/**
 * Path cache messages: SIMPLIFY_PATH (a peer announces "cache id N means node path P") and
 * CONFIRM_PATH (the receiver acknowledges, saying whether its RPC method checksum matched).
 * Byte order: little-endian.
 *
 * Layouts, verified in godotengine/godot modules/multiplayer/scene_cache_interface.cpp — the
 * path-based copy (4.0–4.2 era, PathSentCache) and @1b88f815 (id-based, 4.3+):
 *
 *   SIMPLIFY_PATH (both):  [01] [32 hex chars][00] [u32 cache_id] [path utf-8][00]
 *     receiver requires len ≥ 38; reads the checksum as 32 bytes (stopping at a NUL), skips
 *     33, reads the id (stored as a signed int), then the path up to a NUL or the packet end.
 *   CONFIRM_PATH 'path':   [02] [u8 checksum_ok] [path utf-8][00]      len ≥ 3
 *   CONFIRM_PATH 'id':     [02] [u8 checksum_ok] [u32 cache_id]        len == 6 exactly
 *
 * The checksum is the lowercase hex MD5 of the node's RPC method names concatenated in id
 * order (SceneRPCInterface::get_rpc_md5). Both messages go RELIABLE on channel 0.
 * @see godot-wire.md §6.6; scene-version.ts for which release uses which format
 */
import { readUtf8, utf8Length, writeUtf8 } from '../../core/variant/utf8.js';
import {
  accept, commandOf, invalidParameter, NetworkCommand, readU32, refuse, writeU32, type Decoded,
} from './scene-multiplayer-protocol.js';
import type { PathCacheFormat } from './scene-version.js';

/** Bytes before the path in SIMPLIFY_PATH (command + 32-char checksum + NUL + u32 id). */
export const SIMPLIFY_PATH_HEADER = 38;
/** Exact size of a 4.3+ CONFIRM_PATH. */
export const CONFIRM_PATH_ID_SIZE = 6;
const CHECKSUM_LENGTH = 32;

export interface SimplifyPath {
  /** 32 lowercase hex chars: MD5 of the node's RPC method names. */
  readonly checksum: string;
  /** The sender's cache id for the node (u32; Godot's ids start at 1). */
  readonly cacheId: number;
  /** Node path relative to the sender's `root_path`, e.g. "Main" or "World/Player". */
  readonly path: string;
}

export type ConfirmPath =
  | { readonly format: 'path'; readonly valid: boolean; readonly path: string }
  | { readonly format: 'id'; readonly valid: boolean; readonly cacheId: number };

/**
 * A NUL-terminated UTF-8 string from `start` up to the first NUL or `end`, as Godot's
 * `String::parse_utf8(ptr, len)` reads it (a missing terminator is tolerated). Null when the
 * bytes are not valid UTF-8.
 */
export function readCString(bytes: Uint8Array, start: number, end: number): string | null {
  let stop = start;
  while (stop < end && bytes[stop] !== 0) stop++;
  try {
    return readUtf8(bytes, start, stop);
  } catch {
    return null;
  }
}

/** UTF-8 byte length plus the terminator (`encode_cstring`'s length). */
export function cStringLength(s: string): number {
  return utf8Length(s) + 1;
}

/**
 * Writes `s` + NUL at `pos` (room for {@link cStringLength} bytes); returns bytes written.
 * @throws GodotError ERR_INVALID_PARAMETER on an embedded NUL (it would cut the string short)
 */
export function writeCString(s: string, out: Uint8Array, pos: number): number {
  if (s.includes('\0')) throw invalidParameter('NUL inside a C string');
  const n = writeUtf8(s, out, pos);
  out[pos + n] = 0;
  return n + 1;
}

function checkU32(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw invalidParameter(`${what} ${v} is not a u32`);
}

/** `[01][checksum][00][u32 id][path][00]` (SceneCacheInterface::_send_confirm_path). */
export function encodeSimplifyPath(msg: SimplifyPath): Uint8Array {
  if (!/^[\x20-\x7e]{32}$/.test(msg.checksum)) throw invalidParameter('checksum must be 32 ASCII characters');
  checkU32(msg.cacheId, 'cache id');
  const out = new Uint8Array(SIMPLIFY_PATH_HEADER + cStringLength(msg.path));
  out[0] = NetworkCommand.NETWORK_COMMAND_SIMPLIFY_PATH;
  for (let i = 0; i < CHECKSUM_LENGTH; i++) out[1 + i] = msg.checksum.charCodeAt(i);
  out[1 + CHECKSUM_LENGTH] = 0;
  writeU32(out, 34, msg.cacheId);
  writeCString(msg.path, out, SIMPLIFY_PATH_HEADER);
  return out;
}

/** SIMPLIFY_PATH as SceneCacheInterface::process_simplify_path reads it (same in every 4.x). */
export function decodeSimplifyPath(bytes: Uint8Array): Decoded<SimplifyPath> {
  if (bytes.length === 0) return refuse('empty');
  if (commandOf(bytes[0]!) !== NetworkCommand.NETWORK_COMMAND_SIMPLIFY_PATH) return refuse('wrong-command');
  if (bytes.length < SIMPLIFY_PATH_HEADER) return refuse('too-short');
  const checksum = readCString(bytes, 1, 1 + CHECKSUM_LENGTH);
  const path = readCString(bytes, SIMPLIFY_PATH_HEADER, bytes.length);
  if (checksum === null || path === null) return refuse('bad-utf8');
  return accept({ checksum, cacheId: readU32(bytes, 34), path });
}

/** CONFIRM_PATH in either format (process_simplify_path's acknowledgement). */
export function encodeConfirmPath(msg: ConfirmPath): Uint8Array {
  if (msg.format === 'id') {
    checkU32(msg.cacheId, 'cache id');
    const out = new Uint8Array(CONFIRM_PATH_ID_SIZE);
    out[0] = NetworkCommand.NETWORK_COMMAND_CONFIRM_PATH;
    out[1] = msg.valid ? 1 : 0;
    writeU32(out, 2, msg.cacheId);
    return out;
  }
  const out = new Uint8Array(2 + cStringLength(msg.path));
  out[0] = NetworkCommand.NETWORK_COMMAND_CONFIRM_PATH;
  out[1] = msg.valid ? 1 : 0;
  writeCString(msg.path, out, 2);
  return out;
}

/**
 * CONFIRM_PATH in the given format, as process_confirm_path reads it: 'path' needs ≥ 3 bytes
 * and takes the path up to a NUL; 'id' needs exactly 6. Any non-zero byte 1 is "valid".
 */
export function decodeConfirmPath(bytes: Uint8Array, format: PathCacheFormat): Decoded<ConfirmPath> {
  if (bytes.length === 0) return refuse('empty');
  if (commandOf(bytes[0]!) !== NetworkCommand.NETWORK_COMMAND_CONFIRM_PATH) return refuse('wrong-command');
  if (format === 'id') {
    if (bytes.length !== CONFIRM_PATH_ID_SIZE) return refuse(bytes.length < CONFIRM_PATH_ID_SIZE ? 'too-short' : 'bad-length');
    return accept({ format: 'id', valid: bytes[1] !== 0, cacheId: readU32(bytes, 2) });
  }
  if (bytes.length < 3) return refuse('too-short');
  const path = readCString(bytes, 2, bytes.length);
  if (path === null) return refuse('bad-utf8');
  return accept({ format: 'path', valid: bytes[1] !== 0, path });
}
