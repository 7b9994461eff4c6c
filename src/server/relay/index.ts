/**
 * The relay core of `gdwire serve`: Godot 4 (ENetMultiplayerPeer + SceneMultiplayer relay,
 * rooms chosen in the auth exchange) and Godot 3.2 (NetworkedMultiplayerENet server relay).
 */
export { createRelayCore } from './relay-core.js';
export { Godot4RelayCore } from './godot4-relay-core.js';
export { Godot3RelayCore } from './godot3-relay-core.js';
export { RelayCoreBase, type PeerRecord } from './relay-core-base.js';
export { DEFAULT_RELAY_OPTIONS, resolveRelayOptions, type RelayCoreOptions } from './relay-options.js';
export { RoomDirectory, type RoomDirectoryOptions, type JoinResult } from './room-directory.js';
export {
  ROOM_REQUEST_PREFIX, MAX_ROOM_NAME, ROOM_REFUSALS, isValidRoomName, parseRoomRequest, encodeRoomRequest,
  encodeRoomAccepted, encodeRoomRefused, parseRoomAnswer, type RoomRefusal, type RoomRequest,
} from './room-auth.js';
