/**
 * An ENet peer: one remote end of a connection, as a slot of its host (ENetPeer). Holds the
 * connection state, round-trip and throttle statistics, the per-channel state, the queues of
 * commands to send, in flight and received.
 *
 * Fields keep ENet's names so statistics map 1:1 (Godot's ENetPacketPeer.get_statistic reads
 * the same fields); fields marked @internal are engine state, not API.
 *
 * @see enet peer.c, enet.h ENetPeer
 */
import { Error } from '../core/error.js';
import {
  PEER_DEFAULT_PACKET_THROTTLE,
  PEER_DEFAULT_ROUND_TRIP_TIME,
  PEER_PACKET_THROTTLE_ACCELERATION,
  PEER_PACKET_THROTTLE_DECELERATION,
  PEER_PACKET_THROTTLE_INTERVAL,
  PEER_PACKET_THROTTLE_SCALE,
  PEER_PING_INTERVAL,
  PEER_TIMEOUT_LIMIT,
  PEER_TIMEOUT_MAXIMUM,
  PEER_TIMEOUT_MINIMUM,
  PEER_UNSEQUENCED_WINDOW_SIZE,
} from './peer-defaults.js';
import { queuePacketAt } from './peer-send.js';
export * from './peer-defaults.js';
import { Channel, type IncomingCommand, type IncomingTarget } from './channel.js';
import { Deque, NumberQueue } from './deque.js';
import { OutgoingCommand, packAcknowledgement } from './outgoing-command.js';
import { SentQueue, type SentCommandInfo } from './sent-queue.js';
import { OutgoingQueue } from './outgoing-queue.js';
import {
  COMMAND_FLAG_ACKNOWLEDGE,
  COMMAND_FLAG_UNSEQUENCED,
  COMMAND_SIZES,
  PROTOCOL_MAXIMUM_PEER_ID,
  PROTOCOL_MAXIMUM_WINDOW_SIZE,
  ProtocolCommand,
  type Command,
} from './protocol.js';
import { PacketFlag, PeerState, type Address, type Packet, type PeerStatistics } from './types.js';
import type { Host } from './host.js';

/**
 * The numbers {@link Peer.numberCommand} gave the last command: read at once by its caller.
 * One shared scratch object instead of a result object per queued message.
 */
const numbered = { reliable: 0, unreliable: 0, group: 0 };

/** Key of a reliable command in {@link Peer.sentObjects}: channel (0xFF: connection-level) and sequence number. */
export function sentKey(channelID: number, seq: number): number {
  return channelID * 0x10000 + seq;
}

