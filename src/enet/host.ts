/**
 * The ENet host, sans-IO: a fixed set of peer slots and the service pump.
 *
 * The host never reads a clock or touches a socket. The caller
 *  - hands in every received datagram with {@link Host.receive} (queued until the next service),
 *  - calls {@link Host.service} with the current 32-bit millisecond time; each call returns at
 *    most one event (CONNECT, DISCONNECT, RECEIVE) or null when there is nothing to report,
 *  - sends the datagrams the host produces: through the `send` option, or by draining
 *    {@link Host.takeDatagrams},
 *  - asks {@link Host.nextServiceDelay} how long it may sleep when service() returned null.
 *
 * @see enet host.c (create, connect, broadcast, limits), protocol.c enet_host_service
 */
import { Error } from '../core/error.js';
import { bandwidthThrottle, HOST_BANDWIDTH_THROTTLE_INTERVAL } from './bandwidth.js';
import { shareBytes } from './bytes.js';
import { Deque } from './deque.js';
import { receiveIncomingCommands } from './host-incoming.js';
import { sendOutgoingCommands } from './host-outgoing.js';
import { Peer } from './peer.js';
import { queuePacketAt } from './peer-send.js';
import {
  COMMAND_FLAG_ACKNOWLEDGE,
  PROTOCOL_MAXIMUM_CHANNEL_COUNT,
  PROTOCOL_MAXIMUM_MTU,
  PROTOCOL_MAXIMUM_PEER_ID,
  PROTOCOL_MAXIMUM_WINDOW_SIZE,
  PROTOCOL_MINIMUM_CHANNEL_COUNT,
  PROTOCOL_MINIMUM_MTU,
  PROTOCOL_MINIMUM_WINDOW_SIZE,
  ProtocolCommand,
} from './protocol.js';
import type { Compressor } from './range-coder.js';
import { timeDifference, timeGreaterEqual, timeLess, timeSub, toTime } from './time.js';
import { EventType, PacketFlag, PeerState, type Address, type Datagram, type HostEvent, type Packet } from './types.js';

/** @see enet enet.h ENET_HOST_* */
export const HOST_DEFAULT_MTU = 1400;
export const HOST_DEFAULT_MAXIMUM_PACKET_SIZE = 32 * 1024 * 1024;
export const HOST_DEFAULT_MAXIMUM_WAITING_DATA = 32 * 1024 * 1024;
/** Received datagrams kept for the next service(); more are dropped and counted. */
export const HOST_DEFAULT_MAXIMUM_QUEUED_DATAGRAMS = 4096;
/** Datagrams handled per receive step of service() (ENet reads at most 256 per call). */
const DATAGRAMS_PER_SERVICE = 256;
/** Received datagrams handled between two sends when the owner flushes (Host.flushSends). */
const RECEIVE_CHUNK = 16;

export interface HostOptions {
  /** Peer slots (1..4095). Default 32 (Godot's max_clients). */
  peerCount?: number;
  /** Most channels a connecting peer may open; 0 or absent = 255. */
  channelLimit?: number;
  /** Downstream bandwidth in bytes/s; 0 = unlimited. */
  incomingBandwidth?: number;
  /** Upstream bandwidth in bytes/s; 0 = unlimited. */
  outgoingBandwidth?: number;
  /** Default 1400 (ENET_HOST_DEFAULT_MTU), clamped to 576..4096. */
  mtu?: number;
  /** Use ENet's CRC32 checksum field (both ends must agree). */
  checksum?: boolean;
  /** Datagram compressor (e.g. new RangeCoder()); both ends must agree. */
  compressor?: Compressor | null;
  maximumPacketSize?: number;
  maximumWaitingData?: number;
  /** Peers allowed from one IP address. Default 4095 (no limit). */
  duplicatePeers?: number;
  /** Silently ignore CONNECT from unknown peers (Godot's refuse_new_connections). */
  refuseNewConnections?: boolean;
  /** Source of the connect ids (ENet seeds a counter once, then increments it). */
  random: { u32(): number };
  /** Called for each datagram to send; without it datagrams queue for takeDatagrams(). */
  send?: (data: Uint8Array, address: Address) => void;
  maximumQueuedDatagrams?: number;
}

