/**
 * ENetMultiplayerPeer: Godot 4's MultiplayerPeer over ENet (camelCase API, Godot's defaults and
 * numbers), on gdwire's {@link ENetConnection} / {@link ENetPacketPeer}.
 * @see godot modules/enet/enet_multiplayer_peer.cpp (4.1+)
 *
 * Three modes, as in Godot:
 * - **server** (`createServer`): unique id 1; an ENet CONNECT whose data (the client's id) is
 *   ≥ 2 and not in use becomes peer `id` ('peer_connected'); any other is reset silently.
 * - **client** (`createClient`): a random id ≥ 2 travels in the CONNECT data; CONNECTING until
 *   ENet connects, then CONNECTED and 'peer_connected'(1). Everything it receives is from peer 1.
 * - **mesh** (`createMesh` + `addMeshPeer`): one connected ENetConnection per remote peer.
 *
 * On the wire there is ENet only: no per-packet header (4.x dropped 3.x's 8 bytes). Transfer
 * mode and channel pick the ENet channel and flags (enet-multiplayer-protocol.ts). Relaying
 * between clients is SceneMultiplayer's (SYS RELAY): this class only talks to its own ENet peers.
 *
 * Godot's polled model: `poll()` services the hosts, emits the signals and queues the packets
 * (Godot's SceneMultiplayer polls every frame); putPacket() flushes at once. Node mode (see
 * {@link MultiplayerPeer}): while a 'packet' listener or a packet iterator exists, the hosts run
 * in ENetConnection's event-driven mode and every ENet event is handled as it arrives.
 *
 * refuseNewConnections: a server resets new ENet connections on CONNECT, as Godot does on UDP
 * (the client's handshake completes, then it times out). Dropped hosts are flushed at once and
 * destroyed one timer turn later, so their last datagrams (DISCONNECTs) leave a Node socket.
 *
 * Node cannot block, so `createServer()` / `createClient()` return a Promise of the Error
 * (sockets bind asynchronously; createClient also resolves a host name). Godot's ERR_FAIL
 * guards log an error through the platform logger and return Godot's fallback value.
 */
import { Error } from '../../core/error.js';
import { isWildcard, normalizeIp } from '../../core/io/ip.js';
import { HOST_DEFAULT_MTU } from '../../enet/host.js';
import type { LogFields } from '../../platform/platform.js';
import {
  ConnectionStatus, MultiplayerPeer, TransferMode, type MultiplayerPacket, type MultiplayerPeerOptions,
} from '../../multiplayer/multiplayer-peer.js';
import { ENetConnection } from './enet-connection.js';
import { EventType } from './enet-connection-types.js';
import { ENetPacketPeer, PeerState } from './enet-packet-peer.js';
import {
  ConnectVerdict, MAX_PACKET_SIZE, admit, clientChannelCount, isValidTarget, packetChannel, packetMode,
  route, sendRoute, serverChannelLimit, type PeerMode,
} from './enet-multiplayer-protocol.js';
import { HostListeners, HostRetirer, type ReceivedPacket } from './enet-multiplayer-hosts.js';

/** Events taken from one host in one poll() (Godot drains them all; a bound, never reached). */
const MAX_EVENTS_PER_POLL = 1 << 16;
/** Key of the server's or client's only host. */
const MAIN = 0;

export type ENetMultiplayerPeerOptions = MultiplayerPeerOptions;

export class ENetMultiplayerPeer extends MultiplayerPeer {
  private role: PeerMode | 'none' = 'none';
  private uniqueId = 0;
  private status = ConnectionStatus.CONNECTION_DISCONNECTED;
  /** Server/client: the host under key 0. Mesh: one host per remote peer id. */
  private readonly hosts = new Map<number, ENetConnection>();
  private readonly peers = new Map<number, ENetPacketPeer>();
  /** Godot's "_net_id" meta of a server's ENet peers. */
  private readonly netIds = new WeakMap<ENetPacketPeer, number>();
  private incoming: MultiplayerPacket[] = [];
  private bindIp = '*';
  /** A createServer/createClient is waiting for its socket. */
  private creating = false;
  /** Bumped by close(): a pending create or an event loop notices it. */
  private generation = 0;
  private warnedMtu = false;
  private readonly hostListeners: HostListeners;
  private readonly retirer: HostRetirer;

