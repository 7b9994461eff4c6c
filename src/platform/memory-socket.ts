/**
 * One socket of the in-memory network (see memory-network.ts). It follows Node's dgram
 * behaviour where a program can see it: implicit bind on first send/connect, errors from
 * send reported asynchronously, EADDRINUSE/EADDRNOTAVAIL/EACCES/EMSGSIZE with Node's codes.
 */
import { isMulticast, normalizeIp } from '../core/io/ip.js';
import type { BindOptions, DatagramSocket, SocketAddress, SocketError, SocketFamily } from './platform.js';
import { PlatformSocketError } from './socket-error.js';

/** Largest UDP payload over IPv4 / IPv6 (65535 minus the IP and UDP headers). */
export const MAX_UDP_PAYLOAD_V4 = 65507;
export const MAX_UDP_PAYLOAD_V6 = 65527;

/** What a socket needs from its host (implemented by MemoryHost). */
export interface SocketHost {
  /** Registers the socket on a port; returns an errno code on failure. */
  attach(sock: MemorySocket, port: number, address: string): string | null;
  detach(sock: MemorySocket): void;
  /** Accepts a validated datagram for routing. */
  transmit(sock: MemorySocket, data: Uint8Array, ip: string, port: number): void;
  /** Whether `ip` may be bound here (wildcard, loopback, one of the host's addresses). */
  ownsAddress(ip: string): boolean;
  readonly ipv6: boolean;
}

export type MessageHandler = (data: Uint8Array, from: SocketAddress) => void;

/** Datagrams a pulled socket keeps (its "kernel buffer"); arrivals beyond are dropped and counted. */
export const PULL_BUFFER_DATAGRAMS = 4096;
/** Datagrams one receiveNow hands over (batched-socket.ts reads at most 4 × 64 messages). */
export const PULL_READ_DATAGRAMS = 256;

function fail(code: string, message: string): PlatformSocketError {
  return new PlatformSocketError(code, message);
}

export class MemorySocket implements DatagramSocket {
  readonly family: SocketFamily;
  /** Canonical bound address ('0.0.0.0' / '::' for the wildcard), null when unbound. */
  boundAddress: string | null = null;
  boundPort = 0;
  ipv6Only = false;
  reuseAddr = false;
  broadcast = false;
  closed = false;
  remote: { address: string; port: number } | null = null;
  readonly groups = new Set<string>();
  messageHandler: MessageHandler | null = null;
  /** Arrivals dropped because a pulled socket's buffer was full. */
  pullDrops = 0;
  private pulled = false;
  private readonly waiting: Array<{ data: Uint8Array; from: SocketAddress }> = [];
  private errorHandler: ((err: SocketError) => void) | null = null;

  constructor(private readonly host: SocketHost, family: SocketFamily) {
    this.family = family;
  }

  bind(port: number, address: string | undefined, options: BindOptions = {}): Promise<void> {
    try {
      this.bindNow(port, address, options);
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  private bindNow(port: number, address: string | undefined, options: BindOptions): void {
    if (this.closed) throw fail('ERR_SOCKET_DGRAM_NOT_RUNNING', 'socket is closed');
    if (this.boundAddress !== null) throw fail('ERR_SOCKET_ALREADY_BOUND', 'socket is already bound');
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw fail('ERR_SOCKET_BAD_PORT', `bad port ${port}`);
    if (this.family === 'udp6' && !this.host.ipv6) throw fail('EAFNOSUPPORT', 'IPv6 is not available');
    const wildcard = this.family === 'udp4' ? '0.0.0.0' : '::';
    const ip = address === undefined || address === '' ? wildcard : normalizeIp(address);
    if (ip === null) throw fail('ENOTFOUND', `not an IP address: ${address ?? ''}`);
    const v4 = !ip.includes(':');
    if (this.family === 'udp4' && !v4) throw fail('EINVAL', 'IPv6 address on a udp4 socket');
    if (this.family === 'udp6' && v4 && (options.ipv6Only || address === ip)) {
      // Node's udp6 lookup refuses a dotted IPv4 literal; only ::ffff:a.b.c.d is accepted.
      throw fail('EINVAL', 'IPv4 address on a udp6 socket');
    }
    if (!this.host.ownsAddress(ip) && !isMulticast(ip)) throw fail('EADDRNOTAVAIL', `${ip} is not local`);
    this.ipv6Only = this.family === 'udp6' && options.ipv6Only === true;
    this.reuseAddr = options.reuseAddr === true;
    const err = this.host.attach(this, port, ip);
    if (err) throw fail(err, `cannot bind ${ip}:${port}`);
  }

  /** Binds to the wildcard on an ephemeral port, as Node does before a send on an unbound socket. */
  private ensureBound(): boolean {
    if (this.boundAddress !== null) return true;
    try {
      this.bindNow(0, undefined, {});
      return true;
    } catch (e) {
      this.report(e as PlatformSocketError);
      return false;
    }
  }

  connect(address: string, port: number): Promise<void> {
    if (this.closed) return Promise.reject(fail('ERR_SOCKET_DGRAM_NOT_RUNNING', 'socket is closed'));
    const ip = normalizeIp(address);
    if (ip === null) return Promise.reject(fail('ENOTFOUND', `not an IP address: ${address}`));
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      return Promise.reject(fail('ERR_SOCKET_BAD_PORT', `bad port ${port}`));
    }
    const familyError = this.familyError(ip);
    if (familyError) return Promise.reject(familyError);
    try {
      if (this.boundAddress === null) this.bindNow(0, undefined, {});
    } catch (e) {
      return Promise.reject(e);
    }
    this.remote = { address: ip, port };
    return Promise.resolve();
  }

  private familyError(ip: string): PlatformSocketError | null {
    const v4 = !ip.includes(':');
    if (this.family === 'udp4' && !v4) return fail('EINVAL', 'IPv6 destination on a udp4 socket');
    if (this.family === 'udp6' && v4 && this.ipv6Only) return fail('EINVAL', 'IPv4 destination on an IPv6-only socket');
    return null;
  }

  send(data: Uint8Array, port?: number, address?: string): void {
    if (this.closed) return this.report(fail('ERR_SOCKET_DGRAM_NOT_RUNNING', 'socket is closed'));
    let ip: string;
    let dstPort: number;
    if (address === undefined) {
      if (!this.remote) return this.report(fail('EDESTADDRREQ', 'no destination and not connected'));
      ip = this.remote.address;
      dstPort = this.remote.port;
    } else {
      if (this.remote) return this.report(fail('EISCONN', 'socket is connected'));
      const n = normalizeIp(address);
      if (n === null) return this.report(fail('ENOTFOUND', `not an IP address: ${address}`));
      if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
        return this.report(fail('ERR_SOCKET_BAD_PORT', `bad port ${String(port)}`));
      }
      ip = n;
      dstPort = port;
    }
    const familyError = this.familyError(ip);
    if (familyError) return this.report(familyError);
    const limit = ip.includes(':') ? MAX_UDP_PAYLOAD_V6 : MAX_UDP_PAYLOAD_V4;
    if (data.length > limit) return this.report(fail('EMSGSIZE', `${data.length} bytes > ${limit}`));
    if (!this.ensureBound()) return;
    this.host.transmit(this, data, ip, dstPort);
  }

