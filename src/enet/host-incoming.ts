/**
 * The receive half of the service pump: datagram checks (peer, address, session,
 * decompression, checksum), then one handler per command. A handler that fails stops the
 * datagram, as in ENet; acknowledgements are queued for the commands that asked for one.
 * Nothing here throws on any input.
 *
 * @see enet protocol.c enet_protocol_handle_incoming_commands and the enet_protocol_handle_* functions
 */
import { crc32 } from './crc32.js';
import { Outcome, handleSendData, handleSendFragment, handleSendReliableAt, handleSendUnsequenced, isConnected } from './host-incoming-data.js';
import type { Host } from './host.js';
import { windowSizeFor } from './host.js';
import { sentKey, type Peer } from './peer.js';
import {
  CHECKSUM_SIZE,
  COMMAND_FLAG_ACKNOWLEDGE,
  COMMAND_SIZES,
  PROTOCOL_MAXIMUM_CHANNEL_COUNT,
  PROTOCOL_MAXIMUM_MTU,
  PROTOCOL_MAXIMUM_PEER_ID,
  PROTOCOL_MAXIMUM_WINDOW_SIZE,
  PROTOCOL_MINIMUM_CHANNEL_COUNT,
  PROTOCOL_MINIMUM_MTU,
  PROTOCOL_MINIMUM_WINDOW_SIZE,
  ProtocolCommand,
  type BandwidthLimitCommand,
  type Command,
  type ConnectCommand,
  type DisconnectCommand,
  type VerifyConnectCommand,
} from './protocol.js';
import { expandSentTime, timeDifference, timeLess } from './time.js';
import { PeerState, sameAddress, type Address } from './types.js';
import { decodeCommand, decodedEnd, decodeHeader, viewOf } from './wire-decode.js';

/**
 * A peer that sent more datagrams than this in one receive step of service() is a bulk
 * sender: the step's acknowledgements leave at once (Host.deferAcknowledgements).
 */
export const DEFER_ACKNOWLEDGEMENTS_MAX_DATAGRAMS = 8;

const decompressScratch = new Uint8Array(PROTOCOL_MAXIMUM_MTU);
const ACKNOWLEDGE_SIZE = COMMAND_SIZES[ProtocolCommand.ACKNOWLEDGE]!;
const SEND_RELIABLE_SIZE = COMMAND_SIZES[ProtocolCommand.SEND_RELIABLE]!;
/** First byte of a SEND_RELIABLE with the ACKNOWLEDGE flag. */
const RELIABLE_BYTE = ProtocolCommand.SEND_RELIABLE | COMMAND_FLAG_ACKNOWLEDGE;

/**
 * Handles up to `max` queued datagrams.
 * @returns true when an event is ready in host.pendingEvent
 * @see enet protocol.c enet_protocol_receive_incoming_commands
 */
export function receiveIncomingCommands(host: Host, max: number): boolean {
  for (let i = 0; i < max; i++) {
    const dg = host.inbound.shift();
    if (!dg) return false;
    host.totalReceivedData += dg.data.length;
    host.totalReceivedPackets++;
    handleIncomingCommands(host, dg.data, dg.address);
    if (host.pendingEvent !== null) return true;
  }
  return false;
}

