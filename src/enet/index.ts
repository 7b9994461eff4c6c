/**
 * gdwire's ENet 1.3 engine: sans-IO, wire-compatible with the C library ENet 1.3.17.
 * Knows nothing of Godot; modules/enet builds Godot's classes on top of it.
 */
export { Host, HOST_DEFAULT_MTU, HOST_DEFAULT_MAXIMUM_PACKET_SIZE, HOST_DEFAULT_MAXIMUM_WAITING_DATA, type HostOptions } from './host.js';
export { Peer } from './peer.js';
export {
  EventType,
  PacketFlag,
  PeerState,
  sameAddress,
  type Address,
  type ConnectEvent,
  type Datagram,
  type DisconnectEvent,
  type HostEvent,
  type Packet,
  type PeerStatistics,
  type ReceiveEvent,
} from './types.js';
export { RangeCoder, type Compressor } from './range-coder.js';
export { crc32 } from './crc32.js';
export * as protocol from './protocol.js';
export { decodeDatagram, decodeHeader, decodeCommands, type DecodedDatagram } from './wire-decode.js';
export { encodeDatagram } from './wire-encode.js';
