/**
 * A FIFO of commands waiting to be sent, where a plain data command (a whole packet in one
 * SEND_RELIABLE / SEND_UNRELIABLE / SEND_UNSEQUENCED) waits as a row of typed-array columns
 * instead of an OutgoingCommand object.
 *
 * Why: a burst of sends (200 k messages queued before the first service) made one ≈ 200 B
 * object per message, all alive until sent, so the young-generation GC copied and promoted
 * every one of them — about half the cost of send() in the profile. A row is ≈ 30 B of typed
 * arrays, outside the JS object graph. The OutgoingCommand is made only when the command
 * reaches the front ({@link peek}), i.e. when the send loop considers it; from then on it is
 * the same object as before (in flight, resent, acknowledged). Other commands (fragments)
 * wait as objects in the same FIFO, so the queue order is unchanged.
 *
 * A row does not hold its payload buffer either: consecutive rows mostly share one (the
 * 64 KiB slab their copies were carved from, bytes.ts), so buffers and command objects sit in
 * a short side FIFO, `refs`, and a row keeps the id of its entry there. A pointer column of
 * one entry per row would be a large JS array, slow to grow and to scan for the GC (profile:
 * a 65 k-entry slice took ≈ 1.5 ms).
 */
import { Deque } from './deque.js';
import { OutgoingCommand, WHOLE_PACKET } from './outgoing-command.js';
import type { ProtocolCommand } from './protocol.js';

/** `types` value of a row standing for a command object in `refs` (no command number is 0). */
const OBJECT_ROW = 0;
const INITIAL_CAPACITY = 16;

export class OutgoingQueue {
  private capacity = INITIAL_CAPACITY;
  private head = 0;
  private count = 0;
  /** Command number of a data row, or OBJECT_ROW. */
  private types = new Uint8Array(INITIAL_CAPACITY);
  private flags = new Uint8Array(INITIAL_CAPACITY);
  private channels = new Uint8Array(INITIAL_CAPACITY);
  private reliable = new Uint16Array(INITIAL_CAPACITY);
  private unreliable = new Uint16Array(INITIAL_CAPACITY);
  private groups = new Uint16Array(INITIAL_CAPACITY);
  private offsets = new Uint32Array(INITIAL_CAPACITY);
  private lengths = new Uint32Array(INITIAL_CAPACITY);
  /** Enqueue order (Peer.nextOrder): a double, it may pass 2^32 on a long-lived peer. */
  private orders = new Float64Array(INITIAL_CAPACITY);
  /** Id (mod 2^32) of the row's payload buffer or command object in {@link refs}. */
  private refIds = new Uint32Array(INITIAL_CAPACITY);

  /** Payload buffers and command objects of the queued rows, oldest first, no repeats in a row. */
  private readonly refs = new Deque<Uint8Array | OutgoingCommand>();
  /** Id of refs' front entry; ids count up by one per entry (mod 2^32). */
  private firstRefId = 0;
  /** The buffer refs' last entry stands for, which the next data row may share (null: none). */
  private lastBuffer: Uint8Array | null = null;
  /** The front row's command once {@link peek} made it (null when not yet made). */
  private front: OutgoingCommand | null = null;

  get length(): number {
    return this.count;
  }

  isEmpty(): boolean {
    return this.count === 0;
  }

  /** Queues a command object (a fragment; anything that is not a plain data command). */
  push(command: OutgoingCommand): void {
    const i = this.reserveRow();
    this.types[i] = OBJECT_ROW;
    this.refIds[i] = this.addRef(command);
    this.lastBuffer = null;
  }

  /**
   * Queues a plain data command of `length` bytes of `buffer` at `offset`, already numbered:
   * the fields an OutgoingCommand for it would have (Peer.queueDataCommand).
   */
  pushData(
    type: ProtocolCommand, flags: number, channelID: number, buffer: Uint8Array, offset: number, length: number,
    reliableSequenceNumber: number, unreliableSequenceNumber: number, unsequencedGroup: number, order: number,
  ): void {
    const i = this.reserveRow();
    this.types[i] = type;
    this.flags[i] = flags;
    this.channels[i] = channelID;
    this.offsets[i] = offset;
    this.lengths[i] = length;
    this.reliable[i] = reliableSequenceNumber;
    this.unreliable[i] = unreliableSequenceNumber;
    this.groups[i] = unsequencedGroup;
    this.orders[i] = order;
    if (buffer !== this.lastBuffer) {
      this.addRef(buffer);
      this.lastBuffer = buffer;
    }
    this.refIds[i] = (this.firstRefId + this.refs.length - 1) >>> 0;
  }