function clampChannelLimit(limit: number): number {
  if (!limit || limit > PROTOCOL_MAXIMUM_CHANNEL_COUNT) return PROTOCOL_MAXIMUM_CHANNEL_COUNT;
  return Math.max(PROTOCOL_MINIMUM_CHANNEL_COUNT, Math.floor(limit));
}

export { DEFER_ACKNOWLEDGEMENTS_MAX_DATAGRAMS } from './host-incoming.js';

/**
 * First value of the fields that hold a clock with its fraction. A double from the start: a
 * field first holding a small integer is generalised by V8 on its first fractional store,
 * which deprecates the Host's map and deoptimises every function that had seen it (measured:
 * 16 hot functions at once, mid-run, in a 64-byte throughput client).
 */
const DOUBLE_FIELD = 0.5;

/**
 * `now` is less than a millisecond after `then` (both service() clocks, not rounded). A clock
 * that went back (a caller that wraps its own clock) counts as later.
 */
function withinAMillisecond(now: number, then: number): boolean {
  const d = now - then;
  return d >= 0 && d < 1;
}

export class Host {
  readonly peers: readonly Peer[];
  channelLimit: number;
  incomingBandwidth: number;
  outgoingBandwidth: number;
  mtu: number;
  checksumEnabled: boolean;
  compressor: Compressor | null;
  maximumPacketSize: number;
  maximumWaitingData: number;
  duplicatePeers: number;
  refuseConnections: boolean;
  /** The time given to the last service()/flush() call. */
  serviceTime = 0;
  /** @internal */ bandwidthThrottleEpoch = 0;
  /** @internal */ recalculateBandwidthLimits = false;
  /** @internal */ randomSeed: number;
  connectedPeers = 0;
  bandwidthLimitedPeers = 0;
  totalSentData = 0;
  totalSentPackets = 0;
  totalReceivedData = 0;
  totalReceivedPackets = 0;
  /**
   * @internal Peers that left DISCONNECTED, in slot order (ENet's loops run in slot order, so
   * datagram and event order stay the same). Peers reset since are dropped lazily by
   * {@link livePeers}. The send loop and nextServiceDelay walk this instead of every slot
   * (profile: both scanned all 1000+ slots twice per service).
   */
  readonly activePeers: Peer[] = [];
  /**
   * @internal Peers that may have something to send now (queued acknowledgements or
   * commands, a received ack, a state change): the send loop visits these, in slot order,
   * instead of every live peer. Work that only comes due with time (retransmission, ping) is
   * covered by {@link scanDue}. (Profile, 1000 peers: visiting every peer on every service
   * was a quarter of the server's CPU.)
   */
  private sendList: Peer[] = [];
  /** @internal Peers the send loop visited, ever (tests check it does not scale with idle peers). */
  peerVisits = 0;
  /** @internal A lower bound of every live peer's next deadline (valid when scanDueSet). */
  scanDue = 0;
  /** @internal Whether some peer has a deadline at all. */
  scanDueSet = false;
  private resetsSeen = 0;
  /** @internal The next send visits every live peer (after a scan that stopped early). */
  scanAll = false;
  /** Times a peer slot was reset to DISCONNECTED (lets owners skip re-checking their peers). */
  peerResets = 0;
  /** Datagrams dropped because the receive queue was full. */
  droppedDatagrams = 0;
  /**
   * Datagrams refused as malformed: bad header, checksum or compression, an undecodable
   * command, or a command with impossible fields. (Commands refused because of the peer's
   * state, e.g. data for a peer that is disconnecting, stop the datagram but are not counted.)
   */
  malformedDatagrams = 0;

