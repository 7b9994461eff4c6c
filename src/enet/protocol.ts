/**
 * ENet 1.3 protocol: constants, command numbers, flags and the typed shape of every command.
 * The byte layouts live in wire-decode.ts / wire-encode.ts; everything here is plain data.
 *
 * @see enet include/enet/protocol.h (ENetProtocol* structs and enums)
 * @see enet include/enet/enet.h (host and peer defaults)
 */

// ---- protocol limits (@see enet protocol.h, anonymous enum) -----------------------------------
export const PROTOCOL_MINIMUM_MTU = 576;
export const PROTOCOL_MAXIMUM_MTU = 4096;
export const PROTOCOL_MAXIMUM_PACKET_COMMANDS = 32;
export const PROTOCOL_MINIMUM_WINDOW_SIZE = 4096;
export const PROTOCOL_MAXIMUM_WINDOW_SIZE = 65536;
export const PROTOCOL_MINIMUM_CHANNEL_COUNT = 1;
export const PROTOCOL_MAXIMUM_CHANNEL_COUNT = 255;
/** Peer id 0xFFF in a header means "no peer yet" (a CONNECT). */
export const PROTOCOL_MAXIMUM_PEER_ID = 0xfff;
export const PROTOCOL_MAXIMUM_FRAGMENT_COUNT = 1024 * 1024;

/** Command numbers: the low 4 bits of a command header's first byte. */
export enum ProtocolCommand {
  NONE = 0,
  ACKNOWLEDGE = 1,
  CONNECT = 2,
  VERIFY_CONNECT = 3,
  DISCONNECT = 4,
  PING = 5,
  SEND_RELIABLE = 6,
  SEND_UNRELIABLE = 7,
  SEND_FRAGMENT = 8,
  SEND_UNSEQUENCED = 9,
  BANDWIDTH_LIMIT = 10,
  THROTTLE_CONFIGURE = 11,
  SEND_UNRELIABLE_FRAGMENT = 12,
}
export const PROTOCOL_COMMAND_COUNT = 13;
export const PROTOCOL_COMMAND_MASK = 0x0f;

/** Flags in the high bits of a command header's first byte. */
export const COMMAND_FLAG_ACKNOWLEDGE = 1 << 7;
export const COMMAND_FLAG_UNSEQUENCED = 1 << 6;

/** Flags and session bits in the 16-bit peer-id word of the datagram header. */
export const HEADER_FLAG_COMPRESSED = 1 << 14;
export const HEADER_FLAG_SENT_TIME = 1 << 15;
export const HEADER_FLAG_MASK = HEADER_FLAG_COMPRESSED | HEADER_FLAG_SENT_TIME;
export const HEADER_SESSION_MASK = 3 << 12;
export const HEADER_SESSION_SHIFT = 12;

// ---- sizes on the wire ------------------------------------------------------------------------
/** peerID(2); the sentTime(2) that follows is present only with HEADER_FLAG_SENT_TIME. */
export const HEADER_SIZE_MIN = 2;
/** sizeof(ENetProtocolHeader): peerID + sentTime. */
export const HEADER_SIZE_FULL = 4;
/** The optional checksum after the header (when the host uses one). */
export const CHECKSUM_SIZE = 4;
/** command(1) channelID(1) reliableSequenceNumber(2). */
export const COMMAND_HEADER_SIZE = 4;

/**
 * Size of each command's fixed part (header + body, not the payload), indexed by command
 * number; 0 means "not a command" and stops parsing.
 * @see enet protocol.c commandSizes
 */
export const COMMAND_SIZES: readonly number[] = [
  0, // NONE
  8, // ACKNOWLEDGE: +receivedReliableSequenceNumber(2) receivedSentTime(2)
  48, // CONNECT: +outgoingPeerID(2) in/outSession(1+1) mtu windowSize channelCount inBW outBW
  //     throttleInterval accel decel connectID data (10 × 4)
  44, // VERIFY_CONNECT: as CONNECT without data
  8, // DISCONNECT: +data(4)
  4, // PING
  6, // SEND_RELIABLE: +dataLength(2)
  8, // SEND_UNRELIABLE: +unreliableSequenceNumber(2) dataLength(2)
  24, // SEND_FRAGMENT: +startSequenceNumber(2) dataLength(2) fragmentCount fragmentNumber
  //     totalLength fragmentOffset (4 × 4)
  8, // SEND_UNSEQUENCED: +unsequencedGroup(2) dataLength(2)
  12, // BANDWIDTH_LIMIT: +incomingBandwidth(4) outgoingBandwidth(4)
  16, // THROTTLE_CONFIGURE: +interval(4) acceleration(4) deceleration(4)
  24, // SEND_UNRELIABLE_FRAGMENT: same body as SEND_FRAGMENT
];

/** @see enet protocol.c enet_protocol_command_size */
export function commandSize(commandByte: number): number {
  return COMMAND_SIZES[commandByte & PROTOCOL_COMMAND_MASK] ?? 0;
}

