/**
 * The relay core for Godot 4 clients: an {@link ENetMultiplayerPeer} server (peer 1) feeding a
 * {@link SceneRelayServer}, with rooms chosen in SceneMultiplayer's auth exchange.
 *
 * Per client:
 * 1. ENet CONNECT admitted by ENetMultiplayerPeer (id ≥ 2, unused) → `lobby`: pending in the
 *    SceneMultiplayer relay (it runs with an auth validator, so no one is admitted unasked).
 * 2. A Godot game with an `auth_callback` sends `[07][00]room:<name>` (room-auth.ts): the
 *    validator joins the room (or refuses: `error:<reason>`, then disconnect) and answers
 *    `ok:<name>` + the `[07][00]` completion; the client's own `[07][00]` admits it.
 *    A game without an `auth_callback` is admitted by Godot at once and never sends AUTH
 *    (godot-wire.md §6.7): its first non-AUTH packet, or `admitWindowMs` of silence, puts it
 *    in the default room — the relay completes for both sides (the `[07][00]` it sends is
 *    ignored by such a client as a late confirmation). A room request arriving after that
 *    (e.g. delayed by loss) moves the peer to the room it asked for.
 * 3. Admitted: ADD_PEER/DEL_PEER and RELAY limited to the room (SceneRelayServer's `canSee`),
 *    path-cache messages answered in the CONFIRM_PATH format of `config.godot.version`, and
 *    everything a client may not send dropped and counted by reason.
 *
 * Sends go straight to the ENet peers with the channel and flags of their transfer mode
 * (enet-multiplayer-protocol.ts, as ENetMultiplayerPeer.put_packet would) and leave in the
 * datagrams of the current event-loop turn — Godot flushes after every packet instead.
 */
import { Error as GodotErr } from '../../core/error.js';
import type { ENetConnection } from '../../modules/enet/enet-connection.js';
import { ENetMultiplayerPeer } from '../../modules/enet/enet-multiplayer-peer.js';
import { sendRoute } from '../../modules/enet/enet-multiplayer-protocol.js';
import type { TransferMode } from '../../multiplayer/multiplayer-peer.js';
import { encodeAuth } from '../../multiplayer/scene/scene-multiplayer-protocol.js';
import { SceneRelayServer } from '../../multiplayer/scene/scene-relay-server.js';
import {
  DROP_REASONS, RELIABLE, roomsBy, type AuthDecision, type SceneRelayAction,
} from '../../multiplayer/scene/scene-relay-types.js';
import { parseSceneVersion, type SceneGodotVersion } from '../../multiplayer/scene/scene-version.js';
import type { Logger, Platform, TimerHandle } from '../../platform/platform.js';
import { COMPRESSION_MODES, type ServerConfig } from '../config.js';
import type { RoomSnapshot } from '../core.js';
import {
  encodeRoomAccepted, encodeRoomRefused, parseRoomRequest, ROOM_REFUSALS, type RoomRefusal,
} from './room-auth.js';
import { RoomDirectory } from './room-directory.js';
import { enableServerDtls, loadDtlsServerOptions } from './dtls-credentials.js';
import { isConnected, RelayCoreBase, type PeerRecord } from './relay-core-base.js';
import { FramePacer } from './frame-pacer.js';
import { resolveRelayOptions, type RelayCoreOptions } from './relay-options.js';

const AUTH_COMPLETE = Uint8Array.of(7, 0);
const SYS = 7;
const SYS_AUTH = 0;

type Stage = 'lobby' | 'auth' | 'admitted';

interface Godot4Peer extends PeerRecord {
  stage: Stage;
  /** Put in the default room without asking (no auth payload seen before admission). */
  defaulted: boolean;
  /** Sent to the peer right before the relay disconnects it (`error:<reason>`). */
  farewell: Uint8Array | null;
  /** Why the relay disconnects it, for the log. */
  leaveReason: string | null;
}

function isAuth(data: Uint8Array): boolean {
  return data.length >= 2 && (data[0]! & 7) === SYS && data[1] === SYS_AUTH;
}

/**
 * Every reason this core counts, shown at 0 in /metrics from the start: the SceneMultiplayer
 * relay's, room refusals, auth timeouts and sends to a channel the client did not open.
 */
export const GODOT4_DROP_REASONS: readonly string[] = [...DROP_REASONS, ...ROOM_REFUSALS, 'auth-timeout', 'channel-unavailable'];

