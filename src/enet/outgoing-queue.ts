/**
 * A FIFO of commands waiting to be sent, where a plain data command (a whole packet in one
 * SEND_RELIABLE / SEND_UNRELIABLE / SEND_UNSEQUENCED) waits as a row of a typed array
 * instead of an OutgoingCommand object.
 *
 * Why: a burst of sends (200 k messages queued before the first service) made one ≈ 200 B
 * object per message, all alive until sent, so the young-generation GC copied and promoted
 * every one of them — about half the cost of send() in the profile. A row is 24 B of typed
 * arrays, outside the JS object graph. The OutgoingCommand is made only when the command
 * reaches the front ({@link peek}), i.e. when the send loop considers it; from then on it is
 * the same object as before (in flight, resent, acknowledged). Other commands (fragments)
 * wait as objects in the same FIFO, so the queue order is unchanged.
 *
 * A row does not hold its payload buffer either: consecutive rows mostly share one (the
 * 64 KiB slab their copies were carved from, bytes.ts), so buffers and command objects sit in
 * a short side FIFO, `refs` (ref-fifo.ts), and a row keeps the id of its entry there.
 *
 * The front of a row is shown through one of two reusable OutgoingCommand objects (a row view,
 * `isRowView`), alternating, so the command just shifted stays intact while the next front is
 * made: the send loop reads a row's fields through it and nothing keeps it — a reliable row
 * goes on as a row of the sent queue (sent-queue.ts). Draining a long queue allocates nothing.
 */
import { OutgoingCommand, WHOLE_PACKET } from './outgoing-command.js';
import { RefFifo } from './ref-fifo.js';
import { COMMAND_FLAG_ACKNOWLEDGE, COMMAND_FLAG_UNSEQUENCED, ProtocolCommand } from './protocol.js';

/** Row type of a command object in `refs` (no command number is 0). */
const OBJECT_ROW = 0;
/** Rows of a queue's first storage; none until the first push. */
const INITIAL_CAPACITY = 16;
/**
 * The storage of an empty queue that never held anything (or was cleared), shared: every
 * peer slot of a host has two queues, most of them idle (4095 slots × 2 × ≈ 500 B otherwise).
 */
const NO_ROWS = new Uint32Array(0);
const NO_ORDERS = new Float64Array(0);
/**
 * A row is 4 × u32 (plus its order in a Float64Array): few stores per queued message, which
 * counts because a cold burst runs its first thousands of sends unoptimised, where every
 * typed-array store is an inline-cache call.
 *   word 0  type (8 bits) | channelID (8) | reliableSequenceNumber (16)
 *   word 1  unreliableSequenceNumber or unsequencedGroup (16) | payload length (16: a plain
 *           data command fits one datagram, MTU ≤ 4096)
 *   word 2  payload offset in its buffer
 *   word 3  id of the payload buffer (or command object) in refs
 */
const WORDS = 4;

/** A plain data command's flags follow from its type (peer-send.ts). */
function flagsOf(type: ProtocolCommand): number {
  if (type === ProtocolCommand.SEND_RELIABLE) return COMMAND_FLAG_ACKNOWLEDGE;
  return type === ProtocolCommand.SEND_UNSEQUENCED ? COMMAND_FLAG_UNSEQUENCED : 0;
}

export class OutgoingQueue {
  private capacity = 0;
  private head = 0;
  private count = 0;
  private rows = NO_ROWS;
  /** Enqueue order (Peer.nextOrder): a double, it may pass 2^32 on a long-lived peer. */
  private orders = NO_ORDERS;

  /** Payload buffers and command objects of the queued rows, oldest first, no repeats in a row. */
  private readonly refs = new RefFifo();
  /** The front row's command once {@link peek} made it (null when not yet made). */
  private front: OutgoingCommand | null = null;
  /** The two row views, used in turn (made on first use). */
  private viewA: OutgoingCommand | null = null;
  private viewB: OutgoingCommand | null = null;
  private useB = false;

  get length(): number {
    return this.count;
  }

  isEmpty(): boolean {
    return this.count === 0;
  }

  /** Queues a command object (a fragment; anything that is not a plain data command). */
  push(command: OutgoingCommand): void {
    const w = this.reserveRow() * WORDS;
    this.rows[w] = OBJECT_ROW;
    this.rows[w + 3] = this.refs.add(command);
  }

  /**
   * Queues a plain data command of `length` bytes of `buffer` at `offset`, already numbered
   * (Peer.queueDataCommand): a reliable one has neither an unreliable number nor a group, an
   * unreliable one no group, an unsequenced one no unreliable number.
   */
  pushData(
    type: ProtocolCommand, channelID: number, buffer: Uint8Array, offset: number, length: number,
    reliableSequenceNumber: number, unreliableSequenceNumber: number, unsequencedGroup: number, order: number,
  ): void {
    const row = this.reserveRow();
    const w = row * WORDS;
    const rows = this.rows;
    rows[w] = type | (channelID << 8) | (reliableSequenceNumber << 16);
    rows[w + 1] = (unreliableSequenceNumber | unsequencedGroup) | (length << 16);
    rows[w + 2] = offset;
    rows[w + 3] = this.refs.share(buffer);
    this.orders[row] = order;
  }

  /** The front command (made into an object, once, if it waited as a row); undefined when empty. */
  peek(): OutgoingCommand | undefined {
    if (this.count === 0) return undefined;
    return (this.front ??= this.commandOf(this.head));
  }

