/**
 * The seam between the operations shell (`RelayServer`: config, HTTP, metrics, dashboard, logs,
 * shutdown) and the relay core that speaks to Godot games (ENet host + ENetMultiplayerPeer /
 * SceneRelayServer for Godot 4, NetworkedMultiplayerENet with server relay for Godot 3.2).
 *
 * The shell only ever *reads* the core: it calls {@link RelayCore.snapshot} once per sample
 * interval and listens to {@link RelayCore.onEvent} for logs. All counters in a snapshot are
 * cumulative since start (the shell derives rates and Prometheus counters from them), so a
 * core never has to know how often it is sampled.
 */
import type { ServerConfig } from './config.js';
import type { Logger, Platform } from '../platform/platform.js';

/** Lifecycle of a core, as shown on /healthz and the dashboard. */
export type CoreStatus =
  /** Not started yet, or start() in progress. */
  | 'starting'
  /** Bound and admitting peers. */
  | 'running'
  /** stop() in progress: peers told, flushing. */
  | 'stopping'
  | 'stopped'
  /** No relay core in this build (or it failed to start): the shell runs without one. */
  | 'unavailable';

/** One connected (or authenticating) Godot peer. */
export interface PeerSnapshot {
  /** The Godot peer id (≥ 2; the server is 1). */
  readonly id: number;
  /** Remote IP (IPv4 dotted quad or IPv6 text) and UDP port. */
  readonly address: string;
  readonly port: number;
  /** Room id, or null while not in a room (authenticating, lobby). */
  readonly room: string | null;
  /** 'authenticating' until SceneMultiplayer admission (Godot 4 with auth), then 'connected'. */
  readonly state: 'authenticating' | 'connected';
  /** ENet's smoothed round-trip time (`roundTripTime`), ms. */
  readonly rttMs: number;
  /** ENet's packet loss estimate as a ratio 0..1 (`packetLoss / ENET_PEER_PACKET_LOSS_SCALE`). */
  readonly loss: number;
  /** Cumulative since the peer connected: packets and payload bytes received from / sent to it. */
  readonly packetsIn: number;
  readonly packetsOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Platform clock (ms) when the peer connected. */
  readonly connectedAt: number;
}

export interface RoomSnapshot {
  readonly id: string;
  /** Most peers the room admits (config `roomSize`). */
  readonly capacity: number;
  /** Ids of the peers in it (details in {@link CoreSnapshot.peers}). */
  readonly peers: readonly number[];
}

/** Cumulative totals since the core started. */
export interface CoreTotals {
  readonly packetsIn: number;
  readonly packetsOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Peers admitted / gone since start. */
  readonly connects: number;
  readonly disconnects: number;
  /**
   * Packets the relay refused, by stable reason (e.g. SceneRelayServer's DROP_REASONS:
   * 'unknown-target', 'other-room', …; plus the core's own, e.g. 'server-full', 'rooms-full').
   */
  readonly drops: Readonly<Record<string, number>>;
}

/** DTLS over ENet counters (`--dtls-cert`), cumulative since start except `sessions`. */
export interface DtlsTotals {
  /** DTLS associations now (handshaking or connected). */
  readonly sessions: number;
  /** Handshakes completed / failed (bad certificate, alert, timeout). */
  readonly handshakes: number;
  readonly handshakeFailures: number;
  /** Cookie exchanges (HelloVerifyRequest) sent. */
  readonly cookieExchanges: number;
  /** Datagrams dropped before ENet saw them: not DTLS (e.g. a plain ENet client), unknown sender, refused. */
  readonly droppedDatagrams: number;
}

export interface CoreSnapshot {
  readonly status: CoreStatus;
  /** Why unavailable / what failed, in one sentence; null when nothing to say. */
  readonly detail: string | null;
  /** Where the UDP (ENet) socket listens, once bound. */
  readonly listen: { readonly address: string; readonly port: number } | null;
  readonly rooms: readonly RoomSnapshot[];
  readonly peers: readonly PeerSnapshot[];
  readonly totals: CoreTotals;
  /** DTLS counters when the ENet host is encrypted; null or absent otherwise. */
  readonly dtls?: DtlsTotals | null;
}

/** Things worth a log line; the shell logs them (info/warn) and counts nothing from them. */
export type CoreEvent =
  | { readonly type: 'peer_connected'; readonly peer: number; readonly address: string; readonly room: string | null }
  | { readonly type: 'peer_disconnected'; readonly peer: number; readonly reason: string }
  | { readonly type: 'room_opened'; readonly room: string }
  | { readonly type: 'room_closed'; readonly room: string }
  /** A refused packet or connection; `peer` 0 when not attributable. */
  | { readonly type: 'drop'; readonly reason: string; readonly peer: number }
  | { readonly type: 'error'; readonly message: string; readonly fields?: Readonly<Record<string, unknown>> };

export interface CoreStopOptions {
  /** Why ('SIGTERM', 'SIGINT', 'api' …), for the core's own logs. */
  readonly reason: string;
  /**
   * Platform-clock time (ms) by which the core should have finished. The shell calls
   * {@link RelayCore.close} at that time if stop() has not resolved.
   */
  readonly deadline: number;
}

/**
 * What a relay core implements. Implementations: the real one (src/server/relay-core.ts,
 * exporting {@link CreateRelayCore} as `createRelayCore`), `UnavailableCore`, and the test
 * double `FakeRelayCore` (src/server/testing/).
 */
export interface RelayCore {
  /** Short name for logs and the dashboard, e.g. 'godot4-scene-relay'. */
  readonly name: string;
  /**
   * Every drop reason this core may report (optional): /metrics shows each as 0 from the
   * start, so rate() and alerts see a series before the first drop. Default: the
   * SceneRelayServer's DROP_REASONS.
   */
  readonly dropReasons?: readonly string[];
  /**
   * Bind the UDP port and begin admitting peers. Resolves once listening; rejects (with an
   * Error whose message says what, e.g. EADDRINUSE) when it cannot. Called once.
   */
  start(): Promise<void>;
  /**
   * Graceful stop: refuse new connections, tell every peer (ENet disconnect, which a Godot
   * client sees as `server_disconnected`), keep servicing the host until they acknowledged
   * or `deadline`, flush, close the socket. Must resolve (not reject) once closed.
   */
  stop(options: CoreStopOptions): Promise<void>;
  /** Hard stop, synchronous: drop every peer without waiting, close the socket. Idempotent. */
  close(): void;
  /** The current state; cheap enough to call once a second with thousands of peers. */
  snapshot(): CoreSnapshot;
  /** Subscribes to events; returns the unsubscribe function. */
  onEvent(listener: (event: CoreEvent) => void): () => void;
}

/** What src/server/relay-core.ts must export as `createRelayCore` for `gdwire serve` to use it. */
export type CreateRelayCore = (config: ServerConfig, platform: Platform, logger: Logger) => RelayCore;

export const EMPTY_TOTALS: CoreTotals = {
  packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0, connects: 0, disconnects: 0, drops: {},
};
