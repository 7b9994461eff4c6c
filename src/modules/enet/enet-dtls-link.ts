/**
 * One DTLS association of an ENet host with one remote address: the native session (the
 * addon over Node's OpenSSL), its handshake state and timers, and record I/O where one
 * record is one datagram. Used by both sides of DTLS over ENet (enet-dtls-server.ts,
 * enet-dtls-client.ts); it never touches a socket or a timer itself — the owner passes
 * datagrams and the time in, and takes the datagrams to send through `out`.
 * @see godot thirdparty/enet/enet_godot.cpp (each ENet datagram is one PacketPeerDTLS packet)
 */
import { X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH, type NativeAddon, type NativeSession } from '../../core/crypto/native.js';
import type { Platform, TimerHandle } from '../../platform/platform.js';

export enum LinkState {
  HANDSHAKING = 0,
  CONNECTED = 1,
  /** Closed cleanly (close_notify either way) or dropped by the owner. */
  CLOSED = 2,
  /** The handshake or a record failed; see {@link DtlsLink.lastError}. */
  FAILED = 3,
}

/** Where a link's datagrams go, and where its decrypted records go. */
export interface LinkIo {
  out(datagram: Uint8Array, ip: string, port: number): void;
  deliver(record: Uint8Array, ip: string, port: number): void;
}

/** Largest plaintext of one DTLS record (RFC 6347 §4.1, RFC 5246 §6.2.1). */
export const MAX_RECORD_PLAINTEXT = 16384;

export class DtlsLink {
  state = LinkState.HANDSHAKING;
  /** Owner's bookkeeping: the link serves an ENet peer (server side: Godot's `bound`). */
  bound = false;
  /** Clock ms after which the owner gives up on an unbound link or an unfinished handshake. */
  deadline: number;
  lastError = '';
  /** The failure was the certificate check (chain, name) or a handshake alert: retrying cannot help. */
  verifyFailed = false;
  /** The failure was a host name mismatch (Godot's STATUS_ERROR_HOSTNAME_MISMATCH). */
  nameMismatch = false;
  private retransmitAt = -1;
  private session: NativeSession | null;

  constructor(
    private readonly native: NativeAddon,
    session: NativeSession,
    readonly ip: string,
    readonly port: number,
    private readonly io: LinkIo,
    deadline: number,
  ) {
    this.session = session;
    this.deadline = deadline;
  }

  get key(): string {
    return linkKey(this.ip, this.port);
  }

  get active(): boolean {
    return this.state === LinkState.HANDSHAKING || this.state === LinkState.CONNECTED;
  }

  /** Clock ms of the next retransmission or deadline this link has (Infinity when none). */
  nextDue(): number {
    if (this.state === LinkState.HANDSHAKING) return this.retransmitAt >= 0 ? Math.min(this.retransmitAt, this.deadline) : this.deadline;
    return this.bound || !this.active ? Infinity : this.deadline;
  }

  /**
   * A datagram from the remote end: stepped into the handshake, or decrypted with each record
   * handed to `io.deliver`. Returns the state afterwards.
   */
  receive(datagram: Uint8Array, now: number): LinkState {
    const n = this.native;
    const s = this.session;
    if (!s || !this.active) return this.state;
    if (this.state === LinkState.HANDSHAKING) {
      n.sessionFeed(s, datagram);
      return this.step(now);
    }
    this.takeRecords(n.sessionRecv(s, [datagram]));
    if (this.state === LinkState.CONNECTED) this.flush(); // a retransmitted last flight, if any
    return this.state;
  }

  /**
   * One handshake step at `now` (the first one writes a ClientHello on a client; a timer that
   * is due retransmits the last flight). Returns the state afterwards.
   */
  step(now: number): LinkState {
    const n = this.native;
    const s = this.session;
    if (!s || this.state !== LinkState.HANDSHAKING) return this.state;
    if (this.retransmitAt >= 0 && now >= this.retransmitAt && n.sessionHandleTimeout(s) < 0) {
      return this.fail(n.sessionError(s).reason, false);
    }
    const r = n.sessionHandshake(s);
    this.flush();
    if (r < 0) {
      const err = n.sessionError(s);
      this.nameMismatch = err.verify === X509_V_ERR_HOSTNAME_MISMATCH || err.verify === X509_V_ERR_IP_ADDRESS_MISMATCH;
      return this.fail(`${err.reason}${err.verify !== 0 ? ` (${err.verifyText})` : ''}`, true);
    }
    if (r === 1) {
      this.retransmitAt = -1;
      this.state = LinkState.CONNECTED;
      this.takeRecords(n.sessionRecv(s, [])); // records that came right behind the handshake
      return this.state;
    }
    const t = n.sessionTimeout(s);
    this.retransmitAt = t < 0 ? -1 : now + t;
    if (now >= this.deadline) return this.fail('handshake timed out', false);
    return this.state;
  }

