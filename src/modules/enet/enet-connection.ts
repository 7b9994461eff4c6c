/**
 * ENetConnection: Godot 4's ENet host (camelCase API, Godot's defaults and numbers) over
 * gdwire's sans-IO ENet engine and a {@link Platform} socket.
 * @see godot modules/enet/enet_connection.cpp
 *
 * Godot's polled model works as in GDScript: `createHostBound()`, then call `service()` in a
 * loop; each call returns at most one event as `[type, peer, data, channel]`, and a RECEIVE's
 * packet is queued to its ENetPacketPeer (`peer.getPacket()`). Sends are queued until the next
 * `service()` or `flush()`.
 *
 * Node cannot block, so:
 * - `createHost()` / `createHostBound()` return a Promise of the Error (the socket binds
 *   asynchronously);
 * - `service(timeout)` never waits: it is Godot's `service(0)` whatever the timeout (a timeout
 *   above 0 logs a warning once). `serviceAsync(timeoutMs)` is the waiting form: it resolves
 *   with the first event, or EVENT_NONE once `timeoutMs` passed, sleeping in between until a
 *   datagram arrives or ENet's next deadline — no polling;
 * - `connectToHost()` takes an IP literal and connects at once, as Godot does; a host name
 *   needs DNS, so it returns null (with a logged error) — use `connectToHostAsync()`, which
 *   resolves the name first. `socketSend()` resolves names in the background.
 *
 * Node form, beside Godot's: listening for 'connect' (peer, data), 'disconnect' (peer, data,
 * timedOut) or 'receive' (peer, packet, channel, flags), or iterating `for await (const e of
 * connection)`, switches the connection to the **event-driven mode** while any listener or
 * iterator exists: the host is serviced when a datagram arrives, right after sends (batched
 * per event-loop turn) and at ENet's next protocol deadline, with one timer re-armed to that
 * deadline (see enet-driver.ts). In that mode events go to listeners/iterators only —
 * `service()` and `serviceAsync()` just pump and return EVENT_NONE — and received packets go
 * to 'receive' listeners/iterators instead of the peers' queues (to the queue when nobody
 * consumes them). Removing the last listener/iterator goes back to the polled mode.
 * 'error' reports asynchronous socket errors (logged as a warning when nobody listens).
 *
 * Methods Godot guards with ERR_FAIL (no host, bad argument) log an error through the
 * platform logger and return Godot's fallback value; those returning Error return the code.
 */
import { EventEmitter } from 'node:events';
import { Error } from '../../core/error.js';
import { isWildcard, normalizeIp } from '../../core/io/ip.js';
import { isValidPort, openBoundSocket, socketPlan } from '../../core/io/net-socket.js';
import type { GodotVersion } from '../../core/variant/variant.js';
import { PROTOCOL_MAXIMUM_CHANNEL_COUNT, PROTOCOL_MAXIMUM_PEER_ID } from '../../enet/protocol.js';
import type { Host } from '../../enet/host.js';
import { EventType as EnetEventType, type HostEvent } from '../../enet/types.js';
import { defaultPlatform } from '../../platform/default.js';
import type { LogFields, LogLevel, Platform, SocketError } from '../../platform/platform.js';
import { createENetCompressor } from './compression/enet-compressor.js';
import { CompressionMode, EventType, HostStatistic, type ENetConnectionEvent, type ServiceResult } from './enet-connection-types.js';
import { ENetHostDriver } from './enet-driver.js';
import { dtlsClientSetup, dtlsServerSetup, dtlsStatistics, type DTLSTuning, type ENetDTLSStatistics, type TLSOptions } from './enet-dtls.js';
import { ENetEventSinks } from './enet-event-sinks.js';
import { ENetPeerList } from './enet-connection-peers.js';
import { FLAG_ALLOWED, kQueuePacket, type ENetPacketPeer, type ENetPeerOwner } from './enet-packet-peer.js';

export { CompressionMode, EventType, HostStatistic, type ENetConnectionEvent, type ServiceResult } from './enet-connection-types.js';

