/**
 * A growable ring buffer: O(1) push/shift at both ends. The engine's queues (outgoing
 * commands, acknowledgements, dispatched packets, peers awaiting dispatch) use it where ENet
 * uses linked lists, so the cost per message stays flat as queues grow.
 */
export class Deque<T> {
  private items: Array<T | undefined>;
  private head = 0;
  private count = 0;

  constructor(capacity = 16) {
    let c = 4;
    while (c < capacity) c <<= 1;
    this.items = new Array<T | undefined>(c);
  }

  get length(): number {
    return this.count;
  }

  isEmpty(): boolean {
    return this.count === 0;
  }

  private grow(): void {
    const old = this.items;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = old[(this.head + i) & (old.length - 1)];
    this.items = next;
    this.head = 0;
  }

  push(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) & (this.items.length - 1)] = item;
    this.count++;
  }

  pushFront(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.head = (this.head - 1) & (this.items.length - 1);
    this.items[this.head] = item;
    this.count++;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    // Emptied: start again at slot 0, still cached (see OutgoingQueue.advance).
    this.head = --this.count === 0 ? 0 : (this.head + 1) & (this.items.length - 1);
    return item;
  }

  /** The i-th item from the front (0 = front). */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.count) return undefined;
    return this.items[(this.head + i) & (this.items.length - 1)];
  }

  clear(): void {
    this.items = new Array<T | undefined>(16);
    this.head = 0;
    this.count = 0;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.count; i++) yield this.items[(this.head + i) & (this.items.length - 1)] as T;
  }
}

/**
 * A FIFO of numbers in a growable Float64Array ring. The acknowledgement queue holds packed
 * values above 2^31 (packAcknowledgement): in a plain array each would be a boxed heap
 * number, one allocation per acknowledged command (profile: GC on the receiving side).
 */
export class NumberQueue {
  private items = new Float64Array(16);
  private head = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  isEmpty(): boolean {
    return this.count === 0;
  }

  push(value: number): void {
    const cap = this.items.length;
    if (this.count === cap) {
      const next = new Float64Array(cap * 2);
      for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) & (cap - 1)]!;
      this.items = next;
      this.head = 0;
    }
    this.items[(this.head + this.count) & (this.items.length - 1)] = value;
    this.count++;
  }

  /** The front value, removed; undefined when empty. */
  shift(): number | undefined {
    if (this.count === 0) return undefined;
    const value = this.items[this.head]!;
    this.head = --this.count === 0 ? 0 : (this.head + 1) & (this.items.length - 1);
    return value;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
    if (this.items.length > 1024) this.items = new Float64Array(16); // give back a burst's memory
  }
}
