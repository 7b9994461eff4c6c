/**
 * ENet's built-in datagram compressor: an adaptive order-2 PPM model driving a 32-bit range
 * coder (Godot's COMPRESS_RANGE_CODER). Byte-compatible with ENet 1.3.17 in both directions:
 * the model, its update rules and every 8/16/32-bit truncation follow the C implementation,
 * because a single differing rounding desynchronises the decoder.
 *
 * Stream format (as ENet): no length prefix and no end marker. The encoder flushes the low
 * end of its final interval without trailing zero bytes; the decoder reads missing bytes as
 * zero and stops when the order-0 context decodes an escape.
 *
 * Model: symbols live in one table of 4096 nodes (struct-of-arrays below). A node is both a
 * symbol in its context's binary tree (value, count, under = count plus the counts of its
 * left subtree, left/right as forward offsets) and the root of the context that follows
 * it (symbols = offset of that context's tree, escapes, total, parent = the same symbol one
 * order lower). Node 0 is the order-0 root context. The table is reset when it is full.
 *
 * @see enet compress.c enet_range_coder_compress, enet_range_coder_decompress
 */

const SYMBOL_CAPACITY = 4096;
/** @see enet compress.c ENET_RANGE_CODER_TOP / BOTTOM */
const TOP = 1 << 24;
const BOTTOM = 1 << 16;
/** Increments and floors of the order-0 context (every byte value has a minimum count 1). */
const ROOT_SYMBOL_DELTA = 3;
const ROOT_SYMBOL_MINIMUM = 1;
const ROOT_ESCAPE_MINIMUM = 1;
/** Higher-order contexts: no minimum, escapes grow by 5 whenever a new symbol appears. */
const SUBCONTEXT_ORDER = 2;
const SUBCONTEXT_SYMBOL_DELTA = 2;
const SUBCONTEXT_ESCAPE_DELTA = 5;
const ROOT = 0;
/** Sentinel for "the parent link to write next is `predicted` itself". */
const PREDICTED_SLOT = -1;

/** Outcome of decoding one byte. */
enum DecodeResult {
  BYTE,
  END,
  CORRUPT,
}

/** A packet compressor as ENet's host uses one (ENetCompressor without the context). */
export interface Compressor {
  /** Compresses `input` into `output`; returns the length, or 0 if it does not fit. */
  compress(input: Uint8Array, output: Uint8Array): number;
  /** Decompresses `input` into `output`; returns the length, or 0 on malformed/oversized data. */
  decompress(input: Uint8Array, output: Uint8Array): number;
}

export class RangeCoder implements Compressor {
  // The symbol table, struct-of-arrays; the array widths are the C field widths.
  private readonly value = new Uint8Array(SYMBOL_CAPACITY);
  private readonly count = new Uint8Array(SYMBOL_CAPACITY);
  private readonly under = new Uint16Array(SYMBOL_CAPACITY);
  private readonly left = new Uint16Array(SYMBOL_CAPACITY);
  private readonly right = new Uint16Array(SYMBOL_CAPACITY);
  private readonly symbols = new Uint16Array(SYMBOL_CAPACITY);
  private readonly escapes = new Uint16Array(SYMBOL_CAPACITY);
  private readonly total = new Uint16Array(SYMBOL_CAPACITY);
  private readonly parent = new Uint16Array(SYMBOL_CAPACITY);
  private nextSymbol = 0;
  private predicted = 0;
  private order = 0;
  /** Where the next symbol index is linked: PREDICTED_SLOT or a node whose parent to set. */
  private parentSlot = PREDICTED_SLOT;

  // Results of the last tree lookup (kept as fields so the hot loop allocates nothing).
  private foundSymbol = 0;
  private foundUnder = 0;
  private foundCount = 0;
  private foundValue = 0;

  // Coder registers (unsigned 32-bit values held in JS numbers).
  private low = 0;
  private range = 0;
  private code = 0;
  private io: Uint8Array = new Uint8Array(0);
  private ioPos = 0;
  private ioEnd = 0;
  private overflow = false;

