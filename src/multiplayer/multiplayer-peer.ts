/**
 * MultiplayerPeer: the base of every high-level multiplayer transport (Godot 4's API, camelCase),
 * a {@link PacketPeer} whose packets come from and go to numbered peers.
 * @see godot scene/main/multiplayer_peer.h/.cpp (4.x), core/io/networked_multiplayer_peer.h (3.x)
 *
 * Peer ids: the server is 1 ({@link TARGET_PEER_SERVER}), clients pick random 31-bit ids ≥ 2
 * ({@link MultiplayerPeer.generateUniqueId}). `setTargetPeer(id)` says where the next
 * putPacket()/putVar() goes: 0 = everyone ({@link TARGET_PEER_BROADCAST}), 1 = the server,
 * n > 1 = that peer, −n = everyone except peer n.
 *
 * Godot's model is polled: nothing happens until `poll()`, which emits the signals
 * ('peer_connected', 'peer_disconnected', and in the 3.2 class 'connection_succeeded',
 * 'connection_failed', 'server_disconnected' — Godot's names, as Node events) and queues the
 * packets read with getPacket()/getVar() after getPacketPeer()/getPacketChannel()/getPacketMode().
 *
 * Node form, beside Godot's: while a **'packet' listener** `(peer, data, channel, mode)` or a
 * **packet iterator** (`for await (const p of peer)`) exists, the peer is in *Node mode*: the
 * transport services itself as datagrams arrive and at its protocol deadlines (no poll() loop
 * needed; calling poll() is harmless), signals fire as things happen, and each packet goes to
 * the listeners and iterators instead of the getPacket() queue (packets already queued stay
 * there). Iterators end when the peer closes. Removing the last listener/iterator goes back to
 * the polled model. Signals alone do not switch modes: Godot emits them from poll().
 */
import { Error } from '../core/error.js';
import { PacketPeer, type PacketPeerOptions } from '../core/io/packet-peer.js';
import { defaultPlatform } from '../platform/default.js';
import type { LogFields, Platform } from '../platform/platform.js';
import { PacketSinks } from './packet-sinks.js';

/** @see godot MultiplayerPeer::TransferMode */
export enum TransferMode {
  TRANSFER_MODE_UNRELIABLE = 0,
  TRANSFER_MODE_UNRELIABLE_ORDERED = 1,
  TRANSFER_MODE_RELIABLE = 2,
}

/** @see godot MultiplayerPeer::ConnectionStatus */
export enum ConnectionStatus {
  CONNECTION_DISCONNECTED = 0,
  CONNECTION_CONNECTING = 1,
  CONNECTION_CONNECTED = 2,
}

/** Packets go to every peer. */
export const TARGET_PEER_BROADCAST = 0;
/** Packets go to the server (whose id is always 1). */
export const TARGET_PEER_SERVER = 1;

/** One received packet, as the Node form hands it out. */
export interface MultiplayerPacket {
  /** The id of the peer that sent it (for relayed packets, the original sender). */
  peer: number;
  /** The payload (what getPacket() would return). */
  data: Uint8Array;
  /** The channel it came on (what getPacketChannel() would return). */
  channel: number;
  /** The transfer mode it came with (what getPacketMode() would return). */
  mode: TransferMode;
}

export interface MultiplayerPeerOptions extends PacketPeerOptions {
  /** Clock, timers, sockets, randomness and logger; default {@link defaultPlatform} (Node). */
  platform?: Platform;
}

const NODE_EVENTS = new Set<string | symbol>(['packet']);
const TRANSFER_MODES = new Set<number>([0, 1, 2]);

export interface MultiplayerPeer {
  on(event: 'peer_connected' | 'peer_disconnected', listener: (id: number) => void): this;
  on(event: 'packet', listener: (peer: number, data: Uint8Array, channel: number, mode: TransferMode) => void): this;
  on(event: string | symbol, listener: (...args: never[]) => void): this;
  once(event: 'peer_connected' | 'peer_disconnected', listener: (id: number) => void): this;
  once(event: 'packet', listener: (peer: number, data: Uint8Array, channel: number, mode: TransferMode) => void): this;
  once(event: string | symbol, listener: (...args: never[]) => void): this;
}