export class Peer implements IncomingTarget {
  /** Application data; the engine never touches it. */
  data: unknown = undefined;
  readonly incomingPeerID: number;
  outgoingPeerID = PROTOCOL_MAXIMUM_PEER_ID;
  connectID = 0;
  outgoingSessionID = 0xff;
  incomingSessionID = 0xff;
  address: Address = { address: '', port: 0 };
  state = PeerState.DISCONNECTED;
  /** @internal In host.activePeers (see Host.activatePeer). */
  listedActive = false;
  /** @internal In the host's send list (see Host.markSend). */
  inSendList = false;
  /** @internal The host's receive step this peer's datagrams were last counted in (Host.bulkReceive). */
  receiveStep = -1;
  /** @internal Datagrams from this peer in that receive step. */
  receiveStepDatagrams = 0;
  channels: Channel[] = [];
  incomingBandwidth = 0;
  outgoingBandwidth = 0;
  incomingBandwidthThrottleEpoch = 0;
  outgoingBandwidthThrottleEpoch = 0;
  incomingDataTotal = 0;
  outgoingDataTotal = 0;
  lastSendTime = 0;
  lastReceiveTime = 0;
  nextTimeout = 0;
  earliestTimeout = 0;
  packetLossEpoch = 0;
  packetsSent = 0;
  packetsLost = 0;
  /** Mean packet loss of reliable commands, scaled by PEER_PACKET_LOSS_SCALE (65536 = 100 %). */
  packetLoss = 0;
  packetLossVariance = 0;
  packetThrottle = PEER_DEFAULT_PACKET_THROTTLE;
  packetThrottleLimit = PEER_PACKET_THROTTLE_SCALE;
  packetThrottleCounter = 0;
  packetThrottleEpoch = 0;
  packetThrottleAcceleration = PEER_PACKET_THROTTLE_ACCELERATION;
  packetThrottleDeceleration = PEER_PACKET_THROTTLE_DECELERATION;
  packetThrottleInterval = PEER_PACKET_THROTTLE_INTERVAL;
  pingInterval = PEER_PING_INTERVAL;
  timeoutLimit = PEER_TIMEOUT_LIMIT;
  timeoutMinimum = PEER_TIMEOUT_MINIMUM;
  timeoutMaximum = PEER_TIMEOUT_MAXIMUM;
  lastRoundTripTime = PEER_DEFAULT_ROUND_TRIP_TIME;
  lowestRoundTripTime = PEER_DEFAULT_ROUND_TRIP_TIME;
  lastRoundTripTimeVariance = 0;
  highestRoundTripTimeVariance = 0;
  /** Smoothed round-trip time in ms. */
  roundTripTime = PEER_DEFAULT_ROUND_TRIP_TIME;
  roundTripTimeVariance = 0;
  mtu: number;
  windowSize = PROTOCOL_MAXIMUM_WINDOW_SIZE;
  reliableDataInTransit = 0;
  outgoingReliableSequenceNumber = 0;
  incomingUnsequencedGroup = 0;
  outgoingUnsequencedGroup = 0;
  /** @internal Bitmap of the unsequenced groups received in the current window. */
  readonly unsequencedWindow = new Uint32Array(PEER_UNSEQUENCED_WINDOW_SIZE / 32);
  /** User data of the pending CONNECT/DISCONNECT event. */
  eventData = 0;
  totalWaitingData = 0;

  /** @internal Connection-level commands (channel 0xFF), resends first. */
  readonly systemQueue = new Deque<OutgoingCommand>();
  /** @internal Reliable channel commands that timed out, to be sent again before new ones. */
  readonly resendQueue = new Deque<OutgoingCommand>();
  /** @internal New reliable channel commands (plain data commands as compact rows). */
  readonly reliableQueue = new OutgoingQueue();
  /** @internal Unreliable and unsequenced commands (plain data commands as compact rows). */
  readonly unreliableQueue = new OutgoingQueue();
  /** @internal Commands waiting in the four queues above (acknowledged resends excluded). */
  outgoingCount = 0;
  /** @internal Enqueue counter for OutgoingCommand.order. */
  nextOrder = 0;
  /** @internal Reliable commands in flight, oldest first (plain messages as rows). */
  readonly sentReliable = new SentQueue();
  /**
   * @internal Every reliable command object sent at least once and not yet acknowledged, in
   * flight or waiting to be resent, by {@link sentKey} (rows in flight are indexed by the sent
   * queue). Few: fragments, connection-level commands, rows made objects to be resent.
   */
  readonly sentObjects = new Map<number, OutgoingCommand>();
  /** @internal Acknowledgements to send (see packAcknowledgement). */
  readonly acknowledgements = new NumberQueue();
  /** @internal Received packets ready for the application. */
  readonly dispatchedCommands = new Deque<IncomingCommand>();
  /** @internal Queued in the host's dispatch queue. */
  needsDispatch = false;
  /** @internal The pending DISCONNECT event is a timeout. */
  disconnectTimedOut = false;

  constructor(
    readonly host: Host,
    incomingPeerID: number,
  ) {
    this.incomingPeerID = incomingPeerID;
    this.mtu = host.mtu;
  }

  get channelCount(): number {
    return this.channels.length;
  }

  // ---- IncomingTarget --------------------------------------------------------------------------
  /** @internal */
  reserve(bytes: number): boolean {
    // ENet refuses once the waiting total has reached the limit; this also refuses a single
    // packet that would take it past the limit, before anything is allocated for it.
    if (this.totalWaitingData + bytes > this.host.maximumWaitingData && this.totalWaitingData > 0) return false;
    if (bytes > this.host.maximumWaitingData) return false;
    this.totalWaitingData += bytes;
    return true;
  }