  onMessage(handler: MessageHandler): void {
    this.messageHandler = handler;
  }

  /** A datagram for this socket (from the network): handed over now, or kept while pulled. */
  arrive(data: Uint8Array, from: SocketAddress): void {
    if (!this.pulled) return this.messageHandler?.(data, from);
    if (this.waiting.length >= PULL_BUFFER_DATAGRAMS) this.pullDrops++;
    else this.waiting.push({ data, from });
  }

  /** Pull mode, as batched-socket.ts: arrivals wait until receiveNow. Off again: what waits comes next turn. */
  setPull(pull: boolean): boolean {
    if (this.closed) return false;
    this.pulled = pull;
    if (!pull && this.waiting.length > 0) {
      queueMicrotask(() => {
        if (this.pulled) return;
        for (const w of this.waiting.splice(0)) this.messageHandler?.(w.data, w.from);
      });
    }
    return pull;
  }

  /** Hands over what waits (at most PULL_READ_DATAGRAMS); a throwing handler loses nothing, its exception follows. */
  receiveNow(): number {
    if (!this.pulled || this.closed) return 0;
    const batch = this.waiting.splice(0, PULL_READ_DATAGRAMS);
    let thrown: { error: unknown } | null = null;
    for (const w of batch) {
      if (this.closed) break;
      try {
        this.messageHandler?.(w.data, w.from);
      } catch (error) {
        thrown ??= { error };
      }
    }
    if (thrown) throw thrown.error;
    return batch.length;
  }

  onError(handler: (err: SocketError) => void): void {
    this.errorHandler = handler;
  }

  /** Reports an asynchronous socket error (never synchronously, as Node does). */
  report(err: SocketError): void {
    void Promise.resolve().then(() => {
      if (!this.closed) this.errorHandler?.(err);
    });
  }

  localAddress(): SocketAddress | null {
    if (this.boundAddress === null || this.closed) return null;
    return {
      address: this.boundAddress,
      port: this.boundPort,
      family: this.boundAddress.includes(':') ? 'IPv6' : 'IPv4',
    };
  }

  setBroadcast(enabled: boolean): void {
    this.broadcast = enabled;
  }

  addMembership(group: string, _iface?: string): void {
    if (this.closed) throw fail('ERR_SOCKET_DGRAM_NOT_RUNNING', 'socket is closed');
    const ip = normalizeIp(group);
    if (ip === null || !isMulticast(ip)) throw fail('EINVAL', `not a multicast address: ${group}`);
    const familyError = this.familyError(ip);
    if (familyError) throw familyError;
    if (this.groups.has(ip)) throw fail('EADDRINUSE', `already a member of ${ip}`);
    if (this.boundAddress === null) this.bindNow(0, undefined, {});
    this.groups.add(ip);
  }

  dropMembership(group: string, _iface?: string): void {
    if (this.closed) throw fail('ERR_SOCKET_DGRAM_NOT_RUNNING', 'socket is closed');
    const ip = normalizeIp(group);
    if (ip === null || !this.groups.delete(ip)) throw fail('EADDRNOTAVAIL', `not a member of ${group}`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.host.detach(this);
    this.messageHandler = null;
    this.waiting.length = 0;
  }
}
