/**
 * The reliable commands of a peer that were sent and not yet acknowledged, in the order they
 * were sent: ENet's sentReliableCommands list.
 *
 * A plain SEND_RELIABLE made from a queued row (outgoing-queue.ts) stays a row here, in typed
 * arrays, from its send to its acknowledgement: no command object is made, linked, recycled
 * or reached by the garbage collector for it (profile, 64 B messages and the relay: making,
 * linking, unlinking and recycling one object per message, with its write barriers, was a
 * fifth of the sender's engine time, and in the relay each of those touches was a cache miss).
 * Other reliable commands (fragments, connection-level commands, and rows that timed out and
 * were made into objects to be resent) are entries that hold their object.
 *
 * Entries are numbered in send order; an acknowledged entry is marked dead and the queue's
 * front moves past dead entries, so removal is O(1) and order is kept. Objects carry their
 * entry number. A row is found by (channel, sequence number): first at the front (an
 * acknowledgement in order, the usual case, touches nothing else), else through its channel's
 * direct-mapped table (sequence number → entry number), whose answer is checked against the
 * entry itself, so a row that leaves needs no clearing there. Rows are entered in the tables
 * only when an acknowledgement misses the front, each once (profile, relay: a table write per
 * message sent was a cache miss for nothing while acknowledgements came in order).
 *
 * @see enet protocol.c enet_protocol_remove_sent_reliable_command, enet_protocol_check_timeouts
 */
import { RefFifo } from './ref-fifo.js';
import { OutgoingCommand, WHOLE_PACKET } from './outgoing-command.js';
import { COMMAND_FLAG_ACKNOWLEDGE, ProtocolCommand } from './protocol.js';

const DEAD = 0;
const ROW = 1;
const OBJECT = 2;
const INITIAL_CAPACITY = 16;
/**
 * An entry is 8 doubles — 64 bytes, one cache line — in one Float64Array: everything the send
 * and the acknowledgement of a message touch is in one line (a column per field cost a line
 * per field, and more than the objects it replaced).
 */
const STRIDE = 8;
/** The entry's kind (DEAD, ROW, OBJECT) in the low 2 bits; a row's payload length above them (small integers: no float arithmetic to read it). */
const KIND = 0;
/** Rows: channel << 16 | sequence number. */
const KEY = 1;
const SENT_TIME = 2;
const TIMEOUT = 3;
const LIMIT = 4;
const ORDER = 5;
/** Rows: payload offset. */
const PAYLOAD = 6;
/** Id of the entry's payload buffer (rows) or object in `refs`. */
const REF = 7;
const NO_ENTRIES = new Float64Array(0);
/** Slots of a channel's first row table; it doubles (at most to every 16-bit number) when two live rows would share one. */
const INITIAL_TABLE = 64;
const MAX_TABLE = 0x10000;

/** What a test or diagnostic may read of a command in flight, row or object alike. */
export interface SentCommandInfo {
  readonly channelID: number;
  readonly reliableSequenceNumber: number;
  readonly sendAttempts: number;
  readonly sentTime: number;
  readonly roundTripTimeout: number;
  readonly roundTripTimeoutLimit: number;
}

export class SentQueue {
  /** Number of the entry in ring slot `head` (entry numbers count up by one per push). */
  private first = 0;
  private head = 0;
  /** Entries from `first` on, dead ones included; the newest is first + slots − 1. */
  private slots = 0;
  private live = 0;
  private capacity = 0;
  private entries = NO_ENTRIES;
  /** Buffers and objects of the entries, oldest first, no repeats in a row (as OutgoingQueue's). */
  private readonly refs = new RefFifo();
  /** Per channel: entry numbers of rows by sequence number (seq & mask; −1 or stale entries read as none). */
  private tables: (Float64Array | undefined)[] = [];
  /** Entries before this number are in the tables (if rows); later ones not yet. */
  private indexed = 0;

  /** Live entries (commands in flight). */
  get length(): number {
    return this.live;
  }

