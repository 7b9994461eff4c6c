/**
 * Godot's ENet packet compressors: the ENet `Compressor` for each compression mode Godot
 * offers, and the mode enums of both Godot generations.
 *
 * What goes through the compressor is a whole datagram minus the ENet protocol header.
 * Godot compresses it into a scratch buffer with `Compression::compress` and keeps the
 * result only if it fits ENet's out limit; ENet in turn sends it only when it is strictly
 * smaller than the original (else the datagram goes out uncompressed, without the
 * COMPRESSED header flag). The receiver decompresses with ENet's buffer size as the limit:
 * the decompressed length comes from the stream, never from a header.
 *
 * FASTLZ datagrams shorter than 16 bytes would be padded before compressing, so they would
 * decompress to 16 bytes (the tail zeros follow the real commands); such tiny datagrams
 * never compress to something smaller, so in practice they go out uncompressed.
 *
 * @see godot modules/enet/networked_multiplayer_enet.cpp enet_compress, enet_decompress, _setup_compressor (3.x)
 * @see godot modules/enet/enet_connection.cpp ENetConnection::Compressor (4.x)
 */
import { RangeCoder, type Compressor } from '../../../enet/index.js';
import { Compression, Mode, type CompressionSettings } from './compression.js';

/**
 * ENetConnection.CompressionMode (Godot 4.x). The numbers are the same as those of
 * Godot 3.x's NetworkedMultiplayerENet.CompressionMode (see
 * {@link NetworkedMultiplayerENetCompressionMode}): both bind COMPRESS_NONE..COMPRESS_ZSTD
 * as 0..4.
 */
export enum CompressionMode {
  COMPRESS_NONE = 0,
  COMPRESS_RANGE_CODER = 1,
  COMPRESS_FASTLZ = 2,
  COMPRESS_ZLIB = 3,
  COMPRESS_ZSTD = 4,
}

/**
 * NetworkedMultiplayerENet.CompressionMode (Godot 3.x; the `compression_mode` property,
 * default COMPRESS_NONE). Same members and numbers as Godot 4's ENetConnection enum.
 */
export enum NetworkedMultiplayerENetCompressionMode {
  COMPRESS_NONE = 0,
  COMPRESS_RANGE_CODER = 1,
  COMPRESS_FASTLZ = 2,
  COMPRESS_ZLIB = 3,
  COMPRESS_ZSTD = 4,
}

/** The Compression::Mode behind each Godot-side ENet compressor. */
const MODE_OF: Partial<Record<CompressionMode, Mode>> = {
  [CompressionMode.COMPRESS_FASTLZ]: Mode.MODE_FASTLZ,
  [CompressionMode.COMPRESS_ZLIB]: Mode.MODE_DEFLATE,
  [CompressionMode.COMPRESS_ZSTD]: Mode.MODE_ZSTD,
};

/**
 * The FASTLZ / ZLIB / ZSTD ENet compressor (Godot's `enet_compressor` callbacks).
 * One per host: it keeps scratch buffers and, for zstd, compression contexts.
 */
export class GodotENetCompressor implements Compressor {
  readonly mode: CompressionMode;
  private readonly codec: Compression;
  private readonly compressionMode: Mode;
  private scratch = new Uint8Array(0);

  /**
   * @throws RangeError for a mode that is not FASTLZ, ZLIB or ZSTD
   * @throws Error for ZSTD when the zstd addon is unavailable (checked here, not mid-session)
   */
  constructor(mode: CompressionMode, settings: CompressionSettings = {}) {
    const m = MODE_OF[mode];
    if (m === undefined) throw new RangeError(`ENet compression mode ${mode} has no Godot compressor`);
    this.mode = mode;
    this.compressionMode = m;
    this.codec = new Compression(settings);
    if (m === Mode.MODE_ZSTD) this.codec.getMaxCompressedBufferSize(0, m); // loads the addon now
  }

  /**
   * Compresses one datagram body. Returns the compressed length, or 0 ("send it
   * uncompressed") when compression fails, the result does not fit `output`, or it is not
   * smaller than the input (ENet would discard it anyway).
   * @see godot networked_multiplayer_enet.cpp NetworkedMultiplayerENet::enet_compress
   */
  compress(input: Uint8Array, output: Uint8Array): number {
    const need = this.codec.getMaxCompressedBufferSize(input.length, this.compressionMode);
    if (this.scratch.length < need) this.scratch = new Uint8Array(need);
    const n = this.codec.compress(this.scratch, input, this.compressionMode);
    if (n <= 0 || n > output.length || n >= input.length) return 0;
    output.set(this.scratch.subarray(0, n));
    return n;
  }

  /**
   * Decompresses one datagram body into `output` (its length is the limit). Returns the
   * decompressed length, or 0 when the data is malformed or too big — ENet then drops the
   * datagram. Never throws; never writes outside `output`.
   * @see godot networked_multiplayer_enet.cpp NetworkedMultiplayerENet::enet_decompress
   */
  decompress(input: Uint8Array, output: Uint8Array): number {
    const n = this.codec.decompress(output, input, this.compressionMode);
    return n < 0 ? 0 : n;
  }
}

/**
 * The ENet compressor for a Godot compression mode, as `_setup_compressor` installs it:
 * null for COMPRESS_NONE, ENet's range coder for COMPRESS_RANGE_CODER, else a
 * {@link GodotENetCompressor}. Both peers must use the same mode.
 * @throws RangeError for a number that is not a CompressionMode
 * @throws Error for COMPRESS_ZSTD when the zstd addon is unavailable
 * @see godot networked_multiplayer_enet.cpp NetworkedMultiplayerENet::_setup_compressor
 */
export function createENetCompressor(
  mode: CompressionMode | NetworkedMultiplayerENetCompressionMode,
  settings: CompressionSettings = {},
): Compressor | null {
  switch (mode as number) {
    case CompressionMode.COMPRESS_NONE:
      return null;
    case CompressionMode.COMPRESS_RANGE_CODER:
      return new RangeCoder();
    case CompressionMode.COMPRESS_FASTLZ:
    case CompressionMode.COMPRESS_ZLIB:
    case CompressionMode.COMPRESS_ZSTD:
      return new GodotENetCompressor(mode as number as CompressionMode, settings);
    default:
      throw new RangeError(`unknown ENet compression mode ${String(mode)}`);
  }
}
