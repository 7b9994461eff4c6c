/**
 * One ENet channel of a peer: outgoing sequence numbers and reliable-window accounting, and
 * the receive side — reordering of reliable commands, sequencing of unreliable ones,
 * reassembly of fragments — with ENet's delivery rules.
 *
 * ENet keeps incoming commands in sorted linked lists and walks them on every arrival. Here
 * reliable commands waiting for a gap are indexed by sequence number (a Map), and sequenced
 * unreliable commands are grouped by the reliable sequence number they follow (a Map of small
 * arrays sorted by unreliable sequence number), so an arrival costs O(1) amortised.
 *
 * @see enet peer.c enet_peer_queue_incoming_command,
 *   enet_peer_dispatch_incoming_reliable_commands, enet_peer_dispatch_incoming_unreliable_commands
 */
import { allocateBytes, copyBytes } from './bytes.js';
import { ProtocolCommand } from './protocol.js';
import { seqSub } from './time.js';
import { PacketFlag, type Packet } from './types.js';

/** @see enet enet.h ENET_PEER_RELIABLE_WINDOWS / _WINDOW_SIZE / ENET_PEER_FREE_RELIABLE_WINDOWS */
export const PEER_RELIABLE_WINDOWS = 16;
export const PEER_RELIABLE_WINDOW_SIZE = 0x1000;
export const PEER_FREE_RELIABLE_WINDOWS = 8;

/** The kinds of command that carry application data. */
export type DataCommandType =
  | ProtocolCommand.SEND_RELIABLE
  | ProtocolCommand.SEND_FRAGMENT
  | ProtocolCommand.SEND_UNRELIABLE
  | ProtocolCommand.SEND_UNRELIABLE_FRAGMENT
  | ProtocolCommand.SEND_UNSEQUENCED;

/** A received packet waiting for order, completion or the application. @see ENetIncomingCommand */
export class IncomingCommand {
  fragmentsRemaining: number;
  readonly fragments: Uint32Array | null;

  constructor(
    readonly type: DataCommandType,
    readonly channelID: number,
    readonly reliableSequenceNumber: number,
    readonly unreliableSequenceNumber: number,
    readonly packet: Packet,
    readonly fragmentCount: number,
  ) {
    this.fragmentsRemaining = fragmentCount;
    this.fragments = fragmentCount > 0 ? new Uint32Array(Math.ceil(fragmentCount / 32)) : null;
  }

  /** Marks fragment `n` received; false if it already was. */
  markFragment(n: number): boolean {
    const words = this.fragments;
    if (words === null) return false;
    const bit = 1 << (n & 31);
    const w = words[n >>> 5]!;
    if (w & bit) return false;
    words[n >>> 5] = w | bit;
    this.fragmentsRemaining--;
    return true;
  }
}

/** Where a channel hands packets that are ready, and returns those it drops. */
export interface IncomingTarget {
  /** May `bytes` more bytes wait for delivery? (ENet's maximumWaitingData) */
  reserve(bytes: number): boolean;
  dispatch(command: IncomingCommand): void;
  release(command: IncomingCommand): void;
}

export const enum QueueResult {
  /** Dropped as old, duplicate or out of window; not an error (the command is still acked). */
  DISCARDED = 0,
  /** Refused: ENet stops processing the rest of the datagram. */
  ERROR = 1,
}

/**
 * ENet's receive-window test: is `seq` in one of the FREE_RELIABLE_WINDOWS − 1 windows
 * starting at `current`'s window (a number below `current` counts as wrapped)?
 */
export function inReceiveWindow(seq: number, current: number): boolean {
  let w = Math.floor(seq / PEER_RELIABLE_WINDOW_SIZE);
  const cw = Math.floor(current / PEER_RELIABLE_WINDOW_SIZE);
  if (seq < current) w += PEER_RELIABLE_WINDOWS;
  return w >= cw && w < cw + PEER_FREE_RELIABLE_WINDOWS - 1;
}

function packetFlagsFor(type: DataCommandType): number {
  switch (type) {
    case ProtocolCommand.SEND_RELIABLE:
    case ProtocolCommand.SEND_FRAGMENT:
      return PacketFlag.RELIABLE;
    case ProtocolCommand.SEND_UNSEQUENCED:
      return PacketFlag.UNSEQUENCED;
    case ProtocolCommand.SEND_UNRELIABLE_FRAGMENT:
      return PacketFlag.UNRELIABLE_FRAGMENT;
    default:
      return 0;
  }
}

