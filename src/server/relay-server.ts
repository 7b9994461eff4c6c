/**
 * The operations shell of `gdwire serve`: runs a {@link RelayCore} and around it the HTTP
 * endpoints (dashboard, /metrics, /healthz, /api/*), structured logs of the core's events,
 * periodic sampling (metrics, traffic history, dashboard push) and graceful shutdown with a
 * hard deadline. Time and timers come from the Platform, so the whole shell runs on a fake
 * clock in tests; only the HTTP binding touches the OS.
 *
 *     const server = new RelayServer({ config, core, platform, logger, version });
 *     await server.start();                 // HTTP, then core.start(), then sampling
 *     const { graceful } = await server.stop('SIGTERM');
 */
import type { Logger, Platform, TimerHandle } from '../platform/platform.js';
import { describeConfig, type ServerConfig } from './config.js';
import type { CoreEvent, CoreSnapshot, RelayCore } from './core.js';
import { dashboardPage } from './http/dashboard-page.js';
import { HttpServer, type HttpAddress } from './http/http-server.js';
import { route, type Health, type RouteContext, type RouteResult } from './http/routes.js';
import { ServerMetrics } from './server-metrics.js';
import { PeerRates, udpListenText, type PeerView, type ServerState, type ShellStatus } from './server-state.js';
import { TrafficHistory } from './traffic-history.js';

export interface RelayServerOptions {
  config: ServerConfig;
  core: RelayCore;
  platform: Pick<Platform, 'clock' | 'timers'>;
  logger: Logger;
  /** gdwire's version, for logs, /metrics and the dashboard. */
  version?: string;
  /** How often the core is sampled (metrics, history, dashboard push), ms. Default 1000. */
  sampleIntervalMs?: number;
  /** How much traffic history the dashboard charts, ms. Default 5 minutes. */
  historyWindowMs?: number;
  /**
   * Serve HTTP (on `config.httpPort`, unless that is null). Default true; tests on a fake
   * clock pass false and call {@link RelayServer.request} instead.
   */
  http?: boolean;
}

export interface StopResult {
  /** false when the deadline was reached (or the core failed) and the core was closed hard. */
  readonly graceful: boolean;
  /** Platform-clock ms from stop() to closed. */
  readonly durationMs: number;
}

export class RelayServer {
  readonly config: ServerConfig;
  readonly core: RelayCore;
  readonly metrics: ServerMetrics;
  readonly history: TrafficHistory;
  readonly version: string;
  readonly sampleIntervalMs: number;
  readonly historyWindowMs: number;
  private readonly platform: Pick<Platform, 'clock' | 'timers'>;
  private readonly logger: Logger;
  private readonly http: HttpServer | null;
  private readonly routes: RouteContext;
  private readonly peerRates = new PeerRates();
  private status: ShellStatus = 'idle';
  private startedAt = 0;
  private sampleTimer: TimerHandle | null = null;
  private lastSnap: CoreSnapshot;
  private lastPeers: PeerView[] = [];
  private unsubscribe: (() => void) | null = null;
  private stopping: Promise<StopResult> | null = null;
  private forceClose: (() => void) | null = null;

  constructor(options: RelayServerOptions) {
    this.config = options.config;
    this.core = options.core;
    this.platform = options.platform;
    this.logger = options.logger;
    this.version = options.version ?? '0.0.0';
    this.sampleIntervalMs = options.sampleIntervalMs ?? 1000;
    this.historyWindowMs = options.historyWindowMs ?? 300_000;
    if (!(this.sampleIntervalMs > 0)) throw new RangeError('sampleIntervalMs must be > 0');
    this.history = new TrafficHistory(Math.max(1, Math.ceil(this.historyWindowMs / this.sampleIntervalMs)));
    this.metrics = new ServerMetrics({
      version: this.version, godot: this.config.godot.version, core: this.core.name,
      maxClients: this.config.maxClients, maxRooms: this.config.maxRooms, dtls: this.config.dtlsCert !== null,
      ...(this.core.dropReasons ? { dropReasons: this.core.dropReasons } : {}),
    });
    this.lastSnap = this.core.snapshot();
    this.routes = {
      metrics: () => this.metrics.expose(),
      health: () => this.health(),
      state: () => this.state(true),
      dashboard: () => dashboardPage(),
    };
    const wantHttp = (options.http ?? true) && this.config.httpPort !== null;
    this.http = wantHttp
      ? new HttpServer({ ...this.routes, onClientsChanged: (n) => this.metrics.setDashboardClients(n) }, this.logger)
      : null;
  }

