/**
 * ENetConnection's enums (Godot's names and numbers) and the shapes of its results and events.
 * @see godot modules/enet/enet_connection.h
 */
import type { ENetPacketPeer } from './enet-packet-peer.js';

/** @see godot ENetConnection::EventType */
export enum EventType {
  /** service() failed: the host is not active, or an event named a peer it does not know. */
  EVENT_ERROR = -1,
  EVENT_NONE = 0,
  /** A connection completed (either side). */
  EVENT_CONNECT = 1,
  /** A peer disconnected, timed out, or a connection attempt failed; `data` is the peer's. */
  EVENT_DISCONNECT = 2,
  /** A packet arrived (queued to the peer in the polled mode). */
  EVENT_RECEIVE = 3,
}

/** @see godot ENetConnection::CompressionMode — one enum, shared with the compressors. */
export { CompressionMode } from './compression/enet-compressor.js';

/** @see godot ENetConnection::HostStatistic (popStatistic returns and resets the counter) */
export enum HostStatistic {
  /** Bytes of UDP payload sent. */
  HOST_TOTAL_SENT_DATA = 0,
  /** Datagrams sent. */
  HOST_TOTAL_SENT_PACKETS = 1,
  /** Bytes of UDP payload received. */
  HOST_TOTAL_RECEIVED_DATA = 2,
  /** Datagrams received. */
  HOST_TOTAL_RECEIVED_PACKETS = 3,
}

/**
 * What service() returns: Godot's 4-element Array — the event type, the peer (null for
 * EVENT_NONE/EVENT_ERROR), the event's data (CONNECT/DISCONNECT, as a signed 32-bit int like
 * Godot's), the channel (RECEIVE). A RECEIVE's packet is queued to the peer.
 */
export type ServiceResult = [type: EventType, peer: ENetPacketPeer | null, data: number, channel: number];

/** One event of the event-driven mode (async iterator form). */
export interface ENetConnectionEvent {
  type: EventType.EVENT_CONNECT | EventType.EVENT_DISCONNECT | EventType.EVENT_RECEIVE;
  peer: ENetPacketPeer;
  /** CONNECT/DISCONNECT data (signed 32-bit), else 0. */
  data: number;
  /** RECEIVE: the channel, else 0. */
  channel: number;
  /** RECEIVE: the packet, else null. */
  packet: Uint8Array | null;
  /** RECEIVE: ENetPacketPeer.FLAG_* bits of the packet, else 0. */
  flags: number;
  /** DISCONNECT: true when the peer stopped answering (gdwire; Godot cannot tell). */
  timedOut: boolean;
}