export abstract class MultiplayerPeer extends PacketPeer {
  static readonly TARGET_PEER_BROADCAST = TARGET_PEER_BROADCAST;
  static readonly TARGET_PEER_SERVER = TARGET_PEER_SERVER;
  static readonly TRANSFER_MODE_UNRELIABLE = TransferMode.TRANSFER_MODE_UNRELIABLE;
  static readonly TRANSFER_MODE_UNRELIABLE_ORDERED = TransferMode.TRANSFER_MODE_UNRELIABLE_ORDERED;
  static readonly TRANSFER_MODE_RELIABLE = TransferMode.TRANSFER_MODE_RELIABLE;
  static readonly CONNECTION_DISCONNECTED = ConnectionStatus.CONNECTION_DISCONNECTED;
  static readonly CONNECTION_CONNECTING = ConnectionStatus.CONNECTION_CONNECTING;
  static readonly CONNECTION_CONNECTED = ConnectionStatus.CONNECTION_CONNECTED;

  readonly platform: Platform;
  /** Where the next packet goes (setTargetPeer). */
  protected targetPeer = TARGET_PEER_BROADCAST;
  private mode = TransferMode.TRANSFER_MODE_RELIABLE;
  private channel: number;
  private refusing = false;
  private readonly sinks = new PacketSinks<MultiplayerPacket>();
  private nodeModeOn = false;

  /** @param defaultTransferChannel the class's default transfer channel (Godot 4: 0; 3.2 ENet: −1) */
  constructor(options: MultiplayerPeerOptions = {}, defaultTransferChannel = 0) {
    super(options);
    this.platform = options.platform ?? defaultPlatform();
    this.channel = defaultTransferChannel;
    this.sinks.onChange = () => this.updateNodeMode();
    this.installModeHooks();
  }

  // ---- Godot API: settings ------------------------------------------------------------------------
  /** How the next packets are sent (default TRANSFER_MODE_RELIABLE). An unknown mode is refused (logged). */
  setTransferMode(mode: TransferMode): void {
    if (!TRANSFER_MODES.has(mode)) return this.logError(`Invalid transfer mode: ${String(mode)}.`);
    this.mode = mode;
  }

  getTransferMode(): TransferMode {
    return this.mode;
  }

  /** The channel the next packets use (meaning and range are the transport's); a bad one is refused (logged). */
  setTransferChannel(channel: number): void {
    const problem = this.checkTransferChannel(channel);
    if (problem !== null) return this.logError(problem);
    this.channel = channel;
  }

  getTransferChannel(): number {
    return this.channel;
  }

  /** Refuse (true) or accept new connections; established peers are kept. */
  setRefuseNewConnections(enable: boolean): void {
    this.refusing = enable;
  }

  isRefusingNewConnections(): boolean {
    return this.refusing;
  }

  /** Where the next packets go: 0 all, 1 the server, n one peer, −n everyone except peer n. */
  setTargetPeer(id: number): void {
    if (!Number.isInteger(id) || id < -0x80000000 || id > 0x7fffffff) {
      return this.logError(`Invalid target peer: ${String(id)}.`);
    }
    this.targetPeer = id;
  }

  get transferMode(): TransferMode { return this.getTransferMode(); }
  set transferMode(mode: TransferMode) { this.setTransferMode(mode); }
  get transferChannel(): number { return this.getTransferChannel(); }
  set transferChannel(channel: number) { this.setTransferChannel(channel); }
  get refuseNewConnections(): boolean { return this.isRefusingNewConnections(); }
  set refuseNewConnections(enable: boolean) { this.setRefuseNewConnections(enable); }