/** @see enet protocol.c enet_protocol_handle_incoming_commands */
export function handleIncomingCommands(host: Host, data: Uint8Array, address: Address): void {
  // One DataView for the header and, unless compressed, the commands (profile: two views
  // and a body subarray per datagram).
  const dataView = viewOf(data);
  const header = decodeHeader(data, host.checksumEnabled, dataView);
  if (header === null) {
    host.malformedDatagrams++;
    return;
  }
  let peer: Peer | null = null;
  if (header.peerID !== PROTOCOL_MAXIMUM_PEER_ID) {
    const p = host.peers[header.peerID];
    if (
      !p ||
      p.state === PeerState.DISCONNECTED ||
      p.state === PeerState.ZOMBIE ||
      !sameAddress(address, p.address) ||
      (p.outgoingPeerID < PROTOCOL_MAXIMUM_PEER_ID && header.sessionID !== p.incomingSessionID)
    ) {
      return; // not for a live session of ours: ignored, as in ENet
    }
    peer = p;
    if (p.receiveStep !== host.receiveStep) {
      p.receiveStep = host.receiveStep;
      p.receiveStepDatagrams = 0;
    }
    if (++p.receiveStepDatagrams > DEFER_ACKNOWLEDGEMENTS_MAX_DATAGRAMS) host.bulkReceive = true;
  }
  // The commands are bytes[start..]: in the datagram itself, or in the decompression buffer.
  let bytes = data;
  let start = header.headerSize;
  let view = dataView;
  if (header.compressed) {
    if (!host.compressor) return;
    const out = decompressScratch.subarray(0, PROTOCOL_MAXIMUM_MTU - header.headerSize);
    const n = host.compressor.decompress(data.subarray(header.headerSize), out);
    if (n <= 0) {
      host.malformedDatagrams++;
      return;
    }
    bytes = out.subarray(0, n);
    start = 0;
    view = viewOf(bytes);
  }
  if (host.checksumEnabled) {
    const h = data.slice(0, header.headerSize);
    new DataView(h.buffer).setUint32(header.headerSize - CHECKSUM_SIZE, peer ? peer.connectID : 0);
    if (crc32(h, bytes.subarray(start)) !== header.checksum) {
      host.malformedDatagrams++;
      return;
    }
  }
  if (peer) peer.incomingDataTotal += header.headerSize + bytes.length - start;
  // Payloads inside a received datagram are delivered as views of it (host.receive's contract:
  // its bytes never change); those inside the shared decompression buffer are copied.
  host.payloadsImmutable = !header.compressed;

  for (let at = start; at < bytes.length; ) {
    // Fast path for a well-formed ACKNOWLEDGE of a known peer (one per reliable message sent):
    // handled from the bytes, without a command object (profile: GC). Anything unusual —
    // truncated, flagged, no peer — takes the general path below, which decides as ENet does.
    if (
      peer !== null &&
      at + ACKNOWLEDGE_SIZE <= bytes.length &&
      view.getUint8(at) === ProtocolCommand.ACKNOWLEDGE
    ) {
      const outcome = handleAcknowledge(host, peer, view.getUint8(at + 1), view.getUint16(at + 4), view.getUint16(at + 6));
      if (outcome !== Outcome.OK) return;
      at += ACKNOWLEDGE_SIZE;
      continue;
    }
    // Fast path for a complete SEND_RELIABLE (with its ACKNOWLEDGE flag, as every sender sets
    // it) of a known peer: one per reliable message received, handled from the bytes without a
    // command object (profile: decoding and dispatching it were a fifth of the receiver's
    // cost). Same checks and outcome as the general path.
    if (peer !== null && view.getUint8(at) === RELIABLE_BYTE && at + SEND_RELIABLE_SIZE <= bytes.length) {
      const length = view.getUint16(at + 4);
      const payload = at + SEND_RELIABLE_SIZE;
      if (payload + length <= bytes.length) {
        const channelID = view.getUint8(at + 1);
        const seq = view.getUint16(at + 2);
        const outcome = handleSendReliableAt(host, peer, channelID, seq, bytes, payload, length);
        if (outcome !== Outcome.OK) {
          if (outcome === Outcome.MALFORMED) host.malformedDatagrams++;
          return;
        }
        at = payload + length;
        if (header.sentTime === undefined) return;
        acknowledgeReceived(peer, channelID, seq, header.sentTime, false);
        continue;
      }
    }
    const command = decodeCommand(bytes, view, at);
    if (command === null) {
      host.malformedDatagrams++;
      return;
    }
    at = decodedEnd;
    if (peer === null && command.type !== ProtocolCommand.CONNECT) return;
    let outcome: Outcome;
    if (command.type === ProtocolCommand.CONNECT) {
      if (peer !== null) outcome = Outcome.MALFORMED;
      else {
        peer = handleConnect(host, command, address);
        outcome = peer !== null ? Outcome.OK : Outcome.REFUSED;
      }
    } else {
      outcome = handleCommand(host, peer!, command);
    }
    if (outcome !== Outcome.OK) {
      if (outcome === Outcome.MALFORMED) host.malformedDatagrams++;
      return;
    }
    if (peer !== null && command.flags & COMMAND_FLAG_ACKNOWLEDGE) {
      if (header.sentTime === undefined) return;
      acknowledgeReceived(peer, command.channelID, command.reliableSequenceNumber, header.sentTime, command.type === ProtocolCommand.DISCONNECT);
    }
  }
}

