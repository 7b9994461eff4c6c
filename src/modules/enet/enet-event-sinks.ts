/**
 * The async-iterator form of ENetConnection's event-driven mode: each open iterator has its
 * own buffer of events; an iterator ends when the connection is destroyed (after its
 * buffered events) or when the consumer breaks out of the loop.
 */
import type { ENetConnectionEvent } from './enet-connection-types.js';

interface Sink {
  buffer: ENetConnectionEvent[];
  wake: (() => void) | null;
  done: boolean;
}

export class ENetEventSinks {
  /** Called when an iterator opens or closes (the connection re-evaluates its mode). */
  onChange: () => void = () => {};
  private readonly sinks = new Set<Sink>();

  /** @param active whether the connection has (or is creating) a host; iterators end when not. */
  constructor(private readonly active: () => boolean) {}

  get size(): number {
    return this.sinks.size;
  }

  push(ev: ENetConnectionEvent): void {
    for (const s of this.sinks) {
      s.buffer.push(ev);
      s.wake?.();
    }
  }

  /** Ends every iterator (destroy): each returns its buffered events, then finishes. */
  closeAll(): void {
    for (const s of [...this.sinks]) this.finish(s);
  }

  iterator(): AsyncIterableIterator<ENetConnectionEvent> {
    const sink: Sink = { buffer: [], wake: null, done: false };
    this.sinks.add(sink);
    this.onChange();
    const end = (): IteratorResult<ENetConnectionEvent> => {
      this.finish(sink);
      return { value: undefined, done: true };
    };
    const it: AsyncIterableIterator<ENetConnectionEvent> = {
      next: async (): Promise<IteratorResult<ENetConnectionEvent>> => {
        for (;;) {
          const ev = sink.buffer.shift();
          if (ev) return { value: ev, done: false };
          if (sink.done || !this.active()) return end();
          await new Promise<void>((resolve) => {
            sink.wake = resolve;
          });
          sink.wake = null;
        }
      },
      return: async (): Promise<IteratorResult<ENetConnectionEvent>> => {
        sink.buffer.length = 0;
        return end();
      },
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }

  private finish(sink: Sink): void {
    sink.done = true;
    const wake = sink.wake;
    sink.wake = null;
    wake?.();
    if (this.sinks.delete(sink)) this.onChange();
  }
}
