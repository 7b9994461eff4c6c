/**
 * The send half of the service pump: for each peer, one datagram at a time — queued
 * acknowledgements, retransmission timeouts, queued commands under the reliable window and
 * the unreliable throttle, an idle ping — then header, compression and checksum.
 *
 * @see enet protocol.c enet_protocol_send_outgoing_commands, enet_protocol_send_acknowledgements,
 *   enet_protocol_check_timeouts, enet_protocol_check_outgoing_commands
 */
import { allocateBytes } from './bytes.js';
import { PEER_RELIABLE_WINDOWS, PEER_RELIABLE_WINDOW_SIZE, PEER_FREE_RELIABLE_WINDOWS, type Channel } from './channel.js';
import { crc32 } from './crc32.js';
import type { Host } from './host.js';
import type { OutgoingCommand } from './outgoing-command.js';
import { ackChannel, ackIsDisconnect, ackSentTime, ackSequence } from './outgoing-command.js';
import {
  PEER_PACKET_LOSS_INTERVAL,
  PEER_PACKET_LOSS_SCALE,
  PEER_PACKET_THROTTLE_COUNTER,
  PEER_PACKET_THROTTLE_SCALE,
  sentKey,
  type Peer,
} from './peer.js';
import {
  CHECKSUM_SIZE,
  COMMAND_SIZES,
  HEADER_SIZE_FULL,
  PROTOCOL_MAXIMUM_MTU,
  PROTOCOL_MAXIMUM_PACKET_COMMANDS,
  PROTOCOL_MAXIMUM_PEER_ID,
  ProtocolCommand,
} from './protocol.js';
import { timeDifference, timeGreaterEqual, timeLess } from './time.js';
import { PeerState } from './types.js';
import { encodeAcknowledge, encodeCommand, encodeDataCommand, encodeHeaderAt, encodeReliableData, headerSize } from './wire-encode.js';

const ACKNOWLEDGE_SIZE = COMMAND_SIZES[ProtocolCommand.ACKNOWLEDGE]!;
const SEND_RELIABLE_SIZE = COMMAND_SIZES[ProtocolCommand.SEND_RELIABLE]!;
/** sendReliableRows' result bits. */
const ROWS_NO_PING = 2;
const ROWS_MORE = 1;
const PING_SIZE = COMMAND_SIZES[ProtocolCommand.PING]!;

/** Room kept in front of the commands for the largest protocol header (checksum included). */
const FRAME_HEAD = HEADER_SIZE_FULL + CHECKSUM_SIZE;

/** Scratch space for the datagram being assembled. */
class DatagramBuilder {
  /**
   * The commands are written at FRAME_HEAD, so when the host's sink copies (Host.sendCopies)
   * the header goes right in front of them and the datagram leaves without being assembled
   * again (profile: that copy of every datagram).
   */
  readonly frame = new Uint8Array(FRAME_HEAD + PROTOCOL_MAXIMUM_MTU);
  readonly body = this.frame.subarray(FRAME_HEAD);
  readonly view = new DataView(this.frame.buffer, FRAME_HEAD);
  readonly frameView = new DataView(this.frame.buffer);
  readonly compressedFrame = new Uint8Array(FRAME_HEAD + PROTOCOL_MAXIMUM_MTU);
  readonly compressed = this.compressedFrame.subarray(FRAME_HEAD);
  readonly compressedFrameView = new DataView(this.compressedFrame.buffer);
  length = 0;
  /**
   * ENet's running datagram size: header, then each command. Unlike ENet, the checksum
   * field is counted too, so a datagram never exceeds the MTU (docs: DEVIATIONS).
   */
  packetSize = 0;
  commandCount = 0;
  hasReliable = false;
  /** In use by a send (see sendOutgoingCommands). */
  busy = false;

  begin(host: Host): void {
    this.length = 0;
    this.packetSize = HEADER_SIZE_FULL + (host.checksumEnabled ? CHECKSUM_SIZE : 0);
    this.commandCount = 0;
    this.hasReliable = false;
  }
}