export interface ENetConnectionOptions {
  /** Clock, timers, sockets, randomness and logger; default {@link defaultPlatform} (Node). */
  platform?: Platform;
  /** Variant format of the peers' getVar/putVar. Default 4. */
  godot?: GodotVersion;
  /** gdwire: ENet's CRC32 checksum field (Godot never enables it; both ends must agree). */
  checksum?: boolean;
  /** gdwire: DTLS handshake MTU, retransmission and timeout for dtlsServerSetup/dtlsClientSetup. */
  dtls?: DTLSTuning;
}

const HOST_COUNTERS = ['totalSentData', 'totalSentPackets', 'totalReceivedData', 'totalReceivedPackets'] as const;
const NODE_EVENTS = new Set<string | symbol>(['connect', 'disconnect', 'receive']);
const NONE: ServiceResult = [EventType.EVENT_NONE, null, 0, 0];

export interface ENetConnection {
  on(event: 'connect', listener: (peer: ENetPacketPeer, data: number) => void): this;
  on(event: 'disconnect', listener: (peer: ENetPacketPeer, data: number, timedOut: boolean) => void): this;
  on(event: 'receive', listener: (peer: ENetPacketPeer, packet: Uint8Array, channel: number, flags: number) => void): this;
  on(event: 'error', listener: (err: SocketError) => void): this;
  on(event: string | symbol, listener: (...args: never[]) => void): this;
  once(event: 'connect', listener: (peer: ENetPacketPeer, data: number) => void): this;
  once(event: 'disconnect', listener: (peer: ENetPacketPeer, data: number, timedOut: boolean) => void): this;
  once(event: 'receive', listener: (peer: ENetPacketPeer, packet: Uint8Array, channel: number, flags: number) => void): this;
  once(event: 'error', listener: (err: SocketError) => void): this;
  once(event: string | symbol, listener: (...args: never[]) => void): this;
}

export class ENetConnection extends EventEmitter {
  static readonly EVENT_ERROR = EventType.EVENT_ERROR;
  static readonly EVENT_NONE = EventType.EVENT_NONE;
  static readonly EVENT_CONNECT = EventType.EVENT_CONNECT;
  static readonly EVENT_DISCONNECT = EventType.EVENT_DISCONNECT;
  static readonly EVENT_RECEIVE = EventType.EVENT_RECEIVE;
  static readonly COMPRESS_NONE = CompressionMode.COMPRESS_NONE;
  static readonly COMPRESS_RANGE_CODER = CompressionMode.COMPRESS_RANGE_CODER;
  static readonly COMPRESS_FASTLZ = CompressionMode.COMPRESS_FASTLZ;
  static readonly COMPRESS_ZLIB = CompressionMode.COMPRESS_ZLIB;
  static readonly COMPRESS_ZSTD = CompressionMode.COMPRESS_ZSTD;
  static readonly HOST_TOTAL_SENT_DATA = HostStatistic.HOST_TOTAL_SENT_DATA;
  static readonly HOST_TOTAL_SENT_PACKETS = HostStatistic.HOST_TOTAL_SENT_PACKETS;
  static readonly HOST_TOTAL_RECEIVED_DATA = HostStatistic.HOST_TOTAL_RECEIVED_DATA;
  static readonly HOST_TOTAL_RECEIVED_PACKETS = HostStatistic.HOST_TOTAL_RECEIVED_PACKETS;

  readonly platform: Platform;
  private readonly godot: GodotVersion;
  private readonly checksum: boolean;
  private readonly dtlsTuning: DTLSTuning;
  private driver: ENetHostDriver | null = null;
  private binding = false;
  /** Bumped by destroy(): a bind that finishes afterwards is discarded. */
  private generation = 0;
  private readonly sinks = new ENetEventSinks(() => this.driver !== null || this.binding);
  private warnedTimeout = false;
  private readonly link: ENetPeerOwner = {
    kick: () => this.driver?.kick(),
    log: (level, message, fields) => this.platform.logger.log(level, message, fields),
  };
  private readonly peers: ENetPeerList;

