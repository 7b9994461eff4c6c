/**
 * A sans-IO SceneMultiplayer server (peer 1) for Godot 4 clients: admission with optional
 * authentication, ADD_PEER/DEL_PEER notices, RELAY forwarding, path-cache confirmations —
 * with a room hook deciding which clients see and reach each other.
 *
 * Sans-IO (KCP style): it never reads a clock or touches a socket. Feed it
 * peerConnected(id, now) / peerDisconnected(id) / handlePacket(from, bytes, mode, channel) /
 * tick(now); each returns the {@link SceneRelayAction}s queued so far, in order — 'send'
 * (put on ENet with that transfer mode and channel), 'disconnect', and events. Godot-style
 * methods (sendAuth, completeAuth, sendBytes, disconnectPeer) return an Error and queue their
 * sends; takeActions() (or the next input call) hands them out.
 *
 * Mirrors godotengine/godot modules/multiplayer/scene_multiplayer.cpp @1e0b41ab as the server
 * runs it: poll() (pending peers may only send AUTH; timeout = `time + auth_timeout <= now`),
 * _add_peer/_admit_peer (for each admitted P: ADD_PEER(new)→P then ADD_PEER(P)→new, reliable,
 * channel 0), _del_peer (DEL_PEER to the rest; a pending peer just fails auth), _process_sys
 * RELAY (target > 0 not connected ⇒ silent drop; else re-wrapped with the real sender and sent
 * with the mode/channel it came with, to the target, or to all but the sender and −target; the
 * server processes the inner packet itself unless target > 0 or target = −1), send_auth /
 * complete_auth (Error codes as Godot), send_bytes; and scene_cache_interface.cpp for
 * SIMPLIFY_PATH → CONFIRM_PATH (sent directly, reliable, channel 0).
 * Intentional differences from Godot (rooms, nested-SYS refusal, bounded path cache, no scene)
 * belong in docs/DEVIATIONS.md; every refusal is counted by {@link DropReason}.
 * Sent buffers may be shared between several 'send' actions (one broadcast): do not mutate them.
 * @see godot-wire.md §6.3, §6.6, §6.7, §6.8
 */
import { Error } from '../../core/error.js';
import type { GodotVersion } from '../../core/variant/variant.js';
import type { TransferMode } from '../multiplayer-peer.js';
import { decodeSimplifyPath, encodeConfirmPath } from './scene-cache-interface.js';
import {
  commandOf, decodeRaw, decodeSys, encodeAddPeer, encodeAuth, encodeDelPeer, encodeRaw,
  encodeRelay, NetworkCommand, SysCommand,
} from './scene-multiplayer-protocol.js';
import {
  DROP_REASONS, RELIABLE, type AuthDecision, type DropReason, type SceneRelayAction,
  type SceneRelayServerOptions,
} from './scene-relay-types.js';
import { decodeRpc } from './scene-rpc-interface.js';
import {
  DEFAULT_SCENE_GODOT_VERSION, pathCacheFormatOf, variantProfileOf, type PathCacheFormat,
} from './scene-version.js';

const SERVER_ID = 1;
const MAX_PEER_ID = 0x7fffffff;
const DEFAULT_AUTH_TIMEOUT_MS = 3000;
const DEFAULT_MAX_CACHED_PATHS = 4096;

interface PendingPeer {
  /** We sent the `[07][00]` completion. */
  local: boolean;
  /** The client sent its `[07][00]` completion. */
  remote: boolean;
  /** peerConnected() time, ms. */
  readonly since: number;
}

interface AdmittedPeer {
  /** Clients this one was told about with ADD_PEER (and can reach). */
  readonly known: Set<number>;
  /** Its path cache as announced to the server: cache id → node path. */
  readonly cache: Map<number, string>;
}

export class SceneRelayServer {
  /** The CONFIRM_PATH format in use (from `godotVersion`, or forced). */
  readonly pathCacheFormat: PathCacheFormat;
  /** Variant profile for RPC arguments: `decodeRpcArgs(ev.rpc, { godot: server.variantProfile })`. */
  readonly variantProfile: GodotVersion;
  private readonly serverRelay: boolean;
  private readonly authTimeoutMs: number;
  private readonly maxCachedPaths: number;
  private readonly pending = new Map<number, PendingPeer>();
  private readonly peers = new Map<number, AdmittedPeer>();
  private actions: SceneRelayAction[] = [];
  private readonly drops: Record<DropReason, number>;