  /** Where the HTTP server listens, once started (null without HTTP). */
  httpAddress(): HttpAddress | null {
    return this.http?.address() ?? null;
  }

  shellStatus(): ShellStatus {
    return this.status;
  }

  /**
   * Starts HTTP (so the dashboard shows 'starting'), then the core, then sampling. Rejects,
   * with everything closed again, when the HTTP port or the core cannot start.
   */
  async start(): Promise<void> {
    if (this.status !== 'idle') throw new Error(`start() twice (status ${this.status})`);
    this.status = 'starting';
    this.startedAt = this.platform.clock.now();
    this.unsubscribe = this.core.onEvent((e) => this.logEvent(e));
    if (this.http) {
      try {
        await this.http.listen(this.config.httpPort ?? 0, this.config.httpBind);
      } catch (err) {
        this.fail('cannot start the HTTP server', err);
        throw err;
      }
    }
    try {
      await this.core.start();
    } catch (err) {
      this.fail('relay core failed to start', err);
      await this.http?.close();
      throw err;
    }
    this.status = 'running';
    this.sample();
    const snap = this.lastSnap;
    this.logger.log('info', 'relay server started', {
      udp: udpListenText(snap) ?? 'none', http: this.httpAddress()?.url ?? 'off', core: this.core.name,
      coreStatus: snap.status, godot: this.config.godot.version, version: this.version,
    });
    if (snap.status !== 'running') {
      this.logger.log('warn', 'relay core not running: HTTP endpoints only', { status: snap.status, detail: snap.detail });
    }
  }

  /**
   * Graceful shutdown: /healthz turns 503, the core tells its peers and flushes (core.stop),
   * and at `config.shutdownTimeoutMs` the core is closed hard if it has not finished; then
   * the dashboard streams get `bye` and HTTP closes. Calling it again returns the same promise.
   */
  stop(reason = 'stop'): Promise<StopResult> {
    this.stopping ??= this.shutdown(reason);
    return this.stopping;
  }

  /** Hard stop now (e.g. a second signal): closes the core without waiting for the deadline. */
  closeNow(reason = 'forced'): Promise<StopResult> {
    const p = this.stop(reason);
    this.forceClose?.();
    return p;
  }

  /** Answers one HTTP request without a socket (tests on a fake clock). */
  request(method: string, url: string): RouteResult {
    return route(method, url, this.routes);
  }

  /** The dashboard data; `withHistory` adds the traffic points of the last minutes. */
  state(withHistory = false): ServerState {
    const snap = this.lastSnap;
    const now = this.platform.clock.now();
    return {
      version: this.version,
      status: this.status,
      core: { name: this.core.name, status: snap.status, detail: snap.detail },
      listen: { udp: udpListenText(snap), http: this.httpAddress()?.url ?? null },
      godot: this.config.godot.version,
      config: describeConfig(this.config),
      uptime: this.status === 'idle' ? 0 : Math.max(0, Math.round(now - this.startedAt) / 1000),
      intervalMs: this.sampleIntervalMs,
      historyWindowMs: this.historyWindowMs,
      totals: snap.totals,
      dtls: snap.dtls ?? null,
      rates: this.history.latest(),
      rooms: snap.rooms,
      peers: this.lastPeers,
      ...(withHistory ? { history: [...this.history.all()] } : {}),
    };
  }

  health(): Health {
    const snap = this.lastSnap;
    const healthy = this.status === 'running' && snap.status === 'running';
    const status = healthy ? 'ok' : this.status === 'running' ? snap.status : this.status;
    return {
      healthy,
      body: { status, core: snap.status, ...(snap.detail ? { detail: snap.detail } : {}), uptime: this.state().uptime },
    };
  }

