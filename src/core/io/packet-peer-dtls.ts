/**
 * PacketPeerDTLS: a DTLS 1.2 session over a PacketPeerUDP (Godot 4.x API in camelCase, with
 * Godot 3.2's connectToPeer form beside it).
 * @see godot modules/mbedtls/packet_peer_mbed_dtls.cpp, core/io/packet_peer_dtls.h
 *
 * Poll-driven, as in Godot: nothing happens until poll() is called. poll() moves the datagrams
 * queued in the UDP peer into the DTLS engine (the native addon over Node's OpenSSL), steps
 * the handshake or decrypts records, and sends what the engine wrote. Retransmission times are
 * read from the engine and checked against the platform clock on each poll; a handshake that
 * has not finished `handshakeTimeoutMs` after it started fails with STATUS_ERROR.
 *
 * Statuses and transitions (Godot's):
 * - connectToPeer → HANDSHAKING (ERROR_HOSTNAME_MISMATCH if even the first step fails, as Godot
 *   reports any immediate failure) → CONNECTED, or ERROR when the handshake fails;
 * - a certificate whose name does not match → ERROR_HOSTNAME_MISMATCH (Godot reports ERROR).
 *   The name is matched as text against DNS subjectAltNames, else the subject CN, IP literals
 *   included (mbedTLS's rule; Godot's own certificates carry only a CN);
 * - server side (DTLSServer.takeConnection): a ClientHello without a valid cookie is answered
 *   with a HelloVerifyRequest and the peer goes to ERROR at once, dropping its UDP peer, so
 *   the client's retry arrives as a new connection ("50 % of connections fail");
 * - close_notify received → close_notify sent back → DISCONNECTED; disconnectFromPeer() sends
 *   close_notify → DISCONNECTED; a fatal record error → ERROR.
 *
 * Unlike Godot, poll() decrypts every datagram that is queued (Godot decrypts one record per
 * poll), packets already decrypted stay readable after the peer closes, and a packet larger
 * than a DTLS record (16384 bytes) is refused with ERR_INVALID_PARAMETER without breaking the
 * session.
 */
import { defaultPlatform } from '../../platform/default.js';
import type { Platform, TimerHandle } from '../../platform/platform.js';
import { Error, GodotError } from '../error.js';
import { clientContext, resolveTuning, type DTLSTuning, type ResolvedTuning } from '../crypto/dtls-context.js';
import { X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH, loadNative, nativeLoadError, type NativeAddon, type NativeContext, type NativeSession } from '../crypto/native.js';
import { TLSOptions } from '../crypto/tls-options.js';
import { X509Certificate } from '../crypto/x509-certificate.js';
import { ipToBytes, isValidIp } from './ip.js';
import { PacketPeer, type PacketPeerOptions } from './packet-peer.js';
import { kPutOwned, kTakeInto, type PacketPeerUDP } from './packet-peer-udp.js';

/** PacketPeerDTLS.Status, with Godot's numbers (identical in 3.2 and 4.x). */
export enum DTLSStatus {
  STATUS_DISCONNECTED = 0,
  STATUS_HANDSHAKING = 1,
  STATUS_CONNECTED = 2,
  STATUS_ERROR = 3,
  STATUS_ERROR_HOSTNAME_MISMATCH = 4,
}

export interface PacketPeerDTLSOptions extends PacketPeerOptions, DTLSTuning {
  /** Clock and logger; default {@link defaultPlatform}. */
  platform?: Platform;
}

/** DTLSServer's entry point (not public API). */
export const kAccept = Symbol('PacketPeerDTLS.accept');

/** Largest plaintext of one DTLS record (RFC 6347 / RFC 5246 §6.2.1). */
const MAX_RECORD = 16384;
/** Datagrams handed to the engine per batch (its queue holds 1024). */
const FEED_BATCH = 256;

/**
 * sessionRecvInto's results, reused by every peer (one JavaScript thread): [status, records,
 * datagrams consumed, datagrams queued for sending], then (where, offset, length) per record.
 */
const RECV_TABLE = new Int32Array(4 + 3 * 1024);

