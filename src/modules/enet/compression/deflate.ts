/**
 * Godot's MODE_DEFLATE (a zlib stream, RFC 1950: 2-byte header, raw deflate, Adler-32) and
 * MODE_GZIP (RFC 1952), on Node's zlib.
 *
 * Godot compresses with deflateInit2(level, Z_DEFLATED, windowBits 15 (+16 for gzip),
 * memLevel 8, Z_DEFAULT_STRATEGY) in one deflate(Z_FINISH) call, and decompresses with
 * one inflate(Z_FINISH) into a buffer of the caller's size: the stream must end
 * (Z_STREAM_END) within that size, and bytes after the end of the stream are ignored.
 *
 * Node ships its own zlib (Chromium's fork), whose encoder makes different but equally
 * valid choices than the zlib Godot links: the streams decode the same everywhere, but
 * compressed bytes are not always identical to Godot's (docs/DEVIATIONS.md).
 *
 * @see godot core/io/compression.cpp Compression::compress / decompress (MODE_DEFLATE, MODE_GZIP)
 */
import { deflateSync, gzipSync, gunzipSync, inflateSync, constants } from 'node:zlib';

/** zlib's Z_DEFAULT_COMPRESSION (-1, i.e. level 6): Godot's default for both formats. */
export const Z_DEFAULT_COMPRESSION = constants.Z_DEFAULT_COMPRESSION;

/** Node refuses smaller output chunks. */
const MIN_CHUNK = 64;

export interface DeflateOptions {
  /** -1 (default) or 0..9. */
  level?: number;
  /** A gzip wrapper (RFC 1952) instead of the zlib one. */
  gzip?: boolean;
}

/**
 * Compresses `src` as one zlib (or gzip) stream.
 * @throws RangeError on a level outside -1..9 (a programming error)
 */
export function deflateCompress(src: Uint8Array, options: DeflateOptions = {}): Uint8Array {
  const level = options.level ?? Z_DEFAULT_COMPRESSION;
  if (!Number.isInteger(level) || level < -1 || level > 9) throw new RangeError(`zlib level ${level} not in -1..9`);
  const opts = { level, memLevel: 8, strategy: constants.Z_DEFAULT_STRATEGY, windowBits: 15 };
  const out = options.gzip ? gzipSync(src, opts) : deflateSync(src, opts);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * Decompresses one zlib (or gzip) stream into `dst`; returns the decompressed length, or
 * -1 when the stream is malformed, truncated, needs a preset dictionary, or would not fit
 * in `dst`. Never throws. Memory: one output chunk of `dst.length + 1` bytes (at least 64)
 * — Node stops as soon as the output passes the limit.
 */
export function deflateDecompress(src: Uint8Array, dst: Uint8Array, options: { gzip?: boolean } = {}): number {
  const limit = dst.length;
  let out: Uint8Array;
  try {
    const opts = { maxOutputLength: Math.max(1, limit), chunkSize: Math.max(MIN_CHUNK, limit + 1), windowBits: 15 };
    out = options.gzip ? gunzipSync(src, opts) : inflateSync(src, opts);
  } catch {
    return -1; // Z_DATA_ERROR, Z_BUF_ERROR (truncated or too big), Z_NEED_DICT
  }
  if (out.length > limit) return -1;
  dst.set(out);
  return out.length;
}
