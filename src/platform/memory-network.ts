/**
 * An in-memory datagram network for deterministic tests and simulations: no ports, no
 * sleeps. Every datagram is delivered through the network's clock (a FakeClock by default),
 * so a test moves time with `clock.advance(ms)` and sees exactly the same deliveries for the
 * same seed and the same sequence of calls.
 *
 * Model
 * - Hosts: the network itself is host "localhost" (loopback only); {@link MemoryNetwork.createHost}
 *   adds hosts with their own addresses and port spaces. Every host also has 127.0.0.0/8
 *   and ::1, which stay inside the host.
 * - Binding follows Linux: ephemeral ports from 49152; EADDRINUSE when the address sets of
 *   two sockets on a port overlap unless both set reuseAddr; "::" dual-stack (ipv6Only
 *   false) covers every IPv4 and IPv6 address, ipv6Only covers IPv6 only; EADDRNOTAVAIL
 *   for an address the host does not have; EAFNOSUPPORT for udp6 when created with
 *   `ipv6: false` (a machine without IPv6).
 * - Unicast goes to one socket: a connected socket whose remote is the sender first, then a
 *   socket bound to the exact address, then the wildcard; ties go to the socket bound last
 *   (Linux's SO_REUSEADDR behaviour). Connected sockets never see other senders.
 * - Broadcast (255.255.255.255 to every host, a.b.c.255 to hosts in a.b.c.0/24) needs
 *   setBroadcast(true) (else EACCES) and reaches every socket bound to the port on the
 *   wildcard or the broadcast address, the sender's host included. Multicast reaches the
 *   sockets that joined the group themselves (per-socket membership, i.e. Linux with
 *   IP_MULTICAST_ALL off), sender's host included (IP_MULTICAST_LOOP on).
 * - Link conditions (network-wide, per host pair, or per endpoint pair) add seeded loss,
 *   duplication, reordering, latency and jitter, loopback traffic included. Receivers of
 *   broadcast/multicast are chosen when the datagram is sent; a unicast datagram picks its
 *   socket when it arrives.
 */
import { formatEndpoint, isLoopback, isMulticast, isUnspecified, normalizeIp, parseEndpoint } from '../core/io/ip.js';
import { FakeClock } from './fake-clock.js';
import { MemorySocket, type SocketHost } from './memory-socket.js';
import type { Clock, DatagramSocket, Network, SocketFamily, Timers } from './platform.js';
import { SeededRandom } from './seeded-random.js';
import { PlatformSocketError } from './socket-error.js';

export { MemorySocket } from './memory-socket.js';

/** Conditions on a link. Probabilities are 0–1, times are ms; everything defaults to 0. */
export interface LinkConditions {
  /** Probability that a datagram is lost. */
  loss?: number;
  /** Probability that a datagram arrives twice (the copy gets its own latency and jitter). */
  duplicate?: number;
  /** Probability that a datagram is held back by `reorderDelay`, so later ones overtake it. */
  reorder?: number;
  /** Extra delay of a held-back datagram; default max(1, latency + jitter). */
  reorderDelay?: number;
  /** One-way base delay. */
  latency?: number;
  /** Extra delay drawn uniformly from [0, jitter) per datagram (so jitter also reorders). */
  jitter?: number;
}

/** A datagram as seen by a tap (at send time, before link conditions). */
export interface TappedDatagram {
  time: number;
  from: { address: string; port: number };
  to: { address: string; port: number };
  data: Uint8Array;
}

/** Return `false` to drop the datagram (counted in stats.filtered). */
export type Tap = (d: TappedDatagram) => boolean | void;

export interface NetworkStats {
  sent: number;
  delivered: number;
  lost: number;
  duplicated: number;
  reordered: number;
  filtered: number;
  /** No host has the destination address, or no source address fits it. */
  unroutable: number;
  /** Arrived at a host where no socket took it (a real host would answer ICMP unreachable). */
  noListener: number;
}

export interface MemoryNetworkOptions {
  /** Clock and timers deliveries are scheduled on; default a new FakeClock (see `.clock`). */
  clock?: Clock & Timers;
  /** Seed of the link-condition randomness (independent of the platform's Random). */
  seed?: number | string;
  conditions?: LinkConditions;
  /** false simulates a machine without IPv6: udp6 sockets fail to bind with EAFNOSUPPORT. */
  ipv6?: boolean;
}

interface Packet {
  data: Uint8Array;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  kind: 'unicast' | 'broadcast' | 'multicast';
}

const EPHEMERAL_FIRST = 49152;

/** The address sets a socket's bind covers: '*' = all of that family, null = none. */
type BindShape = Pick<MemorySocket, 'family' | 'boundAddress' | 'ipv6Only'>;