  // ---- model ----------------------------------------------------------------------------------
  private createSymbol(value: number, count: number): number {
    const s = this.nextSymbol++;
    this.value[s] = value;
    this.count[s] = count;
    this.under[s] = count;
    this.left[s] = 0;
    this.right[s] = 0;
    this.symbols[s] = 0;
    this.escapes[s] = 0;
    this.total[s] = 0;
    this.parent[s] = 0;
    return s;
  }

  private resetModel(): void {
    this.nextSymbol = 0;
    const root = this.createSymbol(0, 0);
    this.escapes[root] = ROOT_ESCAPE_MINIMUM;
    this.total[root] = ROOT_ESCAPE_MINIMUM + 256 * ROOT_SYMBOL_MINIMUM;
    this.predicted = 0;
    this.order = 0;
  }

  /** Links the symbol just coded into the chain of contexts (predicted → … → order 0). */
  private link(symbol: number): void {
    if (this.parentSlot === PREDICTED_SLOT) this.predicted = symbol;
    else this.parent[this.parentSlot] = symbol;
    this.parentSlot = symbol;
  }

  /** Halves every count in a subtree; returns the subtree's new total. @see enet_symbol_rescale */
  private rescaleSymbols(start: number): number {
    let total = 0;
    let s = start;
    for (;;) {
      this.count[s] = this.count[s]! - (this.count[s]! >> 1);
      this.under[s] = this.count[s]!;
      if (this.left[s]) this.under[s] = this.under[s]! + this.rescaleSymbols(s + this.left[s]!);
      total = (total + this.under[s]!) & 0xffff;
      if (!this.right[s]) break;
      s += this.right[s]!;
    }
    return total;
  }

  /** @see enet compress.c ENET_CONTEXT_RESCALE */
  private rescaleContext(context: number, minimum: number): void {
    this.total[context] = this.symbols[context] ? this.rescaleSymbols(context + this.symbols[context]!) : 0;
    this.escapes[context] = this.escapes[context]! - (this.escapes[context]! >> 1);
    this.total[context] = this.total[context]! + this.escapes[context]! + 256 * minimum;
  }

  /** After each byte: shorten the context when it is deeper than order 2; reset a full table. */
  private advanceContext(): void {
    if (this.order >= SUBCONTEXT_ORDER) this.predicted = this.parent[this.predicted]!;
    else this.order++;
    if (this.nextSymbol >= SYMBOL_CAPACITY - SUBCONTEXT_ORDER) this.resetModel();
  }

  /**
   * Finds `value` in the context's tree, adding it when absent, and bumps its counts by
   * `update`. Sets foundSymbol and the cumulative range (foundUnder, foundCount); foundCount
   * equals `minimum` for a symbol that was just created. @see enet ENET_CONTEXT_ENCODE
   */
  private lookupOrAdd(context: number, value: number, update: number, minimum: number): void {
    let under = value * minimum;
    let count = minimum;
    if (!this.symbols[context]) {
      const s = this.createSymbol(value, update);
      this.symbols[context] = s - context;
      this.foundSymbol = s;
    } else {
      let node = context + this.symbols[context]!;
      for (;;) {
        const nv = this.value[node]!;
        if (value < nv) {
          this.under[node] = this.under[node]! + update;
          if (this.left[node]) {
            node += this.left[node]!;
            continue;
          }
          const s = this.createSymbol(value, update);
          this.left[node] = s - node;
          this.foundSymbol = s;
        } else if (value > nv) {
          under += this.under[node]!;
          if (this.right[node]) {
            node += this.right[node]!;
            continue;
          }
          const s = this.createSymbol(value, update);
          this.right[node] = s - node;
          this.foundSymbol = s;
        } else {
          count += this.count[node]!;
          under += this.under[node]! - this.count[node]!;
          this.under[node] = this.under[node]! + update;
          this.count[node] = this.count[node]! + update;
          this.foundSymbol = node;
        }
        break;
      }
    }
    this.foundUnder = under & 0xffff;
    this.foundCount = count & 0xffff;
  }

