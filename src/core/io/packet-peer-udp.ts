/**
 * PacketPeerUDP: Godot's UDP packet peer (the 4.x API in camelCase).
 * @see godot core/io/packet_peer_udp.cpp (4.x; the 3.3+/4.x design, also what 3.2.3 runs)
 *
 * Two ways to read, side by side:
 *
 * | Godot (poll)                                   | Node (push)                                   |
 * |------------------------------------------------|-----------------------------------------------|
 * | `getAvailablePacketCount()`, `getPacket()`,    | `peer.on('packet', (data, ip, port) => …)`:   |
 * | `getVar()`, then `getPacketIp()/Port()`        | attaching the first 'packet' listener switches |
 * |                                                | to flowing mode — queued packets are emitted   |
 * |                                                | (next microtask), later ones go straight to    |
 * |                                                | listeners and are never queued; removing every |
 * |                                                | 'packet' listener goes back to queueing.       |
 * | `await peer.wait()` — resolves OK when a packet | `for await (const { data, ip, port } of peer)` |
 * | is queued (at once if one already is),         | reads the queue (queued mode only) and ends    |
 * | ERR_UNCONFIGURED when not bound or on close().  | when the peer is closed.                       |
 *
 * Node cannot block, so the calls that block in Godot return a Promise: `bind()` and
 * `connectToHost()` resolve with the Error once the socket is bound/connected;
 * `setDestAddress()` applies an IP literal at once (the Promise is already resolved) and a
 * host name once DNS answers. Events: 'packet' (flowing mode), 'error' (asynchronous
 * socket errors; logged as a warning when nobody listens — receive paths never throw),
 * 'close'.
 *
 * Receive queue: Godot's ring of 2^nearest_shift(recvBufSize) bytes (2^16 before bind and
 * for UDPServer peers) where each datagram costs 24 + size bytes and one byte stays free.
 * A datagram that does not fit is dropped and counted ({@link getDroppedPacketCount}).
 * Datagrams enter the queue when they arrive, not when Godot would drain the OS buffer.
 */
import { defaultPlatform } from '../../platform/default.js';
import type { DatagramSocket, Platform, SocketError } from '../../platform/platform.js';
import { toSocketError } from '../../platform/socket-error.js';
import { Error } from '../error.js';
import { DatagramQueue, nearestShift, type UDPPacket } from './datagram-queue.js';
import { isMulticast, isWildcard, normalizeIp } from './ip.js';
import { isValidPort, maxPayloadFor, openOwnedSocket, socketPlan } from './net-socket.js';
import { PacketPeer, type PacketPeerOptions } from './packet-peer.js';

export type { UDPPacket } from './datagram-queue.js';

export interface PacketPeerUDPOptions extends PacketPeerOptions {
  /** Clock, sockets and logger; default {@link defaultPlatform} (Node). */
  platform?: Platform;
}

/** What a UDPServer gives the peers it owns. */
export interface UDPServerLink {
  readonly socket: DatagramSocket;
  localPort(): number;
  removePeer(peer: PacketPeerUDP): void;
}

/** UDPServer's access to its peers (not part of the public API). */
export const kAttach = Symbol('PacketPeerUDP.attach');
export const kStore = Symbol('PacketPeerUDP.store');
export const kDetach = Symbol('PacketPeerUDP.detach');
export const kFlush = Symbol('PacketPeerUDP.flush');
/** PacketPeerDTLS's access (not part of the public API): bulk reads and owned sends. */
export const kTakeInto = Symbol('PacketPeerUDP.takeInto');
export const kPutOwned = Symbol('PacketPeerUDP.putOwned');

export interface PacketPeerUDP {
  on(event: 'packet', listener: (data: Uint8Array, ip: string, port: number) => void): this;
  on(event: 'error', listener: (err: SocketError) => void): this;
  on(event: 'close', listener: () => void): this;
  once(event: 'packet', listener: (data: Uint8Array, ip: string, port: number) => void): this;
  once(event: 'error', listener: (err: SocketError) => void): this;
  once(event: 'close', listener: () => void): this;
  on(event: string | symbol, listener: (...args: never[]) => void): this;
  once(event: string | symbol, listener: (...args: never[]) => void): this;
}

export class PacketPeerUDP extends PacketPeer {
  /** What Godot's get_max_packet_size() returns: a fixed 512 with no meaning ("uhm maybe not"). */
  static readonly MAX_PACKET_SIZE = 512;
  /** The ring before bind, after close and for UDPServer peers: 2^16 bytes. */
  static readonly DEFAULT_RING_SIZE = 1 << 16;

