/**
 * ENet datagram decoder. ENet's wire format is BIG-ENDIAN (network byte order) throughout;
 * DataView's default byte order is big-endian, which is what every read below relies on.
 *
 * Contract: nothing here throws on any input. A malformed header gives `null`; commands are
 * parsed one at a time and parsing stops at the first one that does not fit, exactly as
 * ENet's receive loop stops (earlier, well-formed commands still count).
 *
 * @see enet protocol.c enet_protocol_handle_incoming_commands (header and command framing)
 */
import {
  CHECKSUM_SIZE,
  COMMAND_FLAG_ACKNOWLEDGE,
  COMMAND_FLAG_UNSEQUENCED,
  COMMAND_HEADER_SIZE,
  COMMAND_SIZES,
  HEADER_FLAG_COMPRESSED,
  HEADER_FLAG_MASK,
  HEADER_FLAG_SENT_TIME,
  HEADER_SESSION_MASK,
  HEADER_SESSION_SHIFT,
  HEADER_SIZE_FULL,
  HEADER_SIZE_MIN,
  PROTOCOL_COMMAND_COUNT,
  PROTOCOL_COMMAND_MASK,
  ProtocolCommand,
  type Command,
  type ConnectParameters,
  type ProtocolHeader,
} from './protocol.js';

export interface DecodedHeader extends ProtocolHeader {
  /** Bytes taken by the header, including the checksum field when present. */
  headerSize: number;
}

/** Creates the big-endian view the decoders read through. */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Decodes the datagram header. `withChecksum` says whether the host uses checksums: the wire
 * carries no flag for it, both ends must agree.
 * @returns null when the datagram is too short for the header it announces
 */
export function decodeHeader(bytes: Uint8Array, withChecksum: boolean, view?: DataView): DecodedHeader | null {
  if (bytes.length < HEADER_SIZE_MIN) return null;
  view ??= viewOf(bytes);
  const word = view.getUint16(0);
  const flags = word & HEADER_FLAG_MASK;
  const hasSentTime = (flags & HEADER_FLAG_SENT_TIME) !== 0;
  let headerSize = hasSentTime ? HEADER_SIZE_FULL : HEADER_SIZE_MIN;
  if (withChecksum) headerSize += CHECKSUM_SIZE;
  // ENet itself only insists on the 2-byte peer id; a header that announces more than the
  // datagram holds cannot carry a command, so it is refused here.
  if (bytes.length < headerSize) return null;
  return {
    peerID: word & ~(HEADER_FLAG_MASK | HEADER_SESSION_MASK) & 0xffff,
    sessionID: (word & HEADER_SESSION_MASK) >>> HEADER_SESSION_SHIFT,
    compressed: (flags & HEADER_FLAG_COMPRESSED) !== 0,
    sentTime: hasSentTime ? view.getUint16(2) : undefined,
    checksum: withChecksum ? view.getUint32(headerSize - CHECKSUM_SIZE) : undefined,
    headerSize,
  };
}

/**
 * Offset of the byte after the command {@link decodeCommand} returned last (and its payload).
 * A module variable rather than a { command, next } pair: the pair was one more allocation
 * per received command (profile).
 */
export let decodedEnd = 0;

function connectParameters(view: DataView, o: number): ConnectParameters {
  return {
    outgoingPeerID: view.getUint16(o + 4),
    incomingSessionID: view.getUint8(o + 6),
    outgoingSessionID: view.getUint8(o + 7),
    mtu: view.getUint32(o + 8),
    windowSize: view.getUint32(o + 12),
    channelCount: view.getUint32(o + 16),
    incomingBandwidth: view.getUint32(o + 20),
    outgoingBandwidth: view.getUint32(o + 24),
    packetThrottleInterval: view.getUint32(o + 28),
    packetThrottleAcceleration: view.getUint32(o + 32),
    packetThrottleDeceleration: view.getUint32(o + 36),
    connectID: view.getUint32(o + 40),
  };
}

/**
 * Decodes the command at `offset`. The payload of SEND_* commands is returned as a view
 * into `bytes` (no copy): copy it before `bytes` is reused.
 * @returns the command (its end in {@link decodedEnd}), or null when no complete command
 *   starts at `offset` (end of data, NONE, an unknown command number, a truncated fixed part
 *   or a payload running past the end)
 */
