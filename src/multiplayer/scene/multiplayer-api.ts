/**
 * RPC argument codec: `MultiplayerAPI::encode_and_compress_variant(s)` and
 * `decode_and_decompress_variant(s)`. Byte order: little-endian.
 *
 * Verified in godotengine/godot scene/main/multiplayer_api.cpp (a stored 4.x copy):
 * - each argument starts with a meta byte: bits 0–5 = Variant type (4.x ids), bits 6–7 = mode;
 * - BOOL: the meta byte alone, `0x01 | 0x80` for true, `0x01` for false;
 * - INT: meta `mode | 0x02`, then the smallest of i8 (mode 0x00), i16 (0x40), i32 (0x80),
 *   i64 (0xC0), little-endian; decoded sign-extended; a short payload is ERR_INVALID_DATA;
 * - anything else: the full `encode_variant` bytes, header included, whose first byte (the
 *   header's low byte) already is the type id; decoded by `decode_variant` from the meta byte;
 * - a type id ≥ VARIANT_MAX is refused;
 * - the list: 0 args ⇒ "raw" flag, nothing written; exactly 1 PackedByteArray ⇒ "raw" flag and
 *   its bytes only (no meta, no length); otherwise each argument in turn (the caller writes
 *   argc). Decoding raw: argc 1 ⇒ the rest of the packet is the PackedByteArray; argc 0 ⇒ none.
 *   Decoding regular args stops with an error when the bytes run out before argc; trailing
 *   bytes are ignored.
 * The 6-bit type field: 3.x used 5 bits (VARIANT_MAX 27); 4.x needs 6 since VARIANT_MAX is
 * 38/39 — 4.0-stable must therefore use 6 bits (its 38 types cannot fit in 5), which closes the
 * reference's "[4.0-stable assumed]".
 * @see godot-wire.md §6.5
 */
import { Error, GodotError } from '../../core/error.js';
import { decodeVariant, varToBytes } from '../../core/variant/codec.js';
import { profileOf } from '../../core/variant/profile.js';
import { variantTypeOrNone } from '../../core/variant/type-of.js';
import type { GodotVersion, Variant } from '../../core/variant/variant.js';
import { VariantType } from '../../core/variant/variant-type.js';
import { accept, refuse, type Decoded } from './scene-multiplayer-protocol.js';

export const VARIANT_META_TYPE_MASK = 0x3f;
export const VARIANT_META_EMODE_MASK = 0xc0;
export const VARIANT_META_BOOL_MASK = 0x80;
export const ENCODE_8 = 0 << 6;
export const ENCODE_16 = 1 << 6;
export const ENCODE_32 = 2 << 6;
export const ENCODE_64 = 3 << 6;

export interface ArgCodecOptions {
  /** Variant profile of the peers (default 4 = newest 4.x); see scene-version.ts variantProfileOf. */
  godot?: GodotVersion;
  /** `SceneMultiplayer.allow_object_decoding` (default false): full objects allowed both ways. */
  allowObjectDecoding?: boolean;
}

export interface EncodedArgs {
  /** The argument bytes (without the argc byte). */
  readonly bytes: Uint8Array;
  /** RPC meta bit 7: no argc byte; the args are absent or one raw PackedByteArray. */
  readonly byteOnlyOrNoArgs: boolean;
}

function intBytes(v: bigint): Uint8Array {
  if (v >= -0x80n && v <= 0x7fn) return Uint8Array.of(ENCODE_8 | VariantType.INT, Number(v) & 0xff);
  const out = new Uint8Array(v >= -0x8000n && v <= 0x7fffn ? 3 : v >= -0x80000000n && v <= 0x7fffffffn ? 5 : 9);
  const view = new DataView(out.buffer);
  switch (out.length) {
    case 3: out[0] = ENCODE_16 | VariantType.INT; view.setInt16(1, Number(v), true); break;
    case 5: out[0] = ENCODE_32 | VariantType.INT; view.setInt32(1, Number(v), true); break;
    default:
      if (v < -0x8000000000000000n || v > 0x7fffffffffffffffn) {
        throw new GodotError(Error.ERR_INVALID_PARAMETER, `int ${v} does not fit in 64 bits`);
      }
      out[0] = ENCODE_64 | VariantType.INT; view.setBigInt64(1, v, true);
  }
  return out;
}

