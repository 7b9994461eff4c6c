/**
 * ENetPacketPeer: one remote end of an {@link ENetConnection} — Godot 4's wrapper of an
 * ENetPeer, with Godot's names, numbers and defaults (camelCase).
 * @see godot modules/enet/enet_packet_peer.cpp, enet_packet_peer.h
 *
 * Not constructed by users: {@link ENetConnection.connectToHost} returns one, and the
 * connection makes one for every peer that connects to it.
 *
 * Received packets: in the polled mode (`ENetConnection.service()`), every RECEIVE event
 * queues its packet here, read with getPacket()/getVar() (PacketPeer). In the connection's
 * event-driven mode, packets go to the 'receive' listeners / async iterators instead and are
 * not queued here (when nobody listens for them they are queued, so nothing is lost).
 *
 * Once the peer disconnects (a DISCONNECT event, peerDisconnectNow(), reset(), or the
 * connection's destroy()), it is detached from its ENet slot: it reports STATE_DISCONNECTED,
 * sending fails, and the slot may serve a new connection with a new ENetPacketPeer. Unlike
 * Godot, packets already queued can still be read after that.
 */
import { Error } from '../../core/error.js';
import { PacketPeer, type PacketPeerOptions } from '../../core/io/packet-peer.js';
import type { Peer } from '../../enet/peer.js';
import { PacketFlag, PeerState as EnetPeerState, type PeerStatistics } from '../../enet/types.js';
import type { LogFields, LogLevel } from '../../platform/platform.js';

/** @see godot ENetPacketPeer::PeerState (ENet's ENetPeerState numbers) */
export enum PeerState {
  STATE_DISCONNECTED = 0,
  STATE_CONNECTING = 1,
  STATE_ACKNOWLEDGING_CONNECT = 2,
  STATE_CONNECTION_PENDING = 3,
  STATE_CONNECTION_SUCCEEDED = 4,
  STATE_CONNECTED = 5,
  STATE_DISCONNECT_LATER = 6,
  STATE_DISCONNECTING = 7,
  STATE_ACKNOWLEDGING_DISCONNECT = 8,
  STATE_ZOMBIE = 9,
}

/** @see godot ENetPacketPeer::PeerStatistic */
export enum PeerStatistic {
  /** Mean packet loss of reliable packets, relative to PACKET_LOSS_SCALE (65536 = 100 %). */
  PEER_PACKET_LOSS = 0,
  PEER_PACKET_LOSS_VARIANCE = 1,
  /** Time (ENet ms) the current packet-loss measurement interval started. */
  PEER_PACKET_LOSS_EPOCH = 2,
  /** Mean round-trip time in ms. */
  PEER_ROUND_TRIP_TIME = 3,
  PEER_ROUND_TRIP_TIME_VARIANCE = 4,
  /** Round-trip time of the last measurement interval. */
  PEER_LAST_ROUND_TRIP_TIME = 5,
  PEER_LAST_ROUND_TRIP_TIME_VARIANCE = 6,
  /** Unreliable-packet throttle, relative to PACKET_THROTTLE_SCALE (32 = nothing dropped). */
  PEER_PACKET_THROTTLE = 7,
  PEER_PACKET_THROTTLE_LIMIT = 8,
  PEER_PACKET_THROTTLE_COUNTER = 9,
  PEER_PACKET_THROTTLE_EPOCH = 10,
  PEER_PACKET_THROTTLE_ACCELERATION = 11,
  PEER_PACKET_THROTTLE_DECELERATION = 12,
  PEER_PACKET_THROTTLE_INTERVAL = 13,
}

/** PeerStatistic → the engine's statistics field, in enum order. */
const STATISTIC_FIELDS: ReadonlyArray<keyof PeerStatistics> = [
  'packetLoss', 'packetLossVariance', 'packetLossEpoch', 'roundTripTime', 'roundTripTimeVariance',
  'lastRoundTripTime', 'lastRoundTripTimeVariance', 'packetThrottle', 'packetThrottleLimit',
  'packetThrottleCounter', 'packetThrottleEpoch', 'packetThrottleAcceleration',
  'packetThrottleDeceleration', 'packetThrottleInterval',
];

