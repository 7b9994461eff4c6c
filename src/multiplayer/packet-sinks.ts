/**
 * The async-iterator form of a MultiplayerPeer's packets: each open iterator has its own
 * buffer; an iterator ends when the peer closes (after its buffered items) or when the
 * consumer leaves the loop. Nothing here reads a clock or a socket.
 */

interface Sink<T> {
  buffer: T[];
  wake: (() => void) | null;
  done: boolean;
}

export class PacketSinks<T> {
  /** Called when an iterator opens or closes (the peer re-evaluates its Node mode). */
  onChange: () => void = () => {};
  private readonly sinks = new Set<Sink<T>>();

  get size(): number {
    return this.sinks.size;
  }

  /** Hands `item` to every open iterator. */
  push(item: T): void {
    for (const s of this.sinks) {
      s.buffer.push(item);
      s.wake?.();
    }
  }

  /** Ends every open iterator: each still yields what it buffered, then finishes. */
  closeAll(): void {
    for (const s of [...this.sinks]) this.finish(s);
  }

  iterator(): AsyncIterableIterator<T> {
    const sink: Sink<T> = { buffer: [], wake: null, done: false };
    this.sinks.add(sink);
    this.onChange();
    const end = (): IteratorResult<T> => {
      this.finish(sink);
      return { value: undefined, done: true };
    };
    const it: AsyncIterableIterator<T> = {
      next: async (): Promise<IteratorResult<T>> => {
        for (;;) {
          const item = sink.buffer.shift();
          if (item !== undefined) return { value: item, done: false };
          if (sink.done) return end();
          await new Promise<void>((resolve) => {
            sink.wake = resolve;
          });
          sink.wake = null;
        }
      },
      return: async (): Promise<IteratorResult<T>> => {
        sink.buffer.length = 0;
        return end();
      },
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }

  private finish(sink: Sink<T>): void {
    sink.done = true;
    const wake = sink.wake;
    sink.wake = null;
    wake?.();
    if (this.sinks.delete(sink)) this.onChange();
  }
}