/**
 * Encrypted datagrams are written into consecutive slices of a shared chunk and handed to the
 * socket as owned (no copy on send): a slice is never written again, and a chunk is dropped
 * (left to the garbage collector) once full. One allocation per ~60 KiB of records.
 */
const SEND_CHUNK = 64 * 1024;
/** Room asked for beyond the plaintext: record header, explicit IV, tag or MAC and padding. */
const RECORD_ROOM = 512;
let sendChunk = new Uint8Array(0);
let sendOffset = 0;
const EMPTY = new Uint8Array(0);

export interface PacketPeerDTLS {
  on(event: 'status', listener: (status: DTLSStatus) => void): this;
  on(event: 'packet', listener: (data: Uint8Array) => void): this;
  on(event: string | symbol, listener: (...args: never[]) => void): this;
  once(event: 'status', listener: (status: DTLSStatus) => void): this;
  once(event: 'packet', listener: (data: Uint8Array) => void): this;
  once(event: string | symbol, listener: (...args: never[]) => void): this;
}

export class PacketPeerDTLS extends PacketPeer {
  static readonly STATUS_DISCONNECTED = DTLSStatus.STATUS_DISCONNECTED;
  static readonly STATUS_HANDSHAKING = DTLSStatus.STATUS_HANDSHAKING;
  static readonly STATUS_CONNECTED = DTLSStatus.STATUS_CONNECTED;
  static readonly STATUS_ERROR = DTLSStatus.STATUS_ERROR;
  static readonly STATUS_ERROR_HOSTNAME_MISMATCH = DTLSStatus.STATUS_ERROR_HOSTNAME_MISMATCH;
  /** What Godot's get_max_packet_size() returns: 512 (UDP) − 24 (DTLS header). */
  static readonly MAX_PACKET_SIZE = 488;

  readonly platform: Platform;
  private readonly tuning: ResolvedTuning;
  private status = DTLSStatus.STATUS_DISCONNECTED;
  private native: NativeAddon | null = null;
  private session: NativeSession | null = null;
  private udp: PacketPeerUDP | null = null;
  /** Server-side peers own their UDP peer: dropping it frees its slot in the UDPServer. */
  private ownsUdp = false;
  private listening = false;
  private cookieEpoch = 0;
  private deadline = 0;
  private retransmitAt = -1;
  private inbox: Uint8Array[] = [];
  /** Datagrams taken from the UDP peer for the engine (slots cleared after each batch). */
  private readonly batch: Uint8Array[] = [];
  private lastError = '';
  private auto = false;
  private autoTimer: TimerHandle | null = null;
  private autoWaiting: PacketPeerUDP | null = null;

  constructor(options: PacketPeerDTLSOptions = {}) {
    super(options);
    this.platform = options.platform ?? defaultPlatform();
    this.tuning = resolveTuning(options);
    // Attaching a 'packet' listener hands over what is already queued (next microtask).
    this.on('newListener', (event: string | symbol) => {
      if (event === 'packet') void Promise.resolve().then(() => this.emitPackets());
    });
  }

  // --- Godot API -----------------------------------------------------------------------------