  /** @internal Peers with something to report, in order. */
  readonly dispatchQueue = new Deque<Peer>();
  /** @internal Received datagrams not yet processed. */
  readonly inbound = new Deque<Datagram>();
  /** @internal Event produced directly while servicing (null outside service()). */
  pendingEvent: HostEvent | null = null;
  /** @internal True inside service(): handlers may report an event directly. */
  eventCapable = false;
  /**
   * Send acknowledgements only once the events of the received datagrams have been taken
   * (see service()), together with what the application queued in answer. They wait at most
   * until a service() call in a later millisecond, which sends them before it hands out the
   * next queued event, so a poller that takes one event per frame delays them by one frame at
   * most. Off (the default): ENet's order, acknowledgements leave before the events.
   */
  deferAcknowledgements = false;
  /** Acknowledgements wait for the queued events to be taken (deferAcknowledgements). */
  private acknowledgementsDeferred = false;
  /**
   * The clock (service()'s `now`, not rounded to the millisecond) when
   * {@link acknowledgementsDeferred} was set: the bound is a whole millisecond, not the next
   * tick of a millisecond counter (which a relay's frame crossed in one frame of ten, sending
   * every client a second datagram).
   */
  private acknowledgementsDeferredAt = DOUBLE_FIELD;
  /** Sends were held back for datagrams waiting to be read (see service()); since when. */
  private sendsHeld = false;
  /** The clock (not rounded) when the sends were first held. */
  private sendsHeldAt = DOUBLE_FIELD;
  /** @internal Numbers service()'s receive steps: each peer's datagram count restarts with a new one. */
  receiveStep = 0;
  /**
   * @internal One peer sent more than DEFER_ACKNOWLEDGEMENTS_MAX_DATAGRAMS datagrams in this
   * receive step: bulk traffic, acknowledged at once (see service()).
   */
  bulkReceive = false;
  /** @internal The datagram being handled may be referenced, not copied (see host-incoming). */
  payloadsImmutable = false;
  /**
   * The `send` callback copies each datagram before it returns (a batched socket stages it
   * in its own arena): datagrams are then assembled in one reused buffer instead of a fresh
   * one each (profile: allocation, and the garbage collection it caused, per datagram sent).
   * Without a `send` callback it has no effect: takeDatagrams() hands out fresh buffers.
   */
  sendCopies = false;
  /**
   * Set by an owner whose `send` callback batches (a batched socket): it sends what was
   * handed over so far. service() then handles a long run of received datagrams in chunks of
   * {@link RECEIVE_CHUNK}, sending each chunk's acknowledgements before the next (ENet reads
   * and acknowledges as the datagrams arrive; a batch read at once would otherwise hold every
   * acknowledgement until the whole batch was handled, and the sender's window with them).
   */
  flushSends: (() => void) | null = null;
  /** @internal Set when a datagram was full and a peer has more to send. */
  continueSending = false;
  private readonly outbox: Datagram[] = [];
  private readonly sendFn: ((data: Uint8Array, address: Address) => void) | undefined;
  private readonly maximumQueuedDatagrams: number;

  /** @see enet host.c enet_host_create */
  constructor(options: HostOptions) {
    const peerCount = options.peerCount ?? 32;
    if (!Number.isInteger(peerCount) || peerCount < 1 || peerCount > PROTOCOL_MAXIMUM_PEER_ID) {
      throw new RangeError(`peerCount must be 1..${PROTOCOL_MAXIMUM_PEER_ID}`);
    }
    this.channelLimit = clampChannelLimit(options.channelLimit ?? 0);
    this.incomingBandwidth = (options.incomingBandwidth ?? 0) >>> 0;
    this.outgoingBandwidth = (options.outgoingBandwidth ?? 0) >>> 0;
    this.mtu = Math.min(PROTOCOL_MAXIMUM_MTU, Math.max(PROTOCOL_MINIMUM_MTU, options.mtu ?? HOST_DEFAULT_MTU));
    this.checksumEnabled = options.checksum ?? false;
    this.compressor = options.compressor ?? null;
    this.maximumPacketSize = options.maximumPacketSize ?? HOST_DEFAULT_MAXIMUM_PACKET_SIZE;
    this.maximumWaitingData = options.maximumWaitingData ?? HOST_DEFAULT_MAXIMUM_WAITING_DATA;
    this.duplicatePeers = options.duplicatePeers ?? PROTOCOL_MAXIMUM_PEER_ID;
    this.refuseConnections = options.refuseNewConnections ?? false;
    this.randomSeed = options.random.u32() >>> 0;
    this.sendFn = options.send;
    this.maximumQueuedDatagrams = options.maximumQueuedDatagrams ?? HOST_DEFAULT_MAXIMUM_QUEUED_DATAGRAMS;
    this.peers = Array.from({ length: peerCount }, (_, i) => {
      const p = new Peer(this, i);
      p.reset();
      return p;
    });
  }