  constructor(options: ENetConnectionOptions = {}) {
    super();
    this.platform = options.platform ?? defaultPlatform();
    this.godot = options.godot ?? 4;
    this.checksum = options.checksum ?? false;
    this.dtlsTuning = options.dtls ?? {};
    this.peers = new ENetPeerList(this.link, this.godot);
    this.sinks.onChange = () => this.updateMode();
    this.installModeHooks();
  }

  // ---- creating and destroying the host -------------------------------------------------------
  /**
   * Creates the host on a dynamic port of every local address ("*": dual-stack). Godot's
   * defaults: 32 peers, 0 = 255 channels, unlimited bandwidth (bytes/s).
   */
  createHost(maxPeers = 32, maxChannels = 0, inBandwidth = 0, outBandwidth = 0): Promise<Error> {
    return this.createHostBound('*', 0, maxPeers, maxChannels, inBandwidth, outBandwidth);
  }

  /**
   * Creates the host bound to `bindAddress` ("*" = every IPv4 and IPv6 address, or an IP
   * literal) and `bindPort` (0 = dynamic). ERR_INVALID_PARAMETER for a bad argument,
   * ERR_ALREADY_IN_USE when active, ERR_CANT_CREATE when the socket cannot be bound, FAILED
   * when destroy() was called meanwhile.
   */
  async createHostBound(
    bindAddress: string, bindPort: number, maxPeers = 32, maxChannels = 0, inBandwidth = 0, outBandwidth = 0,
  ): Promise<Error> {
    const plan = socketPlan(bindAddress);
    if (!plan) return this.fail(Error.ERR_INVALID_PARAMETER, 'Invalid bind IP.', { bindAddress });
    if (!isValidPort(bindPort, 0)) return this.fail(Error.ERR_INVALID_PARAMETER, 'The local port number must be between 0 and 65535 (inclusive).');
    if (this.driver || this.binding) return this.fail(Error.ERR_ALREADY_IN_USE, 'The ENetConnection instance is already active.');
    if (!Number.isInteger(maxPeers) || maxPeers < 1 || maxPeers > PROTOCOL_MAXIMUM_PEER_ID) {
      return this.fail(Error.ERR_INVALID_PARAMETER, 'The number of clients must be set between 1 and 4095 (inclusive).');
    }
    if (!Number.isInteger(maxChannels) || maxChannels < 0 || maxChannels > PROTOCOL_MAXIMUM_CHANNEL_COUNT) {
      return this.fail(Error.ERR_INVALID_PARAMETER, 'Invalid channel count. Must be between 0 and 255 (0 means maximum, i.e. 255)');
    }
    if (!(inBandwidth >= 0) || !(outBandwidth >= 0)) {
      return this.fail(Error.ERR_INVALID_PARAMETER, 'Bandwidth limits must be greater than or equal to 0 (0 disables the limit).');
    }
    const driver = new ENetHostDriver(this.platform, {
      peerCount: maxPeers, channelLimit: maxChannels, incomingBandwidth: inBandwidth,
      outgoingBandwidth: outBandwidth, checksum: this.checksum,
    });
    const gen = this.generation;
    this.binding = true;
    // batched: recvmmsg/sendmmsg sockets where the platform has them (batched-socket.ts).
    const r = await openBoundSocket(this.platform.network, plan, bindPort, false, (s) => driver.adopt(s), { batched: true });
    if (gen !== this.generation) {
      driver.close();
      return Error.FAILED;
    }
    this.binding = false;
    if ('error' in r) {
      driver.close();
      this.sinks.closeAll();
      return this.fail(Error.ERR_CANT_CREATE, "Couldn't create an ENet host.", { bindAddress, bindPort, code: r.cause.code });
    }
    driver.bound(r.sock.family === 'udp6' && plan.ipv6Only);
    driver.onBeforePump = () => this.peers.dropInactive(driver.host.peerResets);
    driver.onSocketError = (err) => this.reportSocketError(err);
    this.driver = driver;
    this.updateMode();
    return Error.OK;
  }