  constructor(options: ENetMultiplayerPeerOptions = {}) {
    super(options, 0);
    this.retirer = new HostRetirer(this.platform.timers);
    this.hostListeners = new HostListeners((key, type, peer, data, packet) => this.handleEvent(key, type, peer, data, packet));
  }

  // ---- creating ---------------------------------------------------------------------------------
  /**
   * Listens on `port` of the bind IP (setBindIp, default "*") for up to `maxClients` clients
   * with `maxChannels` user channels each (0 = as many as ENet allows) besides the two
   * reserved ones; bandwidths in bytes/s (0 = unlimited). Unique id 1, CONNECTED at once.
   * ERR_ALREADY_IN_USE when active, else the host's error (ERR_CANT_CREATE when the port is
   * taken, ERR_INVALID_PARAMETER for a bad argument), FAILED when close() came first.
   */
  async createServer(port: number, maxClients = 32, maxChannels = 0, inBandwidth = 0, outBandwidth = 0): Promise<Error> {
    if (this.isActive() || this.creating) return this.failError(Error.ERR_ALREADY_IN_USE, 'The multiplayer instance is already active.');
    this.setRefuseNewConnections(false);
    const host = this.newHost();
    const limit = serverChannelLimit(maxChannels);
    const err = await this.creatingHost(host, () => host.createHostBound(this.bindIp, port, maxClients, limit, inBandwidth, outBandwidth));
    if (err !== Error.OK) return err;
    this.role = 'server';
    this.uniqueId = 1;
    this.status = ConnectionStatus.CONNECTION_CONNECTED;
    this.addHost(MAIN, host);
    return Error.OK;
  }

  /**
   * Connects to the server at `address` (IP or host name) and `port`, asking for `channelCount`
   * user channels (0 = ENet's maximum) besides the two reserved ones; `localPort` 0 = any (the
   * bind IP applies only with a local port, as in Godot). Resolves when the CONNECT is queued:
   * status CONNECTING; a later poll() sends it and reports 'peer_connected'(1) once connected.
   * ERR_ALREADY_IN_USE when active, the host's error, ERR_CANT_CREATE when the address cannot
   * be resolved or reached, FAILED when close() came first.
   */
  async createClient(address: string, port: number, channelCount = 0, inBandwidth = 0, outBandwidth = 0, localPort = 0): Promise<Error> {
    if (this.isActive() || this.creating) return this.failError(Error.ERR_ALREADY_IN_USE, 'The multiplayer instance is already active.');
    this.setRefuseNewConnections(false);
    const host = this.newHost();
    const id = this.generateUniqueId();
    let peer: ENetPacketPeer | null = null;
    const err = await this.creatingHost(host, async () => {
      const created = localPort
        ? await host.createHostBound(this.bindIp, localPort, 1, 0, inBandwidth, outBandwidth)
        : await host.createHost(1, 0, inBandwidth, outBandwidth);
      if (created !== Error.OK) return created;
      peer = await host.connectToHostAsync(address, port, clientChannelCount(channelCount), id);
      return peer ? Error.OK : this.failError(Error.ERR_CANT_CREATE, "Couldn't connect to the ENet multiplayer server.", { address, port });
    });
    if (err !== Error.OK || !peer) return err;
    this.role = 'client';
    this.uniqueId = id;
    this.status = ConnectionStatus.CONNECTION_CONNECTING; // until the CONNECT event
    this.peers.set(1, peer);
    this.addHost(MAIN, host);
    return Error.OK;
  }

  /** Mesh mode with this unique id (> 0): add peers with addMeshPeer(). CONNECTED at once. */
  createMesh(uniqueId: number): Error {
    if (!Number.isInteger(uniqueId) || uniqueId <= 0) return this.failError(Error.ERR_INVALID_PARAMETER, 'The unique ID must be greater then 0');
    if (this.isActive() || this.creating) return this.failError(Error.ERR_ALREADY_IN_USE, 'The multiplayer instance is already active.');
    this.role = 'mesh';
    this.uniqueId = uniqueId;
    this.status = ConnectionStatus.CONNECTION_CONNECTED;
    return Error.OK;
  }

