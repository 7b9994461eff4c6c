/**
 * A {@link DatagramSocket} on the native addon's batched UDP (native/udp.c, Linux): one
 * recvmmsg per readable event delivers up to 64 datagrams in one call into JS, and the
 * datagrams sent during one JS task leave in one sendmmsg when the task ends (a microtask),
 * runs of same-size datagrams to one destination as one segmented message (UDP_SEGMENT).
 * node:dgram pays a syscall, a libuv request and a callback per datagram each way, which
 * capped an ENet on Node at ≈0.6 of C ENet (README, ENet floor rows).
 *
 * The ENet hosts use it (ENetConnection asks for `batched` sockets); everything else keeps
 * node:dgram. Differences from NodeDatagramSocket, all in docs/DEVIATIONS.md:
 * - destinations must be IP literals (an ENet host only ever sends to the addresses it
 *   received from or resolved itself); a name is reported as EINVAL;
 * - a datagram is sent at the end of the JS task that queued it, not inside send();
 * - when the kernel's send buffer is full the staged datagrams wait for the socket to become
 *   writable; if the 256 KiB staging arena fills meanwhile, further datagrams are dropped and
 *   counted in {@link sendDrops} (C ENet drops them silently on EWOULDBLOCK; ENet resends
 *   reliable data);
 * - IPv6 scope ids (fe80::1%eth0) are not supported.
 * Received datagrams of one batch share one fresh ArrayBuffer: their bytes never change.
 */
import { getSystemErrorName } from 'node:util';
import { loadNative } from '../core/crypto/native.js';
import { ipFamily, ipToBytes, normalizeIp } from '../core/io/ip.js';
import type { BindOptions, DatagramSocket, SocketAddress, SocketError, SocketFamily } from './platform.js';
import { PlatformSocketError } from './socket-error.js';

/** The native functions (native/udp.c); `handle` is an opaque external. */
export interface NativeUdp {
  /** Most datagrams one receive callback describes (rxMeta holds that many rows). */
  udpBatch: number;
  udpCreate(v6: boolean, cb: (kind: number, n: number, buffer: ArrayBuffer | undefined) => void,
    rxMeta: Int32Array, txMeta: Int32Array, txData: Uint8Array): NativeUdpHandle | number;
  udpBind(h: NativeUdpHandle, ip: string | null, port: number, ipv6Only: boolean, reuseAddr: boolean): number;
  udpConnect(h: NativeUdpHandle, ip: string | null, port: number): number;
  udpSend(h: NativeUdpHandle, first: number, count: number): number;
  udpWantWritable(h: NativeUdpHandle): void;
  udpStats(h: NativeUdpHandle): [number, number, number, number, number];
  udpLocal(h: NativeUdpHandle): [string, number] | null;
  udpSetBroadcast(h: NativeUdpHandle, on: boolean): number;
  udpMembership(h: NativeUdpHandle, group: string, iface: string | null, add: boolean): number;
  udpClose(h: NativeUdpHandle): void;
  /** Pull mode (no readable watch); absent from addons built before it. */
  udpSetPull?(h: NativeUdpHandle, on: boolean): void;
  /** Reads what waits now, handing it to the callback synchronously: messages read, or -errno. */
  udpRead?(h: NativeUdpHandle): number;
}
export interface NativeUdpHandle { readonly __nativeUdp: unique symbol }

/** int32 per datagram in the shared tables: offset, length, port, family (4|6|0), w0..w3. */
const META = 8;
/** Datagrams staged before a send is forced. */
const TX_MAX = 512;
/** Bytes staged before a send is forced (the arena); the largest datagram always fits. */
export const DEFAULT_ARENA_BYTES = 256 * 1024;
const MAX_DATAGRAM = 65527;
/** Known sources (received) and destinations (sent), each bounded; cleared when full. */
const ADDRESS_CACHE_LIMIT = 1024;
/** Native event kinds (native/udp.c). */
const KIND_DATA = 0;
const KIND_WRITABLE = 1;
const KIND_ERROR = 2;

