/**
 * One active NetworkedMultiplayerENet host (server or client) — Godot 3.2's protocol state
 * machine over an {@link ENetConnection}: the peer map, ENet CONNECT / DISCONNECT / RECEIVE
 * handling (ids, ADD_PEER / REMOVE_PEER, the server's relay), and routing of outgoing packets.
 * The public class (networked-multiplayer-enet.ts) owns the settings and the API; a new
 * session is made by each createServer/createClient and dropped by closeConnection.
 * @see godot modules/enet/networked_multiplayer_enet.cpp (3.2): poll, put_packet, disconnect_peer, close_connection
 */
import { Error } from '../../core/error.js';
import { shareBytes, type SharedBytes } from '../../enet/bytes.js';
import { PacketFlag } from '../../enet/types.js';
import { ConnectionStatus, type MultiplayerPacket, type TransferMode } from '../../multiplayer/multiplayer-peer.js';
import type { LogFields } from '../../platform/platform.js';
import type { ENetConnection } from './enet-connection.js';
import { EventType } from './enet-connection-types.js';
import { PeerState, type ENetPacketPeer } from './enet-packet-peer.js';
import { NetworkedPeerMap } from './networked-peer-map.js';
import {
  decodeHeader, decodeSysMsg, encodePacket, encodeSysMsg, HEADER_SIZE, isValidTarget, modeOfFlags,
  sendRoute, serverRoute, serverSend, SysMsg, SYSCH_CONFIG,
} from './networked-protocol.js';

/**
 * enet_peer_send as Godot uses it for notices and relayed copies: a peer that is no longer
 * connected (disconnecting, timed out, reset — its DISCONNECT not yet handled) or has fewer
 * channels is skipped silently, as ENet's refusal is ignored there.
 */
function quietSend(peer: ENetPacketPeer | null | undefined, channel: number, data: Uint8Array, flags: number): void {
  if (usable(peer, channel)) peer.send(channel, data, flags);
}

/** {@link quietSend} of a relayed copy that never changes, queued without ENet's own copy. */
function quietSendShared(peer: ENetPacketPeer | null | undefined, channel: number, shared: SharedBytes, flags: number): void {
  if (usable(peer, channel)) peer.sendShared(channel, shared.buffer, shared.offset, shared.length, flags);
}

function usable(peer: ENetPacketPeer | null | undefined, channel: number): peer is ENetPacketPeer {
  return !!peer && peer.getState() === PeerState.STATE_CONNECTED && channel < peer.getChannels();
}

export type NetworkedSignal = 'peer_connected' | 'peer_disconnected' | 'connection_succeeded' | 'connection_failed' | 'server_disconnected';

/** What a session needs from the NetworkedMultiplayerENet that owns it. */
export interface NetworkedSessionOwner {
  signal(name: NetworkedSignal, id?: number): void;
  /** A packet for this peer: to the Node form or the getPacket() queue. */
  deliver(packet: MultiplayerPacket): void;
  refusing(): boolean;
  /** A client lost its server ('server_disconnected' was emitted): close. */
  lost(): void;
  log(message: string, fields?: LogFields): void;
}

export interface NetworkedSessionConfig {
  server: boolean;
  uniqueId: number;
  relay: boolean;
  channels: number;
}

interface Handlers {
  connect: (peer: ENetPacketPeer, data: number) => void;
  disconnect: (peer: ENetPacketPeer) => void;
  receive: (peer: ENetPacketPeer, packet: Uint8Array, channel: number, flags: number) => void;
}

export class NetworkedSession {
  readonly server: boolean;
  readonly uniqueId: number;
  status: ConnectionStatus;
  /** Set by the owner when it closes; handlers stop at once. */
  closed = false;
  /** Godot's peer_map: id → ENet peer (null on a client for peers behind the server). */
  readonly peers = new NetworkedPeerMap<ENetPacketPeer | null>();
  private readonly idOf = new Map<ENetPacketPeer, number>();
  private readonly relay: boolean;
  private readonly channels: number;
  private handlers: Handlers | null = null;

  constructor(readonly conn: ENetConnection, config: NetworkedSessionConfig, private readonly owner: NetworkedSessionOwner) {
    this.server = config.server;
    this.uniqueId = config.uniqueId;
    this.relay = config.relay;
    this.channels = config.channels;
    this.status = config.server ? ConnectionStatus.CONNECTION_CONNECTED : ConnectionStatus.CONNECTION_CONNECTING;
  }