  /**
   * Destroys the host without telling the peers (they time out, as in ENet): every peer is
   * detached, the socket closed, the timer cleared; iterators end, pending serviceAsync()
   * calls resolve with EVENT_ERROR. The connection can be created again.
   */
  destroy(): void {
    this.generation++;
    if (this.binding) {
      this.binding = false;
      this.sinks.closeAll();
      return;
    }
    const driver = this.driver;
    if (!driver) return void this.fail(Error.ERR_UNCONFIGURED, 'Host already destroyed.');
    this.peers.detachAll();
    this.driver = null;
    driver.close();
    this.sinks.closeAll();
  }

  /** gdwire: the engine host while active (advanced use: checksums, counters, tests). */
  get enetHost(): Host | null {
    return this.driver?.host ?? null;
  }

  // ---- connecting ---------------------------------------------------------------------------
  /**
   * Starts connecting to `address` (an IP literal) with `channels` channels (0 = 255) and
   * 32-bit `data` for the remote CONNECT event; returns the peer (STATE_CONNECTING), or null
   * when inactive, already connected to a peer (Godot allows one), out of slots, given a bad
   * port, or a host name (use {@link connectToHostAsync}).
   */
  connectToHost(address: string, port: number, channels = 0, data = 0): ENetPacketPeer | null {
    const driver = this.driver;
    if (!driver) return this.failNull("The ENetConnection instance isn't currently active.");
    this.peers.dropInactive();
    if (this.peers.length > 0) return this.failNull('The ENetConnection is already connected to a peer.');
    if (!isValidPort(port, 1)) return this.failNull('The remote port number must be between 1 and 65535 (inclusive).');
    const ip = normalizeIp(address);
    if (ip === null || isWildcard(address)) {
      return this.failNull('connectToHost needs an IP address; use connectToHostAsync() for host names.', { address });
    }
    if (!driver.canReach(ip)) return this.failNull('The host socket cannot reach this address family.', { address });
    const count = channels > 0 ? Math.min(channels, PROTOCOL_MAXIMUM_CHANNEL_COUNT) : PROTOCOL_MAXIMUM_CHANNEL_COUNT;
    const peer = driver.host.connect({ address: ip, port }, count, data);
    if (!peer) return null;
    const out = this.peers.add(peer);
    driver.kick();
    return out;
  }

  /** connectToHost() for a host name or an IP literal: resolves it (DNS) first. Never rejects. */
  async connectToHostAsync(address: string, port: number, channels = 0, data = 0): Promise<ENetPacketPeer | null> {
    const ip = await this.resolve(address);
    return ip === null ? null : this.connectToHost(ip, port, channels, data);
  }

  // ---- servicing --------------------------------------------------------------------------------
  /**
   * Godot's service(): runs the protocol once and returns at most one event as
   * `[type, peer, data, channel]`; a RECEIVE's packet is queued to the peer. Never waits
   * (see the class comment; use {@link serviceAsync}). In the event-driven mode it only pumps
   * (events go to listeners) and returns EVENT_NONE.
   */
  service(timeout = 0): ServiceResult {
    const driver = this.driver;
    if (!driver) {
      this.fail(Error.ERR_UNCONFIGURED, "The ENetConnection instance isn't currently active.");
      return [EventType.EVENT_ERROR, null, 0, 0];
    }
    if (timeout > 0 && !this.warnedTimeout) {
      this.warnedTimeout = true;
      this.platform.logger.log('warn', 'ENetConnection.service(timeout) cannot block in Node: serviced without waiting; use serviceAsync()');
    }
    if (driver.eventDriven) {
      driver.pump();
      return [...NONE];
    }
    this.peers.dropInactive(driver.host.peerResets);
    const e = driver.service();
    if (!e) return [...NONE];
    const ev = this.peers.parse(e);
    if (!ev) return [EventType.EVENT_ERROR, null, 0, 0];
    if (ev.packet) ev.peer[kQueuePacket](ev.packet, ev.flags, ev.channel);
    return [ev.type, ev.peer, ev.data, ev.channel];
  }