/**
 * Queues the acknowledgement of a received command that asked for one, unless the peer's
 * state says otherwise: none while connecting or disconnecting, only a DISCONNECT's while
 * acknowledging a disconnect. @see enet protocol.c enet_protocol_handle_incoming_commands
 */
function acknowledgeReceived(peer: Peer, channelID: number, seq: number, sentTime: number, isDisconnect: boolean): void {
  switch (peer.state) {
    case PeerState.DISCONNECTING:
    case PeerState.ACKNOWLEDGING_CONNECT:
    case PeerState.DISCONNECTED:
    case PeerState.ZOMBIE:
      return;
    case PeerState.ACKNOWLEDGING_DISCONNECT:
      if (isDisconnect) peer.queueAcknowledgement(channelID, seq, sentTime, true);
      return;
    default:
      peer.queueAcknowledgement(channelID, seq, sentTime, isDisconnect);
  }
}

/** One handler per command. */
function handleCommand(host: Host, peer: Peer, command: Command): Outcome {
  switch (command.type) {
    case ProtocolCommand.ACKNOWLEDGE:
      return handleAcknowledge(host, peer, command.channelID, command.receivedReliableSequenceNumber, command.receivedSentTime);
    case ProtocolCommand.VERIFY_CONNECT:
      return handleVerifyConnect(host, peer, command);
    case ProtocolCommand.DISCONNECT:
      return handleDisconnect(host, peer, command);
    case ProtocolCommand.PING:
      return isConnected(peer) ? Outcome.OK : Outcome.REFUSED;
    case ProtocolCommand.SEND_RELIABLE:
    case ProtocolCommand.SEND_UNRELIABLE:
      return handleSendData(host, peer, command);
    case ProtocolCommand.SEND_UNSEQUENCED:
      return handleSendUnsequenced(host, peer, command);
    case ProtocolCommand.SEND_FRAGMENT:
    case ProtocolCommand.SEND_UNRELIABLE_FRAGMENT:
      return handleSendFragment(host, peer, command);
    case ProtocolCommand.BANDWIDTH_LIMIT:
      return handleBandwidthLimit(host, peer, command);
    case ProtocolCommand.THROTTLE_CONFIGURE:
      if (!isConnected(peer)) return Outcome.REFUSED;
      peer.packetThrottleInterval = command.packetThrottleInterval;
      peer.packetThrottleAcceleration = command.packetThrottleAcceleration;
      peer.packetThrottleDeceleration = command.packetThrottleDeceleration;
      return Outcome.OK;
    default:
      return Outcome.MALFORMED;
  }
}

