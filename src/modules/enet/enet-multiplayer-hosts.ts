/**
 * ENetMultiplayerPeer's handling of its ENetConnections:
 * - {@link HostListeners}, its Node mode: listeners that put each host in ENetConnection's
 *   event-driven mode (serviced on datagram arrival and at ENet's deadlines) and hand every
 *   event to the multiplayer peer as it happens. Detaching them returns the host to Godot's
 *   polled mode (events not yet taken wait for service()).
 * - {@link HostRetirer}: hosts it drops are destroyed one timer turn later.
 */
import type { Timers } from '../../platform/platform.js';
import { EventType } from './enet-connection-types.js';
import type { ENetConnection } from './enet-connection.js';
import type { ENetPacketPeer } from './enet-packet-peer.js';

/** A received ENet packet: payload, ENet channel and ENetPacketPeer.FLAG_* bits. */
export interface ReceivedPacket {
  data: Uint8Array;
  channel: number;
  flags: number;
}

/** Handles one event of the host registered under `key`. */
export type HostEventHandler = (
  key: number, type: EventType, peer: ENetPacketPeer | null, data: number, packet: ReceivedPacket | null,
) => unknown;

interface Attached {
  connect: (peer: ENetPacketPeer, data: number) => void;
  disconnect: (peer: ENetPacketPeer, data: number) => void;
  receive: (peer: ENetPacketPeer, packet: Uint8Array, channel: number, flags: number) => void;
}

export class HostListeners {
  private readonly attached = new Map<ENetConnection, Attached>();

  constructor(private readonly handler: HostEventHandler) {}

  /** Routes the events of `host` to the handler under `key` (idempotent). */
  attach(key: number, host: ENetConnection): void {
    if (this.attached.has(host)) return;
    const h = this.handler;
    const a: Attached = {
      connect: (peer, data) => void h(key, EventType.EVENT_CONNECT, peer, data, null),
      disconnect: (peer, data) => void h(key, EventType.EVENT_DISCONNECT, peer, data, null),
      receive: (peer, data, channel, flags) => void h(key, EventType.EVENT_RECEIVE, peer, 0, { data, channel, flags }),
    };
    this.attached.set(host, a);
    host.on('connect', a.connect);
    host.on('disconnect', a.disconnect);
    host.on('receive', a.receive);
  }

  /** Removes this object's listeners from `host` (no-op when none). */
  detach(host: ENetConnection): void {
    const a = this.attached.get(host);
    if (!a) return;
    this.attached.delete(host);
    host.off('connect', a.connect);
    host.off('disconnect', a.disconnect);
    host.off('receive', a.receive);
  }
}

/**
 * Destroys dropped hosts on the next timer turn. Godot flushes a host (its last DISCONNECTs)
 * and destroys it at once; Node sockets send after a DNS step even for IP literals, so closing
 * the socket in the same turn would drop those datagrams. {@link finish} destroys the waiting
 * hosts at once (a new host may want their port).
 */
export class HostRetirer {
  private readonly waiting = new Set<ENetConnection>();

  constructor(private readonly timers: Timers) {}

  /** Flushes `host` now and destroys it on the next timer turn. */
  retire(host: ENetConnection): void {
    if (!host.enetHost || this.waiting.has(host)) return;
    host.flush();
    this.waiting.add(host);
    this.timers.setTimeout(() => this.destroy(host), 0);
  }

  finish(): void {
    for (const host of [...this.waiting]) this.destroy(host);
  }

  private destroy(host: ENetConnection): void {
    if (this.waiting.delete(host) && host.enetHost) host.destroy();
  }
}