  /**
   * service() that waits: resolves with the first event, or EVENT_NONE after `timeout` ms
   * (0 = do not wait). Sleeps until a datagram arrives, a send is queued or ENet's next
   * deadline — one timer at a time, no polling. EVENT_ERROR when the host is (or gets)
   * destroyed. In the event-driven mode it pumps and resolves EVENT_NONE at once.
   */
  async serviceAsync(timeout = 0): Promise<ServiceResult> {
    const driver = this.driver;
    if (!driver) return this.service(); // logs; EVENT_ERROR
    const deadline = this.platform.clock.now() + Math.max(0, timeout);
    for (;;) {
      if (this.driver !== driver) return [EventType.EVENT_ERROR, null, 0, 0];
      const r = this.service();
      if (r[0] !== EventType.EVENT_NONE || driver.eventDriven) return r;
      const left = deadline - this.platform.clock.now();
      if (left <= 0) return r;
      await driver.waitForActivity(left);
    }
  }

  /** Sends everything queued now, without handling timeouts or producing events. */
  flush(): void {
    if (!this.driver) return void this.fail(Error.ERR_UNCONFIGURED, "The ENetConnection instance isn't currently active.");
    this.driver.flush();
  }

  // ---- host settings ----------------------------------------------------------------------------
  /**
   * Queues `packet` to every connected peer on `channel` with FLAG_* `flags`. Godot returns
   * nothing; gdwire returns OK, or ERR_UNCONFIGURED / ERR_INVALID_PARAMETER (channel or flags,
   * after Godot's checks) / the engine's error.
   */
  broadcast(channel: number, packet: Uint8Array, flags: number): Error {
    const driver = this.driver;
    if (!driver) return this.fail(Error.ERR_UNCONFIGURED, "The ENetConnection instance isn't currently active.");
    const limit = driver.host.channelLimit;
    if (!Number.isInteger(channel) || channel < 0 || channel >= limit) {
      return this.fail(Error.ERR_INVALID_PARAMETER, `Unable to send packet on channel ${channel}, max channels: ${limit}`);
    }
    if (!Number.isInteger(flags) || (flags & ~FLAG_ALLOWED) !== 0) return this.fail(Error.ERR_INVALID_PARAMETER, 'Invalid flags');
    const err = driver.host.broadcast(channel, packet, flags);
    driver.kick();
    return err;
  }

  /** Bandwidth limits in bytes/s (0 = unlimited), announced to the peers. */
  bandwidthLimit(inBandwidth = 0, outBandwidth = 0): void {
    if (!this.driver) return void this.fail(Error.ERR_UNCONFIGURED, "The ENetConnection instance isn't currently active.");
    this.driver.host.bandwidthLimit(inBandwidth, outBandwidth);
    this.driver.kick();
  }

  /** Most channels future incoming connections may open (0 = 255). */
  channelLimit(limit: number): void {
    if (!this.driver) return void this.fail(Error.ERR_UNCONFIGURED, "The ENetConnection instance isn't currently active.");
    this.driver.host.setChannelLimit(limit);
  }

  /**
   * Datagram compression; both ends must use the same mode (Godot's compressors, byte-compatible
   * on the wire: src/modules/enet/compression). ERR_UNAVAILABLE when ZSTD's addon cannot load.
   * Godot's compress() returns nothing.
   */
  compress(mode: CompressionMode): Error {
    const driver = this.driver;
    if (!driver) return this.fail(Error.ERR_UNCONFIGURED, "The ENetConnection instance isn't currently active.");
    if (!(mode in CompressionMode)) {
      return this.fail(Error.ERR_INVALID_PARAMETER, `Invalid ENet compression mode: ${String(mode)}`);
    }
    let compressor;
    try {
      compressor = createENetCompressor(mode);
    } catch (e) {
      return this.fail(Error.ERR_UNAVAILABLE, `ENetConnection.compress: ${CompressionMode[mode]} unavailable: ${String(e)}`);
    }
    driver.host.setCompressor(compressor);
    return Error.OK;
  }