  readonly platform: Platform;
  private socket: DatagramSocket | null = null;
  private sockState: 'closed' | 'binding' | 'open' = 'closed';
  private ipv6Only = false;
  private server: UDPServerLink | null = null;
  private readonly queue = new DatagramQueue(PacketPeerUDP.DEFAULT_RING_SIZE);
  private dropped = 0;
  private connected = false;
  private destIp: string | null = null;
  private destPort = 0;
  private packetIp = '';
  private packetPort = 0;
  private broadcast = false;
  /** Bumped by close(): results of a bind/connect started before are discarded. */
  private generation = 0;
  /** Bumped by every setDestAddress/connectToHost: the last call wins. */
  private destSeq = 0;
  private readonly waiters = new Set<(e: Error) => void>();

  constructor(options: PacketPeerUDPOptions = {}) {
    super(options);
    this.platform = options.platform ?? defaultPlatform();
    this.installFlowHook();
  }

  /** Attaching a 'packet' listener emits what is queued, once the listener is in place. */
  private installFlowHook(): void {
    this.on('newListener', (event: string | symbol) => {
      if (event === 'packet' && this.queue.length > 0) void Promise.resolve().then(() => this.flush());
    });
  }

  override removeAllListeners(event?: string | symbol): this {
    // Node looks at arguments.length: passing `undefined` on would remove nothing.
    if (event === undefined) super.removeAllListeners();
    else super.removeAllListeners(event);
    if (event === undefined || event === 'newListener') this.installFlowHook();
    return this;
  }

  // --- Godot API -----------------------------------------------------------------------------

  /**
   * Binds to `port` (0 = ephemeral) on `bindAddress`: "*" = every IPv4 and IPv6 address
   * (dual-stack; IPv4 only on a machine without IPv6), "0.0.0.0"/"::" = every address of
   * one family, or one local address. ERR_ALREADY_IN_USE when already open,
   * ERR_INVALID_PARAMETER for a bad address or port, ERR_UNAVAILABLE when the OS refuses.
   */
  async bind(port: number, bindAddress = '*', recvBufSize = 65536): Promise<Error> {
    if (this.server || this.sockState !== 'closed') return Error.ERR_ALREADY_IN_USE;
    const plan = socketPlan(bindAddress);
    if (!plan || !isValidPort(port, 0)) return Error.ERR_INVALID_PARAMETER;
    this.sockState = 'binding';
    const gen = this.generation;
    const r = await openOwnedSocket(this.platform.network, plan, port, false, (s) => this.adopt(s),
      () => gen !== this.generation, (s) => { if (this.socket === s) this.socket = null; });
    if ('error' in r) {
      if (!r.cause) return r.error; // close() was called while binding
      this.socket = null;
      this.sockState = 'closed';
      this.platform.logger.log('debug', 'PacketPeerUDP bind failed', { port, bindAddress, code: r.cause.code });
      return r.error;
    }
    this.sockState = 'open';
    this.ipv6Only = r.sock.family === 'udp6' && plan.ipv6Only;
    this.queue.capacity = 2 ** nearestShift(recvBufSize);
    return Error.OK;
  }

  /** Makes `sock` this peer's socket: its datagrams and errors come here while it is current. */
  private adopt(sock: DatagramSocket): void {
    this.socket = sock;
    sock.onMessage((data, from) => {
      if (this.socket === sock) this.receive(data, from.address, from.port);
    });
    sock.onError((err) => {
      if (this.socket === sock) this.reportError(err);
    });
    if (this.broadcast) sock.setBroadcast(true);
  }

  /** Opens an unbound socket for `ip`'s family, as Godot does before a send or connect. */
  private openImplicit(ip: string): DatagramSocket {
    const v6 = ip.includes(':');
    const sock = this.platform.network.createSocket(v6 ? 'udp6' : 'udp4');
    this.adopt(sock);
    this.sockState = 'open';
    this.ipv6Only = v6; // Godot's IP::TYPE_IPV6 socket sets IPV6_V6ONLY
    sock.bind(0, undefined, { ipv6Only: v6 }).catch((e: unknown) => {
      if (this.socket === sock) this.reportError(toSocketError(e));
    });
    return sock;
  }

  /** Whether this peer's socket can reach `ip` (Godot's _can_use_ip). */
  private canReach(ip: string): boolean {
    const v6 = ip.includes(':');
    const family = this.socket?.family;
    if (family === 'udp4') return !v6;
    if (family === 'udp6' && this.ipv6Only) return v6;
    return true;
  }

