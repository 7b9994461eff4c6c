/**
 * Godot 4 SceneMultiplayer framing: the command byte, SYS messages (AUTH, ADD_PEER, DEL_PEER,
 * RELAY) and RAW (`send_bytes`). Sans-IO codecs: encoders return exact bytes, decoders never
 * throw — they return a typed value or a {@link Refusal} with a stable reason.
 * Byte order: little-endian (Godot's marshalls `encode_uint32`/`decode_uint32`).
 *
 * Verified against godotengine/godot (facts only, no code carried over):
 * - modules/multiplayer/scene_multiplayer.h @311a2728: NetworkCommands 0–7, SysCommands 0–3,
 *   SYS_CMD_SIZE = 6, CMD_FLAG_0..3_SHIFT = 4..7, CMD_MASK = 7 (bit 3 is never read).
 * - modules/multiplayer/scene_multiplayer.cpp @1e0b41ab: poll() (a pending peer may only send
 *   `[07][00]…`, len ≥ 2; a 2-byte `[07][00]` from an admitted peer is ignored, a longer one is
 *   an error), _process_sys() (len < 6 refused; the i32 at offset 2 read as signed; RELAY
 *   needs len ≥ 7; unknown sub-commands refused), _process_raw() (len ≥ 2), send_bytes()
 *   (`[03][bytes]`, empty refused), send_auth() (`[07][00][bytes]`, non-empty),
 *   complete_auth() (`[07][00]`), _admit_peer()/_del_peer() (`[07][01|02][u32 id]`).
 * @see godot-wire.md §6.2, §6.3, §6.7, §7
 *
 * Encoders throw only {@link GodotError} ERR_INVALID_PARAMETER, for arguments Godot could not
 * have sent (a caller bug); decoders never throw.
 */
import { Error, GodotError } from '../../core/error.js';

/** `SceneMultiplayer::NetworkCommands` — the low 3 bits of byte 0. */
export enum NetworkCommand {
  NETWORK_COMMAND_REMOTE_CALL = 0,
  NETWORK_COMMAND_SIMPLIFY_PATH = 1,
  NETWORK_COMMAND_CONFIRM_PATH = 2,
  NETWORK_COMMAND_RAW = 3,
  NETWORK_COMMAND_SPAWN = 4,
  NETWORK_COMMAND_DESPAWN = 5,
  NETWORK_COMMAND_SYNC = 6,
  NETWORK_COMMAND_SYS = 7,
}

/** `SceneMultiplayer::SysCommands` — byte 1 of a SYS message. */
export enum SysCommand {
  SYS_COMMAND_AUTH = 0,
  SYS_COMMAND_ADD_PEER = 1,
  SYS_COMMAND_DEL_PEER = 2,
  SYS_COMMAND_RELAY = 3,
}

/** Command + sys command + i32 peer id (`SYS_CMD_SIZE`). */
export const SYS_CMD_SIZE = 6;
/** Mask that extracts the command from byte 0 (`CMD_MASK`). */
export const CMD_MASK = 7;
/** Bits 4–7 carry command-specific flags (`CMD_FLAG_0_SHIFT` … `CMD_FLAG_3_SHIFT`). */
export const CMD_FLAG_0_SHIFT = 4;
export const CMD_FLAG_1_SHIFT = 5;
export const CMD_FLAG_2_SHIFT = 6;
export const CMD_FLAG_3_SHIFT = 7;

/**
 * Every reason a decoder refuses bytes — stable strings, listed in one place.
 * - `empty`: zero-length packet.
 * - `too-short`: shorter than the message's minimum (Godot's "Size too small").
 * - `bad-length`: a fixed-size message of the wrong size (4.3+ CONFIRM_PATH must be 6 bytes).
 * - `wrong-command`: byte 0 is another command than the decoder handles.
 * - `unknown-sys-command`: SYS byte 1 is not AUTH/ADD_PEER/DEL_PEER/RELAY.
 * - `bad-node-id-size`: RPC meta bits 4–5 = 3 (no such node-id size).
 * - `bad-path-offset`: RPC unconfirmed-path offset outside the packet or inside its header.
 * - `bad-utf8`: a node path or checksum that is not valid UTF-8.
 * - `bad-arg-type`: an RPC argument's type id is not a Variant type of that Godot.
 * - `bad-arg`: an RPC argument's Variant encoding is malformed.
 * - `args-truncated`: fewer argument bytes than argc says.
 */