  /** @internal */
  dispatch(command: IncomingCommand): void {
    this.dispatchedCommands.push(command);
    this.host.markForDispatch(this);
  }

  /** @internal */
  release(command: IncomingCommand): void {
    this.totalWaitingData = Math.max(0, this.totalWaitingData - command.packet.data.length);
  }

  /**
   * Takes the next received packet off the peer's dispatch queue (the host's service() does
   * this to build RECEIVE events). @see enet peer.c enet_peer_receive
   */
  receive(): { channelID: number; packet: Packet } | null {
    const c = this.takeDispatched();
    return c ? { channelID: c.channelID, packet: c.packet } : null;
  }

  /** @internal {@link receive} without the result object (the host's event is built from it). */
  takeDispatched(): IncomingCommand | undefined {
    const c = this.dispatchedCommands.shift();
    if (c) this.totalWaitingData = Math.max(0, this.totalWaitingData - c.packet.data.length);
    return c;
  }

  // ---- sending ---------------------------------------------------------------------------------
  /**
   * Queues a packet on a channel. Packets larger than one datagram are fragmented: reliably,
   * or — with UNRELIABLE_FRAGMENT and without RELIABLE — unreliably (all-or-nothing).
   * The data is copied unless `flags` has NO_ALLOCATE.
   * @returns OK; ERR_UNCONFIGURED if not connected; ERR_INVALID_PARAMETER for a channel
   *   out of range; ERR_PARAMETER_RANGE_ERROR for a packet over the host's maximum size
   * @see enet peer.c enet_peer_send
   */
  send(channelID: number, data: Uint8Array, flags = 0): Error {
    return this.queueRange(channelID, data, 0, data.length, flags, (flags & PacketFlag.NO_ALLOCATE) === 0);
  }

  /**
   * {@link send} of the `length` bytes of `buffer` at `offset`, queued where they are (never
   * copied: they must not change afterwards). For relays: see queuePacketAt. @internal
   */
  sendShared(channelID: number, buffer: Uint8Array, offset: number, length: number, flags = 0): Error {
    return this.queueRange(channelID, buffer, offset, length, flags | PacketFlag.NO_ALLOCATE, false);
  }

  /** enet_peer_send's checks, then the packet's commands. */
  private queueRange(channelID: number, buffer: Uint8Array, offset: number, length: number, flags: number, copy: boolean): Error {
    if (this.state !== PeerState.CONNECTED) return Error.ERR_UNCONFIGURED;
    const channel = this.channels[channelID];
    if (!channel || !Number.isInteger(channelID)) return Error.ERR_INVALID_PARAMETER;
    if (length > this.host.maximumPacketSize) return Error.ERR_PARAMETER_RANGE_ERROR;
    return queuePacketAt(this, channel, buffer, offset, length, flags, copy);
  }

  /**
   * Numbers a command (per-peer for connection-level commands, per-channel otherwise) and
   * queues it. @see enet peer.c enet_peer_queue_outgoing_command, enet_peer_setup_outgoing_command
   * @internal
   */
  queueOutgoingCommand(command: Command, packet: Packet | null, offset: number, length: number): OutgoingCommand {
    const oc = new OutgoingCommand(command, command.type, command.flags, command.channelID, null, 0, packet, offset, length);
    this.enqueue(oc);
    command.reliableSequenceNumber = oc.reliableSequenceNumber;
    if (command.type === ProtocolCommand.SEND_UNRELIABLE) command.unreliableSequenceNumber = oc.unreliableSequenceNumber;
    else if (command.type === ProtocolCommand.SEND_UNSEQUENCED) command.unsequencedGroup = oc.unsequencedGroup;
    return oc;
  }

