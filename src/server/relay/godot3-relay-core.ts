/**
 * The relay core for Godot 3.2 clients (`gdwire serve --godot 3`): the server side of Godot
 * 3.2's NetworkedMultiplayerENet with server relay, on an {@link ENetConnection} — admission by
 * the id in the ENet CONNECT data, ADD_PEER / REMOVE_PEER notices on channel 0, packets
 * forwarded by the target in their 8-byte header with the same channel, flags and bytes
 * (godot-wire.md §5.2, §9). The wire format and the routing rule are NetworkedMultiplayerENet's
 * own (networked-protocol.ts: decodeHeader, serverRoute, encodeSysMsg); only the driving
 * differs: one frame every `serviceIntervalMs` services the host, relays everything that came in
 * and sends once (Godot's frame model), and every packet is counted per peer as it is relayed.
 *
 * One room (`defaultRoom`, capacity `maxClients`): 3.2 has no authentication exchange in which a
 * client could name one, and its relay announces every peer to every other.
 *
 * Refused packets, counted by reason: `server-only-command` (a client wrote on channel 0),
 * `malformed` (shorter than the header), `forged-source` (header source ≠ the sender's id),
 * `unknown-target`; refused connections: `bad-peer-id` (id < 2 or in use: reset, as Godot).
 */
import { Error as GodotErr } from '../../core/error.js';
import { ENetConnection, EventType } from '../../modules/enet/enet-connection.js';
import type { ENetPacketPeer } from '../../modules/enet/enet-packet-peer.js';
import {
  decodeHeader, encodeSysMsg, serverRoute, SYSCH_CONFIG, SYSCH_MAX, SysMsg,
} from '../../modules/enet/networked-protocol.js';
import { shareBytes, type SharedBytes } from '../../enet/bytes.js';
import { PacketFlag } from '../../enet/types.js';
import type { Logger, Platform, TimerHandle } from '../../platform/platform.js';
import { COMPRESSION_MODES, type ServerConfig } from '../config.js';
import type { RoomSnapshot } from '../core.js';
import { isConnected, RelayCoreBase, type PeerRecord } from './relay-core-base.js';
import { resolveRelayOptions, type RelayCoreOptions } from './relay-options.js';
import { enableServerDtls, loadDtlsServerOptions } from './dtls-credentials.js';
import { FramePacer } from './frame-pacer.js';

/** Events taken from the host in one frame (a bound; Godot drains them all). */
const MAX_EVENTS_PER_FRAME = 1 << 16;

/** Every reason this core counts (see the file comment), shown at 0 in /metrics from the start. */
export const GODOT3_DROP_REASONS: readonly string[] = ['server-only-command', 'malformed', 'forged-source', 'unknown-target', 'bad-peer-id'];

export class Godot3RelayCore extends RelayCoreBase {
  readonly name = 'godot3-enet-relay';
  readonly dropReasons = GODOT3_DROP_REASONS;
  private readonly room: string;
  /** Keeps the frames serviceIntervalMs apart, start to start, as Godot's main loop. */
  private readonly pacer: FramePacer;
  private readonly conn: ENetConnection;
  private readonly idOf = new Map<ENetPacketPeer, number>();
  private frameTimer: TimerHandle | null = null;

  constructor(config: ServerConfig, platform: Platform, logger: Logger, options: RelayCoreOptions = {}) {
    super(config, platform, logger);
    if (config.godot.major !== 3) throw new Error(`Godot3RelayCore needs --godot 3, got ${config.godot.version}`);
    const o = resolveRelayOptions(options);
    this.room = o.defaultRoom;
    this.pacer = new FramePacer(Math.max(1, o.serviceIntervalMs));
    this.conn = new ENetConnection({ platform, godot: 3 });
  }

  // ---- lifecycle ---------------------------------------------------------------------------------
  protected async open(): Promise<void> {
    const c = this.config;
    const tls = loadDtlsServerOptions(c); // before binding: a bad file fails the start cleanly
    // NetworkedMultiplayerENet.create_server: max_clients slots, 3 channels, the bandwidths.
    const err = await this.conn.createHostBound(c.bind, c.port, c.maxClients, SYSCH_MAX, c.inBandwidth, c.outBandwidth);
    if (err !== GodotErr.OK) {
      throw new Error(`cannot listen on UDP ${c.bind}:${c.port} (${GodotErr[err] ?? err}: port in use or address not available)`);
    }
    // NetworkedMultiplayerENet.create_server with use_dtls: enet_host_dtls_server_setup(key, cert).
    if (tls) enableServerDtls(this.conn, tls);
    const mode = COMPRESSION_MODES[c.compression];
    if (mode !== 0 && this.conn.compress(mode) !== GodotErr.OK) throw new Error(`compression ${c.compression} is unavailable`);
    this.listen = { address: this.conn.getLocalAddress() || c.bind, port: this.conn.getLocalPort() };
    this.scheduleFrame();
  }

  protected beginStop(): void {
    this.conn.refuseNewConnections(true);
    for (const rec of this.peers.values()) this.disconnectLater(rec);
  }

  protected shutdownTransport(): void {
    if (this.frameTimer) this.platform.timers.clearTimeout(this.frameTimer);
    this.frameTimer = null;
    if (!this.conn.enetHost) return;
    // close_connection: DISCONNECT (data = our id, 1) to whoever is left, flushed; the socket
    // closes one timer turn later so those datagrams leave.
    for (const rec of this.peers.values()) if (rec.enet.isActive()) rec.enet.peerDisconnectNow(1);
    this.conn.flush();
    const conn = this.conn;
    this.platform.timers.setTimeout(() => { if (conn.enetHost) conn.destroy(); }, 1);
  }

