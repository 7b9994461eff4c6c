/**
 * Public value types of the ENet engine: peer states, packet flags, events, addresses.
 * Numbers are ENet's own (enet.h), so they can be compared with C ENet and Godot's enums.
 * @see enet include/enet/enet.h
 */
import type { Peer } from './peer.js';

/** @see enet enet.h ENetPeerState */
export enum PeerState {
  DISCONNECTED = 0,
  CONNECTING = 1,
  ACKNOWLEDGING_CONNECT = 2,
  CONNECTION_PENDING = 3,
  CONNECTION_SUCCEEDED = 4,
  CONNECTED = 5,
  DISCONNECT_LATER = 6,
  DISCONNECTING = 7,
  ACKNOWLEDGING_DISCONNECT = 8,
  ZOMBIE = 9,
}

/** @see enet enet.h ENetPacketFlag (Godot's ENetPacketPeer.FLAG_* share these numbers) */
export enum PacketFlag {
  /** Delivered reliably and in order (retransmitted until acknowledged). */
  RELIABLE = 1 << 0,
  /** Not sequenced against other packets; only with RELIABLE clear. */
  UNSEQUENCED = 1 << 1,
  /** Send the caller's buffer without copying it (the caller must not modify it afterwards). */
  NO_ALLOCATE = 1 << 2,
  /** A large unreliable packet is fragmented unreliably (all-or-nothing) instead of reliably. */
  UNRELIABLE_FRAGMENT = 1 << 3,
  /** Set by ENet once a packet was sent; unused here. */
  SENT = 1 << 8,
}

/** @see enet enet.h ENetEventType */
export enum EventType {
  NONE = 0,
  CONNECT = 1,
  DISCONNECT = 2,
  RECEIVE = 3,
}

/** An opaque transport address; the engine only compares it (address and port). */
export interface Address {
  readonly address: string;
  readonly port: number;
}

export function sameAddress(a: Address, b: Address): boolean {
  return a.port === b.port && a.address === b.address;
}

/** A packet as delivered to or given by the application. */
export interface Packet {
  data: Uint8Array;
  /** PacketFlag bits: RELIABLE, UNSEQUENCED or UNRELIABLE_FRAGMENT as received. */
  flags: number;
}

export interface ConnectEvent {
  type: EventType.CONNECT;
  peer: Peer;
  /** The CONNECT command's user data (on the accepting side), else 0. */
  data: number;
}

export interface DisconnectEvent {
  type: EventType.DISCONNECT;
  peer: Peer;
  /** The DISCONNECT command's user data; 0 for a timeout. */
  data: number;
  /** True when the peer stopped acknowledging (ENet reports this as a plain DISCONNECT). */
  timedOut: boolean;
}

export interface ReceiveEvent {
  type: EventType.RECEIVE;
  peer: Peer;
  channelID: number;
  packet: Packet;
}

/** What {@link Host.service} returns, one per call. */
export type HostEvent = ConnectEvent | DisconnectEvent | ReceiveEvent;

/** A datagram the engine wants sent. */
export interface Datagram {
  data: Uint8Array;
  address: Address;
}

/** ENet's per-peer statistics (Godot: ENetPacketPeer.get_statistic). */
export interface PeerStatistics {
  packetLoss: number;
  packetLossVariance: number;
  packetLossEpoch: number;
  roundTripTime: number;
  roundTripTimeVariance: number;
  lastRoundTripTime: number;
  lastRoundTripTimeVariance: number;
  packetThrottle: number;
  packetThrottleLimit: number;
  packetThrottleCounter: number;
  packetThrottleEpoch: number;
  packetThrottleAcceleration: number;
  packetThrottleDeceleration: number;
  packetThrottleInterval: number;
}
