/**
 * What both relay cores (Godot 4 SceneMultiplayer, Godot 3.2 NetworkedMultiplayerENet) share:
 * the {@link RelayCore} lifecycle (start once, graceful stop with a deadline, hard close),
 * event listeners, per-peer traffic counters and cumulative totals, drop counts by reason,
 * and the snapshot the operations shell samples.
 *
 * Graceful stop, as the shell's contract asks: refuse new connections; tell every peer with an
 * ENet `disconnect_later` (ENet first delivers what is queued to it, so nothing is half-sent,
 * then sends DISCONNECT — a Godot client sees `server_disconnected`); keep servicing until every
 * peer acknowledged or the deadline; then close (remaining peers get `disconnect_now`, the host
 * is flushed and its socket closed one timer turn later).
 */
import type { ENetConnection } from '../../modules/enet/enet-connection.js';
import { ENetPacketPeer, PeerState, PeerStatistic } from '../../modules/enet/enet-packet-peer.js';
import type { Logger, Platform, TimerHandle } from '../../platform/platform.js';
import type { ServerConfig } from '../config.js';
import type {
  CoreEvent, CoreSnapshot, CoreStatus, CoreStopOptions, CoreTotals, PeerSnapshot, RelayCore, RoomSnapshot,
} from '../core.js';

/** Time the stop leaves itself before the shell's deadline to close cleanly, ms. */
const STOP_MARGIN_MS = 50;

/** One connected ENet peer as the core tracks it. */
export interface PeerRecord {
  readonly id: number;
  readonly enet: ENetPacketPeer;
  readonly address: string;
  readonly port: number;
  readonly connectedAt: number;
  room: string | null;
  /** Admitted by the multiplayer layer (SceneMultiplayer admission; ENet CONNECT in 3.2). */
  admitted: boolean;
  /** Being disconnected by the relay: its packets are ignored. */
  leaving: boolean;
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
}

interface MutableTotals {
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
  connects: number;
  disconnects: number;
}

export abstract class RelayCoreBase implements RelayCore {
  abstract readonly name: string;
  protected status: CoreStatus = 'starting';
  protected detail: string | null = null;
  protected listen: { address: string; port: number } | null = null;
  /** Every connected peer (admitted or not), by id, in connection order. */
  protected readonly peers = new Map<number, PeerRecord>();
  private readonly counts: MutableTotals = { packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0, connects: 0, disconnects: 0 };
  private readonly drops: Record<string, number> = {};
  private readonly listeners = new Set<(e: CoreEvent) => void>();
  private started = false;
  private stopping: Promise<void> | null = null;
  private stopDone: (() => void) | null = null;
  private stopTimer: TimerHandle | null = null;

  constructor(
    protected readonly config: ServerConfig,
    protected readonly platform: Platform,
    protected readonly logger: Logger,
  ) {}

  // ---- RelayCore ---------------------------------------------------------------------------------
  async start(): Promise<void> {
    if (this.started) throw new Error(`${this.name}: start() called twice`);
    this.started = true;
    try {
      await this.open();
    } catch (err) {
      this.status = 'unavailable';
      this.detail = err instanceof Error ? err.message : String(err);
      this.shutdownTransport();
      throw err;
    }
    if (this.status === 'starting') this.status = 'running';
  }

