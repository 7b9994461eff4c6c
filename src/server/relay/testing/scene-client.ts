/**
 * A Godot 4 client as the relay sees one: an {@link ENetMultiplayerPeer} client under the
 * client side of SceneMultiplayer (modules/multiplayer/scene_multiplayer.cpp poll/_process_sys,
 * scene_cache_interface.cpp) — auth with the relay, ADD_PEER/DEL_PEER, RELAY both ways,
 * SIMPLIFY_PATH → CONFIRM_PATH in the format of its Godot version, RAW and RPC packets. Built
 * only from gdwire's codecs (src/multiplayer/scene), for the relay's tests and load generators.
 *
 * What it does, as Godot does it:
 * - `auth: null` — no auth_callback: the relay (peer 1) is admitted on connection.
 * - `auth: { room, style: 'wait' }` — send_auth(1, "room:<room>") on peer_authenticating(1),
 *   complete_auth(1) when the answer starts with `ok:`. `style: 'immediate'` completes right
 *   after sending; `'never'` never completes (to provoke an auth timeout). While the relay is
 *   pending only `[07][00]…` is accepted; once locally complete the first packet from the
 *   relay admits it (Godot's poll()).
 * - `send(to, inner)` is Godot's send_command: to 1 directly, anything else wrapped in
 *   `[07][03][i32 to]` for the relay. Received RELAYs (only from 1) are processed as packets
 *   of their source; SIMPLIFY_PATH is confirmed to its sender.
 * Everything observable lands in {@link SceneClient.log} (one line per event) and
 * {@link SceneClient.received}.
 */
import { Error } from '../../../core/error.js';
import { ENetMultiplayerPeer } from '../../../modules/enet/enet-multiplayer-peer.js';
import { TransferMode } from '../../../multiplayer/multiplayer-peer.js';
import { decodeConfirmPath, decodeSimplifyPath, encodeConfirmPath, encodeSimplifyPath } from '../../../multiplayer/scene/scene-cache-interface.js';
import {
  commandOf, decodeRaw, decodeSys, encodeAuth, encodeRaw, encodeRelay, NetworkCommand, SysCommand,
} from '../../../multiplayer/scene/scene-multiplayer-protocol.js';
import { decodeRpc, type RpcPacket } from '../../../multiplayer/scene/scene-rpc-interface.js';
import { pathCacheFormatOf, type PathCacheFormat } from '../../../multiplayer/scene/scene-version.js';
import type { TLSOptions } from '../../../core/crypto/tls-options.js';
import type { Platform } from '../../../platform/platform.js';
import { encodeRoomRequest, parseRoomAnswer } from '../room-auth.js';

const RELIABLE = TransferMode.TRANSFER_MODE_RELIABLE;
const decoder = new TextDecoder();
const text = (b: Uint8Array): string => decoder.decode(b);
/** A made-up RPC checksum (32 hex chars); a relay never checks it. */
export const TEST_CHECKSUM = '0123456789abcdef0123456789abcdef';

export interface SceneClientOptions {
  platform: Platform;
  /** null: no auth_callback. Otherwise the room to ask for (or raw `payload` bytes) and when to complete. */
  auth?: { room?: string; payload?: Uint8Array; style?: 'wait' | 'immediate' | 'never' } | null;
  /** Godot release: the CONFIRM_PATH format it sends and expects (default '4.3'). */
  godotVersion?: string;
  name?: string;
  /**
   * DTLS over ENet, as a Godot 4 game enables it: `peer.host.dtls_client_setup(hostname,
   * options)` right after create_client. Absent: plain ENet.
   */
  dtls?: { hostname: string; options: TLSOptions };
}

export interface Received {
  /** The original sender (the RELAY's source, or 1). */
  from: number;
  kind: 'raw' | 'rpc' | 'simplify' | 'confirm' | 'other';
  data: Uint8Array;
  mode: TransferMode;
  channel: number;
  rpc?: RpcPacket;
}