  get peerCount(): number {
    return this.peers.length;
  }

  // ---- datagrams in and out ----------------------------------------------------------------------
  /**
   * Queues a received datagram for the next service(). The bytes must not change afterwards:
   * received packets may be views of them (no copy per packet).
   */
  receive(data: Uint8Array, address: Address): void {
    if (this.inbound.length >= this.maximumQueuedDatagrams) {
      this.droppedDatagrams++;
      return;
    }
    this.inbound.push({ data, address });
  }

  /** Takes the datagrams produced since the last call (when no `send` option was given). */
  takeDatagrams(): Datagram[] {
    return this.outbox.splice(0, this.outbox.length);
  }

  /** @internal Datagrams go to a `send` callback (not to takeDatagrams). */
  get hasSendCallback(): boolean {
    return this.sendFn !== undefined;
  }

  /** @internal */
  emit(data: Uint8Array, address: Address): void {
    this.totalSentData += data.length;
    this.totalSentPackets++;
    if (this.sendFn) this.sendFn(data, address);
    else this.outbox.push({ data, address });
  }

  // ---- connections -----------------------------------------------------------------------------
  /**
   * Starts connecting to a remote host: takes a free peer slot and queues a CONNECT (sent on
   * the next service/flush). A CONNECT event follows on success, a DISCONNECT on failure.
   * @returns the peer, or null when every slot is in use
   * @see enet host.c enet_host_connect
   */
  connect(address: Address, channelCount: number, data = 0): Peer | null {
    const count = Math.min(PROTOCOL_MAXIMUM_CHANNEL_COUNT, Math.max(PROTOCOL_MINIMUM_CHANNEL_COUNT, channelCount | 0));
    const peer = this.peers.find((p) => p.state === PeerState.DISCONNECTED);
    if (!peer) return null;
    peer.setupChannels(count);
    peer.state = PeerState.CONNECTING;
    this.activatePeer(peer);
    peer.address = { address: address.address, port: address.port };
    this.randomSeed = (this.randomSeed + 1) >>> 0;
    peer.connectID = this.randomSeed;
    peer.windowSize = windowSizeFor(this.outgoingBandwidth);
    peer.queueOutgoingCommand(
      {
        type: ProtocolCommand.CONNECT,
        flags: COMMAND_FLAG_ACKNOWLEDGE,
        channelID: 0xff,
        reliableSequenceNumber: 0,
        outgoingPeerID: peer.incomingPeerID,
        incomingSessionID: peer.incomingSessionID,
        outgoingSessionID: peer.outgoingSessionID,
        mtu: peer.mtu,
        windowSize: peer.windowSize,
        channelCount: count,
        incomingBandwidth: this.incomingBandwidth,
        outgoingBandwidth: this.outgoingBandwidth,
        packetThrottleInterval: peer.packetThrottleInterval,
        packetThrottleAcceleration: peer.packetThrottleAcceleration,
        packetThrottleDeceleration: peer.packetThrottleDeceleration,
        connectID: peer.connectID,
        data: data >>> 0,
      },
      null,
      0,
      0,
    );
    return peer;
  }