/**
 * Scratch shared by every host (a WeakMap lookup per send showed in the profile); a send
 * that starts while another is assembling (a `send` callback servicing a host) gets its own.
 */
const shared = new DatagramBuilder();

/**
 * Sends what every peer has queued. With `checkForTimeouts` (service, not flush) it also
 * retransmits and detects dead peers.
 * @returns true when an event is ready in host.pendingEvent
 */
export function sendOutgoingCommands(host: Host, checkForTimeouts: boolean): boolean {
  const b = shared.busy ? new DatagramBuilder() : shared;
  b.busy = true;
  try {
    return sendPeers(host, b, checkForTimeouts);
  } finally {
    b.busy = false;
  }
}

function sendPeers(host: Host, b: DatagramBuilder, checkForTimeouts: boolean): boolean {
  const now = host.serviceTime;
  // Every live peer when a deadline may have come (or a scan was forced), else only the peers
  // marked since the last send (Host.markSend), in slot order as ENet's loop.
  const peers = host.takeSendPeers(now);
  host.continueSending = true;
  while (host.continueSending) {
    host.continueSending = false;
    let progress = false;
    for (let i = 0; i < peers.length; i++) {
      const peer = peers[i]!;
      if (peer.state === PeerState.DISCONNECTED || peer.state === PeerState.ZOMBIE) continue;
      host.peerVisits++;
      b.begin(host);
      if (!peer.acknowledgements.isEmpty()) sendAcknowledgements(host, peer, b);
      if (
        checkForTimeouts &&
        !peer.sentReliable.isEmpty() &&
        timeGreaterEqual(now, peer.nextTimeout) &&
        checkTimeouts(host, peer)
      ) {
        if (host.pendingEvent !== null) {
          // The loop stops here: what was not visited is visited by the next call.
          host.scanAll = true;
          return true;
        }
        continue;
      }
      if (
        (peer.outgoingCount === 0 || checkOutgoingCommands(host, peer, b)) &&
        peer.sentReliable.isEmpty() &&
        timeDifference(now, peer.lastReceiveTime) >= peer.pingInterval &&
        peer.mtu - b.packetSize >= PING_SIZE
      ) {
        peer.ping();
        checkOutgoingCommands(host, peer, b);
      }
      if (b.commandCount > 0) {
        progress = true;
        updatePacketLoss(peer, now);
        finishDatagram(host, peer, b);
        peer.lastSendTime = now;
      }
      if (peer.state === PeerState.DISCONNECT_LATER && peer.isIdle()) peer.disconnect(peer.eventData);
    }
    // A peer reported "datagram full" but nothing at all went out: stop rather than spin.
    if (!progress) break;
  }
  for (let i = 0; i < peers.length; i++) host.settleSendPeer(peers[i]!);
  return false;
}

/** @see enet protocol.c enet_protocol_send_acknowledgements */
function sendAcknowledgements(host: Host, peer: Peer, b: DatagramBuilder): void {
  while (!peer.acknowledgements.isEmpty()) {
    if (b.commandCount >= PROTOCOL_MAXIMUM_PACKET_COMMANDS || peer.mtu - b.packetSize < ACKNOWLEDGE_SIZE) {
      host.continueSending = true;
      return;
    }
    const packed = peer.acknowledgements.shift()!;
    const seq = ackSequence(packed);
    b.length = encodeAcknowledge(b.view, b.length, ackChannel(packed), seq, seq, ackSentTime(packed));
    b.packetSize += ACKNOWLEDGE_SIZE;
    b.commandCount++;
    // Acknowledging a DISCONNECT completes the remote-initiated disconnection.
    if (ackIsDisconnect(packed)) host.dispatchState(peer, PeerState.ZOMBIE);
  }
}

/**
 * Retransmission: every reliable command unacknowledged past its timeout goes back to the
 * front of the queues with its timeout doubled; a peer whose oldest unacknowledged command
 * is older than timeoutMaximum (or timeoutMinimum, once the backoff reached its limit) is
 * disconnected.
 * @returns true when the peer was disconnected
 * @see enet protocol.c enet_protocol_check_timeouts
 */