  // ---- encoder ----------------------------------------------------------------------------------
  private emit(byte: number): void {
    if (this.ioPos >= this.ioEnd) {
      this.overflow = true;
      return;
    }
    this.io[this.ioPos++] = byte;
  }

  /** Narrows the interval to [under, under+count) of `total` and shifts out settled bytes. */
  private encode(under: number, count: number, total: number): void {
    this.range = Math.floor(this.range / total);
    this.low = (this.low + under * this.range) >>> 0;
    this.range = (this.range * count) >>> 0;
    for (;;) {
      if ((this.low ^ ((this.low + this.range) >>> 0)) >>> 0 >= TOP) {
        if (this.range >= BOTTOM) break;
        this.range = -this.low & (BOTTOM - 1);
      }
      this.emit(this.low >>> 24);
      this.range = (this.range << 8) >>> 0;
      this.low = (this.low << 8) >>> 0;
    }
  }

  /** @see enet compress.c enet_range_coder_compress */
  compress(input: Uint8Array, output: Uint8Array): number {
    if (input.length === 0) return 0;
    this.io = output;
    this.ioPos = 0;
    this.ioEnd = output.length;
    this.overflow = false;
    this.low = 0;
    this.range = 0xffffffff;
    this.resetModel();
    for (let i = 0; i < input.length && !this.overflow; i++) {
      this.compressByte(input[i]!);
      this.advanceContext();
    }
    while (this.low && !this.overflow) {
      this.emit(this.low >>> 24);
      this.low = (this.low << 8) >>> 0;
    }
    return this.overflow ? 0 : this.ioPos;
  }

  private compressByte(value: number): void {
    this.parentSlot = PREDICTED_SLOT;
    // Try the order-2 and order-1 contexts first; escape out of each that lacks the byte.
    for (let ctx = this.predicted; ctx !== ROOT; ) {
      this.lookupOrAdd(ctx, value, SUBCONTEXT_SYMBOL_DELTA, 0);
      this.link(this.foundSymbol);
      const total = this.total[ctx]!;
      const count = this.foundCount;
      if (count > 0) {
        this.encode(this.escapes[ctx]! + this.foundUnder, count, total);
      } else {
        if (this.escapes[ctx]! > 0 && this.escapes[ctx]! < total) this.encode(0, this.escapes[ctx]!, total);
        this.escapes[ctx] = this.escapes[ctx]! + SUBCONTEXT_ESCAPE_DELTA;
        this.total[ctx] = this.total[ctx]! + SUBCONTEXT_ESCAPE_DELTA;
      }
      this.total[ctx] = this.total[ctx]! + SUBCONTEXT_SYMBOL_DELTA;
      if (count > 0xff - 2 * SUBCONTEXT_SYMBOL_DELTA || this.total[ctx]! > BOTTOM - 0x100) this.rescaleContext(ctx, 0);
      if (count > 0) return;
      ctx = this.parent[ctx]!;
    }
    // Order 0 always holds every byte value.
    this.lookupOrAdd(ROOT, value, ROOT_SYMBOL_DELTA, ROOT_SYMBOL_MINIMUM);
    this.link(this.foundSymbol);
    const count = this.foundCount;
    this.encode(this.escapes[ROOT]! + this.foundUnder, count, this.total[ROOT]!);
    this.total[ROOT] = this.total[ROOT]! + ROOT_SYMBOL_DELTA;
    if (count > 0xff - 2 * ROOT_SYMBOL_DELTA + ROOT_SYMBOL_MINIMUM || this.total[ROOT]! > BOTTOM - 0x100) {
      this.rescaleContext(ROOT, ROOT_SYMBOL_MINIMUM);
    }
  }

  // ---- decoder ----------------------------------------------------------------------------------
  private nextInputByte(): number {
    return this.ioPos < this.ioEnd ? this.io[this.ioPos++]! : 0;
  }

