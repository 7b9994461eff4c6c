/**
 * The production Platform: performance.now(), node:crypto randomness, Node timers, node:dgram
 * sockets (batched native ones for ENet where available: batched-socket.ts), dns.lookup, and a level-filtered logger writing text or JSON lines to stderr.
 */
import { randomFillSync } from 'node:crypto';
import dgram from 'node:dgram';
import { promises as dns, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ipFamily, normalizeIp } from '../core/io/ip.js';
import type {
  BindOptions, Clock, DatagramSocket, LogFields, LogLevel, Logger, Network, Platform, Random,
  SocketAddress, SocketError, SocketFamily, SocketOptions, TimerHandle, Timers,
} from './platform.js';
import { BatchedDatagramSocket, loadNativeUdp } from './batched-socket.js';
import { PlatformSocketError, toSocketError } from './socket-error.js';

export const nodeClock: Clock = { now: () => performance.now() };

/** Cryptographically strong randomness; u32() draws from a 1 KiB pool refilled as needed. */
export class NodeRandom implements Random {
  private pool = new Uint32Array(256);
  private index = 256;

  fill(bytes: Uint8Array): void {
    randomFillSync(bytes);
  }

  u32(): number {
    if (this.index >= this.pool.length) {
      randomFillSync(this.pool);
      this.index = 0;
    }
    return this.pool[this.index++] ?? 0;
  }
}

export const nodeTimers: Timers = {
  setTimeout: (fn, ms): TimerHandle => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setImmediate: (fn) => {
    setImmediate(fn);
  },
};

// ---------------------------------------------------------------------------------------------
// Logger

const RANK: Record<LogLevel | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface NodeLoggerOptions {
  /** Lowest level written; default $GDWIRE_LOG_LEVEL or 'warn'. 'silent' writes nothing. */
  level?: LogLevel | 'silent';
  /** 'text' (default, or $GDWIRE_LOG_FORMAT) or 'json' (one JSON object per line). */
  format?: 'text' | 'json';
  /** Where lines go; default process.stderr. Each call gets one line ending in "\n". */
  write?: (line: string) => void;
}

/** JSON-safe form of a log field value: bigint as text, bytes as hex (first 64), errors flattened. */
function fieldValue(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) {
    const hex = Buffer.from(v.subarray(0, 64)).toString('hex');
    return v.length > 64 ? `${hex}…(${v.length} bytes)` : hex;
  }
  if (v instanceof Error) {
    const code = (v as { code?: unknown }).code;
    return { name: v.name, message: v.message, ...(code !== undefined ? { code } : {}) };
  }
  return v;
}

function levelFromEnv(): LogLevel | 'silent' {
  const v = process.env['GDWIRE_LOG_LEVEL'];
  return v === 'debug' || v === 'info' || v === 'warn' || v === 'error' || v === 'silent' ? v : 'warn';
}

export class NodeLogger implements Logger {
  level: LogLevel | 'silent';
  format: 'text' | 'json';
  private readonly write: (line: string) => void;

  constructor(options: NodeLoggerOptions = {}) {
    this.level = options.level ?? levelFromEnv();
    this.format = options.format ?? (process.env['GDWIRE_LOG_FORMAT'] === 'json' ? 'json' : 'text');
    this.write = options.write ?? ((line) => { process.stderr.write(line); });
  }

  log(level: LogLevel, message: string, fields?: LogFields): void {
    if (RANK[level] < RANK[this.level]) return;
    const time = new Date().toISOString();
    const safe: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields ?? {})) safe[k] = fieldValue(v);
    let line: string;
    if (this.format === 'json') {
      try {
        line = JSON.stringify({ time, level, msg: message, ...safe });
      } catch {
        line = JSON.stringify({ time, level, msg: message, fields: '[unserializable]' });
      }
    } else {
      const kv = Object.entries(safe).map(([k, v]) => {
        let text: string;
        try {
          text = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
        } catch {
          text = '[unserializable]';
        }
        return `${k}=${/[\s"=]/.test(text) ? JSON.stringify(text) : text}`;
      });
      line = [time, level.toUpperCase(), message, ...kv].join(' ');
    }
    this.write(`${line}\n`);
  }
}

// ---------------------------------------------------------------------------------------------
// Sockets

/** A socket's source/peer address as the interface promises: IPv4-mapped IPv6 as IPv4. */
function toSocketAddress(address: string, port: number): SocketAddress {
  const a = normalizeIp(address) ?? address;
  return { address: a, port, family: a.includes(':') ? 'IPv6' : 'IPv4' };
}

/**
 * dgram's `lookup` option: IP literals answered synchronously. Node's default (dns.lookup)
 * defers every unconnected send to a later tick even for an IP literal (profile: that DNS
 * step and the copy it forces were a large share of send cost). Names go to dns.lookup.
 */
