/**
 * The send path of a peer: a packet becomes one data command, or fragments of at most
 * MTU − 28 bytes (− 4 more with checksums): reliable fragments by default, unreliable ones
 * for UNRELIABLE_FRAGMENT without RELIABLE.
 * @see enet peer.c enet_peer_send
 */
import { Error } from '../core/error.js';
import { copyBytes, reserveInSlab, reservedSlab } from './bytes.js';
import type { Channel } from './channel.js';
import type { Peer } from './peer.js';
import {
  CHECKSUM_SIZE,
  COMMAND_FLAG_ACKNOWLEDGE,
  COMMAND_FLAG_UNSEQUENCED,
  COMMAND_SIZES,
  HEADER_SIZE_FULL,
  PROTOCOL_MAXIMUM_FRAGMENT_COUNT,
  ProtocolCommand,
  type Command,
} from './protocol.js';
import { PacketFlag, type Packet } from './types.js';

const SEND_FRAGMENT_SIZE = COMMAND_SIZES[ProtocolCommand.SEND_FRAGMENT]!;

/**
 * Turns the `length` bytes of `buffer` at `offset` into commands on `channel`: one
 * SEND_RELIABLE / SEND_UNRELIABLE / SEND_UNSEQUENCED, or fragments when they exceed one
 * datagram. Without `copy` the bytes are queued where they are and must never change:
 * relays put one copy of a packet in a shared slab (bytes.ts) and queue it for every
 * recipient, so consecutive messages of a peer share one buffer (one reference kept per
 * slab, not per message: outgoing-queue.ts).
 * broadcast() shares one packet between peers the same way.
 * @see enet peer.c enet_peer_send
 */
export function queuePacketAt(
  peer: Peer, channel: Channel, buffer: Uint8Array, offset: number, length: number, flags: number, copy: boolean,
): Error {
  let fragmentLength = peer.mtu - HEADER_SIZE_FULL - SEND_FRAGMENT_SIZE;
  if (peer.host.checksumEnabled) fragmentLength -= CHECKSUM_SIZE;
  const whole = offset === 0 && length === buffer.length;
  if (length > fragmentLength) {
    const data = whole ? buffer : buffer.subarray(offset, offset + length);
    const packet: Packet = { data: copy ? copyBytes(data) : data, flags };
    return queueFragments(peer, channel, packet, fragmentLength);
  }
  let source = buffer;
  let at = offset;
  if (copy) {
    at = reserveInSlab(length);
    source = reservedSlab();
    source.set(whole ? buffer : buffer.subarray(offset, offset + length), at);
  }
  // The flags decide the command kind; the command carries the payload itself (no Packet
  // object: Peer.queueDataRow).
  if ((flags & (PacketFlag.RELIABLE | PacketFlag.UNSEQUENCED)) === PacketFlag.UNSEQUENCED) {
    peer.queueDataRow(ProtocolCommand.SEND_UNSEQUENCED, COMMAND_FLAG_UNSEQUENCED, channel.id, source, at, length);
  } else if (flags & PacketFlag.RELIABLE || channel.outgoingUnreliableSequenceNumber >= 0xffff) {
    peer.queueDataRow(ProtocolCommand.SEND_RELIABLE, COMMAND_FLAG_ACKNOWLEDGE, channel.id, source, at, length);
  } else {
    peer.queueDataRow(ProtocolCommand.SEND_UNRELIABLE, 0, channel.id, source, at, length);
  }
  return Error.OK;
}

function queueFragments(peer: Peer, channel: Channel, packet: Packet, fragmentLength: number): Error {
  const length = packet.data.length;
  const fragmentCount = Math.ceil(length / fragmentLength);
  if (fragmentCount > PROTOCOL_MAXIMUM_FRAGMENT_COUNT) return Error.ERR_PARAMETER_RANGE_ERROR;
  const unreliable =
    (packet.flags & (PacketFlag.RELIABLE | PacketFlag.UNRELIABLE_FRAGMENT)) === PacketFlag.UNRELIABLE_FRAGMENT &&
    channel.outgoingUnreliableSequenceNumber < 0xffff;
  const type = unreliable ? ProtocolCommand.SEND_UNRELIABLE_FRAGMENT : ProtocolCommand.SEND_FRAGMENT;
  const startSequenceNumber =
    ((unreliable ? channel.outgoingUnreliableSequenceNumber : channel.outgoingReliableSequenceNumber) + 1) & 0xffff;
  for (let n = 0, offset = 0; offset < length; n++, offset += fragmentLength) {
    const size = Math.min(fragmentLength, length - offset);
    const command: Command = {
      type,
      flags: unreliable ? 0 : COMMAND_FLAG_ACKNOWLEDGE,
      channelID: channel.id,
      reliableSequenceNumber: 0,
      startSequenceNumber,
      fragmentCount,
      fragmentNumber: n,
      totalLength: length,
      fragmentOffset: offset,
      data: packet.data.subarray(offset, offset + size),
    };
    peer.queueOutgoingCommand(command, packet, offset, size);
  }
  return Error.OK;
}