  /**
   * Queues one packet to every connected peer (the data is shared, copied once).
   * @see enet host.c enet_host_broadcast
   */
  broadcast(channelID: number, data: Uint8Array, flags = 0): Error {
    if (data.length > this.maximumPacketSize) return Error.ERR_PARAMETER_RANGE_ERROR;
    // One copy shared by every peer, in a slab (fragments group by packet identity per peer only).
    const shared = flags & PacketFlag.NO_ALLOCATE ? { buffer: data, offset: 0, length: data.length } : shareBytes(data);
    for (const peer of this.peers) {
      if (peer.state !== PeerState.CONNECTED) continue;
      const channel = peer.channels[channelID];
      if (channel) queuePacketAt(peer, channel, shared.buffer, shared.offset, shared.length, flags, false);
    }
    return Error.OK;
  }

  /** @see enet host.c enet_host_channel_limit */
  setChannelLimit(limit: number): void {
    this.channelLimit = clampChannelLimit(limit);
  }

  /** @see enet host.c enet_host_bandwidth_limit */
  bandwidthLimit(incoming: number, outgoing: number): void {
    this.incomingBandwidth = incoming >>> 0;
    this.outgoingBandwidth = outgoing >>> 0;
    this.recalculateBandwidthLimits = true;
  }

  /** @see enet host.c enet_host_compress */
  setCompressor(compressor: Compressor | null): void {
    this.compressor = compressor;
  }

  refuseNewConnections(refuse: boolean): void {
    this.refuseConnections = refuse;
  }

  // ---- the pump --------------------------------------------------------------------------------
  /**
   * Runs the protocol once at time `now` and returns at most one event. Call it until it
   * returns null, then again when a datagram arrives or after nextServiceDelay().
   * @see enet protocol.c enet_host_service (without the wait)
   */
  service(now: number): HostEvent | null {
    if (this.acknowledgementsDeferred) this.sendLateAcknowledgements(now);
    const queued = this.dispatchIncomingCommands();
    if (queued) return queued;
    this.serviceTime = toTime(now);
    if (timeDifference(this.serviceTime, this.bandwidthThrottleEpoch) >= HOST_BANDWIDTH_THROTTLE_INTERVAL) {
      bandwidthThrottle(this);
    }
    this.eventCapable = true;
    this.pendingEvent = null;
    try {
      this.acknowledgementsDeferred = false;
      // With deferAcknowledgements (a socket driver), datagrams already waiting are read
      // before what is queued is sent: the answers to them join the same datagrams. A relay's
      // poll loop reads again once its events are taken, and what arrived meanwhile made a
      // second datagram to every client in about one frame of ten (measured: 100–150
      // datagrams instead of 50 for 50 clients). Held at most 1 ms, and never while a bulk
      // sender waits on its acknowledgements.
      if (!this.holdSends(now) && this.sendNow()) return this.takePendingEvent();
      this.receiveStep++;
      this.bulkReceive = false;
      for (let left = DATAGRAMS_PER_SERVICE; left > 0; left -= RECEIVE_CHUNK) {
        if (receiveIncomingCommands(this, this.flushSends ? Math.min(left, RECEIVE_CHUNK) : left)) return this.takePendingEvent();
        if (!this.flushSends || this.inbound.isEmpty()) break;
        // More datagrams wait and a bulk sender is among them: what this chunk owes (its
        // acknowledgements) leaves now, so the sender refills its window while the rest is
        // handled (see flushSends). Many peers with a datagram or two each (a relay's frame)
        // are read through: their acknowledgements ride with the answers below.
        if (!this.bulkReceive) continue;
        if (this.sendNow()) return this.takePendingEvent();
        this.flushSends();
      }
      // With deferAcknowledgements, acknowledgements of what was just received wait until
      // its events are taken: the service call after the last one sends them together with
      // whatever the application queued in answer (one datagram per hop, not two). Not after
      // a burst of datagrams from one peer: that is bulk traffic, whose sender waits on these
      // acknowledgements to open its window (profile: the 1200-byte throughput run idled on
      // both sides). Counted per peer: a relay reading one datagram from each of 50 clients
      // per frame defers (measured: otherwise every sender got its acknowledgements in a
      // datagram of their own, 4 of the 54 the relay sent per frame).
      const defer = this.deferAcknowledgements && !this.dispatchQueue.isEmpty() && !this.bulkReceive;
      if (defer) {
        this.acknowledgementsDeferred = true;
        this.acknowledgementsDeferredAt = now;
      } else if (this.sendNow()) return this.takePendingEvent();
    } finally {
      this.eventCapable = false;
    }
    return this.dispatchIncomingCommands();
  }