export class SceneClient {
  readonly mp: ENetMultiplayerPeer;
  readonly name: string;
  readonly format: PathCacheFormat;
  /** Events in order: `connected_to_server`, `peer_connected 123`, `auth ok:lobby`, `error …` … */
  readonly log: string[] = [];
  readonly received: Received[] = [];
  /** Peers announced by the relay (ADD_PEER minus DEL_PEER). */
  readonly peers = new Set<number>();
  /** Path caches the other peers announced to this one: sender → cache id → path. */
  readonly remoteCaches = new Map<number, Map<number, string>>();
  /** Cache ids of this client each peer confirmed. */
  readonly confirmed = new Map<number, Set<number | string>>();
  /** Called for each received packet after it was recorded (load generators). */
  onReceive: ((r: Received) => void) | null = null;
  /** Keep received packets in {@link received} (default true; load generators turn it off). */
  keepReceived = true;
  private readonly auth: SceneClientOptions['auth'];
  private readonly dtls: SceneClientOptions['dtls'];
  private pending: { local: boolean; remote: boolean } | null = null;
  private admitted = false;
  private myId = 0;

  constructor(options: SceneClientOptions) {
    this.name = options.name ?? 'client';
    this.auth = options.auth ?? null;
    this.dtls = options.dtls;
    this.format = pathCacheFormatOf(options.godotVersion ?? '4.3');
    this.mp = new ENetMultiplayerPeer({ platform: options.platform });
    this.mp.on('peer_connected', (id) => { if (id === 1) this.serverConnected(); });
    this.mp.on('peer_disconnected', (id) => { if (id === 1) this.serverGone(); });
    this.mp.on('packet', (from, data, channel, mode) => this.handle(from, data, mode, channel));
  }

  async connect(address: string, port: number): Promise<Error> {
    const err = await this.mp.createClient(address, port);
    if (err !== Error.OK) return err;
    this.myId = this.mp.getUniqueId();
    // Same turn as the CONNECT was queued: the first datagram already leaves through DTLS.
    if (this.dtls) return this.mp.getHost()?.dtlsClientSetup(this.dtls.hostname, this.dtls.options) ?? Error.ERR_UNCONFIGURED;
    return Error.OK;
  }

  /** The relay admitted this client and this client admitted the relay. */
  get connected(): boolean {
    return this.admitted;
  }

  /** This client's peer id (kept after it closed). */
  get id(): number {
    return this.myId;
  }

  /** Godot's send_command: to the relay itself (1) or, wrapped in RELAY, to `to` (0 all, −N all but N). */
  send(to: number, inner: Uint8Array, mode: TransferMode = RELIABLE, channel = 0): Error {
    this.mp.setTargetPeer(1);
    this.mp.setTransferMode(mode);
    this.mp.setTransferChannel(channel);
    return this.mp.putPacket(to === 1 ? inner : encodeRelay(to, inner));
  }

  /** Any bytes to the relay as they are (forged or malformed packets in tests). */
  sendRaw(bytes: Uint8Array, mode: TransferMode = RELIABLE, channel = 0): Error {
    this.mp.setTargetPeer(1);
    this.mp.setTransferMode(mode);
    this.mp.setTransferChannel(channel);
    return this.mp.putPacket(bytes);
  }

  /** SceneMultiplayer.send_bytes. */
  sendBytes(data: Uint8Array, to = 0, mode: TransferMode = RELIABLE, channel = 0): Error {
    return this.send(to, encodeRaw(data), mode, channel);
  }

  /** SIMPLIFY_PATH for `path` as cache id `cacheId`, to `to`. */
  simplifyPath(to: number, path: string, cacheId: number): Error {
    return this.send(to, encodeSimplifyPath({ checksum: TEST_CHECKSUM, cacheId, path }));
  }

  close(): void {
    this.mp.close();
  }

  // ---- Godot's client side of SceneMultiplayer ------------------------------------------------------
  private serverConnected(): void {
    if (!this.auth) {
      this.admit();
      return;
    }
    this.pending = { local: false, remote: false };
    this.log.push('peer_authenticating 1');
    const payload = this.auth.payload ?? encodeRoomRequest(this.auth.room ?? '');
    if (payload.length > 0) this.send(1, encodeAuth(payload));
    if (this.auth.style === 'immediate') this.completeAuth();
  }

  private completeAuth(): void {
    if (!this.pending || this.pending.local) return;
    this.pending.local = true;
    this.send(1, encodeAuth());
    if (this.pending.remote) this.admit();
  }

  private admit(): void {
    this.pending = null;
    this.admitted = true;
    this.log.push('connected_to_server');
  }

  private serverGone(): void {
    this.log.push(this.admitted ? 'server_disconnected' : this.pending ? 'peer_authentication_failed 1' : 'connection_failed');
    this.admitted = false;
    this.pending = null;
    for (const p of this.peers) this.log.push(`peer_disconnected ${p}`);
    this.peers.clear();
  }