function coverage(s: BindShape): { v4: string | null; v6: string | null } {
  const a = s.boundAddress ?? '';
  const isV4 = !a.includes(':');
  if (s.family === 'udp4') return { v4: a === '0.0.0.0' ? '*' : a, v6: null };
  if (a === '::') return { v4: s.ipv6Only ? null : '*', v6: '*' };
  return isV4 ? { v4: s.ipv6Only ? null : a, v6: null } : { v4: null, v6: a };
}

function overlaps(x: string | null, y: string | null): boolean {
  return x !== null && y !== null && (x === '*' || y === '*' || x === y);
}

/** Whether `s` accepts datagrams addressed to `dstIp`. */
function covers(s: MemorySocket, dstIp: string): boolean {
  const c = coverage(s);
  const set = dstIp.includes(':') ? c.v6 : c.v4;
  return set !== null && (set === '*' || set === dstIp);
}

export class MemoryHost implements Network, SocketHost {
  /** The host's own (non-loopback) addresses, canonical. */
  readonly addresses: readonly string[];
  private readonly ports = new Map<number, MemorySocket[]>();
  private nextEphemeral = EPHEMERAL_FIRST;

  constructor(readonly network: MemoryNetwork, readonly name: string, addresses: readonly string[]) {
    this.addresses = addresses;
  }

  get ipv6(): boolean {
    return this.network.ipv6;
  }

  createSocket(family: SocketFamily): DatagramSocket {
    return new MemorySocket(this, family);
  }

  lookup(host: string, family?: 4 | 6): Promise<string[]> {
    return this.network.lookup(host, family);
  }

  ownsAddress(ip: string): boolean {
    return isUnspecified(ip) || isLoopback(ip) || this.addresses.includes(ip);
  }

  /** Sockets bound to `port`, in bind order (for assertions and the router). */
  socketsOn(port: number): readonly MemorySocket[] {
    return this.ports.get(port) ?? [];
  }

  attach(sock: MemorySocket, port: number, address: string): string | null {
    let p = port;
    if (p === 0) {
      const free = this.freePort();
      if (free === null) return 'EADDRINUSE';
      p = free;
    }
    const list = this.ports.get(p) ?? [];
    const mine = coverage({ family: sock.family, boundAddress: address, ipv6Only: sock.ipv6Only });
    for (const other of list) {
      const theirs = coverage(other);
      const clash = overlaps(mine.v4, theirs.v4) || overlaps(mine.v6, theirs.v6);
      if (clash && !(sock.reuseAddr && other.reuseAddr)) return 'EADDRINUSE';
    }
    list.push(sock);
    this.ports.set(p, list);
    sock.boundAddress = address;
    sock.boundPort = p;
    return null;
  }

  private freePort(): number | null {
    for (let i = 0; i <= 65535 - EPHEMERAL_FIRST; i++) {
      const p = this.nextEphemeral;
      this.nextEphemeral = p >= 65535 ? EPHEMERAL_FIRST : p + 1;
      if (!this.ports.has(p)) return p;
    }
    return null;
  }

  detach(sock: MemorySocket): void {
    const list = this.ports.get(sock.boundPort);
    if (!list) return;
    const i = list.indexOf(sock);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.ports.delete(sock.boundPort);
  }

  transmit(sock: MemorySocket, data: Uint8Array, ip: string, port: number): void {
    this.network.route(this, sock, data, ip, port);
  }

  /** The source address a wildcard-bound socket uses towards `dstIp`, or null when none fits. */
  sourceFor(sock: MemorySocket, dstIp: string): string | null {
    const bound = sock.boundAddress ?? '';
    if (!isUnspecified(bound) && !isMulticast(bound)) {
      // A socket bound to loopback only reaches loopback (Linux refuses the rest).
      return isLoopback(bound) && !isLoopback(dstIp) && !isUnspecified(dstIp) ? null : bound;
    }
    const v6 = dstIp.includes(':');
    if (isLoopback(dstIp) || isUnspecified(dstIp)) return v6 ? '::1' : '127.0.0.1';
    if (this.addresses.includes(dstIp)) return dstIp;
    const mine = this.addresses.find((a) => a.includes(':') === v6);
    if (mine) return mine;
    // A loopback-only host still reaches multicast and broadcast (through its loopback).
    return isMulticast(dstIp) || dstIp.endsWith('.255') ? (v6 ? '::1' : '127.0.0.1') : null;
  }