function literalLookup(
  host: string,
  options: number | LookupOneOptions,
  cb: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = isIP(host);
  if (family !== 0) {
    cb(null, host, family);
    return;
  }
  void dns.lookup(host, typeof options === 'number' ? { family: options } : options).then(
    (r) => cb(null, r.address, r.family),
    (e: NodeJS.ErrnoException) => cb(e, '', 0),
  );
}

/** Source addresses seen recently, normalized (the 'message' handler runs per datagram). */
const SOURCE_CACHE_LIMIT = 1024;

/**
 * Godot names an interface ("eth0"); Node wants a local address (IPv4) or "::%eth0" (IPv6).
 * An IP literal passes through; an empty name lets the OS choose.
 */
function multicastInterface(group: string, iface: string | undefined): string | undefined {
  if (!iface) return undefined;
  if (normalizeIp(iface) !== null) return iface;
  if (ipFamily(group) === 6) return `::%${iface}`;
  const v4 = (networkInterfaces()[iface] ?? []).find((i) => i.family === 'IPv4');
  if (!v4) throw new PlatformSocketError('ENODEV', `no IPv4 address on interface ${iface}`);
  return v4.address;
}

export class NodeDatagramSocket implements DatagramSocket {
  readonly family: SocketFamily;
  private sock: dgram.Socket | null = null;
  private ipv6Only = false;
  private closed = false;
  private listening = false;
  private broadcast: boolean | null = null;
  private connected = false;
  /** Sends handed to dgram whose callback has not run yet (dgram sends after a DNS step). */
  private inFlight = 0;
  private closeWhenDrained = false;
  private messageHandler: ((data: Uint8Array, from: SocketAddress) => void) | null = null;
  private errorHandler: ((err: SocketError) => void) | null = null;
  private bindReject: ((err: SocketError) => void) | null = null;

  constructor(family: SocketFamily) {
    this.family = family;
  }

  /** The dgram socket, created on first need (ipv6Only/reuseAddr are creation options in Node). */
  private ensure(options: BindOptions = {}): dgram.Socket {
    if (this.sock) return this.sock;
    this.ipv6Only = this.family === 'udp6' && options.ipv6Only === true;
    const sock = dgram.createSocket({
      type: this.family,
      ipv6Only: this.ipv6Only,
      reuseAddr: options.reuseAddr === true,
      lookup: literalLookup,
    });
    // Normalizing the raw source address (normalizeIp) per datagram showed in the profile:
    // cache it per raw string, bounded (cleared when full).
    const sources = new Map<string, string>();
    sock.on('message', (msg, rinfo) => {
      const data = new Uint8Array(msg.buffer, msg.byteOffset, msg.length);
      let address = sources.get(rinfo.address);
      if (address === undefined) {
        if (sources.size >= SOURCE_CACHE_LIMIT) sources.clear();
        address = normalizeIp(rinfo.address) ?? rinfo.address;
        sources.set(rinfo.address, address);
      }
      this.messageHandler?.(data, { address, port: rinfo.port, family: address.includes(':') ? 'IPv6' : 'IPv4' });
    });
    sock.on('error', (err) => {
      if (this.bindReject) {
        const reject = this.bindReject;
        this.bindReject = null;
        reject(toSocketError(err));
      } else {
        this.report(err);
      }
    });
    sock.on('listening', () => {
      this.listening = true;
      if (this.broadcast !== null) this.applyBroadcast();
    });
    this.sock = sock;
    return sock;
  }

  private report(err: unknown): void {
    if (!this.closed) this.errorHandler?.(toSocketError(err));
  }

  /** Node's udp6 socket refuses a dotted IPv4 destination: dual-stack needs ::ffff:a.b.c.d. */
  private wireAddress(address: string): string {
    if (this.family === 'udp6' && !this.ipv6Only && ipFamily(address) === 4 && !address.includes(':')) {
      return `::ffff:${address}`;
    }
    return address;
  }

  bind(port: number, address: string | undefined, options: BindOptions = {}): Promise<void> {
    if (this.closed) return Promise.reject(new PlatformSocketError('ERR_SOCKET_DGRAM_NOT_RUNNING', 'socket is closed'));
    if (this.sock) return Promise.reject(new PlatformSocketError('ERR_SOCKET_ALREADY_BOUND', 'socket is already bound'));
    const sock = this.ensure(options);
    return new Promise<void>((resolve, reject) => {
      this.bindReject = reject;
      try {
        // exclusive: a cluster worker gets its own socket rather than a handle shared via the primary.
        sock.bind({ port, address, exclusive: true }, () => {
          this.bindReject = null;
          resolve();
        });
      } catch (e) {
        this.bindReject = null;
        reject(toSocketError(e));
      }
    });
  }

  connect(address: string, port: number): Promise<void> {
    if (this.closed) return Promise.reject(new PlatformSocketError('ERR_SOCKET_DGRAM_NOT_RUNNING', 'socket is closed'));
    const sock = this.ensure();
    return new Promise<void>((resolve, reject) => {
      try {
        if (this.connected) {
          sock.disconnect();
          this.connected = false;
        }
        sock.connect(port, this.wireAddress(address), (err?: Error) => {
          if (err) reject(toSocketError(err));
          else {
            this.connected = true;
            resolve();
          }
        });
      } catch (e) {
        reject(toSocketError(e));
      }
    });
  }