  // ---- Godot API: the transport's part ------------------------------------------------------------
  /** The id of the peer that sent the next packet getPacket() returns. */
  abstract getPacketPeer(): number;
  /** The channel of the next packet getPacket() returns. */
  abstract getPacketChannel(): number;
  /** The transfer mode of the next packet getPacket() returns. */
  abstract getPacketMode(): TransferMode;
  /** Services the transport: connections, disconnections and packets; emits the signals. */
  abstract poll(): void;
  /** Closes every connection at once. */
  abstract close(): void;
  /** Disconnects `peer` (server side); `force` drops it at once, without waiting for queued packets. */
  abstract disconnectPeer(peer: number, force?: boolean): void;
  abstract getConnectionStatus(): ConnectionStatus;
  /** This peer's id (1 for the server). */
  abstract getUniqueId(): number;

  /** Whether the server can relay packets between clients in the current configuration. */
  isServerRelaySupported(): boolean {
    return false;
  }

  /**
   * A random id for a new client: 31 bits (never negative, as −id means "all but id"), never
   * 0 or 1 (broadcast and the server). From the platform's random source.
   */
  generateUniqueId(): number {
    for (;;) {
      const id = this.platform.random.u32() & 0x7fffffff;
      if (id > 1) return id;
    }
  }

  // ---- Node form ----------------------------------------------------------------------------------
  /** Received packets while iterating (Node mode); ends when the peer closes. */
  [Symbol.asyncIterator](): AsyncIterableIterator<MultiplayerPacket> {
    return this.sinks.iterator();
  }

  override removeAllListeners(event?: string | symbol): this {
    if (event === undefined) super.removeAllListeners();
    else super.removeAllListeners(event);
    this.installModeHooks();
    this.updateNodeMode();
    return this;
  }

  /** Whether a 'packet' listener or a packet iterator exists (see the class comment). */
  protected get nodeMode(): boolean {
    return this.nodeModeOn;
  }

  /** Called when Node mode turns on or off; the transport starts or stops servicing itself. */
  protected onNodeModeChange(_on: boolean): void {}

  /**
   * Hands a received packet to the Node form; false when nobody takes it (then the transport
   * queues it for getPacket()).
   */
  protected deliverPacket(packet: MultiplayerPacket): boolean {
    const listening = this.listenerCount('packet') > 0;
    if (!listening && this.sinks.size === 0) return false;
    this.sinks.push(packet);
    if (listening) this.emit('packet', packet.peer, packet.data, packet.channel, packet.mode);
    return true;
  }

  /** Ends every packet iterator (the peer closed). */
  protected endPacketIterators(): void {
    this.sinks.closeAll();
  }

  /** Null when `channel` is acceptable, else the error to log. Godot 4: 0 (the mode's default) to 255. */
  protected checkTransferChannel(channel: number): string | null {
    if (!Number.isInteger(channel) || channel < 0 || channel > 255) {
      return `The transfer channel must be between 0 and 255 (inclusive), got ${String(channel)}.`;
    }
    return null;
  }

  protected logError(message: string, fields?: LogFields): void {
    this.platform.logger.log('error', `${this.constructor.name}: ${message}`, fields);
  }

  /** Logs like Godot's ERR_FAIL_*_V and returns `value`. */
  protected fail<T>(value: T, message: string, fields?: LogFields): T {
    this.logError(message, fields);
    return value;
  }

  /** Godot's Error for a failed call, logged. */
  protected failError(code: Error, message: string, fields?: LogFields): Error {
    return this.fail(code, message, fields);
  }

  private installModeHooks(): void {
    if (this.listenerCount('newListener') === 0) {
      this.on('newListener', (event: string | symbol) => {
        if (NODE_EVENTS.has(event)) this.updateNodeMode(true);
      });
    }
    if (this.listenerCount('removeListener') === 0) {
      this.on('removeListener', (event: string | symbol) => {
        if (NODE_EVENTS.has(event)) this.updateNodeMode();
      });
    }
  }

  /** Node mode while a 'packet' listener or an iterator exists (`adding`: one is being added). */
  private updateNodeMode(adding = false): void {
    let want = adding || this.sinks.size > 0;
    for (const name of NODE_EVENTS) want ||= this.listenerCount(name) > 0;
    if (want === this.nodeModeOn) return;
    this.nodeModeOn = want;
    this.onNodeModeChange(want);
  }
}