export const REFUSAL_REASONS = [
  'empty', 'too-short', 'bad-length', 'wrong-command', 'unknown-sys-command', 'bad-node-id-size',
  'bad-path-offset', 'bad-utf8', 'bad-arg-type', 'bad-arg', 'args-truncated',
] as const;
export type RefusalReason = typeof REFUSAL_REASONS[number];

export interface Refusal { readonly ok: false; readonly reason: RefusalReason }
export type Decoded<T> = { readonly ok: true; readonly value: T } | Refusal;

export function refuse(reason: RefusalReason): Refusal { return { ok: false, reason }; }
export function accept<T>(value: T): Decoded<T> { return { ok: true, value }; }

// ---------------------------------------------------------------------------------------------
// Little-endian helpers (Godot's encode_uint16/32, decode_uint16/32).

export function readU16(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8)) >>> 0;
}
export function readU32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}
export function readI32(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24);
}
export function writeU16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff; b[o + 1] = (v >>> 8) & 0xff;
}
/** Writes the low 32 bits of `v` (a negative i32 is written as its two's complement). */
export function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff; b[o + 1] = (v >>> 8) & 0xff; b[o + 2] = (v >>> 16) & 0xff; b[o + 3] = (v >>> 24) & 0xff;
}

export function invalidParameter(message: string): GodotError {
  return new GodotError(Error.ERR_INVALID_PARAMETER, message);
}

function checkI32(v: number, what: string): void {
  if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
    throw invalidParameter(`${what} ${v} is not a 32-bit signed integer`);
  }
}

// ---------------------------------------------------------------------------------------------
// Command byte.

/** The command (bits 0–2) of byte 0; bit 3 is ignored, as in Godot. */
export function commandOf(byte0: number): NetworkCommand {
  return (byte0 & CMD_MASK) as NetworkCommand;
}

/** The four flag bits (4–7) of byte 0, as 0–15. */
export function commandFlagsOf(byte0: number): number {
  return (byte0 >>> CMD_FLAG_0_SHIFT) & 0x0f;
}

/** Byte 0 from a command and its four flag bits (0–15). */
export function encodeCommandByte(command: NetworkCommand, flags = 0): number {
  if (!Number.isInteger(command) || command < 0 || command > CMD_MASK) throw invalidParameter(`command ${command}`);
  if (!Number.isInteger(flags) || flags < 0 || flags > 0x0f) throw invalidParameter(`command flags ${flags}`);
  return command | (flags << CMD_FLAG_0_SHIFT);
}

// ---------------------------------------------------------------------------------------------
// SYS messages.

/** A decoded SYS message. AUTH with an empty payload is the completion notice (`complete_auth`). */
export type SysMessage =
  | { readonly sys: SysCommand.SYS_COMMAND_AUTH; readonly payload: Uint8Array }
  | { readonly sys: SysCommand.SYS_COMMAND_ADD_PEER; readonly peerId: number }
  | { readonly sys: SysCommand.SYS_COMMAND_DEL_PEER; readonly peerId: number }
  /** `peer` is the destination (client → server: 0 all, −N all but N, N one) or the source (server → client). */
  | { readonly sys: SysCommand.SYS_COMMAND_RELAY; readonly peer: number; readonly packet: Uint8Array };

/** `[07][00][payload]` — `send_auth` (payload non-empty) or, with no payload, `complete_auth`. */
export function encodeAuth(payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(2 + payload.length);
  out[0] = NetworkCommand.NETWORK_COMMAND_SYS;
  out[1] = SysCommand.SYS_COMMAND_AUTH;
  out.set(payload, 2);
  return out;
}

/** `[07][00]` — the 2-byte authentication completion notice. */
export function encodeAuthComplete(): Uint8Array { return encodeAuth(); }

function encodeSysPeer(sub: SysCommand, peerId: number): Uint8Array {
  checkI32(peerId, 'peer id');
  const out = new Uint8Array(SYS_CMD_SIZE);
  out[0] = NetworkCommand.NETWORK_COMMAND_SYS;
  out[1] = sub;
  writeU32(out, 2, peerId);
  return out;
}

