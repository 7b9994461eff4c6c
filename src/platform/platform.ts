/**
 * The platform seam: the only way protocol code reaches time, randomness, sockets and logs.
 * Code outside platform/ and cli/ must not import node:dgram, node:crypto randomness, timers,
 * Date or performance (test/unit/determinism.test.ts enforces it). Production code gets
 * {@link nodePlatform}; tests get a fake clock, a seeded random and an in-memory network
 * (memory-network.ts), so every protocol test is deterministic.
 */

/** Monotonic time in milliseconds (may be fractional). Never wall-clock time. */
export interface Clock {
  now(): number;
}

export interface Random {
  /** Fill `bytes` with random bytes (cryptographically strong on the Node platform). */
  fill(bytes: Uint8Array): void;
  /** A uniformly distributed unsigned 32-bit integer. */
  u32(): number;
}

export type TimerHandle = { readonly __timer: unique symbol } | object;

export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /**
   * Runs `fn` once, soon: after the I/O already received this event-loop turn (Node's
   * setImmediate), so work for a burst of datagrams can be batched into one call. Optional:
   * without it callers use setTimeout(fn, 0). A FakeClock runs it as a zero-delay timer.
   */
  setImmediate?(fn: () => void): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
}

export type SocketFamily = 'udp4' | 'udp6';

export interface SocketAddress {
  /** IPv4 dotted quad, or IPv6 text. IPv4-mapped IPv6 (::ffff:a.b.c.d) is reported as IPv4. */
  address: string;
  port: number;
  family: 'IPv4' | 'IPv6';
}

/** A failure from the OS (or the memory network) with Node's errno code, e.g. 'EADDRINUSE'. */
export interface SocketError {
  code: string;
  message: string;
}

export interface BindOptions {
  /** udp6 only: refuse IPv4-mapped traffic (IPV6_V6ONLY). */
  ipv6Only?: boolean;
  reuseAddr?: boolean;
}

/**
 * One datagram socket. Received datagrams are pushed to the handler set by `onMessage` as
 * they arrive; the owner decides how to queue them (Godot's ring buffer lives above this).
 */
export interface DatagramSocket {
  readonly family: SocketFamily;
  /** Resolves once bound; rejects with a {@link SocketError}. */
  bind(port: number, address: string | undefined, options?: BindOptions): Promise<void>;
  /** OS-level connect: only datagrams from that address/port are delivered afterwards. */
  connect(address: string, port: number): Promise<void>;
  /**
   * Sends one datagram; to the connected remote when `address` is omitted. Errors go to `onError`.
   * `owned`: the caller hands `data` over and never changes it afterwards, so the socket may
   * keep a reference instead of copying it (datagrams still queued in the OS layer).
   */
  send(data: Uint8Array, port?: number, address?: string, owned?: boolean): void;
  /** True when send() copies `data` before it returns (the caller may reuse its buffer at once). */
  readonly copiesOnSend?: boolean;
  /**
   * True when the datagrams waiting at a wake-up reach the message handler in one call into
   * JS (recvmmsg batches), after which microtasks run: an owner may handle them in a
   * microtask instead of waiting for a later phase of the event loop (setImmediate).
   */
  readonly receivesInBatches?: boolean;
  /**
   * Sends what send() staged now instead of when the current task ends (a socket that batches
   * its sends; others send at once and need not have it).
   */
  flushNow?(): void;
  /**
   * Pull mode, for a socket that can read on demand: with `pull` true the socket stops
   * watching for datagrams, which wait in the kernel's receive buffer until
   * {@link receiveNow} (as C ENet's socket between two enet_host_service calls: no event-loop
   * wake-up per arrival); false (the default) delivers them as they arrive.
   * @returns whether pull mode is now on (false when the socket cannot pull)
   */
  setPull?(pull: boolean): boolean;
  /**
   * Pull mode: reads what waits now (bounded: a few hundred datagrams) and hands each to the
   * message handler before returning. @returns how many were read
   */
  receiveNow?(): number;
  onMessage(handler: (data: Uint8Array, from: SocketAddress) => void): void;
  onError(handler: (err: SocketError) => void): void;
  /** The bound local address, or null before bind. */
  localAddress(): SocketAddress | null;
  setBroadcast(enabled: boolean): void;
  addMembership(group: string, iface?: string): void;
  dropMembership(group: string, iface?: string): void;
  close(): void;
}

export interface SocketOptions {
  /**
   * Prefer a socket that batches its system calls (native/udp.c: recvmmsg/sendmmsg) when the
   * platform has one; see batched-socket.ts for how it differs. The ENet hosts ask for it.
   */
  batched?: boolean;
}

export interface Network {
  createSocket(family: SocketFamily, options?: SocketOptions): DatagramSocket;
  /** Resolves a host name (or IP literal) to addresses, IPv4 first unless `family` says otherwise. */
  lookup(host: string, family?: 4 | 6): Promise<string[]>;
}

export interface Platform {
  clock: Clock;
  random: Random;
  timers: Timers;
  network: Network;
  logger: Logger;
}