  /** Returns a host counter and resets it to 0 (Godot's pop_statistic). */
  popStatistic(statistic: HostStatistic): number {
    const host = this.driver?.host;
    if (!host) return this.fail(0, "The ENetConnection instance isn't currently active.");
    const field = HOST_COUNTERS[statistic];
    if (field === undefined) return this.fail(0, `Invalid statistic: ${String(statistic)}.`);
    const value = host[field];
    host[field] = 0;
    return value;
  }

  /** The host's channel limit (255 unless limited). */
  getMaxChannels(): number {
    return this.driver?.host.channelLimit ?? this.fail(0, "The ENetConnection instance isn't currently active.");
  }

  /** The bound port (0 when inactive). */
  getLocalPort(): number {
    return this.driver?.localAddress()?.port ?? this.fail(0, "The ENetConnection instance isn't currently active.");
  }

  /** The bound address: "*" for the dual-stack wildcard, else the IP ("" when inactive). */
  getLocalAddress(): string {
    const a = this.driver?.localAddress();
    if (!a) return this.fail('', "The ENetConnection instance isn't currently active.");
    return a.address === '::' ? '*' : a.address;
  }

  /** The peers of this host (connecting, connected or disconnecting). */
  getPeers(): ENetPacketPeer[] {
    if (!this.driver) return this.fail([], "The ENetConnection instance isn't currently active.");
    return this.peers.list();
  }

  /**
   * Ignore new incoming connections (their attempts time out); established peers are kept.
   * Godot only applies this to DTLS servers (no new DTLS handshake starts); gdwire applies it
   * to plain UDP too.
   */
  refuseNewConnections(refuse: boolean): void {
    if (!this.driver) return void this.fail(Error.ERR_UNCONFIGURED, "The ENetConnection instance isn't currently active.");
    this.driver.host.refuseNewConnections(refuse);
  }

  /**
   * Sends raw bytes from the host's socket (e.g. NAT punching). An IP literal is sent at once;
   * a host name once DNS answers (dropped, with a logged error, if it does not).
   */
  socketSend(address: string, port: number, packet: Uint8Array): void {
    const driver = this.driver;
    if (!driver) return void this.fail(Error.ERR_UNCONFIGURED, "The ENetConnection instance isn't currently active.");
    if (!isValidPort(port, 1)) return void this.fail(Error.ERR_INVALID_PARAMETER, 'The remote port number must be between 1 and 65535 (inclusive).');
    const data = Uint8Array.from(packet);
    const ip = normalizeIp(address);
    if (ip !== null) return driver.sendRaw(data, ip, port);
    void this.resolve(address).then((resolved) => {
      if (resolved !== null && this.driver === driver) driver.sendRaw(data, resolved, port);
    });
  }

  // ---- DTLS (enet-dtls.ts) ------------------------------------------------------------------------
  /** Godot 4's DTLS server on this host (TLSOptions.server); errors: see enet-dtls.ts. */
  dtlsServerSetup(serverOptions: TLSOptions): Error {
    if (!this.driver) return this.fail(Error.ERR_UNCONFIGURED, "The ENetConnection instance isn't currently active.");
    return dtlsServerSetup(this.driver, serverOptions, this.dtlsTuning);
  }

  /** Godot 4's DTLS client (call before connectToHost); default options TLSOptions.client(). */
  dtlsClientSetup(hostname: string, clientOptions?: TLSOptions | null): Error {
    if (!this.driver) return this.fail(Error.ERR_UNCONFIGURED, "The ENetConnection instance isn't currently active.");
    return dtlsClientSetup(this.driver, hostname, clientOptions, this.dtlsTuning);
  }

  /** gdwire: DTLS counters (associations, handshakes, cookies, drops); null without DTLS. */
  getDtlsStatistics(): ENetDTLSStatistics | null {
    return this.driver ? dtlsStatistics(this.driver) : null;
  }