export class Godot4RelayCore extends RelayCoreBase {
  readonly name = 'godot4-scene-relay';
  readonly dropReasons = GODOT4_DROP_REASONS;
  readonly godotVersion: SceneGodotVersion;
  private readonly options: Required<RelayCoreOptions>;
  private readonly mp: ENetMultiplayerPeer;
  private readonly relay: SceneRelayServer;
  private readonly rooms: RoomDirectory;
  private tickTimer: TimerHandle | null = null;
  private serviceTimer: TimerHandle | null = null;
  /** Keeps the frames serviceIntervalMs apart, start to start, as Godot's main loop. */
  private readonly pacer: FramePacer;
  private host: ENetConnection | null = null;

  constructor(config: ServerConfig, platform: Platform, logger: Logger, options: RelayCoreOptions = {}) {
    super(config, platform, logger);
    if (config.godot.major !== 4) throw new Error(`Godot4RelayCore needs --godot 4.x, got ${config.godot.version}`);
    parseSceneVersion(config.godot.version); // throws on a bad version
    this.godotVersion = config.godot.version as SceneGodotVersion;
    this.options = resolveRelayOptions(options);
    this.pacer = new FramePacer(Math.max(1, this.options.serviceIntervalMs));
    this.rooms = new RoomDirectory({
      roomSize: config.roomSize, maxRooms: config.maxRooms,
      onOpen: (room) => this.emit({ type: 'room_opened', room }),
      onClose: (room) => this.emit({ type: 'room_closed', room }),
    });
    this.relay = new SceneRelayServer({
      godotVersion: this.godotVersion,
      authValidator: (id, payload) => this.validate(id, payload),
      authTimeoutMs: this.options.authTimeoutMs,
      canSee: roomsBy((id) => this.rooms.roomOf(id)),
      onDrop: (reason, from) => this.drop(reason, from),
    });
    this.mp = new ENetMultiplayerPeer({ platform });
  }

  /** The SceneMultiplayer relay state machine (tests, diagnostics). */
  get sceneRelay(): SceneRelayServer {
    return this.relay;
  }

  // ---- lifecycle ---------------------------------------------------------------------------------
  protected async open(): Promise<void> {
    const c = this.config;
    const tls = loadDtlsServerOptions(c); // before binding: a bad file fails the start cleanly
    const mp = this.mp;
    mp.setBindIp(c.bind);
    mp.on('peer_connected', (id) => this.onConnected(id));
    mp.on('peer_disconnected', (id) => this.onDisconnected(id));
    // Node mode (every datagram handled as it arrives), or Godot's frame model (service()).
    if (this.options.serviceIntervalMs === 0) mp.on('packet', (from, data, channel, mode) => this.onPacket(from, data, mode, channel));
    // One ENet slot beyond max-clients, so a client over the limit is told instead of ignored.
    const slots = Math.min(4095, c.maxClients + 1);
    const err = await mp.createServer(c.port, slots, 0, c.inBandwidth, c.outBandwidth);
    if (err !== GodotErr.OK) {
      throw new Error(`cannot listen on UDP ${c.bind}:${c.port} (${GodotErr[err] ?? err}: port in use or address not available)`);
    }
    const host = mp.getHost();
    if (!host) throw new Error('ENet host missing after createServer');
    this.host = host;
    // As a Godot 4 server script does: peer.host.dtls_server_setup(…) right after create_server,
    // before any datagram is serviced (they arrive in later event-loop turns).
    if (tls) enableServerDtls(host, tls);
    const mode = COMPRESSION_MODES[c.compression];
    if (mode !== 0 && host.compress(mode) !== GodotErr.OK) throw new Error(`compression ${c.compression} is unavailable`);
    this.listen = { address: host.getLocalAddress() || c.bind, port: host.getLocalPort() };
    if (this.options.serviceIntervalMs > 0) this.scheduleService();
  }

  protected beginStop(): void {
    this.clearTick();
    this.mp.setRefuseNewConnections(true);
    for (const rec of this.peers.values()) {
      (rec as Godot4Peer).leaveReason ??= 'server stopping';
      this.disconnectLater(rec);
    }
  }

  protected shutdownTransport(): void {
    this.clearTick();
    if (this.serviceTimer) this.platform.timers.clearTimeout(this.serviceTimer);
    this.serviceTimer = null;
    this.mp.close();
  }

  protected enetHost(): ENetConnection | null {
    return this.host;
  }

  protected roomSnapshots(): RoomSnapshot[] {
    return this.rooms.list().map((r) => ({ id: r.id, capacity: this.rooms.roomSize, peers: r.peers }));
  }