// ---- typed commands ---------------------------------------------------------------------------
/** Fields every command carries (ENetProtocolCommandHeader). */
export interface CommandBase {
  /** COMMAND_FLAG_ACKNOWLEDGE and/or COMMAND_FLAG_UNSEQUENCED (high bits of the command byte). */
  flags: number;
  /** 0..254 for a channel, 0xFF for connection-level commands. */
  channelID: number;
  reliableSequenceNumber: number;
}

export interface AcknowledgeCommand extends CommandBase {
  type: ProtocolCommand.ACKNOWLEDGE;
  receivedReliableSequenceNumber: number;
  /** Low 16 bits of the sender's clock from the acknowledged datagram's header. */
  receivedSentTime: number;
}

/** The parameters shared by CONNECT and VERIFY_CONNECT. */
export interface ConnectParameters {
  outgoingPeerID: number;
  incomingSessionID: number;
  outgoingSessionID: number;
  mtu: number;
  windowSize: number;
  channelCount: number;
  incomingBandwidth: number;
  outgoingBandwidth: number;
  packetThrottleInterval: number;
  packetThrottleAcceleration: number;
  packetThrottleDeceleration: number;
  /** Opaque 32 bits chosen by the connecting side; read and written big-endian here. */
  connectID: number;
}

export interface ConnectCommand extends CommandBase, ConnectParameters {
  type: ProtocolCommand.CONNECT;
  /** User data (Godot: the client's peer id). */
  data: number;
}

export interface VerifyConnectCommand extends CommandBase, ConnectParameters {
  type: ProtocolCommand.VERIFY_CONNECT;
}

export interface DisconnectCommand extends CommandBase {
  type: ProtocolCommand.DISCONNECT;
  data: number;
}

export interface PingCommand extends CommandBase {
  type: ProtocolCommand.PING;
}

export interface SendReliableCommand extends CommandBase {
  type: ProtocolCommand.SEND_RELIABLE;
  /** The payload (dataLength on the wire is data.length). */
  data: Uint8Array;
}

export interface SendUnreliableCommand extends CommandBase {
  type: ProtocolCommand.SEND_UNRELIABLE;
  unreliableSequenceNumber: number;
  data: Uint8Array;
}

export interface SendUnsequencedCommand extends CommandBase {
  type: ProtocolCommand.SEND_UNSEQUENCED;
  unsequencedGroup: number;
  data: Uint8Array;
}

/** SEND_FRAGMENT (reliable) and SEND_UNRELIABLE_FRAGMENT share one layout. */
export interface SendFragmentCommand extends CommandBase {
  type: ProtocolCommand.SEND_FRAGMENT | ProtocolCommand.SEND_UNRELIABLE_FRAGMENT;
  startSequenceNumber: number;
  fragmentCount: number;
  fragmentNumber: number;
  totalLength: number;
  fragmentOffset: number;
  data: Uint8Array;
}

export interface BandwidthLimitCommand extends CommandBase {
  type: ProtocolCommand.BANDWIDTH_LIMIT;
  incomingBandwidth: number;
  outgoingBandwidth: number;
}

export interface ThrottleConfigureCommand extends CommandBase {
  type: ProtocolCommand.THROTTLE_CONFIGURE;
  packetThrottleInterval: number;
  packetThrottleAcceleration: number;
  packetThrottleDeceleration: number;
}

export type Command =
  | AcknowledgeCommand
  | ConnectCommand
  | VerifyConnectCommand
  | DisconnectCommand
  | PingCommand
  | SendReliableCommand
  | SendUnreliableCommand
  | SendUnsequencedCommand
  | SendFragmentCommand
  | BandwidthLimitCommand
  | ThrottleConfigureCommand;

/** Commands that carry a payload after their fixed part. */
export type PayloadCommand =
  | SendReliableCommand
  | SendUnreliableCommand
  | SendUnsequencedCommand
  | SendFragmentCommand;

export function hasPayload(command: Command): command is PayloadCommand {
  return 'data' in command && command.data instanceof Uint8Array;
}

/** The datagram header (ENetProtocolHeader, plus the optional checksum). */
export interface ProtocolHeader {
  /** 12-bit peer id; PROTOCOL_MAXIMUM_PEER_ID (0xFFF) when the sender has none yet. */
  peerID: number;
  /** 2-bit session id. */
  sessionID: number;
  /** The commands after the header are range-coded (or otherwise compressed). */
  compressed: boolean;
  /** Low 16 bits of the sender's clock; present iff the datagram carries a reliable command. */
  sentTime: number | undefined;
  /** The CRC32 field, when the host uses checksums. */
  checksum?: number | undefined;
}

/** Human-readable command name (for logs and tests). */
export function commandName(type: number): string {
  return ProtocolCommand[type] ?? `UNKNOWN(${type})`;
}