/** `[07][01][u32 id]` — server → client: peer `id` joined. */
export function encodeAddPeer(peerId: number): Uint8Array { return encodeSysPeer(SysCommand.SYS_COMMAND_ADD_PEER, peerId); }
/** `[07][02][u32 id]` — server → client: peer `id` left. */
export function encodeDelPeer(peerId: number): Uint8Array { return encodeSysPeer(SysCommand.SYS_COMMAND_DEL_PEER, peerId); }

/**
 * `[07][03][i32 peer][inner…]` — client → server with the destination, server → client with
 * the original sender. `inner` must not be empty (Godot requires len ≥ 7).
 */
export function encodeRelay(peer: number, inner: Uint8Array): Uint8Array {
  checkI32(peer, 'relay peer');
  if (inner.length === 0) throw invalidParameter('relay of an empty packet');
  const out = new Uint8Array(SYS_CMD_SIZE + inner.length);
  out[0] = NetworkCommand.NETWORK_COMMAND_SYS;
  out[1] = SysCommand.SYS_COMMAND_RELAY;
  writeU32(out, 2, peer);
  out.set(inner, SYS_CMD_SIZE);
  return out;
}

/**
 * Decodes a SYS message as Godot's poll()/_process_sys() read it: AUTH needs 2 bytes; the
 * others 6 (trailing bytes after ADD/DEL_PEER's id are ignored, as Godot does); RELAY 7.
 * Payload/inner packet are views into `bytes`.
 */
export function decodeSys(bytes: Uint8Array): Decoded<SysMessage> {
  if (bytes.length === 0) return refuse('empty');
  if (commandOf(bytes[0]!) !== NetworkCommand.NETWORK_COMMAND_SYS) return refuse('wrong-command');
  if (bytes.length < 2) return refuse('too-short');
  const sub = bytes[1]!;
  if (sub === SysCommand.SYS_COMMAND_AUTH) return accept({ sys: SysCommand.SYS_COMMAND_AUTH, payload: bytes.subarray(2) });
  if (bytes.length < SYS_CMD_SIZE) return refuse('too-short');
  const peer = readI32(bytes, 2);
  switch (sub) {
    case SysCommand.SYS_COMMAND_ADD_PEER: return accept({ sys: SysCommand.SYS_COMMAND_ADD_PEER, peerId: peer });
    case SysCommand.SYS_COMMAND_DEL_PEER: return accept({ sys: SysCommand.SYS_COMMAND_DEL_PEER, peerId: peer });
    case SysCommand.SYS_COMMAND_RELAY:
      if (bytes.length < SYS_CMD_SIZE + 1) return refuse('too-short');
      return accept({ sys: SysCommand.SYS_COMMAND_RELAY, peer, packet: bytes.subarray(SYS_CMD_SIZE) });
    default: return refuse('unknown-sys-command');
  }
}

/** Encodes any {@link SysMessage}. */
export function encodeSys(msg: SysMessage): Uint8Array {
  switch (msg.sys) {
    case SysCommand.SYS_COMMAND_AUTH: return encodeAuth(msg.payload);
    case SysCommand.SYS_COMMAND_ADD_PEER: return encodeAddPeer(msg.peerId);
    case SysCommand.SYS_COMMAND_DEL_PEER: return encodeDelPeer(msg.peerId);
    case SysCommand.SYS_COMMAND_RELAY: return encodeRelay(msg.peer, msg.packet);
  }
}

// ---------------------------------------------------------------------------------------------
// RAW (SceneMultiplayer.send_bytes / peer_packet).

/** `[03][data]` — `send_bytes(data)`; Godot refuses to send empty data. */
export function encodeRaw(data: Uint8Array): Uint8Array {
  if (data.length === 0) throw invalidParameter('empty raw packet');
  const out = new Uint8Array(1 + data.length);
  out[0] = NetworkCommand.NETWORK_COMMAND_RAW;
  out.set(data, 1);
  return out;
}

/** The data of a RAW packet (a view); Godot's _process_raw needs at least 2 bytes. */
export function decodeRaw(bytes: Uint8Array): Decoded<Uint8Array> {
  if (bytes.length === 0) return refuse('empty');
  if (commandOf(bytes[0]!) !== NetworkCommand.NETWORK_COMMAND_RAW) return refuse('wrong-command');
  if (bytes.length < 2) return refuse('too-short');
  return accept(bytes.subarray(1));
}
