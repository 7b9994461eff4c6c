/**
 * The reliable commands of a peer that were sent and not yet acknowledged, found by
 * (channel, sequence number) when their acknowledgement arrives.
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
import type { OutgoingCommand } from './outgoing-command.js';

const INITIAL_SLOTS = 64;
/** Every 16-bit sequence number: the most a ring can ever need. */
const MAX_SLOTS = 0x10000;

/** The sent, unacknowledged reliable commands of one channel. */
class SentRing {
  private slots: (OutgoingCommand | undefined)[] = new Array<OutgoingCommand | undefined>(INITIAL_SLOTS).fill(undefined);
  private mask = INITIAL_SLOTS - 1;
  /** Sequence number of the oldest entry (meaningful when count > 0). */
  private base = 0;
  /** Numbers from base that may hold entries: the newest entry is base + span − 1. */
  private span = 0;
  private count = 0;

  /** Adds the command numbered `seq`, newer than every number present (first sends go in order). */
  set(seq: number, c: OutgoingCommand): void {
    if (this.count === 0) {
      this.base = seq;
      this.span = 0;
    }
    const d = (seq - this.base) & 0xffff;
    if (d > this.mask) this.grow(d + 1);
    const i = seq & this.mask;
    if (this.slots[i] === undefined) this.count++;
    this.slots[i] = c;
    if (d >= this.span) this.span = d + 1;
  }

  get(seq: number): OutgoingCommand | undefined {
    if (((seq - this.base) & 0xffff) >= this.span) return undefined;
    return this.slots[seq & this.mask];
  }

  /** Removes and returns the command numbered `seq` (undefined when absent). */
  delete(seq: number): OutgoingCommand | undefined {
    const d = (seq - this.base) & 0xffff;
    if (d >= this.span) return undefined;
    const i = seq & this.mask;
    const c = this.slots[i];
    if (c === undefined) return undefined;
    this.slots[i] = undefined;
    if (--this.count === 0) {
      this.span = 0;
    } else if (d === 0) {
      // The oldest went: move the base to the next number still in flight (amortised O(1):
      // each number is passed once).
      do {
        this.base = (this.base + 1) & 0xffff;
        this.span--;
      } while (this.slots[this.base & this.mask] === undefined);
    }
    return c;
  }

  /** The commands present, oldest first. */
  *values(): IterableIterator<OutgoingCommand> {
    for (let k = 0; k < this.span; k++) {
      const c = this.slots[(this.base + k) & this.mask];
      if (c !== undefined) yield c;
    }
  }

  /** Room for `needed` numbers from base (a power of two, at most every 16-bit number). */
  private grow(needed: number): void {
    let size = this.slots.length;
    while (size < needed && size < MAX_SLOTS) size *= 2;
    const slots = new Array<OutgoingCommand | undefined>(size).fill(undefined);
    for (let k = 0; k < this.span; k++) {
      const seq = (this.base + k) & 0xffff;
      slots[seq & (size - 1)] = this.slots[seq & this.mask];
    }
    this.slots = slots;
    this.mask = size - 1;
  }
}

/** One {@link SentRing} per channel in use (0xFF: connection-level commands), made on first use. */
export class ReliableIndex {
  private rings: (SentRing | undefined)[] = [];

  set(channelID: number, seq: number, c: OutgoingCommand): void {
    let ring = this.rings[channelID];
    if (ring === undefined) {
      while (this.rings.length <= channelID) this.rings.push(undefined);
      ring = this.rings[channelID] = new SentRing();
    }
    ring.set(seq, c);
  }

  get(channelID: number, seq: number): OutgoingCommand | undefined {
    return this.rings[channelID]?.get(seq);
  }

  delete(channelID: number, seq: number): OutgoingCommand | undefined {
    return this.rings[channelID]?.delete(seq);
  }

  clear(): void {
    this.rings = [];
  }

  /** Every command present, channel by channel (for tests and diagnostics). */
  *values(): IterableIterator<OutgoingCommand> {
    for (const ring of this.rings) if (ring !== undefined) yield* ring.values();
  }
}
