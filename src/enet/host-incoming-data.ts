/**
 * Receive-side handlers for the commands that carry application data: reliable, unreliable,
 * unsequenced, and both kinds of fragment. Split from host-incoming.ts (datagram checks and
 * connection-control commands), which dispatches to them.
 *
 * @see enet protocol.c enet_protocol_handle_send_reliable, _send_unreliable, _send_unsequenced,
 *   _send_fragment, _send_unreliable_fragment
 */
import { Channel, QueueResult, inReceiveWindow, type DataCommandType, type IncomingCommand } from './channel.js';
import type { Host } from './host.js';
import { PEER_FREE_UNSEQUENCED_WINDOWS, PEER_UNSEQUENCED_WINDOW_SIZE, type Peer } from './peer.js';
import {
  COMMAND_SIZES,
  HEADER_SIZE_FULL,
  PROTOCOL_MAXIMUM_FRAGMENT_COUNT,
  PROTOCOL_MAXIMUM_MTU,
  ProtocolCommand,
  type SendFragmentCommand,
  type SendReliableCommand,
  type SendUnreliableCommand,
  type SendUnsequencedCommand,
} from './protocol.js';
import { PeerState } from './types.js';

/**
 * What a handler made of a command. Both failures stop the datagram, as ENet's commandError
 * does; only MALFORMED counts in host.malformedDatagrams (a refusal is normal protocol life,
 * e.g. data still arriving for a peer that is disconnecting).
 */
export enum Outcome {
  OK,
  REFUSED,
  MALFORMED,
}

/** Largest fragment payload any sender can produce (MTU 4096, no checksum). */
const MAXIMUM_FRAGMENT_PAYLOAD = PROTOCOL_MAXIMUM_MTU - HEADER_SIZE_FULL - COMMAND_SIZES[ProtocolCommand.SEND_FRAGMENT]!;

export function isConnected(peer: Peer): boolean {
  return peer.state === PeerState.CONNECTED || peer.state === PeerState.DISCONNECT_LATER;
}

/** The channel a data command may be delivered on, or why not. */
export function dataChannel(host: Host, peer: Peer, channelID: number, dataLength: number): Channel | Outcome {
  if (!isConnected(peer)) return Outcome.REFUSED;
  if (dataLength > host.maximumPacketSize) return Outcome.MALFORMED;
  return peer.channels[channelID] ?? Outcome.MALFORMED;
}

function queueIncoming(
  peer: Peer,
  channel: Channel,
  type: DataCommandType,
  reliableSequenceNumber: number,
  unreliableSequenceNumber: number,
  data: Uint8Array | null,
  fragmentCount: number,
  totalLength = data?.length ?? 0,
): IncomingCommand | QueueResult {
  // A peer disconnecting later accepts nothing new (ENet's discardCommand).
  if (peer.state === PeerState.DISCONNECT_LATER) return fragmentCount > 0 ? QueueResult.ERROR : QueueResult.DISCARDED;
  const keep = peer.host.payloadsImmutable;
  return channel.queueIncoming(peer, type, reliableSequenceNumber, unreliableSequenceNumber, data, totalLength, fragmentCount, keep);
}

/** SEND_RELIABLE and SEND_UNRELIABLE: copy the payload into the channel's queues. */
export function handleSendData(host: Host, peer: Peer, command: SendReliableCommand | SendUnreliableCommand): Outcome {
  const channel = dataChannel(host, peer, command.channelID, command.data.length);
  if (!(channel instanceof Channel)) return channel;
  const u = command.type === ProtocolCommand.SEND_UNRELIABLE ? command.unreliableSequenceNumber : 0;
  const r = queueIncoming(peer, channel, command.type, command.reliableSequenceNumber, u, command.data, 0);
  return r === QueueResult.ERROR ? Outcome.REFUSED : Outcome.OK;
}

/**
 * SEND_RELIABLE read from the datagram's bytes, without a command object: {@link handleSendData}
 * for the receive fast path (host-incoming.ts), which has checked the payload is complete.
 */
export function handleSendReliableAt(
  host: Host, peer: Peer, channelID: number, reliableSequenceNumber: number, bytes: Uint8Array, at: number, length: number,
): Outcome {
  const channel = dataChannel(host, peer, channelID, length);
  if (!(channel instanceof Channel)) return channel;
  const data = bytes.subarray(at, at + length);
  const r = queueIncoming(peer, channel, ProtocolCommand.SEND_RELIABLE, reliableSequenceNumber, 0, data, 0);
  return r === QueueResult.ERROR ? Outcome.REFUSED : Outcome.OK;
}

