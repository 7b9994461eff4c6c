/**
 * Godot's MODE_ZSTD: one standard Zstandard frame (RFC 8878), compressed in one shot with
 * ZSTD_compressCCtx at the configured level (default 3) and decompressed in one shot with
 * ZSTD_decompressDCtx straight into the caller's buffer, whose size bounds the output.
 *
 * Backed by the `zstd-napi` package (Node-API bindings to libzstd, built from the copy of
 * zstd it ships): Node 20's zlib has no zstd, and a synchronous call that writes into a
 * caller-supplied buffer is what an ENet compressor callback needs. The addon is loaded on
 * first use, so gdwire works without it unless ZSTD is asked for.
 *
 * @see godot core/io/compression.cpp Compression::compress / decompress (MODE_ZSTD)
 */
import { createRequire } from 'node:module';
import type * as ZstdBinding from 'zstd-napi/binding.js';

/** Godot's project setting compression/formats/zstd/compression_level default. */
export const ZSTD_DEFAULT_LEVEL = 3;
/** Godot's compression/formats/zstd/window_log_size default (ZSTD_WINDOWLOG_LIMIT_DEFAULT). */
export const ZSTD_DEFAULT_WINDOW_LOG_SIZE = 27;

export interface ZstdOptions {
  /** Compression level; Godot's default 3. */
  level?: number;
  /** compression/formats/zstd/long_distance_matching (default false). */
  longDistanceMatching?: boolean;
  /** compression/formats/zstd/window_log_size, used only with long-distance matching. */
  windowLogSize?: number;
}

type Binding = typeof ZstdBinding;
let binding: Binding | null = null;
let loadError: Error | null = null;

/** The zstd-napi binding, loaded once; throws (with the reason) when it cannot be loaded. */
function zstd(): Binding {
  if (binding) return binding;
  if (loadError) throw loadError;
  try {
    binding = createRequire(import.meta.url)('zstd-napi/binding') as Binding;
    return binding;
  } catch (e) {
    loadError = new Error(`zstd is unavailable: the zstd-napi addon did not load (${(e as Error).message})`);
    throw loadError;
  }
}

/** Whether the zstd addon can be loaded here. */
export function zstdAvailable(): boolean {
  try {
    zstd();
    return true;
  } catch {
    return false;
  }
}

/** The libzstd version the addon was built from, e.g. "1.5.7". */
export function zstdVersion(): string {
  return zstd().versionString();
}

/** ZSTD_compressBound: the most a frame of `length` input bytes can take. */
export function zstdMaxCompressedSize(length: number): number {
  return zstd().compressBound(length);
}

/**
 * A reusable zstd compression and decompression context pair (Godot creates one CCtx per
 * call and caches one DCtx; reusing both changes no output). Not for concurrent use.
 */
export class ZstdCodec {
  private readonly cctx: ZstdBinding.CCtx;
  private readonly dctx: ZstdBinding.DCtx;
  private readonly level: number;
  private readonly ldm: boolean;
  private readonly windowLog: number;

  /** @throws Error when the zstd addon is unavailable */
  constructor(options: ZstdOptions = {}) {
    const z = zstd();
    this.level = options.level ?? ZSTD_DEFAULT_LEVEL;
    this.ldm = options.longDistanceMatching ?? false;
    this.windowLog = options.windowLogSize ?? ZSTD_DEFAULT_WINDOW_LOG_SIZE;
    this.cctx = new z.CCtx();
    this.dctx = new z.DCtx();
    if (this.ldm) {
      this.cctx.setParameter(z.CParameter.compressionLevel, this.level);
      this.cctx.setParameter(z.CParameter.enableLongDistanceMatching, 1);
      this.cctx.setParameter(z.CParameter.windowLog, this.windowLog);
      this.dctx.setParameter(z.DParameter.windowLogMax, this.windowLog);
    }
  }

  /**
   * Compresses `src` into `dst`; returns the frame length, or -1 when it does not fit
   * (or zstd reports any other error).
   */
  compress(src: Uint8Array, dst: Uint8Array): number {
    try {
      // Without long-distance matching this is exactly Godot's ZSTD_compressCCtx call;
      // with it, ZSTD_compress2 honours the parameters set in the constructor.
      return this.ldm ? this.cctx.compress2(dst, src) : this.cctx.compress(dst, src, this.level);
    } catch {
      return -1;
    }
  }

  /**
   * Decompresses every frame in `src` into `dst`; returns the decompressed length, or -1
   * on a malformed or truncated frame or one that does not fit in `dst`. Never throws;
   * writes only into `dst` (single-shot decoding needs no window buffer).
   */
  decompress(src: Uint8Array, dst: Uint8Array): number {
    try {
      return this.dctx.decompress(dst, src);
    } catch {
      return -1;
    }
  }
}