let cachedUdp: NativeUdp | null | undefined;

/** The addon's batched UDP, or null: not Linux, addon missing or too old, or GDWIRE_NATIVE_UDP=0. */
export function loadNativeUdp(): NativeUdp | null {
  if (cachedUdp !== undefined) return cachedUdp;
  const addon = process.env['GDWIRE_NATIVE_UDP'] === '0' ? null : (loadNative() as unknown as Partial<NativeUdp> | null);
  cachedUdp = addon && typeof addon.udpCreate === 'function' && typeof addon.udpStats === 'function'
    ? (addon as NativeUdp) : null;
  return cachedUdp;
}

function errorName(negErrno: number): string {
  try {
    return getSystemErrorName(negErrno);
  } catch {
    return 'EUNKNOWN';
  }
}

function socketError(negErrno: number, what: string): PlatformSocketError {
  const code = errorName(negErrno);
  return new PlatformSocketError(code, `${what} failed (${code})`);
}

/** [family, w0, w1, w2, w3] of an IP literal, or null (a name, or a scoped IPv6 address). */
function encodeAddress(ip: string): Int32Array | null {
  if (ip.includes('%')) return null;
  const bytes = ipToBytes(ip);
  if (bytes === null) return null;
  const word = (i: number): number => ((bytes[i] ?? 0) << 24) | ((bytes[i + 1] ?? 0) << 16) | ((bytes[i + 2] ?? 0) << 8) | (bytes[i + 3] ?? 0);
  return ipFamily(ip) === 4
    ? Int32Array.of(4, word(12), 0, 0, 0)
    : Int32Array.of(6, word(0), word(4), word(8), word(12));
}