  /**
   * Adds `host` — an ENetConnection with exactly one peer, in STATE_CONNECTED — as mesh peer
   * `peerId` and emits 'peer_connected'(peerId) at once. The multiplayer peer then owns the
   * host: it services it, and destroys it when the peer goes or on close(). Leave the host in
   * the polled mode (no listeners of your own). Packets it had already queued to its peer are
   * delivered first. ERR_INVALID_PARAMETER for a bad host, ERR_UNCONFIGURED unless in mesh
   * mode, ERR_ALREADY_EXISTS when `peerId` is taken (Godot silently replaces it).
   */
  addMeshPeer(peerId: number, host: ENetConnection | null): Error {
    if (!host) return this.failError(Error.ERR_INVALID_PARAMETER, 'The host is null.');
    if (this.role !== 'mesh') return this.failError(Error.ERR_UNCONFIGURED, "The multiplayer instance is not configured as a mesh. Call 'create_mesh' first.");
    const hostPeers = host.getPeers();
    const peer = hostPeers[0];
    if (hostPeers.length !== 1 || !peer || peer.getState() !== PeerState.STATE_CONNECTED) {
      return this.failError(Error.ERR_INVALID_PARAMETER, 'The provided host must have exactly one peer in the connected state.');
    }
    if (this.peers.has(peerId) || this.hosts.has(peerId)) return this.failError(Error.ERR_ALREADY_EXISTS, `Mesh peer ${peerId} already exists.`);
    this.peers.set(peerId, peer);
    this.addHost(peerId, host);
    while (peer.getAvailablePacketCount() > 0) {
      const channel = peer.getPacketChannel();
      const flags = peer.getPacketFlags();
      this.store(peerId, { data: peer.getPacket(), channel, flags });
    }
    this.emit('peer_connected', peerId);
    return Error.OK;
  }

  /** The IP createServer (and createClient with a local port) binds: "*" or an IP literal. */
  setBindIp(ip: string): void {
    if (!isWildcard(ip) && normalizeIp(ip) === null) return this.logError(`Invalid bind IP address: ${ip}`);
    this.bindIp = ip;
  }

  /** The server's or client's ENetConnection (null, logged, when inactive or a mesh). */
  getHost(): ENetConnection | null {
    if (!this.isActive() || this.role === 'mesh') return this.fail(null, 'No host: the multiplayer instance is not active, or is a mesh.');
    return this.hosts.get(MAIN) ?? null;
  }

  /** Godot's `host` property. */
  get host(): ENetConnection | null {
    return this.getHost();
  }

  /** The ENetPacketPeer of peer `id` (a client has peer 1 only); null, logged, when unknown. */
  getPeer(id: number): ENetPacketPeer | null {
    const peer = this.peers.get(id);
    if (!this.isActive() || !peer || (this.role === 'client' && id !== 1)) return this.fail(null, 'Unknown peer, or not active.', { id });
    return peer;
  }

  // ---- MultiplayerPeer --------------------------------------------------------------------------
  /** Sender of the next packet getPacket() returns (1, logged, when none: Godot's fallback). */
  getPacketPeer(): number {
    return this.front()?.peer ?? 1;
  }

  /** Transfer channel of the next packet: 0 for ENet channels 0–1, else ENet channel − 1 (1 when none). */
  getPacketChannel(): number {
    return this.front()?.channel ?? 1;
  }

  /** Transfer mode of the next packet, from its ENet flags (RELIABLE when none). */
  getPacketMode(): TransferMode {
    return this.front()?.mode ?? TransferMode.TRANSFER_MODE_RELIABLE;
  }

  getConnectionStatus(): ConnectionStatus {
    return this.status;
  }

  /** 1 for a server, the generated id for a client, the mesh id; 0 (logged) when inactive. */
  getUniqueId(): number {
    if (!this.isActive()) return this.fail(0, "The multiplayer instance isn't currently active.");
    return this.uniqueId;
  }

