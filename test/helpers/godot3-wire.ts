/**
 * A minimal, independent walker over Godot 3's Variant encoding (little-endian), used by the
 * interop tests to compare bytes that real Godot 3.2.3 produced with gdwire's.
 *
 * Godot 3.2.3 does not zero the padding after NodePath names (godot-wire.md §9): the pad bytes
 * carry leftover memory, so two encodings of the same NodePath may differ there. gdwire writes
 * zeros. {@link zeroNodePathPadding} returns a copy with exactly those bytes zeroed, so the
 * remaining bytes can be compared for equality. It deliberately shares no code with the codec.
 * @see godot core/io/marshalls.cpp encode_variant (3.2) for the layouts walked here
 */

/** Fixed payload sizes (bytes after the 4-byte header) of Godot 3's fixed-size types. */
const FIXED: ReadonlyMap<number, number> = new Map([
  [0, 0], // NIL
  [1, 4], // BOOL
  [5, 8], // VECTOR2
  [6, 16], // RECT2
  [7, 12], // VECTOR3
  [8, 24], // TRANSFORM2D
  [9, 16], // PLANE
  [10, 16], // QUAT
  [11, 24], // AABB
  [12, 36], // BASIS
  [13, 48], // TRANSFORM
  [14, 16], // COLOR
  [16, 0], // _RID: header only
]);
/** Element sizes of the fixed-element pool arrays. */
const POOL_ELEMENT: ReadonlyMap<number, number> = new Map([[21, 4], [22, 4], [24, 8], [25, 12], [26, 16]]);

const pad4 = (n: number): number => (4 - (n % 4)) % 4;

class Walker {
  private pos = 0;
  constructor(private readonly b: Uint8Array, private readonly view: DataView) {}

  get offset(): number { return this.pos; }

  private u32(): number {
    if (this.pos + 4 > this.b.length) throw new RangeError(`truncated at ${this.pos}`);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  private skip(n: number): void {
    if (this.pos + n > this.b.length) throw new RangeError(`truncated at ${this.pos} (+${n})`);
    this.pos += n;
  }

  /** u32 length, bytes, padding to 4; zeroes the padding when `zero`. */
  private string(zero: boolean): void {
    const len = this.u32();
    this.skip(len);
    const p = pad4(len);
    if (zero) this.b.fill(0, this.pos, Math.min(this.pos + p, this.b.length));
    this.skip(p);
  }

  variant(): void {
    const header = this.u32();
    const type = header & 0xff;
    const flag64 = (header & (1 << 16)) !== 0;
    const fixed = FIXED.get(type);
    if (fixed !== undefined) return this.skip(fixed);
    const element = POOL_ELEMENT.get(type);
    if (element !== undefined) return this.skip(this.u32() * element);
    switch (type) {
      case 2: case 3: return this.skip(flag64 ? 8 : 4); // INT, REAL
      case 4: return this.string(false); // STRING
      case 15: return this.nodePath();
      case 17: return this.object(flag64);
      case 18: return this.container(2); // DICTIONARY
      case 19: return this.container(1); // ARRAY
      case 20: { const n = this.u32(); return this.skip(n + pad4(n)); } // POOL_BYTE_ARRAY
      case 23: { const n = this.u32(); for (let i = 0; i < n; i++) this.string(false); return; }
      default: throw new RangeError(`unknown Godot 3 type ${type} at ${this.pos - 4}`);
    }
  }

  private nodePath(): void {
    const first = this.u32();
    if ((first & 0x80000000) === 0) { // old format: a plain string
      this.skip(first + pad4(first));
      return;
    }
    const names = first & 0x7fffffff;
    const subnames = this.u32();
    this.u32(); // flags (bit 0: absolute)
    for (let i = 0; i < names + subnames; i++) this.string(true);
  }

  private object(asId: boolean): void {
    if (asId) return this.skip(8);
    const classLen = this.view.getUint32(this.pos, true);
    this.string(false);
    if (classLen === 0) return;
    const props = this.u32();
    for (let i = 0; i < props; i++) {
      this.string(false);
      this.variant();
    }
  }

  private container(perEntry: number): void {
    const count = this.u32() & 0x7fffffff;
    for (let i = 0; i < count * perEntry; i++) this.variant();
  }
}

/** A copy of one encoded Godot 3 Variant with every NodePath name's padding zeroed. Throws
 * RangeError on malformed input or trailing bytes. */
export function zeroNodePathPadding(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes);
  const w = new Walker(copy, new DataView(copy.buffer, copy.byteOffset, copy.byteLength));
  w.variant();
  if (w.offset !== copy.length) throw new RangeError(`${copy.length - w.offset} trailing bytes`);
  return copy;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