function checkTimeouts(host: Host, peer: Peer): boolean {
  const now = host.serviceTime;
  const sent = peer.sentReliable;
  const timedOut: OutgoingCommand[] = [];
  for (let e = sent.firstEntry(); e >= 0; ) {
    const next = sent.nextEntry(e);
    const object = sent.objectAt(e);
    const sentTime = object ? object.sentTime : sent.rowSentTime(e);
    const timeout = object ? object.roundTripTimeout : sent.rowTimeout(e);
    if (timeDifference(now, sentTime) < timeout) {
      e = next;
      continue;
    }
    if (peer.earliestTimeout === 0 || timeLess(sentTime, peer.earliestTimeout)) peer.earliestTimeout = sentTime;
    if (peer.earliestTimeout !== 0) {
      const waited = timeDifference(now, peer.earliestTimeout);
      const limit = object ? object.roundTripTimeoutLimit : sent.rowTimeoutLimit(e);
      if (waited >= peer.timeoutMaximum || (timeout >= limit && waited >= peer.timeoutMinimum)) {
        host.notifyDisconnect(peer, true);
        return true;
      }
    }
    // To be resent: an object from now on (a row is made into one, indexed by the peer).
    let c: OutgoingCommand;
    if (object) {
      c = object;
      sent.removeObject(c);
    } else {
      c = sent.takeRowAsObject(e);
      peer.sentObjects.set(sentKey(c.channelID, c.reliableSequenceNumber), c);
    }
    if (c.packet) peer.reliableDataInTransit -= c.fragmentLength;
    peer.packetsLost++;
    c.roundTripTimeout = Math.min(c.roundTripTimeout * 2, 0xffffffff);
    timedOut.push(c);
    if (next >= 0 && next === sent.firstEntry()) peer.nextTimeout = sent.frontDeadline();
    e = next;
  }
  // Back to the front, oldest first, ahead of anything still waiting.
  for (let i = timedOut.length - 1; i >= 0; i--) {
    const c = timedOut[i]!;
    if (c.channelID === 0xff) peer.systemQueue.pushFront(c);
    else peer.resendQueue.pushFront(c);
    peer.outgoingCount++;
  }
  return false;
}

/** What the send loop needs of a peer's queues (Deque for system/resend, OutgoingQueue for new commands). */
interface CommandFifo {
  peek(): OutgoingCommand | undefined;
  shift(): OutgoingCommand | undefined;
}

/** Front of a queue, skipping commands acknowledged while they waited to be resent. */
function headOf(queue: CommandFifo): OutgoingCommand | undefined {
  let c = queue.peek();
  while (c && c.acknowledged) {
    queue.shift();
    c = queue.peek();
  }
  return c;
}

/**
 * ENet's wrap guard: the first command of a reliable window may only go out once the window
 * FREE_RELIABLE_WINDOWS + 2 ahead is clear of commands still in flight.
 */
function reliableWindowWraps(peer: Peer, c: OutgoingCommand, w: number): boolean {
  if (c.reliableSequenceNumber % PEER_RELIABLE_WINDOW_SIZE !== 0) return false;
  return windowWraps(peer.channels[c.channelID]!, w);
}

/** The wrap guard for the first command of window `w` of `channel`. */
function windowWraps(channel: Channel, w: number): boolean {
  const span = (1 << (PEER_FREE_RELIABLE_WINDOWS + 2)) - 1;
  const mask = ((span << w) | (span >> (PEER_RELIABLE_WINDOWS - w))) & 0xffff;
  return (
    channel.reliableWindows[(w + PEER_RELIABLE_WINDOWS - 1) % PEER_RELIABLE_WINDOWS]! >= PEER_RELIABLE_WINDOW_SIZE ||
    (channel.usedReliableWindows & mask) !== 0
  );
}

/** Whether `length` more bytes of reliable data would pass the peer's throttled window (never below one MTU). */
function windowFull(peer: Peer, length: number): boolean {
  const windowSize = Math.floor((peer.packetThrottle * peer.windowSize) / PEER_PACKET_THROTTLE_SCALE);
  return peer.reliableDataInTransit + length > Math.max(windowSize, peer.mtu);
}

