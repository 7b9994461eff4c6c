/**
 * The socket driver of the ENet engine: one sans-IO {@link Host} bound to one
 * {@link DatagramSocket}, with time, timers and randomness from a {@link Platform}.
 *
 * Received datagrams go to `host.receive`, the host's datagrams leave through the socket, and
 * engine time is the platform clock in whole milliseconds taken modulo 2^32 (ENet's 32-bit
 * timestamps; the engine compares them wrap-safely).
 *
 * Two ways to run the host:
 * - **polled** (Godot's model): nothing happens until the owner calls {@link service} or
 *   {@link flush}. On a socket that can pull (batched-socket.ts) datagrams wait in the
 *   kernel's receive buffer and each service reads them, as C ENet does: no event-loop wake-up
 *   per arrival (profile, relay at 4 ms frames: a wake-up per few datagrams, and the context
 *   switches were a tenth of its CPU). On other sockets they wait in the host's bounded queue.
 *   No timer is ever armed, so an idle or unattended host costs nothing. {@link waitForActivity}
 *   lets an owner sleep until there is something to do (ENetConnection.serviceAsync); the
 *   socket is watched while someone waits.
 * - **event-driven** (set with {@link setEventHandler}): the driver services the host as soon
 *   as a datagram arrives, after something was queued to send ({@link kick}, batched in a
 *   microtask), and when the engine's next protocol deadline comes
 *   (`host.nextServiceDelay`: retransmission, ping, timeout, bandwidth epoch). A single timer
 *   is re-armed to that deadline after every pump; with no deadline none is armed. There is
 *   no fixed-interval loop, so latency stays at the raw UDP round trip and an idle host only
 *   wakes for ENet's own pings and timeouts.
 */
import { Host, type HostOptions } from '../../enet/host.js';
import type { Address, HostEvent } from '../../enet/types.js';
import { wrapTime } from '../../enet/time.js';
import type { DatagramSocket, Platform, SocketAddress, SocketError, TimerHandle } from '../../platform/platform.js';

/** Events taken from the host in one pump before yielding to the event loop (via a 0 ms timer). */
export const MAX_EVENTS_PER_PUMP = 4096;
/** After this many consecutive "work is due now" answers the driver waits 1 ms (no busy loop). */
const MAX_ZERO_DELAYS = 3;

export type DriverHostOptions = Omit<HostOptions, 'random' | 'send'>;

/**
 * A layer between the host and the socket (DTLS over ENet: enet-dtls.ts). With one set, every
 * datagram the host sends (and every socketSend) goes to {@link send}, and every datagram the
 * socket receives goes to {@link receive}; the layer hands plaintext on with
 * {@link ENetHostDriver.deliver} and writes to the socket with {@link ENetHostDriver.sendSocket}.
 */
export interface DatagramTransport {
  send(data: Uint8Array, ip: string, port: number): void;
  receive(data: Uint8Array, ip: string, port: number): void;
  /** Called before each host service. */
  beforeService(): void;
  /** Every event the host produced (after it was produced). */
  observe(e: HostEvent): void;
  /** The driver is closing; the socket is still open. */
  close(): void;
}

export class ENetHostDriver {
  readonly host: Host;
  /** Called once per pump before the host is serviced (ENetConnection drops stale peers). */
  onBeforePump: (() => void) | null = null;
  /** Asynchronous socket errors. */
  onSocketError: ((err: SocketError) => void) | null = null;
  private socket: DatagramSocket | null = null;
  private ipv6Only = false;
  private handler: ((e: HostEvent) => void) | null = null;
  private timer: TimerHandle | null = null;
  /** Due time of {@link timer} in whole clock milliseconds. */
  private timerDue = 0;
  private zeroDelays = 0;
  private pumping = false;
  private pumpQueued = false;
  /** A pump for received datagrams is scheduled (one per event-loop turn, see onDatagram). */
  private receivePumpQueued = false;
  private wakeQueued = false;
  private closed = false;
  private readonly waiters = new Set<() => void>();
  /** The socket is in pull mode: service() reads it (see the polled mode above). */
  private pulling = false;
  private transport: DatagramTransport | null = null;