  /** Closes the socket (or leaves the UDPServer); queued packets are discarded. */
  close(): void {
    if (this.server) {
      const link = this.server;
      this.server = null;
      link.removePeer(this);
      this.shutdown(true);
    } else {
      this.socket?.close();
      this.shutdown(this.sockState !== 'closed');
    }
  }

  private shutdown(wasOpen: boolean): void {
    this.generation++;
    this.socket = null;
    this.sockState = 'closed';
    this.ipv6Only = false;
    this.queue.clear();
    this.queue.capacity = PacketPeerUDP.DEFAULT_RING_SIZE;
    this.connected = false;
    this.wake(Error.ERR_UNCONFIGURED);
    if (wasOpen) this.emit('close');
  }

  /**
   * OS-connects the socket to `host`:`port` (an IP literal or, unlike Godot, a host name):
   * only that sender is received afterwards, queued packets are discarded, sends go there.
   * ERR_LOCKED for a UDPServer peer, ERR_INVALID_PARAMETER for a bad port, ERR_CANT_RESOLVE,
   * FAILED when the socket refuses (it is closed then, as in Godot).
   */
  async connectToHost(host: string, port: number): Promise<Error> {
    if (this.server) return Error.ERR_LOCKED;
    if (!isValidPort(port, 1)) return Error.ERR_INVALID_PARAMETER;
    const seq = ++this.destSeq;
    const gen = this.generation;
    const ip = await this.resolve(host);
    if (typeof ip !== 'string') return ip;
    if (gen !== this.generation) return Error.FAILED;
    if (seq !== this.destSeq) return Error.ERR_SKIP;
    const sock = this.sockState === 'closed' ? this.openImplicit(ip) : this.socket;
    if (!sock || !this.canReach(ip)) {
      this.close();
      return Error.FAILED;
    }
    try {
      await sock.connect(ip, port);
    } catch (e) {
      this.platform.logger.log('debug', 'PacketPeerUDP connect failed', { host, port, code: toSocketError(e).code });
      if (this.socket === sock) this.close();
      return Error.FAILED;
    }
    if (gen !== this.generation || this.socket !== sock) return Error.FAILED;
    if (seq !== this.destSeq) return Error.ERR_SKIP;
    this.connected = true;
    this.destIp = ip;
    this.destPort = port;
    this.queue.clear(); // Godot flushes what was queued before the connect
    return Error.OK;
  }

  isSocketConnected(): boolean {
    return this.connected;
  }

  /**
   * Where putPacket/putVar send. An IP literal applies at once; a host name when DNS answers
   * (ERR_CANT_RESOLVE if it does not). ERR_ALREADY_IN_USE on a connected socket (Godot only
   * prints an error), ERR_INVALID_PARAMETER for a port outside 1–65535, ERR_SKIP when a later
   * setDestAddress/connectToHost superseded this one before DNS answered.
   */
  setDestAddress(host: string, port: number): Promise<Error> {
    if (this.connected) return Promise.resolve(Error.ERR_ALREADY_IN_USE);
    if (!isValidPort(port, 1)) return Promise.resolve(Error.ERR_INVALID_PARAMETER);
    const seq = ++this.destSeq;
    const literal = normalizeIp(host);
    if (literal !== null) {
      this.destIp = literal;
      this.destPort = port;
      return Promise.resolve(Error.OK);
    }
    return this.resolve(host).then((ip) => {
      if (typeof ip !== 'string') return ip;
      if (seq !== this.destSeq) return Error.ERR_SKIP;
      if (this.connected) return Error.ERR_ALREADY_IN_USE;
      this.destIp = ip;
      this.destPort = port;
      return Error.OK;
    });
  }

  /** An address for `host` this socket can reach (IPv4 first), or ERR_CANT_RESOLVE. Never rejects. */
  private async resolve(host: string): Promise<string | Error> {
    const literal = normalizeIp(host);
    if (literal !== null) return literal;
    if (host === '' || isWildcard(host)) return Error.ERR_CANT_RESOLVE;
    const family = this.socket?.family === 'udp4' ? 4 : this.ipv6Only ? 6 : undefined;
    try {
      const addrs = await this.platform.network.lookup(host, family);
      return addrs.find((a) => this.canReach(a)) ?? Error.ERR_CANT_RESOLVE;
    } catch (e) {
      this.platform.logger.log('debug', 'PacketPeerUDP DNS lookup failed', { host, code: toSocketError(e).code });
      return Error.ERR_CANT_RESOLVE;
    }
  }

  /** The local port, 0 when not bound (a UDPServer peer reports the server's port). */
  getLocalPort(): number {
    if (this.server) return this.server.localPort();
    return this.socket?.localAddress()?.port ?? 0;
  }

