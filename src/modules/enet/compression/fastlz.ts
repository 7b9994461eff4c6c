/**
 * The FastLZ block format (levels 1 and 2), written for gdwire from the format's description.
 * Godot bundles FastLZ 0.5.0 (ariya/FastLZ @4f20f54, Feb 2020) as thirdparty/misc/fastlz.c;
 * this compressor makes the same choices (hash, match rules, run detection, length
 * encoding) so its output is byte-identical to Godot's, and the decompressor applies the
 * same bound checks (FASTLZ_SAFE), so it accepts and refuses the same streams.
 *
 * Format (no header, no length, no checksum; multi-byte fields big-endian):
 * - the top 3 bits of the first byte hold `level - 1`; that byte is otherwise an ordinary
 *   instruction, always a literal run.
 * - instruction byte `c`: if `c < 32`, a literal run of `c + 1` bytes follows. Otherwise a
 *   back-reference: length field `L = c >> 5` (1..7), distance high bits `c & 31`.
 *   - level 1: `L == 7` adds one extension byte to L; then one byte of distance low bits.
 *     Match length `L + 2`, distance `((c & 31) << 8 | low) + 1`, at most 8192.
 *   - level 2: `L == 7` adds extension bytes while they read 255; then the low distance
 *     byte. Low byte 255 with high bits 31 means a far match: a 16-bit big-endian distance
 *     follows, plus 8191.
 *
 * Errors: decompression returns 0 for anything malformed or not fitting the output; it
 * never reads or writes outside the given arrays and never allocates.
 *
 * @see godot thirdparty/misc/fastlz.c fastlz_compress, fastlz_decompress
 */

/** Longest literal run one instruction carries. */
const MAX_COPY = 32;
/** Level 1 splits matches longer than this (biased length 262 = 264 - 2). */
const MAX_LEN = 264;
/** Level 1 reaches back at most 8192 bytes. */
const MAX_L1_DISTANCE = 8192;
/** Level 2: distances at or beyond this (biased) use the 16-bit far form. */
const MAX_L2_DISTANCE = 8191;
/** Level 2 reaches back less than this. */
const MAX_FAR_DISTANCE = 65535 + MAX_L2_DISTANCE - 1;
const HASH_LOG = 13;
const HASH_SIZE = 1 << HASH_LOG;
const HASH_MASK = HASH_SIZE - 1;

/** Godot's fastlz_compress picks level 1 below this input size, level 2 from it on. */
export const FASTLZ_LEVEL2_THRESHOLD = 65536;

export type FastLzLevel = 1 | 2;

/** Positions of the last occurrence of each hashed 3-byte prefix (reused; not reentrant). */
const hashTable = new Int32Array(HASH_SIZE);

/**
 * An output size that any input of `length` bytes fits in. FastLZ itself needs at most
 * `length + ceil(length / 32) + 1`; this is Godot's looser figure, kept so buffer sizes
 * match. @see godot core/io/compression.cpp get_max_compressed_buffer_size (MODE_FASTLZ)
 */
export function fastlzMaxCompressedSize(length: number): number {
  return Math.max(66, length + Math.trunc((length * 6) / 100));
}

function hashAt(src: Uint8Array, p: number): number {
  const v = src[p]! | (src[p + 1]! << 8);
  return (v ^ (src[p + 1]! | (src[p + 2]! << 8)) ^ (v >> (16 - HASH_LOG))) & HASH_MASK;
}

