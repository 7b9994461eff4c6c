/**
 * gdwire — Godot Engine's networking stack for Node.js.
 * Godot names in camelCase, Godot defaults, Godot Error numbers (see README "The naming rule").
 */
export { Error, errorName, GodotError } from './core/error.js';

// Variant model
export { VariantType, VariantType3 } from './core/variant/variant-type.js';
export type { Variant, VariantRecord, GodotVersion } from './core/variant/variant.js';
export { Vector2, Vector2i, Vector3, Vector3i, Vector4, Vector4i, REAL_IS_DOUBLE } from './core/variant/vectors.js';
export { Rect2, Rect2i, Plane, Quaternion, Quat, AABB, Color } from './core/variant/geometry.js';
export { Transform2D, Basis, Transform3D, Transform, Projection } from './core/variant/transforms.js';
export { Float, float, StringName, RID } from './core/variant/scalars.js';
export { NodePath } from './core/variant/node-path.js';
export { EncodedObjectAsID, GodotObject, Callable, Signal } from './core/variant/object.js';
export { TypedArray, TypedDictionary, builtin, type ContainerType } from './core/variant/containers.js';
export {
  PackedStringArray, PackedVector2Array, PackedVector3Array, PackedVector4Array, PackedColorArray,
} from './core/variant/packed.js';

// Variant codec
export {
  varToBytes, bytesToVar, encodeVariant, decodeVariant, variantEquals, typeOf, profileOf,
  defaultClassExists, DEFAULT_MAX_DEPTH,
  type EncodeOptions, type DecodeOptions, type DecodeResult, type Profile,
} from './core/variant/codec.js';

// Packets and UDP
export { PacketPeer, DEFAULT_ENCODE_BUFFER_MAX_SIZE, type PacketPeerOptions } from './core/io/packet-peer.js';
export { PacketPeerUDP, type PacketPeerUDPOptions, type UDPPacket } from './core/io/packet-peer-udp.js';
export { UDPServer, type UDPServerOptions } from './core/io/udp-server.js';

// Platform seam (tests and custom transports)
export type {
  Platform, Clock, Random, Timers, Logger, LogLevel, Network, DatagramSocket, SocketAddress, SocketFamily,
} from './platform/platform.js';
export { nodePlatform } from './platform/node-platform.js';
export { defaultPlatform, setDefaultPlatform } from './platform/default.js';

// ENet (Godot 4 classes) and packet compression
export {
  ENetConnection, CompressionMode, EventType as ENetEventType, HostStatistic,
  ENetPacketPeer, PeerState as ENetPeerState, PeerStatistic,
  type ENetConnectionEvent, type ENetConnectionOptions, type ServiceResult,
} from './modules/enet/index.js';
export { Compression } from './modules/enet/compression/index.js';

// Multiplayer
export {
  MultiplayerPeer, TransferMode, ConnectionStatus, TARGET_PEER_BROADCAST, TARGET_PEER_SERVER,
  type MultiplayerPeerOptions, type MultiplayerPacket,
} from './multiplayer/multiplayer-peer.js';
export { ENetMultiplayerPeer, type ENetMultiplayerPeerOptions } from './modules/enet/index.js';
export { NetworkedMultiplayerENet, NetworkedMultiplayerENetCompressionMode } from './modules/enet/index.js';

// DTLS and crypto
export { PacketPeerDTLS, DTLSStatus, type PacketPeerDTLSOptions } from './core/io/packet-peer-dtls.js';
export { DTLSServer, type DTLSServerOptions } from './core/io/dtls-server.js';
export { TLSOptions, TLSVerifyMode } from './core/crypto/tls-options.js';
export { CryptoKey } from './core/crypto/crypto-key.js';
export { X509Certificate } from './core/crypto/x509-certificate.js';
export { Crypto, HashType, type CryptoOptions } from './core/crypto/crypto.js';
export { isNativeAvailable, nativeLoadError } from './core/crypto/native.js';
export type { DTLSTuning } from './core/crypto/dtls-context.js';