  /** Scales the range to `total` and returns where the code falls (16-bit, as in C). */
  private read(total: number): number {
    this.range = Math.floor(this.range / total);
    return Math.floor(((this.code - this.low) >>> 0) / this.range) & 0xffff;
  }

  private decode(under: number, count: number): void {
    this.low = (this.low + under * this.range) >>> 0;
    this.range = (this.range * count) >>> 0;
    for (;;) {
      if ((this.low ^ ((this.low + this.range) >>> 0)) >>> 0 >= TOP) {
        if (this.range >= BOTTOM) break;
        this.range = -this.low & (BOTTOM - 1);
      }
      this.code = ((this.code << 8) | this.nextInputByte()) >>> 0;
      this.range = (this.range << 8) >>> 0;
      this.low = (this.low << 8) >>> 0;
    }
  }

  /**
   * Finds the symbol whose cumulative range contains `code` in a higher-order context.
   * @returns false when the code points at no existing symbol (corrupt input)
   * @see enet compress.c ENET_CONTEXT_TRY_DECODE
   */
  private findSymbol(context: number, code: number): boolean {
    let under = 0;
    if (!this.symbols[context]) return false;
    let node = context + this.symbols[context]!;
    for (;;) {
      const after = (under + this.under[node]!) & 0xffff;
      const before = this.count[node]!;
      if (code >= after) {
        under = (under + this.under[node]!) & 0xffff;
        if (!this.right[node]) return false;
        node += this.right[node]!;
      } else if (code < after - before) {
        this.under[node] = this.under[node]! + SUBCONTEXT_SYMBOL_DELTA;
        if (!this.left[node]) return false;
        node += this.left[node]!;
      } else {
        this.foundValue = this.value[node]!;
        this.foundCount = before;
        this.foundUnder = (after - before) & 0xffff;
        this.under[node] = this.under[node]! + SUBCONTEXT_SYMBOL_DELTA;
        this.count[node] = this.count[node]! + SUBCONTEXT_SYMBOL_DELTA;
        this.foundSymbol = node;
        return true;
      }
    }
  }

  /**
   * Order-0 lookup: every byte value has an implicit count of 1, so a code that lands between
   * existing symbols names a new one, which is created. @see ENET_CONTEXT_ROOT_DECODE
   */
  private findOrCreateRootSymbol(code: number): void {
    const m = ROOT_SYMBOL_MINIMUM;
    const update = ROOT_SYMBOL_DELTA;
    let under = 0;
    if (!this.symbols[ROOT]) {
      this.foundValue = Math.floor(code / m) & 0xff;
      this.foundUnder = (code - (code % m)) & 0xffff;
      this.foundCount = m;
      const s = this.createSymbol(this.foundValue, update);
      this.symbols[ROOT] = s - ROOT;
      this.foundSymbol = s;
      return;
    }
    let node = ROOT + this.symbols[ROOT]!;
    for (;;) {
      const after = (under + this.under[node]! + (this.value[node]! + 1) * m) & 0xffff;
      const before = (this.count[node]! + m) & 0xffff;
      if (code >= after) {
        under = (under + this.under[node]!) & 0xffff;
        if (this.right[node]) {
          node += this.right[node]!;
          continue;
        }
        this.foundValue = (this.value[node]! + 1 + Math.floor((code - after) / m)) & 0xff;
        this.foundUnder = (code - ((code - after) % m)) & 0xffff;
        this.foundCount = m;
        const s = this.createSymbol(this.foundValue, update);
        this.right[node] = s - node;
        this.foundSymbol = s;
      } else if (code < after - before) {
        this.under[node] = this.under[node]! + update;
        if (this.left[node]) {
          node += this.left[node]!;
          continue;
        }
        const gap = after - before - code - 1;
        this.foundValue = (this.value[node]! - 1 - Math.floor(gap / m)) & 0xff;
        this.foundUnder = (code - (gap % m)) & 0xffff;
        this.foundCount = m;
        const s = this.createSymbol(this.foundValue, update);
        this.left[node] = s - node;
        this.foundSymbol = s;
      } else {
        this.foundValue = this.value[node]!;
        this.foundCount = (m + this.count[node]!) & 0xffff;
        this.foundUnder = (after - before) & 0xffff;
        this.under[node] = this.under[node]! + update;
        this.count[node] = this.count[node]! + update;
        this.foundSymbol = node;
      }
      return;
    }
  }