  constructor(
    readonly platform: Platform,
    options: DriverHostOptions,
  ) {
    this.host = new Host({ ...options, random: platform.random, send: (data, to) => this.transmit(data, to) });
    // Both modes service until no event is left (a poller in a later millisecond at the
    // latest, see Host.deferAcknowledgements): an answer carries its acknowledgement.
    this.host.deferAcknowledgements = true;
  }

  // ---- socket ------------------------------------------------------------------------------------
  /** Makes `sock` the driver's socket; call before it binds so no datagram is missed. */
  adopt(sock: DatagramSocket): void {
    this.socket = sock;
    // A socket that copies on send lets the host assemble every datagram in one buffer.
    this.host.sendCopies = sock.copiesOnSend === true && this.transport === null;
    sock.onMessage((data: Uint8Array, from: SocketAddress) => {
      if (this.socket === sock) this.onDatagram(data, from);
    });
    sock.onError((err: SocketError) => {
      if (this.socket === sock && !this.closed) this.onSocketError?.(err);
    });
    this.pulling = false;
    this.updatePull();
  }

  /** Pull mode exactly while polled with nobody waiting (a waiter is woken by arrivals). */
  private updatePull(): void {
    const want = !this.closed && this.handler === null && this.waiters.size === 0;
    if (want === this.pulling) return;
    const sock = this.socket;
    this.pulling = sock?.setPull?.(want) ?? false;
  }

  /** The socket is bound: ENet's sockets allow broadcast (enet_host_create sets SO_BROADCAST). */
  bound(ipv6Only: boolean): void {
    this.ipv6Only = ipv6Only;
    this.socket?.setBroadcast(true);
  }

  localAddress(): SocketAddress | null {
    return this.closed ? null : (this.socket?.localAddress() ?? null);
  }

  /** Whether the socket can send to `ip` (an IPv4 socket cannot reach IPv6, a v6-only one IPv4). */
  canReach(ip: string): boolean {
    const v6 = ip.includes(':');
    if (this.socket?.family === 'udp4') return !v6;
    return this.ipv6Only ? v6 : true;
  }

  /** Sends raw bytes from the host's socket (ENetConnection.socketSend): through the transport when set. */
  sendRaw(data: Uint8Array, ip: string, port: number): void {
    if (this.closed) return;
    if (this.transport) this.transport.send(data, ip, port);
    else this.socket?.send(data, port, ip);
  }

  /** Puts `t` between the host and the socket (DTLS over ENet); there is no way back. */
  setTransport(t: DatagramTransport): void {
    this.transport = t;
    // The transport may keep the plaintext datagram (DTLS queues records): fresh buffers again.
    this.host.sendCopies = false;
  }

  getTransport(): DatagramTransport | null {
    return this.transport;
  }

  /** The transport's own datagrams (fresh buffers, never rewritten: sent without a copy). */
  sendSocket(data: Uint8Array, ip: string, port: number): void {
    if (!this.closed) this.socket?.send(data, port, ip, true);
  }

  private transmit(data: Uint8Array, to: Address): void {
    if (this.closed) return;
    if (this.transport) return this.transport.send(data, to.address, to.port);
    // owned: the host's datagrams are fresh views never rewritten, so the socket skips its
    // defensive copy (profile: the per-send Buffer.from).
    this.socket?.send(data, to.port, to.address, true);
  }

  private onDatagram(data: Uint8Array, from: SocketAddress): void {
    if (this.closed) return;
    if (this.transport) this.transport.receive(data, from.address, from.port);
    else this.deliver(data, from.address, from.port, from);
  }

  /**
   * A received (plaintext) datagram for the host, which is then serviced or woken. Its bytes
   * must never change afterwards: received packets are views of them (Host.receive).
   */
  deliver(data: Uint8Array, address: string, port: number, from?: Address): void {
    if (this.closed) return;
    // `from`: the socket's own address object (the host copies what it keeps), so no new
    // object per datagram.
    this.host.receive(data, from ?? { address, port });
    if (this.handler) this.schedulePumpForReceive();
    else if (this.waiters.size > 0) this.wakeWaiters();
  }

