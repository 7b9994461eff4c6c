/**
 * The server side of DTLS over ENet: a DTLS association per remote address between the
 * host and its socket. ENet only ever sees plaintext; every datagram it sends to a client is
 * one DTLS record, and every record received is one ENet datagram.
 * @see godot thirdparty/enet/enet_godot.cpp ENetDTLSServer
 *
 * As in Godot:
 * - an association that is not serving an ENet peer ENET_DTLS_TIMEOUT_MS (8 s) after it was
 *   accepted is dropped; an ENet peer that is reset (disconnect, timeout) takes its
 *   association with it (close_notify is sent); associations are at most the host's peer
 *   count; while refuse_new_connections is on, no new client gets as far as a cookie;
 * - datagrams ENet addresses to a client without an association are dropped (ENet times the
 *   peer out); datagrams that are not DTLS, e.g. a plaintext ENet CONNECT, never reach ENet.
 *
 * gdwire's own choices (docs/DEVIATIONS.md): the cookie exchange is stateless
 * (DTLSv1_listen: nothing is kept for a ClientHello without a valid cookie, and the client's
 * retry is accepted directly rather than as a "second connection"); the association table is
 * swept against ENet's peers at most once a second (and at once on a DISCONNECT event); a
 * ClientHello with a valid cookie from an address that has an association replaces it
 * (RFC 6347 §4.2.8, a client that restarted on the same port).
 */
import type { ResolvedTuning } from '../../core/crypto/dtls-context.js';
import type { NativeAddon, NativeContext } from '../../core/crypto/native.js';
import { COOKIE_EPOCH_MS } from '../../core/io/dtls-server.js';
import { ipToBytes } from '../../core/io/ip.js';
import { EventType, PeerState, type HostEvent } from '../../enet/types.js';
import type { DatagramTransport, ENetHostDriver } from './enet-driver.js';
import { DtlsLink, LinkState, LinkTimer, isClientHello, linkKey, type LinkIo } from './enet-dtls-link.js';

/** Godot's ENET_DTLS_TIMEOUT_MS: a new association must serve an ENet peer within this long. */
export const ENET_DTLS_TIMEOUT_MS = 8000;
/** Associations are checked against ENet's peers at most this often (and on DISCONNECT events). */
export const SWEEP_INTERVAL_MS = 1000;

/** Counters of a DTLS-over-ENet transport (gdwire addition, for metrics and tests). */
export interface ENetDTLSStatistics {
  /** Associations now (handshaking or connected). */
  sessions: number;
  /** Associations whose handshake completed, since setup. */
  handshakes: number;
  /** Handshakes that failed (alert, bad certificate, timeout), since setup. */
  handshakeFailures: number;
  /** HelloVerifyRequests sent (server). */
  cookieExchanges: number;
  /** Datagrams dropped: not DTLS, from an address without an association, refused, over the limit. */
  droppedDatagrams: number;
}

export class ENetDTLSServer implements DatagramTransport {
  private readonly links = new Map<string, DtlsLink>();
  /** Links with a timer: handshaking, or not yet serving an ENet peer. */
  private readonly watched = new Set<DtlsLink>();
  private readonly timer: LinkTimer;
  private readonly io: LinkIo;
  private lastSweep = -Infinity;
  private closed = false;
  readonly stats: ENetDTLSStatistics = { sessions: 0, handshakes: 0, handshakeFailures: 0, cookieExchanges: 0, droppedDatagrams: 0 };

  constructor(
    private readonly driver: ENetHostDriver,
    private readonly native: NativeAddon,
    private readonly ctx: NativeContext,
    private readonly tuning: ResolvedTuning,
  ) {
    this.timer = new LinkTimer(driver.platform, () => this.onTimer());
    this.io = {
      out: (d, ip, port) => driver.sendSocket(d, ip, port),
      deliver: (r, ip, port) => driver.deliver(r, ip, port),
    };
  }

  // ---- DatagramTransport ------------------------------------------------------------------------
  /** An ENet datagram for a client: one record on its association, or dropped (Godot: "sent"). */
  send(data: Uint8Array, ip: string, port: number): void {
    const link = this.links.get(linkKey(ip, port));
    if (!link || link.state !== LinkState.CONNECTED) return;
    if (!link.send(data) && !link.active) this.remove(link);
  }

  receive(data: Uint8Array, ip: string, port: number): void {
    if (this.closed) return;
    const link = this.links.get(linkKey(ip, port));
    if (!link) {
      if (!this.accept(data, ip, port, null)) this.stats.droppedDatagrams++;
      return;
    }
    if (link.state === LinkState.CONNECTED && isClientHello(data) && this.accept(data, ip, port, link)) return;
    const before = link.state;
    const after = link.receive(data, this.now());
    if (after !== before || after === LinkState.HANDSHAKING) this.changed(link, before);
  }

  beforeService(): void {
    if (this.now() - this.lastSweep >= SWEEP_INTERVAL_MS) this.sweep();
  }

  /** Godot's enet_peer_socket_destroy: a peer that goes takes its association along. */
  observe(e: HostEvent): void {
    if (e.type === EventType.DISCONNECT) {
      const link = this.links.get(linkKey(e.peer.address.address, e.peer.address.port));
      if (link) this.remove(link);
    } else if (e.type === EventType.CONNECT) {
      const link = this.links.get(linkKey(e.peer.address.address, e.peer.address.port));
      if (link) this.bind(link);
    }
  }