  constructor(private readonly options: SceneRelayServerOptions = {}) {
    this.pathCacheFormat = options.pathCacheFormat
      ?? pathCacheFormatOf(options.godotVersion ?? DEFAULT_SCENE_GODOT_VERSION, options.pathCacheFormatOptions);
    this.variantProfile = variantProfileOf(options.godotVersion ?? DEFAULT_SCENE_GODOT_VERSION);
    this.serverRelay = options.serverRelay ?? true;
    this.authTimeoutMs = options.authTimeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS;
    this.maxCachedPaths = options.maxCachedPaths ?? DEFAULT_MAX_CACHED_PATHS;
    this.drops = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
  }

  // ---- inputs --------------------------------------------------------------------------------

  /** A client connected (ENet CONNECT accepted) at `now` ms. Godot's `_add_peer`. */
  peerConnected(id: number, now: number): SceneRelayAction[] {
    if (!Number.isInteger(id) || id < 2 || id > MAX_PEER_ID || this.pending.has(id) || this.peers.has(id)) {
      this.drop('bad-peer-id', id);
    } else if (this.options.authValidator) {
      this.pending.set(id, { local: false, remote: false, since: now });
      this.actions.push({ type: 'peer_authenticating', peer: id });
    } else {
      this.admit(id);
    }
    return this.takeActions();
  }

  /** A client's connection ended. Godot's `_del_peer`. */
  peerDisconnected(id: number): SceneRelayAction[] {
    if (this.pending.delete(id)) {
      this.actions.push({ type: 'peer_authentication_failed', peer: id, reason: 'disconnected' });
    } else if (this.remove(id)) {
      this.actions.push({ type: 'peer_disconnected', peer: id });
    }
    return this.takeActions();
  }

  /** A packet from client `from`, with the transfer mode and channel it arrived with. */
  handlePacket(from: number, bytes: Uint8Array, mode: TransferMode, channel: number): SceneRelayAction[] {
    const pending = this.pending.get(from);
    const peer = this.peers.get(from);
    if (pending) this.handlePending(from, pending, bytes);
    else if (!peer) this.drop('unknown-sender', from);
    else if (bytes.length === 0) this.drop('malformed', from);
    else if (commandOf(bytes[0]!) === NetworkCommand.NETWORK_COMMAND_SYS) this.handleSys(from, peer, bytes, mode, channel);
    else this.process(from, peer, bytes);
    return this.takeActions();
  }

  /** Time passes: pending clients older than `authTimeoutMs` fail and are disconnected. */
  tick(now: number): SceneRelayAction[] {
    if (this.authTimeoutMs > 0) {
      for (const [id, p] of [...this.pending]) {
        if (p.since + this.authTimeoutMs <= now) this.failAuth(id, 'timeout');
      }
    }
    return this.takeActions();
  }

  /** Everything queued since the last call, in order. */
  takeActions(): SceneRelayAction[] {
    const out = this.actions;
    this.actions = [];
    return out;
  }

  // ---- Godot-style commands ------------------------------------------------------------------

  /** `send_auth`: `[07][00][data]` to a pending client. */
  sendAuth(id: number, data: Uint8Array): Error {
    const p = this.pending.get(id);
    if (!p || data.length === 0) return Error.ERR_INVALID_PARAMETER;
    if (p.local || p.remote) return Error.ERR_FILE_CANT_WRITE;
    this.send(id, encodeAuth(data), RELIABLE, 0);
    return Error.OK;
  }

  /** `complete_auth`: send `[07][00]`; admit the client if it already completed too. */
  completeAuth(id: number): Error {
    const p = this.pending.get(id);
    if (!p) return Error.ERR_INVALID_PARAMETER;
    if (p.local) return Error.ERR_FILE_CANT_WRITE;
    p.local = true;
    this.send(id, encodeAuth(), RELIABLE, 0);
    if (p.remote) {
      this.pending.delete(id);
      this.admit(id);
    }
    return Error.OK;
  }

  /**
   * `send_bytes` from the server: RAW `[03][data]` to `to` (0 = every admitted client, −N = all
   * but N, N = one). ERR_INVALID_DATA when empty; ERR_BUG (as Godot) for an unknown client.
   */
  sendBytes(data: Uint8Array, to = 0, mode: TransferMode = RELIABLE, channel = 0): Error {
    if (data.length === 0) return Error.ERR_INVALID_DATA;
    if (to > 0 && !this.peers.has(to)) return Error.ERR_BUG;
    const bytes = encodeRaw(data);
    if (to > 0) this.send(to, bytes, mode, channel);
    else for (const id of this.peers.keys()) if (id !== -to) this.send(id, bytes, mode, channel);
    return Error.OK;
  }

  /**
   * `SceneMultiplayer.disconnect_peer`: forget the client now (DEL_PEER to those who knew it;
   * no signal, as Godot blocks them) and ask the caller to disconnect it.
   */
  disconnectPeer(id: number): void {
    if (!this.pending.delete(id) && !this.remove(id)) return;
    this.actions.push({ type: 'disconnect', peer: id });
  }