  protected enetHost(): ENetConnection | null {
    return this.conn.enetHost ? this.conn : null;
  }

  protected roomSnapshots(): RoomSnapshot[] {
    const peers = [...this.peers.keys()];
    return peers.length === 0 ? [] : [{ id: this.room, capacity: this.config.maxClients, peers }];
  }

  // ---- the frame ---------------------------------------------------------------------------------
  /** Services the host until it has nothing more, relaying as packets come; then sends once. */
  private frame(): void {
    this.frameTimer = null;
    if (this.isClosed) return;
    this.pacer.frameStarting(this.platform.clock.now());
    const conn = this.conn;
    for (let i = 0; i < MAX_EVENTS_PER_FRAME && !this.isClosed; i++) {
      const [type, peer, data, channel] = conn.service();
      if (type === EventType.EVENT_NONE || !peer) break;
      if (type === EventType.EVENT_CONNECT) this.onConnect(peer, data);
      else if (type === EventType.EVENT_DISCONNECT) this.onDisconnect(peer);
      else if (type === EventType.EVENT_RECEIVE) {
        const flags = peer.getPacketFlags();
        this.onReceive(peer, peer.getPacket(), channel, flags);
      }
    }
    if (this.isClosed) return;
    conn.flush();
    this.scheduleFrame();
  }

  private scheduleFrame(): void {
    if (this.frameTimer || this.isClosed) return;
    const ms = this.peers.size > 0 ? this.pacer.delayAfterFrame(this.platform.clock.now()) : this.pacer.idleDelay();
    this.frameTimer = this.platform.timers.setTimeout(() => this.frame(), ms);
  }

  // ---- ENet events (NetworkedMultiplayerENet::poll, server side) ---------------------------------
  private onConnect(enet: ENetPacketPeer, data: number): void {
    const id = data | 0;
    if (this.isStopping || id < 2 || this.peers.has(id)) {
      // Godot resets refused connections silently (the client times out).
      enet.reset();
      if (!this.isStopping) this.drop('bad-peer-id', 0);
      return;
    }
    const first = this.peers.size === 0;
    const rec = this.addPeer(id, enet);
    rec.room = this.room;
    this.idOf.set(enet, id);
    if (first) this.emit({ type: 'room_opened', room: this.room });
    this.admitted(rec);
    // server_relay: the newcomer learns every peer, every peer learns the newcomer.
    for (const other of this.peers.values()) {
      if (other === rec) continue;
      this.send(rec, SYSCH_CONFIG, encodeSysMsg(SysMsg.ADD_PEER, other.id), PacketFlag.RELIABLE);
      this.send(other, SYSCH_CONFIG, encodeSysMsg(SysMsg.ADD_PEER, id), PacketFlag.RELIABLE);
    }
  }

  private onDisconnect(enet: ENetPacketPeer): void {
    const id = this.idOf.get(enet);
    const rec = id === undefined ? undefined : this.peers.get(id);
    if (!rec) return;
    this.idOf.delete(enet);
    const notice = encodeSysMsg(SysMsg.REMOVE_PEER, rec.id);
    for (const other of this.peers.values()) if (other !== rec) this.send(other, SYSCH_CONFIG, notice, PacketFlag.RELIABLE);
    if (this.peers.size === 1) this.emit({ type: 'room_closed', room: this.room });
    this.removePeer(rec, this.isStopping ? 'server stopping' : 'disconnected');
  }

  /** One packet from a client: relayed by its header's target (the server's own are dropped). */
  private onReceive(enet: ENetPacketPeer, packet: Uint8Array, channel: number, flags: number): void {
    const id = this.idOf.get(enet);
    const rec = id === undefined ? undefined : this.peers.get(id);
    if (!rec) return;
    this.countIn(rec, packet.length);
    if (rec.leaving) return;
    if (channel === SYSCH_CONFIG) return this.drop('server-only-command', rec.id);
    const header = decodeHeader(packet);
    if (!header) return this.drop('malformed', rec.id);
    if (header.source !== rec.id) return this.drop('forged-source', rec.id);
    const route = serverRoute(rec.id, header.target, true);
    if (route.drop !== undefined || route.forward === 'none') return; // for the server itself
    // Same channel, same flags, the bytes unchanged (header included).
    const sendFlags = flags & (PacketFlag.RELIABLE | PacketFlag.UNSEQUENCED);
    if (route.forward === 'one') {
      const to = this.peers.get(route.peer);
      if (!to) return this.drop('unknown-target', rec.id);
      this.send(to, channel, packet, sendFlags);
      return;
    }
    // One copy shared by every recipient, queued without ENet's per-peer copy (as
    // NetworkedMultiplayerENet's relay does: networked-session.ts).
    const shared = shareBytes(packet); // in a slab: a peer's queued copies share one buffer
    for (const to of this.peers.values()) {
      if (!route.except.includes(to.id)) this.send(to, channel, packet, sendFlags, shared);
    }
  }

  /**
   * enet_peer_send as Godot uses it here: peers not connected (or with fewer channels) are
   * skipped. `shared`: `data` never changes afterwards and is queued without a copy.
   */
  private send(to: PeerRecord, channel: number, data: Uint8Array, flags: number, shared: SharedBytes | null = null): void {
    if (to.leaving || !isConnected(to.enet) || channel >= to.enet.getChannels()) return;
    const err = shared
      ? to.enet.sendShared(channel, shared.buffer, shared.offset, shared.length, flags)
      : to.enet.send(channel, data, flags);
    if (err === GodotErr.OK) this.countOut(to, data.length);
  }
}