/** Bytes written by one match instruction; the caller passes biased length and distance. */
function writeMatch(dst: Uint8Array, op: number, level: FastLzLevel, len: number, dist: number): number {
  if (level === 1) {
    while (len > MAX_LEN - 2) {
      dst[op++] = (7 << 5) + (dist >> 8);
      dst[op++] = MAX_LEN - 2 - 7 - 2;
      dst[op++] = dist & 255;
      len -= MAX_LEN - 2;
    }
    if (len < 7) {
      dst[op++] = (len << 5) + (dist >> 8);
    } else {
      dst[op++] = (7 << 5) + (dist >> 8);
      dst[op++] = len - 7;
    }
    dst[op++] = dist & 255;
    return op;
  }
  const far = dist >= MAX_L2_DISTANCE;
  const d = far ? dist - MAX_L2_DISTANCE : dist;
  const high = far ? 31 : d >> 8;
  if (len < 7) {
    dst[op++] = (len << 5) + high;
  } else {
    dst[op++] = (7 << 5) + high;
    for (len -= 7; len >= 255; len -= 255) dst[op++] = 255;
    dst[op++] = len;
  }
  if (far) {
    dst[op++] = 255;
    dst[op++] = d >> 8;
  }
  dst[op++] = d & 255;
  return op;
}

/**
 * Where a match found at `anchor` ends, plus one (FastLZ's scan overshoots by one byte).
 * `len` bytes are already known equal; `distance` is unbiased.
 */
function scanMatch(src: Uint8Array, anchor: number, len: number, distance: number, ipBound: number): number {
  let p = anchor + len;
  let r = p - distance;
  if (distance === 1) {
    // A run of one byte: extend while the previous byte repeats.
    const x = src[p - 1];
    while (p < ipBound && src[r] === x) {
      r++;
      p++;
    }
    return p;
  }
  // The first 8 comparisons are unconditional (the main loop's limit keeps them in range),
  // then the scan is bounded; either way the mismatching byte is stepped over.
  for (let k = 0; k < 8; k++) {
    if (src[r++] !== src[p++]) return p;
  }
  while (p < ipBound) {
    if (src[r++] !== src[p++]) break;
  }
  return p;
}

/**
 * Compresses `src` into `dst` at the given level; returns the compressed length.
 * `dst` must hold {@link fastlzMaxCompressedSize}(src.length) bytes.
 * @see godot thirdparty/misc/fastlz.c fastlz1_compress, fastlz2_compress
 */
export function fastlzCompressLevel(level: FastLzLevel, src: Uint8Array, dst: Uint8Array): number {
  const n = src.length;
  if (dst.length < fastlzMaxCompressedSize(n)) throw new RangeError('FastLZ output buffer too small');
  if (n < 4) {
    if (n === 0) return 0;
    dst[0] = n - 1;
    dst.set(src, 1);
    return n + 1;
  }
  const htab = hashTable;
  htab.fill(0);
  const ipBound = n - 2;
  const ipLimit = n - 12 - 1;
  const maxDistance = level === 1 ? MAX_L1_DISTANCE : MAX_FAR_DISTANCE;
  let op = 0;
  // Start with a literal run holding the first two bytes; its count byte is patched later.
  dst[op++] = MAX_COPY - 1;
  dst[op++] = src[0]!;
  dst[op++] = src[1]!;
  let copy = 2;
  let ip = 2;
  while (ip < ipLimit) {
    const anchor = ip;
    let len = 3;
    let distance = 0;
    if (level === 2 && src[ip] === src[ip - 1] && src[ip] === src[ip + 1] && src[ip + 1] === src[ip + 2]) {
      distance = 1; // level 2 takes runs without consulting (or updating) the hash table
    } else {
      const h = hashAt(src, ip);
      const ref = htab[h]!;
      htab[h] = anchor;
      const d = anchor - ref;
      let ok = d !== 0 && d < maxDistance &&
        src[ref] === src[ip] && src[ref + 1] === src[ip + 1] && src[ref + 2] === src[ip + 2];
      if (ok && level === 2 && d >= MAX_L2_DISTANCE) {
        // far matches must be at least 5 bytes long
        ok = src[ref + 3] === src[ip + 3] && src[ref + 4] === src[ip + 4];
        len = 5;
      }
      if (ok) distance = d;
    }
    if (distance === 0) {
      // no match: one more literal byte
      dst[op++] = src[anchor]!;
      ip = anchor + 1;
      if (++copy === MAX_COPY) {
        copy = 0;
        dst[op++] = MAX_COPY - 1;
      }
      continue;
    }
    const end = scanMatch(src, anchor, len, distance, ipBound);
    // Close the pending literal run, or take back its unused count byte.
    if (copy) dst[op - copy - 1] = copy - 1;
    else op--;
    copy = 0;
    ip = end - 3;
    op = writeMatch(dst, op, level, ip - anchor, distance - 1);
    // Hash the two positions at the end of the match.
    htab[hashAt(src, ip)] = ip;
    ip++;
    htab[hashAt(src, ip)] = ip;
    ip++;
    dst[op++] = MAX_COPY - 1; // assume a literal run follows
  }
  // The tail (last 13 or so bytes) is always literal.
  while (ip < n) {
    dst[op++] = src[ip++]!;
    if (++copy === MAX_COPY) {
      copy = 0;
      dst[op++] = MAX_COPY - 1;
    }
  }
  if (copy) dst[op - copy - 1] = copy - 1;
  else op--;
  if (level === 2) dst[0]! |= 1 << 5;
  return op;
}

