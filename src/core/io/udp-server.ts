/**
 * UDPServer: Godot's connection-like UDP server (the 3.3+/4.x design with poll(), which is
 * also what Godot 3.2.3 runs).
 * @see godot core/io/udp_server.cpp
 *
 * One shared socket. poll() takes the datagrams that arrived since the last poll and hands
 * each to the PacketPeerUDP of its exact (address, port): a taken peer first, then a
 * pending one; an unknown sender becomes a new pending peer pre-loaded with its datagram,
 * unless `maxPendingConnections` peers are already pending — then the datagram is dropped
 * and counted ({@link getRefusedPacketCount}). takeConnection() hands out pending peers;
 * they send through the shared socket.
 *
 * | Godot (poll)                                      | Node (push)                                   |
 * |---------------------------------------------------|-----------------------------------------------|
 * | `server.poll()` regularly, then                   | `server.on('connection', peer => …)`: while a |
 * | `while (server.isConnectionAvailable())`          | 'connection' listener is attached the server  |
 * | `  peers.push(server.takeConnection())`           | polls by itself whenever a datagram arrives   |
 * |                                                   | and hands every new peer over (taken).        |
 * |                                                   | `for await (const peer of server)` does the   |
 * |                                                   | same one peer at a time, until stop().        |
 *
 * Datagrams waiting for poll() sit in a queue of `pollBufferSize` bytes (24 + size each, as
 * the peers' rings); overflow is dropped and counted ({@link getDroppedPacketCount}). That
 * queue stands in for the OS receive buffer Godot drains in poll().
 */
import { EventEmitter } from 'node:events';
import { defaultPlatform } from '../../platform/default.js';
import type { DatagramSocket, Platform, SocketAddress, SocketError } from '../../platform/platform.js';
import { Error } from '../error.js';
import type { GodotVersion } from '../variant/variant.js';
import type { PacketPeerOptions } from './packet-peer.js';
import { DatagramQueue } from './datagram-queue.js';
import { isValidPort, openOwnedSocket, socketPlan } from './net-socket.js';
import { PacketPeerUDP, kAttach, kDetach, kFlush, kStore, type UDPServerLink } from './packet-peer-udp.js';

export interface UDPServerOptions extends PacketPeerOptions {
  /** Clock, sockets and logger; default {@link defaultPlatform} (Node). */
  platform?: Platform;
  /** Bytes of datagrams kept between polls (24 + size each). Default 1 MiB. */
  pollBufferSize?: number;
}

interface Pending {
  key: string;
  peer: PacketPeerUDP;
}

export interface UDPServer {
  on(event: 'connection', listener: (peer: PacketPeerUDP) => void): this;
  on(event: 'error', listener: (err: SocketError) => void): this;
  on(event: 'close', listener: () => void): this;
  once(event: 'connection', listener: (peer: PacketPeerUDP) => void): this;
  once(event: 'error', listener: (err: SocketError) => void): this;
  once(event: 'close', listener: () => void): this;
  on(event: string | symbol, listener: (...args: never[]) => void): this;
  once(event: string | symbol, listener: (...args: never[]) => void): this;
}

export class UDPServer extends EventEmitter {
  static readonly DEFAULT_MAX_PENDING_CONNECTIONS = 16;
  static readonly DEFAULT_POLL_BUFFER_SIZE = 1 << 20;

  readonly platform: Platform;
  /** The Variant format of the peers this server creates (they inherit it). */
  godot: GodotVersion;
  private socket: DatagramSocket | null = null;
  private state: 'idle' | 'binding' | 'listening' = 'idle';
  private link: UDPServerLink | null = null;
  private readonly inbox: DatagramQueue;
  private readonly taken = new Map<string, PacketPeerUDP>();
  private pending: Pending[] = [];
  private readonly pendingByKey = new Map<string, PacketPeerUDP>();
  private readonly keys = new WeakMap<PacketPeerUDP, string>();
  private maxPending = UDPServer.DEFAULT_MAX_PENDING_CONNECTIONS;
  private dropped = 0;
  private refused = 0;
  private generation = 0;
  private iterators = 0;
  private readonly connectionWaiters: Array<(peer: PacketPeerUDP | null) => void> = [];

  constructor(options: UDPServerOptions = {}) {
    super();
    this.platform = options.platform ?? defaultPlatform();
    this.godot = options.godot ?? 4;
    this.inbox = new DatagramQueue(options.pollBufferSize ?? UDPServer.DEFAULT_POLL_BUFFER_SIZE);
    this.installConnectionHook();
  }