  stop(options: CoreStopOptions): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      if (this.status !== 'running') {
        this.close();
        resolve();
        return;
      }
      this.status = 'stopping';
      this.logger.log('info', `${this.name}: stopping, telling ${this.peers.size} peer(s)`, { reason: options.reason });
      this.stopDone = resolve;
      const left = Math.max(0, options.deadline - this.platform.clock.now() - STOP_MARGIN_MS);
      this.stopTimer = this.platform.timers.setTimeout(() => {
        this.stopTimer = null;
        this.finishStop();
      }, left);
      this.beginStop();
      this.checkStopped();
    });
    return this.stopping;
  }

  close(): void {
    if (this.status === 'stopped') return;
    this.status = 'stopped';
    if (this.stopTimer) this.platform.timers.clearTimeout(this.stopTimer);
    this.stopTimer = null;
    this.shutdownTransport();
    this.peers.clear();
    const done = this.stopDone;
    this.stopDone = null;
    // The transport closes its socket one timer turn later (after its last DISCONNECTs left).
    if (done) this.platform.timers.setTimeout(done, 1);
  }

  snapshot(): CoreSnapshot {
    const peers: PeerSnapshot[] = [];
    for (const p of this.peers.values()) peers.push(this.peerSnapshot(p));
    const totals: CoreTotals = { ...this.counts, drops: { ...this.drops } };
    const dtls = this.enetHost()?.getDtlsStatistics() ?? null;
    return { status: this.status, detail: this.detail, listen: this.listen, rooms: this.roomSnapshots(), peers, totals, dtls };
  }

  onEvent(listener: (event: CoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  // ---- for the cores -----------------------------------------------------------------------------
  /** Binds and starts admitting; throws an Error saying what failed. */
  protected abstract open(): Promise<void>;
  /** Refuse new connections and disconnect every peer gracefully (disconnect_later). */
  protected abstract beginStop(): void;
  /** Close the multiplayer peer now (disconnect_now to whoever is left, flush, socket closed). */
  protected abstract shutdownTransport(): void;
  protected abstract roomSnapshots(): RoomSnapshot[];
  /** The ENet host once bound (its DTLS counters go into the snapshot); null before. */
  protected abstract enetHost(): ENetConnection | null;

  protected get isStopping(): boolean {
    return this.status === 'stopping';
  }

  protected get isClosed(): boolean {
    return this.status === 'stopped';
  }

  protected emit(event: CoreEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (err) {
        this.logger.log('error', `${this.name}: event listener threw`, { error: err });
      }
    }
  }

  /** Counts a refused packet or connection and reports it. */
  protected drop(reason: string, peer: number): void {
    this.drops[reason] = (this.drops[reason] ?? 0) + 1;
    this.emit({ type: 'drop', reason, peer });
  }

  protected addPeer(id: number, enet: ENetPacketPeer): PeerRecord {
    const rec: PeerRecord = {
      id, enet, address: enet.getRemoteAddress(), port: enet.getRemotePort(), connectedAt: this.platform.clock.now(),
      room: null, admitted: false, leaving: false, packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0,
    };
    this.peers.set(id, rec);
    return rec;
  }

  /** Marks `rec` admitted to its room and reports it. */
  protected admitted(rec: PeerRecord): void {
    rec.admitted = true;
    this.counts.connects++;
    this.emit({ type: 'peer_connected', peer: rec.id, address: `${rec.address}:${rec.port}`, room: rec.room });
  }

  /** Forgets a peer whose ENet connection ended; reports it when it had been admitted. */
  protected removePeer(rec: PeerRecord, reason: string): void {
    this.peers.delete(rec.id);
    if (rec.admitted) {
      this.counts.disconnects++;
      this.emit({ type: 'peer_disconnected', peer: rec.id, reason });
    }
    this.checkStopped();
  }

  protected countIn(rec: PeerRecord, bytes: number): void {
    rec.packetsIn++;
    rec.bytesIn += bytes;
    this.counts.packetsIn++;
    this.counts.bytesIn += bytes;
  }

  protected countOut(rec: PeerRecord, bytes: number): void {
    rec.packetsOut++;
    rec.bytesOut += bytes;
    this.counts.packetsOut++;
    this.counts.bytesOut += bytes;
  }

  /** Tells `rec` to go once ENet delivered what is queued to it (graceful). */
  protected disconnectLater(rec: PeerRecord): void {
    rec.leaving = true;
    if (isConnected(rec.enet)) rec.enet.peerDisconnectLater(0);
  }

  // ---- internals ---------------------------------------------------------------------------------
  private peerSnapshot(p: PeerRecord): PeerSnapshot {
    return {
      id: p.id, address: p.address, port: p.port, room: p.admitted ? p.room : null,
      state: p.admitted ? 'connected' : 'authenticating',
      rttMs: p.enet.getStatistic(PeerStatistic.PEER_ROUND_TRIP_TIME),
      loss: p.enet.getStatistic(PeerStatistic.PEER_PACKET_LOSS) / ENetPacketPeer.PACKET_LOSS_SCALE,
      packetsIn: p.packetsIn, packetsOut: p.packetsOut, bytesIn: p.bytesIn, bytesOut: p.bytesOut,
      connectedAt: p.connectedAt,
    };
  }

  private checkStopped(): void {
    if (this.status === 'stopping' && this.peers.size === 0) this.finishStop();
  }

  private finishStop(): void {
    if (this.status !== 'stopping') return;
    const left = this.peers.size;
    if (left > 0) this.logger.log('warn', `${this.name}: stop deadline reached, closing ${left} peer(s) at once`);
    this.close();
  }
}

/** Whether ENet would accept a packet for this peer now. */
export function isConnected(peer: ENetPacketPeer): boolean {
  return peer.getState() === PeerState.STATE_CONNECTED;
}
