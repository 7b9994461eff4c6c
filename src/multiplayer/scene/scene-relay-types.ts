/**
 * Types of the sans-IO SceneMultiplayer relay server (scene-relay-server.ts): options, the
 * actions it hands back, auth decisions, drop reasons, and the room helper.
 */
import type { TransferMode } from '../multiplayer-peer.js';
import type { SimplifyPath } from './scene-cache-interface.js';
import type { NetworkCommand } from './scene-multiplayer-protocol.js';
import type { RpcPacket } from './scene-rpc-interface.js';
import type { PathCacheFormat, PathCacheFormatOptions, SceneGodotVersion } from './scene-version.js';

/** `TransferMode.TRANSFER_MODE_RELIABLE` (2), without loading multiplayer-peer.ts at run time. */
export const RELIABLE = 2 as TransferMode;

/**
 * Why the server refused something a client sent — stable strings, listed in one place.
 * - `bad-peer-id`: peerConnected() with an id < 2, > 2^31−1, or already connected.
 * - `unknown-sender`: a packet from a peer that is not connected (or was already dropped).
 * - `not-admitted`: anything but `[07][00]…` from a peer still authenticating (Godot drops it).
 * - `malformed`: bytes a codec refused (too short, bad sizes, bad UTF-8, unknown SYS command…).
 * - `late-auth`: an AUTH payload from an admitted peer (Godot: error; a bare `[07][00]` is
 *   a harmless late confirmation and is ignored without counting).
 * - `server-only-command`: ADD_PEER/DEL_PEER sent by a client (only peer 1 may send them).
 * - `forged-source`: a RELAY whose inner packet is itself a SYS message — a nested RELAY
 *   carries a source id the sender chose, a nested ADD/DEL_PEER/AUTH would speak for peer 1.
 *   (The outer RELAY's own source cannot be forged: the server always writes the real sender.)
 * - `relay-disabled`: RELAY while `serverRelay` is off.
 * - `unknown-target`: RELAY to a peer id that is not an admitted client (includes 1).
 * - `other-room`: RELAY to an admitted client the sender cannot see (room hook).
 * - `unexpected-confirm`: CONFIRM_PATH sent to the server (it never sends SIMPLIFY_PATH).
 * - `duplicate-cache-id`: 4.3+ SIMPLIFY_PATH reusing a cache id (Godot: "Duplicate remote
 *   cache ID"); the 4.0–4.2 format overwrites instead.
 * - `unknown-node`: the `confirmPath` hook declined a SIMPLIFY_PATH (Godot: node not found).
 * - `cache-full`: SIMPLIFY_PATH beyond `maxCachedPaths` for that peer.
 * - `unknown-cache-id`: an RPC to the server naming a cache id the sender never simplified.
 */
export const DROP_REASONS = [
  'bad-peer-id', 'unknown-sender', 'not-admitted', 'malformed', 'late-auth', 'server-only-command',
  'forged-source', 'relay-disabled', 'unknown-target', 'other-room', 'unexpected-confirm',
  'duplicate-cache-id', 'unknown-node', 'cache-full', 'unknown-cache-id',
] as const;
export type DropReason = typeof DROP_REASONS[number];

/** What the auth validator decided about one `[07][00][payload]` from a pending peer. */
export type AuthDecision =
  /** Admit: send `reply` (if any) as `[07][00][reply]`, then the `[07][00]` completion. */
  | { readonly kind: 'accept'; readonly reply?: Uint8Array }
  /** Refuse: forget the peer and ask the caller to disconnect it. */
  | { readonly kind: 'reject' }
  /** Not yet: send `reply` (if any) and wait for more. */
  | { readonly kind: 'continue'; readonly reply?: Uint8Array };

