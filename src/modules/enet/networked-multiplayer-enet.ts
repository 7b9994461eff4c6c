/**
 * NetworkedMultiplayerENet: Godot 3.2's high-level multiplayer peer over ENet, wire-compatible
 * with real Godot 3.2.x (camelCase API, Godot's defaults, errors and signal order).
 * @see godot modules/enet/networked_multiplayer_enet.cpp (3.2)
 * @see shared/reference/godot-wire.md §5.2 (protocol), §9 (confirmed against Godot 3.2.3)
 *
 * The server is peer 1; a client picks a random 31-bit id and sends it in ENet's CONNECT data.
 * ENet channel 0 carries the server's ADD_PEER / REMOVE_PEER notices; every packet on the
 * other channels starts with [u32 source][i32 target] and the server relays packets between
 * clients by that target (networked-protocol.ts). Everything else is the MultiplayerPeer
 * contract (multiplayer-peer.ts): poll() in Godot's model, or the Node mode ('packet'
 * listeners / iterators) in which the ENet host is serviced as datagrams arrive.
 *
 * DTLS over ENet (`use_dtls`, `dtls_verify`, `set_dtls_key`, `set_dtls_certificate`, 3.4's
 * `dtls_hostname`) is set up on the host by createServer/createClient: networked-dtls.ts.
 *
 * Node cannot block, so `createServer()` / `createClient()` return a Promise of the Error
 * (binding, and DNS for a host name, are asynchronous), and `closeConnection(waitUsec)`
 * destroys the host after `waitUsec` on a timer instead of sleeping (the peer is closed at once).
 *
 * Signals (Node events, Godot's names): 'peer_connected' (id), 'peer_disconnected' (id),
 * 'connection_succeeded', 'connection_failed', 'server_disconnected'. A client emits
 * peer_connected(1) before connection_succeeded; after connection_failed it stays
 * CONNECTION_CONNECTING until closeConnection(), as in Godot 3.2.3.
 */
import { Error } from '../../core/error.js';
import type { CryptoKey } from '../../core/crypto/crypto-key.js';
import type { X509Certificate } from '../../core/crypto/x509-certificate.js';
import { isWildcard, normalizeIp } from '../../core/io/ip.js';
import { Deque } from '../../enet/deque.js';
import {
  ConnectionStatus, MultiplayerPeer, TransferMode, type MultiplayerPacket, type MultiplayerPeerOptions,
} from '../../multiplayer/multiplayer-peer.js';
import { createENetCompressor, NetworkedMultiplayerENetCompressionMode as CompressionMode } from './compression/index.js';
import { ENetConnection } from './enet-connection.js';
import { NetworkedDtlsSettings } from './networked-dtls.js';
import type { ENetPacketPeer } from './enet-packet-peer.js';
import { SYSCH_CONFIG, SYSCH_MAX } from './networked-protocol.js';
import { NetworkedSession, type NetworkedSessionOwner, type NetworkedSignal } from './networked-session.js';

export { NetworkedMultiplayerENetCompressionMode } from './compression/index.js';

/** Godot 3.2's get_max_packet_size(). */
const MAX_PACKET_SIZE = 1 << 24;
const NOT_ACTIVE = "The multiplayer instance isn't currently active.";

export interface NetworkedMultiplayerENetOptions extends MultiplayerPeerOptions {}

export interface NetworkedMultiplayerENet {
  on(event: 'peer_connected' | 'peer_disconnected', listener: (id: number) => void): this;
  on(event: 'connection_succeeded' | 'connection_failed' | 'server_disconnected', listener: () => void): this;
  on(event: 'packet', listener: (peer: number, data: Uint8Array, channel: number, mode: TransferMode) => void): this;
  on(event: string | symbol, listener: (...args: never[]) => void): this;
  once(event: 'peer_connected' | 'peer_disconnected', listener: (id: number) => void): this;
  once(event: 'connection_succeeded' | 'connection_failed' | 'server_disconnected', listener: () => void): this;
  once(event: 'packet', listener: (peer: number, data: Uint8Array, channel: number, mode: TransferMode) => void): this;
  once(event: string | symbol, listener: (...args: never[]) => void): this;
}