/** A reliable command's first send counts in its reliable window `w`. */
function useWindow(channel: Channel, w: number): void {
  channel.usedReliableWindows |= 1 << w;
  channel.reliableWindows[w] = channel.reliableWindows[w]! + 1;
}

/** A reliable command's retransmission timeout at its first send: rtt + 4 × variance. */
function firstTimeout(peer: Peer): number {
  return peer.roundTripTime + 4 * peer.roundTripTimeVariance;
}

/**
 * Moves queued commands into the datagram: resends first, then new commands in the order
 * they were queued. Reliable commands stop at the window (ENet's windowWrap/windowExceeded);
 * unreliable ones may overtake them; the throttle drops unreliable packets at random-ish
 * (a counter stepping by 7 modulo 32 against the throttle).
 * @returns true if no reliable command was taken (so a ping may be added)
 * @see enet protocol.c enet_protocol_check_outgoing_commands
 */
function checkOutgoingCommands(host: Host, peer: Peer, b: DatagramBuilder): boolean {
  const now = host.serviceTime;
  let windowExceeded = false;
  let windowWrap = false;
  let canPing = true;
  // Only new reliable commands waiting (bulk sends, a relay's traffic): plain messages go
  // straight from their queued rows, then anything else (a fragment) by the loop below.
  if (peer.systemQueue.isEmpty() && peer.resendQueue.isEmpty() && peer.unreliableQueue.isEmpty()) {
    const r = sendReliableRows(host, peer, b);
    if (r & ROWS_NO_PING) canPing = false;
    if ((r & ROWS_MORE) === 0) return canPing; // stopped: window, wrap guard or a full datagram
  }
  // The four queue fronts, read once and re-read only for the queue a command left (nothing
  // else changes them during this loop: acknowledgements are handled elsewhere). Profile: four
  // front lookups per command sent.
  let sys = headOf(peer.systemQueue);
  let res = headOf(peer.resendQueue);
  let rel = headOf(peer.reliableQueue);
  let unr = headOf(peer.unreliableQueue);
  for (;;) {
    // Pick the next command: resends first (system or channel, in queue order), then the
    // oldest of system, new reliable (unless the window is closed) and unreliable.
    const blocked = windowExceeded || windowWrap;
    const resend = blocked ? undefined : res;
    let chosen: OutgoingCommand | undefined;
    let queue: CommandFifo;
    let from: number; // which front to re-read once chosen leaves its queue
    const sysResend = sys !== undefined && sys.sendAttempts > 0;
    if (sysResend || resend) {
      if (sysResend && (!resend || sys!.order < resend.order)) {
        chosen = sys;
        queue = peer.systemQueue;
        from = 0;
      } else {
        chosen = resend;
        queue = peer.resendQueue;
        from = 1;
      }
    } else {
      chosen = sys;
      queue = peer.systemQueue;
      from = 0;
      if (!blocked && rel && (!chosen || rel.order < chosen.order)) {
        chosen = rel;
        queue = peer.reliableQueue;
        from = 2;
      }
      if (unr && (!chosen || unr.order < chosen.order)) {
        chosen = unr;
        queue = peer.unreliableQueue;
        from = 3;
      }
    }
    if (!chosen) break;

    // Reliable window checks.
    const reliable = chosen.isReliable;
    const channel = chosen.channelID < peer.channelCount ? peer.channels[chosen.channelID] : undefined;
    const w = Math.floor(chosen.reliableSequenceNumber / PEER_RELIABLE_WINDOW_SIZE);
    if (reliable) {
      if (channel) {
        if (!windowWrap && chosen.sendAttempts < 1 && reliableWindowWraps(peer, chosen, w)) windowWrap = true;
        if (windowWrap) continue;
      }
      if (chosen.packet) {
        if (!windowExceeded) {
          if (windowFull(peer, chosen.fragmentLength)) windowExceeded = true;
        }
        if (windowExceeded) continue;
      }
      canPing = false;
    }

    // Room in this datagram?
    const size = COMMAND_SIZES[chosen.type]!;
    const room = peer.mtu - b.packetSize;
    if (
      b.commandCount >= PROTOCOL_MAXIMUM_PACKET_COMMANDS ||
      room < size ||
      (chosen.packet !== null && room < size + chosen.fragmentLength)
    ) {
      host.continueSending = true;
      break;
    }
    queue.shift();
    peer.outgoingCount--;
    if (from === 0) sys = headOf(peer.systemQueue);
    else if (from === 1) res = headOf(peer.resendQueue);
    else if (from === 2) rel = headOf(peer.reliableQueue);
    else unr = headOf(peer.unreliableQueue);

    if (reliable) {
      if (channel && chosen.sendAttempts < 1) useWindow(channel, w);
      chosen.sendAttempts++;
      if (chosen.roundTripTimeout === 0) {
        chosen.roundTripTimeout = firstTimeout(peer);
        chosen.roundTripTimeoutLimit = peer.timeoutLimit * chosen.roundTripTimeout;
      }
      if (peer.sentReliable.isEmpty()) peer.nextTimeout = (now + chosen.roundTripTimeout) >>> 0;
      chosen.sentTime = now;
      // A row goes on as a row of the sent queue (its view is reused); an object is indexed
      // on its first send (a resent one still is).
      if (chosen.isRowView) peer.sentReliable.pushRow(chosen);
      else {
        if (chosen.sendAttempts === 1) peer.sentObjects.set(sentKey(chosen.channelID, chosen.reliableSequenceNumber), chosen);
        peer.sentReliable.pushObject(chosen);
      }
      b.hasReliable = true;
      peer.reliableDataInTransit += chosen.fragmentLength;
    } else if (chosen.packet !== null && chosen.fragmentOffset === 0) {
      peer.packetThrottleCounter = (peer.packetThrottleCounter + PEER_PACKET_THROTTLE_COUNTER) % PEER_PACKET_THROTTLE_SCALE;
      if (peer.packetThrottleCounter > peer.packetThrottle) {
        dropRemainingFragments(peer, chosen);
        unr = headOf(peer.unreliableQueue);
        continue;
      }
    }

    b.length = chosen.command
      ? encodeCommand(b.body, b.view, b.length, chosen.command)
      : encodeDataCommand(b.body, b.view, b.length, chosen, chosen.dataBuffer!, chosen.dataOffset, chosen.fragmentLength);
    b.packetSize += size + (chosen.packet !== null ? chosen.fragmentLength : 0);
    b.commandCount++;
    peer.packetsSent++;
  }
  return canPing;
}