  isEmpty(): boolean {
    return this.live === 0;
  }

  /**
   * Adds a plain SEND_RELIABLE just sent for the first time, read from `c` (a queue's view of
   * its row, reused afterwards: nothing of `c` is kept).
   */
  pushRow(c: OutgoingCommand): void {
    this.pushRowFields(c.channelID, c.reliableSequenceNumber, c.sentTime, c.roundTripTimeout, c.roundTripTimeoutLimit,
      c.order, c.dataBuffer!, c.dataOffset, c.fragmentLength);
  }

  /** {@link pushRow} from the fields themselves (the send loop's fast path reads them from the queued row). */
  pushRowFields(
    channelID: number, seq: number, sentTime: number, timeout: number, limit: number, order: number,
    buffer: Uint8Array, offset: number, length: number,
  ): void {
    const at = this.reserve() * STRIDE;
    const m = this.entries;
    m[at + KIND] = ROW | (length << 2);
    m[at + KEY] = (channelID << 16) | seq;
    m[at + SENT_TIME] = sentTime;
    m[at + TIMEOUT] = timeout;
    m[at + LIMIT] = limit;
    m[at + ORDER] = order;
    m[at + PAYLOAD] = offset;
    m[at + REF] = this.refs.share(buffer);
  }

  /** Adds a command object just sent (its sentTime and timeouts already set). */
  pushObject(c: OutgoingCommand): void {
    const at = this.reserve() * STRIDE;
    this.entries[at + KIND] = OBJECT;
    this.entries[at + REF] = this.refs.add(c);
    c.sentEntry = this.first + this.slots - 1;
    c.inSentList = true;
  }

  /**
   * Removes the row (channel, seq) when one is in flight.
   * @returns its payload length, or −1 when no row has that number
   */
  removeRow(channelID: number, seq: number): number {
    const e = this.findRow(channelID, seq);
    if (e < 0) return -1;
    const i = this.slotOf(e);
    const length = this.entries[i * STRIDE + KIND]! >>> 2;
    this.kill(i, e);
    return length;
  }

  /** Removes a command object that is in the queue (inSentList). */
  removeObject(c: OutgoingCommand): void {
    if (!c.inSentList) return;
    c.inSentList = false;
    this.kill(this.slotOf(c.sentEntry), c.sentEntry);
  }

  // ---- walking in send order (checkTimeouts) ----------------------------------------------------
  /** Number of the oldest live entry, or −1. */
  firstEntry(): number {
    return this.live === 0 ? -1 : this.first;
  }

  /** Number of the next live entry after `e`, or −1. */
  nextEntry(e: number): number {
    const end = this.first + this.slots;
    for (let n = e + 1; n < end; n++) if (this.entries[this.slotOf(n) * STRIDE + KIND] !== DEAD) return n;
    return -1;
  }

  /** The object of entry `e`, or null when it is a row. */
  objectAt(e: number): OutgoingCommand | null {
    const i = this.slotOf(e);
    return (this.entries[i * STRIDE + KIND]! & 3) === OBJECT ? (this.refOf(i) as OutgoingCommand) : null;
  }

  rowSentTime(e: number): number {
    return this.entries[this.slotOf(e) * STRIDE + SENT_TIME]!;
  }

  rowTimeout(e: number): number {
    return this.entries[this.slotOf(e) * STRIDE + TIMEOUT]!;
  }

  rowTimeoutLimit(e: number): number {
    return this.entries[this.slotOf(e) * STRIDE + LIMIT]!;
  }

  /** When the oldest live entry times out (sentTime + roundTripTimeout, mod 2^32); 0 when empty. */
  frontDeadline(): number {
    if (this.live === 0) return 0;
    const at = this.head * STRIDE;
    const m = this.entries;
    if ((m[at + KIND]! & 3) === ROW) return (m[at + SENT_TIME]! + m[at + TIMEOUT]!) >>> 0;
    const c = this.refOf(this.head) as OutgoingCommand;
    return (c.sentTime + c.roundTripTimeout) >>> 0;
  }