  /** Source address of the last packet read with getPacket()/getVar() ("" before any). */
  getPacketIp(): string {
    return this.packetIp;
  }

  getPacketPort(): number {
    return this.packetPort;
  }

  /** True while a socket is open: bound, opened by a send/connect, or owned by a UDPServer. */
  isBound(): boolean {
    return this.server !== null || this.sockState === 'open';
  }

  /** SO_BROADCAST; ignored (with a logged error, as Godot) on a UDPServer peer. */
  setBroadcastEnabled(enabled: boolean): void {
    if (this.server) {
      this.platform.logger.log('error', 'PacketPeerUDP.setBroadcastEnabled: not allowed on a UDPServer peer');
      return;
    }
    this.broadcast = enabled;
    this.socket?.setBroadcast(enabled);
  }

  /**
   * Joins a multicast group on the interface named `ifName` ("" = let the OS choose).
   * ERR_LOCKED on a UDPServer peer, ERR_INVALID_PARAMETER for a non-multicast address or
   * one the socket's family cannot use, ERR_UNCONFIGURED before bind (Godot would open an
   * unbound socket), FAILED when the OS refuses.
   */
  joinMulticastGroup(multicastAddress: string, ifName: string): Error {
    return this.membership(multicastAddress, ifName, true);
  }

  /** Leaves a group joined with {@link joinMulticastGroup}; errors as there. */
  leaveMulticastGroup(multicastAddress: string, ifName: string): Error {
    return this.membership(multicastAddress, ifName, false);
  }

  private membership(address: string, ifName: string, join: boolean): Error {
    if (this.server) return Error.ERR_LOCKED;
    const ip = normalizeIp(address);
    if (ip === null || !isMulticast(ip)) return Error.ERR_INVALID_PARAMETER;
    if (this.sockState !== 'open' || !this.socket) return Error.ERR_UNCONFIGURED;
    if (!this.canReach(ip)) return Error.ERR_INVALID_PARAMETER;
    try {
      if (join) this.socket.addMembership(ip, ifName || undefined);
      else this.socket.dropMembership(ip, ifName || undefined);
      return Error.OK;
    } catch (e) {
      const err = toSocketError(e);
      this.platform.logger.log('debug', 'PacketPeerUDP multicast membership failed', { group: ip, ifName, code: err.code });
      return Error.FAILED;
    }
  }

  /**
   * Resolves OK when a packet is queued (at once if one is) or delivered to 'packet'
   * listeners; ERR_UNCONFIGURED when the peer is not bound, or when it is closed meanwhile.
   */
  wait(): Promise<Error> {
    if (!this.isBound() && this.sockState !== 'binding') return Promise.resolve(Error.ERR_UNCONFIGURED);
    if (this.queue.length > 0) return Promise.resolve(Error.OK);
    return new Promise<Error>((resolve) => this.waiters.add(resolve));
  }

  // --- gdwire additions ----------------------------------------------------------------------

  /** Datagrams dropped because the receive ring was full (since construction). */
  getDroppedPacketCount(): number {
    return this.dropped;
  }

