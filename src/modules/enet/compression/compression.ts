/**
 * Godot's `Compression` (core/io/compression.cpp): one entry point for the block formats
 * Godot uses in files, PoolByteArray.compress()/decompress() and ENet packet compression.
 *
 * Sizes are never stored in the compressed data: the decompressor is told how big the
 * output may be (`dst.length`), as Godot's callers pass `p_dst_max_size` — ENet passes its
 * datagram buffer size, PoolByteArray.decompress() its `buffer_size` argument.
 *
 * FastLZ quirk kept from Godot: an input shorter than 16 bytes is zero-padded to 16 before
 * compressing (so its decompressed form is 16 bytes long), and decompressing into fewer than
 * 16 bytes goes through a 16-byte scratch buffer whose first bytes are returned.
 *
 * @see godot core/io/compression.cpp Compression::compress, decompress, get_max_compressed_buffer_size
 */
import { deflateCompress, deflateDecompress, Z_DEFAULT_COMPRESSION } from './deflate.js';
import { fastlzCompress, fastlzDecompress, fastlzMaxCompressedSize } from './fastlz.js';
import { ZSTD_DEFAULT_LEVEL, ZSTD_DEFAULT_WINDOW_LOG_SIZE, ZstdCodec, zstdMaxCompressedSize } from './zstd.js';

/**
 * Compression::Mode; the numbers are also File.COMPRESSION_* and the `mode` argument of
 * PoolByteArray.compress()/decompress() in Godot 3.x (PackedByteArray, FileAccess in 4.x).
 * Godot 4 adds MODE_BROTLI = 4, decompression only — not supported here.
 */
export enum Mode {
  MODE_FASTLZ = 0,
  MODE_DEFLATE = 1,
  MODE_ZSTD = 2,
  MODE_GZIP = 3,
}

/** FastLZ inputs shorter than this are zero-padded to it. */
export const FASTLZ_MIN_BLOCK = 16;

/** Godot's compression project settings (compression/formats/...), with Godot's defaults. */
export interface CompressionSettings {
  /** compression/formats/zlib/compression_level: -1 (Z_DEFAULT_COMPRESSION) or 0..9. */
  zlibLevel?: number;
  /** compression/formats/gzip/compression_level: -1 or 0..9. */
  gzipLevel?: number;
  /** compression/formats/zstd/compression_level (default 3). */
  zstdLevel?: number;
  /** compression/formats/zstd/long_distance_matching (default false). */
  zstdLongDistanceMatching?: boolean;
  /** compression/formats/zstd/window_log_size (default 27). */
  zstdWindowLogSize?: number;
}

function isMode(mode: number): mode is Mode {
  return mode === Mode.MODE_FASTLZ || mode === Mode.MODE_DEFLATE || mode === Mode.MODE_ZSTD || mode === Mode.MODE_GZIP;
}

export class Compression {
  /** An instance with Godot's default settings. */
  static readonly defaults = new Compression();

  readonly zlibLevel: number;
  readonly gzipLevel: number;
  readonly zstdLevel: number;
  readonly zstdLongDistanceMatching: boolean;
  readonly zstdWindowLogSize: number;
  private zstdCodec: ZstdCodec | null = null;
  private readonly fastlzScratch = new Uint8Array(FASTLZ_MIN_BLOCK);

  constructor(settings: CompressionSettings = {}) {
    this.zlibLevel = settings.zlibLevel ?? Z_DEFAULT_COMPRESSION;
    this.gzipLevel = settings.gzipLevel ?? Z_DEFAULT_COMPRESSION;
    this.zstdLevel = settings.zstdLevel ?? ZSTD_DEFAULT_LEVEL;
    this.zstdLongDistanceMatching = settings.zstdLongDistanceMatching ?? false;
    this.zstdWindowLogSize = settings.zstdWindowLogSize ?? ZSTD_DEFAULT_WINDOW_LOG_SIZE;
    for (const level of [this.zlibLevel, this.gzipLevel]) {
      if (!Number.isInteger(level) || level < -1 || level > 9) throw new RangeError(`zlib level ${level} not in -1..9`);
    }
  }

  /** The zstd contexts, created on first use (loads the zstd addon; throws if it is missing). */
  private zstd(): ZstdCodec {
    this.zstdCodec ??= new ZstdCodec({
      level: this.zstdLevel,
      longDistanceMatching: this.zstdLongDistanceMatching,
      windowLogSize: this.zstdWindowLogSize,
    });
    return this.zstdCodec;
  }

  /**
   * The buffer size {@link compress} needs for `srcSize` input bytes, or -1 for an unknown
   * mode. (For FastLZ Godot's figure is computed from the unpadded size; it is at least 66.)
   * @see godot core/io/compression.cpp Compression::get_max_compressed_buffer_size
   */
  getMaxCompressedBufferSize(srcSize: number, mode: Mode): number {
    switch (mode) {
      case Mode.MODE_FASTLZ:
        return fastlzMaxCompressedSize(srcSize);
      case Mode.MODE_DEFLATE:
      case Mode.MODE_GZIP:
        return deflateBound(srcSize, mode === Mode.MODE_GZIP);
      case Mode.MODE_ZSTD:
        return zstdMaxCompressedSize(srcSize);
      default:
        return -1;
    }
  }