  /** service()'s send (timeouts included), which ends any hold; true when an event is ready. */
  private sendNow(): boolean {
    this.sendsHeld = false;
    return sendOutgoingCommands(this, true);
  }

  /**
   * Whether service() reads the waiting datagrams before sending: only for a socket driver
   * (deferAcknowledgements), when datagrams wait, the last receive step had no bulk sender,
   * and the sends have not been held for a millisecond already.
   */
  private holdSends(now: number): boolean {
    if (!this.deferAcknowledgements || this.inbound.isEmpty() || this.bulkReceive) return false;
    if (!this.sendsHeld) {
      this.sendsHeld = true;
      this.sendsHeldAt = now;
      return true;
    }
    return withinAMillisecond(now, this.sendsHeldAt);
  }

  /** Returns a queued event without doing any I/O. @see enet protocol.c enet_host_check_events */
  checkEvents(): HostEvent | null {
    return this.dispatchIncomingCommands();
  }

  /** Sends whatever is queued now, without handling timeouts or producing events. @see enet_host_flush */
  flush(now: number): void {
    this.serviceTime = toTime(now);
    this.acknowledgementsDeferred = false;
    this.sendsHeld = false;
    sendOutgoingCommands(this, false);
  }

  /**
   * Deferred acknowledgements whose events are still queued a millisecond later leave now
   * (enet_host_flush's work: no timeouts, no events), so the application's pace of taking
   * events delays them by one service call at most.
   */
  private sendLateAcknowledgements(now: number): void {
    if (!withinAMillisecond(now, this.acknowledgementsDeferredAt)) this.flush(now);
  }

  /**
   * Milliseconds until service() has work to do (0 = now; Infinity = only when a datagram
   * arrives). A hint for drivers that sleep between calls; calling service() more often is
   * always correct.
   */
  nextServiceDelay(now: number): number {
    if (!this.inbound.isEmpty() || !this.dispatchQueue.isEmpty()) return 0;
    if (this.scanAll) return 0;
    const t = toTime(now);
    let best = Infinity;
    const until = (deadline: number): number => {
      const d = timeSub(deadline, t);
      return d >= 0x80000000 ? 0 : d;
    };
    // Peers not in the send list have nothing to send before their deadline, and scanDue
    // bounds those deadlines from below.
    for (const peer of this.sendList) {
      if (peer.state === PeerState.DISCONNECTED || peer.state === PeerState.ZOMBIE) continue;
      if (!peer.acknowledgements.isEmpty() || !peer.systemQueue.isEmpty() || !peer.unreliableQueue.isEmpty()) return 0;
      if (peer.outgoingCount > 0 && peer.sentReliable.isEmpty()) return 0;
      const deadline = peerDeadline(peer);
      if (deadline !== null) best = Math.min(best, until(deadline));
    }
    if (this.scanDueSet && this.peerResets !== this.resetsSeen) {
      // A reset peer's deadline may be the one scanDue stands for: with no live peer left
      // there is none (so an idle host arms no timer).
      this.resetsSeen = this.peerResets;
      if (this.livePeers().length === 0) this.scanDueSet = false;
    }
    if (this.scanDueSet) best = Math.min(best, until(this.scanDue));
    if (this.connectedPeers > 0 && (this.outgoingBandwidth !== 0 || this.bandwidthLimitedPeers > 0 || this.recalculateBandwidthLimits)) {
      best = Math.min(best, until(this.bandwidthThrottleEpoch + HOST_BANDWIDTH_THROTTLE_INTERVAL));
    }
    return best;
  }