  isServer(): boolean {
    return this.role === 'server';
  }

  /** True for a server and a client (SceneMultiplayer may relay through the server), false in mesh. */
  override isServerRelaySupported(): boolean {
    return this.role === 'server' || this.role === 'client';
  }

  /**
   * Services the hosts: peers that went inactive behind its back (reset, disconnected now) are
   * reported first, then every pending ENet event becomes a signal or a packet. In Node mode the
   * hosts service themselves; poll() then only does the first part and pumps.
   */
  poll(): void {
    if (!this.isActive()) return this.logError("The multiplayer instance isn't currently active.");
    const gen = this.generation;
    if (!this.reapInactivePeers()) return;
    for (const [key, host] of [...this.hosts]) {
      for (let i = 0; i < MAX_EVENTS_PER_POLL; i++) {
        if (gen !== this.generation) return;
        if (this.hosts.get(key) !== host) break;
        const [type, peer, data] = host.service();
        if (type === EventType.EVENT_NONE) break;
        let packet: ReceivedPacket | null = null;
        if (type === EventType.EVENT_RECEIVE && peer) {
          const channel = peer.getPacketChannel();
          const flags = peer.getPacketFlags();
          packet = { data: peer.getPacket(), channel, flags };
        }
        if (!this.handleEvent(key, type, peer, data, packet)) break;
      }
    }
  }

  /**
   * Disconnects `peer` gracefully (ENet DISCONNECT with data 0, flushed); 'peer_disconnected'
   * follows once the remote acknowledges. `force`: forget it at once, without a signal (a
   * mesh peer's host is destroyed; a client closes).
   */
  disconnectPeer(peer: number, force = false): void {
    const p = this.peers.get(peer);
    if (!this.isActive() || !p) return this.logError('Unknown peer, or the multiplayer instance is not active.', { peer });
    p.peerDisconnect(0);
    const host = this.hosts.get(this.role === 'mesh' ? peer : MAIN);
    if (!host) return this.logError('No host for this peer.', { peer });
    host.flush();
    if (!force) return;
    this.peers.delete(peer);
    if (this.role === 'mesh') this.dropHost(peer);
    if (this.role === 'client') this.close();
  }

  /**
   * Disconnects every connected peer at once (ENet DISCONNECT sent once, data 0), flushes,
   * destroys the hosts and returns to DISCONNECTED, without signals. Queued packets are
   * dropped; packet iterators end.
   */
  close(): void {
    this.generation++;
    if (!this.isActive()) return;
    for (const peer of this.peers.values()) {
      if (peer.getState() === PeerState.STATE_CONNECTED) peer.peerDisconnectNow(0);
    }
    for (const key of [...this.hosts.keys()]) this.dropHost(key);
    this.peers.clear();
    this.incoming = [];
    this.role = 'none';
    this.uniqueId = 0;
    this.status = ConnectionStatus.CONNECTION_DISCONNECTED;
    this.setRefuseNewConnections(false);
    this.endPacketIterators();
  }

  // ---- PacketPeer primitives --------------------------------------------------------------------
  protected _getAvailablePacketCount(): number {
    return this.incoming.length;
  }

  protected _getPacket(): { error: Error; packet?: Uint8Array } {
    const p = this.incoming.shift();
    if (!p) return { error: this.failError(Error.ERR_UNAVAILABLE, 'No incoming packets available.') };
    return { error: Error.OK, packet: p.data };
  }