  /**
   * Queues a plain SEND_RELIABLE / SEND_UNRELIABLE / SEND_UNSEQUENCED of a whole packet, the
   * `length` bytes of `buffer` at `at` (already copied where needed: they never change; a
   * channel command: `channelID` is a channel of the peer) — numbered and accounted as
   * {@link enqueue} does, but as a compact row of its queue, without an OutgoingCommand until
   * it is about to be sent (outgoing-queue.ts). @internal
   */
  queueDataRow(type: ProtocolCommand, flags: number, channelID: number, buffer: Uint8Array, at: number, length: number): void {
    this.outgoingDataTotal += COMMAND_SIZES[type]! + length;
    this.numberCommand(channelID, flags, true);
    const n = numbered;
    const queue = flags & COMMAND_FLAG_ACKNOWLEDGE ? this.reliableQueue : this.unreliableQueue;
    queue.pushData(type, channelID, buffer, at, length, n.reliable, n.unreliable, n.group, this.nextOrder++);
    this.outgoingCount++;
    this.host.markSend(this);
  }

  /** Numbering, accounting and the queue of `oc`. @see enet_peer_setup_outgoing_command */
  private enqueue(oc: OutgoingCommand): void {
    this.outgoingDataTotal += (COMMAND_SIZES[oc.type] ?? 0) + oc.fragmentLength;
    this.numberCommand(oc.channelID, oc.flags, oc.fragmentOffset === 0);
    oc.reliableSequenceNumber = numbered.reliable;
    oc.unreliableSequenceNumber = numbered.unreliable;
    if (oc.type === ProtocolCommand.SEND_UNSEQUENCED) oc.unsequencedGroup = numbered.group;
    oc.order = this.nextOrder++;
    if (oc.channelID === 0xff) this.systemQueue.push(oc);
    else if (oc.flags & COMMAND_FLAG_ACKNOWLEDGE) this.reliableQueue.push(oc);
    else this.unreliableQueue.push(oc);
    this.outgoingCount++;
    this.host.markSend(this);
  }

  /**
   * Advances the sequence counters a new command takes and leaves its numbers in
   * {@link numbered}: connection-level commands count per peer, reliable ones per channel
   * (resetting the channel's unreliable count), unsequenced ones take the next group, and
   * unreliable ones (the first fragment only) the channel's next unreliable number after its
   * last reliable one. A number a command does not carry is left 0. @see enet peer.c enet_peer_setup_outgoing_command
   */
  private numberCommand(channelID: number, flags: number, firstFragment: boolean): void {
    const channel = this.channels[channelID];
    numbered.reliable = 0;
    numbered.unreliable = 0;
    numbered.group = 0;
    if (channelID === 0xff || !channel) {
      this.outgoingReliableSequenceNumber = (this.outgoingReliableSequenceNumber + 1) & 0xffff;
      numbered.reliable = this.outgoingReliableSequenceNumber;
    } else if (flags & COMMAND_FLAG_ACKNOWLEDGE) {
      channel.outgoingReliableSequenceNumber = (channel.outgoingReliableSequenceNumber + 1) & 0xffff;
      channel.outgoingUnreliableSequenceNumber = 0;
      numbered.reliable = channel.outgoingReliableSequenceNumber;
    } else if (flags & COMMAND_FLAG_UNSEQUENCED) {
      this.outgoingUnsequencedGroup = (this.outgoingUnsequencedGroup + 1) & 0xffff;
      numbered.group = this.outgoingUnsequencedGroup;
    } else {
      if (firstFragment) channel.outgoingUnreliableSequenceNumber = (channel.outgoingUnreliableSequenceNumber + 1) & 0xffff;
      numbered.reliable = channel.outgoingReliableSequenceNumber;
      numbered.unreliable = channel.outgoingUnreliableSequenceNumber;
    }
  }

  /** @internal No command waiting to be sent and none in flight. */
  isIdle(): boolean {
    return this.outgoingCount === 0 && this.sentReliable.isEmpty();
  }

