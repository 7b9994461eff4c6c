/**
 * The ENet-level protocol of Godot 4's ENetMultiplayerPeer as pure functions: which ENet channel
 * and packet flags a transfer mode uses, how a received packet's channel and flags read back,
 * how many channels each side asks for, which CONNECT is admitted, and which ENet peers a
 * target id reaches. No state, no I/O — the class in enet-multiplayer-peer.ts applies them.
 * @see godot modules/enet/enet_multiplayer_peer.cpp (4.1+: put_packet, _store_packet,
 *      get_packet_channel, create_server, create_client, poll)
 *
 * Godot 4.x has **no per-packet header** (3.x prefixed 8 bytes of source/target ids): the
 * payload given to put_packet is the ENet packet, byte for byte. Relaying between clients is
 * SceneMultiplayer's business (SYS RELAY messages), not this layer's.
 */
import { PacketFlag } from '../../enet/types.js';
import { TransferMode } from '../../multiplayer/multiplayer-peer.js';

const TM = TransferMode;

/** ENet channel of reliable packets on the default transfer channel. @see godot SYSCH_RELIABLE */
export const SYSCH_RELIABLE = 0;
/** ENet channel of unreliable (sequenced or not) packets on the default channel. */
export const SYSCH_UNRELIABLE = 1;
/** Channels reserved by the peer; transfer channel c > 0 is ENet channel SYSCH_MAX + c − 1. */
export const SYSCH_MAX = 2;
/** ENet's most channels per connection (ENET_PROTOCOL_MAXIMUM_CHANNEL_COUNT); 0 asks for it. */
export const ENET_MAX_CHANNELS = 255;
/** Godot's get_max_packet_size(): "anything is good". */
export const MAX_PACKET_SIZE = 1 << 24;

export interface SendRoute {
  /** The ENet channel. */
  channel: number;
  /** ENetPacketPeer.FLAG_* bits (ENet's packet flags). */
  flags: number;
}

/**
 * The ENet channel and flags put_packet uses. The mode picks the flags (RELIABLE; UNSEQUENCED
 * and UNRELIABLE_FRAGMENT; UNRELIABLE_FRAGMENT alone) and the default channel (0 reliable,
 * 1 unreliable); a transfer channel c > 0 replaces the channel by c + 1 and keeps the flags.
 * UNRELIABLE_FRAGMENT only matters above the MTU: ENet then fragments unreliably instead of
 * turning the packet reliable.
 */
export function sendRoute(mode: TransferMode, transferChannel: number): SendRoute {
  let route: SendRoute;
  switch (mode) {
    case TM.TRANSFER_MODE_UNRELIABLE:
      route = { channel: SYSCH_UNRELIABLE, flags: PacketFlag.UNSEQUENCED | PacketFlag.UNRELIABLE_FRAGMENT };
      break;
    case TM.TRANSFER_MODE_UNRELIABLE_ORDERED:
      route = { channel: SYSCH_UNRELIABLE, flags: PacketFlag.UNRELIABLE_FRAGMENT };
      break;
    default:
      route = { channel: SYSCH_RELIABLE, flags: PacketFlag.RELIABLE };
      break;
  }
  if (transferChannel > 0) route.channel = SYSCH_MAX + transferChannel - 1;
  return route;
}

/**
 * The transfer mode a received packet reports, from the flags ENet gives it: RELIABLE if
 * reliable, UNRELIABLE if unsequenced, else UNRELIABLE_ORDERED. (So an UNRELIABLE packet above
 * the MTU, which ENet sends as sequenced unreliable fragments, reads back UNRELIABLE_ORDERED —
 * as in Godot.)
 */
export function packetMode(flags: number): TransferMode {
  if (flags & PacketFlag.RELIABLE) return TM.TRANSFER_MODE_RELIABLE;
  if (flags & PacketFlag.UNSEQUENCED) return TM.TRANSFER_MODE_UNRELIABLE;
  return TM.TRANSFER_MODE_UNRELIABLE_ORDERED;
}

/** The transfer channel a received packet reports: 0 for ENet channels 0–1, else channel − 1. */
export function packetChannel(enetChannel: number): number {
  return enetChannel >= SYSCH_MAX ? enetChannel - SYSCH_MAX + 1 : 0;
}

/**
 * ENet channels a client requests in CONNECT: `channelCount` user channels plus the two
 * reserved ones, or 0 = 255 (ENet's maximum) when `channelCount` is 0. Above 253 the request is
 * clamped to 255 by ENetConnection.
 */
export function clientChannelCount(channelCount: number): number {
  return channelCount > 0 ? channelCount + SYSCH_MAX : 0;
}

/**
 * The server host's channel limit: `maxChannels` user channels plus the two reserved ones, or
 * 0 = 255 when 0. (Godot 4's create_server passes this value as the host's *incoming bandwidth*
 * and leaves the channel limit at 255 — see docs/DEVIATIONS.md; gdwire applies it as meant.)
 */
export function serverChannelLimit(maxChannels: number): number {
  return maxChannels > 0 ? Math.min(maxChannels + SYSCH_MAX, ENET_MAX_CHANNELS) : 0;
}

/** What a server does with an ENet CONNECT (Godot resets every refused one silently). */
export enum ConnectVerdict {
  ACCEPT = 0,
  /** refuse_new_connections is on. */
  REFUSED = 1,
  /** The CONNECT data (the client's id) is below 2: 0 and 1 (the server) are not client ids. */
  INVALID_ID = 2,
  /** Another connected peer has this id. */
  ID_IN_USE = 3,
}

/**
 * Admission of an ENet CONNECT by a server: `data` is the event's data as Godot reads it (a
 * signed 32-bit int, so ids with bit 31 set are below 2 too).
 */
export function admit(data: number, refusing: boolean, inUse: (id: number) => boolean): ConnectVerdict {
  if (refusing) return ConnectVerdict.REFUSED;
  if ((data | 0) < 2) return ConnectVerdict.INVALID_ID;
  if (inUse(data | 0)) return ConnectVerdict.ID_IN_USE;
  return ConnectVerdict.ACCEPT;
}

export type PeerMode = 'server' | 'client' | 'mesh';

/** Where put_packet sends: ENet broadcast on the server's host, or these peer ids. */
export type Route = { broadcast: true } | { broadcast: false; ids: number[] };

/**
 * put_packet's target check: 0 (broadcast) always passes; any other target needs a known peer
 * |target| (so a client, which knows only the server, can target 0, 1 or −1).
 */
export function isValidTarget(target: number, has: (id: number) => boolean): boolean {
  return target === 0 || has(Math.abs(target));
}

/**
 * The peers a packet for `target` goes to (the target was validated).
 * - server: 0 = ENet broadcast to every connected peer of the host; −n = every peer but n;
 *   n = peer n.
 * - client: always the server (peer 1), whatever the target.
 * - mesh: 0 or −n = every peer but |target|; n = peer n.
 */
export function route(mode: PeerMode, target: number, peerIds: Iterable<number>): Route {
  if (mode === 'client') return { broadcast: false, ids: [1] };
  if (mode === 'server' && target === 0) return { broadcast: true };
  if (target > 0) return { broadcast: false, ids: [target] };
  const exclude = -target;
  return { broadcast: false, ids: [...peerIds].filter((id) => id !== exclude) };
}