  /**
   * Sends to the target peer with the transfer mode and channel, then flushes. ERR_UNCONFIGURED
   * when inactive or not connected yet, ERR_INVALID_PARAMETER for an unknown target; gdwire
   * also returns the first ENet send error (Godot returns OK whatever ENet said).
   */
  protected _putPacket(buffer: Uint8Array): Error {
    if (!this.isActive()) return this.failError(Error.ERR_UNCONFIGURED, "The multiplayer instance isn't currently active.");
    if (this.status !== ConnectionStatus.CONNECTION_CONNECTED) {
      return this.failError(Error.ERR_UNCONFIGURED, "The multiplayer instance isn't currently connected to any server or client.");
    }
    const target = this.targetPeer;
    if (!isValidTarget(target, (id) => this.peers.has(id))) return this.failError(Error.ERR_INVALID_PARAMETER, `Invalid target peer: ${target}`);
    const mode = this.getTransferMode();
    const { channel, flags } = sendRoute(mode, this.getTransferChannel());
    // Godot warns (once) when an unreliable packet exceeds ENet's default MTU.
    if (mode !== TransferMode.TRANSFER_MODE_RELIABLE && buffer.length > HOST_DEFAULT_MTU && !this.warnedMtu) {
      this.warnedMtu = true;
      this.log('warn', `Sending ${buffer.length} bytes unreliably which is above the MTU (${HOST_DEFAULT_MTU}), this will result in higher packet loss`);
    }
    const r = route(this.role === 'none' ? 'server' : this.role, target, this.peers.keys());
    let result = Error.OK;
    if (r.broadcast) {
      result = this.hosts.get(MAIN)?.broadcast(channel, buffer, flags) ?? Error.ERR_BUG;
    } else {
      for (const id of r.ids) {
        const err = this.peers.get(id)?.send(channel, buffer, flags) ?? Error.ERR_BUG;
        if (result === Error.OK) result = err;
        if (this.role === 'mesh') this.hosts.get(id)?.flush();
      }
    }
    if (this.role !== 'mesh') this.hosts.get(MAIN)?.flush();
    return result;
  }

  protected _getMaxPacketSize(): number {
    return MAX_PACKET_SIZE;
  }

  // ---- events -----------------------------------------------------------------------------------
  protected override onNodeModeChange(on: boolean): void {
    for (const [key, host] of this.hosts) {
      if (on) this.hostListeners.attach(key, host);
      else this.hostListeners.detach(host);
    }
  }

  /**
   * One ENet event of host `key`, from poll() or (Node mode) from the host's listeners.
   * Returns false when the host is done for this round (closed, dropped, or an error).
   */
  private handleEvent(key: number, type: EventType, peer: ENetPacketPeer | null, data: number, packet: ReceivedPacket | null): boolean {
    const more = this.dispatchEvent(key, type, peer, data, packet);
    // Node mode has no poll(): peers reset behind our back are found after each event instead.
    return this.nodeMode && this.isActive() ? this.reapInactivePeers() && more : more;
  }

  private dispatchEvent(key: number, type: EventType, peer: ENetPacketPeer | null, data: number, packet: ReceivedPacket | null): boolean {
    if (type === EventType.EVENT_ERROR || !peer) {
      if (this.role === 'mesh') return this.meshPeerGone(key);
      this.close();
      return false;
    }
    switch (this.role) {
      case 'client':
        return this.clientEvent(type, packet);
      case 'server':
        return this.serverEvent(type, peer, data, packet);
      case 'mesh':
        return this.meshEvent(key, type, peer, packet);
      default:
        return false;
    }
  }

  private clientEvent(type: EventType, packet: ReceivedPacket | null): boolean {
    if (type === EventType.EVENT_CONNECT) {
      this.status = ConnectionStatus.CONNECTION_CONNECTED;
      this.emit('peer_connected', 1);
    } else if (type === EventType.EVENT_DISCONNECT) {
      const gen = this.generation;
      if (this.status === ConnectionStatus.CONNECTION_CONNECTED) this.emit('peer_disconnected', 1);
      if (gen === this.generation) this.close();
      return false;
    } else if (packet) {
      this.store(1, packet);
    }
    return true;
  }

