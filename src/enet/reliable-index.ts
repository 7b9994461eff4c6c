/**
 * The reliable commands of a peer that were sent as rows and not yet acknowledged, found by
 * (channel, sequence number) when their acknowledgement arrives: each number maps to the
 * command's entry number in the sent queue (sent-queue.ts), −1 when absent.
 *
 * A channel's first sends go out in sequence order, and ENet's reliable windows keep the
 * numbers in flight on one channel within a span far below 2^16. So each channel keeps its
 * commands in a ring indexed by the sequence number's low bits, spanning the oldest number
 * still in flight to the newest: set, get and delete are an array access each. (Profile: a
 * Map keyed by channel and number cost ≈ 40 ns per message sent, for its insert, lookup and
 * delete.) The ring grows by doubling when the span outgrows it and never shrinks until the
 * peer is reset.
 *
 * @see enet protocol.c enet_protocol_remove_sent_reliable_command (ENet searches its lists)
 */
const INITIAL_SLOTS = 64;
/** Every 16-bit sequence number: the most a ring can ever need. */
const MAX_SLOTS = 0x10000;

const EMPTY = -1;

/** The sent, unacknowledged reliable commands of one channel (entry numbers; −1: a free slot). */
class SentRing {
  private slots = new Float64Array(INITIAL_SLOTS).fill(EMPTY);
  private mask = INITIAL_SLOTS - 1;
  /** Sequence number of the oldest entry (meaningful when count > 0). */
  private base = 0;
  /** Numbers from base that may hold entries: the newest entry is base + span − 1. */
  private span = 0;
  private count = 0;

  /** Adds the command numbered `seq`, newer than every number present (first sends go in order). */
  set(seq: number, c: number): void {
    if (this.count === 0) {
      this.base = seq;
      this.span = 0;
    }
    const d = (seq - this.base) & 0xffff;
    if (d > this.mask) this.grow(d + 1);
    const i = seq & this.mask;
    if (this.slots[i] === EMPTY) this.count++;
    this.slots[i] = c;
    if (d >= this.span) this.span = d + 1;
  }

  get(seq: number): number {
    if (((seq - this.base) & 0xffff) >= this.span) return EMPTY;
    return this.slots[seq & this.mask]!;
  }

  /** Removes and returns the entry of the command numbered `seq` (−1 when absent). */
  delete(seq: number): number {
    const d = (seq - this.base) & 0xffff;
    if (d >= this.span) return EMPTY;
    const i = seq & this.mask;
    const c = this.slots[i]!;
    if (c === EMPTY) return EMPTY;
    this.slots[i] = EMPTY;
    if (--this.count === 0) {
      this.span = 0;
    } else if (d === 0) {
      // The oldest went: move the base to the next number still in flight (amortised O(1):
      // each number is passed once).
      do {
        this.base = (this.base + 1) & 0xffff;
        this.span--;
      } while (this.slots[this.base & this.mask] === EMPTY);
    }
    return c;
  }

  /** The commands present, oldest first. */
  *values(): IterableIterator<number> {
    for (let k = 0; k < this.span; k++) {
      const c = this.slots[(this.base + k) & this.mask]!;
      if (c !== EMPTY) yield c;
    }
  }

  /** Room for `needed` numbers from base (a power of two, at most every 16-bit number). */
  private grow(needed: number): void {
    let size = this.slots.length;
    while (size < needed && size < MAX_SLOTS) size *= 2;
    const slots = new Float64Array(size).fill(EMPTY);
    for (let k = 0; k < this.span; k++) {
      const seq = (this.base + k) & 0xffff;
      slots[seq & (size - 1)] = this.slots[seq & this.mask]!;
    }
    this.slots = slots;
    this.mask = size - 1;
  }
}

/** One {@link SentRing} per channel in use, made on first use. */
export class ReliableIndex {
  private rings: (SentRing | undefined)[] = [];

  set(channelID: number, seq: number, entry: number): void {
    let ring = this.rings[channelID];
    if (ring === undefined) {
      while (this.rings.length <= channelID) this.rings.push(undefined);
      ring = this.rings[channelID] = new SentRing();
    }
    ring.set(seq, entry);
  }

  /** The entry of (channel, seq), or −1. */
  get(channelID: number, seq: number): number {
    const ring = this.rings[channelID];
    return ring === undefined ? EMPTY : ring.get(seq);
  }

  /** Removes (channel, seq) and returns its entry, or −1 when absent. */
  delete(channelID: number, seq: number): number {
    const ring = this.rings[channelID];
    return ring === undefined ? EMPTY : ring.delete(seq);
  }

  clear(): void {
    this.rings = [];
  }

  /** Every command present, channel by channel (for tests and diagnostics). */
  *values(): IterableIterator<number> {
    for (const ring of this.rings) if (ring !== undefined) yield* ring.values();
  }
}