  /**
   * Datagrams received together share one pump (profile: pumping per datagram sent one ACK
   * datagram per data datagram and repeated every per-pump step). A socket that hands over a
   * wake-up's datagrams in one call (recvmmsg) is pumped in a microtask right after that call:
   * no wait for the event loop's check phase (event-driven ping-pong RTT −10 %). Others are
   * pumped after the turn's I/O callbacks (setImmediate on Node), so a lone datagram is still
   * answered in the same turn.
   */
  private schedulePumpForReceive(): void {
    if (this.receivePumpQueued) return;
    this.receivePumpQueued = true;
    if (this.socket?.receivesInBatches) return queueMicrotask(this.runReceivePump);
    const timers = this.platform.timers;
    if (timers.setImmediate) timers.setImmediate(this.runReceivePump);
    else timers.setTimeout(this.runReceivePump, 0);
  }

  private readonly runReceivePump = (): void => {
    this.receivePumpQueued = false;
    this.pump();
  };

  // ---- time and the polled mode -----------------------------------------------------------------
  /**
   * Engine time: the platform clock in milliseconds modulo 2^32, fraction kept. The engine
   * works in whole milliseconds (it rounds down, as ENet's clock) except for the bounds that
   * hold acknowledgements and sends back for a millisecond, which need a whole one, not the
   * next tick (Host.deferAcknowledgements).
   */
  now(): number {
    return wrapTime(this.platform.clock.now());
  }

  /**
   * One engine service call (at most one event). Polled, what it sends reaches the kernel
   * within the call, as enet_host_service's sendto does: a loop that never yields to the event
   * loop (a worker, a synchronous busy loop) still sends. Datagrams staged with an event
   * returned (a burst's acknowledgements) leave at the next call.
   *
   * Pull mode: what waits in the socket is read when the host has nothing left to handle or
   * hand out (no read per event of a poll loop), at the start of the call — before the host
   * assembles its datagrams, where enet_host_service sends first: what arrived meanwhile is
   * handled first and its answers share those datagrams (relay fan-out: 13.5 k datagrams/s
   * instead of 19 k, about −10 % CPU per delivery; docs/DEVIATIONS.md).
   */
  service(): HostEvent | null {
    if (this.closed) return null;
    const polled = this.handler === null;
    if (polled) {
      this.socket?.flushNow?.();
      if (this.pulling && this.host.inbound.isEmpty() && this.host.dispatchQueue.isEmpty()) this.socket?.receiveNow?.();
      if (this.closed) return null;
    }
    this.transport?.beforeService();
    const e = this.host.service(this.now());
    if (e) this.transport?.observe(e);
    else if (polled) this.socket?.flushNow?.();
    return e;
  }

  /** Sends what is queued now (enet_host_flush); an event-driven driver re-arms its timer. */
  flush(): void {
    if (this.closed) return;
    this.host.flush(this.now());
    if (!this.handler) this.socket?.flushNow?.();
    this.kick();
  }

  /**
   * Resolves when a datagram arrives, something was queued to send ({@link kick}), the
   * engine's next deadline passes, `ms` passes, or the driver closes — whichever is first.
   * Arms one timer for the wait (at least 1 ms: ENet time has millisecond resolution).
   */
  waitForActivity(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    const delay = Math.min(Math.max(0, ms), Math.max(1, this.host.nextServiceDelay(this.now())));
    return new Promise<void>((resolve) => {
      const done = (): void => {
        if (!this.waiters.delete(done)) return;
        this.platform.timers.clearTimeout(handle);
        this.updatePull();
        resolve();
      };
      this.waiters.add(done);
      this.updatePull();
      const handle = this.platform.timers.setTimeout(done, delay);
    });
  }

  private wakeWaiters(): void {
    for (const w of [...this.waiters]) w();
  }

  // ---- the event-driven mode --------------------------------------------------------------------
  get eventDriven(): boolean {
    return this.handler !== null;
  }