  private takePendingEvent(): HostEvent | null {
    const e = this.pendingEvent;
    this.pendingEvent = null;
    return e;
  }

  // ---- state changes and event dispatch (@see enet protocol.c) -----------------------------------
  /** @internal */
  markForDispatch(peer: Peer): void {
    if (peer.needsDispatch) return;
    peer.needsDispatch = true;
    this.dispatchQueue.push(peer);
  }

  /** @internal Leaves a stale entry in the queue; dispatch skips peers not marked. */
  unmarkForDispatch(peer: Peer): void {
    peer.needsDispatch = false;
  }

  /** @internal @see enet protocol.c enet_protocol_change_state */
  changeState(peer: Peer, state: PeerState): void {
    if (state === PeerState.CONNECTED || state === PeerState.DISCONNECT_LATER) peer.onConnect();
    else peer.onDisconnect();
    peer.state = state;
    if (state !== PeerState.DISCONNECTED) {
      this.activatePeer(peer);
      this.markSend(peer); // a new state brings new deadlines (a connected peer pings)
    }
  }

  /** @internal A peer left DISCONNECTED: list it in {@link activePeers}, in slot order. */
  activatePeer(peer: Peer): void {
    if (peer.listedActive) return;
    peer.listedActive = true;
    const list = this.activePeers;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.incomingPeerID < peer.incomingPeerID) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, peer);
  }

  /** @internal `peer` may have something to send: the next send visits it. */
  markSend(peer: Peer): void {
    if (peer.inSendList) return;
    peer.inSendList = true;
    this.sendList.push(peer);
  }

  /**
   * @internal The peers the send loop visits at time `now`: every live peer when a full scan
   * is due (forced, or a deadline reached), else the marked peers in slot order. The list
   * returned stays valid while new marks collect for the next call.
   */
  takeSendPeers(now: number): readonly Peer[] {
    const full = this.scanAll || (this.scanDueSet && timeGreaterEqual(now, this.scanDue));
    const taken = this.sendList;
    if (taken.length > 0) {
      // A fresh list, not a recycled one: sends nest (a disconnect inside the loop flushes).
      this.sendList = [];
      for (let i = 0; i < taken.length; i++) taken[i]!.inSendList = false;
    }
    if (full) {
      this.scanAll = false;
      this.scanDueSet = false;
      return this.livePeers();
    }
    if (taken.length === 0) return NO_PEERS; // nothing allocated for an idle send
    if (taken.length > 1) taken.sort(bySlot);
    return taken;
  }

  /** @internal After a visit: keep `peer` listed while it has queued work, and fold in its deadline. */
  settleSendPeer(peer: Peer): void {
    if (peer.state === PeerState.DISCONNECTED || peer.state === PeerState.ZOMBIE) return;
    if (!peer.acknowledgements.isEmpty() || peer.outgoingCount > 0) this.markSend(peer);
    const deadline = peerDeadline(peer);
    if (deadline === null) return;
    if (!this.scanDueSet || timeLess(deadline, this.scanDue)) this.scanDue = deadline;
    this.scanDueSet = true;
  }

  /** @internal {@link activePeers} without the peers reset since they were listed. */
  livePeers(): readonly Peer[] {
    const list = this.activePeers;
    let n = 0;
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      if (p.state === PeerState.DISCONNECTED) p.listedActive = false;
      else list[n++] = p;
    }
    list.length = n;
    return list;
  }

  /** @internal @see enet protocol.c enet_protocol_dispatch_state */
  dispatchState(peer: Peer, state: PeerState): void {
    this.changeState(peer, state);
    this.markForDispatch(peer);
  }

  /** @internal @see enet protocol.c enet_protocol_notify_connect */
  notifyConnect(peer: Peer): void {
    this.recalculateBandwidthLimits = true;
    if (this.eventCapable && this.pendingEvent === null) {
      this.changeState(peer, PeerState.CONNECTED);
      this.pendingEvent = { type: EventType.CONNECT, peer, data: peer.eventData };
    } else {
      this.dispatchState(
        peer,
        peer.state === PeerState.CONNECTING ? PeerState.CONNECTION_SUCCEEDED : PeerState.CONNECTION_PENDING,
      );
    }
  }

  /** @internal @see enet protocol.c enet_protocol_notify_disconnect */
  notifyDisconnect(peer: Peer, timedOut: boolean): void {
    if (peer.state >= PeerState.CONNECTION_PENDING) this.recalculateBandwidthLimits = true;
    if (peer.state !== PeerState.CONNECTING && peer.state < PeerState.CONNECTION_SUCCEEDED) {
      peer.reset();
    } else if (this.eventCapable && this.pendingEvent === null) {
      this.pendingEvent = { type: EventType.DISCONNECT, peer, data: 0, timedOut };
      peer.reset();
    } else {
      peer.eventData = 0;
      peer.disconnectTimedOut = timedOut;
      this.dispatchState(peer, PeerState.ZOMBIE);
    }
  }

  /** @see enet protocol.c enet_protocol_dispatch_incoming_commands */
  private dispatchIncomingCommands(): HostEvent | null {
    for (;;) {
      const peer = this.dispatchQueue.shift();
      if (!peer) return null;
      if (!peer.needsDispatch) continue;
      peer.needsDispatch = false;
      switch (peer.state) {
        case PeerState.CONNECTION_PENDING:
        case PeerState.CONNECTION_SUCCEEDED:
          this.changeState(peer, PeerState.CONNECTED);
          return { type: EventType.CONNECT, peer, data: peer.eventData };
        case PeerState.ZOMBIE: {
          this.recalculateBandwidthLimits = true;
          const event: HostEvent = {
            type: EventType.DISCONNECT,
            peer,
            data: peer.eventData,
            timedOut: peer.disconnectTimedOut,
          };
          peer.reset();
          return event;
        }
        case PeerState.CONNECTED: {
          const c = peer.takeDispatched();
          if (!c) continue;
          if (!peer.dispatchedCommands.isEmpty()) this.markForDispatch(peer);
          return { type: EventType.RECEIVE, peer, channelID: c.channelID, packet: c.packet };
        }
        default:
          continue;
      }
    }
  }
}