export class NetworkedMultiplayerENet extends MultiplayerPeer {
  static readonly COMPRESS_NONE = CompressionMode.COMPRESS_NONE;
  static readonly COMPRESS_RANGE_CODER = CompressionMode.COMPRESS_RANGE_CODER;
  static readonly COMPRESS_FASTLZ = CompressionMode.COMPRESS_FASTLZ;
  static readonly COMPRESS_ZLIB = CompressionMode.COMPRESS_ZLIB;
  static readonly COMPRESS_ZSTD = CompressionMode.COMPRESS_ZSTD;

  // settings
  private bindIp = '*';
  private relay = true;
  private ordered = false;
  private channels: number = SYSCH_MAX;
  private compression = CompressionMode.COMPRESS_NONE;
  private readonly dtls = new NetworkedDtlsSettings();
  // state
  /** The active host (null when inactive). */
  private session: NetworkedSession | null = null;
  private binding = false;
  private readonly incoming = new Deque<MultiplayerPacket>();
  private current: MultiplayerPacket | null = null;
  private readonly owner: NetworkedSessionOwner = {
    signal: (name: NetworkedSignal, id?: number) => void (id === undefined ? this.emit(name) : this.emit(name, id)),
    deliver: (packet) => { if (!this.deliverPacket(packet)) this.incoming.push(packet); },
    refusing: () => this.isRefusingNewConnections(),
    lost: () => this.closeConnection(),
    log: (message, fields) => this.logError(message, fields),
  };
  /** The host being bound (or resolving) by createServer/createClient. */
  private pendingConn: ENetConnection | null = null;
  private lastOpenError = Error.OK;

  constructor(options: NetworkedMultiplayerENetOptions = {}) {
    super({ ...options, godot: options.godot ?? 3 }, -1);
  }