  /**
   * Event-driven mode with `handler` receiving every event; null goes back to the polled
   * mode (the timer is cleared; events not yet taken stay in the host for service()).
   */
  setEventHandler(handler: ((e: HostEvent) => void) | null): void {
    if (this.closed) return;
    this.handler = handler;
    this.updatePull();
    // Long bursts are acknowledged chunk by chunk, each chunk's datagrams sent at once.
    this.host.flushSends = handler !== null && this.socket?.flushNow ? () => this.socket?.flushNow?.() : null;
    if (handler) this.kick();
    else this.clearTimer();
  }

  /**
   * Something was queued to send (or a peer changed): an event-driven driver pumps in a
   * microtask, so every send of the current turn shares the datagrams of one service; a
   * polled driver wakes {@link waitForActivity} callers.
   */
  kick(): void {
    if (this.closed) return;
    if (!this.handler) {
      if (this.waiters.size === 0 || this.wakeQueued) return;
      this.wakeQueued = true;
      void Promise.resolve().then(() => {
        this.wakeQueued = false;
        this.wakeWaiters();
      });
      return;
    }
    if (this.pumping || this.pumpQueued) return; // a running pump ends with a service call
    this.pumpQueued = true;
    void Promise.resolve().then(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  /** Services the host until it has no event (bounded), handing each event on, then re-arms. */
  pump(): void {
    if (this.closed || !this.handler || this.pumping) return;
    this.pumping = true;
    let events = 0;
    try {
      this.onBeforePump?.();
      this.transport?.beforeService();
      // One clock read per pump, not per event: ENet time is whole milliseconds and a pump is
      // bounded (profile: the clock read showed at 64 B messages).
      const now = this.now();
      const sentBefore = this.host.totalSentPackets;
      for (;;) {
        const handler = this.handler;
        if (this.closed || !handler) break; // a listener destroyed the host or left the mode
        const e = this.host.service(now);
        if (!e) break;
        if (events === 0 && this.host.totalSentPackets !== sentBefore) {
          // The first service sent something before any event was handed out: acknowledgements
          // of a burst (Host.service does not wait for the listeners then). They leave now, not
          // after every event of the burst was handled, so the sender refills its window while
          // this side works through the events (profile, 64 B throughput: both sides idled
          // half the time, each waiting for the other's whole batch).
          this.socket?.flushNow?.();
        }
        this.transport?.observe(e);
        handler(e);
        if (++events >= MAX_EVENTS_PER_PUMP) break;
      }
    } finally {
      this.pumping = false;
      this.rearm(events >= MAX_EVENTS_PER_PUMP);
    }
  }

  /** Keeps exactly one timer, due at the engine's next deadline (none when there is none). */
  private rearm(busy: boolean): void {
    if (this.closed || !this.handler) return this.clearTimer();
    let delay = busy ? 0 : this.host.nextServiceDelay(this.now());
    if (delay === Infinity) {
      this.zeroDelays = 0;
      return this.clearTimer();
    }
    if (delay <= 0) delay = this.zeroDelays++ < MAX_ZERO_DELAYS ? 0 : 1;
    else this.zeroDelays = 0;
    const due = Math.floor(this.platform.clock.now()) + delay;
    if (this.timer !== null && this.timerDue === due) return;
    this.clearTimer();
    this.timerDue = due;
    this.timer = this.platform.timers.setTimeout(() => {
      this.timer = null;
      this.pump();
    }, delay);
  }

  private clearTimer(): void {
    if (this.timer === null) return;
    this.platform.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Whether a service timer is armed, and when it is due (whole clock ms). For tests and metrics. */
  timerState(): { armed: boolean; due: number } {
    return { armed: this.timer !== null, due: this.timerDue };
  }

  // ---- shutdown ---------------------------------------------------------------------------------
  /** Closes the socket and clears the timer; pending waits resolve. The host is left as it is. */
  close(): void {
    if (this.closed) return;
    const t = this.transport;
    this.transport = null;
    t?.close(); // before the socket closes: its goodbyes (close_notify) still leave
    this.closed = true;
    this.handler = null;
    this.clearTimer();
    this.socket?.close();
    this.socket = null;
    this.wakeWaiters();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