const bySlot = (a: Peer, b: Peer): number => a.incomingPeerID - b.incomingPeerID;
/**
 * The empty send list: an array of objects emptied, not a frozen or literal `[]`, so that it
 * has the elements kind of the lists it stands in for and the send loop stays monomorphic (a
 * frozen one deoptimised sendPeers the first time an idle send came after it was optimised).
 * Never written: typed readonly.
 */
const NO_PEERS: readonly Peer[] = emptyObjectArray();

function emptyObjectArray(): Peer[] {
  const a: (Peer | null)[] = [null];
  a.pop();
  return a as Peer[];
}

/**
 * When time alone gives `peer` work: its oldest reliable command's retransmission timeout,
 * or (connected, nothing in flight) its next ping. Null when neither applies.
 */
function peerDeadline(peer: Peer): number | null {
  if (!peer.sentReliable.isEmpty()) return peer.nextTimeout;
  if (peer.state === PeerState.CONNECTED) return (peer.lastReceiveTime + peer.pingInterval) >>> 0;
  return null;
}

/** ENet's window size for a bandwidth: 4 KiB per 64 KiB/s, clamped to 4 KiB..64 KiB (0 = max). */
export function windowSizeFor(bandwidth: number): number {
  if (bandwidth === 0) return PROTOCOL_MAXIMUM_WINDOW_SIZE;
  const w = Math.floor(bandwidth / 65536) * PROTOCOL_MINIMUM_WINDOW_SIZE;
  return Math.min(PROTOCOL_MAXIMUM_WINDOW_SIZE, Math.max(PROTOCOL_MINIMUM_WINDOW_SIZE, w));
}
