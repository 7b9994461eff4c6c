/**
 * Godot 4 SceneMultiplayer wire protocol: sans-IO codecs and a relay-server state machine.
 * @see godot-wire.md §6.2–§6.8
 */
export {
  NetworkCommand, SysCommand, SYS_CMD_SIZE, CMD_MASK, CMD_FLAG_0_SHIFT, CMD_FLAG_1_SHIFT,
  CMD_FLAG_2_SHIFT, CMD_FLAG_3_SHIFT, REFUSAL_REASONS, commandOf, commandFlagsOf, encodeCommandByte,
  encodeAuth, encodeAuthComplete, encodeAddPeer, encodeDelPeer, encodeRelay, encodeSys, decodeSys,
  encodeRaw, decodeRaw,
  type RefusalReason, type Refusal, type Decoded, type SysMessage,
} from './scene-multiplayer-protocol.js';
export {
  DEFAULT_SCENE_GODOT_VERSION, DEFAULT_ID_FORMAT_SINCE, DEFAULT_ID_FORMAT_BACKPORTS,
  parseSceneVersion, compareSceneVersions, pathCacheFormatOf, variantProfileOf,
  type SceneGodotVersion, type PathCacheFormat, type PathCacheFormatOptions,
} from './scene-version.js';
export {
  SIMPLIFY_PATH_HEADER, CONFIRM_PATH_ID_SIZE, encodeSimplifyPath, decodeSimplifyPath,
  encodeConfirmPath, decodeConfirmPath, type SimplifyPath, type ConfirmPath,
} from './scene-cache-interface.js';
export {
  VARIANT_META_TYPE_MASK, VARIANT_META_EMODE_MASK, VARIANT_META_BOOL_MASK, ENCODE_8, ENCODE_16,
  ENCODE_32, ENCODE_64, encodeAndCompressVariant, encodeAndCompressVariants,
  decodeAndDecompressVariant, decodeAndDecompressVariants,
  type ArgCodecOptions, type EncodedArgs, type DecodedArg,
} from './multiplayer-api.js';
export {
  NODE_ID_COMPRESSION_FLAG, NAME_ID_COMPRESSION_FLAG, BYTE_ONLY_OR_NO_ARGS_FLAG, NODE_PATH_FLAG,
  encodeRpc, encodeRpcPacket, decodeRpc, decodeRpcArgs,
  type RpcPacket, type RpcCall, type NodeIdSize, type MethodIdSize,
} from './scene-rpc-interface.js';
export {
  DROP_REASONS, roomsBy,
  type DropReason, type AuthDecision, type SceneRelayAction, type SceneRelaySend, type SceneRelayServerOptions,
} from './scene-relay-types.js';
export { SceneRelayServer } from './scene-relay-server.js';