  send(data: Uint8Array, port?: number, address?: string, owned = false): void {
    if (this.closed) {
      const err = new PlatformSocketError('ERR_SOCKET_DGRAM_NOT_RUNNING', 'socket is closed');
      queueMicrotask(() => this.report(err));
      return;
    }
    const sock = this.ensure();
    this.inFlight++;
    const done = (err: Error | null): void => {
      this.inFlight--;
      if (err && !this.closed) this.report(err);
      if (this.closeWhenDrained && this.inFlight === 0) this.release();
    };
    try {
      // Copied unless `owned`: dgram may still hold the bytes after send() returns (a name
      // lookup, or a send queued in libuv), so a caller reusing its buffer would change what
      // goes out. The ENet driver's datagrams are fresh and never rewritten (profile: the
      // per-send copy was a measurable share of send cost).
      const copy = owned ? data : Buffer.from(data);
      if (address === undefined) sock.send(copy, done);
      else sock.send(copy, port, this.wireAddress(address), done);
    } catch (e) {
      this.inFlight--;
      queueMicrotask(() => this.report(e));
    }
  }

  onMessage(handler: (data: Uint8Array, from: SocketAddress) => void): void {
    this.messageHandler = handler;
  }

  onError(handler: (err: SocketError) => void): void {
    this.errorHandler = handler;
  }

  localAddress(): SocketAddress | null {
    if (!this.sock || this.closed || !this.listening) return null;
    try {
      const a = this.sock.address();
      return toSocketAddress(a.address, a.port);
    } catch {
      return null;
    }
  }

  setBroadcast(enabled: boolean): void {
    this.broadcast = enabled;
    if (this.listening) this.applyBroadcast();
  }

  private applyBroadcast(): void {
    try {
      this.sock?.setBroadcast(this.broadcast === true);
    } catch (e) {
      this.report(e);
    }
  }

  addMembership(group: string, iface?: string): void {
    const sock = this.liveSocket();
    try {
      sock.addMembership(group, multicastInterface(group, iface));
    } catch (e) {
      throw toSocketError(e);
    }
  }

  dropMembership(group: string, iface?: string): void {
    const sock = this.liveSocket();
    try {
      sock.dropMembership(group, multicastInterface(group, iface));
    } catch (e) {
      throw toSocketError(e);
    }
  }

  private liveSocket(): dgram.Socket {
    if (this.closed || !this.sock || !this.listening) {
      throw new PlatformSocketError('EBADF', 'socket is not bound');
    }
    return this.sock;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.messageHandler = null;
    if (this.bindReject) {
      const reject = this.bindReject;
      this.bindReject = null;
      reject(new PlatformSocketError('ERR_SOCKET_DGRAM_NOT_RUNNING', 'socket closed while binding'));
    }
    // A datagram sent just before close() is still in dgram's DNS step: closing now would
    // drop it (e.g. ENet's DISCONNECT). Release the OS socket once those sends are out, with a
    // short deadline in case a callback never comes.
    if (this.inFlight > 0) {
      this.closeWhenDrained = true;
      setTimeout(() => this.release(), 250).unref();
      return;
    }
    this.release();
  }

  private release(): void {
    this.closeWhenDrained = false;
    const sock = this.sock;
    if (!sock) return;
    this.sock = null;
    try {
      sock.close();
    } catch {
      // Already closed by Node after an error: nothing left to release.
    }
  }
}

export class NodeNetwork implements Network {
  createSocket(family: SocketFamily, options: SocketOptions = {}): DatagramSocket {
    const udp = options.batched === true ? loadNativeUdp() : null;
    return udp ? new BatchedDatagramSocket(family, udp) : new NodeDatagramSocket(family);
  }

  async lookup(host: string, family?: 4 | 6): Promise<string[]> {
    const literal = normalizeIp(host);
    if (literal !== null) return [literal];
    try {
      const all = await dns.lookup(host, { all: true, family: family ?? 0 });
      const addrs = all.map((a) => normalizeIp(a.address) ?? a.address);
      const v4 = addrs.filter((a) => !a.includes(':'));
      const v6 = addrs.filter((a) => a.includes(':'));
      return family === 6 ? v6 : [...v4, ...v6];
    } catch (e) {
      throw toSocketError(e);
    }
  }
}

export interface NodePlatformOptions {
  logger?: Logger | NodeLoggerOptions;
}

/** A Platform backed by Node: real clock, crypto randomness, timers, dgram sockets, DNS. */
export function nodePlatform(options: NodePlatformOptions = {}): Platform {
  const logger = options.logger && 'log' in options.logger ? options.logger : new NodeLogger(options.logger ?? {});
  return {
    clock: nodeClock,
    random: new NodeRandom(),
    timers: nodeTimers,
    network: new NodeNetwork(),
    logger,
  };
}
