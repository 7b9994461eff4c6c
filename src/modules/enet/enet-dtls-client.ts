/**
 * The client side of DTLS over ENet: one DTLS association with the server, between the host
 * and its socket. ENet only ever sees plaintext; each ENet datagram is one DTLS record.
 * @see godot thirdparty/enet/enet_godot.cpp ENetDTLSClient
 *
 * As in Godot: the handshake starts with the first datagram ENet sends (the CONNECT), to
 * that datagram's address, verifying the server against the hostname and TLSOptions given to
 * dtlsClientSetup(); datagrams from any other address are dropped; when the association ends
 * (close_notify, error, ENet peer gone) the next ENet datagram starts a new handshake.
 *
 * gdwire's own choices (docs/DEVIATIONS.md): ENet datagrams sent while the handshake runs
 * are queued (up to {@link MAX_QUEUED}) and sent once it completes, where Godot drops them
 * and waits for ENet to retransmit; a handshake that fails for good (bad certificate or
 * name, a fatal alert) ends the ENet connection attempt at once — a DISCONNECT event, as a
 * timeout — where Godot starts a new handshake on every ENet retransmission until ENet times
 * out; datagrams for an address other than the server's are dropped, where Godot sends them
 * to the server.
 */
import type { ClientAuth, ResolvedTuning } from '../../core/crypto/dtls-context.js';
import type { NativeAddon, NativeSession } from '../../core/crypto/native.js';
import { isValidIp } from '../../core/io/ip.js';
import { EventType, PeerState, type HostEvent } from '../../enet/types.js';
import type { DatagramTransport, ENetHostDriver } from './enet-driver.js';
import { DtlsLink, LinkState, LinkTimer, type LinkIo } from './enet-dtls-link.js';
import { SWEEP_INTERVAL_MS, type ENetDTLSStatistics } from './enet-dtls-server.js';

/** ENet datagrams kept while the handshake runs (in practice: the CONNECT and its resends). */
export const MAX_QUEUED = 64;

export class ENetDTLSClient implements DatagramTransport {
  private link: DtlsLink | null = null;
  private queue: Uint8Array[] = [];
  private readonly timer: LinkTimer;
  private readonly io: LinkIo;
  /** A handshake failed for good: ENet's peers to this address are failed before the next service. */
  private failPeersAt: { ip: string; port: number } | null = null;
  private lastSweep = -Infinity;
  private closed = false;
  private lastError = '';
  readonly stats: ENetDTLSStatistics = { sessions: 0, handshakes: 0, handshakeFailures: 0, cookieExchanges: 0, droppedDatagrams: 0 };

  constructor(
    private readonly driver: ENetHostDriver,
    private readonly native: NativeAddon,
    private readonly auth: ClientAuth,
    private readonly hostname: string,
    private readonly tuning: ResolvedTuning,
  ) {
    this.timer = new LinkTimer(driver.platform, () => this.onTimer());
    this.io = {
      out: (d, ip, port) => driver.sendSocket(d, ip, port),
      deliver: (r, ip, port) => driver.deliver(r, ip, port),
    };
  }

  /** Why the last handshake or association failed ("" if none did). */
  getLastError(): string {
    return this.lastError;
  }

  /** Negotiated protocol and cipher while connected. */
  getConnectionInfo(): { version: string; cipher: string } | null {
    return this.link?.info() ?? null;
  }

  /**
   * Starts the handshake now with the server an ENet peer is already connecting to (set up
   * after connectToHost: its CONNECT may have left in plaintext, which the server ignores,
   * and ENet's resend then finds the association ready).
   */
  prime(): void {
    const p = this.driver.host.peers.find((x) => x.state === PeerState.CONNECTING);
    if (p && !this.link) this.open(p.address.address, p.address.port);
  }

  // ---- DatagramTransport ------------------------------------------------------------------------
  send(data: Uint8Array, ip: string, port: number): void {
    if (this.closed) return;
    let link = this.link;
    if (link && (link.ip !== ip || link.port !== port)) {
      if (this.peerLive(link.ip, link.port)) {
        this.stats.droppedDatagrams++; // one server per DTLS client
        return;
      }
      this.drop();
      link = null;
    }
    link ??= this.open(ip, port);
    if (!link) return;
    if (link.state === LinkState.CONNECTED) {
      if (!link.send(data)) this.settle(link, LinkState.CONNECTED);
    } else if (this.queue.length < MAX_QUEUED) {
      this.queue.push(data.slice());
    } else {
      this.stats.droppedDatagrams++;
    }
  }

