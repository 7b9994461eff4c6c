/**
 * RPC packets (NETWORK_COMMAND_REMOTE_CALL). Byte order: little-endian.
 *
 *   [meta] [node id: u8 | u16 | u32] [method id: u8 | u16] [argc: u8, unless meta bit 7]
 *   [arguments (multiplayer-api.ts)] [node path utf-8 + NUL, only in the unconfirmed form]
 *
 *   meta bits 0–2 command = 0 · bits 4–5 node-id size (0 u8, 1 u16, 2 u32; 3 invalid)
 *        bit 6 method-id size (0 u8, 1 u16) · bit 7 byte-only-or-no-args · bit 3 unused
 *
 * Unconfirmed form: when a target has not confirmed the node's path-cache id, the node id is
 * always u32 `0x80000000 | offset`, where `offset` is where the appended path starts (= the
 * end of the arguments); the receiver parses the path from there and decodes the arguments
 * only up to it.
 *
 * Verified in godotengine/godot modules/multiplayer/scene_rpc_interface.cpp @bfce466f:
 * process_rpc() (sizes from meta, size 3 refused, minimum length checked before reading ids,
 * path offset must be < len), _process_rpc() (offset > len refused — so a path offset inside
 * the header is refused; byte-only: argc = 1 if any bytes follow, else 0; otherwise argc byte
 * required), _send_rpc() (node id: smallest size only when every target confirmed, else u32;
 * method id u8 when ≤ 255; > 255 args refused; the path is appended with encode_cstring); and
 * the flag shifts CMD_FLAG_0/2/3_SHIFT = 4/6/7 in scene_multiplayer.h @311a2728.
 * @see godot-wire.md §6.4
 */
import type { Variant } from '../../core/variant/variant.js';
import {
  decodeAndDecompressVariants, encodeAndCompressVariants, type ArgCodecOptions,
} from './multiplayer-api.js';
import { cStringLength, readCString, writeCString } from './scene-cache-interface.js';
import {
  accept, CMD_FLAG_0_SHIFT, CMD_FLAG_2_SHIFT, CMD_FLAG_3_SHIFT, commandOf, invalidParameter,
  NetworkCommand, readU16, readU32, refuse, writeU16, writeU32, type Decoded,
} from './scene-multiplayer-protocol.js';

export const NODE_ID_COMPRESSION_FLAG = 3 << CMD_FLAG_0_SHIFT;
export const NAME_ID_COMPRESSION_FLAG = 1 << CMD_FLAG_2_SHIFT;
export const BYTE_ONLY_OR_NO_ARGS_FLAG = 1 << CMD_FLAG_3_SHIFT;
/** Node-id bit 31: the node path follows the arguments, at the offset in bits 0–30. */
export const NODE_PATH_FLAG = 0x80000000;

/** `NetworkNodeIdCompression` as a byte count. */
export type NodeIdSize = 1 | 2 | 4;
/** `NetworkNameIdCompression` as a byte count. */
export type MethodIdSize = 1 | 2;

/** An RPC packet's fields, arguments still encoded (decodeRpcArgs decodes them). */
export interface RpcPacket {
  /** The sender's path-cache id; 0 in the unconfirmed form (the path names the node). */
  readonly nodeId: number;
  readonly nodeIdSize: NodeIdSize;
  /** Set in the unconfirmed form: the node path appended after the arguments. */
  readonly path?: string;
  /** Index into the node's RPC config; bit 15 set = native (non-script) method. */
  readonly methodId: number;
  readonly methodIdSize: MethodIdSize;
  readonly byteOnlyOrNoArgs: boolean;
  /** The argc byte, or (byte-only) 1 when argument bytes follow, else 0. */
  readonly argc: number;
  /** The encoded arguments (a view): after argc, up to the path or the packet end. */
  readonly args: Uint8Array;
}

/** What to send: the node by cache id (confirmed) or by path (unconfirmed), a method, arguments. */
export interface RpcCall {
  /** The sender's path-cache id for the node (< 2^31); not sent in the unconfirmed form. */
  readonly nodeId: number;
  /**
   * Give the path for a target that has not confirmed `nodeId`: the packet then uses the u32
   * unconfirmed form. Omit it once the target confirmed.
   */
  readonly path?: string;
  readonly methodId: number;
  readonly args?: readonly Variant[];
  /**
   * Force the node-id size. Godot uses u32 for *every* target of a call when one target has
   * not confirmed yet (so a confirmed target may get a u32 id); default: the smallest size.
   */
  readonly nodeIdSize?: NodeIdSize;
  /** Force the method-id size (Godot always uses the smallest; decoders accept both). */
  readonly methodIdSize?: MethodIdSize;
}

function sizeCode(size: NodeIdSize): number { return size === 1 ? 0 : size === 2 ? 1 : 2; }

/**
 * Builds an RPC packet from already-encoded arguments (see multiplayer-api.ts), exactly as
 * SceneRPCInterface::_send_rpc lays it out.
 */