  /**
   * Re-asks the room hook after room membership changed — for the pairs involving `id`, or all
   * pairs — and queues ADD_PEER / DEL_PEER both ways where visibility changed.
   */
  refreshVisibility(id?: number): void {
    if (!this.serverRelay) return;
    const ids = [...this.peers.keys()];
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const a = ids[i]!;
        const b = ids[j]!;
        if (id !== undefined && a !== id && b !== id) continue;
        const pa = this.peers.get(a)!;
        const pb = this.peers.get(b)!;
        const should = this.canSee(a, b);
        if (should === pa.known.has(b)) continue;
        const encode = should ? encodeAddPeer : encodeDelPeer;
        this.send(a, encode(b), RELIABLE, 0);
        this.send(b, encode(a), RELIABLE, 0);
        if (should) { pa.known.add(b); pb.known.add(a); } else { pa.known.delete(b); pb.known.delete(a); }
      }
    }
  }

  // ---- queries -------------------------------------------------------------------------------

  /** Admitted clients, in admission order (`get_peers`). */
  getPeerIds(): number[] { return [...this.peers.keys()]; }
  /** Clients still authenticating (`get_authenticating_peers`). */
  getAuthenticatingPeerIds(): number[] { return [...this.pending.keys()]; }
  /** The clients `id` was told about (its room), or [] when not admitted. */
  getVisiblePeerIds(id: number): number[] { return [...(this.peers.get(id)?.known ?? [])]; }
  /** The node path client `id` announced for `cacheId`, if any. */
  getCachedPath(id: number, cacheId: number): string | undefined { return this.peers.get(id)?.cache.get(cacheId); }
  /** Drops so far, by reason (a copy). */
  getDropCounts(): Readonly<Record<DropReason, number>> { return { ...this.drops }; }
  /** Total drops so far. */
  getDropTotal(): number { return DROP_REASONS.reduce((n, r) => n + this.drops[r], 0); }

  // ---- internals -----------------------------------------------------------------------------

  private drop(reason: DropReason, from: number): void {
    this.drops[reason]++;
    this.options.onDrop?.(reason, from);
  }

  private send(to: number, bytes: Uint8Array, mode: TransferMode, channel: number): void {
    this.actions.push({ type: 'send', to, bytes, mode, channel });
  }

  private canSee(a: number, b: number): boolean {
    const f = this.options.canSee;
    return f === undefined || (f(a, b) && f(b, a));
  }

  /** `_admit_peer`: ADD_PEER exchange with every visible admitted client, then the event. */
  private admit(id: number): void {
    const known = new Set<number>();
    if (this.serverRelay) {
      for (const [p, info] of this.peers) {
        if (!this.canSee(id, p)) continue;
        this.send(p, encodeAddPeer(id), RELIABLE, 0);
        this.send(id, encodeAddPeer(p), RELIABLE, 0);
        info.known.add(id);
        known.add(p);
      }
    }
    this.peers.set(id, { known, cache: new Map() });
    this.actions.push({ type: 'peer_connected', peer: id });
  }

  /** Forgets an admitted client, telling those who knew it. False when it was not admitted. */
  private remove(id: number): boolean {
    const peer = this.peers.get(id);
    if (!peer) return false;
    for (const p of peer.known) {
      this.send(p, encodeDelPeer(id), RELIABLE, 0);
      this.peers.get(p)?.known.delete(id);
    }
    this.peers.delete(id);
    return true;
  }

  private failAuth(id: number, reason: 'rejected' | 'timeout'): void {
    this.pending.delete(id);
    this.actions.push({ type: 'disconnect', peer: id });
    this.actions.push({ type: 'peer_authentication_failed', peer: id, reason });
  }

  /** poll()'s pending branch: only `[07][00]…`; a payload goes to the validator. */
  private handlePending(from: number, p: PendingPeer, bytes: Uint8Array): void {
    if (bytes.length < 2 || commandOf(bytes[0]!) !== NetworkCommand.NETWORK_COMMAND_SYS
      || bytes[1] !== SysCommand.SYS_COMMAND_AUTH) {
      this.drop('not-admitted', from);
      return;
    }
    if (bytes.length === 2) {
      p.remote = true;
      if (p.local) {
        this.pending.delete(from);
        this.admit(from);
      }
      return;
    }
    const validator = this.options.authValidator;
    if (validator) this.apply(from, validator(from, bytes.slice(2)));
  }

  private apply(id: number, decision: AuthDecision): void {
    switch (decision.kind) {
      case 'reject': this.failAuth(id, 'rejected'); return;
      case 'continue': if (decision.reply) this.sendAuth(id, decision.reply); return;
      case 'accept':
        if (decision.reply) this.sendAuth(id, decision.reply);
        this.completeAuth(id);
    }
  }

  private handleSys(from: number, peer: AdmittedPeer, bytes: Uint8Array, mode: TransferMode, channel: number): void {
    const d = decodeSys(bytes);
    if (!d.ok) { this.drop('malformed', from); return; }
    const msg = d.value;
    switch (msg.sys) {
      case SysCommand.SYS_COMMAND_AUTH:
        // A bare [07][00] from an admitted client is a late confirmation: ignored, as Godot.
        if (msg.payload.length > 0) this.drop('late-auth', from);
        return;
      case SysCommand.SYS_COMMAND_ADD_PEER:
      case SysCommand.SYS_COMMAND_DEL_PEER:
        this.drop('server-only-command', from);
        return;
      case SysCommand.SYS_COMMAND_RELAY:
        this.relay(from, peer, msg.peer, msg.packet, mode, channel);
    }
  }

  /** `_process_sys` RELAY on the server, limited to the sender's room. */
  private relay(from: number, peer: AdmittedPeer, target: number, inner: Uint8Array, mode: TransferMode, channel: number): void {
    if (!this.serverRelay) { this.drop('relay-disabled', from); return; }
    if (commandOf(inner[0]!) === NetworkCommand.NETWORK_COMMAND_SYS) { this.drop('forged-source', from); return; }
    if (target > 0) {
      // Godot forwards to a connected target, the sender itself included.
      if (target !== from && !peer.known.has(target)) {
        this.drop(this.peers.has(target) ? 'other-room' : 'unknown-target', from);
        return;
      }
      this.send(target, encodeRelay(from, inner), mode, channel);
      return;
    }
    const wrapped = encodeRelay(from, inner);
    for (const p of peer.known) if (p !== -target) this.send(p, wrapped, mode, channel);
    if (target !== -SERVER_ID) this.process(from, peer, inner);
  }

  /** `_process_packet` on the server for a non-SYS packet from `from` (direct or relayed). */
  private process(from: number, peer: AdmittedPeer, bytes: Uint8Array): void {
    const command = commandOf(bytes[0]!);
    switch (command) {
      case NetworkCommand.NETWORK_COMMAND_SIMPLIFY_PATH: this.simplifyPath(from, peer, bytes); return;
      case NetworkCommand.NETWORK_COMMAND_CONFIRM_PATH: this.drop('unexpected-confirm', from); return;
      case NetworkCommand.NETWORK_COMMAND_REMOTE_CALL: {
        const d = decodeRpc(bytes);
        if (!d.ok) { this.drop('malformed', from); return; }
        const path = d.value.path ?? peer.cache.get(d.value.nodeId);
        if (path === undefined) { this.drop('unknown-cache-id', from); return; }
        this.actions.push({ type: 'rpc', from, rpc: d.value, path });
        return;
      }
      case NetworkCommand.NETWORK_COMMAND_RAW: {
        const d = decodeRaw(bytes);
        if (!d.ok) { this.drop('malformed', from); return; }
        this.actions.push({ type: 'peer_packet', from, data: d.value.slice() });
        return;
      }
      case NetworkCommand.NETWORK_COMMAND_SYS: this.drop('forged-source', from); return; // unreachable: relay() refuses nested SYS
      default: this.actions.push({ type: 'replication', from, command, bytes: bytes.slice() });
    }
  }

  /** process_simplify_path: remember the id, answer CONFIRM_PATH in the configured format. */
  private simplifyPath(from: number, peer: AdmittedPeer, bytes: Uint8Array): void {
    const d = decodeSimplifyPath(bytes);
    if (!d.ok) { this.drop('malformed', from); return; }
    const msg = d.value;
    const known = peer.cache.has(msg.cacheId);
    if (known && this.pathCacheFormat === 'id') { this.drop('duplicate-cache-id', from); return; }
    if (!known && peer.cache.size >= this.maxCachedPaths) { this.drop('cache-full', from); return; }
    const valid = this.options.confirmPath ? this.options.confirmPath(from, msg) : true;
    if (valid === null) { this.drop('unknown-node', from); return; }
    peer.cache.set(msg.cacheId, msg.path);
    const confirm = this.pathCacheFormat === 'id'
      ? encodeConfirmPath({ format: 'id', valid, cacheId: msg.cacheId })
      : encodeConfirmPath({ format: 'path', valid, path: msg.path });
    this.send(from, confirm, RELIABLE, 0);
  }
}