  // ---- driving ------------------------------------------------------------------------------------
  /** Godot's poll(): services ENet until no event is left (in Node mode it only pumps). */
  poll(): void {
    if (this.handlers) {
      this.conn.service();
      return;
    }
    while (!this.closed) {
      const [type, peer, data, channel] = this.conn.service();
      if (type === EventType.EVENT_NONE || type === EventType.EVENT_ERROR || !peer) break;
      if (type === EventType.EVENT_CONNECT) this.handleConnect(peer, data);
      else if (type === EventType.EVENT_DISCONNECT) this.handleDisconnect(peer);
      else {
        const flags = peer.getPacketFlags();
        this.handleReceive(peer, peer.getPacket(), channel, flags);
      }
    }
  }

  /** Node mode on/off: the ENet host runs event-driven and its events come to the same handlers. */
  setEventDriven(on: boolean): void {
    const h = this.handlers;
    if (on === (h !== null)) return;
    if (h) {
      this.handlers = null;
      this.conn.off('connect', h.connect).off('disconnect', h.disconnect).off('receive', h.receive);
      return;
    }
    const handlers: Handlers = {
      connect: (peer, data) => { if (!this.closed) this.handleConnect(peer, data); },
      disconnect: (peer) => { if (!this.closed) this.handleDisconnect(peer); },
      receive: (peer, packet, channel, flags) => { if (!this.closed) this.handleReceive(peer, packet, channel, flags); },
    };
    this.handlers = handlers;
    this.conn.on('connect', handlers.connect).on('disconnect', handlers.disconnect).on('receive', handlers.receive);
  }

  // ---- ENet events --------------------------------------------------------------------------------
  private handleConnect(peer: ENetPacketPeer, data: number): void {
    if (this.server) {
      if (this.owner.refusing()) return peer.reset();
      // ids below 2 are reserved (0 all, 1 server, negative "all but"): a forged connection
      if (data < 2 || this.peers.has(data)) {
        peer.reset();
        return this.owner.log('A client connected with an invalid or already used id; connection reset.', { id: data });
      }
    }
    const id = data === 0 ? 1 : data;
    this.peers.set(id, peer);
    this.idOf.set(peer, id);
    this.status = ConnectionStatus.CONNECTION_CONNECTED;
    this.owner.signal('peer_connected', id);
    if (this.closed) return;
    if (!this.server) return this.owner.signal('connection_succeeded');
    if (!this.relay) return;
    for (const other of this.peers.ids()) {
      if (other === id) continue;
      quietSend(peer, SYSCH_CONFIG, encodeSysMsg(SysMsg.ADD_PEER, other), PacketFlag.RELIABLE);
      quietSend(this.peers.get(other), SYSCH_CONFIG, encodeSysMsg(SysMsg.ADD_PEER, id), PacketFlag.RELIABLE);
    }
  }

  private handleDisconnect(peer: ENetPacketPeer): void {
    const id = this.idOf.get(peer);
    if (id === undefined) {
      // never fully connected; a client stays CONNECTING until closed (Godot 3.2.3)
      if (!this.server) this.owner.signal('connection_failed');
      return;
    }
    if (!this.server) {
      this.owner.signal('server_disconnected');
      if (!this.closed) this.owner.lost();
      return;
    }
    if (this.relay) this.notifyOthers(SysMsg.REMOVE_PEER, id);
    this.owner.signal('peer_disconnected', id);
    this.forget(id, peer);
  }

  private handleReceive(peer: ENetPacketPeer, packet: Uint8Array, channel: number, flags: number): void {
    if (channel === SYSCH_CONFIG) return this.handleSysMsg(packet);
    if (channel >= this.channels) return this.owner.log('Packet on a channel above the channel count dropped.', { channel });
    const header = decodeHeader(packet);
    if (!header) return this.owner.log('Packet shorter than the 8-byte header dropped.', { length: packet.length });
    if (!this.server) return this.deliver(header.source, packet, channel, flags);
    const id = this.idOf.get(peer);
    if (id === undefined || header.source !== id) {
      return this.owner.log('Packet with a forged source id dropped.', { from: id, source: header.source });
    }
    const route = serverRoute(id, header.target, this.relay);
    if (route.drop !== undefined) return;
    if (route.forward === 'others') {
      // One copy for every recipient (Godot copies per recipient; ENet's broadcast shares one):
      // the relay's cost per delivery was dominated by per-copy allocation and its GC.
      const shared = shareBytes(packet); // in a slab: a peer's queued copies share one buffer
      const ids = this.peers.ids();
      const peers = this.peers.values();
      for (let i = 0; i < ids.length; i++) {
        if (!route.except.includes(ids[i]!)) quietSendShared(peers[i], channel, shared, flags);
      }
    } else if (route.forward === 'one') {
      const to = this.peers.get(route.peer);
      if (!to) return this.owner.log('Packet for an unknown peer dropped.', { target: route.peer });
      quietSend(to, channel, packet, flags);
    }
    if (route.deliver) this.deliver(id, packet, channel, flags);
  }