/** @see enet protocol.c enet_protocol_handle_connect */
function handleConnect(host: Host, command: ConnectCommand, address: Address): Peer | null {
  if (host.refuseConnections) return null;
  const requested = command.channelCount;
  if (requested < PROTOCOL_MINIMUM_CHANNEL_COUNT || requested > PROTOCOL_MAXIMUM_CHANNEL_COUNT) return null;
  let peer: Peer | null = null;
  let duplicates = 0;
  for (const p of host.peers) {
    if (p.state === PeerState.DISCONNECTED) {
      if (peer === null) peer = p;
    } else if (p.state !== PeerState.CONNECTING && p.address.address === address.address) {
      // A retransmitted CONNECT for a connection already under way.
      if (p.address.port === address.port && p.connectID === command.connectID) return null;
      duplicates++;
    }
  }
  if (peer === null || duplicates >= host.duplicatePeers) return null;

  const channelCount = Math.min(requested, host.channelLimit);
  peer.setupChannels(channelCount);
  peer.state = PeerState.ACKNOWLEDGING_CONNECT;
  host.activatePeer(peer);
  peer.connectID = command.connectID;
  peer.address = { address: address.address, port: address.port };
  peer.outgoingPeerID = command.outgoingPeerID;
  peer.incomingBandwidth = command.incomingBandwidth;
  peer.outgoingBandwidth = command.outgoingBandwidth;
  peer.packetThrottleInterval = command.packetThrottleInterval;
  peer.packetThrottleAcceleration = command.packetThrottleAcceleration;
  peer.packetThrottleDeceleration = command.packetThrottleDeceleration;
  peer.eventData = command.data;

  // Session ids: one past the previous session's, never equal to the other direction's.
  let incomingSessionID = command.incomingSessionID === 0xff ? peer.outgoingSessionID : command.incomingSessionID;
  incomingSessionID = (incomingSessionID + 1) & 3;
  if (incomingSessionID === peer.outgoingSessionID) incomingSessionID = (incomingSessionID + 1) & 3;
  peer.outgoingSessionID = incomingSessionID;
  let outgoingSessionID = command.outgoingSessionID === 0xff ? peer.incomingSessionID : command.outgoingSessionID;
  outgoingSessionID = (outgoingSessionID + 1) & 3;
  if (outgoingSessionID === peer.incomingSessionID) outgoingSessionID = (outgoingSessionID + 1) & 3;
  peer.incomingSessionID = outgoingSessionID;

  peer.mtu = Math.min(PROTOCOL_MAXIMUM_MTU, Math.max(PROTOCOL_MINIMUM_MTU, command.mtu));
  if (host.outgoingBandwidth === 0 && peer.incomingBandwidth === 0) peer.windowSize = PROTOCOL_MAXIMUM_WINDOW_SIZE;
  else if (host.outgoingBandwidth === 0 || peer.incomingBandwidth === 0)
    peer.windowSize = windowSizeFor(Math.max(host.outgoingBandwidth, peer.incomingBandwidth));
  else peer.windowSize = windowSizeFor(Math.min(host.outgoingBandwidth, peer.incomingBandwidth));

  let windowSize = windowSizeFor(host.incomingBandwidth);
  if (windowSize > command.windowSize) windowSize = command.windowSize;
  windowSize = Math.min(PROTOCOL_MAXIMUM_WINDOW_SIZE, Math.max(PROTOCOL_MINIMUM_WINDOW_SIZE, windowSize));

  const verify: VerifyConnectCommand = {
    type: ProtocolCommand.VERIFY_CONNECT,
    flags: COMMAND_FLAG_ACKNOWLEDGE,
    channelID: 0xff,
    reliableSequenceNumber: 0,
    outgoingPeerID: peer.incomingPeerID,
    incomingSessionID,
    outgoingSessionID,
    mtu: peer.mtu,
    windowSize,
    channelCount,
    incomingBandwidth: host.incomingBandwidth,
    outgoingBandwidth: host.outgoingBandwidth,
    packetThrottleInterval: peer.packetThrottleInterval,
    packetThrottleAcceleration: peer.packetThrottleAcceleration,
    packetThrottleDeceleration: peer.packetThrottleDeceleration,
    connectID: peer.connectID,
  };
  peer.queueOutgoingCommand(verify, null, 0, 0);
  return peer;
}

/** @see enet protocol.c enet_protocol_handle_verify_connect */
function handleVerifyConnect(host: Host, peer: Peer, command: VerifyConnectCommand): Outcome {
  if (peer.state !== PeerState.CONNECTING) return Outcome.OK;
  const channelCount = command.channelCount;
  if (
    channelCount < PROTOCOL_MINIMUM_CHANNEL_COUNT ||
    channelCount > PROTOCOL_MAXIMUM_CHANNEL_COUNT ||
    command.packetThrottleInterval !== peer.packetThrottleInterval ||
    command.packetThrottleAcceleration !== peer.packetThrottleAcceleration ||
    command.packetThrottleDeceleration !== peer.packetThrottleDeceleration ||
    command.connectID !== peer.connectID
  ) {
    peer.eventData = 0;
    host.dispatchState(peer, PeerState.ZOMBIE);
    return Outcome.MALFORMED;
  }
  removeSentReliableCommand(peer, 1, 0xff);
  if (channelCount < peer.channelCount) peer.channels.length = channelCount;
  peer.outgoingPeerID = command.outgoingPeerID;
  peer.incomingSessionID = command.incomingSessionID;
  peer.outgoingSessionID = command.outgoingSessionID;
  const mtu = Math.min(PROTOCOL_MAXIMUM_MTU, Math.max(PROTOCOL_MINIMUM_MTU, command.mtu));
  if (mtu < peer.mtu) peer.mtu = mtu;
  const windowSize = Math.min(PROTOCOL_MAXIMUM_WINDOW_SIZE, Math.max(PROTOCOL_MINIMUM_WINDOW_SIZE, command.windowSize));
  if (windowSize < peer.windowSize) peer.windowSize = windowSize;
  peer.incomingBandwidth = command.incomingBandwidth;
  peer.outgoingBandwidth = command.outgoingBandwidth;
  host.notifyConnect(peer);
  return Outcome.OK;
}