/**
 * One argument as `encode_and_compress_variant` writes it.
 * @throws GodotError ERR_INVALID_PARAMETER for a value the target Godot cannot hold (as varToBytes)
 */
export function encodeAndCompressVariant(value: Variant, options: ArgCodecOptions = {}): Uint8Array {
  const type = variantTypeOrNone(value);
  if (type === VariantType.BOOL) return Uint8Array.of(VariantType.BOOL | (value === true ? VARIANT_META_BOOL_MASK : 0));
  if (type === VariantType.INT) return intBytes(BigInt(value as number | bigint));
  const bytes = varToBytes(value, { godot: options.godot ?? 4, fullObjects: options.allowObjectDecoding === true });
  // varToBytes results are views into a pooled chunk: copy.
  return Uint8Array.from(bytes);
}

/**
 * `encode_and_compress_variants`: the argument bytes and whether the RPC meta's
 * byte-only-or-no-args flag is set. More than 255 arguments is ERR_INVALID_PARAMETER (Godot's
 * "Too many arguments").
 */
export function encodeAndCompressVariants(args: readonly Variant[], options: ArgCodecOptions = {}): EncodedArgs {
  if (args.length > 255) throw new GodotError(Error.ERR_INVALID_PARAMETER, 'Too many arguments (>255)');
  if (args.length === 0) return { bytes: new Uint8Array(0), byteOnlyOrNoArgs: true };
  const first = args[0];
  if (args.length === 1 && first instanceof Uint8Array) return { bytes: Uint8Array.from(first), byteOnlyOrNoArgs: true };
  const parts = args.map((a) => encodeAndCompressVariant(a, options));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return { bytes: out, byteOnlyOrNoArgs: false };
}

export interface DecodedArg { readonly value: Variant; readonly length: number }

/**
 * One argument at `offset`, as `decode_and_decompress_variant` reads it; `length` counts its
 * bytes (for a PackedByteArray, including padding the packet may lack — Godot's r_len).
 */
export function decodeAndDecompressVariant(
  bytes: Uint8Array, offset = 0, options: ArgCodecOptions = {},
): Decoded<DecodedArg> {
  if (offset >= bytes.length) return refuse('args-truncated');
  const meta = bytes[offset]!;
  const type = meta & VARIANT_META_TYPE_MASK;
  const godot = options.godot ?? 4;
  if (type >= profileOf(godot).variantMax) return refuse('bad-arg-type');
  if (type === VariantType.BOOL) return accept({ value: (meta & VARIANT_META_BOOL_MASK) !== 0, length: 1 });
  if (type === VariantType.INT) {
    const mode = meta & VARIANT_META_EMODE_MASK;
    const size = mode === ENCODE_8 ? 1 : mode === ENCODE_16 ? 2 : mode === ENCODE_32 ? 4 : 8;
    if (bytes.length - offset - 1 < size) return refuse('args-truncated');
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset + 1, size);
    let value: number | bigint;
    switch (size) {
      case 1: value = view.getInt8(0); break;
      case 2: value = view.getInt16(0, true); break;
      case 4: value = view.getInt32(0, true); break;
      default: {
        const big = view.getBigInt64(0, true);
        value = big >= -BigInt(Number.MAX_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
      }
    }
    return accept({ value, length: 1 + size });
  }
  try {
    const r = decodeVariant(bytes.subarray(offset), { godot, allowObjects: options.allowObjectDecoding === true });
    return accept({ value: r.value, length: r.length });
  } catch (e) {
    if (e instanceof GodotError) return refuse('bad-arg');
    throw e;
  }
}

/**
 * `decode_and_decompress_variants`: `argc` arguments from `bytes`. With `byteOnlyOrNoArgs`,
 * argc 1 means all of `bytes` is one PackedByteArray (copied) and argc 0 means none.
 */
export function decodeAndDecompressVariants(
  bytes: Uint8Array, argc: number, byteOnlyOrNoArgs: boolean, options: ArgCodecOptions = {},
): Decoded<Variant[]> {
  if (byteOnlyOrNoArgs) {
    if (argc === 0) return accept([]);
    if (argc !== 1) return refuse('bad-arg');
    return accept([Uint8Array.from(bytes)]);
  }
  const out: Variant[] = [];
  let at = 0;
  for (let i = 0; i < argc; i++) {
    const r = decodeAndDecompressVariant(bytes, at, options);
    if (!r.ok) return r;
    out.push(r.value.value);
    at += r.value.length;
  }
  return accept(out);
}