  private serverEvent(type: EventType, peer: ENetPacketPeer, data: number, packet: ReceivedPacket | null): boolean {
    const id = this.netIds.get(peer);
    const registered = id !== undefined && this.peers.get(id) === peer;
    if (type === EventType.EVENT_CONNECT) {
      const verdict = admit(data, this.isRefusingNewConnections(), (n) => this.peers.has(n));
      if (verdict !== ConnectVerdict.ACCEPT) {
        this.log('debug', 'ENet connection reset', { verdict: ConnectVerdict[verdict], id: data });
        peer.reset();
        return true;
      }
      this.netIds.set(peer, data);
      this.peers.set(data, peer);
      this.emit('peer_connected', data);
    } else if (type === EventType.EVENT_DISCONNECT) {
      // Ignored when never admitted, or forced out (disconnectPeer(id, true)) — even if a new
      // peer took the id since (Godot would then report and forget the new one).
      if (!registered) return true;
      this.peers.delete(id);
      this.emit('peer_disconnected', id);
    } else if (packet && registered) {
      this.store(id, packet);
    }
    return true;
  }

  private meshEvent(key: number, type: EventType, peer: ENetPacketPeer, packet: ReceivedPacket | null): boolean {
    if (type === EventType.EVENT_CONNECT) {
      peer.reset(); // a mesh host takes no inbound connections
      return true;
    }
    if (type === EventType.EVENT_DISCONNECT) return this.meshPeerGone(key);
    if (packet && peer === this.peers.get(key)) this.store(key, packet);
    return true;
  }

  private meshPeerGone(key: number): boolean {
    this.dropHost(key);
    if (this.peers.delete(key)) this.emit('peer_disconnected', key);
    return false;
  }

  /**
   * Godot's _disconnect_inactive_peers (peers reset or disconnected-now behind our back are
   * reported and forgotten), then a client without its server closes. False when closed.
   */
  private reapInactivePeers(): boolean {
    const gone = [...this.peers].filter(([, p]) => !p.isActive()).map(([id]) => id);
    const gen = this.generation;
    for (const id of gone) {
      if (gen !== this.generation) return false;
      this.peers.delete(id);
      if (this.role === 'mesh') this.dropHost(id);
      if (this.role === 'client' && id !== 1) continue;
      this.emit('peer_disconnected', id);
    }
    if (gen !== this.generation) return false;
    if (this.role === 'client' && !this.peers.has(1)) {
      this.close();
      return false;
    }
    return true;
  }

  /** A received packet: to the Node form when it listens, else to the getPacket() queue. */
  private store(from: number, packet: ReceivedPacket): void {
    const p: MultiplayerPacket = { peer: from, data: packet.data, channel: packetChannel(packet.channel), mode: packetMode(packet.flags) };
    if (!this.deliverPacket(p)) this.incoming.push(p);
  }

  // ---- internals --------------------------------------------------------------------------------
  private isActive(): boolean {
    return this.role !== 'none';
  }

  private front(): MultiplayerPacket | undefined {
    if (!this.isActive()) return this.fail(undefined, "The multiplayer instance isn't currently active.");
    return this.incoming[0] ?? this.fail(undefined, 'No incoming packets available.');
  }

  private newHost(): ENetConnection {
    this.retirer.finish();
    return new ENetConnection({ platform: this.platform, godot: this.godot });
  }

  /** Runs an async host creation; a close() meanwhile makes it FAILED. The host is destroyed on failure. */
  private async creatingHost(host: ENetConnection, create: () => Promise<Error>): Promise<Error> {
    this.creating = true;
    const gen = this.generation;
    let err: Error;
    try {
      err = await create();
    } finally {
      this.creating = false;
    }
    if (err === Error.OK && gen !== this.generation) err = Error.FAILED;
    if (err !== Error.OK && host.enetHost) host.destroy();
    return err;
  }

  private addHost(key: number, host: ENetConnection): void {
    this.hosts.set(key, host);
    if (this.nodeMode) this.hostListeners.attach(key, host);
  }

  /** Forgets host `key`: flushed now, destroyed on the next timer turn (HostRetirer). */
  private dropHost(key: number): void {
    const host = this.hosts.get(key);
    if (!host) return;
    this.hosts.delete(key);
    this.hostListeners.detach(host);
    this.retirer.retire(host);
  }

  private log(level: 'debug' | 'warn', message: string, fields?: LogFields): void {
    this.platform.logger.log(level, `ENetMultiplayerPeer: ${message}`, fields);
  }
}