  /**
   * Compresses `src` into `dst`, which must hold {@link getMaxCompressedBufferSize} bytes;
   * returns the compressed size, or -1 on failure (unknown mode, `dst` too small).
   * @throws Error for MODE_ZSTD when the zstd addon is unavailable
   * @see godot core/io/compression.cpp Compression::compress
   */
  compress(dst: Uint8Array, src: Uint8Array, mode: Mode): number {
    if (!isMode(mode)) return -1;
    if (dst.length < this.getMaxCompressedBufferSize(src.length, mode)) return -1;
    switch (mode) {
      case Mode.MODE_FASTLZ: {
        if (src.length < FASTLZ_MIN_BLOCK) {
          const padded = new Uint8Array(FASTLZ_MIN_BLOCK);
          padded.set(src);
          return fastlzCompress(padded, dst);
        }
        return fastlzCompress(src, dst);
      }
      case Mode.MODE_DEFLATE:
      case Mode.MODE_GZIP: {
        const gzip = mode === Mode.MODE_GZIP;
        const out = deflateCompress(src, { level: gzip ? this.gzipLevel : this.zlibLevel, gzip });
        if (out.length > dst.length) return -1;
        dst.set(out);
        return out.length;
      }
      case Mode.MODE_ZSTD:
        return this.zstd().compress(src, dst);
    }
  }

  /**
   * Decompresses `src` into `dst` (`dst.length` is the most Godot may write); returns the
   * decompressed size, or -1 on failure — 0 for FastLZ, whose decoder reports errors as 0,
   * as in Godot. Never throws on bad data; throws for MODE_ZSTD without the zstd addon.
   * @see godot core/io/compression.cpp Compression::decompress
   */
  decompress(dst: Uint8Array, src: Uint8Array, mode: Mode): number {
    switch (mode) {
      case Mode.MODE_FASTLZ: {
        if (dst.length < FASTLZ_MIN_BLOCK) {
          // Godot decodes into 16 bytes and copies dst.length of them. It then returns
          // FastLZ's result (3.x: 16 — more than it copied — or 0 on failure) or dst.length
          // (4.x, even on failure). gdwire returns what it copied, and 0 on failure.
          const scratch = this.fastlzScratch;
          const n = fastlzDecompress(src, scratch);
          if (n === 0) return 0;
          const len = Math.min(n, dst.length);
          dst.set(scratch.subarray(0, len));
          return len;
        }
        return fastlzDecompress(src, dst);
      }
      case Mode.MODE_DEFLATE:
        return deflateDecompress(src, dst);
      case Mode.MODE_GZIP:
        return deflateDecompress(src, dst, { gzip: true });
      case Mode.MODE_ZSTD:
        return this.zstd().decompress(src, dst);
      default:
        return -1;
    }
  }

  /**
   * PoolByteArray.compress(mode): the compressed bytes; empty for an empty input (Godot
   * does not compress those) or on failure.
   * @see godot core/variant_call.cpp _call_PoolByteArray_compress
   */
  compressBytes(src: Uint8Array, mode: Mode = Mode.MODE_FASTLZ): Uint8Array {
    if (src.length === 0) return new Uint8Array(0);
    const max = this.getMaxCompressedBufferSize(src.length, mode);
    if (max < 0) return new Uint8Array(0);
    const dst = new Uint8Array(max);
    const n = this.compress(dst, src, mode);
    return n > 0 ? dst.slice(0, n) : new Uint8Array(0);
  }

  /**
   * PoolByteArray.decompress(buffer_size, mode): the decompressed bytes (at most
   * `bufferSize`), or null where Godot 3.2 fails (it then returns an empty array).
   * `bufferSize` must be > 0, as in Godot.
   * @see godot core/variant_call.cpp _call_PoolByteArray_decompress
   */
  decompressBytes(src: Uint8Array, bufferSize: number, mode: Mode = Mode.MODE_FASTLZ): Uint8Array | null {
    if (!Number.isInteger(bufferSize) || bufferSize <= 0) return null;
    const dst = new Uint8Array(bufferSize);
    const n = this.decompress(dst, src, mode);
    return n > 0 || (n === 0 && mode !== Mode.MODE_FASTLZ) ? dst.slice(0, n) : null;
  }
}

/**
 * zlib's deflateBound() for windowBits 15, memLevel 8 and the default level (the
 * parameters Godot passes): the stored-blocks worst case plus the wrapper.
 */
function deflateBound(sourceLen: number, gzip: boolean): number {
  const wrapper = gzip ? 18 : 6;
  return sourceLen + (sourceLen >> 12) + (sourceLen >> 14) + (sourceLen >> 25) + 13 - 6 + wrapper;
}