  /** ADD_PEER / REMOVE_PEER from the server (a client sending on channel 0 is an error). */
  private handleSysMsg(packet: Uint8Array): void {
    const m = decodeSysMsg(packet);
    if (!m) return this.owner.log('System message shorter than 8 bytes dropped.', { length: packet.length });
    if (this.server) return this.owner.log('A client sent a system message; dropped.');
    if (m.msg === SysMsg.ADD_PEER) {
      this.peers.set(m.id, null);
      this.owner.signal('peer_connected', m.id);
    } else if (m.msg === SysMsg.REMOVE_PEER) {
      this.peers.delete(m.id);
      this.owner.signal('peer_disconnected', m.id);
    }
  }

  private deliver(from: number, packet: Uint8Array, channel: number, flags: number): void {
    this.owner.deliver({ peer: from, data: packet.subarray(HEADER_SIZE), channel, mode: modeOfFlags(flags) });
  }

  // ---- actions ------------------------------------------------------------------------------------
  /**
   * put_packet: `payload` behind the header to `target`, flushed at once. ERR_UNCONFIGURED
   * when not connected, ERR_INVALID_PARAMETER for a target that is not a known peer, else
   * the ENet send's error for a single destination.
   */
  send(payload: Uint8Array, target: number, mode: TransferMode, alwaysOrdered: boolean, transferChannel: number): Error {
    if (this.status !== ConnectionStatus.CONNECTION_CONNECTED) {
      return this.fail(Error.ERR_UNCONFIGURED, "The multiplayer instance isn't currently connected to any server or client.");
    }
    if (!isValidTarget(target, (id) => this.peers.has(id))) return this.fail(Error.ERR_INVALID_PARAMETER, `Invalid target peer: ${target}`);
    const { channel, flags } = sendRoute(mode, alwaysOrdered, transferChannel);
    const packet = encodePacket(this.uniqueId, target, payload);
    let err = Error.OK;
    if (!this.server) {
      err = this.peers.get(1)?.send(channel, packet, flags) ?? Error.ERR_BUG;
    } else {
      const how = serverSend(target);
      if (how.kind === 'broadcast') this.conn.broadcast(channel, packet, flags);
      else if (how.kind === 'one') err = this.peers.get(how.peer)?.send(channel, packet, flags) ?? Error.ERR_BUG;
      else for (const id of this.peers.ids()) if (id !== how.except) this.peers.get(id)?.send(channel, packet, flags);
    }
    this.conn.flush();
    return err;
  }

  /** disconnect_peer (server): `now` drops the peer at once and notifies; else a graceful disconnect. */
  disconnectPeer(id: number, now: boolean): void {
    if (!this.server) return this.owner.log("Can't disconnect a peer when not acting as a server.");
    const peer = this.peers.get(id);
    if (!peer) return this.owner.log(`Peer ID ${id} not found in the list of peers.`);
    if (!now) return peer.peerDisconnectLater(0);
    peer.peerDisconnectNow(0);
    if (this.relay) this.notifyOthers(SysMsg.REMOVE_PEER, id);
    this.owner.signal('peer_disconnected', id);
    this.forget(id, peer);
  }

  /**
   * close_connection's first half: an ENet DISCONNECT carrying this peer's id to every
   * connected peer, flushed; the session is closed. Returns whether anything was sent.
   */
  disconnectAll(): boolean {
    this.closed = true;
    this.setEventDriven(false);
    let sent = false;
    for (const id of this.peers.ids()) {
      const p = this.peers.get(id);
      if (p && p.isActive()) {
        p.peerDisconnectNow(this.uniqueId);
        sent = true;
      }
    }
    if (sent) this.conn.flush();
    return sent;
  }

  private notifyOthers(msg: SysMsg, id: number): void {
    for (const other of this.peers.ids()) {
      if (other !== id) quietSend(this.peers.get(other), SYSCH_CONFIG, encodeSysMsg(msg, id), PacketFlag.RELIABLE);
    }
  }

  private forget(id: number, peer: ENetPacketPeer): void {
    this.peers.delete(id);
    this.idOf.delete(peer);
  }

  private fail(code: Error, message: string): Error {
    this.owner.log(message);
    return code;
  }
}
