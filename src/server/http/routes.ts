/**
 * The HTTP endpoints as a pure function of (method, URL) — no sockets, so they are unit-tested
 * without a port. http-server.ts binds them to node:http.
 *
 *   GET /            the live dashboard (one self-contained HTML page)
 *   GET /metrics     Prometheus text format 0.0.4
 *   GET /healthz     200 {"status":"ok"} while the relay core runs, else 503 with the reason
 *   GET /api/state   the dashboard's data as JSON (with the traffic history)
 *   GET /api/events  Server-Sent Events: `state` once a sample interval, `bye` on shutdown
 * HEAD is answered like GET without a body; other methods get 405.
 */
import { CONTENT_TYPE_0_0_4 } from '../metrics/registry.js';

export interface Health {
  readonly healthy: boolean;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface RouteContext {
  metrics(): string;
  health(): Health;
  /** The full state (with history) as sent by /api/state and as the first SSE event. */
  state(): unknown;
  dashboard(): string;
}

export type RouteResult =
  | { readonly kind: 'response'; readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: string }
  /** Keep the connection as a Server-Sent Events stream. */
  | { readonly kind: 'events' };

/** No CDN, no frame, no plug-in: the page may only run its own inline code and call us back. */
export const DASHBOARD_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
  + "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const NO_STORE = { 'cache-control': 'no-store' };

function json(status: number, body: unknown): RouteResult {
  return {
    kind: 'response', status,
    headers: { ...NO_STORE, 'content-type': 'application/json; charset=utf-8' },
    body: `${JSON.stringify(body)}\n`,
  };
}

function text(status: number, body: string, contentType = 'text/plain; charset=utf-8'): RouteResult {
  return { kind: 'response', status, headers: { ...NO_STORE, 'content-type': contentType }, body };
}

export function route(method: string, url: string, ctx: RouteContext): RouteResult {
  if (method !== 'GET' && method !== 'HEAD') {
    return { kind: 'response', status: 405, headers: { ...NO_STORE, 'allow': 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }, body: 'method not allowed\n' };
  }
  const path = url.split('?', 1)[0] ?? '/';
  switch (path) {
    case '/':
    case '/index.html':
      return {
        kind: 'response', status: 200,
        headers: {
          ...NO_STORE, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': DASHBOARD_CSP,
          'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer',
        },
        body: ctx.dashboard(),
      };
    case '/metrics':
      return text(200, ctx.metrics(), CONTENT_TYPE_0_0_4);
    case '/healthz': {
      const h = ctx.health();
      return json(h.healthy ? 200 : 503, h.body);
    }
    case '/api/state':
      return json(200, ctx.state());
    case '/api/events':
      return { kind: 'events' };
    case '/favicon.ico':
      return { kind: 'response', status: 204, headers: NO_STORE, body: '' };
    default:
      return text(404, 'not found\n');
  }
}