  /** Attaching a 'connection' listener hands over what is already pending (next microtask). */
  private installConnectionHook(): void {
    this.on('newListener', (event: string | symbol) => {
      if (event === 'connection') void Promise.resolve().then(() => this.poll());
    });
  }

  override removeAllListeners(event?: string | symbol): this {
    // Node looks at arguments.length: passing `undefined` on would remove nothing.
    if (event === undefined) super.removeAllListeners();
    else super.removeAllListeners(event);
    if (event === undefined || event === 'newListener') this.installConnectionHook();
    return this;
  }

  /**
   * Binds the shared socket (SO_REUSEADDR, as Godot) to `port` on `bindAddress` ("*" =
   * dual-stack, as PacketPeerUDP.bind). ERR_ALREADY_IN_USE when already listening,
   * ERR_INVALID_PARAMETER for a bad address or port, ERR_UNAVAILABLE when the OS refuses.
   */
  async listen(port: number, bindAddress = '*'): Promise<Error> {
    if (this.state !== 'idle') return Error.ERR_ALREADY_IN_USE;
    const plan = socketPlan(bindAddress);
    if (!plan || !isValidPort(port, 0)) return Error.ERR_INVALID_PARAMETER;
    this.state = 'binding';
    const gen = this.generation;
    const r = await openOwnedSocket(this.platform.network, plan, port, true, (s) => this.adopt(s),
      () => gen !== this.generation, (s) => { if (this.socket === s) this.socket = null; });
    if ('error' in r) {
      if (!r.cause) return r.error; // stop() was called while binding
      this.socket = null;
      this.state = 'idle';
      this.platform.logger.log('debug', 'UDPServer listen failed', { port, bindAddress, code: r.cause.code });
      return r.error;
    }
    const sock = r.sock;
    this.state = 'listening';
    this.link = {
      socket: sock,
      localPort: () => this.getLocalPort(),
      removePeer: (peer) => this.removePeer(peer),
    };
    if (this.autoPolling()) this.poll();
    return Error.OK;
  }

  private adopt(sock: DatagramSocket): void {
    this.socket = sock;
    sock.onMessage((data, from) => {
      if (this.socket === sock) this.arrive(data, from);
    });
    sock.onError((err) => {
      if (this.socket !== sock) return;
      if (this.listenerCount('error') > 0) this.emit('error', err);
      else this.platform.logger.log('warn', 'UDPServer socket error', { code: err.code, message: err.message });
    });
  }

  private autoPolling(): boolean {
    return this.iterators > 0 || this.listenerCount('connection') > 0;
  }

  /** Receive path: queue for poll() (drop and count when full), or poll at once in auto mode. */
  private arrive(data: Uint8Array, from: SocketAddress): void {
    if (!this.inbox.push({ data, ip: from.address, port: from.port })) {
      this.dropped++;
      return;
    }
    if (this.autoPolling()) this.poll();
  }

  /**
   * Demultiplexes the datagrams received since the last poll. ERR_UNCONFIGURED when not
   * listening.
   */
  poll(): Error {
    if (this.state !== 'listening' || !this.link) return Error.ERR_UNCONFIGURED;
    const link = this.link;
    for (let n = this.inbox.length; n > 0 && this.link === link; n--) {
      const d = this.inbox.shift();
      if (!d) break;
      const key = `${d.ip}|${d.port}`;
      const known = this.taken.get(key) ?? this.pendingByKey.get(key);
      if (known) {
        known[kStore](d.data, d.ip, d.port);
        continue;
      }
      if (this.pending.length >= this.maxPending) {
        this.refused++;
        continue;
      }
      const peer = new PacketPeerUDP({ platform: this.platform, godot: this.godot });
      peer[kAttach](link, d.ip, d.port);
      peer[kStore](d.data, d.ip, d.port);
      this.keys.set(peer, key);
      this.pending.push({ key, peer });
      this.pendingByKey.set(key, peer);
    }
    this.handOver();
    return Error.OK;
  }

  /** Node forms: give pending peers to 'connection' listeners, then to waiting iterators. */
  private handOver(): void {
    for (let n = this.pending.length; n > 0 && this.listenerCount('connection') > 0; n--) {
      const peer = this.takeConnection();
      if (!peer) break;
      this.emit('connection', peer);
      // A 'packet' listener attached inside the handler gets the first datagram(s) now, in
      // arrival order with everything else, rather than on the next microtask.
      peer[kFlush]();
    }
    while (this.connectionWaiters.length > 0 && this.isConnectionAvailable()) {
      const waiter = this.connectionWaiters.shift();
      waiter?.(this.takeConnection());
    }
  }

