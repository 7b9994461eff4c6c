/**
 * A command queued for sending or in flight, and the packed form of queued acknowledgements.
 *
 * ENet keeps one outgoing list per peer and walks it on every send, and searches the
 * sent-reliable list linearly for every acknowledgement. Here queued commands sit in per-kind
 * FIFOs (peer.ts; plain data commands as rows, outgoing-queue.ts), and commands in flight in
 * the sent queue (sent-queue.ts), found by (channel, sequence number) in O(1) per
 * acknowledgement.
 *
 * @see enet enet.h ENetOutgoingCommand, protocol.c enet_protocol_remove_sent_reliable_command
 */
import { COMMAND_FLAG_ACKNOWLEDGE, type Command, type ProtocolCommand } from './protocol.js';
import type { Packet } from './types.js';

/**
 * The `packet` of a plain data command: it carries a payload (window and throttle accounting
 * test `packet !== null`) but no per-message Packet object survives with it — the payload is
 * the command's own `data`. Fragments keep their real packet (their identity groups them).
 */
export const WHOLE_PACKET: Packet = Object.freeze({ data: new Uint8Array(0), flags: 0 });

export class OutgoingCommand {
  /**
   * The command as it goes on the wire (sequence numbers are filled in when queued), or null
   * for a plain SEND_RELIABLE / SEND_UNRELIABLE / SEND_UNSEQUENCED, whose wire fields are this
   * object's own (type … unsequencedGroup, dataBuffer/dataOffset): one object per message instead of two, which
   * matters when many messages wait (profile: GC with 200k queued).
   */
  command: Command | null;
  /** The command number (a copy of command.type when there is a command). */
  type: ProtocolCommand;
  flags: number;
  channelID: number;
  /** Payload of a plain data command: `fragmentLength` bytes of this at `dataOffset` (null when `command` is set). */
  dataBuffer: Uint8Array | null;
  dataOffset: number;
  unsequencedGroup = 0;
  packet: Packet | null;
  fragmentOffset: number;
  fragmentLength: number;
  reliableSequenceNumber = 0;
  unreliableSequenceNumber = 0;
  sentTime = 0;
  roundTripTimeout = 0;
  roundTripTimeoutLimit = 0;
  sendAttempts = 0;
  /** Enqueue order, to interleave the per-kind queues the way ENet's single list would. */
  order = 0;
  /** Acknowledged while waiting in a resend queue: skipped when it reaches the front. */
  acknowledged = false;
  /** In the peer's sent queue (sent-queue.ts), as its entry number `sentEntry`. */
  inSentList = false;
  sentEntry = 0;
  /**
   * A queue's reusable view of its front row (outgoing-queue.ts): valid until that queue
   * makes its next-but-one front, never kept by the engine (a reliable one goes into the sent
   * queue as a row).
   */
  isRowView = false;

  constructor(
    command: Command | null,
    type: ProtocolCommand,
    flags: number,
    channelID: number,
    dataBuffer: Uint8Array | null,
    dataOffset: number,
    packet: Packet | null,
    fragmentOffset: number,
    fragmentLength: number,
  ) {
    this.command = command;
    this.type = type;
    this.flags = flags;
    this.channelID = channelID;
    this.dataBuffer = dataBuffer;
    this.dataOffset = dataOffset;
    this.packet = packet;
    this.fragmentOffset = fragmentOffset;
    this.fragmentLength = fragmentLength;
  }

  get isReliable(): boolean {
    return (this.flags & COMMAND_FLAG_ACKNOWLEDGE) !== 0;
  }
}

/** A queued acknowledgement, packed in one number: channel, sequence, sent time, DISCONNECT bit. */
export function packAcknowledgement(channelID: number, seq: number, sentTime: number, isDisconnect: boolean): number {
  const low = (((seq & 0xffff) << 16) | (sentTime & 0xffff)) >>> 0;
  return (channelID * 2 + (isDisconnect ? 1 : 0)) * 0x1_0000_0000 + low;
}

/**
 * The fields of a packed acknowledgement, read one at a time: the send path unpacks one per
 * acknowledged command, and a result object each time showed in the profile.
 */
export const ackChannel = (packed: number): number => Math.floor(packed / 0x1_0000_0000) >>> 1;
export const ackSequence = (packed: number): number => (packed % 0x1_0000_0000) >>> 16;
export const ackSentTime = (packed: number): number => (packed % 0x1_0000_0000) & 0xffff;
export const ackIsDisconnect = (packed: number): boolean => (Math.floor(packed / 0x1_0000_0000) & 1) === 1;