/**
 * The fast path of {@link checkOutgoingCommands} for a peer whose only waiting commands are
 * new reliable ones: each plain SEND_RELIABLE row goes into the datagram and the sent queue
 * from its queued fields, without a command view (profile, 64 B throughput: filling a view and
 * reading it back was a tenth of the sender). Same checks, same order, same bookkeeping as the
 * loop: the wrap guard, the window, room in the datagram.
 * @returns ROWS_NO_PING when a reliable command passed the window checks (as in the loop, no
 *   ping then), + ROWS_MORE when the front is not a plain row (the loop takes over)
 */
function sendReliableRows(host: Host, peer: Peer, b: DatagramBuilder): number {
  const queue = peer.reliableQueue;
  const sent = peer.sentReliable;
  const now = host.serviceTime;
  let noPing = 0;
  for (;;) {
    const buffer = queue.frontReliableRow();
    if (buffer === null) return queue.isEmpty() ? noPing : noPing | ROWS_MORE;
    const channelID = queue.rowChannel;
    const seq = queue.rowSeq;
    const length = queue.rowLength;
    const channel = peer.channels[channelID]!;
    const w = Math.floor(seq / PEER_RELIABLE_WINDOW_SIZE);
    if (seq % PEER_RELIABLE_WINDOW_SIZE === 0 && windowWraps(channel, w)) return noPing;
    if (windowFull(peer, length)) return noPing;
    noPing = ROWS_NO_PING;
    const room = peer.mtu - b.packetSize;
    if (b.commandCount >= PROTOCOL_MAXIMUM_PACKET_COMMANDS || room < SEND_RELIABLE_SIZE + length) {
      host.continueSending = true;
      return noPing;
    }
    queue.dropFront();
    peer.outgoingCount--;
    useWindow(channel, w);
    const timeout = firstTimeout(peer);
    if (sent.isEmpty()) peer.nextTimeout = (now + timeout) >>> 0;
    sent.pushRowFields(channelID, seq, now, timeout, peer.timeoutLimit * timeout, queue.rowOrder, buffer, queue.rowOffset, length);
    b.hasReliable = true;
    peer.reliableDataInTransit += length;
    b.length = encodeReliableData(b.body, b.view, b.length, channelID, seq, buffer, queue.rowOffset, length);
    b.packetSize += SEND_RELIABLE_SIZE + length;
    b.commandCount++;
    peer.packetsSent++;
  }
}