/** @see enet protocol.c enet_protocol_handle_disconnect */
function handleDisconnect(host: Host, peer: Peer, command: DisconnectCommand): Outcome {
  const s = peer.state;
  if (s === PeerState.DISCONNECTED || s === PeerState.ZOMBIE || s === PeerState.ACKNOWLEDGING_DISCONNECT) return Outcome.OK;
  peer.resetQueues();
  if (s === PeerState.CONNECTION_SUCCEEDED || s === PeerState.DISCONNECTING || s === PeerState.CONNECTING) {
    host.dispatchState(peer, PeerState.ZOMBIE);
  } else if (s !== PeerState.CONNECTED && s !== PeerState.DISCONNECT_LATER) {
    if (s === PeerState.CONNECTION_PENDING) host.recalculateBandwidthLimits = true;
    peer.reset();
  } else if (command.flags & COMMAND_FLAG_ACKNOWLEDGE) {
    host.changeState(peer, PeerState.ACKNOWLEDGING_DISCONNECT);
  } else {
    host.dispatchState(peer, PeerState.ZOMBIE);
  }
  if (peer.state !== PeerState.DISCONNECTED) peer.eventData = command.data;
  return Outcome.OK;
}

/**
 * Round-trip estimate (smoothed mean and variance, as TCP), throttle epoch, and removal of
 * the acknowledged command; completes connects and disconnects waiting for this ack.
 * @see enet protocol.c enet_protocol_handle_acknowledge
 */
function handleAcknowledge(
  host: Host,
  peer: Peer,
  channelID: number,
  receivedReliableSequenceNumber: number,
  receivedSentTime: number,
): Outcome {
  if (peer.state === PeerState.DISCONNECTED || peer.state === PeerState.ZOMBIE) return Outcome.OK;
  const now = host.serviceTime;
  const sentTime = expandSentTime(receivedSentTime, now);
  if (timeLess(now, sentTime)) return Outcome.OK;
  const rtt = Math.max(timeDifference(now, sentTime), 1);
  if (peer.lastReceiveTime > 0) {
    peer.throttle(rtt);
    peer.roundTripTimeVariance -= peer.roundTripTimeVariance >>> 2;
    if (rtt >= peer.roundTripTime) {
      const diff = rtt - peer.roundTripTime;
      peer.roundTripTimeVariance += diff >>> 2;
      peer.roundTripTime += diff >>> 3;
    } else {
      const diff = peer.roundTripTime - rtt;
      peer.roundTripTimeVariance += diff >>> 2;
      peer.roundTripTime -= diff >>> 3;
    }
  } else {
    peer.roundTripTime = rtt;
    peer.roundTripTimeVariance = (rtt + 1) >>> 1;
  }
  if (peer.roundTripTime < peer.lowestRoundTripTime) peer.lowestRoundTripTime = peer.roundTripTime;
  if (peer.roundTripTimeVariance > peer.highestRoundTripTimeVariance) {
    peer.highestRoundTripTimeVariance = peer.roundTripTimeVariance;
  }
  if (peer.packetThrottleEpoch === 0 || timeDifference(now, peer.packetThrottleEpoch) >= peer.packetThrottleInterval) {
    peer.lastRoundTripTime = peer.lowestRoundTripTime;
    peer.lastRoundTripTimeVariance = Math.max(peer.highestRoundTripTimeVariance, 1);
    peer.lowestRoundTripTime = peer.roundTripTime;
    peer.highestRoundTripTimeVariance = peer.roundTripTimeVariance;
    peer.packetThrottleEpoch = now;
  }
  peer.lastReceiveTime = Math.max(now, 1);
  peer.earliestTimeout = 0;
  // Its retransmission deadline moved, its window opened, or it may now be idle
  // (DISCONNECT_LATER): the next send visits it.
  host.markSend(peer);

  const acknowledged = removeSentReliableCommand(peer, receivedReliableSequenceNumber, channelID);
  switch (peer.state) {
    case PeerState.ACKNOWLEDGING_CONNECT:
      if (acknowledged !== ProtocolCommand.VERIFY_CONNECT) return Outcome.REFUSED;
      host.notifyConnect(peer);
      break;
    case PeerState.DISCONNECTING:
      if (acknowledged !== ProtocolCommand.DISCONNECT) return Outcome.REFUSED;
      host.notifyDisconnect(peer, false);
      break;
    case PeerState.DISCONNECT_LATER:
      if (peer.isIdle()) peer.disconnect(peer.eventData);
      break;
    default:
      break;
  }
  return Outcome.OK;
}