  /**
   * Queues an acknowledgement, unless the command lies in the two windows just beyond the
   * receive window (ENet neither accepts nor acknowledges those).
   * @see enet peer.c enet_peer_queue_acknowledgement
   * @internal
   */
  queueAcknowledgement(channelID: number, seq: number, sentTime: number, isDisconnect: boolean): void {
    // Bounds checked here: connection-level commands (channel 0xFF) read past the array, and
    // an out-of-bounds read deoptimised the optimised code the first time a PING was acknowledged.
    const channel = channelID < this.channels.length ? this.channels[channelID] : undefined;
    if (channel) {
      const current = channel.incomingReliableSequenceNumber;
      let w = Math.floor(seq / 0x1000);
      const cw = Math.floor(current / 0x1000);
      if (seq < current) w += 16;
      if (w >= cw + 7 && w <= cw + 8) return;
    }
    this.outgoingDataTotal += COMMAND_SIZES[ProtocolCommand.ACKNOWLEDGE]!;
    this.host.markSend(this);
    this.acknowledgements.push(packAcknowledgement(channelID, seq, sentTime, isDisconnect));
  }

  // ---- control ---------------------------------------------------------------------------------
  /** Queues a PING (connected peers only). @see enet peer.c enet_peer_ping */
  ping(): void {
    if (this.state !== PeerState.CONNECTED) return;
    this.queueOutgoingCommand(
      { type: ProtocolCommand.PING, flags: COMMAND_FLAG_ACKNOWLEDGE, channelID: 0xff, reliableSequenceNumber: 0 },
      null,
      0,
      0,
    );
  }

  /** Interval between pings when idle; 0 restores the default. @see enet_peer_ping_interval */
  setPingInterval(ms: number): void {
    this.pingInterval = ms ? ms >>> 0 : PEER_PING_INTERVAL;
    this.host.markSend(this); // the next ping may now be due sooner
  }

  /** Timeout parameters; 0 restores a default. @see enet peer.c enet_peer_timeout */
  setTimeout(limit: number, minimum: number, maximum: number): void {
    this.timeoutLimit = limit ? limit >>> 0 : PEER_TIMEOUT_LIMIT;
    this.timeoutMinimum = minimum ? minimum >>> 0 : PEER_TIMEOUT_MINIMUM;
    this.timeoutMaximum = maximum ? maximum >>> 0 : PEER_TIMEOUT_MAXIMUM;
  }

  /** Configures the unreliable-packet throttle and tells the remote end. @see enet_peer_throttle_configure */
  throttleConfigure(interval: number, acceleration: number, deceleration: number): void {
    this.packetThrottleInterval = interval >>> 0;
    this.packetThrottleAcceleration = acceleration >>> 0;
    this.packetThrottleDeceleration = deceleration >>> 0;
    this.queueOutgoingCommand(
      {
        type: ProtocolCommand.THROTTLE_CONFIGURE,
        flags: COMMAND_FLAG_ACKNOWLEDGE,
        channelID: 0xff,
        reliableSequenceNumber: 0,
        packetThrottleInterval: this.packetThrottleInterval,
        packetThrottleAcceleration: this.packetThrottleAcceleration,
        packetThrottleDeceleration: this.packetThrottleDeceleration,
      },
      null,
      0,
      0,
    );
  }

  /**
   * Adjusts the throttle from one round-trip sample: faster than the last interval's best
   * accelerates, much slower (beyond twice the variance) decelerates.
   * @returns 1 accelerated, -1 decelerated, 0 unchanged @see enet peer.c enet_peer_throttle
   */
  throttle(rtt: number): number {
    if (this.lastRoundTripTime <= this.lastRoundTripTimeVariance) {
      this.packetThrottle = this.packetThrottleLimit;
    } else if (rtt <= this.lastRoundTripTime) {
      this.packetThrottle = Math.min(this.packetThrottle + this.packetThrottleAcceleration, this.packetThrottleLimit);
      return 1;
    } else if (rtt > this.lastRoundTripTime + 2 * this.lastRoundTripTimeVariance) {
      this.packetThrottle =
        this.packetThrottle > this.packetThrottleDeceleration ? this.packetThrottle - this.packetThrottleDeceleration : 0;
      return -1;
    }
    return 0;
  }