  /** The front command (made into an object, once, if it waited as a row); undefined when empty. */
  peek(): OutgoingCommand | undefined {
    if (this.count === 0) return undefined;
    return (this.front ??= this.commandOf(this.head));
  }

  /** Removes and returns the front command. */
  shift(): OutgoingCommand | undefined {
    const c = this.peek();
    if (c === undefined) return undefined;
    this.front = null;
    this.head = (this.head + 1) & (this.capacity - 1);
    this.count--;
    this.dropUnusedRefs();
    return c;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
    this.front = null;
    this.refs.clear();
    this.firstRefId = 0;
    this.lastBuffer = null;
    if (this.capacity > INITIAL_CAPACITY) this.resize(INITIAL_CAPACITY); // give back a burst's memory
  }

  /** The next free row (growing the columns when full). */
  private reserveRow(): number {
    if (this.count === this.capacity) this.resize(this.capacity * 2);
    const i = (this.head + this.count) & (this.capacity - 1);
    this.count++;
    return i;
  }

  private addRef(ref: Uint8Array | OutgoingCommand): number {
    this.refs.push(ref);
    return (this.firstRefId + this.refs.length - 1) >>> 0;
  }

  private refOf(row: number): Uint8Array | OutgoingCommand {
    return this.refs.at((this.refIds[row]! - this.firstRefId) >>> 0)!;
  }

  /** Forgets the refs entries older than the front row's (all of them when empty). */
  private dropUnusedRefs(): void {
    const keep = this.count > 0 ? this.refIds[this.head]! : (this.firstRefId + this.refs.length) >>> 0;
    while (this.firstRefId !== keep) {
      this.refs.shift();
      this.firstRefId = (this.firstRefId + 1) >>> 0;
    }
    if (this.refs.isEmpty()) this.lastBuffer = null;
  }

  /** The command of row `i`: its object, or one made from its data row. */
  private commandOf(i: number): OutgoingCommand {
    const ref = this.refOf(i);
    if (this.types[i] === OBJECT_ROW) return ref as OutgoingCommand;
    const c = new OutgoingCommand(
      null, this.types[i]!, this.flags[i]!, this.channels[i]!, ref as Uint8Array, this.offsets[i]!,
      WHOLE_PACKET, 0, this.lengths[i]!,
    );
    c.reliableSequenceNumber = this.reliable[i]!;
    c.unreliableSequenceNumber = this.unreliable[i]!;
    c.unsequencedGroup = this.groups[i]!;
    c.order = this.orders[i]!;
    return c;
  }

  /** New columns of `capacity` rows (a power of two ≥ count), the rows unwrapped to start at 0. */
  private resize(capacity: number): void {
    const n = this.count;
    const head = this.head;
    const first = Math.min(n, this.capacity - head); // rows from head to the end of the ring
    const copy = <T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(old: T, next: T): T => {
      next.set(old.subarray(head, head + first), 0);
      if (first < n) next.set(old.subarray(0, n - first), first);
      return next;
    };
    this.types = copy(this.types, new Uint8Array(capacity));
    this.flags = copy(this.flags, new Uint8Array(capacity));
    this.channels = copy(this.channels, new Uint8Array(capacity));
    this.reliable = copy(this.reliable, new Uint16Array(capacity));
    this.unreliable = copy(this.unreliable, new Uint16Array(capacity));
    this.groups = copy(this.groups, new Uint16Array(capacity));
    this.offsets = copy(this.offsets, new Uint32Array(capacity));
    this.lengths = copy(this.lengths, new Uint32Array(capacity));
    this.orders = copy(this.orders, new Float64Array(capacity));
    this.refIds = copy(this.refIds, new Uint32Array(capacity));
    this.head = 0;
    this.capacity = capacity;
  }
}