/** Godot's FLAG_ALLOWED: the flags send() and broadcast() accept. */
export const FLAG_ALLOWED = PacketFlag.RELIABLE | PacketFlag.UNSEQUENCED | PacketFlag.UNRELIABLE_FRAGMENT;

/** What a peer needs from its connection. */
export interface ENetPeerOwner {
  /** Something was queued to send: an event-driven connection services soon. */
  kick(): void;
  log(level: LogLevel, message: string, fields?: LogFields): void;
}

interface QueuedPacket {
  data: Uint8Array;
  flags: number;
  channel: number;
}

/** ENetConnection's access to its peers (not part of the public API). */
export const kEnetPeer = Symbol('ENetPacketPeer.enetPeer');
export const kDetach = Symbol('ENetPacketPeer.detach');
export const kQueuePacket = Symbol('ENetPacketPeer.queuePacket');
export const kOwns = Symbol('ENetPacketPeer.owns');

export class ENetPacketPeer extends PacketPeer {
  static readonly PACKET_THROTTLE_SCALE = 32;
  static readonly PACKET_LOSS_SCALE = 1 << 16;
  static readonly FLAG_RELIABLE = PacketFlag.RELIABLE;
  static readonly FLAG_UNSEQUENCED = PacketFlag.UNSEQUENCED;
  static readonly FLAG_UNRELIABLE_FRAGMENT = PacketFlag.UNRELIABLE_FRAGMENT;
  static readonly STATE_DISCONNECTED = PeerState.STATE_DISCONNECTED;
  static readonly STATE_CONNECTING = PeerState.STATE_CONNECTING;
  static readonly STATE_ACKNOWLEDGING_CONNECT = PeerState.STATE_ACKNOWLEDGING_CONNECT;
  static readonly STATE_CONNECTION_PENDING = PeerState.STATE_CONNECTION_PENDING;
  static readonly STATE_CONNECTION_SUCCEEDED = PeerState.STATE_CONNECTION_SUCCEEDED;
  static readonly STATE_CONNECTED = PeerState.STATE_CONNECTED;
  static readonly STATE_DISCONNECT_LATER = PeerState.STATE_DISCONNECT_LATER;
  static readonly STATE_DISCONNECTING = PeerState.STATE_DISCONNECTING;
  static readonly STATE_ACKNOWLEDGING_DISCONNECT = PeerState.STATE_ACKNOWLEDGING_DISCONNECT;
  static readonly STATE_ZOMBIE = PeerState.STATE_ZOMBIE;
  /** Godot's get_max_packet_size(): 1 << 24. */
  static readonly MAX_PACKET_SIZE = 1 << 24;

  private peer: Peer | null;
  /** The slot's connect id when attached: a reused slot has another. */
  private readonly connectID: number;
  private readonly queue: Array<QueuedPacket | undefined> = [];
  private head = 0;

  /** @internal Made by ENetConnection only. */
  constructor(
    peer: Peer,
    private readonly owner: ENetPeerOwner,
    options: PacketPeerOptions = {},
  ) {
    super(options);
    this.peer = peer;
    this.connectID = peer.connectID;
    peer.data = this;
  }

  // ---- Godot API ----------------------------------------------------------------------------------
  /**
   * Queues `packet` on `channel` with FLAG_* `flags` (0 = unreliable sequenced). Sent at the
   * next service()/flush() — at once in the event-driven mode (batched per event-loop turn).
   * ERR_UNCONFIGURED when detached; ERR_INVALID_PARAMETER for a negative channel, one above
   * getChannels() or flags outside FLAG_ALLOWED; FAILED when ENet refuses (not connected, the
   * channel equal to getChannels(), packet too large) — Godot's checks and codes.
   */
  send(channel: number, packet: Uint8Array, flags: number): Error {
    return this.sendWith(channel, packet, flags, null);
  }