  /**
   * Starts a client handshake over `packetPeer`, which must be connectToHost()-ed
   * (ERR_INVALID_PARAMETER otherwise).
   * - Godot 4: `connectToPeer(peer, hostname, clientOptions = TLSOptions.client())`;
   * - Godot 3.2: `connectToPeer(peer, validateCerts = true, forHostname = '', validCertificate = null)`
   *   (validateCerts false verifies nothing; an empty forHostname skips the name check).
   * ERR_UNAVAILABLE when the native addon is missing.
   */
  connectToPeer(packetPeer: PacketPeerUDP, hostname: string, clientOptions?: TLSOptions | null): Error;
  connectToPeer(packetPeer: PacketPeerUDP, validateCerts?: boolean, forHostname?: string,
    validCertificate?: X509Certificate | null): Error;
  connectToPeer(packetPeer: PacketPeerUDP, a: string | boolean = true, b?: TLSOptions | string | null,
    c?: X509Certificate | null): Error {
    let hostname: string;
    let options: TLSOptions;
    if (typeof a === 'string') {
      hostname = a;
      options = b instanceof TLSOptions ? b : TLSOptions.client();
      if (options.isServer()) return Error.ERR_INVALID_PARAMETER;
    } else {
      hostname = typeof b === 'string' ? b : '';
      options = a ? TLSOptions.client(c ?? null) : TLSOptions.clientUnsafe();
    }
    if (!packetPeer?.isSocketConnected() || hostname.includes('\0')) return Error.ERR_INVALID_PARAMETER;
    const native = this.requireNative();
    if (!native) return Error.ERR_UNAVAILABLE;
    this.cleanup();
    let ctx: NativeContext;
    let verifyHost: string | null;
    try {
      ({ ctx, verifyHost } = clientContext(native, options, hostname));
    } catch (e) {
      if (e instanceof GodotError) return e.code;
      throw e;
    }
    const sni = hostname !== '' && !isValidIp(hostname) ? hostname : null;
    try {
      this.session = native.sessionNew(ctx, verifyHost || null, sni, this.tuning.mtu, this.tuning.retransmitMs, null);
    } catch {
      return Error.ERR_INVALID_PARAMETER; // OpenSSL refused the host name
    }
    this.native = native;
    this.udp = packetPeer;
    this.ownsUdp = false;
    this.listening = false;
    this.begin();
    if (!this.stepHandshake()) {
      this.setStatus(DTLSStatus.STATUS_ERROR_HOSTNAME_MISMATCH);
      return Error.FAILED;
    }
    this.autoStep();
    return Error.OK;
  }

  /** Advances the handshake, or receives and decrypts what arrived; sends what is due. */
  poll(): void {
    const active = this.status === DTLSStatus.STATUS_HANDSHAKING || this.status === DTLSStatus.STATUS_CONNECTED;
    if (active && this.udp && this.udp.getAvailablePacketCount() < 0) {
      // Godot's bio_recv: a UDP peer that can no longer be polled is an internal error.
      this.fail(DTLSStatus.STATUS_ERROR, 'the UDP peer was closed');
      return;
    }
    if (this.status === DTLSStatus.STATUS_HANDSHAKING) {
      this.stepHandshake();
    } else if (this.status === DTLSStatus.STATUS_CONNECTED) {
      this.receive();
    }
  }

  getStatus(): DTLSStatus {
    return this.status;
  }

  /** Sends close_notify when connected; DISCONNECTED afterwards (also ends a handshake). */
  disconnectFromPeer(): void {
    if (this.status !== DTLSStatus.STATUS_CONNECTED && this.status !== DTLSStatus.STATUS_HANDSHAKING) return;
    if (this.status === DTLSStatus.STATUS_CONNECTED && this.native && this.session) {
      this.native.sessionShutdown(this.session);
      this.flush();
    }
    this.cleanup();
    this.setStatus(DTLSStatus.STATUS_DISCONNECTED);
  }

  // --- gdwire additions ----------------------------------------------------------------------

  /** Why the last handshake or record failed (OpenSSL's text), "" if nothing failed. */
  getLastError(): string {
    return this.lastError;
  }

  /** The peer's certificate chain leaf once connected (null before, or if the peer sent none). */
  getPeerCertificate(): X509Certificate | null {
    if (this.status !== DTLSStatus.STATUS_CONNECTED || !this.native || !this.session) return null;
    const der = this.native.sessionInfo(this.session).peerCertificate;
    return der ? X509Certificate.fromDer(der) : null;
  }

  /** Negotiated protocol and cipher suite once connected, e.g. { version: 'DTLSv1.2', cipher: 'ECDHE-RSA-AES256-GCM-SHA384' }. */
  getConnectionInfo(): { version: string; cipher: string } | null {
    if (this.status !== DTLSStatus.STATUS_CONNECTED || !this.native || !this.session) return null;
    const { version, cipher } = this.native.sessionInfo(this.session);
    return { version, cipher };
  }

  /** ms until poll() has timer work to do (retransmission or handshake deadline); -1 if none. */
  getNextTimeout(): number {
    if (this.status !== DTLSStatus.STATUS_HANDSHAKING) return -1;
    const now = this.platform.clock.now();
    const due = this.retransmitAt >= 0 ? Math.min(this.retransmitAt, this.deadline) : this.deadline;
    return Math.max(0, due - now);
  }

