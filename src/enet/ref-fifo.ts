/**
 * The payload buffers and command objects that a queue of typed-array rows refers to
 * (outgoing-queue.ts, sent-queue.ts), oldest first. A row stores the id of its entry instead
 * of a pointer — ids count up by one per entry, mod 2^32 — and consecutive rows carved from
 * one buffer (a 64 KiB slab, bytes.ts) share its entry. A pointer column of one entry per row
 * would be a large JS array, slow to grow and to scan for the GC (profile: a 65 k-entry slice
 * took ≈ 1.5 ms), and a pointer store per message (a write barrier) in the hot paths.
 */
import { Deque } from './deque.js';
import type { OutgoingCommand } from './outgoing-command.js';

export class RefFifo {
  private readonly items = new Deque<Uint8Array | OutgoingCommand>(4);
  /** Id of the front entry. */
  private firstId = 0;
  /** The buffer the last entry stands for, which the next row may share (null: none). */
  private lastShared: Uint8Array | null = null;

  /** The id of `buffer`: the last entry's when the previous row used the same buffer, else a new one. */
  share(buffer: Uint8Array): number {
    if (buffer !== this.lastShared) {
      this.items.push(buffer);
      this.lastShared = buffer;
    }
    return (this.firstId + this.items.length - 1) >>> 0;
  }

  /** The id of a new entry for `object` (never shared). */
  add(object: OutgoingCommand): number {
    this.items.push(object);
    this.lastShared = null;
    return (this.firstId + this.items.length - 1) >>> 0;
  }

  get(id: number): Uint8Array | OutgoingCommand {
    return this.items.at((id - this.firstId) >>> 0)!;
  }

  /** The id the next entry will have: {@link dropUntil} it forgets every entry. */
  get nextId(): number {
    return (this.firstId + this.items.length) >>> 0;
  }

  /** Forgets the entries before id `keep` (no row uses them any more). */
  dropUntil(keep: number): void {
    while (this.firstId !== keep) {
      this.items.shift();
      this.firstId = (this.firstId + 1) >>> 0;
    }
    if (this.items.isEmpty()) this.lastShared = null;
  }

  clear(): void {
    this.items.clear();
    this.firstId = 0;
    this.lastShared = null;
  }
}