  /** Takes one sample now: metrics, history, dashboard push. Runs every sampleIntervalMs. */
  sample(): void {
    const now = this.platform.clock.now();
    let snap: CoreSnapshot;
    try {
      snap = this.core.snapshot();
    } catch (err) {
      this.logger.log('error', 'relay core snapshot failed', { error: err });
      this.schedule();
      return;
    }
    this.lastSnap = snap;
    this.lastPeers = this.peerRates.update(now, snap);
    const connected = snap.peers.filter((p) => p.state === 'connected').length;
    this.history.record(now, snap.totals, connected);
    this.metrics.update(snap, now - this.startedAt);
    this.http?.broadcast('state', this.state());
    this.schedule();
  }

  private schedule(): void {
    if (this.sampleTimer) this.platform.timers.clearTimeout(this.sampleTimer);
    this.sampleTimer = null;
    if (this.status !== 'running' && this.status !== 'stopping') return;
    this.sampleTimer = this.platform.timers.setTimeout(() => {
      this.sampleTimer = null;
      this.sample();
    }, this.sampleIntervalMs);
  }

  private async shutdown(reason: string): Promise<StopResult> {
    const started = this.platform.clock.now();
    const timeout = this.config.shutdownTimeoutMs;
    const wasRunning = this.status === 'running' || this.status === 'starting';
    this.status = 'stopping';
    this.logger.log('info', 'shutting down', { reason, deadlineMs: timeout, peers: this.lastSnap.peers.length });
    this.http?.broadcast('state', this.state());
    const graceful = wasRunning ? await this.stopCore(reason, started + timeout, timeout) : true;
    if (this.sampleTimer) this.platform.timers.clearTimeout(this.sampleTimer);
    this.sampleTimer = null;
    this.status = 'stopped';
    this.sample(); // final figures for the last scrape/stream (schedules nothing: stopped)
    this.http?.broadcast('bye', { reason, graceful });
    await this.http?.close();
    this.unsubscribe?.();
    this.unsubscribe = null;
    const durationMs = Math.round(this.platform.clock.now() - started);
    this.logger.log(graceful ? 'info' : 'warn', 'stopped', { reason, graceful, durationMs });
    return { graceful, durationMs };
  }

  /** core.stop() raced against the deadline (and closeNow()); true when it finished in time. */
  private stopCore(reason: string, deadline: number, timeout: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let done = false;
      const finish = (graceful: boolean, why?: string, err?: unknown): void => {
        if (done) return;
        done = true;
        this.platform.timers.clearTimeout(timer);
        this.forceClose = null;
        if (!graceful) {
          this.logger.log('warn', `closing the relay core hard: ${why ?? 'forced'}`, err === undefined ? {} : { error: err });
          try {
            this.core.close();
          } catch (closeErr) {
            this.logger.log('error', 'relay core close() threw', { error: closeErr });
          }
        }
        resolve(graceful);
      };
      const timer = this.platform.timers.setTimeout(() => finish(false, `shutdown deadline (${timeout} ms) reached`), timeout);
      this.forceClose = () => finish(false, 'closeNow()');
      let stopping: Promise<void>;
      try {
        stopping = this.core.stop({ reason, deadline });
      } catch (err) {
        finish(false, 'core.stop() threw', err);
        return;
      }
      stopping.then(() => finish(true), (err: unknown) => finish(false, 'core.stop() failed', err));
    });
  }

  private fail(message: string, err: unknown): void {
    this.status = 'stopped';
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.logger.log('error', message, { error: err });
  }

  private logEvent(e: CoreEvent): void {
    switch (e.type) {
      case 'peer_connected':
        this.logger.log('info', 'peer connected', { peer: e.peer, address: e.address, room: e.room });
        break;
      case 'peer_disconnected':
        this.logger.log('info', 'peer disconnected', { peer: e.peer, reason: e.reason });
        break;
      case 'room_opened':
        this.logger.log('info', 'room opened', { room: e.room });
        break;
      case 'room_closed':
        this.logger.log('info', 'room closed', { room: e.room });
        break;
      case 'drop':
        this.logger.log('debug', 'relay drop', { reason: e.reason, peer: e.peer });
        break;
      case 'error':
        this.logger.log('error', e.message, e.fields ? { ...e.fields } : undefined);
        break;
    }
  }
}