  // ---- creating and closing -----------------------------------------------------------------------
  /**
   * Listens on `port` (0 = any) of the bind IP for up to `maxClients` clients; this peer
   * becomes id 1, CONNECTION_CONNECTED. Bandwidths in bytes/s (0 = unlimited). Resets
   * refuseNewConnections, as Godot does. ERR_ALREADY_IN_USE, ERR_INVALID_PARAMETER,
   * ERR_CANT_CREATE (bind failed), ERR_UNAVAILABLE (compressor missing), FAILED (closed meanwhile).
   */
  async createServer(port: number, maxClients = 32, inBandwidth = 0, outBandwidth = 0): Promise<Error> {
    if (this.session || this.binding) return this.failError(Error.ERR_ALREADY_IN_USE, 'The multiplayer instance is already active.');
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      return this.failError(Error.ERR_INVALID_PARAMETER, 'The port number must be set between 0 and 65535 (inclusive).');
    }
    if (!Number.isInteger(maxClients) || maxClients < 1 || maxClients > 4095) {
      return this.failError(Error.ERR_INVALID_PARAMETER, 'The number of clients must be set between 1 and 4095 (inclusive).');
    }
    const bw = this.checkBandwidth(inBandwidth, outBandwidth);
    if (bw !== Error.OK) return bw;
    const dtlsProblem = this.dtls.serverProblem();
    if (dtlsProblem !== null) return this.failError(Error.ERR_INVALID_PARAMETER, dtlsProblem);
    const conn = await this.openHost(this.bindIp, port, maxClients, inBandwidth, outBandwidth, "Couldn't create an ENet multiplayer server.");
    if (!conn) return this.lastOpenError;
    const dtlsErr = this.dtls.applyServer(conn);
    if (dtlsErr !== Error.OK) return this.dtlsFailed(conn, dtlsErr);
    this.activate(conn, true, 1);
    return Error.OK;
  }

  /**
   * Connects to a server at `address` (an IP, or a host name resolved by DNS) and `port`;
   * this peer gets a random id at once (getUniqueId()) and stays CONNECTION_CONNECTING until
   * 'connection_succeeded'. `clientPort` binds the local port (and then the bind IP).
   * ERR_ALREADY_IN_USE, ERR_INVALID_PARAMETER, ERR_CANT_CREATE, ERR_CANT_RESOLVE,
   * ERR_UNAVAILABLE (compressor missing), FAILED (closed meanwhile).
   */
  async createClient(address: string, port: number, inBandwidth = 0, outBandwidth = 0, clientPort = 0): Promise<Error> {
    if (this.session || this.binding) return this.failError(Error.ERR_ALREADY_IN_USE, 'The multiplayer instance is already active.');
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      return this.failError(Error.ERR_INVALID_PARAMETER, 'The remote port number must be between 1 and 65535 (inclusive).');
    }
    if (!Number.isInteger(clientPort) || clientPort < 0 || clientPort > 65535) {
      return this.failError(Error.ERR_INVALID_PARAMETER, 'The local port number must be between 0 and 65535 (inclusive).');
    }
    const bw = this.checkBandwidth(inBandwidth, outBandwidth);
    if (bw !== Error.OK) return bw;
    const bind = clientPort !== 0 ? this.bindIp : '*';
    const conn = await this.openHost(bind, clientPort, 1, inBandwidth, outBandwidth, "Couldn't create the ENet client host.");
    if (!conn) return this.lastOpenError;
    this.binding = true;
    this.pendingConn = conn;
    const ip = await this.resolve(address);
    if (this.pendingConn !== conn) return Error.FAILED; // closeConnection() while resolving destroyed it
    this.pendingConn = null;
    this.binding = false;
    if (ip === null) {
      conn.destroy();
      return this.failError(Error.ERR_CANT_RESOLVE, "Couldn't resolve the server IP address or domain name.", { address });
    }
    // Before the CONNECT, as Godot: the handshake starts with the first ENet datagram.
    const dtlsErr = this.dtls.applyClient(conn, address);
    if (dtlsErr !== Error.OK) return this.dtlsFailed(conn, dtlsErr);
    const id = this.generateUniqueId();
    const peer = conn.connectToHost(ip, port, this.channels, id);
    if (!peer) {
      conn.destroy();
      return this.failError(Error.ERR_CANT_CREATE, "Couldn't connect to the ENet multiplayer server.", { address: ip, port });
    }
    this.activate(conn, false, id);
    return Error.OK;
  }

  /**
   * Closes at once: every connected peer gets an ENet DISCONNECT carrying this peer's id (sent
   * now), the queues are emptied and the status becomes DISCONNECTED; the host itself is
   * destroyed `waitUsec` µs later (a timer; Godot sleeps) so the DISCONNECTs leave the socket.
   * No signal is emitted. Packet iterators end. Cancels a createServer/createClient in progress.
   */
  closeConnection(waitUsec = 100): void {
    const session = this.session;
    if (!session) {
      if (!this.binding) return this.logError(NOT_ACTIVE);
      this.binding = false;
      this.pendingConn?.destroy();
      this.pendingConn = null;
      this.endPacketIterators();
      return;
    }
    this.session = null;
    this.current = null;
    this.incoming.clear();
    const conn = session.conn;
    if (session.disconnectAll()) {
      const ms = Number.isFinite(waitUsec) && waitUsec > 0 ? waitUsec / 1000 : 0;
      this.platform.timers.setTimeout(() => conn.destroy(), ms);
    } else {
      conn.destroy();
    }
    this.endPacketIterators();
  }

  /** Godot 4's name for closeConnection(). */
  close(): void {
    this.closeConnection();
  }

  /**
   * Server only: disconnects client `id`. `now`: at once (ENet DISCONNECT with data 0, not
   * retried), REMOVE_PEER to the others when relaying, 'peer_disconnected' here; else after its
   * queued packets, the usual disconnection following.
   */
  disconnectPeer(id: number, now = false): void {
    if (!this.session) return this.logError(NOT_ACTIVE);
    this.session.disconnectPeer(id, now);
  }

  // ---- polling ------------------------------------------------------------------------------------
  /** Services ENet until no event is left, emitting the signals and queueing packets. */
  poll(): void {
    const session = this.session;
    if (!session) return this.logError(NOT_ACTIVE);
    this.current = null;
    session.poll();
  }

  // ---- packets --------------------------------------------------------------------------------------
  /** The sender of the next packet (the original sender for relayed ones); 1 (logged) when none. */
  getPacketPeer(): number {
    if (!this.session) return this.fail(1, NOT_ACTIVE);
    return this.incoming.peek()?.peer ?? this.fail(1, 'No incoming packets available.');
  }

  /** The ENet channel of the next packet (3.2 semantics: 1, 2 or a transfer channel); −1 (logged) when none. */
  getPacketChannel(): number {
    if (!this.session) return this.fail(-1, NOT_ACTIVE);
    return this.incoming.peek()?.channel ?? this.fail(-1, 'No incoming packets available.');
  }

  /** The ENet channel of the packet getPacket() returned last; −1 (logged) when none. */
  getLastPacketChannel(): number {
    if (!this.session) return this.fail(-1, NOT_ACTIVE);
    return this.current?.channel ?? this.fail(-1, 'No packet was read yet.');
  }

  /** gdwire (Godot 4 API): the transfer mode of the next packet, from its ENet flags; RELIABLE (logged) when none. */
  getPacketMode(): TransferMode {
    if (!this.session) return this.fail(TransferMode.TRANSFER_MODE_RELIABLE, NOT_ACTIVE);
    return this.incoming.peek()?.mode ?? this.fail(TransferMode.TRANSFER_MODE_RELIABLE, 'No incoming packets available.');
  }

  protected _getAvailablePacketCount(): number {
    return this.incoming.length;
  }

  protected _getPacket(): { error: Error; packet?: Uint8Array } {
    const p = this.incoming.shift();
    if (!p) return { error: Error.ERR_UNAVAILABLE };
    this.current = p;
    return { error: Error.OK, packet: p.data };
  }

  /**
   * Sends `buffer` to the target peer with the transfer mode and channel, flushed at once.
   * ERR_UNCONFIGURED (inactive or not connected), ERR_INVALID_PARAMETER (target not a known
   * peer: on a server 1 and −1 are not), else the ENet send's error for a single target.
   */
  protected _putPacket(buffer: Uint8Array): Error {
    if (!this.session) return this.failError(Error.ERR_UNCONFIGURED, NOT_ACTIVE);
    return this.session.send(buffer, this.targetPeer, this.getTransferMode(), this.ordered, this.getTransferChannel());
  }

  protected _getMaxPacketSize(): number {
    return MAX_PACKET_SIZE;
  }

  // ---- status -------------------------------------------------------------------------------------
  getConnectionStatus(): ConnectionStatus {
    return this.session?.status ?? ConnectionStatus.CONNECTION_DISCONNECTED;
  }

  /** This peer's id: 1 on a server, the random id on a client; 0 (logged) when inactive. */
  getUniqueId(): number {
    return this.session?.uniqueId ?? this.fail(0, NOT_ACTIVE);
  }

  /** gdwire: whether this peer is a server (Godot 3.2 has is_server() but does not bind it). */
  isServer(): boolean {
    return this.session?.server ?? false;
  }

  /** The relay is this class's own (server_relay); Godot 3.2 has no such query. */
  override isServerRelaySupported(): boolean {
    return this.relay;
  }

  /** The IP of peer `id` ("" logged when unknown; a client knows only the server's, id 1). */
  getPeerAddress(id: number): string {
    return this.remotePeer(id)?.getRemoteAddress() ?? '';
  }

  /** The port of peer `id` (0 logged when unknown; a client knows only the server's, id 1). */
  getPeerPort(id: number): number {
    return this.remotePeer(id)?.getRemotePort() ?? 0;
  }

  /** gdwire (Godot 4's get_host): the ENet host while active, for statistics and advanced use. */
  getHost(): ENetConnection | null {
    return this.session?.conn ?? null;
  }

  /** gdwire (Godot 4's get_peer): the ENet peer of `id`; null for unknown ids and peers behind the server. */
  getPeer(id: number): ENetPacketPeer | null {
    return this.session?.peers.get(id) ?? null;
  }

  private remotePeer(id: number): ENetPacketPeer | null {
    const session = this.session;
    if (!session) return this.fail(null, NOT_ACTIVE);
    if (!session.peers.has(id)) return this.fail(null, `Peer ID ${id} not found in the list of peers.`);
    if (!session.server && id !== 1) return this.fail(null, "Can't get the address of peers other than the server (ID 1) when acting as a client.");
    return session.peers.get(id) ?? this.fail(null, `Peer ID ${id} found in the list of peers, but is null.`);
  }

  // ---- settings -------------------------------------------------------------------------------------
  /** The local IP createServer (and createClient with a clientPort) binds: "*" (default) or an IP. */
  setBindIp(ip: string): void {
    if (!isWildcard(ip) && normalizeIp(ip) === null) return this.logError('Invalid bind IP.', { ip });
    this.bindIp = ip;
  }

  /** Whether the server relays packets between clients and sends ADD/REMOVE_PEER (only while inactive). */
  setServerRelayEnabled(enabled: boolean): void {
    if (this.session || this.binding) return this.logError("Server relaying can't be toggled while the multiplayer instance is active.");
    this.relay = enabled;
  }

  isServerRelayEnabled(): boolean {
    return this.relay;
  }

  /** Send TRANSFER_MODE_UNRELIABLE sequenced (ENet unreliable) instead of unsequenced. */
  setAlwaysOrdered(ordered: boolean): void {
    this.ordered = ordered;
  }

  isAlwaysOrdered(): boolean {
    return this.ordered;
  }

  /** ENet channels to allocate (≥ 3; only while inactive; above 255 ENet uses 255). */
  setChannelCount(channels: number): void {
    if (this.session || this.binding) return this.logError("The channel count can't be set while the multiplayer instance is active.");
    if (!Number.isInteger(channels) || channels < SYSCH_MAX) {
      return this.logError(`The channel count must be greater than or equal to ${SYSCH_MAX} to account for ENet's default reliable and unreliable channels.`);
    }
    this.channels = channels;
  }

  getChannelCount(): number {
    return this.channels;
  }

  /** Datagram compression, applied at the next createServer/createClient; both ends must match. */
  setCompressionMode(mode: CompressionMode): void {
    if (!Number.isInteger(mode) || mode < CompressionMode.COMPRESS_NONE || mode > CompressionMode.COMPRESS_ZSTD) {
      return this.logError(`Invalid compression mode: ${String(mode)}.`);
    }
    this.compression = mode;
  }

  getCompressionMode(): CompressionMode {
    return this.compression;
  }

  /** 3.2: −1 (default: the mode's channel), or 1..channelCount−1 (0 is reserved). */
  protected override checkTransferChannel(channel: number): string | null {
    if (!Number.isInteger(channel) || channel < -1 || channel >= this.channels) {
      return `The transfer channel must be set between 0 and ${this.channels - 1}, inclusive (got ${String(channel)}).`;
    }
    if (channel === SYSCH_CONFIG) return `The channel ${SYSCH_CONFIG} is reserved.`;
    return null;
  }

  override setRefuseNewConnections(enable: boolean): void {
    super.setRefuseNewConnections(enable);
    this.session?.conn.refuseNewConnections(enable);
  }

  /**
   * DTLS over ENet for the next createServer/createClient (networked-dtls.ts): a server needs
   * setDtlsKey and setDtlsCertificate; a client verifies the server unless
   * setDtlsVerifyEnabled(false). Settings change only while inactive, as in Godot.
   */
  setDtlsEnabled(enable: boolean): void {
    if (this.dtlsLocked()) return;
    this.dtls.enabled = enable;
  }

  isDtlsEnabled(): boolean {
    return this.dtls.enabled;
  }

  /** Client: verify the server's certificate chain and host name (default true). */
  setDtlsVerifyEnabled(enable: boolean): void {
    if (this.dtlsLocked()) return;
    this.dtls.verify = enable;
  }

  isDtlsVerifyEnabled(): boolean {
    return this.dtls.verify;
  }

  /** Server: the private key of the DTLS certificate. */
  setDtlsKey(key: CryptoKey): void {
    if (this.dtlsLocked()) return;
    this.dtls.key = key;
  }

  /** Server: the certificate presented. Client: the certificate (or CA) trusted instead of the default CAs. */
  setDtlsCertificate(cert: X509Certificate): void {
    if (this.dtlsLocked()) return;
    this.dtls.certificate = cert;
  }

  /** Godot 3.4+ (not in 3.2): the name the server's certificate must match; "" = the address given to createClient. */
  setDtlsHostname(hostname: string): void {
    if (this.dtlsLocked()) return;
    this.dtls.hostname = hostname;
  }

  getDtlsHostname(): string {
    return this.dtls.hostname;
  }

  get serverRelay(): boolean { return this.isServerRelayEnabled(); }
  set serverRelay(enabled: boolean) { this.setServerRelayEnabled(enabled); }
  get alwaysOrdered(): boolean { return this.isAlwaysOrdered(); }
  set alwaysOrdered(ordered: boolean) { this.setAlwaysOrdered(ordered); }
  get channelCount(): number { return this.getChannelCount(); }
  set channelCount(channels: number) { this.setChannelCount(channels); }
  get compressionMode(): CompressionMode { return this.getCompressionMode(); }
  set compressionMode(mode: CompressionMode) { this.setCompressionMode(mode); }
  get useDtls(): boolean { return this.isDtlsEnabled(); }
  set useDtls(enable: boolean) { this.setDtlsEnabled(enable); }
  get dtlsVerify(): boolean { return this.isDtlsVerifyEnabled(); }
  set dtlsVerify(enable: boolean) { this.setDtlsVerifyEnabled(enable); }
  get dtlsHostname(): string { return this.getDtlsHostname(); }
  set dtlsHostname(hostname: string) { this.setDtlsHostname(hostname); }

  // ---- internals ----------------------------------------------------------------------------------
  private checkBandwidth(inBandwidth: number, outBandwidth: number): Error {
    if (!(inBandwidth >= 0)) return this.failError(Error.ERR_INVALID_PARAMETER, 'The incoming bandwidth limit must be greater than or equal to 0 (0 disables the limit).');
    if (!(outBandwidth >= 0)) return this.failError(Error.ERR_INVALID_PARAMETER, 'The outgoing bandwidth limit must be greater than or equal to 0 (0 disables the limit).');
    return Error.OK;
  }

  /** Binds an ENet host with this peer's channel count and compressor; null (and lastOpenError) on failure. */
  private async openHost(bind: string, port: number, peers: number, inBw: number, outBw: number, what: string): Promise<ENetConnection | null> {
    const conn = new ENetConnection({ platform: this.platform, godot: this.godot });
    this.binding = true;
    this.pendingConn = conn;
    const err = await conn.createHostBound(bind, port, peers, Math.min(this.channels, 255), inBw, outBw);
    const cancelled = this.pendingConn !== conn;
    if (!cancelled) {
      this.pendingConn = null;
      this.binding = false;
    }
    if (cancelled || err !== Error.OK) {
      if (err === Error.OK) conn.destroy();
      this.lastOpenError = cancelled ? Error.FAILED : this.failError(Error.ERR_CANT_CREATE, what, { bind, port, error: err });
      return null;
    }
    try {
      conn.enetHost?.setCompressor(createENetCompressor(this.compression));
    } catch (e) {
      conn.destroy();
      this.lastOpenError = this.failError(Error.ERR_UNAVAILABLE, `Compression mode ${CompressionMode[this.compression]} is unavailable: ${String(e)}`);
      return null;
    }
    return conn;
  }

  private dtlsLocked(): boolean {
    if (!this.session && !this.binding) return false;
    this.logError("DTLS settings can't be changed while the multiplayer instance is active.");
    return true;
  }

  /** createServer/createClient when DTLS cannot be set up (the reason is logged by ENetConnection). */
  private dtlsFailed(conn: ENetConnection, err: Error): Error {
    conn.destroy();
    return this.failError(err, 'DTLS over ENet could not be set up.');
  }

  private activate(conn: ENetConnection, server: boolean, uniqueId: number): void {
    this.session = new NetworkedSession(conn, { server, uniqueId, relay: this.relay, channels: this.channels }, this.owner);
    this.current = null;
    super.setRefuseNewConnections(false); // Godot's create_* reset it
    if (this.nodeMode) this.session.setEventDriven(true);
  }

  private async resolve(address: string): Promise<string | null> {
    const ip = normalizeIp(address);
    if (ip !== null) return ip;
    if (address === '' || isWildcard(address)) return null;
    try {
      return (await this.platform.network.lookup(address))[0] ?? null;
    } catch {
      return null;
    }
  }

  protected override onNodeModeChange(on: boolean): void {
    this.session?.setEventDriven(on);
  }
}