  /**
   * Godot's checks, then the engine's send of `packet` — or, with `shared`, of the `length`
   * bytes of `shared` at `offset`, queued where they are.
   */
  private sendWith(channel: number, packet: Uint8Array, flags: number, shared: Uint8Array | null, offset = 0, length = 0): Error {
    const peer = this.peer;
    if (!peer) return this.fail(Error.ERR_UNCONFIGURED, 'Peer not connected.');
    if (!Number.isInteger(channel) || channel < 0 || channel > peer.channelCount) {
      return this.fail(Error.ERR_INVALID_PARAMETER, 'Invalid channel', { channel });
    }
    if (!Number.isInteger(flags) || (flags & ~FLAG_ALLOWED) !== 0) {
      return this.fail(Error.ERR_INVALID_PARAMETER, 'Invalid flags', { flags });
    }
    const err = shared ? peer.sendShared(channel, shared, offset, length, flags) : peer.send(channel, packet, flags);
    if (err !== Error.OK) return this.fail(Error.FAILED, 'ENet refused the packet', { channel, code: err });
    this.owner.kick();
    return Error.OK;
  }

  /**
   * {@link send} of the `length` bytes of `buffer` at `offset` without ENet's copy: for relays
   * handing one copy to many peers (C ENet's broadcast shares one packet the same way). Those
   * bytes must never change afterwards; a relay puts its copy in a shared slab (enet/bytes.ts)
   * so a peer's queued messages share one buffer.
   * @internal
   */
  sendShared(channel: number, buffer: Uint8Array, offset: number, length: number, flags: number): Error {
    return this.sendWith(channel, buffer, flags, buffer, offset, length);
  }

  /** Graceful disconnect: a DISCONNECT event with `data` follows on both sides. @see enet_peer_disconnect */
  peerDisconnect(data = 0): void {
    const peer = this.peer;
    if (!peer) return void this.fail(Error.ERR_UNCONFIGURED, 'Peer not connected.');
    peer.disconnect(data);
    this.afterControl(peer);
  }

  /** Disconnects once every queued packet is sent and acknowledged. @see enet_peer_disconnect_later */
  peerDisconnectLater(data = 0): void {
    const peer = this.peer;
    if (!peer) return void this.fail(Error.ERR_UNCONFIGURED, 'Peer not connected.');
    peer.disconnectLater(data);
    this.afterControl(peer);
  }

  /**
   * Disconnects at once: the remote end is told (unreliably, not retried) and this side gets
   * no DISCONNECT event; the peer is detached. @see enet_peer_disconnect_now
   */
  peerDisconnectNow(data = 0): void {
    const peer = this.peer;
    if (!peer) return void this.fail(Error.ERR_UNCONFIGURED, 'Peer not connected.');
    peer.disconnectNow(data);
    this[kDetach]();
    this.owner.kick();
  }

  /** Sends a ping now (ENet pings idle peers every pingInterval on its own). */
  ping(): void {
    const peer = this.peer;
    if (!peer) return void this.fail(Error.ERR_UNCONFIGURED, 'Peer not connected.');
    peer.ping();
    this.owner.kick();
  }

  /** Interval between pings of an idle peer in ms (0 = ENet's default, 500). */
  pingInterval(pingInterval: number): void {
    const peer = this.peer;
    if (!peer) return void this.fail(Error.ERR_UNCONFIGURED, 'Peer not connected.');
    peer.setPingInterval(pingInterval);
    this.owner.kick();
  }

  /** Forgets the connection without telling the remote end (it times out); detaches the peer. */
  reset(): void {
    const peer = this.peer;
    if (!peer) return void this.fail(Error.ERR_UNCONFIGURED, 'Peer not connected.');
    peer.reset();
    this[kDetach]();
    this.owner.kick();
  }

  /**
   * ENet's timeout: the peer is dropped when `timeout` retries (ENet's limit, default 32)
   * and `timeoutMin` ms have passed, or after `timeoutMax` ms (defaults 5000 / 30000;
   * 0 = default). Godot requires timeout ≤ timeoutMin ≤ timeoutMax, else nothing changes.
   */
  setTimeout(timeout: number, timeoutMin: number, timeoutMax: number): void {
    const peer = this.peer;
    if (!peer) return void this.fail(Error.ERR_UNCONFIGURED, 'Peer not connected.');
    if (timeout > timeoutMin || timeoutMin > timeoutMax) {
      return void this.fail(Error.ERR_INVALID_PARAMETER,
        'Timeout limit must be less than minimum timeout, which itself must be less than maximum timeout');
    }
    peer.setTimeout(timeout, timeoutMin, timeoutMax);
    this.owner.kick();
  }