  /**
   * Takes row entry `e` out of the queue as a command object, to be resent: it carries the
   * row's fields, one send attempt, and is the caller's from now on (not indexed here).
   */
  takeRowAsObject(e: number): OutgoingCommand {
    const i = this.slotOf(e);
    const m = this.entries;
    const at = i * STRIDE;
    const key = m[at + KEY]!;
    const channelID = key >>> 16;
    const seq = key & 0xffff;
    const c = new OutgoingCommand(
      null, ProtocolCommand.SEND_RELIABLE, COMMAND_FLAG_ACKNOWLEDGE, channelID,
      this.refOf(i) as Uint8Array, m[at + PAYLOAD]!, WHOLE_PACKET, 0, m[at + KIND]! >>> 2,
    );
    c.reliableSequenceNumber = seq;
    c.sentTime = m[at + SENT_TIME]!;
    c.roundTripTimeout = m[at + TIMEOUT]!;
    c.roundTripTimeoutLimit = m[at + LIMIT]!;
    c.order = m[at + ORDER]!;
    c.sendAttempts = 1;
    this.kill(i, e);
    return c;
  }

  /** The row (channel, seq) in flight, as read-only fields (tests, diagnostics); undefined when none. */
  rowInfo(channelID: number, seq: number): SentCommandInfo | undefined {
    const e = this.findRow(channelID, seq);
    if (e < 0) return undefined;
    const at = this.slotOf(e) * STRIDE;
    const m = this.entries;
    return {
      channelID, reliableSequenceNumber: seq, sendAttempts: 1,
      sentTime: m[at + SENT_TIME]!, roundTripTimeout: m[at + TIMEOUT]!, roundTripTimeoutLimit: m[at + LIMIT]!,
    };
  }