/** Index of the first command in `group` whose unreliable sequence number is >= `u`. */
function lowerBound(group: readonly IncomingCommand[], u: number): number {
  let lo = 0;
  let hi = group.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (group[mid]!.unreliableSequenceNumber < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class Channel {
  constructor(readonly id: number) {}

  outgoingReliableSequenceNumber = 0;
  outgoingUnreliableSequenceNumber = 0;
  /** Bit w set while window w has reliable commands in flight. */
  usedReliableWindows = 0;
  /** Reliable commands in flight per window. */
  readonly reliableWindows = new Uint16Array(PEER_RELIABLE_WINDOWS);
  incomingReliableSequenceNumber = 0;
  incomingUnreliableSequenceNumber = 0;
  /** Reliable commands (or fragmented packets, by start number) received ahead of a gap. */
  readonly pendingReliable = new Map<number, IncomingCommand>();
  /** Sequenced unreliable commands by the reliable number they follow, sorted by their own. */
  readonly pendingUnreliable = new Map<number, IncomingCommand[]>();

  /** Drops everything waiting (the packets are released to `target`). */
  clear(target: IncomingTarget | null): void {
    if (target) {
      for (const c of this.pendingReliable.values()) target.release(c);
      for (const g of this.pendingUnreliable.values()) for (const c of g) target.release(c);
    }
    this.pendingReliable.clear();
    this.pendingUnreliable.clear();
  }

  /** The fragmented reliable packet that starts at `start`, if it is waiting. */
  findReliable(start: number): IncomingCommand | undefined {
    return this.pendingReliable.get(start);
  }

  /** The waiting unreliable command (R, U), if any. */
  findUnreliable(reliableSequenceNumber: number, unreliableSequenceNumber: number): IncomingCommand | undefined {
    const group = this.pendingUnreliable.get(reliableSequenceNumber);
    if (!group) return undefined;
    const c = group[lowerBound(group, unreliableSequenceNumber)];
    return c && c.unreliableSequenceNumber === unreliableSequenceNumber ? c : undefined;
  }

  /**
   * Accepts a data command: window and duplicate checks, then queueing and delivery of
   * whatever became ready. `data` is copied unless `keep` (bytes that never change, e.g. a
   * view into a received datagram); for a fragmented packet pass null and the total length,
   * and fill the returned command's packet as fragments arrive.
   * @see enet peer.c enet_peer_queue_incoming_command
   */
  queueIncoming(
    target: IncomingTarget,
    type: DataCommandType,
    reliableSequenceNumber: number,
    unreliableSequenceNumber: number,
    data: Uint8Array | null,
    totalLength: number,
    fragmentCount: number,
    keep = false,
  ): IncomingCommand | QueueResult {
    const ir = this.incomingReliableSequenceNumber;
    let discard = false;
    if (type !== ProtocolCommand.SEND_UNSEQUENCED && !inReceiveWindow(reliableSequenceNumber, ir)) discard = true;
    else if (type === ProtocolCommand.SEND_RELIABLE || type === ProtocolCommand.SEND_FRAGMENT) {
      discard = reliableSequenceNumber === ir || this.pendingReliable.has(reliableSequenceNumber);
    } else if (type !== ProtocolCommand.SEND_UNSEQUENCED) {
      discard =
        (reliableSequenceNumber === ir && unreliableSequenceNumber <= this.incomingUnreliableSequenceNumber) ||
        this.findUnreliable(reliableSequenceNumber, unreliableSequenceNumber) !== undefined;
    }
    // A fragmented packet that cannot be queued is an error in ENet, not a silent discard.
    if (discard) return fragmentCount > 0 ? QueueResult.ERROR : QueueResult.DISCARDED;
    if (!target.reserve(totalLength)) return QueueResult.ERROR;

    const bytes = data === null ? allocateBytes(totalLength) : keep ? data : copyBytes(data);
    const packet: Packet = { data: bytes, flags: packetFlagsFor(type) };
    const command = new IncomingCommand(
      type,
      this.id,
      reliableSequenceNumber,
      unreliableSequenceNumber,
      packet,
      fragmentCount,
    );
    switch (type) {
      case ProtocolCommand.SEND_RELIABLE:
      case ProtocolCommand.SEND_FRAGMENT:
        if (fragmentCount === 0 && reliableSequenceNumber === ((ir + 1) & 0xffff) && this.pendingReliable.size === 0) {
          // The common case: next in sequence, no gap — deliver without the reorder index
          // (what dispatchReliable would do, minus three Map operations per packet).
          this.incomingReliableSequenceNumber = reliableSequenceNumber;
          target.dispatch(command);
          this.incomingUnreliableSequenceNumber = 0;
          if (this.pendingUnreliable.size > 0) this.dispatchUnreliable(target, null, ir);
          break;
        }
        this.pendingReliable.set(reliableSequenceNumber, command);
        this.dispatchReliable(target);
        break;
      case ProtocolCommand.SEND_UNSEQUENCED:
        target.dispatch(command);
        break;
      default:
        if (reliableSequenceNumber === ir && fragmentCount === 0 && !this.pendingUnreliable.has(ir)) {
          // The common case: next in sequence, nothing waiting — deliver at once.
          this.incomingUnreliableSequenceNumber = unreliableSequenceNumber;
          target.dispatch(command);
          break;
        }
        this.insertUnreliable(command);
        this.dispatchUnreliable(target, command, ir);
    }
    return command;
  }

  private insertUnreliable(command: IncomingCommand): void {
    const r = command.reliableSequenceNumber;
    const group = this.pendingUnreliable.get(r);
    if (!group) {
      this.pendingUnreliable.set(r, [command]);
      return;
    }
    const u = command.unreliableSequenceNumber;
    if (group.length === 0 || group[group.length - 1]!.unreliableSequenceNumber < u) group.push(command);
    else group.splice(lowerBound(group, u), 0, command);
  }

  /**
   * Delivers reliable commands that are next in sequence and complete; a fragmented packet
   * advances the sequence by its fragment count. Then sequenced unreliable commands that
   * were waiting for these reliable ones get their turn.
   * @see enet peer.c enet_peer_dispatch_incoming_reliable_commands
   */
  dispatchReliable(target: IncomingTarget): void {
    const before = this.incomingReliableSequenceNumber;
    for (;;) {
      const next = (this.incomingReliableSequenceNumber + 1) & 0xffff;
      const c = this.pendingReliable.get(next);
      if (!c || c.fragmentsRemaining > 0) break;
      this.pendingReliable.delete(next);
      this.incomingReliableSequenceNumber = next;
      if (c.fragmentCount > 1) {
        this.purgeReliable(target, next, c.fragmentCount - 1);
        this.incomingReliableSequenceNumber = (next + c.fragmentCount - 1) & 0xffff;
      }
      target.dispatch(c);
    }
    if (this.incomingReliableSequenceNumber === before) return;
    this.incomingUnreliableSequenceNumber = 0;
    if (this.pendingUnreliable.size > 0) this.dispatchUnreliable(target, null, before);
  }

  /**
   * Drops reliable commands numbered inside a fragmented packet's range (start, start+span]:
   * a well-behaved sender never sends them, so only garbage can be there. (ENet would keep
   * such a command at the head of its list and stall the channel.)
   */
  private purgeReliable(target: IncomingTarget, start: number, span: number): void {
    if (this.pendingReliable.size === 0) return;
    if (span < this.pendingReliable.size) {
      for (let i = 1; i <= span; i++) {
        const key = (start + i) & 0xffff;
        const c = this.pendingReliable.get(key);
        if (c) {
          this.pendingReliable.delete(key);
          target.release(c);
        }
      }
      return;
    }
    for (const [key, c] of this.pendingReliable) {
      const d = seqSub(key, start);
      if (span >= 0xffff || (d >= 1 && d <= span)) {
        this.pendingReliable.delete(key);
        target.release(c);
      }
    }
  }

  /**
   * Sequenced unreliable delivery: commands that follow reliable commands already delivered
   * are dropped; those following the current reliable command are delivered in order once
   * complete (an incomplete fragmented packet is dropped when a later one is delivered);
   * those following a reliable command still missing wait.
   * @param queued the command just queued (never dropped here: its fragments are being filled)
   * @param staleFrom the reliable number before the last advance: groups in [staleFrom, now) are stale
   * @see enet peer.c enet_peer_dispatch_incoming_unreliable_commands
   */
  dispatchUnreliable(target: IncomingTarget, queued: IncomingCommand | null, staleFrom: number): void {
    const ir = this.incomingReliableSequenceNumber;
    const groups = this.pendingUnreliable;
    const span = seqSub(ir, staleFrom);
    if (span > 0) {
      if (span < groups.size) {
        for (let i = 0; i < span; i++) this.dropGroup(target, (staleFrom + i) & 0xffff, queued);
      } else {
        for (const key of [...groups.keys()]) {
          if (key !== ir && !inReceiveWindow(key, ir)) this.dropGroup(target, key, queued);
        }
      }
    }
    const group = groups.get(ir);
    if (!group) return;
    let kept: IncomingCommand[] = [];
    for (const c of group) {
      if (c.fragmentsRemaining > 0) {
        kept.push(c);
        continue;
      }
      this.incomingUnreliableSequenceNumber = c.unreliableSequenceNumber;
      if (kept.length > 0) {
        for (const k of kept) if (k !== queued) target.release(k);
        kept = kept.filter((k) => k === queued);
      }
      target.dispatch(c);
    }
    if (kept.length === 0) groups.delete(ir);
    else groups.set(ir, kept);
  }

  private dropGroup(target: IncomingTarget, key: number, queued: IncomingCommand | null): void {
    const group = this.pendingUnreliable.get(key);
    if (!group) return;
    const keep = group.filter((c) => c === queued);
    for (const c of group) if (c !== queued) target.release(c);
    if (keep.length > 0) this.pendingUnreliable.set(key, keep);
    else this.pendingUnreliable.delete(key);
  }
}