  /** Reads the queue as { data, ip, port } until the peer is closed. Do not mix with 'packet' listeners. */
  [Symbol.asyncIterator](): AsyncIterableIterator<UDPPacket> {
    let finished = false;
    let cancel: ((e: Error) => void) | null = null;
    const it: AsyncIterableIterator<UDPPacket> = {
      next: async (): Promise<IteratorResult<UDPPacket>> => {
        while (!finished) {
          const p = this.take();
          if (p) return { value: p, done: false };
          const r = await new Promise<Error>((resolve) => {
            if (!this.isBound() && this.sockState !== 'binding') return resolve(Error.ERR_UNCONFIGURED);
            cancel = resolve;
            this.waiters.add(resolve);
          });
          cancel = null;
          if (r !== Error.OK) finished = true;
        }
        return { value: undefined, done: true };
      },
      return: async (): Promise<IteratorResult<UDPPacket>> => {
        finished = true;
        if (cancel) {
          this.waiters.delete(cancel);
          cancel(Error.ERR_SKIP);
        }
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }

  // --- PacketPeer primitives -----------------------------------------------------------------

  protected _getAvailablePacketCount(): number {
    return this.isBound() || this.sockState === 'binding' ? this.queue.length : -1;
  }

  protected _getPacket(): { error: Error; packet?: Uint8Array } {
    if (!this.isBound() && this.sockState !== 'binding') return { error: Error.FAILED };
    const p = this.take();
    return p ? { error: Error.OK, packet: p.data } : { error: Error.ERR_UNAVAILABLE };
  }

  private take(): UDPPacket | undefined {
    const p = this.queue.shift();
    if (p) {
      this.packetIp = p.ip;
      this.packetPort = p.port;
    }
    return p;
  }

  /**
   * Sends to the destination (ERR_UNCONFIGURED without one). An unbound peer first opens a
   * socket of the destination's family, as Godot does. Delivery errors arrive as 'error'.
   */
  protected _putPacket(buffer: Uint8Array): Error {
    return this.send(buffer, false);
  }

  /** `owned`: the caller hands `buffer` over and never writes it again (no copy on send). */
  private send(buffer: Uint8Array, owned: boolean): Error {
    if (this.destIp === null) return Error.ERR_UNCONFIGURED;
    const ip = this.destIp;
    if (buffer.length > maxPayloadFor(ip)) return Error.FAILED; // EMSGSIZE in Godot's sendto
    if (this.server) {
      this.server.socket.send(buffer, this.destPort, ip, owned);
      return Error.OK;
    }
    const sock = this.sockState === 'closed' ? this.openImplicit(ip) : this.socket;
    if (!sock || !this.canReach(ip)) return Error.FAILED;
    if (this.connected) sock.send(buffer, undefined, undefined, owned);
    else sock.send(buffer, this.destPort, ip, owned);
    return Error.OK;
  }

  protected _getMaxPacketSize(): number {
    return PacketPeerUDP.MAX_PACKET_SIZE;
  }

  // --- receive path (never throws) -------------------------------------------------------------

  private receive(data: Uint8Array, ip: string, port: number): void {
    // The OS filters a connected socket; this guards a platform that does not.
    if (this.connected && !this.server && (ip !== this.destIp || port !== this.destPort)) return;
    if (this.listenerCount('packet') > 0) {
      if (this.queue.length > 0) this.flush();
      this.emit('packet', data, ip, port);
    } else if (!this.queue.push({ data, ip, port })) {
      this.dropped++;
      return;
    }
    this.wake(Error.OK);
  }

  /** Flowing mode: emits queued packets in order while a 'packet' listener remains. */
  private flush(): void {
    for (let n = this.queue.length; n > 0 && this.listenerCount('packet') > 0; n--) {
      const p = this.queue.shift();
      if (!p) break;
      this.emit('packet', p.data, p.ip, p.port);
    }
  }

  private wake(result: Error): void {
    if (this.waiters.size === 0) return;
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const w of waiting) w(result);
  }

  private reportError(err: SocketError): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
    else this.platform.logger.log('warn', 'PacketPeerUDP socket error', { code: err.code, message: err.message });
  }

  // --- UDPServer side ------------------------------------------------------------------------

  /** @internal The server made this peer for `ip`:`port` on its shared socket. */
  [kAttach](link: UDPServerLink, ip: string, port: number): void {
    this.server = link;
    this.connected = true;
    this.destIp = ip;
    this.destPort = port;
    this.packetIp = ip;
    this.packetPort = port;
  }

  /** @internal A datagram the server demultiplexed to this peer. */
  [kStore](data: Uint8Array, ip: string, port: number): void {
    this.receive(data, ip, port);
  }

  /** @internal Emits queued packets now if 'packet' listeners exist (after a 'connection' handler). */
  [kFlush](): void {
    if (this.queue.length > 0 && this.listenerCount('packet') > 0) this.flush();
  }

  // --- PacketPeerDTLS side -------------------------------------------------------------------

  /**
   * @internal Moves up to `max` queued datagrams into `into[at …]`, oldest first (what as
   * many getPacket() calls would return, without a result object per packet); how many.
   * The datagrams become the caller's: it may overwrite them (PacketPeerDTLS decrypts in place).
   */
  [kTakeInto](into: Uint8Array[], at: number, max: number): number {
    let n = 0;
    let last: UDPPacket | undefined;
    while (n < max) {
      const p = this.queue.shift();
      if (!p) break;
      into[at + n++] = p.data;
      last = p;
    }
    if (last) {
      this.packetIp = last.ip;
      this.packetPort = last.port;
    }
    return n;
  }

  /** @internal putPacket() of a datagram the caller hands over and never writes again. */
  [kPutOwned](buffer: Uint8Array): Error {
    return this.send(buffer, true);
  }

  /** @internal The server stopped: the peer loses the shared socket (destination kept). */
  [kDetach](): void {
    if (!this.server) return;
    this.server = null;
    this.shutdown(true);
  }
}