  /** Godot's ENetDTLSServer::close(): close_notify to every client. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.timer.clear();
    for (const link of this.links.values()) link.close();
    this.links.clear();
    this.watched.clear();
    this.stats.sessions = 0;
  }

  // ---- accepting ------------------------------------------------------------------------------
  /**
   * A datagram from an address without an association (or a ClientHello replacing one):
   * stateless cookie check first (RFC 6347 §4.2.1). A ClientHello without a valid cookie is
   * answered with a HelloVerifyRequest and forgotten; one with a valid cookie opens an
   * association. Whether an association was opened.
   */
  private accept(data: Uint8Array, ip: string, port: number, replacing: DtlsLink | null): boolean {
    const host = this.driver.host;
    if (host.refuseConnections) return false; // Godot: the UDPServer takes no new pending peer
    if (!replacing && this.links.size >= host.peerCount) return false;
    if (!isClientHello(data)) return false; // not the start of a DTLS handshake: never state
    const native = this.native;
    const session = native.sessionNew(this.ctx, null, null, this.tuning.mtu, this.tuning.retransmitMs, transportId(ip, port));
    if (!native.sessionFeed(session, data)) {
      native.sessionFree(session);
      return false;
    }
    const epoch = Math.floor(this.now() / COOKIE_EPOCH_MS) & 0xff;
    if (native.sessionListen(session, epoch) !== 1) {
      const out = native.sessionDrain(session);
      for (const d of out) this.driver.sendSocket(d, ip, port);
      if (out.length > 0) this.stats.cookieExchanges++;
      native.sessionFree(session);
      return out.length > 0; // a HelloVerifyRequest is an answer, not a drop
    }
    if (replacing) this.remove(replacing);
    const link = new DtlsLink(native, session, ip, port, this.io, this.now() + ENET_DTLS_TIMEOUT_MS);
    this.links.set(link.key, link);
    this.stats.sessions = this.links.size;
    this.watched.add(link);
    link.step(this.now());
    this.changed(link, LinkState.HANDSHAKING);
    return true;
  }

  // ---- bookkeeping ----------------------------------------------------------------------------
  /** After a link's state may have moved from `before`: counts, forgets a dead link, re-arms the timer. */
  private changed(link: DtlsLink, before: LinkState): void {
    if (before === LinkState.HANDSHAKING && link.state === LinkState.CONNECTED) this.stats.handshakes++;
    if (before === LinkState.HANDSHAKING && link.state === LinkState.FAILED) {
      this.stats.handshakeFailures++;
      this.driver.platform.logger.log('debug', 'ENet DTLS server: handshake failed', { ip: link.ip, port: link.port, reason: link.lastError });
    }
    if (link.active) this.rearm();
    else this.remove(link);
  }

  private bind(link: DtlsLink): void {
    link.bound = true;
    if (link.state === LinkState.CONNECTED) this.watched.delete(link);
    this.rearm();
  }

  /** Forgets `link`; a connected one is sent close_notify (Godot's disconnect_from_peer()). */
  private remove(link: DtlsLink): void {
    if (this.links.get(link.key) === link) this.links.delete(link.key);
    this.watched.delete(link);
    link.close();
    this.stats.sessions = this.links.size;
    this.rearm();
  }

  /** Addresses ENet has a live peer for. */
  private peerAddresses(): Set<string> {
    const out = new Set<string>();
    for (const p of this.driver.host.peers) {
      if (p.state !== PeerState.DISCONNECTED) out.add(linkKey(p.address.address, p.address.port));
    }
    return out;
  }

  /** Binds links ENet now serves; drops bound links whose ENet peer was reset without an event. */
  private sweep(): void {
    this.lastSweep = this.now();
    if (this.links.size === 0) return;
    const live = this.peerAddresses();
    for (const link of [...this.links.values()]) {
      if (live.has(link.key)) {
        if (!link.bound) this.bind(link);
      } else if (link.bound) {
        this.remove(link);
      }
    }
  }

  /** Retransmissions, handshake deadlines, and Godot's 8-second rule for links that serve no ENet peer. */
  private onTimer(): void {
    if (this.closed) return;
    const now = this.now();
    let live: Set<string> | null = null;
    for (const link of [...this.watched]) {
      if (link.state === LinkState.HANDSHAKING) {
        if (now < link.nextDue()) continue;
        link.step(now); // retransmits, or fails once past the deadline
        this.changed(link, LinkState.HANDSHAKING);
      } else if (!link.bound && now >= link.deadline) {
        live ??= this.peerAddresses();
        if (live.has(link.key)) this.bind(link);
        else this.remove(link);
      }
    }
    this.rearm();
  }

  private rearm(): void {
    if (this.closed) return;
    let due = Infinity;
    for (const link of this.watched) due = Math.min(due, link.nextDue());
    this.timer.arm(due);
  }

  private now(): number {
    return this.driver.platform.clock.now();
  }
}

/**
 * What the cookie binds: the client's address as 16 bytes (IPv6 form) and its port (2 bytes,
 * little-endian), as Godot's DTLSServer.
 */
function transportId(ip: string, port: number): Uint8Array {
  const id = new Uint8Array(18);
  id.set(ipToBytes(ip) ?? new Uint8Array(16));
  id[16] = port & 0xff;
  id[17] = port >> 8;
  return id;
}
