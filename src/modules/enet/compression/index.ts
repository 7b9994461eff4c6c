/**
 * Godot's packet compression for ENet (NONE, RANGE_CODER, FASTLZ, ZLIB, ZSTD) and the
 * `Compression` class behind it, byte-compatible with Godot's formats.
 */
export {
  CompressionMode,
  NetworkedMultiplayerENetCompressionMode,
  GodotENetCompressor,
  createENetCompressor,
} from './enet-compressor.js';
export { Compression, Mode, FASTLZ_MIN_BLOCK, type CompressionSettings } from './compression.js';
export {
  fastlzCompress,
  fastlzCompressLevel,
  fastlzDecompress,
  fastlzMaxCompressedSize,
  FASTLZ_LEVEL2_THRESHOLD,
  type FastLzLevel,
} from './fastlz.js';
export { deflateCompress, deflateDecompress, Z_DEFAULT_COMPRESSION, type DeflateOptions } from './deflate.js';
export {
  ZstdCodec,
  zstdAvailable,
  zstdVersion,
  zstdMaxCompressedSize,
  ZSTD_DEFAULT_LEVEL,
  ZSTD_DEFAULT_WINDOW_LOG_SIZE,
  type ZstdOptions,
} from './zstd.js';