  /** Unreliable-packet throttle parameters, also sent to the remote end. @see enet_peer_throttle_configure */
  throttleConfigure(interval: number, acceleration: number, deceleration: number): void {
    const peer = this.peer;
    if (!peer) return void this.fail(Error.ERR_UNCONFIGURED, 'Peer not connected.');
    peer.throttleConfigure(interval, acceleration, deceleration);
    this.owner.kick();
  }

  /** One of ENet's statistics (PeerStatistic); 0 when detached or unknown. */
  getStatistic(statistic: PeerStatistic): number {
    const field = STATISTIC_FIELDS[statistic];
    if (!this.peer || field === undefined) return 0;
    return this.peer[field];
  }

  /** The ENet state; STATE_DISCONNECTED once detached. */
  getState(): PeerState {
    const peer = this.peer;
    if (!peer || !this.isActive()) return PeerState.STATE_DISCONNECTED;
    return peer.state as number as PeerState;
  }

  /** Channels of the connection (0 when detached). */
  getChannels(): number {
    return this.peer?.channelCount ?? 0;
  }

  /** True while attached to an ENet slot that is not disconnected. */
  isActive(): boolean {
    const peer = this.peer;
    return peer !== null && peer.state !== EnetPeerState.DISCONNECTED && peer.connectID === this.connectID;
  }

  /** The remote IP ("" when detached). */
  getRemoteAddress(): string {
    return this.peer?.address.address ?? '';
  }

  /** The remote port (0 when detached). */
  getRemotePort(): number {
    return this.peer?.address.port ?? 0;
  }

  /** The FLAG_* bits of the next packet getPacket() returns (0 when none is queued). */
  getPacketFlags(): number {
    return this.queue[this.head]?.flags ?? 0;
  }

  /** gdwire: the channel of the next packet getPacket() returns (0 when none is queued). */
  getPacketChannel(): number {
    return this.queue[this.head]?.channel ?? 0;
  }

  // ---- PacketPeer primitives --------------------------------------------------------------------
  protected _getAvailablePacketCount(): number {
    return this.queue.length - this.head;
  }

  protected _getPacket(): { error: Error; packet?: Uint8Array } {
    const p = this.queue[this.head];
    if (!p) return { error: this.peer ? Error.ERR_UNAVAILABLE : Error.ERR_UNCONFIGURED };
    this.queue[this.head++] = undefined;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return { error: Error.OK, packet: p.data };
  }

  /** Godot: put_packet sends reliably on channel 0. */
  protected _putPacket(buffer: Uint8Array): Error {
    const peer = this.peer;
    if (!peer) return Error.ERR_UNCONFIGURED;
    if (peer.send(0, buffer, PacketFlag.RELIABLE) !== Error.OK) return Error.FAILED;
    this.owner.kick();
    return Error.OK;
  }

  protected _getMaxPacketSize(): number {
    return ENetPacketPeer.MAX_PACKET_SIZE;
  }

  // ---- connection side ----------------------------------------------------------------------------
  /** @internal The engine peer while attached. */
  [kEnetPeer](): Peer | null {
    return this.peer;
  }

  /** @internal Whether this wrapper stands for `peer`'s current connection. */
  [kOwns](peer: Peer): boolean {
    return this.peer === peer && peer.connectID === this.connectID;
  }

  /** @internal Detaches from the slot (Godot's _on_disconnect). */
  [kDetach](): void {
    if (this.peer && this.peer.data === this) this.peer.data = undefined;
    this.peer = null;
  }

  /** @internal A RECEIVE event's packet, for getPacket(). */
  [kQueuePacket](data: Uint8Array, flags: number, channel: number): void {
    this.queue.push({ data, flags, channel });
  }

  private afterControl(peer: Peer): void {
    // A peer that was not yet connected is reset at once by ENet, without an event.
    if (peer.state === EnetPeerState.DISCONNECTED) this[kDetach]();
    this.owner.kick();
  }

  private fail(code: Error, message: string, fields?: LogFields): Error {
    this.owner.log('error', `ENetPacketPeer: ${message}`, fields);
    return code;
  }
}