  /**
   * Node form (gdwire addition): with `enabled`, the peer polls by itself — whenever its UDP
   * peer queues a datagram (PacketPeerUDP.wait) and when a retransmission or the handshake
   * deadline is due (a platform timer) — and emits 'status' on every change and 'packet' for
   * each packet while 'packet' listeners are attached (otherwise packets stay queued).
   */
  setAutoPoll(enabled: boolean): void {
    this.auto = enabled;
    if (enabled) this.autoStep();
    else this.clearAutoTimer();
  }

  isAutoPoll(): boolean {
    return this.auto;
  }

  /** Resolves with the status the handshake ends in (at once if it is not in progress). */
  waitForHandshake(): Promise<DTLSStatus> {
    if (this.status !== DTLSStatus.STATUS_HANDSHAKING) return Promise.resolve(this.status);
    return new Promise((resolve) => {
      const onStatus = (st: DTLSStatus): void => {
        if (st === DTLSStatus.STATUS_HANDSHAKING) return;
        this.off('status', onStatus);
        resolve(st);
      };
      this.on('status', onStatus);
    });
  }

  private autoStep(): void {
    if (!this.auto) return;
    this.poll();
    this.emitPackets();
    this.clearAutoTimer();
    const active = this.status === DTLSStatus.STATUS_HANDSHAKING || this.status === DTLSStatus.STATUS_CONNECTED;
    const udp = this.udp;
    if (!active || !udp) return;
    const due = this.getNextTimeout();
    if (due >= 0) this.autoTimer = this.platform.timers.setTimeout(() => { this.autoTimer = null; this.autoStep(); }, due);
    // One outstanding wait() per UDP peer; poll() drains the queue, so it cannot spin.
    if (this.autoWaiting === udp) return;
    this.autoWaiting = udp;
    void udp.wait().then((e) => {
      if (this.autoWaiting === udp) this.autoWaiting = null;
      if (e === Error.OK && this.udp === udp) this.autoStep();
    });
  }

  private clearAutoTimer(): void {
    if (this.autoTimer) this.platform.timers.clearTimeout(this.autoTimer);
    this.autoTimer = null;
  }

  private emitPackets(): void {
    while (this.inbox.length > 0 && this.listenerCount('packet') > 0) {
      const p = this.inbox.shift();
      if (p) this.emit('packet', p);
    }
  }

  // --- server side ---------------------------------------------------------------------------

  /** @internal DTLSServer.takeConnection: accept a client on `udp` (a UDPServer peer). */
  [kAccept](udp: PacketPeerUDP, native: NativeAddon, ctx: NativeContext, epoch: number): Error {
    if (!udp.isSocketConnected()) return Error.ERR_INVALID_PARAMETER;
    this.cleanup();
    // The cookie binds the client's 16-byte IPv6-form address and port, as Godot's transport id.
    const id = new Uint8Array(18);
    id.set(ipToBytes(udp.getPacketIp()) ?? new Uint8Array(16));
    id[16] = udp.getPacketPort() & 0xff;
    id[17] = udp.getPacketPort() >> 8;
    this.native = native;
    this.session = native.sessionNew(ctx, null, null, this.tuning.mtu, this.tuning.retransmitMs, id);
    this.udp = udp;
    this.ownsUdp = true;
    this.listening = true;
    this.cookieEpoch = epoch;
    this.begin();
    const ok = this.stepHandshake();
    this.autoStep();
    return ok ? Error.OK : Error.FAILED;
  }

  // --- engine driving ------------------------------------------------------------------------

  private requireNative(): NativeAddon | null {
    const native = loadNative();
    if (!native) this.platform.logger.log('error', 'PacketPeerDTLS: DTLS unavailable', { reason: nativeLoadError() });
    return native;
  }

  private begin(): void {
    this.inbox = [];
    this.lastError = '';
    this.deadline = this.platform.clock.now() + this.tuning.handshakeTimeoutMs;
    this.retransmitAt = -1;
    this.setStatus(DTLSStatus.STATUS_HANDSHAKING);
  }

