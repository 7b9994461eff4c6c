/**
 * Relay-core settings beyond `gdwire serve`'s {@link ServerConfig} (defaults suit a game
 * server; tests and embedders may change them).
 */
import { isValidRoomName } from './room-auth.js';

export interface RelayCoreOptions {
  /** Room of the clients that name none (no auth_callback, or completion without `room:`). Default 'default'. */
  defaultRoom?: string;
  /**
   * How long a new Godot 4 client may stay silent before it is put in the default room, ms
   * (default 1000). A client with an auth_callback sends its room request at once; one without
   * sends nothing until it has something to say, and any packet it sends admits it at once.
   */
  admitWindowMs?: number;
  /** SceneMultiplayer `auth_timeout`: a client not admitted by then is disconnected, ms (default 3000, Godot's). */
  authTimeoutMs?: number;
  /** How often pending clients are checked while there are any, ms (default 100). */
  tickMs?: number;
  /**
   * How the ENet host is driven, ms. > 0 (default 4): Godot's frame model — every interval, start
   * to start (paced as Godot's main loop, frame-pacer.ts), the host is polled, everything
   * received is relayed and the host flushed once, so the copies for one client share datagrams
   * (fewer datagrams and acknowledgements: less CPU, at most one interval of extra latency;
   * bench/relay-fanout.bench.ts: 4 ms costs ≈ 40 % less CPU per delivered packet than 1 ms).
   * 0 (Godot 4 core only; the 3.2 core then uses 1): event-driven, each datagram handled as it
   * arrives — lowest latency, about one datagram per relayed packet and client.
   */
  serviceIntervalMs?: number;
}

export const DEFAULT_RELAY_OPTIONS: Required<RelayCoreOptions> = {
  defaultRoom: 'default', admitWindowMs: 1000, authTimeoutMs: 3000, tickMs: 100, serviceIntervalMs: 4,
};

/** The options with defaults applied; throws a RangeError for a bad value. */
export function resolveRelayOptions(options: RelayCoreOptions = {}): Required<RelayCoreOptions> {
  const o = { ...DEFAULT_RELAY_OPTIONS, ...options };
  if (!isValidRoomName(o.defaultRoom)) throw new RangeError(`invalid default room name "${o.defaultRoom}"`);
  for (const k of ['admitWindowMs', 'authTimeoutMs', 'tickMs', 'serviceIntervalMs'] as const) {
    if (!(o[k] >= 0) || !Number.isFinite(o[k])) throw new RangeError(`${k} must be a finite number ≥ 0`);
  }
  if (o.tickMs < 1) throw new RangeError('tickMs must be ≥ 1');
  return o;
}