  /**
   * Starts a graceful disconnect: queued traffic is dropped, a DISCONNECT is sent and a
   * DISCONNECT event follows its acknowledgement (or a timeout). A peer that is not yet
   * connected is told with an unsequenced DISCONNECT and reset at once.
   * @see enet peer.c enet_peer_disconnect
   */
  disconnect(data = 0): void {
    const s = this.state;
    if (
      s === PeerState.DISCONNECTING ||
      s === PeerState.DISCONNECTED ||
      s === PeerState.ACKNOWLEDGING_DISCONNECT ||
      s === PeerState.ZOMBIE
    ) {
      return;
    }
    this.resetQueues();
    const connected = s === PeerState.CONNECTED || s === PeerState.DISCONNECT_LATER;
    this.queueOutgoingCommand(
      {
        type: ProtocolCommand.DISCONNECT,
        flags: connected ? COMMAND_FLAG_ACKNOWLEDGE : COMMAND_FLAG_UNSEQUENCED,
        channelID: 0xff,
        reliableSequenceNumber: 0,
        data: data >>> 0,
      },
      null,
      0,
      0,
    );
    if (connected) {
      this.onDisconnect();
      this.state = PeerState.DISCONNECTING;
    } else {
      this.host.flush(this.host.serviceTime);
      this.reset();
    }
  }

  /**
   * Disconnects at once: sends an unsequenced DISCONNECT (not retried) and resets the peer
   * without a DISCONNECT event. Sent with the host's last service time.
   * @see enet peer.c enet_peer_disconnect_now
   */
  disconnectNow(data = 0): void {
    if (this.state === PeerState.DISCONNECTED) return;
    if (this.state !== PeerState.ZOMBIE && this.state !== PeerState.DISCONNECTING) {
      this.resetQueues();
      this.queueOutgoingCommand(
        {
          type: ProtocolCommand.DISCONNECT,
          flags: COMMAND_FLAG_UNSEQUENCED,
          channelID: 0xff,
          reliableSequenceNumber: 0,
          data: data >>> 0,
        },
        null,
        0,
        0,
      );
      this.host.flush(this.host.serviceTime);
    }
    this.reset();
  }

  /** Disconnects once everything queued has been sent and acknowledged. @see enet_peer_disconnect_later */
  disconnectLater(data = 0): void {
    if ((this.state === PeerState.CONNECTED || this.state === PeerState.DISCONNECT_LATER) && !this.isIdle()) {
      this.state = PeerState.DISCONNECT_LATER;
      this.eventData = data >>> 0;
      this.host.markSend(this);
    } else {
      this.disconnect(data);
    }
  }

  /** @internal Connected-peer bookkeeping of the host. @see enet peer.c enet_peer_on_connect */
  onConnect(): void {
    if (this.state !== PeerState.CONNECTED && this.state !== PeerState.DISCONNECT_LATER) {
      if (this.incomingBandwidth !== 0) this.host.bandwidthLimitedPeers++;
      this.host.connectedPeers++;
    }
  }

  /** @internal @see enet peer.c enet_peer_on_disconnect */
  onDisconnect(): void {
    if (this.state === PeerState.CONNECTED || this.state === PeerState.DISCONNECT_LATER) {
      if (this.incomingBandwidth !== 0) this.host.bandwidthLimitedPeers--;
      this.host.connectedPeers--;
    }
  }

  /**
   * Drops every queued, in-flight and received command and the channels.
   * @see enet peer.c enet_peer_reset_queues
   * @internal
   */
  resetQueues(): void {
    this.host.unmarkForDispatch(this);
    this.acknowledgements.clear();
    this.sentReliable.clear();
    this.sentObjects.clear();
    this.systemQueue.clear();
    this.resendQueue.clear();
    this.reliableQueue.clear();
    this.unreliableQueue.clear();
    this.outgoingCount = 0;
    this.dispatchedCommands.clear();
    for (const c of this.channels) c.clear(null);
    this.channels = [];
  }

