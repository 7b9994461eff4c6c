/**
 * The wire format and routing rules of Godot 3.2's NetworkedMultiplayerENet, as pure
 * functions: the 8-byte system messages on ENet channel 0, the 8-byte source/target header on
 * every other channel, the ENet channel and flags of each transfer mode, and the server's
 * relay decision. Byte order: little-endian (Godot's marshalls), unlike the ENet protocol
 * header underneath (big-endian).
 * @see godot modules/enet/networked_multiplayer_enet.cpp (3.2): poll, put_packet
 * @see shared/reference/godot-wire.md §5.2, §9
 */
import { PacketFlag } from '../../enet/types.js';
import { TransferMode } from '../../multiplayer/multiplayer-peer.js';

/** ENet channel of the system messages (ADD_PEER / REMOVE_PEER), server → client, reliable. */
export const SYSCH_CONFIG = 0;
/** ENet channel of TRANSFER_MODE_RELIABLE packets. */
export const SYSCH_RELIABLE = 1;
/** ENet channel of both unreliable modes. */
export const SYSCH_UNRELIABLE = 2;
/** Channels Godot reserves; channel_count can not go below this. */
export const SYSCH_MAX = 3;

/** The first u32 of a system message. */
export enum SysMsg {
  ADD_PEER = 0,
  REMOVE_PEER = 1,
}

/** Size of a system message: [u32 LE message][u32 LE peer id]. */
export const SYSMSG_SIZE = 8;
/** Size of the packet header: [u32 LE source id][i32 LE target id]. */
export const HEADER_SIZE = 8;

// ---- system messages (channel 0) ------------------------------------------------------------------
export function encodeSysMsg(msg: SysMsg, id: number): Uint8Array {
  const out = new Uint8Array(SYSMSG_SIZE);
  const v = new DataView(out.buffer);
  v.setUint32(0, msg, true);
  v.setUint32(4, id >>> 0, true);
  return out;
}

/**
 * A system message, or null when shorter than 8 bytes (Godot drops those). `msg` is the raw
 * u32 (Godot ignores values other than ADD_PEER and REMOVE_PEER); `id` is read as Godot's
 * `int` (signed). Bytes after the first 8 are ignored, as in Godot.
 */
export function decodeSysMsg(data: Uint8Array): { msg: number; id: number } | null {
  if (data.length < SYSMSG_SIZE) return null;
  const v = new DataView(data.buffer, data.byteOffset, data.length);
  return { msg: v.getUint32(0, true), id: v.getInt32(4, true) };
}

// ---- packet header (channels ≥ 1) ---------------------------------------------------------------
/** `payload` behind the header: source (u32) and target (i32: 0 all, −n all but n). */
export function encodePacket(source: number, target: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE + payload.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, source >>> 0, true);
  v.setInt32(4, target | 0, true);
  out.set(payload, HEADER_SIZE);
  return out;
}

/** The header of a packet, or null when shorter than 8 bytes (Godot drops those). */
export function decodeHeader(data: Uint8Array): { source: number; target: number } | null {
  if (data.length < HEADER_SIZE) return null;
  const v = new DataView(data.buffer, data.byteOffset, data.length);
  return { source: v.getUint32(0, true), target: v.getInt32(4, true) };
}

// ---- sending ------------------------------------------------------------------------------------
/**
 * ENet channel and flags for a packet: RELIABLE → channel 1 reliable; UNRELIABLE_ORDERED →
 * channel 2 sequenced; UNRELIABLE → channel 2 unsequenced (sequenced with `alwaysOrdered`); a
 * `transferChannel` above 0 replaces the channel, not the flags. Large unreliable packets
 * become reliable fragments inside ENet (3.2 never sets UNRELIABLE_FRAGMENT).
 */
export function sendRoute(mode: TransferMode, alwaysOrdered: boolean, transferChannel: number): { channel: number; flags: number } {
  let channel: number = SYSCH_RELIABLE;
  let flags = 0;
  switch (mode) {
    case TransferMode.TRANSFER_MODE_UNRELIABLE:
      flags = alwaysOrdered ? 0 : PacketFlag.UNSEQUENCED;
      channel = SYSCH_UNRELIABLE;
      break;
    case TransferMode.TRANSFER_MODE_UNRELIABLE_ORDERED:
      channel = SYSCH_UNRELIABLE;
      break;
    case TransferMode.TRANSFER_MODE_RELIABLE:
      flags = PacketFlag.RELIABLE;
      break;
  }
  if (transferChannel > SYSCH_CONFIG) channel = transferChannel;
  return { channel, flags };
}

/** The transfer mode a received packet's ENet flags stand for. */
export function modeOfFlags(flags: number): TransferMode {
  if (flags & PacketFlag.RELIABLE) return TransferMode.TRANSFER_MODE_RELIABLE;
  if (flags & PacketFlag.UNSEQUENCED) return TransferMode.TRANSFER_MODE_UNRELIABLE;
  return TransferMode.TRANSFER_MODE_UNRELIABLE_ORDERED;
}

/**
 * Whether `target` is a valid destination for put_packet: 0, or ±id of a peer in the sender's
 * map. A server's map has no 1 (so 1 and −1 are refused on a server), a client's map has the
 * server (1) and, with relay, the other clients.
 */
export function isValidTarget(target: number, known: (id: number) => boolean): boolean {
  return target === 0 || known(Math.abs(target));
}

/** Where a server sends its own packet: every client, every client but one, or one client. */
export type ServerSend =
  | { kind: 'broadcast' }
  | { kind: 'all-except'; except: number }
  | { kind: 'one'; peer: number };

export function serverSend(target: number): ServerSend {
  if (target === 0) return { kind: 'broadcast' };
  if (target < 0) return { kind: 'all-except', except: -target };
  return { kind: 'one', peer: target };
}

// ---- server relay -------------------------------------------------------------------------------
/**
 * What a server does with a packet from client `source` addressed to `target` (its header):
 * - `deliver`: queue it for this server's getPacket();
 * - `forward`: 'none'; 'others' = a copy (same channel, flags and bytes, header included) to
 *   every client except the ids in `except`; 'one' = to client `peer` only (dropped, with an
 *   error, when unknown).
 * `drop` says why nothing at all happens. The header's source must already match the id of
 * the ENet peer it came from (else the packet is dropped: "cheating").
 */
export type ServerRoute =
  | { drop: 'relay-disabled' }
  | { drop?: undefined; deliver: boolean; forward: 'none' }
  | { drop?: undefined; deliver: boolean; forward: 'others'; except: readonly number[] }
  | { drop?: undefined; deliver: false; forward: 'one'; peer: number };

export function serverRoute(source: number, target: number, serverRelay: boolean): ServerRoute {
  if (target === 1) return { deliver: true, forward: 'none' };
  if (!serverRelay) return { drop: 'relay-disabled' };
  if (target === 0) return { deliver: true, forward: 'others', except: [source] };
  if (target < 0) return { deliver: -target !== 1, forward: 'others', except: [source, -target] };
  return { deliver: false, forward: 'one', peer: target };
}
