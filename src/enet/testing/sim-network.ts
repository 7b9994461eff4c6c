/**
 * A deterministic network for ENet hosts: a fake millisecond clock, and links that lose,
 * duplicate, delay and reorder datagrams from a seeded PRNG. Fully sans-IO — it only moves
 * bytes between Host objects — so a simulation with the same seed always replays the same.
 *
 * The clock is a plain number that may run past 2^32; hosts see it modulo 2^32, which is
 * how tests exercise ENet's time wrap.
 */
import { Host, type HostOptions } from '../host.js';
import type { Address, HostEvent } from '../types.js';

/** mulberry32: small, fast, good enough for simulations. */
export class SeededRandom {
  private state: number;
  constructor(seed: number) {
    // Scramble the seed (murmur3 finaliser): small consecutive seeds otherwise start with
    // correlated, small outputs.
    let h = (seed ^ 0x9e3779b9) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    this.state = (h ^ (h >>> 16)) >>> 0;
  }
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

export interface LinkConditions {
  /** Probability a datagram is lost. */
  loss?: number;
  /** Probability a datagram is delivered twice. */
  duplicate?: number;
  /** One-way delay in ms. Default 10. */
  latency?: number;
  /** Extra random delay, uniform in [0, jitter] ms (reorders datagrams). */
  jitter?: number;
  /** Drop datagrams larger than this (a path MTU). */
  maxDatagram?: number;
}

interface InFlight {
  at: number;
  seq: number;
  to: string;
  from: Address;
  data: Uint8Array;
}

export interface SimNode {
  readonly name: string;
  readonly address: Address;
  readonly host: Host;
  /** Every event service() returned, in order. */
  readonly events: HostEvent[];
}

export type SimHostOptions = Omit<HostOptions, 'random' | 'send'>;

export class SimNetwork {
  /** The fake clock in ms (unbounded; hosts see it modulo 2^32). */
  now: number;
  readonly random: SeededRandom;
  conditions: LinkConditions;
  readonly nodes = new Map<string, SimNode>();
  /** Per-direction overrides, keyed "from->to" by node name. */
  readonly linkOverrides = new Map<string, LinkConditions>();
  /** Datagrams handed to the network / delivered, for tests that count traffic. */
  sent = 0;
  delivered = 0;
  private readonly queue: InFlight[] = [];
  private seq = 0;
  /** Called for each event as it happens (in addition to the per-node log). */
  onEvent: ((node: SimNode, event: HostEvent) => void) | null = null;

  constructor(options: { seed: number; startTime?: number; conditions?: LinkConditions }) {
    this.random = new SeededRandom(options.seed);
    this.now = options.startTime ?? 0;
    this.conditions = options.conditions ?? {};
  }

  addHost(name: string, options: SimHostOptions = {}, port = 7000 + this.nodes.size): SimNode {
    const address: Address = { address: name, port };
    const key = `${name}:${port}`;
    const host = new Host({
      ...options,
      random: new SeededRandom(this.random.u32()),
      send: (data, to) => this.transmit(address, to, data),
    });
    const node: SimNode = { name: key, address, host, events: [] };
    this.nodes.set(key, node);
    return node;
  }

  private conditionsFor(from: Address, to: Address): LinkConditions {
    return this.linkOverrides.get(`${from.address}->${to.address}`) ?? this.conditions;
  }

  private transmit(from: Address, to: Address, data: Uint8Array): void {
    this.sent++;
    const c = this.conditionsFor(from, to);
    if (c.maxDatagram !== undefined && data.length > c.maxDatagram) return;
    if (c.loss && this.random.next() < c.loss) return;
    const copies = c.duplicate && this.random.next() < c.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = (c.latency ?? 10) + (c.jitter ? this.random.next() * c.jitter : 0);
      this.push({ at: this.now + Math.max(1, Math.round(delay)), seq: this.seq++, to: `${to.address}:${to.port}`, from, data });
    }
  }

  /** Injects a raw datagram (fuzzing), delivered at the next step. */
  inject(to: SimNode, from: Address, data: Uint8Array): void {
    this.push({ at: this.now, seq: this.seq++, to: to.name, from, data });
  }

  // Binary min-heap on (at, seq).
  private push(item: InFlight): void {
    const q = this.queue;
    q.push(item);
    let i = q.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(q[i]!, q[p]!)) break;
      [q[i], q[p]] = [q[p]!, q[i]!];
      i = p;
    }
  }

  private pop(): InFlight | undefined {
    const q = this.queue;
    const top = q[0];
    const last = q.pop();
    if (q.length > 0 && last) {
      q[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < q.length && before(q[l]!, q[m]!)) m = l;
        if (r < q.length && before(q[r]!, q[m]!)) m = r;
        if (m === i) break;
        [q[i], q[m]] = [q[m]!, q[i]!];
        i = m;
      }
    }
    return top;
  }

  get inFlight(): number {
    return this.queue.length;
  }

  /** Delivers what is due, then services every host until it has nothing to report. */
  tick(): void {
    while (this.queue.length > 0 && this.queue[0]!.at <= this.now) {
      const d = this.pop()!;
      const node = this.nodes.get(d.to);
      if (!node) continue;
      this.delivered++;
      node.host.receive(d.data, d.from);
    }
    const t = this.now >>> 0;
    for (const node of this.nodes.values()) {
      for (let e = node.host.service(t); e !== null; e = node.host.service(t)) {
        node.events.push(e);
        this.onEvent?.(node, e);
      }
    }
  }

  /** Advances the clock `ms` milliseconds in steps of `stepMs`, ticking at each. */
  run(ms: number, stepMs = 1): void {
    const end = this.now + ms;
    while (this.now < end) {
      this.now = Math.min(end, this.now + stepMs);
      this.tick();
    }
  }

  /** Ticks every `stepMs` until `done()` or `maxMs` elapsed. @returns whether done() held */
  runUntil(done: () => boolean, maxMs: number, stepMs = 1): boolean {
    const end = this.now + maxMs;
    while (!done()) {
      if (this.now >= end) return false;
      this.now += stepMs;
      this.tick();
    }
    return true;
  }
}

function before(a: InFlight, b: InFlight): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