/** Things the server wants done or wants known, in order. */
export type SceneRelayAction =
  /** Put `bytes` on the wire to client `to` with this transfer mode and (MultiplayerPeer) channel. */
  | { readonly type: 'send'; readonly to: number; readonly bytes: Uint8Array; readonly mode: TransferMode; readonly channel: number }
  /** Disconnect the client (auth refused or timed out, or disconnectPeer()). */
  | { readonly type: 'disconnect'; readonly peer: number }
  /** A client connected and must authenticate (only with an `authValidator`). */
  | { readonly type: 'peer_authenticating'; readonly peer: number }
  /** Authentication ended without admission. */
  | { readonly type: 'peer_authentication_failed'; readonly peer: number; readonly reason: 'rejected' | 'timeout' | 'disconnected' }
  /** A client was admitted (ADD_PEER notices already queued before this). */
  | { readonly type: 'peer_connected'; readonly peer: number }
  /** An admitted client left (DEL_PEER notices already queued before this). */
  | { readonly type: 'peer_disconnected'; readonly peer: number }
  /** RAW bytes for the server (`send_bytes` to 1, or relayed to all). */
  | { readonly type: 'peer_packet'; readonly from: number; readonly data: Uint8Array }
  /**
   * An RPC for the server; `path` from the packet or the sender's path cache. Args still
   * encoded (decodeRpcArgs); `rpc.args` is a view into the handled packet — copy to keep it.
   */
  | { readonly type: 'rpc'; readonly from: number; readonly rpc: RpcPacket; readonly path: string }
  /** SPAWN / DESPAWN / SYNC for the server (formats not decoded here). */
  | { readonly type: 'replication'; readonly from: number; readonly command: NetworkCommand; readonly bytes: Uint8Array };

export type SceneRelaySend = Extract<SceneRelayAction, { type: 'send' }>;

export interface SceneRelayServerOptions {
  /** Godot release of the clients (default '4.3'): picks the CONFIRM_PATH format. */
  godotVersion?: SceneGodotVersion;
  /** Force the CONFIRM_PATH format instead of deriving it from `godotVersion`. */
  pathCacheFormat?: PathCacheFormat;
  /** The version cut-over for the derived format (scene-version.ts). */
  pathCacheFormatOptions?: PathCacheFormatOptions;
  /** `SceneMultiplayer.server_relay` (default true): ADD/DEL_PEER notices and RELAY forwarding. */
  serverRelay?: boolean;
  /**
   * Godot's `auth_callback`, server side. When set, each new client is pending until both
   * sides completed: it is called for every `[07][00][payload]` the client sends. Must not throw.
   */
  authValidator?: (peerId: number, payload: Uint8Array) => AuthDecision;
  /** `auth_timeout` in ms (default 3000; 0 = never). Time comes from peerConnected()/tick(). */
  authTimeoutMs?: number;
  /**
   * The room hook: whether clients `a` and `b` see (and can reach) each other. Asked on
   * admission and by refreshVisibility(); should be symmetric (both orders must say yes).
   * Default: everyone sees everyone, as Godot. See {@link roomsBy}.
   */
  canSee?: (a: number, b: number) => boolean;
  /**
   * Answers a SIMPLIFY_PATH sent to the server: the `checksum_ok` to confirm with, or null to
   * not confirm (as Godot when the node does not exist). Default: confirm, checksum ok — a
   * relay has no scene to compare against.
   */
  confirmPath?: (from: number, msg: SimplifyPath) => boolean | null;
  /** Most path-cache entries kept per client (default 4096); more are dropped (`cache-full`). */
  maxCachedPaths?: number;
  /** Called for every drop (after it is counted), e.g. for logging. Must not throw. */
  onDrop?: (reason: DropReason, from: number) => void;
}

/**
 * A `canSee` from a grouping: clients see each other when `roomOf` gives both the same
 * defined value. `roomOf` is read on admission and on refreshVisibility().
 */
export function roomsBy(roomOf: (peerId: number) => string | number | undefined): (a: number, b: number) => boolean {
  return (a, b) => {
    const r = roomOf(a);
    return r !== undefined && r === roomOf(b);
  };
}