  /** One handshake step; false when the handshake failed (status set, state released). */
  private stepHandshake(): boolean {
    const n = this.native;
    const s = this.session;
    if (!n || !s) return this.fail(DTLSStatus.STATUS_ERROR, 'no session');
    this.feedQueued(Infinity);
    if (this.listening) {
      const r = n.sessionListen(s, this.cookieEpoch);
      if (r < 0) return this.fail(DTLSStatus.STATUS_ERROR, n.sessionError(s).reason);
      if (r === 0) {
        // A HelloVerifyRequest went out (or junk was dropped): Godot's HELLO_VERIFY_REQUIRED.
        if (this.flush() > 0) return this.fail(DTLSStatus.STATUS_ERROR, 'cookie exchange (HelloVerifyRequest sent)');
        return this.checkDeadline();
      }
      this.listening = false;
    }
    if (this.retransmitAt >= 0 && this.platform.clock.now() >= this.retransmitAt) {
      if (n.sessionHandleTimeout(s) < 0) return this.fail(DTLSStatus.STATUS_ERROR, n.sessionError(s).reason);
    }
    const r = n.sessionHandshake(s);
    this.flush();
    if (r < 0) {
      const err = n.sessionError(s);
      const nameMismatch = err.verify === X509_V_ERR_HOSTNAME_MISMATCH || err.verify === X509_V_ERR_IP_ADDRESS_MISMATCH;
      const status = nameMismatch ? DTLSStatus.STATUS_ERROR_HOSTNAME_MISMATCH : DTLSStatus.STATUS_ERROR;
      return this.fail(status, `${err.reason}${err.verify !== 0 ? ` (${err.verifyText})` : ''}`);
    }
    if (r === 1) {
      this.retransmitAt = -1;
      this.setStatus(DTLSStatus.STATUS_CONNECTED);
      this.receive(true); // with the records that came right behind the handshake
      return true;
    }
    const t = n.sessionTimeout(s);
    this.retransmitAt = t < 0 ? -1 : this.platform.clock.now() + t;
    return this.checkDeadline();
  }

  private checkDeadline(): boolean {
    if (this.platform.clock.now() < this.deadline) return true;
    return this.fail(DTLSStatus.STATUS_ERROR, 'handshake timed out');
  }

  /**
   * Connected: decrypt and queue everything the UDP peer holds, in batches of up to
   * FEED_BATCH datagrams, one native call each. The records are decrypted into the datagrams
   * that carried them (which this peer now owns) and queued as views of them: nothing is
   * allocated per record. Then sends what the engine wrote meanwhile (a retransmitted last
   * flight, a close_notify answer). `drain`: read what the engine already holds even if no
   * datagram is queued (records it buffered during the handshake).
   */
  private receive(drain = false): void {
    const udp = this.udp;
    const n = this.native;
    const s = this.session;
    if (!udp || !n || !s) return;
    const batch = this.batch;
    const table = RECV_TABLE;
    let held = 0; // datagrams at the front of `batch` the engine has not taken yet
    let status = 0;
    let queuedOut = 0;
    for (let guard = 0; guard < 1024 && status === 0; guard++) {
      held += udp[kTakeInto](batch, held, FEED_BATCH - held);
      if (held === 0 && !drain) break;
      drain = false;
      const spill = n.sessionRecvInto(s, batch, held, table);
      this.takeTable(batch, spill);
      status = table[0] ?? -1;
      queuedOut = table[3] ?? 0;
      // Normally every datagram is taken; when the table filled, the rest go again first.
      const taken = Math.min(table[2] ?? held, held);
      if (taken < held && status === 0) batch.copyWithin(0, taken, held);
      const left = status === 0 ? held - taken : 0;
      batch.fill(EMPTY, left, held); // drop the references (the records are views of them)
      held = left;
    }
    batch.fill(EMPTY, 0, held); // only when the guard ended the loop
    if (status === 1) {
      // close_notify: answer with ours, then DISCONNECTED (Godot's disconnect_from_peer()).
      this.disconnectFromPeer();
    } else if (status !== 0) {
      this.fail(DTLSStatus.STATUS_ERROR, n.sessionError(s).reason);
    } else if (queuedOut > 0) {
      this.flush();
    }
  }