  isConnectionAvailable(): boolean {
    return this.state === 'listening' && this.pending.length > 0;
  }

  isListening(): boolean {
    return this.state === 'listening';
  }

  /** The oldest pending peer, now taken (its datagrams keep coming through poll()); null if none. */
  takeConnection(): PacketPeerUDP | null {
    if (!this.isConnectionAvailable()) return null;
    const entry = this.pending.shift();
    if (!entry) return null;
    this.pendingByKey.delete(entry.key);
    this.taken.set(entry.key, entry.peer);
    return entry.peer;
  }

  getMaxPendingConnections(): number {
    return this.maxPending;
  }

  /**
   * How many peers may wait in the pending list (0 refuses new senders). Lowering it drops
   * the newest pending peers beyond the limit; raising it keeps them (Godot's setter has
   * that test inverted). A negative or non-integer value is refused with a logged error.
   */
  setMaxPendingConnections(maxPendingConnections: number): void {
    if (!Number.isInteger(maxPendingConnections) || maxPendingConnections < 0) {
      this.platform.logger.log('error', 'UDPServer.setMaxPendingConnections: must be an integer >= 0', {
        value: maxPendingConnections,
      });
      return;
    }
    this.maxPending = maxPendingConnections;
    while (this.pending.length > maxPendingConnections) {
      const entry = this.pending.pop();
      if (!entry) break;
      this.pendingByKey.delete(entry.key);
      entry.peer[kDetach]();
    }
  }

  /** The bound port, 0 when not listening. */
  getLocalPort(): number {
    return this.socket?.localAddress()?.port ?? 0;
  }

  /**
   * Closes the socket. Taken peers lose it (they keep their destination: a later putPacket
   * opens a fresh ephemeral socket, as in Godot); pending peers and unpolled datagrams are
   * dropped. Remote peers are not told.
   */
  stop(): void {
    const wasOpen = this.state !== 'idle';
    this.generation++;
    this.socket?.close();
    this.socket = null;
    this.state = 'idle';
    this.link = null;
    this.inbox.clear();
    const detached = [...this.taken.values(), ...this.pending.map((e) => e.peer)];
    this.taken.clear();
    this.pending = [];
    this.pendingByKey.clear();
    for (const peer of detached) peer[kDetach]();
    for (const waiter of this.connectionWaiters.splice(0)) waiter(null);
    if (wasOpen) this.emit('close');
  }

  /** Called when a peer closes: a later datagram from its address is a new connection. */
  private removePeer(peer: PacketPeerUDP): void {
    const key = this.keys.get(peer);
    if (key === undefined) return;
    if (this.taken.get(key) === peer) this.taken.delete(key);
    if (this.pendingByKey.get(key) === peer) {
      this.pendingByKey.delete(key);
      this.pending = this.pending.filter((e) => e.peer !== peer);
    }
  }

  // --- gdwire additions ----------------------------------------------------------------------

  /** Datagrams dropped because the poll buffer was full. */
  getDroppedPacketCount(): number {
    return this.dropped;
  }

  /** Datagrams from new senders dropped because maxPendingConnections peers were pending. */
  getRefusedPacketCount(): number {
    return this.refused;
  }

  /** Yields each new peer (taken) as it arrives, polling by itself; ends on stop(). */
  [Symbol.asyncIterator](): AsyncIterableIterator<PacketPeerUDP> {
    this.iterators++;
    let finished = false;
    let cancel: ((peer: PacketPeerUDP | null) => void) | null = null;
    const finish = (): void => {
      if (!finished) {
        finished = true;
        this.iterators--;
      }
    };
    const it: AsyncIterableIterator<PacketPeerUDP> = {
      next: async (): Promise<IteratorResult<PacketPeerUDP>> => {
        while (!finished && this.state !== 'idle') {
          this.poll();
          const ready = this.takeConnection();
          if (ready) return { value: ready, done: false };
          const peer = await new Promise<PacketPeerUDP | null>((resolve) => {
            cancel = resolve;
            this.connectionWaiters.push(resolve);
          });
          cancel = null;
          if (peer) return { value: peer, done: false };
        }
        finish();
        return { value: undefined, done: true };
      },
      return: async (): Promise<IteratorResult<PacketPeerUDP>> => {
        finish();
        const c: ((peer: PacketPeerUDP | null) => void) | null = cancel;
        if (c) {
          const i = this.connectionWaiters.indexOf(c);
          if (i >= 0) this.connectionWaiters.splice(i, 1);
          c(null);
        }
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }
}