  private handle(from: number, data: Uint8Array, mode: TransferMode, channel: number): void {
    if (from !== 1 || data.length === 0) return;
    const pending = this.pending;
    if (pending) {
      if (pending.local) {
        this.admit(); // "If the auth is over, admit the peer at the first packet."
      } else {
        if (data.length < 2 || commandOf(data[0]!) !== NetworkCommand.NETWORK_COMMAND_SYS || data[1] !== SysCommand.SYS_COMMAND_AUTH) {
          this.log.push('error not-admitted');
          return;
        }
        if (data.length > 2) {
          this.authCallback(data.subarray(2));
        } else {
          pending.remote = true;
          if (pending.local) this.admit();
        }
        return;
      }
    }
    if (!this.admitted) return;
    if (commandOf(data[0]!) === NetworkCommand.NETWORK_COMMAND_SYS) this.handleSys(data, mode, channel);
    else this.process(1, data, mode, channel);
  }

  private authCallback(payload: Uint8Array): void {
    const answer = parseRoomAnswer(payload);
    this.log.push(`auth ${text(payload)}`);
    if (answer?.ok && (this.auth?.style ?? 'wait') === 'wait') this.completeAuth();
  }

  private handleSys(data: Uint8Array, mode: TransferMode, channel: number): void {
    const d = decodeSys(data);
    if (!d.ok) { this.log.push(`error sys ${d.reason}`); return; }
    const m = d.value;
    switch (m.sys) {
      case SysCommand.SYS_COMMAND_AUTH:
        if (m.payload.length > 0) this.log.push(`error late-auth ${text(m.payload)}`);
        return;
      case SysCommand.SYS_COMMAND_ADD_PEER:
        this.peers.add(m.peerId);
        this.log.push(`peer_connected ${m.peerId}`);
        return;
      case SysCommand.SYS_COMMAND_DEL_PEER:
        if (!this.peers.delete(m.peerId)) this.log.push(`error unknown-peer ${m.peerId}`);
        this.remoteCaches.delete(m.peerId);
        this.confirmed.delete(m.peerId);
        this.log.push(`peer_disconnected ${m.peerId}`);
        return;
      case SysCommand.SYS_COMMAND_RELAY:
        if (!this.peers.has(m.peer) && m.peer !== this.id) this.log.push(`error relay-from-unknown ${m.peer}`);
        this.process(m.peer, m.packet, mode, channel);
    }
  }

  /** `_process_packet` for a packet of `from` (1, or a RELAY's source). */
  private process(from: number, data: Uint8Array, mode: TransferMode, channel: number): void {
    const copy = Uint8Array.from(data);
    const r: Received = { from, kind: 'other', data: copy, mode, channel };
    switch (commandOf(data[0]!)) {
      case NetworkCommand.NETWORK_COMMAND_RAW: {
        const raw = decodeRaw(copy);
        if (raw.ok) { r.kind = 'raw'; r.data = raw.value; }
        break;
      }
      case NetworkCommand.NETWORK_COMMAND_REMOTE_CALL: {
        const rpc = decodeRpc(copy);
        if (rpc.ok) { r.kind = 'rpc'; r.rpc = rpc.value; }
        break;
      }
      case NetworkCommand.NETWORK_COMMAND_SIMPLIFY_PATH: {
        const s = decodeSimplifyPath(copy);
        if (!s.ok) break;
        r.kind = 'simplify';
        let cache = this.remoteCaches.get(from);
        if (!cache) this.remoteCaches.set(from, (cache = new Map()));
        cache.set(s.value.cacheId, s.value.path);
        const confirm = this.format === 'id'
          ? encodeConfirmPath({ format: 'id', valid: true, cacheId: s.value.cacheId })
          : encodeConfirmPath({ format: 'path', valid: true, path: s.value.path });
        this.send(from, confirm);
        break;
      }
      case NetworkCommand.NETWORK_COMMAND_CONFIRM_PATH: {
        const c = decodeConfirmPath(copy, this.format);
        if (!c.ok) { this.log.push(`error confirm ${c.reason}`); break; }
        r.kind = 'confirm';
        const id = c.value.format === 'id' ? c.value.cacheId : c.value.path;
        let set = this.confirmed.get(from);
        if (!set) this.confirmed.set(from, (set = new Set()));
        set.add(id);
        break;
      }
      default:
        break;
    }
    if (this.keepReceived) this.received.push(r);
    this.onReceive?.(r);
  }
}
