/**
 * Small-buffer allocation from shared slabs, as Node's Buffer pool does: every packet copy
 * and outgoing datagram would otherwise allocate its own ArrayBuffer (an off-heap backing
 * store), which dominates the cost of a 1 KB message. Views carved here never overlap and
 * slab memory is never reused, so a view stays valid for as long as it is referenced.
 *
 * Consequence for callers: `bytes.buffer` of a pooled view is the whole slab and its
 * `byteOffset` is usually not 0 — use the view, or copy it, never `.buffer` alone.
 */
const SLAB_SIZE = 64 * 1024;
/** Larger buffers get their own ArrayBuffer. */
const MAX_POOLED = 4096;

let slab = new Uint8Array(SLAB_SIZE);
let offset = 0;

/** A zero-filled view of `length` bytes. */
export function allocateBytes(length: number): Uint8Array {
  if (length > MAX_POOLED) return new Uint8Array(length);
  const at = reserveInSlab(length);
  return slab.subarray(at, at + length);
}

/** A copy of `source` (pooled when small). */
export function copyBytes(source: Uint8Array): Uint8Array {
  const out = allocateBytes(source.length);
  out.set(source);
  return out;
}

/** Where {@link shareBytes} put a copy: `length` bytes of `buffer` at `offset`. */
export interface SharedBytes {
  readonly buffer: Uint8Array;
  readonly offset: number;
  readonly length: number;
}

/**
 * A copy of `source` for queueing to many peers (a relayed broadcast): the slab it was put in
 * (its own buffer when large) and its offset there. Consecutive copies share a slab, so a
 * peer's queued messages share one buffer reference (outgoing-queue.ts keeps one per buffer
 * change, not per message: profile, relay).
 */
export function shareBytes(source: Uint8Array): SharedBytes {
  const length = source.length;
  if (length > MAX_POOLED) return { buffer: source.slice(), offset: 0, length };
  const at = reserveInSlab(length);
  slab.set(source, at);
  return { buffer: slab, offset: at, length };
}

/**
 * Reserves `length` bytes (≤ 4096) in the current slab, or a new one, and returns their offset in
 * {@link reservedSlab}, which must be read right after: a queued message can keep
 * (slab, offset) instead of a view object of its own (profile: ≈ 80 B of heap per queued
 * message, copied and promoted by the GC when many wait).
 */
export function reserveInSlab(length: number): number {
  if (offset + length > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    offset = 0;
  }
  const at = offset;
  offset = (offset + length + 7) & ~7;
  return at;
}

/** The slab {@link reserveInSlab} reserved in. */
export function reservedSlab(): Uint8Array {
  return slab;
}
