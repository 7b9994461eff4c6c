/**
 * Godot's classes over gdwire's ENet engine: ENetConnection and ENetPacketPeer (Godot 4), and
 * the driver that runs an engine host on a platform socket.
 */
export {
  ENetConnection, CompressionMode, EventType, HostStatistic,
  type ENetConnectionEvent, type ENetConnectionOptions, type ServiceResult,
} from './enet-connection.js';
export { ENetPacketPeer, PeerState, PeerStatistic, FLAG_ALLOWED } from './enet-packet-peer.js';
export { ENetHostDriver, MAX_EVENTS_PER_PUMP, type DriverHostOptions } from './enet-driver.js';
export { ENetMultiplayerPeer, type ENetMultiplayerPeerOptions } from './enet-multiplayer-peer.js';
export { NetworkedMultiplayerENet } from './networked-multiplayer-enet.js';
export { NetworkedMultiplayerENetCompressionMode } from './compression/enet-compressor.js';