  /** Hands an arriving datagram to the socket(s) that take it. Returns how many did. */
  deliver(p: Packet): number {
    const list = this.ports.get(p.dstPort);
    if (!list || list.length === 0) return 0;
    const from = { address: p.srcIp, port: p.srcPort, family: p.srcIp.includes(':') ? 'IPv6' as const : 'IPv4' as const };
    const accepts = (s: MemorySocket): boolean =>
      !s.closed && covers(s, p.dstIp) &&
      (s.remote === null || (s.remote.address === p.srcIp && s.remote.port === p.srcPort));
    if (p.kind !== 'unicast') {
      let n = 0;
      for (const s of [...list]) {
        if (!accepts(s) || (p.kind === 'multicast' && !s.groups.has(p.dstIp))) continue;
        s.arrive(p.data.slice(), from);
        n++;
      }
      return n;
    }
    let best: MemorySocket | null = null;
    let bestScore = -1;
    for (const s of list) {
      if (!accepts(s)) continue;
      const score = (s.remote ? 2 : 0) + (isUnspecified(s.boundAddress ?? '') ? 0 : 1);
      if (score >= bestScore) {
        best = s;
        bestScore = score;
      }
    }
    if (!best) return 0;
    best.arrive(p.data.slice(), from);
    return 1;
  }
}

export class MemoryNetwork implements Network {
  readonly clock: Clock & Timers;
  readonly ipv6: boolean;
  readonly stats: NetworkStats = MemoryNetwork.zeroStats();
  /** The "localhost" host: the network used directly as a Network creates sockets here. */
  readonly localhost: MemoryHost;
  private readonly random: SeededRandom;
  private conditions: LinkConditions;
  private readonly pairConditions = new Map<string, LinkConditions>();
  private readonly hosts: MemoryHost[] = [];
  private readonly hostByAddress = new Map<string, MemoryHost>();
  private readonly dns = new Map<string, string[]>();
  private readonly taps = new Set<Tap>();
  private inFlightCount = 0;

  constructor(options: MemoryNetworkOptions = {}) {
    this.clock = options.clock ?? new FakeClock();
    this.ipv6 = options.ipv6 ?? true;
    this.random = new SeededRandom(options.seed ?? 1);
    this.conditions = { ...options.conditions };
    this.localhost = new MemoryHost(this, 'localhost', []);
    this.hosts.push(this.localhost);
  }

  private static zeroStats(): NetworkStats {
    return { sent: 0, delivered: 0, lost: 0, duplicated: 0, reordered: 0, filtered: 0, unroutable: 0, noListener: 0 };
  }

  createSocket(family: SocketFamily): DatagramSocket {
    return this.localhost.createSocket(family);
  }

  /**
   * Adds a host with its own addresses (IPv4 and/or IPv6, not loopback, not ending in .255)
   * and port space; its name resolves to those addresses. The network's own "localhost"
   * host has loopback only, so it cannot reach these hosts: put every simulated machine
   * on a host of its own.
   */
  createHost(name: string, addresses: readonly string[]): MemoryHost {
    const canonical = addresses.map((a) => {
      const n = normalizeIp(a);
      // a.b.c.255 is reserved: the network treats it as the a.b.c.0/24 broadcast address.
      if (n === null || isLoopback(n) || isUnspecified(n) || isMulticast(n) || n.endsWith('.255')) {
        throw new RangeError(`not a unicast host address: ${a}`);
      }
      if (this.hostByAddress.has(n)) throw new RangeError(`address already in use: ${n}`);
      return n;
    });
    const host = new MemoryHost(this, name, canonical);
    this.hosts.push(host);
    for (const a of canonical) this.hostByAddress.set(a, host);
    this.addDnsRecord(name, canonical);
    return host;
  }

  /** Makes `name` resolve to `addresses` (IPv4 ones first when looked up). */
  addDnsRecord(name: string, addresses: readonly string[]): void {
    this.dns.set(name.toLowerCase(), addresses.map((a) => normalizeIp(a) ?? a));
  }

  lookup(host: string, family?: 4 | 6): Promise<string[]> {
    const literal = normalizeIp(host);
    let found: string[];
    if (literal !== null) found = [literal];
    else if (host.toLowerCase() === 'localhost') found = this.ipv6 ? ['127.0.0.1', '::1'] : ['127.0.0.1'];
    else found = this.dns.get(host.toLowerCase()) ?? [];
    const v4 = found.filter((a) => !a.includes(':'));
    const v6 = found.filter((a) => a.includes(':'));
    const result = family === 4 ? v4 : family === 6 ? v6 : [...v4, ...v6];
    if (result.length === 0) return Promise.reject(new PlatformSocketError('ENOTFOUND', `cannot resolve ${host}`));
    return Promise.resolve(result);
  }

  /** Replaces the network-wide link conditions. */
  setConditions(conditions: LinkConditions): void {
    this.conditions = { ...conditions };
  }

  /**
   * Sets the conditions from `from` to `to` (and back unless bothWays is false), overriding
   * the network-wide ones. Each side is an address ("10.0.0.1") or an endpoint
   * ("10.0.0.1:4433", "[::1]:4433"); endpoint pairs win over address pairs. null removes.
   */
  setLinkConditions(from: string, to: string, conditions: LinkConditions | null, bothWays = true): void {
    const a = this.endpointKey(from);
    const b = this.endpointKey(to);
    const set = (k: string): void => {
      if (conditions) this.pairConditions.set(k, { ...conditions });
      else this.pairConditions.delete(k);
    };
    set(`${a}>${b}`);
    if (bothWays) set(`${b}>${a}`);
  }