export function encodeRpcPacket(
  call: Omit<RpcCall, 'args'>, args: Uint8Array, byteOnlyOrNoArgs: boolean, argc: number,
): Uint8Array {
  const { nodeId, path, methodId } = call;
  if (!Number.isInteger(nodeId) || nodeId < 0 || nodeId >= NODE_PATH_FLAG) throw invalidParameter(`node id ${nodeId}`);
  if (!Number.isInteger(methodId) || methodId < 0 || methodId > 0xffff) throw invalidParameter(`method id ${methodId}`);
  if (!byteOnlyOrNoArgs && (!Number.isInteger(argc) || argc < 0 || argc > 255)) throw invalidParameter(`argc ${argc}`);
  const smallest: NodeIdSize = nodeId <= 0xff ? 1 : nodeId <= 0xffff ? 2 : 4;
  const nodeIdSize: NodeIdSize = path !== undefined ? 4 : call.nodeIdSize ?? smallest;
  if (nodeIdSize < smallest) throw invalidParameter(`node id ${nodeId} does not fit in ${nodeIdSize} bytes`);
  const methodIdSize: MethodIdSize = call.methodIdSize ?? (methodId <= 0xff ? 1 : 2);
  if (methodIdSize === 1 && methodId > 0xff) throw invalidParameter(`method id ${methodId} does not fit in 1 byte`);
  const head = 1 + nodeIdSize + methodIdSize + (byteOnlyOrNoArgs ? 0 : 1);
  const argsEnd = head + args.length;
  if (path !== undefined && argsEnd >= NODE_PATH_FLAG) throw invalidParameter('packet too large for a path offset');
  const out = new Uint8Array(argsEnd + (path !== undefined ? cStringLength(path) : 0));
  out[0] = NetworkCommand.NETWORK_COMMAND_REMOTE_CALL | (sizeCode(nodeIdSize) << CMD_FLAG_0_SHIFT)
    | (methodIdSize === 2 ? NAME_ID_COMPRESSION_FLAG : 0) | (byteOnlyOrNoArgs ? BYTE_ONLY_OR_NO_ARGS_FLAG : 0);
  const target = path !== undefined ? (NODE_PATH_FLAG | argsEnd) >>> 0 : nodeId;
  if (nodeIdSize === 1) out[1] = target;
  else if (nodeIdSize === 2) writeU16(out, 1, target);
  else writeU32(out, 1, target);
  let at = 1 + nodeIdSize;
  if (methodIdSize === 1) out[at] = methodId; else writeU16(out, at, methodId);
  at += methodIdSize;
  if (!byteOnlyOrNoArgs) out[at++] = argc;
  out.set(args, at);
  if (path !== undefined) writeCString(path, out, argsEnd);
  return out;
}

/**
 * An RPC packet as a Godot 4 peer sends it: arguments through encode_and_compress_variants.
 * @throws GodotError ERR_INVALID_PARAMETER for ids out of range, > 255 args, unencodable args
 */
export function encodeRpc(call: RpcCall, options: ArgCodecOptions = {}): Uint8Array {
  const list = call.args ?? [];
  const enc = encodeAndCompressVariants(list, options);
  return encodeRpcPacket(call, enc.bytes, enc.byteOnlyOrNoArgs, list.length);
}

/** Decodes the RPC framing as SceneRPCInterface::process_rpc/_process_rpc do (args stay encoded). */
export function decodeRpc(bytes: Uint8Array): Decoded<RpcPacket> {
  if (bytes.length === 0) return refuse('empty');
  const meta = bytes[0]!;
  if (commandOf(meta) !== NetworkCommand.NETWORK_COMMAND_REMOTE_CALL) return refuse('wrong-command');
  const code = (meta & NODE_ID_COMPRESSION_FLAG) >>> CMD_FLAG_0_SHIFT;
  if (code === 3) return refuse('bad-node-id-size');
  const nodeIdSize: NodeIdSize = code === 0 ? 1 : code === 1 ? 2 : 4;
  const methodIdSize: MethodIdSize = meta & NAME_ID_COMPRESSION_FLAG ? 2 : 1;
  const minSize = 1 + nodeIdSize + methodIdSize;
  if (bytes.length < minSize) return refuse('too-short');
  const target = nodeIdSize === 1 ? bytes[1]! : nodeIdSize === 2 ? readU16(bytes, 1) : readU32(bytes, 1);
  const methodId = methodIdSize === 1 ? bytes[1 + nodeIdSize]! : readU16(bytes, 1 + nodeIdSize);
  let end = bytes.length;
  let path: string | undefined;
  if (target & NODE_PATH_FLAG) {
    const ofs = target & 0x7fffffff;
    if (ofs >= bytes.length || ofs < minSize) return refuse('bad-path-offset');
    const p = readCString(bytes, ofs, bytes.length);
    if (p === null) return refuse('bad-utf8');
    path = p;
    end = ofs;
  }
  const byteOnlyOrNoArgs = (meta & BYTE_ONLY_OR_NO_ARGS_FLAG) !== 0;
  let argc: number;
  let argsStart = minSize;
  if (byteOnlyOrNoArgs) {
    argc = argsStart < end ? 1 : 0;
  } else {
    if (argsStart >= end) return refuse('too-short');
    argc = bytes[argsStart]!;
    argsStart += 1;
  }
  const base = { nodeId: path === undefined ? target : 0, nodeIdSize, methodId, methodIdSize, byteOnlyOrNoArgs, argc, args: bytes.subarray(argsStart, end) };
  return accept(path === undefined ? base : { ...base, path });
}

/** The arguments of a decoded RPC packet (decode_and_decompress_variants). */
export function decodeRpcArgs(packet: RpcPacket, options: ArgCodecOptions = {}): Decoded<Variant[]> {
  return decodeAndDecompressVariants(packet.args, packet.argc, packet.byteOnlyOrNoArgs, options);
}