function ipv4Text(w: number): string {
  return `${(w >>> 24) & 255}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;
}

function ipv6Text(m: Int32Array, at: number): string {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) view.setInt32(4 * i, m[at + i] ?? 0);
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(view.getUint16(2 * i).toString(16));
  return normalizeIp(groups.join(':')) ?? groups.join(':');
}

export class BatchedDatagramSocket implements DatagramSocket {
  readonly family: SocketFamily;
  readonly copiesOnSend = true;
  readonly receivesInBatches = true;
  /** Datagrams dropped because the staging arena was full while the kernel's buffer was. */
  sendDrops = 0;
  private handle: NativeUdpHandle | null = null;
  private closed = false;
  private bound = false;
  private broadcast = false;
  private local: SocketAddress | null = null;
  private messageHandler: ((data: Uint8Array, from: SocketAddress) => void) | null = null;
  private errorHandler: ((err: SocketError) => void) | null = null;
  private readonly rxMeta: Int32Array;
  private readonly txMeta = new Int32Array(TX_MAX * META);
  private readonly txData: Uint8Array;
  private txCount = 0;
  private txBytes = 0;
  private flushQueued = false;
  private waitingWritable = false;
  private pulled = false;
  /** Datagrams delivered since receiveNow began (its result). */
  private received = 0;
  /** Inside receiveNow. */
  private reading = false;
  private readonly sources = new Map<number, SocketAddress>();
  private readonly sources6 = new Map<string, SocketAddress>();
  private readonly destinations = new Map<string, Int32Array | null>();
  private readonly flushTask = (): void => {
    this.flushQueued = false;
    if (!this.waitingWritable) this.flush();
  };

  constructor(family: SocketFamily, private readonly udp: NativeUdp, arenaBytes = DEFAULT_ARENA_BYTES) {
    this.family = family;
    this.rxMeta = new Int32Array(udp.udpBatch * META);
    this.txData = new Uint8Array(Math.max(arenaBytes, MAX_DATAGRAM));
  }

  /** The native socket, created on first need (an unbound send binds to any port, as dgram does). */
  private ensure(): NativeUdpHandle {
    if (this.handle) return this.handle;
    const h = this.udp.udpCreate(this.family === 'udp6', (kind, n, buffer) => this.onNative(kind, n, buffer),
      this.rxMeta, this.txMeta, this.txData);
    if (typeof h === 'number') throw socketError(h, 'socket');
    this.handle = h;
    return h;
  }

  bind(port: number, address: string | undefined, options: BindOptions = {}): Promise<void> {
    if (this.closed) return Promise.reject(new PlatformSocketError('ERR_SOCKET_DGRAM_NOT_RUNNING', 'socket is closed'));
    if (this.bound) return Promise.reject(new PlatformSocketError('ERR_SOCKET_ALREADY_BOUND', 'socket is already bound'));
    try {
      this.bindNow(port, address, options);
    } catch (e) {
      return Promise.reject(e as Error);
    }
    return Promise.resolve();
  }

  private bindNow(port: number, address: string | undefined, options: BindOptions): void {
    const h = this.ensure();
    const r = this.udp.udpBind(h, address ?? null, port, this.family === 'udp6' && options.ipv6Only === true, options.reuseAddr === true);
    if (r < 0) throw socketError(r, 'bind');
    this.bound = true;
    if (this.broadcast) this.setBroadcast(true);
    this.refreshLocal(h);
  }

  /** Caches the bound address (it changes on bind and on connect, when the OS picks one). */
  private refreshLocal(h: NativeUdpHandle): void {
    const l = this.udp.udpLocal(h);
    const a = l ? (normalizeIp(l[0]) ?? l[0]) : null;
    this.local = l && a ? { address: a, port: l[1], family: a.includes(':') ? 'IPv6' : 'IPv4' } : null;
  }

  connect(address: string, port: number): Promise<void> {
    if (this.closed) return Promise.reject(new PlatformSocketError('ERR_SOCKET_DGRAM_NOT_RUNNING', 'socket is closed'));
    try {
      if (!this.bound) this.bindNow(0, undefined, {});
      const r = this.udp.udpConnect(this.ensure(), address, port);
      if (r < 0) return Promise.reject(socketError(r, 'connect'));
      this.refreshLocal(this.ensure());
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  /** Stages the datagram (always copied: the arena is reused); it leaves when this task ends. */
  send(data: Uint8Array, port?: number, address?: string): void {
    if (this.closed) return this.reportLater(new PlatformSocketError('ERR_SOCKET_DGRAM_NOT_RUNNING', 'socket is closed'));
    const n = data.length;
    if (n > MAX_DATAGRAM) return this.reportLater(new PlatformSocketError('EMSGSIZE', `datagram of ${n} bytes`));
    let dest: Int32Array | null = null;
    if (address !== undefined) {
      dest = this.destination(address);
      if (dest === null) return this.reportLater(new PlatformSocketError('EINVAL', `not an IP address: ${address}`));
    }
    if (!this.bound) {
      try {
        this.bindNow(0, undefined, {});
      } catch (e) {
        return this.reportLater(e as PlatformSocketError);
      }
    }
    if (this.txCount === TX_MAX || this.txBytes + n > this.txData.length) {
      if (!this.waitingWritable) this.flush();
      if (this.txCount === TX_MAX || this.txBytes + n > this.txData.length) {
        this.sendDrops++;
        return;
      }
    }
    const m = this.txMeta;
    const at = this.txCount * META;
    this.txData.set(data, this.txBytes);
    m[at] = this.txBytes;
    m[at + 1] = n;
    m[at + 2] = port ?? 0;
    if (dest === null) {
      m[at + 3] = 0;
    } else {
      m[at + 3] = dest[0] ?? 0;
      m[at + 4] = dest[1] ?? 0;
      m[at + 5] = dest[2] ?? 0;
      m[at + 6] = dest[3] ?? 0;
      m[at + 7] = dest[4] ?? 0;
    }
    this.txBytes += n;
    this.txCount++;
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flushTask);
    }
  }

  private destination(address: string): Int32Array | null {
    let d = this.destinations.get(address);
    if (d === undefined) {
      if (this.destinations.size >= ADDRESS_CACHE_LIMIT) this.destinations.clear();
      d = encodeAddress(address);
      if (d !== null && this.family === 'udp4' && d[0] === 6) d = null;
      this.destinations.set(address, d);
    }
    return d;
  }

  setPull(pull: boolean): boolean {
    if (this.closed || !this.udp.udpSetPull || !this.udp.udpRead) return false;
    if (pull !== this.pulled) {
      this.pulled = pull;
      this.udp.udpSetPull(this.ensure(), pull);
    }
    return pull;
  }

  receiveNow(): number {
    const h = this.handle;
    if (h === null || this.closed || !this.pulled || !this.udp.udpRead) return 0;
    this.received = 0;
    this.reading = true;
    try {
      // Datagrams come to onNative as watched ones do, before udpRead returns.
      this.udp.udpRead(h);
    } finally {
      this.reading = false;
    }
    return this.received;
  }

  /** Sends what is staged now (unless waiting for the kernel's buffer to drain). */
  flushNow(): void {
    if (this.txCount > 0 && !this.waitingWritable) this.flush();
  }

  /** Sends everything staged; stops (keeping the rest) when the kernel's buffer is full. */
  private flush(): void {
    const h = this.handle;
    if (h === null || this.closed) return;
    let i = 0;
    while (i < this.txCount) {
      const r = this.udp.udpSend(h, i, this.txCount - i);
      if (r > 0) {
        i += r;
        continue;
      }
      const code = errorName(r);
      if (code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'ENOBUFS') {
        this.keepFrom(i);
        this.waitingWritable = true;
        this.udp.udpWantWritable(h);
        return;
      }
      // This datagram cannot go (EMSGSIZE, ENETUNREACH, EACCES …): report it, send the rest.
      this.report(socketError(r, 'send'));
      i++;
    }
    this.txCount = 0;
    this.txBytes = 0;
  }

  /** Moves staged datagrams [first, txCount) to the front of the arena. */
  private keepFrom(first: number): void {
    if (first === 0) return;
    const m = this.txMeta;
    const base = m[first * META] ?? 0;
    this.txData.copyWithin(0, base, this.txBytes);
    m.copyWithin(0, first * META, this.txCount * META);
    this.txCount -= first;
    this.txBytes -= base;
    for (let k = 0; k < this.txCount; k++) m[k * META] = (m[k * META] ?? 0) - base;
  }

  private onNative(kind: number, n: number, buffer: ArrayBuffer | undefined): void {
    if (this.closed) return;
    if (kind === KIND_DATA && buffer !== undefined) this.deliver(n, buffer);
    else if (kind === KIND_WRITABLE) {
      this.waitingWritable = false;
      this.flush();
    } else if (kind === KIND_ERROR) {
      // Read on demand, the reader is mid-call (an ENet service): the error waits for its end.
      if (this.reading) this.reportLater(socketError(n, 'receive'));
      else this.report(socketError(n, 'receive'));
    }
  }

  private deliver(count: number, buffer: ArrayBuffer): void {
    const m = this.rxMeta;
    this.received += count;
    // The batch's datagrams are out of the kernel: a handler that throws does not lose the
    // rest; the first exception is rethrown after them (to receiveNow's caller, or uncaught
    // from a watched read, as from a dgram 'message' listener).
    let thrown: { error: unknown } | null = null;
    for (let i = 0; i < count; i++) {
      const at = i * META;
      const from = this.source(m, at + 2);
      const data = new Uint8Array(buffer, m[at] ?? 0, m[at + 1] ?? 0);
      // A handler may close the socket mid-batch: the rest is dropped, as dgram would.
      if (this.closed) break;
      try {
        this.messageHandler?.(data, from);
      } catch (error) {
        thrown ??= { error };
      }
    }
    if (thrown) throw thrown.error;
  }

  /** The SocketAddress of [port, family, w0..w3] at `at`, one object per source (cached). */
  private source(m: Int32Array, at: number): SocketAddress {
    const port = m[at] ?? 0;
    if (m[at + 1] === 4) {
      const w = (m[at + 2] ?? 0) >>> 0;
      const key = w * 65536 + port;
      let a = this.sources.get(key);
      if (a === undefined) {
        if (this.sources.size >= ADDRESS_CACHE_LIMIT) this.sources.clear();
        a = Object.freeze({ address: ipv4Text(w), port, family: 'IPv4' as const });
        this.sources.set(key, a);
      }
      return a;
    }
    const key = `${m[at + 2]},${m[at + 3]},${m[at + 4]},${m[at + 5]},${port}`;
    let a = this.sources6.get(key);
    if (a === undefined) {
      if (this.sources6.size >= ADDRESS_CACHE_LIMIT) this.sources6.clear();
      a = Object.freeze({ address: ipv6Text(m, at + 2), port, family: 'IPv6' as const });
      this.sources6.set(key, a);
    }
    return a;
  }

  /**
   * How sends were grouped: `messages` handed to the kernel for `datagrams` datagrams (fewer
   * messages: runs of same-size datagrams went out segmented, UDP_SEGMENT).
   */
  sendStats(): { messages: number; datagrams: number } {
    const [messages, datagrams] = this.handle ? this.udp.udpStats(this.handle) : [0, 0];
    return { messages, datagrams };
  }

  /**
   * Messages the kernel handed over and the datagrams they held (more datagrams than
   * messages: runs coalesced by UDP_GRO), and whether the kernel accepted UDP_GRO at all.
   */
  receiveStats(): { messages: number; datagrams: number; gro: boolean } {
    const s = this.handle ? this.udp.udpStats(this.handle) : [0, 0, 0, 0, 0];
    return { messages: s[2] ?? 0, datagrams: s[3] ?? 0, gro: s[4] === 1 };
  }

  private report(err: SocketError): void {
    if (!this.closed) this.errorHandler?.(err);
  }

  private reportLater(err: SocketError): void {
    queueMicrotask(() => this.report(err));
  }

  onMessage(handler: (data: Uint8Array, from: SocketAddress) => void): void {
    this.messageHandler = handler;
  }

  onError(handler: (err: SocketError) => void): void {
    this.errorHandler = handler;
  }

  localAddress(): SocketAddress | null {
    return this.closed || !this.bound ? null : this.local;
  }

  setBroadcast(enabled: boolean): void {
    this.broadcast = enabled;
    if (this.closed || !this.bound || this.handle === null) return;
    const r = this.udp.udpSetBroadcast(this.handle, enabled);
    if (r < 0) this.report(socketError(r, 'setBroadcast'));
  }

  addMembership(group: string, iface?: string): void {
    this.membership(group, iface, true);
  }

  dropMembership(group: string, iface?: string): void {
    this.membership(group, iface, false);
  }

  /** IPv4: `iface` is a local address (a name is looked up by the caller); IPv6: a name. */
  private membership(group: string, iface: string | undefined, add: boolean): void {
    if (this.closed || !this.bound || this.handle === null) throw new PlatformSocketError('EBADF', 'socket is not bound');
    const r = this.udp.udpMembership(this.handle, group, iface ?? null, add);
    if (r < 0) throw socketError(r, add ? 'addMembership' : 'dropMembership');
  }

  close(): void {
    if (this.closed) return;
    // Datagrams staged in this task still leave (ENet's DISCONNECT right before destroy()).
    if (!this.waitingWritable) this.flush();
    this.closed = true;
    this.messageHandler = null;
    if (this.handle) this.udp.udpClose(this.handle);
    this.handle = null;
  }
}