  /** The front row's fields after {@link frontReliableRow} (the send loop's fast path). */
  rowChannel = 0;
  rowSeq = 0;
  rowOffset = 0;
  rowLength = 0;
  rowOrder = 0;

  /**
   * The payload buffer of the front when it is a SEND_RELIABLE row not yet shown through a
   * view, its fields in rowChannel … rowOrder; null otherwise (empty, an object, another kind).
   * With {@link dropFront}, the send loop takes plain reliable messages without a view.
   */
  frontReliableRow(): Uint8Array | null {
    if (this.count === 0 || this.front !== null) return null;
    const w = this.head * WORDS;
    const rows = this.rows;
    const w0 = rows[w]!;
    if ((w0 & 0xff) !== ProtocolCommand.SEND_RELIABLE) return null;
    this.rowChannel = (w0 >>> 8) & 0xff;
    this.rowSeq = w0 >>> 16;
    this.rowLength = rows[w + 1]! >>> 16;
    this.rowOffset = rows[w + 2]!;
    this.rowOrder = this.orders[this.head]!;
    return this.refOf(this.head) as Uint8Array;
  }

  /** Removes the front row read by {@link frontReliableRow}. */
  dropFront(): void {
    this.front = null;
    this.advance();
  }

  /** Removes and returns the front command. */
  shift(): OutgoingCommand | undefined {
    const c = this.peek();
    if (c === undefined) return undefined;
    this.front = null;
    this.advance();
    return c;
  }

  /**
   * Moves the front one row on. An emptied ring starts again at row 0: a queue that fills
   * and drains every frame (a relay's peers) writes the same, still cached, rows each time
   * instead of walking its whole ring (profile, relay: cache misses in pushData).
   */
  private advance(): void {
    this.head = --this.count === 0 ? 0 : (this.head + 1) & (this.capacity - 1);
    this.dropUnusedRefs();
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
    this.front = null;
    this.refs.clear();
    // Back to the shared empty storage: a reset peer gives back what its traffic grew.
    this.rows = NO_ROWS;
    this.orders = NO_ORDERS;
    this.capacity = 0;
  }

  /** The next free row (growing the storage when full). */
  private reserveRow(): number {
    if (this.count === this.capacity) this.resize(Math.max(INITIAL_CAPACITY, this.capacity * 2));
    const i = (this.head + this.count) & (this.capacity - 1);
    this.count++;
    return i;
  }

  /** The refs entry of row `row`. */
  private refOf(row: number): Uint8Array | OutgoingCommand {
    return this.refs.get(this.rows[row * WORDS + 3]!);
  }

  /** Forgets the refs entries older than the front row's (all of them when empty). */
  private dropUnusedRefs(): void {
    this.refs.dropUntil(this.count > 0 ? this.rows[this.head * WORDS + 3]! : this.refs.nextId);
  }

  /** The command of row `row`: its object, or one made from its data row. */
  private commandOf(row: number): OutgoingCommand {
    const ref = this.refOf(row);
    const w0 = this.rows[row * WORDS]!;
    const type = (w0 & 0xff) as ProtocolCommand;
    if (type === OBJECT_ROW) return ref as OutgoingCommand;
    const w1 = this.rows[row * WORDS + 1]!;
    const c = this.nextView();
    c.type = type;
    c.flags = flagsOf(type);
    c.channelID = (w0 >>> 8) & 0xff;
    c.dataBuffer = ref as Uint8Array;
    c.dataOffset = this.rows[row * WORDS + 2]!;
    c.fragmentLength = w1 >>> 16;
    c.reliableSequenceNumber = w0 >>> 16;
    c.unreliableSequenceNumber = type === ProtocolCommand.SEND_UNRELIABLE ? w1 & 0xffff : 0;
    c.unsequencedGroup = type === ProtocolCommand.SEND_UNSEQUENCED ? w1 & 0xffff : 0;
    c.order = this.orders[row]!;
    c.sentTime = 0;
    c.roundTripTimeout = 0;
    c.roundTripTimeoutLimit = 0;
    c.sendAttempts = 0;
    return c;
  }

  /** The row view not used by the previous front (see the file comment). */
  private nextView(): OutgoingCommand {
    this.useB = !this.useB;
    let c = this.useB ? this.viewB : this.viewA;
    if (c === null) {
      c = new OutgoingCommand(null, ProtocolCommand.SEND_RELIABLE, 0, 0, null, 0, WHOLE_PACKET, 0, 0);
      c.isRowView = true;
      if (this.useB) this.viewB = c;
      else this.viewA = c;
    }
    return c;
  }

  /** New storage for `capacity` rows (a power of two ≥ count), the rows unwrapped to start at 0. */
  private resize(capacity: number): void {
    const n = this.count;
    const head = this.head;
    const first = Math.min(n, this.capacity - head); // rows from head to the end of the ring
    const rows = new Uint32Array(capacity * WORDS);
    rows.set(this.rows.subarray(head * WORDS, (head + first) * WORDS), 0);
    if (first < n) rows.set(this.rows.subarray(0, (n - first) * WORDS), first * WORDS);
    const orders = new Float64Array(capacity);
    orders.set(this.orders.subarray(head, head + first), 0);
    if (first < n) orders.set(this.orders.subarray(0, n - first), first);
    this.rows = rows;
    this.orders = orders;
    this.head = 0;
    this.capacity = capacity;
  }
}