/**
 * Compresses with the level Godot's fastlz_compress picks: 1 below 64 KiB, else 2.
 * Returns the compressed length; `dst` must hold {@link fastlzMaxCompressedSize} bytes.
 * @see godot thirdparty/misc/fastlz.c fastlz_compress
 */
export function fastlzCompress(src: Uint8Array, dst: Uint8Array): number {
  return fastlzCompressLevel(src.length < FASTLZ_LEVEL2_THRESHOLD ? 1 : 2, src, dst);
}

/**
 * Decompresses a FastLZ block (level read from its first byte) into `dst`; returns the
 * decompressed length, or 0 when the block is malformed, of an unknown level, or does not
 * fit in `dst`. Never throws.
 * @see godot thirdparty/misc/fastlz.c fastlz_decompress
 */
export function fastlzDecompress(src: Uint8Array, dst: Uint8Array): number {
  const n = src.length;
  if (n === 0) return 0;
  const level = (src[0]! >> 5) + 1;
  if (level !== 1 && level !== 2) return 0;
  const opLimit = dst.length;
  let ip = 1;
  let op = 0;
  let ctrl = src[0]! & 31;
  for (;;) {
    if (ctrl >= 32) {
      let len = (ctrl >> 5) - 1;
      let ref = op - ((ctrl & 31) << 8) - 1;
      if (level === 1) {
        if (len === 7 - 1) {
          if (ip > n - 2) return 0;
          len += src[ip++]!;
        }
        ref -= src[ip++]!; // in range: the loop only continues while ip <= n - 2
      } else {
        if (len === 7 - 1) {
          let code: number;
          do {
            if (ip > n - 2) return 0;
            code = src[ip++]!;
            len += code;
          } while (code === 255);
        }
        // C FastLZ reads one byte past the input here when the block ends on an
        // instruction byte; such a block is refused instead.
        if (ip >= n) return 0;
        const code = src[ip++]!;
        ref -= code;
        if (code === 255 && (ctrl & 31) === 31) {
          if (ip >= n - 2) return 0;
          const far = (src[ip]! << 8) | src[ip + 1]!;
          ip += 2;
          ref = op - far - MAX_L2_DISTANCE - 1;
        }
      }
      len += 3;
      if (op + len > opLimit || ref < 0) return 0;
      if (ref + len <= op) {
        dst.copyWithin(op, ref, ref + len);
        op += len;
      } else {
        // overlapping: byte by byte, so a short distance repeats the bytes just written
        for (let i = 0; i < len; i++) dst[op++] = dst[ref + i]!;
      }
    } else {
      ctrl++;
      if (op + ctrl > opLimit || ip + ctrl > n) return 0;
      dst.set(src.subarray(ip, ip + ctrl), op);
      ip += ctrl;
      op += ctrl;
    }
    if (level === 1 ? ip > n - 2 : ip >= n) break;
    ctrl = src[ip++]!;
  }
  return op;
}