  private endpointKey(s: string): string {
    const e = parseEndpoint(s);
    if (!e) throw new RangeError(`not an address or endpoint: ${s}`);
    return e.port === undefined ? e.ip : formatEndpoint(e.ip, e.port);
  }

  /** Watches every datagram sent; a tap returning false drops it. Returns an unsubscribe. */
  tap(fn: Tap): () => void {
    this.taps.add(fn);
    return () => this.taps.delete(fn);
  }

  /** Datagrams sent but not yet delivered (or dropped on arrival). */
  inFlight(): number {
    return this.inFlightCount;
  }

  resetStats(): void {
    Object.assign(this.stats, MemoryNetwork.zeroStats());
  }

  /** @internal Called by a host's socket for each datagram sent. */
  route(host: MemoryHost, sock: MemorySocket, data: Uint8Array, dstIp: string, dstPort: number): void {
    const srcIp = host.sourceFor(sock, dstIp);
    if (srcIp === null) {
      this.stats.unroutable++;
      return;
    }
    const kind = isMulticast(dstIp) ? 'multicast'
      : !dstIp.includes(':') && dstIp.endsWith('.255') ? 'broadcast' : 'unicast';
    if (kind === 'broadcast' && !sock.broadcast) {
      sock.report(new PlatformSocketError('EACCES', 'broadcast is not enabled on this socket'));
      return;
    }
    const packet: Packet = { data: data.slice(), srcIp, srcPort: sock.boundPort, dstIp, dstPort, kind };
    for (const t of this.taps) {
      const d = { time: this.clock.now(), from: { address: srcIp, port: sock.boundPort }, to: { address: dstIp, port: dstPort }, data: packet.data };
      if (t(d) === false) {
        this.stats.filtered++;
        return;
      }
    }
    this.stats.sent++;
    const targets = this.targets(host, packet);
    if (targets === null) {
      this.stats.unroutable++;
      return;
    }
    for (const target of targets) this.schedule(target, packet);
  }

  /** The hosts a datagram goes to; null when it cannot be routed. */
  private targets(from: MemoryHost, p: Packet): MemoryHost[] | null {
    const listening = (h: MemoryHost): boolean => h.socketsOn(p.dstPort).length > 0;
    if (p.kind === 'multicast' || p.dstIp === '255.255.255.255') return this.hosts.filter(listening);
    if (p.kind === 'broadcast') {
      const prefix = p.dstIp.slice(0, p.dstIp.lastIndexOf('.') + 1);
      return this.hosts.filter((h) => listening(h) && h.addresses.some((a) => a.startsWith(prefix)));
    }
    if (isLoopback(p.dstIp) || isUnspecified(p.dstIp)) return [from];
    const h = this.hostByAddress.get(p.dstIp);
    return h ? [h] : null;
  }

  private conditionsFor(p: Packet, receiver: MemoryHost): LinkConditions {
    if (this.pairConditions.size === 0) return this.conditions;
    const dstIp = p.kind === 'unicast' ? p.dstIp : (receiver.addresses[0] ?? p.dstIp);
    return this.pairConditions.get(`${formatEndpoint(p.srcIp, p.srcPort)}>${formatEndpoint(dstIp, p.dstPort)}`)
      ?? this.pairConditions.get(`${p.srcIp}>${dstIp}`)
      ?? this.conditions;
  }

  /** Applies the link's loss, duplication and delays, then sets the arrival timer(s). */
  private schedule(receiver: MemoryHost, p: Packet): void {
    const c = this.conditionsFor(p, receiver);
    const rng = this.random;
    if (c.loss && rng.chance(c.loss)) {
      this.stats.lost++;
      return;
    }
    let copies = 1;
    if (c.duplicate && rng.chance(c.duplicate)) {
      copies = 2;
      this.stats.duplicated++;
    }
    const latency = c.latency ?? 0;
    const jitter = c.jitter ?? 0;
    for (let i = 0; i < copies; i++) {
      let delay = latency + (jitter > 0 ? rng.float() * jitter : 0);
      if (c.reorder && rng.chance(c.reorder)) {
        delay += c.reorderDelay ?? Math.max(1, latency + jitter);
        this.stats.reordered++;
      }
      this.inFlightCount++;
      this.clock.setTimeout(() => this.arrive(receiver, p), delay);
    }
  }

  private arrive(receiver: MemoryHost, p: Packet): void {
    this.inFlightCount--;
    const n = receiver.deliver(p);
    if (n === 0) this.stats.noListener++;
    this.stats.delivered += n;
  }
}