/** The throttle dropped an unreliable packet: its other fragments go too. */
function dropRemainingFragments(peer: Peer, first: OutgoingCommand): void {
  for (let c = headOf(peer.unreliableQueue); c && c.packet === first.packet && c.fragmentOffset > 0; ) {
    peer.unreliableQueue.shift();
    peer.outgoingCount--;
    c = headOf(peer.unreliableQueue);
  }
}

/** @see enet protocol.c enet_protocol_send_outgoing_commands (packet loss statistics) */
function updatePacketLoss(peer: Peer, now: number): void {
  if (peer.packetLossEpoch === 0) {
    peer.packetLossEpoch = now;
  } else if (timeDifference(now, peer.packetLossEpoch) >= PEER_PACKET_LOSS_INTERVAL && peer.packetsSent > 0) {
    const packetLoss = Math.floor((peer.packetsLost * PEER_PACKET_LOSS_SCALE) / peer.packetsSent);
    peer.packetLossVariance = Math.floor((peer.packetLossVariance * 3 + Math.abs(packetLoss - peer.packetLoss)) / 4);
    peer.packetLoss = Math.floor((peer.packetLoss * 7 + packetLoss) / 8);
    peer.packetLossEpoch = now;
    peer.packetsSent = 0;
    peer.packetsLost = 0;
  }
}

/**
 * Header (peer id, session, flags, sent time if a reliable command is inside), optional
 * compression of the commands (kept only when smaller) and optional checksum over the
 * header — with the connect id in the checksum field — and the uncompressed commands.
 */
function finishDatagram(host: Host, peer: Peer, b: DatagramBuilder): void {
  let frame = b.frame;
  let view = b.frameView;
  let length = b.length;
  let compressed = false;
  if (host.compressor) {
    const n = host.compressor.compress(b.body.subarray(0, length), b.compressed.subarray(0, length));
    if (n > 0 && n < length) {
      frame = b.compressedFrame;
      view = b.compressedFrameView;
      length = n;
      compressed = true;
    }
  }
  // The header goes right in front of the commands, written in place.
  const checksum = host.checksumEnabled;
  const start = FRAME_HEAD - headerSize(b.hasReliable, checksum);
  const realPeer = peer.outgoingPeerID < PROTOCOL_MAXIMUM_PEER_ID;
  encodeHeaderAt(
    view, start, peer.outgoingPeerID, realPeer ? peer.outgoingSessionID : 0, compressed,
    b.hasReliable ? host.serviceTime & 0xffff : -1, checksum, realPeer ? peer.connectID : 0,
  );
  if (checksum) {
    // Over the header (the connect id in its checksum field) and the uncompressed commands.
    const sum = crc32(frame.subarray(start, FRAME_HEAD), b.body.subarray(0, b.length));
    view.setUint32(FRAME_HEAD - CHECKSUM_SIZE, sum);
  }
  const datagram = frame.subarray(start, FRAME_HEAD + length);
  if (host.sendCopies && host.hasSendCallback) {
    host.emit(datagram, peer.address);
    return;
  }
  const out = allocateBytes(datagram.length);
  out.set(datagram);
  host.emit(out, peer.address);
}
