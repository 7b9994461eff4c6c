/**
 * A platform for engine benchmarks: every socket on 127.0.0.1, a datagram handed straight to
 * the socket bound to its port (no loss, no delay, no address parsing — the in-memory test
 * network's per-datagram address work would dominate a relay's own), a clock the benchmark
 * advances, timers that never fire (the benchmark polls). Pull mode as the batched socket:
 * datagrams wait until receiveNow(). Not for tests: it checks nothing a real socket would.
 */
import type { DatagramSocket, Platform, SocketAddress, SocketFamily, TimerHandle } from '../src/platform/platform.js';

interface Waiting {
  data: Uint8Array;
  from: SocketAddress;
}

class PipeSocket implements DatagramSocket {
  readonly family: SocketFamily = 'udp4';
  readonly copiesOnSend = true;
  local: SocketAddress | null = null;
  private remote: number | null = null;
  private handler: ((data: Uint8Array, from: SocketAddress) => void) | null = null;
  private readonly waiting: Waiting[] = [];
  private pulled = false;

  constructor(private readonly net: PipeNetwork) {}

  bind(port: number): Promise<void> {
    this.local = { address: '127.0.0.1', port: port || this.net.nextPort++, family: 'IPv4' };
    this.net.sockets.set(this.local.port, this);
    return Promise.resolve();
  }

  async connect(_address: string, port: number): Promise<void> {
    if (!this.local) await this.bind(0);
    this.remote = port;
  }

  send(data: Uint8Array, port?: number): void {
    if (!this.local) void this.bind(0);
    this.net.sockets.get(port ?? this.remote ?? 0)?.arrive(this.net.copy(data), this.local!);
  }

  arrive(data: Uint8Array, from: SocketAddress): void {
    this.waiting.push({ data, from });
    if (!this.pulled && this.waiting.length === 1) queueMicrotask(() => this.deliverWaiting());
  }

  setPull(pull: boolean): boolean {
    this.pulled = pull;
    return true;
  }

  receiveNow(): number {
    return this.pulled ? this.deliverWaiting() : 0;
  }

  private deliverWaiting(): number {
    const batch = this.waiting.splice(0, this.waiting.length);
    for (const w of batch) this.handler?.(w.data, w.from);
    return batch.length;
  }

  onMessage(handler: (data: Uint8Array, from: SocketAddress) => void): void {
    this.handler = handler;
  }

  onError(): void {}
  localAddress(): SocketAddress | null {
    return this.local;
  }

  setBroadcast(): void {}
  addMembership(): void {}
  dropMembership(): void {}
  close(): void {
    if (this.local) this.net.sockets.delete(this.local.port);
  }
}

/** Datagram copies are carved from this ring (an ArrayBuffer per datagram was the bench's main cost). */
const ARENA = 64 * 1024 * 1024;

class PipeNetwork {
  readonly sockets = new Map<number, PipeSocket>();
  nextPort = 40000;
  private arena = new Uint8Array(ARENA);
  private used = 0;

  /**
   * A copy of `data` in the ring. Received packets are views of their datagram, so a copy is
   * overwritten only after 64 MiB more traffic: far longer than a benchmark frame keeps one.
   */
  copy(data: Uint8Array): Uint8Array {
    if (this.used + data.length > ARENA) this.used = 0;
    const out = this.arena.subarray(this.used, this.used + data.length);
    out.set(data);
    this.used = (this.used + data.length + 7) & ~7;
    return out;
  }

  createSocket(): DatagramSocket {
    return new PipeSocket(this);
  }

  lookup(host: string): Promise<string[]> {
    return Promise.resolve([host]);
  }
}

/** A pipe platform and the function that moves its clock on. */
export function pipePlatform(start = 1_000_000): { platform: Platform; advance: (ms: number) => void } {
  let now = start;
  let seed = 12345;
  const u32 = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
  const platform: Platform = {
    clock: { now: () => now },
    random: { u32, fill: (b: Uint8Array) => { for (let i = 0; i < b.length; i++) b[i] = u32() & 255; } },
    timers: { setTimeout: (): TimerHandle => ({}), clearTimeout: () => {} },
    network: new PipeNetwork(),
    logger: { log: () => {} },
  };
  return { platform, advance: (ms: number) => { now += ms; } };
}
