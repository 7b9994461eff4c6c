/**
 * The node:http binding of the server's endpoints (routes.ts) and the Server-Sent Events
 * streams of the dashboard. I/O only: it has no clock and no timer — the relay server pushes
 * events (and so keeps streams alive) once per sample interval.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../platform/platform.js';
import { route, type RouteContext } from './routes.js';

export interface HttpContext extends RouteContext {
  /** Called when the number of SSE clients changes. */
  onClientsChanged?(count: number): void;
}

export interface HttpAddress {
  readonly address: string;
  readonly port: number;
  /** `http://host:port/`, with IPv6 in brackets. */
  readonly url: string;
}

/** An SSE message: `event: <name>` and one `data:` line of JSON. */
export function sseMessage(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class HttpServer {
  private readonly server: Server;
  private readonly clients = new Set<ServerResponse>();
  private bound: HttpAddress | null = null;

  constructor(private readonly ctx: HttpContext, private readonly logger: Logger) {
    this.server = createServer((req, res) => this.handle(req, res));
    // Dashboard streams stay open for hours; Node's per-request timeouts must not cut them.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 10_000;
  }

  /** Listens; `host` '*' means every interface. Rejects with the OS error (e.g. EADDRINUSE). */
  listen(port: number, host: string): Promise<HttpAddress> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen({ port, ...(host === '*' ? {} : { host }) }, () => {
        this.server.off('error', onError);
        this.server.on('error', (err) => this.logger.log('error', 'http server error', { error: err }));
        const a = this.server.address() as AddressInfo;
        const shown = a.address.includes(':') ? `[${a.address}]` : a.address;
        this.bound = { address: a.address, port: a.port, url: `http://${shown}:${a.port}/` };
        resolve(this.bound);
      });
    });
  }

  address(): HttpAddress | null {
    return this.bound;
  }

  clientCount(): number {
    return this.clients.size;
  }

  /** Sends one event to every dashboard stream. */
  broadcast(event: string, data: unknown): void {
    if (this.clients.size === 0) return;
    const msg = sseMessage(event, data);
    for (const res of this.clients) res.write(msg);
  }

  /** Ends every stream and stops listening; resolves once the server is closed. */
  close(): Promise<void> {
    for (const res of this.clients) res.end();
    this.clients.clear();
    return new Promise((resolve) => {
      if (!this.server.listening) {
        resolve();
        return;
      }
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    try {
      const r = route(req.method ?? 'GET', req.url ?? '/', this.ctx);
      if (r.kind === 'events') {
        this.openStream(req, res);
        return;
      }
      res.writeHead(r.status, { ...r.headers, 'content-length': Buffer.byteLength(r.body) });
      res.end(req.method === 'HEAD' ? undefined : r.body);
    } catch (err) {
      this.logger.log('error', 'http request failed', { url: req.url, error: err });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('internal error\n');
    }
  }

  private openStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'connection': 'keep-alive',
      'x-accel-buffering': 'no',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    res.write('retry: 2000\n\n');
    res.write(sseMessage('state', this.ctx.state()));
    this.clients.add(res);
    this.ctx.onClientsChanged?.(this.clients.size);
    const forget = (): void => {
      if (this.clients.delete(res)) this.ctx.onClientsChanged?.(this.clients.size);
    };
    res.on('close', forget);
    res.on('error', forget);
  }
}