  /** Encrypts `data` as one record and sends it; false when not connected or the session broke. */
  send(data: Uint8Array): boolean {
    const n = this.native;
    const s = this.session;
    if (!s || this.state !== LinkState.CONNECTED || data.length === 0 || data.length > MAX_RECORD_PLAINTEXT) return false;
    const out = n.sessionSend(s, data);
    if (out === -1) {
      this.fail(n.sessionError(s).reason, false);
      return false;
    }
    if (out === 0) return false;
    if (out instanceof Uint8Array) this.io.out(out, this.ip, this.port);
    else for (const d of out) this.io.out(d, this.ip, this.port);
    return true;
  }

  /** Sends close_notify when connected, then releases the session (CLOSED). */
  close(): void {
    const s = this.session;
    if (s && this.state === LinkState.CONNECTED) {
      this.native.sessionShutdown(s);
      this.flush();
    }
    this.release();
    if (this.state !== LinkState.FAILED) this.state = LinkState.CLOSED;
  }

  /** Negotiated protocol and cipher once connected. */
  info(): { version: string; cipher: string } | null {
    if (!this.session || this.state !== LinkState.CONNECTED) return null;
    const { version, cipher } = this.native.sessionInfo(this.session);
    return { version, cipher };
  }

  private takeRecords(records: Array<Uint8Array | 1 | -1>): void {
    for (const r of records) {
      if (r instanceof Uint8Array) {
        if (this.state === LinkState.CONNECTED) this.io.deliver(r, this.ip, this.port);
      } else if (r === 1) {
        this.close(); // close_notify: answered with ours, as Godot's disconnect_from_peer()
      } else if (this.session) {
        this.fail(this.native.sessionError(this.session).reason, false);
      }
    }
  }

  private flush(): void {
    if (!this.session) return;
    for (const d of this.native.sessionDrain(this.session)) this.io.out(d, this.ip, this.port);
  }

  private fail(reason: string, verify: boolean): LinkState {
    this.flush(); // the alert OpenSSL wrote, if any
    this.lastError = reason;
    this.verifyFailed = verify;
    this.release();
    this.state = LinkState.FAILED;
    return this.state;
  }

  private release(): void {
    if (this.session) this.native.sessionFree(this.session);
    this.session = null;
    this.retransmitAt = -1;
  }
}

/** The map key of a remote address. */
export function linkKey(ip: string, port: number): string {
  return `${ip}|${port}`;
}

/**
 * Whether `d` starts with an epoch-0 DTLS handshake record holding a ClientHello: the only
 * thing that may open a new association (RFC 6347 §4.2.8).
 */
export function isClientHello(d: Uint8Array): boolean {
  return d.length > 13 && d[0] === 22 && d[1] === 0xfe && d[3] === 0 && d[4] === 0 && d[13] === 1;
}

/**
 * One platform timer, re-armed to the earliest thing a transport's links have due
 * (retransmissions, handshake and binding deadlines). Never armed less than 1 ms ahead, so a
 * deadline that stays due cannot spin.
 */
export class LinkTimer {
  private handle: TimerHandle | null = null;
  private due = Infinity;

  constructor(private readonly platform: Platform, private readonly fire: () => void) {}

  /** Arms the timer for clock ms `due` (Infinity: none). */
  arm(due: number): void {
    if (this.handle !== null && due === this.due) return;
    this.clear();
    if (due === Infinity) return;
    this.due = due;
    const delay = Math.max(1, Math.ceil(due - this.platform.clock.now()));
    this.handle = this.platform.timers.setTimeout(() => {
      this.handle = null;
      this.due = Infinity;
      this.fire();
    }, delay);
  }

  clear(): void {
    if (this.handle !== null) this.platform.timers.clearTimeout(this.handle);
    this.handle = null;
    this.due = Infinity;
  }

  get armed(): boolean {
    return this.handle !== null;
  }
}