  // ---- ENet side -----------------------------------------------------------------------------------
  private onConnected(id: number): void {
    const enet = this.mp.getPeer(id);
    if (!enet) return;
    const rec: Godot4Peer = Object.assign(this.addPeer(id, enet), {
      stage: 'lobby' as Stage, defaulted: false, farewell: null, leaveReason: null,
    });
    if (this.isStopping) return this.refuse(rec, 'server stopping', null);
    if (this.activePeers() > this.config.maxClients) {
      this.drop('server-full', id);
      return this.refuse(rec, 'server-full', encodeRoomRefused('server-full'));
    }
    this.run(this.relay.peerConnected(id, this.platform.clock.now()));
    this.armTick();
  }

  private onDisconnected(id: number): void {
    const rec = this.peers.get(id) as Godot4Peer | undefined;
    if (!rec) return;
    this.run(this.relay.peerDisconnected(id));
    this.rooms.leave(id);
    this.removePeer(rec, rec.leaveReason ?? 'disconnected');
  }

  private onPacket(from: number, data: Uint8Array, mode: TransferMode, channel: number): void {
    const rec = this.peers.get(from) as Godot4Peer | undefined;
    if (!rec) return;
    this.countIn(rec, data.length);
    if (rec.leaving || this.isStopping) return;
    if (rec.stage === 'lobby' && !isAuth(data)) {
      // No auth_callback on that client: Godot admitted us at once and is talking already.
      if (!this.admitDefault(rec, false)) return;
    } else if (rec.stage === 'lobby' && data.length === 2) {
      // It completed without naming a room: default room.
      this.run(this.relay.handlePacket(from, data, mode, channel));
      this.admitDefault(rec, true);
      return;
    } else if (rec.stage === 'admitted' && data.length > 2 && isAuth(data) && rec.defaulted) {
      return this.lateRoomRequest(rec, data.subarray(2));
    }
    this.run(this.relay.handlePacket(from, data, mode, channel));
  }

  /** Peers not on their way out. */
  private activePeers(): number {
    let n = 0;
    for (const p of this.peers.values()) if (!p.leaving) n++;
    return n;
  }

  // ---- rooms -----------------------------------------------------------------------------------------
  /** The relay's auth_callback: a pending client's `[07][00][payload]`. */
  private validate(id: number, payload: Uint8Array): AuthDecision {
    const rec = this.peers.get(id) as Godot4Peer | undefined;
    if (!rec || rec.stage !== 'lobby') return { kind: 'continue' }; // a second request: ignored
    const req = parseRoomRequest(payload);
    const result = req.ok ? this.rooms.join(id, req.room) : req.reason;
    if (result !== 'ok') return this.refusal(rec, result);
    rec.stage = 'auth';
    rec.room = req.ok ? req.room : null;
    return { kind: 'accept', reply: encodeRoomAccepted(rec.room ?? '') };
  }

  private refusal(rec: Godot4Peer, reason: RoomRefusal): AuthDecision {
    this.drop(reason, rec.id);
    rec.farewell = encodeRoomRefused(reason);
    rec.leaveReason = reason;
    return { kind: 'reject' };
  }

  /** Admits `rec` to the default room, completing auth for both sides. False when refused. */
  private admitDefault(rec: Godot4Peer, clientCompleted: boolean): boolean {
    const room = this.options.defaultRoom;
    const joined = this.rooms.join(rec.id, room);
    if (joined !== 'ok') {
      this.drop(joined, rec.id);
      rec.leaveReason = joined;
      this.relay.disconnectPeer(rec.id);
      this.run(this.relay.takeActions());
      return false;
    }
    rec.stage = 'auth';
    rec.room = room;
    rec.defaulted = true;
    this.relay.completeAuth(rec.id);
    // handlePacket hands out completeAuth's actions too.
    this.run(clientCompleted ? this.relay.takeActions() : this.relay.handlePacket(rec.id, AUTH_COMPLETE, RELIABLE, 0));
    return true;
  }

  /** A room request from a peer already put in the default room: move it. */
  private lateRoomRequest(rec: Godot4Peer, payload: Uint8Array): void {
    rec.defaulted = false; // one late request per peer; later ones are 'late-auth'
    const req = parseRoomRequest(payload);
    const result = req.ok ? this.rooms.join(rec.id, req.room) : req.reason;
    if (result !== 'ok') {
      this.drop(result, rec.id);
      this.send(rec, encodeRoomRefused(result), RELIABLE, 0, true);
      rec.leaveReason = result;
      this.relay.disconnectPeer(rec.id);
      this.run(this.relay.takeActions());
      return;
    }
    rec.room = req.ok ? req.room : rec.room;
    this.send(rec, encodeAuth(encodeRoomAccepted(rec.room ?? '')), RELIABLE, 0);
    this.relay.refreshVisibility(rec.id);
    this.run(this.relay.takeActions());
  }

