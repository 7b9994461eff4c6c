/**
 * Godot's binary Variant serialization — `var_to_bytes` / `bytes_to_var` (Godot 3:
 * `var2bytes` / `bytes2var`), the format of `PacketPeer.put_var` / `get_var` and RPC arguments.
 * Byte order: little-endian. Thin entry points over {@link Encoder} (encoder.ts) and
 * {@link Decoder} (decoder.ts); the JS ↔ Variant mapping is the table in variant.ts.
 * @see godot core/io/marshalls.cpp; godot-wire.md §1–2, §9
 *
 * Errors: only {@link GodotError}, with Godot's code (decoder.ts states the decoder's contract).
 */
import { Decoder, type DecodeOptions, type DecodeResult } from './decoder.js';
import { Encoder, type EncodeOptions } from './encoder.js';
import type { Variant } from './variant.js';

export type { DecodeOptions, DecodeResult } from './decoder.js';
export type { EncodeOptions } from './encoder.js';
export { DEFAULT_MAX_DEPTH } from './encoder.js';
export { profileOf, type Profile } from './profile.js';
export { variantEquals } from './equals.js';
export { typeOf } from './type-of.js';
export { defaultClassExists, GODOT4_COMMON_CLASSES } from './class-db.js';

const sharedEncoder = new Encoder();
const sharedDecoder = new Decoder();

/**
 * Encodes one Variant (Godot's `var_to_bytes(value)`, or `var_to_bytes_with_objects` with
 * `fullObjects`). Returns a new Uint8Array whose length is a multiple of 4.
 * @throws GodotError ERR_INVALID_PARAMETER for a value the target Godot cannot hold;
 *   ERR_OUT_OF_MEMORY when nested deeper than `maxDepth` (or self-referencing).
 */
export function varToBytes(value: Variant, options?: EncodeOptions): Uint8Array {
  const enc = sharedEncoder.busy ? new Encoder() : sharedEncoder;
  return enc.encode(value, options);
}

/**
 * Encodes one Variant into `target` at `offset` (default 0) and returns the number of bytes
 * written. @throws GodotError ERR_OUT_OF_MEMORY when it does not fit, and as varToBytes.
 */
export function encodeVariant(value: Variant, target: Uint8Array, offset = 0, options?: EncodeOptions): number {
  const enc = sharedEncoder.busy ? new Encoder() : sharedEncoder;
  return enc.encodeInto(value, target, offset, options);
}

/**
 * Decodes one Variant (Godot's `bytes_to_var`; trailing bytes are ignored).
 * @throws GodotError with Godot's code for malformed input — never any other exception.
 */
export function bytesToVar(bytes: Uint8Array, options?: DecodeOptions): Variant {
  const dec = sharedDecoder.busy ? new Decoder() : sharedDecoder;
  return dec.decode(bytes, options);
}

/** Decodes one Variant and reports how many bytes it used (Godot's `r_len`). */
export function decodeVariant(bytes: Uint8Array, options?: DecodeOptions): DecodeResult {
  const dec = sharedDecoder.busy ? new Decoder() : sharedDecoder;
  const value = dec.decode(bytes, options);
  return { value, length: dec.length };
}