  // ---- event-driven mode ----------------------------------------------------------------------
  /** Events of the event-driven mode until destroy(). Do not mix with service() loops. */
  [Symbol.asyncIterator](): AsyncIterableIterator<ENetConnectionEvent> {
    return this.sinks.iterator();
  }

  override removeAllListeners(event?: string | symbol): this {
    if (event === undefined) super.removeAllListeners();
    else super.removeAllListeners(event);
    this.installModeHooks();
    this.updateMode();
    return this;
  }

  private installModeHooks(): void {
    if (this.listenerCount('newListener') === 0) {
      this.on('newListener', (event: string | symbol) => {
        if (NODE_EVENTS.has(event)) this.updateMode(true);
      });
    }
    if (this.listenerCount('removeListener') === 0) {
      this.on('removeListener', (event: string | symbol) => {
        if (NODE_EVENTS.has(event)) this.updateMode();
      });
    }
  }

  /** Event-driven while a Node listener or an iterator exists (`adding`: one is being added). */
  private updateMode(adding = false): void {
    const driver = this.driver;
    if (!driver) return;
    let want = adding || this.sinks.size > 0;
    for (const name of NODE_EVENTS) want ||= this.listenerCount(name) > 0;
    if (want !== driver.eventDriven) driver.setEventHandler(want ? (e) => this.dispatch(e) : null);
  }

  private dispatch(e: HostEvent): void {
    if (e.type === EnetEventType.RECEIVE && this.sinks.size === 0 && this.listenerCount('receive') > 0) {
      // The common case, a packet for 'receive' listeners and no iterator: emitted without
      // building the ENetConnectionEvent (one object per message received, profile: GC).
      const peer = this.peers.receiver(e);
      if (peer) this.emit('receive', peer, e.packet.data, e.channelID, e.packet.flags & FLAG_ALLOWED);
      else this.platform.logger.log('debug', 'ENetConnection: event for an unknown peer dropped', { type: e.type });
      return;
    }
    const ev = this.peers.parse(e);
    if (!ev) return this.platform.logger.log('debug', 'ENetConnection: event for an unknown peer dropped', { type: e.type });
    this.sinks.push(ev);
    switch (ev.type) {
      case EventType.EVENT_CONNECT:
        this.emit('connect', ev.peer, ev.data);
        break;
      case EventType.EVENT_DISCONNECT:
        this.emit('disconnect', ev.peer, ev.data, ev.timedOut);
        break;
      case EventType.EVENT_RECEIVE:
        if (this.listenerCount('receive') > 0) this.emit('receive', ev.peer, ev.packet, ev.channel, ev.flags);
        else if (this.sinks.size === 0 && ev.packet) ev.peer[kQueuePacket](ev.packet, ev.flags, ev.channel);
        break;
    }
  }

  // ---- internals --------------------------------------------------------------------------------
  /** An IP the host's socket can reach for `address` (DNS for names), or null (logged). */
  private async resolve(address: string): Promise<string | null> {
    const literal = normalizeIp(address);
    if (literal !== null) return literal;
    if (address === '' || isWildcard(address)) return this.failNull("Couldn't resolve the server IP address or domain name.", { address });
    try {
      const all = await this.platform.network.lookup(address);
      const ip = all.find((a) => this.driver?.canReach(a) ?? true);
      return ip ?? this.failNull("Couldn't resolve the server IP address or domain name.", { address });
    } catch {
      return this.failNull("Couldn't resolve the server IP address or domain name.", { address });
    }
  }

  private reportSocketError(err: SocketError): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
    else this.platform.logger.log('warn', 'ENetConnection socket error', { code: err.code, message: err.message });
  }

  private log(level: LogLevel, message: string, fields?: LogFields): void {
    this.platform.logger.log(level, `ENetConnection: ${message}`, fields);
  }

  private fail<T>(value: T, message: string, fields?: LogFields): T {
    this.log('error', message, fields);
    return value;
  }

  private failNull(message: string, fields?: LogFields): null {
    return this.fail(null, message, fields);
  }
}