  // ---- the relay's actions ---------------------------------------------------------------------------
  private run(actions: SceneRelayAction[]): void {
    for (const a of actions) {
      switch (a.type) {
        case 'send': {
          const rec = this.peers.get(a.to);
          if (rec) this.send(rec, a.bytes, a.mode, a.channel);
          break;
        }
        case 'disconnect': {
          const rec = this.peers.get(a.peer) as Godot4Peer | undefined;
          if (rec) this.refuse(rec, rec.leaveReason ?? 'disconnected by the relay', rec.farewell);
          break;
        }
        case 'peer_connected': {
          const rec = this.peers.get(a.peer) as Godot4Peer | undefined;
          if (rec) {
            rec.stage = 'admitted';
            this.admitted(rec);
          }
          break;
        }
        case 'peer_authentication_failed':
          if (a.reason === 'timeout') {
            this.drop('auth-timeout', a.peer);
            const rec = this.peers.get(a.peer) as Godot4Peer | undefined;
            if (rec) rec.leaveReason = 'auth-timeout';
          }
          break;
        default:
          break; // peer_authenticating; RPCs, RAW and replication for the server: a relay has no scene
      }
    }
  }

  /** Disconnects `rec` gracefully after sending `farewell` (an auth payload) if given. */
  private refuse(rec: Godot4Peer, reason: string, farewell: Uint8Array | null): void {
    if (rec.leaving) return;
    rec.leaveReason ??= reason;
    this.rooms.leave(rec.id);
    if (farewell) this.send(rec, encodeAuth(farewell), RELIABLE, 0, true);
    this.disconnectLater(rec);
  }

  /** One packet to a client, on the ENet channel and flags of its transfer mode and channel. */
  private send(rec: PeerRecord, bytes: Uint8Array, mode: TransferMode, channel: number, force = false): void {
    if ((rec.leaving && !force) || !isConnected(rec.enet)) return;
    const route = sendRoute(mode, channel);
    if (route.channel >= rec.enet.getChannels()) {
      this.drop('channel-unavailable', rec.id);
      return;
    }
    if (rec.enet.send(route.channel, bytes, route.flags) === GodotErr.OK) this.countOut(rec, bytes.length);
  }

  // ---- the frame loop (serviceIntervalMs > 0) -----------------------------------------------------
  /**
   * One frame, as Godot's SceneMultiplayer runs it on a server: poll the ENet host (connects,
   * disconnects, every received packet queued), relay everything received, then flush once —
   * so the copies for one client leave together, however many packets came in since the last
   * frame, instead of one datagram per received packet.
   */
  private service(): void {
    this.serviceTimer = null;
    if (this.isClosed) return;
    this.pacer.frameStarting(this.platform.clock.now());
    const mp = this.mp;
    mp.poll();
    while (mp.getAvailablePacketCount() > 0) {
      const from = mp.getPacketPeer();
      const channel = mp.getPacketChannel();
      const mode = mp.getPacketMode();
      this.onPacket(from, mp.getPacket(), mode, channel);
    }
    this.host?.flush();
    this.scheduleService();
  }

  private scheduleService(): void {
    if (this.serviceTimer || this.isClosed) return;
    const ms = this.peers.size > 0 ? this.pacer.delayAfterFrame(this.platform.clock.now()) : this.pacer.idleDelay();
    this.serviceTimer = this.platform.timers.setTimeout(() => this.service(), ms);
  }

  // ---- time ------------------------------------------------------------------------------------------
  /** Checks pending peers (admit window, auth timeout) every tickMs while there are any. */
  private armTick(): void {
    if (this.tickTimer || this.isClosed) return;
    this.tickTimer = this.platform.timers.setTimeout(() => {
      this.tickTimer = null;
      this.tick();
    }, this.options.tickMs);
  }

  private tick(): void {
    if (this.status !== 'running') return;
    const now = this.platform.clock.now();
    let pending = false;
    for (const rec of [...this.peers.values()] as Godot4Peer[]) {
      if (rec.stage !== 'lobby' || rec.leaving) continue;
      if (rec.connectedAt + this.options.admitWindowMs <= now) this.admitDefault(rec, false);
      else pending = true;
    }
    this.run(this.relay.tick(now));
    if (pending || this.relay.getAuthenticatingPeerIds().length > 0) this.armTick();
  }

  private clearTick(): void {
    if (this.tickTimer) this.platform.timers.clearTimeout(this.tickTimer);
    this.tickTimer = null;
  }
}