  receive(data: Uint8Array, ip: string, port: number): void {
    const link = this.link;
    if (this.closed || !link || link.ip !== ip || link.port !== port) {
      this.stats.droppedDatagrams++;
      return;
    }
    const before = link.state;
    link.receive(data, this.now());
    this.settle(link, before);
  }

  beforeService(): void {
    const fail = this.failPeersAt;
    if (fail) {
      this.failPeersAt = null;
      const host = this.driver.host;
      // As if ENet had timed the attempt out (enet_protocol_check_timeouts → notify_disconnect).
      for (const p of host.peers) {
        if (p.state !== PeerState.DISCONNECTED && p.state !== PeerState.ZOMBIE && p.address.address === fail.ip && p.address.port === fail.port) {
          host.notifyDisconnect(p, true);
        }
      }
    }
    const now = this.now();
    if (now - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    const link = this.link;
    if (link && !this.peerLive(link.ip, link.port)) this.drop();
  }

  /** The ENet peer went: the association goes too (close_notify), the next connect starts anew. */
  observe(e: HostEvent): void {
    const link = this.link;
    if (e.type === EventType.DISCONNECT && link && e.peer.address.address === link.ip && e.peer.address.port === link.port) {
      this.drop();
    }
  }

  close(): void {
    if (this.closed) return;
    this.drop();
    this.closed = true;
  }

  // ---- the association ------------------------------------------------------------------------
  private open(ip: string, port: number): DtlsLink | null {
    const sni = this.hostname !== '' && !isValidIp(this.hostname) ? this.hostname : null;
    let session: NativeSession;
    try {
      session = this.native.sessionNew(this.auth.ctx, this.auth.verifyHost || null, sni, this.tuning.mtu, this.tuning.retransmitMs, null);
    } catch (e) {
      this.lastError = String(e);
      this.stats.droppedDatagrams++;
      return null;
    }
    const link = new DtlsLink(this.native, session, ip, port, this.io, this.now() + this.tuning.handshakeTimeoutMs);
    this.link = link;
    this.stats.sessions = 1;
    link.step(this.now()); // the ClientHello
    this.settle(link, LinkState.HANDSHAKING);
    return this.link;
  }

  /** After the link's state may have moved from `before`: flush the queue, forget it, re-arm. */
  private settle(link: DtlsLink, before: LinkState): void {
    if (this.link !== link) return;
    if (before === LinkState.HANDSHAKING && link.state === LinkState.CONNECTED) {
      this.stats.handshakes++;
      const queued = this.queue;
      this.queue = [];
      for (const d of queued) if (!link.send(d)) break;
    }
    if (link.active) {
      this.timer.arm(link.state === LinkState.HANDSHAKING ? link.nextDue() : Infinity);
      return;
    }
    this.forget();
    if (link.state !== LinkState.FAILED) return;
    this.lastError = link.lastError;
    if (before === LinkState.HANDSHAKING) this.stats.handshakeFailures++;
    this.driver.platform.logger.log('warn', 'ENetConnection: DTLS with the server failed', {
      ip: link.ip, port: link.port, hostname: this.hostname, reason: link.lastError,
      status: link.nameMismatch ? 'STATUS_ERROR_HOSTNAME_MISMATCH' : 'STATUS_ERROR', // PacketPeerDTLS's terms
    });
    if (link.verifyFailed) {
      this.failPeersAt = { ip: link.ip, port: link.port };
      this.driver.kick();
    }
  }

  private onTimer(): void {
    const link = this.link;
    if (this.closed || !link || link.state !== LinkState.HANDSHAKING) return;
    link.step(this.now()); // retransmits, or fails once past the deadline (the next send retries)
    this.settle(link, LinkState.HANDSHAKING);
  }

  /** Ends the association (close_notify when connected). */
  private drop(): void {
    const link = this.link;
    this.forget();
    link?.close();
  }

  private forget(): void {
    this.link = null;
    this.queue = [];
    this.timer.clear();
    this.stats.sessions = 0;
  }

  private peerLive(ip: string, port: number): boolean {
    return this.driver.host.peers.some((p) => p.state !== PeerState.DISCONNECTED && p.address.address === ip && p.address.port === port);
  }

  private now(): number {
    return this.driver.platform.clock.now();
  }
}