  /** (channel, sequence number) of every live entry, oldest first (tests, diagnostics). */
  liveKeys(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let e = this.firstEntry(); e >= 0; e = this.nextEntry(e)) {
      const c = this.objectAt(e);
      const key = this.entries[this.slotOf(e) * STRIDE + KEY]!;
      out.push(c ? [c.channelID, c.reliableSequenceNumber] : [key >>> 16, key & 0xffff]);
    }
    return out;
  }

  /** Slots of the channel's row table (0: none yet). For tests: it grows only as far as needed. */
  tableSlots(channelID: number): number {
    return this.tables[channelID]?.length ?? 0;
  }

  clear(): void {
    for (let e = this.firstEntry(); e >= 0; e = this.nextEntry(e)) {
      const c = this.objectAt(e);
      if (c) c.inSentList = false;
    }
    this.first += this.slots;
    this.head = 0;
    this.slots = 0;
    this.live = 0;
    this.capacity = 0;
    this.entries = NO_ENTRIES;
    this.refs.clear();
    this.tables = [];
    this.indexed = this.first;
  }

  // ---- finding rows -------------------------------------------------------------------------------
  /** The entry number of the live row (channel, seq), or −1. */
  private findRow(channelID: number, seq: number): number {
    if (this.live === 0) return -1;
    const key = (channelID << 16) | seq;
    const m = this.entries;
    // An acknowledgement in order: the front entry.
    let at = this.head * STRIDE;
    if (m[at + KEY] === key && (m[at + KIND]! & 3) === ROW) return this.first;
    this.catchUp();
    const table = this.tables[channelID];
    if (table === undefined) return -1;
    const e = table[seq & (table.length - 1)]!;
    if (e < this.first || e >= this.first + this.slots) return -1;
    at = this.slotOf(e) * STRIDE;
    return (m[at + KIND]! & 3) === ROW && m[at + KEY] === key ? e : -1;
  }

  /** Enters the rows pushed since the last catch-up in the tables (amortised: each once). */
  private catchUp(): void {
    const end = this.first + this.slots;
    const m = this.entries;
    for (let e = Math.max(this.indexed, this.first); e < end; e++) {
      const at = this.slotOf(e) * STRIDE;
      if ((m[at + KIND]! & 3) !== ROW) continue;
      const key = m[at + KEY]!;
      this.index(key >>> 16, key & 0xffff, e);
    }
    this.indexed = end;
  }

  /** Records entry `e` as the row (channel, seq), growing the channel's table if a live row holds the slot. */
  private index(channelID: number, seq: number, e: number): void {
    let table = this.tables[channelID];
    if (table === undefined) {
      while (this.tables.length <= channelID) this.tables.push(undefined);
      table = this.tables[channelID] = new Float64Array(INITIAL_TABLE).fill(-1);
    }
    // Another live row of this channel in the slot: a bigger table (the row is in the queue
    // already, so the rebuilt table holds it too). At every 16-bit number none can clash.
    const i = seq & (table.length - 1);
    const old = table[i]!;
    if (old !== e && table.length < MAX_TABLE && this.liveRowAt(old)) this.growTable(channelID, table.length * 2);
    else table[i] = e;
  }

  /** Whether entry `e` (of a table) is a live row. */
  private liveRowAt(e: number): boolean {
    return e >= this.first && e < this.first + this.slots && (this.entries[this.slotOf(e) * STRIDE + KIND]! & 3) === ROW;
  }

  /**
   * A table for the channel's live rows of at least `size` slots, doubled until no two share
   * a slot (at most every 16-bit number: distinct numbers never do). Amortised: it only grows.
   */
  private growTable(channelID: number, size: number): void {
    const m = this.entries;
    for (; ; size *= 2) {
      const table = new Float64Array(size).fill(-1);
      let clash = false;
      for (let e = this.firstEntry(); e >= 0 && !clash; e = this.nextEntry(e)) {
        const at = this.slotOf(e) * STRIDE;
        const key = m[at + KEY]!;
        if ((m[at + KIND]! & 3) !== ROW || key >>> 16 !== channelID) continue;
        const i = key & (size - 1);
        if (table[i]! >= 0 && size < MAX_TABLE) clash = true;
        else table[i] = e;
      }
      if (!clash) {
        this.tables[channelID] = table;
        return;
      }
    }
  }

  // ---- storage ------------------------------------------------------------------------------------
  private slotOf(e: number): number {
    return (this.head + (e - this.first)) & (this.capacity - 1);
  }

  /** Marks slot `i` (entry `e`) dead; the front moves past dead entries. */
  private kill(i: number, e: number): void {
    const m = this.entries;
    m[i * STRIDE + KIND] = DEAD;
    this.live--;
    if (e !== this.first) return;
    const mask = this.capacity - 1;
    do {
      this.head = (this.head + 1) & mask;
      this.first++;
      this.slots--;
    } while (this.slots > 0 && m[this.head * STRIDE + KIND] === DEAD);
    // Emptied: the next entry goes to slot 0 again, still cached (see OutgoingQueue.advance).
    if (this.slots === 0) this.head = 0;
    // Buffers and objects only dead entries used are let go.
    this.refs.dropUntil(this.slots > 0 ? m[this.head * STRIDE + REF]! : this.refs.nextId);
  }

  private reserve(): number {
    if (this.slots === this.capacity) this.resize(Math.max(INITIAL_CAPACITY, this.capacity * 2));
    const i = (this.head + this.slots) & (this.capacity - 1);
    this.slots++;
    this.live++;
    return i;
  }

  private refOf(i: number): Uint8Array | OutgoingCommand {
    return this.refs.get(this.entries[i * STRIDE + REF]!);
  }

  /** New storage for `capacity` slots, the entries unwrapped to start at slot 0. */
  private resize(capacity: number): void {
    const made = new Float64Array(capacity * STRIDE);
    const old = this.entries;
    const mask = this.capacity - 1;
    for (let k = 0; k < this.slots; k++) {
      const from = ((this.head + k) & mask) * STRIDE;
      made.set(old.subarray(from, from + STRIDE), k * STRIDE);
    }
    this.entries = made;
    this.head = 0;
    this.capacity = capacity;
  }
}