export function decodeCommand(bytes: Uint8Array, view: DataView, offset: number): Command | null {
  const end = bytes.length;
  if (offset + COMMAND_HEADER_SIZE > end) return null;
  const byte0 = view.getUint8(offset);
  const type = byte0 & PROTOCOL_COMMAND_MASK;
  if (type >= PROTOCOL_COMMAND_COUNT) return null;
  const size = COMMAND_SIZES[type] ?? 0;
  if (size === 0 || offset + size > end) return null;
  const flags = byte0 & (COMMAND_FLAG_ACKNOWLEDGE | COMMAND_FLAG_UNSEQUENCED);
  const channelID = view.getUint8(offset + 1);
  const reliableSequenceNumber = view.getUint16(offset + 2);
  // Plain literals and no per-call closure: object spreads of a `base` took V8's slow path
  // on every received command (profile: per-command allocations, mostly ACKs). Only the rare
  // CONNECT/VERIFY_CONNECT still spread.
  const o = offset;
  let next = offset + size;
  let command: Command;
  switch (type as ProtocolCommand) {
    case ProtocolCommand.ACKNOWLEDGE:
      command = {
        type: ProtocolCommand.ACKNOWLEDGE,
        flags, channelID, reliableSequenceNumber,
        receivedReliableSequenceNumber: view.getUint16(o + 4),
        receivedSentTime: view.getUint16(o + 6),
      };
      break;
    case ProtocolCommand.CONNECT:
      command = { type: ProtocolCommand.CONNECT, flags, channelID, reliableSequenceNumber, ...connectParameters(view, o), data: view.getUint32(o + 44) };
      break;
    case ProtocolCommand.VERIFY_CONNECT:
      command = { type: ProtocolCommand.VERIFY_CONNECT, flags, channelID, reliableSequenceNumber, ...connectParameters(view, o) };
      break;
    case ProtocolCommand.DISCONNECT:
      command = { type: ProtocolCommand.DISCONNECT, flags, channelID, reliableSequenceNumber, data: view.getUint32(o + 4) };
      break;
    case ProtocolCommand.PING:
      command = { type: ProtocolCommand.PING, flags, channelID, reliableSequenceNumber };
      break;
    case ProtocolCommand.SEND_RELIABLE: {
      const data = payloadAt(bytes, next, view.getUint16(o + 4), end);
      if (data === null) return null;
      next += data.length;
      command = { type: ProtocolCommand.SEND_RELIABLE, flags, channelID, reliableSequenceNumber, data };
      break;
    }
    case ProtocolCommand.SEND_UNRELIABLE: {
      const data = payloadAt(bytes, next, view.getUint16(o + 6), end);
      if (data === null) return null;
      next += data.length;
      command = { type: ProtocolCommand.SEND_UNRELIABLE, flags, channelID, reliableSequenceNumber, unreliableSequenceNumber: view.getUint16(o + 4), data };
      break;
    }
    case ProtocolCommand.SEND_UNSEQUENCED: {
      const data = payloadAt(bytes, next, view.getUint16(o + 6), end);
      if (data === null) return null;
      next += data.length;
      command = { type: ProtocolCommand.SEND_UNSEQUENCED, flags, channelID, reliableSequenceNumber, unsequencedGroup: view.getUint16(o + 4), data };
      break;
    }
    case ProtocolCommand.SEND_FRAGMENT:
    case ProtocolCommand.SEND_UNRELIABLE_FRAGMENT: {
      const data = payloadAt(bytes, next, view.getUint16(o + 6), end);
      if (data === null) return null;
      next += data.length;
      command = {
        type: type as ProtocolCommand.SEND_FRAGMENT | ProtocolCommand.SEND_UNRELIABLE_FRAGMENT,
        flags, channelID, reliableSequenceNumber,
        startSequenceNumber: view.getUint16(o + 4),
        fragmentCount: view.getUint32(o + 8),
        fragmentNumber: view.getUint32(o + 12),
        totalLength: view.getUint32(o + 16),
        fragmentOffset: view.getUint32(o + 20),
        data,
      };
      break;
    }
    case ProtocolCommand.BANDWIDTH_LIMIT:
      command = {
        type: ProtocolCommand.BANDWIDTH_LIMIT,
        flags, channelID, reliableSequenceNumber,
        incomingBandwidth: view.getUint32(o + 4),
        outgoingBandwidth: view.getUint32(o + 8),
      };
      break;
    case ProtocolCommand.THROTTLE_CONFIGURE:
      command = {
        type: ProtocolCommand.THROTTLE_CONFIGURE,
        flags, channelID, reliableSequenceNumber,
        packetThrottleInterval: view.getUint32(o + 4),
        packetThrottleAcceleration: view.getUint32(o + 8),
        packetThrottleDeceleration: view.getUint32(o + 12),
      };
      break;
    default:
      return null;
  }
  decodedEnd = next;
  return command;
}

/** `length` payload bytes at `at`, or null when they run past `end`. */
function payloadAt(bytes: Uint8Array, at: number, length: number, end: number): Uint8Array | null {
  return at + length > end ? null : bytes.subarray(at, at + length);
}

export interface DecodedDatagram {
  header: DecodedHeader;
  /** The commands parsed before the end of the data or the first malformed one. */
  commands: Command[];
  /** False when parsing stopped at a malformed command before the end of the data. */
  complete: boolean;
}

/**
 * Decodes a whole (uncompressed) datagram for inspection and tests. A compressed datagram
 * decodes its header only: pass the decompressed body to {@link decodeCommands}.
 */
export function decodeDatagram(bytes: Uint8Array, withChecksum = false): DecodedDatagram | null {
  const header = decodeHeader(bytes, withChecksum);
  if (header === null) return null;
  if (header.compressed) return { header, commands: [], complete: false };
  const { commands, complete } = decodeCommands(bytes, header.headerSize);
  return { header, commands, complete };
}

/** Decodes commands from `offset` to the end of `bytes`, stopping at the first malformed one. */
export function decodeCommands(bytes: Uint8Array, offset = 0): { commands: Command[]; complete: boolean } {
  const view = viewOf(bytes);
  const commands: Command[] = [];
  let at = offset;
  while (at < bytes.length) {
    const command = decodeCommand(bytes, view, at);
    if (command === null) return { commands, complete: false };
    commands.push(command);
    at = decodedEnd;
  }
  return { commands, complete: true };
}