  /**
   * Forgets the connection without telling the remote end (it will time out).
   * @see enet peer.c enet_peer_reset
   */
  reset(): void {
    this.onDisconnect();
    this.outgoingPeerID = PROTOCOL_MAXIMUM_PEER_ID;
    this.connectID = 0;
    this.state = PeerState.DISCONNECTED;
    this.host.peerResets++;
    this.incomingBandwidth = 0;
    this.outgoingBandwidth = 0;
    this.incomingBandwidthThrottleEpoch = 0;
    this.outgoingBandwidthThrottleEpoch = 0;
    this.incomingDataTotal = 0;
    this.outgoingDataTotal = 0;
    this.lastSendTime = 0;
    this.lastReceiveTime = 0;
    this.nextTimeout = 0;
    this.earliestTimeout = 0;
    this.packetLossEpoch = 0;
    this.packetsSent = 0;
    this.packetsLost = 0;
    this.packetLoss = 0;
    this.packetLossVariance = 0;
    this.packetThrottle = PEER_DEFAULT_PACKET_THROTTLE;
    this.packetThrottleLimit = PEER_PACKET_THROTTLE_SCALE;
    this.packetThrottleCounter = 0;
    this.packetThrottleEpoch = 0;
    this.packetThrottleAcceleration = PEER_PACKET_THROTTLE_ACCELERATION;
    this.packetThrottleDeceleration = PEER_PACKET_THROTTLE_DECELERATION;
    this.packetThrottleInterval = PEER_PACKET_THROTTLE_INTERVAL;
    this.pingInterval = PEER_PING_INTERVAL;
    this.timeoutLimit = PEER_TIMEOUT_LIMIT;
    this.timeoutMinimum = PEER_TIMEOUT_MINIMUM;
    this.timeoutMaximum = PEER_TIMEOUT_MAXIMUM;
    this.lastRoundTripTime = PEER_DEFAULT_ROUND_TRIP_TIME;
    this.lowestRoundTripTime = PEER_DEFAULT_ROUND_TRIP_TIME;
    this.lastRoundTripTimeVariance = 0;
    this.highestRoundTripTimeVariance = 0;
    this.roundTripTime = PEER_DEFAULT_ROUND_TRIP_TIME;
    this.roundTripTimeVariance = 0;
    this.mtu = this.host.mtu;
    this.reliableDataInTransit = 0;
    this.outgoingReliableSequenceNumber = 0;
    this.windowSize = PROTOCOL_MAXIMUM_WINDOW_SIZE;
    this.incomingUnsequencedGroup = 0;
    this.outgoingUnsequencedGroup = 0;
    this.eventData = 0;
    this.totalWaitingData = 0;
    this.disconnectTimedOut = false;
    this.unsequencedWindow.fill(0);
    this.resetQueues();
  }

  /** @internal (Re)creates the channels for a new connection. */
  setupChannels(count: number): void {
    this.channels = Array.from({ length: count }, (_, i) => new Channel(i));
  }

  /** @internal The reliable command (channel, seq) in flight or awaiting resend, as it is now. */
  findSentReliable(channelID: number, seq: number): SentCommandInfo | undefined {
    return this.sentReliable.rowInfo(channelID, seq) ?? this.sentObjects.get(sentKey(channelID, seq));
  }

  /** Snapshot of ENet's per-peer statistics (Godot: ENetPacketPeer.get_statistic). */
  statistics(): PeerStatistics {
    return {
      packetLoss: this.packetLoss,
      packetLossVariance: this.packetLossVariance,
      packetLossEpoch: this.packetLossEpoch,
      roundTripTime: this.roundTripTime,
      roundTripTimeVariance: this.roundTripTimeVariance,
      lastRoundTripTime: this.lastRoundTripTime,
      lastRoundTripTimeVariance: this.lastRoundTripTimeVariance,
      packetThrottle: this.packetThrottle,
      packetThrottleLimit: this.packetThrottleLimit,
      packetThrottleCounter: this.packetThrottleCounter,
      packetThrottleEpoch: this.packetThrottleEpoch,
      packetThrottleAcceleration: this.packetThrottleAcceleration,
      packetThrottleDeceleration: this.packetThrottleDeceleration,
      packetThrottleInterval: this.packetThrottleInterval,
    };
  }
}