  /** Queues the records sessionRecvInto reported in RECV_TABLE, as views of their datagrams. */
  private takeTable(batch: readonly Uint8Array[], spill: Uint8Array | undefined): void {
    const table = RECV_TABLE;
    const count = table[1] ?? 0;
    for (let i = 0, j = 4; i < count; i++, j += 3) {
      const where = table[j] ?? -1;
      const src = where >= 0 ? batch[where] : spill;
      if (src) this.inbox.push(new Uint8Array(src.buffer, src.byteOffset + (table[j + 1] ?? 0), table[j + 2] ?? 0));
    }
  }

  /** Moves up to `max` queued UDP datagrams into the engine; how many were moved. */
  private feedQueued(max: number): number {
    const udp = this.udp;
    const n = this.native;
    const s = this.session;
    if (!udp || !n || !s) return 0;
    let moved = 0;
    while (moved < max && udp.getAvailablePacketCount() > 0) {
      const p = udp.getPacket();
      if (udp.getPacketError() !== Error.OK) break;
      n.sessionFeed(s, p);
      moved++;
    }
    return moved;
  }

  /** Sends what the engine wrote (fresh buffers, handed over to the socket); how many datagrams. */
  private flush(): number {
    if (!this.native || !this.session || !this.udp) return 0;
    const out = this.native.sessionDrain(this.session);
    for (const d of out) this.udp[kPutOwned](d);
    return out.length;
  }

  private fail(status: DTLSStatus, reason: string): false {
    this.flush(); // the alert OpenSSL wrote, if any
    this.cleanup();
    this.lastError = reason;
    this.platform.logger.log('debug', 'PacketPeerDTLS failed', { status: DTLSStatus[status], reason });
    this.setStatus(status);
    return false;
  }

  /** Godot's _cleanup(): the session and the UDP peer are released. */
  private cleanup(): void {
    if (this.native && this.session) this.native.sessionFree(this.session);
    this.session = null;
    if (this.udp && this.ownsUdp) this.udp.close();
    this.udp = null;
    this.ownsUdp = false;
    this.listening = false;
    this.retransmitAt = -1;
    this.clearAutoTimer();
  }

  private setStatus(status: DTLSStatus): void {
    const changed = this.status !== status;
    this.status = status;
    if (changed && this.listenerCount('status') > 0) this.emit('status', status);
  }

  // --- PacketPeer primitives -----------------------------------------------------------------

  protected _getAvailablePacketCount(): number {
    return this.inbox.length;
  }

  protected _getPacket(): { error: Error; packet?: Uint8Array } {
    if (this.inbox.length === 0 && this.status === DTLSStatus.STATUS_CONNECTED) this.receive();
    const p = this.inbox.shift();
    if (p) return { error: Error.OK, packet: p };
    return { error: this.status === DTLSStatus.STATUS_CONNECTED ? Error.ERR_UNAVAILABLE : Error.ERR_UNCONFIGURED };
  }

  protected _putPacket(buffer: Uint8Array): Error {
    if (this.status !== DTLSStatus.STATUS_CONNECTED || !this.native || !this.session) return Error.ERR_UNCONFIGURED;
    if (buffer.length === 0) return Error.OK;
    if (buffer.length > MAX_RECORD) return Error.ERR_INVALID_PARAMETER;
    if (sendChunk.length - sendOffset < buffer.length + RECORD_ROOM) {
      sendChunk = new Uint8Array(SEND_CHUNK);
      sendOffset = 0;
    }
    const chunk = sendChunk;
    const at = sendOffset;
    const out = this.native.sessionSendInto(this.session, buffer, chunk, at);
    if (out > 0) {
      sendOffset = at + out;
      this.udp?.[kPutOwned](chunk.subarray(at, at + out));
    } else if (out === -2) {
      this.flush(); // no room, or several datagrams: the engine queued them
    } else if (out === -1) {
      this.lastError = this.native.sessionError(this.session).reason;
      this.cleanup(); // Godot: _cleanup() → DISCONNECTED
      this.setStatus(DTLSStatus.STATUS_DISCONNECTED);
      return Error.ERR_CONNECTION_ERROR;
    }
    return Error.OK;
  }

  protected _getMaxPacketSize(): number {
    return PacketPeerDTLS.MAX_PACKET_SIZE;
  }
}
