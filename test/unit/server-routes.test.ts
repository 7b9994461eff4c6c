/**
 * The HTTP route table (no sockets), the traffic history's rate arithmetic, and the relay
 * core loader's honest fallback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DASHBOARD_CSP, route, type RouteContext } from '../../src/server/http/routes.js';
import { dashboardPage } from '../../src/server/http/dashboard-page.js';
import { sseMessage } from '../../src/server/http/http-server.js';
import { counterDelta, TrafficHistory } from '../../src/server/traffic-history.js';
import { EMPTY_TOTALS } from '../../src/server/core.js';
import { loadRelayCore, NO_CORE_DETAIL } from '../../src/server/core-loader.js';
import { resolveConfig } from '../../src/server/config.js';
import { createTestPlatform } from '../../src/platform/test-platform.js';

const ctx: RouteContext = {
  metrics: () => 'm 1\n',
  health: () => ({ healthy: false, body: { status: 'unavailable' } }),
  state: () => ({ ok: true }),
  dashboard: () => '<!doctype html>',
};

test('routes: content types, status codes, methods', () => {
  const metrics = route('GET', '/metrics', ctx);
  assert.ok(metrics.kind === 'response');
  assert.equal(metrics.status, 200);
  assert.equal(metrics.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  assert.equal(metrics.body, 'm 1\n');
  const health = route('GET', '/healthz?verbose=1', ctx);
  assert.ok(health.kind === 'response' && health.status === 503 && health.body === '{"status":"unavailable"}\n');
  const page = route('HEAD', '/', ctx);
  assert.ok(page.kind === 'response' && page.status === 200);
  assert.equal(page.headers['content-security-policy'], DASHBOARD_CSP);
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  assert.deepEqual(route('GET', '/api/events', ctx), { kind: 'events' });
  const api = route('GET', '/api/state', ctx);
  assert.ok(api.kind === 'response' && api.headers['content-type']?.startsWith('application/json'));
  const missing = route('GET', '/nope', ctx);
  assert.ok(missing.kind === 'response' && missing.status === 404);
  const post = route('POST', '/metrics', ctx);
  assert.ok(post.kind === 'response' && post.status === 405 && post.headers['allow'] === 'GET, HEAD');
});

test('the dashboard is self-contained: no external script, style or font', () => {
  const html = dashboardPage();
  assert.match(html, /^<!doctype html>/);
  assert.doesNotMatch(html, /<script[^>]+src=/i);
  assert.doesNotMatch(html, /<link[^>]+href=/i);
  // No CDN: the only URL is the SVG namespace, an identifier that is never fetched.
  assert.doesNotMatch(html.replace("'http://www.w3.org/2000/svg'", ''), /https?:\/\//);
  assert.match(html, /EventSource\('api\/events'\)/);
  assert.match(html, /id="line-in"/);
});

test('SSE messages: event line, one JSON data line, blank line', () => {
  assert.equal(sseMessage('state', { a: 'x\ny' }), 'event: state\ndata: {"a":"x\\ny"}\n\n');
});

test('traffic history: rates per second from cumulative totals, bounded, restart-safe', () => {
  const h = new TrafficHistory(3);
  assert.equal(h.record(1000, { ...EMPTY_TOTALS, bytesIn: 100 }, 0), null); // first: no rate yet
  const p = h.record(3000, { ...EMPTY_TOTALS, bytesIn: 500, bytesOut: 1000, packetsIn: 4 }, 2);
  assert.deepEqual(p, { t: 3000, bytesIn: 200, bytesOut: 500, packetsIn: 2, packetsOut: 0, peers: 2 });
  assert.equal(h.record(3000, EMPTY_TOTALS, 0), null); // no time passed
  h.record(4000, { ...EMPTY_TOTALS, bytesIn: 50 }, 0); // went down: counted from 0
  assert.equal(h.latest()?.bytesIn, 50);
  h.record(5000, { ...EMPTY_TOTALS, bytesIn: 50 }, 0);
  h.record(6000, { ...EMPTY_TOTALS, bytesIn: 50 }, 0);
  assert.equal(h.all().length, 3);
  assert.equal(h.all()[0]?.t, 4000);
  assert.equal(counterDelta(10, 4), 4);
  assert.throws(() => new TrafficHistory(0), RangeError);
});

test('core loader: a missing relay-core module gives the honest unavailable core', async () => {
  const p = createTestPlatform();
  const config = resolveConfig({}, {}).config;
  const core = await loadRelayCore(config, p, p.logger, './no-such-relay-core.js');
  assert.equal(core.name, 'none');
  const snap = core.snapshot();
  assert.equal(snap.status, 'unavailable');
  assert.equal(snap.detail, NO_CORE_DETAIL);
  assert.equal(snap.listen, null);
  // A module that exists but exports no createRelayCore is not used either.
  const wrong = await loadRelayCore(config, p, p.logger, './core.js');
  assert.equal(wrong.snapshot().status, 'unavailable');
  assert.match(wrong.snapshot().detail ?? '', /does not export createRelayCore/);
});

test('core loader: a module exporting createRelayCore is used with the config', async () => {
  const p = createTestPlatform();
  const config = resolveConfig({ port: '5151' }, {}).config;
  const url = new URL('../e2e/fixtures/relay-core-module.js', import.meta.url).href;
  const core = await loadRelayCore(config, p, p.logger, url);
  assert.equal(core.name, 'fixture');
  assert.deepEqual(core.snapshot().listen, { address: '127.0.0.1', port: 5151 });
});