/**
 * Forgets an acknowledged reliable command — in flight, or waiting to be resent — and frees
 * its slot in the reliable window. O(1) through the (channel, sequence) index.
 * @returns the command number, or NONE when no such command was sent
 * @see enet protocol.c enet_protocol_remove_sent_reliable_command
 */
function removeSentReliableCommand(peer: Peer, seq: number, channelID: number): ProtocolCommand {
  const sent = peer.sentReliable;
  let type: ProtocolCommand = ProtocolCommand.SEND_RELIABLE;
  // Mostly a plain message in flight, still a row of the sent queue.
  const length = sent.removeRow(channelID, seq);
  if (length >= 0) {
    peer.reliableDataInTransit -= length;
  } else {
    const key = sentKey(channelID, seq);
    const c = peer.sentObjects.get(key);
    if (!c) return ProtocolCommand.NONE;
    peer.sentObjects.delete(key);
    if (c.inSentList) {
      sent.removeObject(c);
      if (c.packet) peer.reliableDataInTransit -= c.fragmentLength;
    } else {
      c.acknowledged = true; // still in a resend queue: skipped when it reaches the front
      peer.outgoingCount--;
    }
    type = c.type;
  }
  const channel = channelID < peer.channelCount ? peer.channels[channelID] : undefined;
  if (channel) {
    const w = Math.floor(seq / 0x1000);
    if (channel.reliableWindows[w]! > 0) {
      channel.reliableWindows[w] = channel.reliableWindows[w]! - 1;
      if (!channel.reliableWindows[w]) channel.usedReliableWindows &= ~(1 << w);
    }
  }
  if (!sent.isEmpty()) peer.nextTimeout = sent.frontDeadline();
  return type;
}

/** @see enet protocol.c enet_protocol_handle_bandwidth_limit */
function handleBandwidthLimit(host: Host, peer: Peer, command: BandwidthLimitCommand): Outcome {
  if (!isConnected(peer)) return Outcome.REFUSED;
  if (peer.incomingBandwidth !== 0) host.bandwidthLimitedPeers--;
  peer.incomingBandwidth = command.incomingBandwidth;
  peer.outgoingBandwidth = command.outgoingBandwidth;
  if (peer.incomingBandwidth !== 0) host.bandwidthLimitedPeers++;
  if (peer.incomingBandwidth === 0 && host.outgoingBandwidth === 0) peer.windowSize = PROTOCOL_MAXIMUM_WINDOW_SIZE;
  else if (peer.incomingBandwidth === 0 || host.outgoingBandwidth === 0)
    peer.windowSize = windowSizeFor(Math.max(peer.incomingBandwidth, host.outgoingBandwidth));
  else peer.windowSize = windowSizeFor(Math.min(peer.incomingBandwidth, host.outgoingBandwidth));
  return Outcome.OK;
}