/**
 * Duplicate suppression for unsequenced packets: a bitmap of the last 1024 groups, moving
 * forward in steps of 1024; groups too far ahead are ignored.
 * @see enet protocol.c enet_protocol_handle_send_unsequenced
 */
export function handleSendUnsequenced(host: Host, peer: Peer, command: SendUnsequencedCommand): Outcome {
  const channel = dataChannel(host, peer, command.channelID, command.data.length);
  if (!(channel instanceof Channel)) return channel;
  let group = command.unsequencedGroup;
  const index = group % PEER_UNSEQUENCED_WINDOW_SIZE;
  if (group < peer.incomingUnsequencedGroup) group += 0x10000;
  if (group >= peer.incomingUnsequencedGroup + PEER_FREE_UNSEQUENCED_WINDOWS * PEER_UNSEQUENCED_WINDOW_SIZE) return Outcome.OK;
  group &= 0xffff;
  const bit = 1 << (index % 32);
  const word = index >>> 5;
  if (group - index !== peer.incomingUnsequencedGroup) {
    peer.incomingUnsequencedGroup = group - index;
    peer.unsequencedWindow.fill(0);
  } else if (peer.unsequencedWindow[word]! & bit) {
    return Outcome.OK;
  }
  const r = queueIncoming(peer, channel, ProtocolCommand.SEND_UNSEQUENCED, 0, 0, command.data, 0);
  if (r === QueueResult.ERROR) return Outcome.REFUSED;
  peer.unsequencedWindow[word] = peer.unsequencedWindow[word]! | bit;
  return Outcome.OK;
}

/**
 * Reassembly, reliable and unreliable: the first fragment to arrive allocates the whole
 * packet (after sanity checks on the claimed sizes), later ones fill it in; a complete packet
 * is delivered under its kind's ordering rules.
 * @see enet protocol.c enet_protocol_handle_send_fragment, enet_protocol_handle_send_unreliable_fragment
 */
export function handleSendFragment(host: Host, peer: Peer, command: SendFragmentCommand): Outcome {
  const channel = dataChannel(host, peer, command.channelID, command.data.length);
  if (!(channel instanceof Channel)) return channel;
  const reliable = command.type === ProtocolCommand.SEND_FRAGMENT;
  const ir = channel.incomingReliableSequenceNumber;
  // Reliable: ordered by the start number. Unreliable: by the reliable number it follows.
  const ordering = reliable ? command.startSequenceNumber : command.reliableSequenceNumber;
  if (!inReceiveWindow(ordering, ir)) return Outcome.OK;
  if (!reliable && ordering === ir && command.startSequenceNumber <= channel.incomingUnreliableSequenceNumber) {
    return Outcome.OK;
  }

  const { fragmentCount, fragmentNumber, fragmentOffset, totalLength } = command;
  const fragmentLength = command.data.length;
  if (
    fragmentCount > PROTOCOL_MAXIMUM_FRAGMENT_COUNT ||
    fragmentNumber >= fragmentCount ||
    totalLength > host.maximumPacketSize ||
    fragmentOffset >= totalLength ||
    fragmentLength > totalLength - fragmentOffset ||
    // Beyond ENet: refuse totals no sender could split this way, before allocating them.
    fragmentCount > totalLength ||
    fragmentCount < Math.ceil(totalLength / MAXIMUM_FRAGMENT_PAYLOAD)
  ) {
    return Outcome.MALFORMED;
  }
  const type = reliable ? ProtocolCommand.SEND_FRAGMENT : ProtocolCommand.SEND_UNRELIABLE_FRAGMENT;
  let start = reliable
    ? channel.findReliable(command.startSequenceNumber)
    : channel.findUnreliable(command.reliableSequenceNumber, command.startSequenceNumber);
  if (start) {
    if (start.type !== type || start.packet.data.length !== totalLength || start.fragmentCount !== fragmentCount) {
      return Outcome.MALFORMED;
    }
  } else {
    const r = reliable
      ? queueIncoming(peer, channel, type, command.startSequenceNumber, 0, null, fragmentCount, totalLength)
      : queueIncoming(
          peer,
          channel,
          type,
          command.reliableSequenceNumber,
          command.startSequenceNumber,
          null,
          fragmentCount,
          totalLength,
        );
    if (typeof r === 'number') return Outcome.REFUSED;
    start = r;
  }
  if (start.markFragment(fragmentNumber)) {
    const length = Math.min(fragmentLength, start.packet.data.length - fragmentOffset);
    start.packet.data.set(command.data.subarray(0, length), fragmentOffset);
    if (start.fragmentsRemaining <= 0) {
      if (reliable) channel.dispatchReliable(peer);
      else channel.dispatchUnreliable(peer, null, channel.incomingReliableSequenceNumber);
    }
  }
  return Outcome.OK;
}