  /** @see enet compress.c enet_range_coder_decompress */
  decompress(input: Uint8Array, output: Uint8Array): number {
    if (input.length === 0) return 0;
    this.io = input;
    this.ioPos = 0;
    this.ioEnd = input.length;
    this.low = 0;
    this.range = 0xffffffff;
    this.code = 0;
    for (let i = 0; i < 4; i++) this.code = ((this.code << 8) | this.nextInputByte()) >>> 0;
    this.resetModel();
    let outPos = 0;
    for (;;) {
      const result = this.decompressByte();
      if (result === DecodeResult.END) break;
      if (result === DecodeResult.CORRUPT) return 0;
      if (outPos >= output.length) return 0;
      output[outPos++] = this.foundValue;
      this.advanceContext();
    }
    return outPos;
  }

  private decompressByte(): DecodeResult {
    this.parentSlot = PREDICTED_SLOT;
    let ctx = this.predicted;
    let bottom = 0;
    for (; ctx !== ROOT; ctx = this.parent[ctx]!) {
      const escapes = this.escapes[ctx]!;
      const total = this.total[ctx]!;
      if (escapes <= 0 || escapes >= total) continue;
      const code = this.read(total);
      if (code < escapes) {
        this.decode(0, escapes);
        continue;
      }
      if (!this.findSymbol(ctx, code - escapes)) return DecodeResult.CORRUPT;
      bottom = this.foundSymbol;
      const count = this.foundCount;
      this.decode(escapes + this.foundUnder, count);
      this.total[ctx] = this.total[ctx]! + SUBCONTEXT_SYMBOL_DELTA;
      if (count > 0xff - 2 * SUBCONTEXT_SYMBOL_DELTA || this.total[ctx]! > BOTTOM - 0x100) this.rescaleContext(ctx, 0);
      break;
    }
    if (ctx === ROOT) {
      const escapes = this.escapes[ROOT]!;
      const code = this.read(this.total[ROOT]!);
      if (code < escapes) {
        this.decode(0, escapes);
        return DecodeResult.END;
      }
      this.findOrCreateRootSymbol(code - escapes);
      bottom = this.foundSymbol;
      const count = this.foundCount;
      this.decode(escapes + this.foundUnder, count);
      this.total[ROOT] = this.total[ROOT]! + ROOT_SYMBOL_DELTA;
      if (count > 0xff - 2 * ROOT_SYMBOL_DELTA + ROOT_SYMBOL_MINIMUM || this.total[ROOT]! > BOTTOM - 0x100) {
        this.rescaleContext(ROOT, ROOT_SYMBOL_MINIMUM);
      }
    }
    // Teach the byte to the higher-order contexts that escaped, as the encoder did.
    const value = this.foundValue;
    for (let patch = this.predicted; patch !== ctx; patch = this.parent[patch]!) {
      this.lookupOrAdd(patch, value, SUBCONTEXT_SYMBOL_DELTA, 0);
      this.link(this.foundSymbol);
      const count = this.foundCount;
      if (count <= 0) {
        this.escapes[patch] = this.escapes[patch]! + SUBCONTEXT_ESCAPE_DELTA;
        this.total[patch] = this.total[patch]! + SUBCONTEXT_ESCAPE_DELTA;
      }
      this.total[patch] = this.total[patch]! + SUBCONTEXT_SYMBOL_DELTA;
      if (count > 0xff - 2 * SUBCONTEXT_SYMBOL_DELTA || this.total[patch]! > BOTTOM - 0x100) this.rescaleContext(patch, 0);
    }
    this.link(bottom);
    this.foundValue = value;
    return DecodeResult.BYTE;
  }
}
