/**
 * The relay server's Prometheus metrics, fed from core snapshots once per sample interval.
 *
 * Counters mirror the core's cumulative totals (increased by the difference since the last
 * sample, so a core restart never makes them go down). RTT is a histogram of per-peer samples:
 * every connected peer's smoothed RTT is observed once per sample interval, so a peer that
 * stays an hour weighs 3600 samples — read it as "peer-seconds at this RTT".
 */
import { DROP_REASONS } from '../multiplayer/scene/scene-relay-types.js';
import type { CoreSnapshot } from './core.js';
import { counterDelta } from './traffic-history.js';
import { Registry, type Counter, type Gauge, type Histogram, type Labels } from './metrics/registry.js';

/** RTT buckets, seconds: LAN (≤ 5 ms) through intercontinental and bad Wi-Fi (≥ 500 ms). */
export const RTT_BUCKETS: readonly number[] = [0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2];

/** Drop reasons shown (as 0) before the first drop when the core lists none (RelayCore.dropReasons). */
export const DEFAULT_DROP_REASONS: readonly string[] = DROP_REASONS;

export interface ServerMetricsOptions {
  version: string;
  godot: string;
  core: string;
  maxClients: number;
  maxRooms: number;
  /** Reasons pre-created at 0 in gdwire_relay_drops_total (default {@link DEFAULT_DROP_REASONS}). */
  dropReasons?: readonly string[];
  /** The relay is encrypted (`--dtls-cert`): export the gdwire_dtls_* series. */
  dtls?: boolean;
}

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly up: Gauge;
  private readonly uptime: Gauge;
  private readonly peers: Gauge;
  private readonly rooms: Gauge;
  private readonly packets: Counter;
  private readonly bytes: Counter;
  private readonly connects: Counter;
  private readonly disconnects: Counter;
  private readonly drops: Counter;
  private readonly rtt: Histogram;
  private readonly sseClients: Gauge;
  private readonly dtls: { sessions: Gauge; handshakes: Counter; cookies: Counter; dropped: Counter } | null;
  private readonly seen = new Map<string, number>();

  constructor(options: ServerMetricsOptions) {
    const r = this.registry;
    r.gauge({ name: 'gdwire_info', help: 'Build and mode of this server (always 1).', labelNames: ['version', 'godot', 'core'] })
      .set({ version: options.version, godot: options.godot, core: options.core }, 1);
    this.up = r.gauge({ name: 'gdwire_relay_core_up', help: '1 while the relay core is running and admitting peers, else 0.' });
    this.uptime = r.gauge({ name: 'gdwire_uptime_seconds', help: 'Seconds since the server started.' });
    this.peers = r.gauge({ name: 'gdwire_peers', help: 'Peers connected now, by state.', labelNames: ['state'] });
    r.gauge({ name: 'gdwire_peers_max', help: 'Peer slots (--max-clients).' }).set({}, options.maxClients);
    this.rooms = r.gauge({ name: 'gdwire_rooms', help: 'Rooms open now.' });
    r.gauge({ name: 'gdwire_rooms_max', help: 'Most rooms open at once (--max-rooms).' }).set({}, options.maxRooms);
    this.packets = r.counter({ name: 'gdwire_packets_total', help: 'Packets received from (in) and sent to (out) peers.', labelNames: ['direction'] });
    this.bytes = r.counter({ name: 'gdwire_bytes_total', help: 'Payload bytes received from (in) and sent to (out) peers.', labelNames: ['direction'] });
    this.connects = r.counter({ name: 'gdwire_peer_connects_total', help: 'Peers admitted since start.' });
    this.disconnects = r.counter({ name: 'gdwire_peer_disconnects_total', help: 'Peers gone since start.' });
    this.drops = r.counter({ name: 'gdwire_relay_drops_total', help: 'Packets or connections the relay refused, by reason.', labelNames: ['reason'] });
    this.rtt = r.histogram({
      name: 'gdwire_peer_rtt_seconds', help: 'Round-trip time of connected peers, one sample per peer per sample interval.',
      buckets: RTT_BUCKETS,
    });
    this.sseClients = r.gauge({ name: 'gdwire_dashboard_clients', help: 'Dashboard pages connected (Server-Sent Events).' });
    for (const d of ['in', 'out']) {
      this.packets.inc({ direction: d }, 0);
      this.bytes.inc({ direction: d }, 0);
    }
    for (const s of ['connected', 'authenticating']) this.peers.set({ state: s }, 0);
    for (const reason of options.dropReasons ?? DEFAULT_DROP_REASONS) this.drops.inc({ reason }, 0);
    this.dtls = options.dtls ? {
      sessions: r.gauge({ name: 'gdwire_dtls_sessions', help: 'DTLS associations now (handshaking or connected).' }),
      handshakes: r.counter({ name: 'gdwire_dtls_handshakes_total', help: 'DTLS handshakes completed (ok) or failed (bad certificate, alert, timeout).', labelNames: ['result'] }),
      cookies: r.counter({ name: 'gdwire_dtls_cookie_exchanges_total', help: 'DTLS cookie exchanges (HelloVerifyRequest) sent.' }),
      dropped: r.counter({ name: 'gdwire_dtls_dropped_datagrams_total', help: 'Datagrams dropped before ENet: not DTLS (e.g. an unencrypted client), unknown sender, refused.' }),
    } : null;
    if (this.dtls) {
      this.dtls.sessions.set({}, 0);
      for (const result of ['ok', 'failed']) this.dtls.handshakes.inc({ result }, 0);
      this.dtls.cookies.inc({}, 0);
      this.dtls.dropped.inc({}, 0);
    }
  }

  /** Updates every metric from one snapshot taken `uptimeMs` after start. */
  update(snap: CoreSnapshot, uptimeMs: number): void {
    this.up.set({}, snap.status === 'running' ? 1 : 0);
    this.uptime.set({}, Math.round(uptimeMs) / 1000);
    let connected = 0;
    let authenticating = 0;
    for (const p of snap.peers) {
      if (p.state === 'connected') {
        connected++;
        this.rtt.observe({}, p.rttMs / 1000);
      } else {
        authenticating++;
      }
    }
    this.peers.set({ state: 'connected' }, connected);
    this.peers.set({ state: 'authenticating' }, authenticating);
    this.rooms.set({}, snap.rooms.length);
    const t = snap.totals;
    this.mirror(this.packets, { direction: 'in' }, t.packetsIn);
    this.mirror(this.packets, { direction: 'out' }, t.packetsOut);
    this.mirror(this.bytes, { direction: 'in' }, t.bytesIn);
    this.mirror(this.bytes, { direction: 'out' }, t.bytesOut);
    this.mirror(this.connects, {}, t.connects);
    this.mirror(this.disconnects, {}, t.disconnects);
    for (const [reason, n] of Object.entries(t.drops)) this.mirror(this.drops, { reason }, n);
    const d = snap.dtls;
    if (this.dtls && d) {
      this.dtls.sessions.set({}, d.sessions);
      this.mirror(this.dtls.handshakes, { result: 'ok' }, d.handshakes);
      this.mirror(this.dtls.handshakes, { result: 'failed' }, d.handshakeFailures);
      this.mirror(this.dtls.cookies, {}, d.cookieExchanges);
      this.mirror(this.dtls.dropped, {}, d.droppedDatagrams);
    }
  }

  setDashboardClients(n: number): void {
    this.sseClients.set({}, n);
  }

  expose(): string {
    return this.registry.expose();
  }

  /** Adds to `counter` what the core's cumulative `total` grew by since the last call. */
  private mirror(counter: Counter, labels: Labels, total: number): void {
    const key = `${counter.name}${JSON.stringify(labels)}`;
    const before = this.seen.get(key) ?? 0;
    this.seen.set(key, total);
    counter.inc(labels, counterDelta(before, total));
  }
}
