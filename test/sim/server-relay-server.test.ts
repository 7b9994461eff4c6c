/**
 * The relay server shell on a fake clock with the fake core: sampling into metrics and the
 * traffic history, /healthz and /metrics through the route table, event logging, and
 * graceful shutdown with its hard deadline. No ports, no sleeps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestPlatform, type TestPlatform } from '../../src/platform/test-platform.js';
import { resolveConfig, type ServerConfig } from '../../src/server/config.js';
import { RelayServer } from '../../src/server/relay-server.js';
import { FakeRelayCore, type FakeRelayCoreOptions } from '../../src/server/testing/fake-relay-core.js';
import { UnavailableCore } from '../../src/server/unavailable-core.js';
import { NO_CORE_DETAIL } from '../../src/server/core-loader.js';

function setup(coreOptions: Partial<FakeRelayCoreOptions> = {}, flags: Record<string, string> = {}): {
  p: TestPlatform; core: FakeRelayCore; server: RelayServer; config: ServerConfig;
} {
  const p = createTestPlatform({ start: 1_000_000 });
  const config = resolveConfig({ 'http-port': 'off', ...flags }, {}).config;
  const core = new FakeRelayCore({ clock: p.clock, timers: p.timers, roomSize: config.roomSize, ...coreOptions });
  const server = new RelayServer({ config, core, platform: p, logger: p.logger, version: '9.9.9', http: false });
  return { p, core, server, config };
}

/** Lets promise callbacks run (the shell awaits core promises). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function metric(text: string, line: string): number {
  const m = text.split('\n').find((l) => l.startsWith(`${line} `));
  assert.ok(m, `no metric line ${line}`);
  return Number(m.slice(line.length + 1));
}

test('samples once a second: peers, rooms, rates, counters and RTT histogram', async () => {
  const { p, core, server } = setup();
  await server.start();
  core.addPeer({ id: 11, room: 'alpha', rttMs: 12, rate: 1000 });
  core.addPeer({ id: 12, room: 'alpha', rttMs: 40, rate: 1000 });
  core.addPeer({ id: 21, room: 'beta', rttMs: 250, loss: 0.02, rate: 3000 });
  core.drop('other-room', 21, 3);
  p.clock.advance(10_000); // ten samples
  const st = server.state();
  assert.equal(st.status, 'running');
  assert.deepEqual(st.rooms.map((r) => [r.id, r.peers]), [['alpha', [11, 12]], ['beta', [21]]]);
  assert.equal(st.peers.length, 3);
  const beta = st.peers.find((x) => x.id === 21);
  assert.ok(beta && beta.inRate > 0 && beta.outRate > beta.inRate && beta.connectedFor === 10);
  assert.equal(server.history.all().length, 10);
  const rates = st.rates;
  assert.ok(rates && rates.bytesIn > 0 && rates.peers === 3);
  // The history's rates integrate back to the totals the core reports.
  const sum = server.history.all().reduce((a, x) => a + x.bytesIn, 0);
  assert.ok(Math.abs(sum - st.totals.bytesIn) <= 10, `${sum} vs ${st.totals.bytesIn}`);

  const text = server.metrics.expose();
  assert.equal(metric(text, 'gdwire_peers{state="connected"}'), 3);
  assert.equal(metric(text, 'gdwire_rooms'), 2);
  assert.equal(metric(text, 'gdwire_relay_core_up'), 1);
  assert.equal(metric(text, 'gdwire_bytes_total{direction="in"}'), st.totals.bytesIn);
  assert.equal(metric(text, 'gdwire_packets_total{direction="out"}'), st.totals.packetsOut);
  assert.equal(metric(text, 'gdwire_relay_drops_total{reason="other-room"}'), 3);
  assert.equal(metric(text, 'gdwire_relay_drops_total{reason="unknown-target"}'), 0);
  assert.equal(metric(text, 'gdwire_peer_connects_total'), 3);
  assert.equal(metric(text, 'gdwire_uptime_seconds'), 10);
  // 3 peers × 10 samples (the first sample, at start, had no peers yet).
  assert.equal(metric(text, 'gdwire_peer_rtt_seconds_count'), 30);
  assert.equal(metric(text, 'gdwire_peer_rtt_seconds_bucket{le="0.02"}'), 10);
  assert.equal(metric(text, 'gdwire_peer_rtt_seconds_bucket{le="0.05"}'), 20);
  assert.equal(metric(text, 'gdwire_peer_rtt_seconds_bucket{le="0.2"}'), 20);
  assert.equal(metric(text, 'gdwire_peer_rtt_seconds_bucket{le="0.3"}'), 30);
  assert.match(text, /^gdwire_info\{version="9\.9\.9",godot="4\.3",core="fake"\} 1$/m);
  await server.stop('test');
});

test('a peer leaving keeps its traffic in the counters; rooms close; events are logged', async () => {
  const { p, core, server } = setup();
  await server.start();
  core.addPeer({ id: 5, room: 'r1' });
  p.clock.advance(3000);
  const before = server.state().totals.bytesIn;
  core.removePeer(5, 'timeout');
  p.clock.advance(1000);
  const st = server.state();
  assert.equal(st.peers.length, 0);
  assert.equal(st.rooms.length, 0);
  assert.ok(st.totals.bytesIn >= before);
  assert.equal(metric(server.metrics.expose(), 'gdwire_peer_disconnects_total'), 1);
  const msgs = p.logger.at('info').map((e) => e.message);
  for (const m of ['relay server started', 'room opened', 'peer connected', 'peer disconnected', 'room closed']) {
    assert.ok(msgs.includes(m), m);
  }
  assert.deepEqual(p.logger.at('info').find((e) => e.message === 'peer disconnected')?.fields, { peer: 5, reason: 'timeout' });
  await server.stop('test');
  assert.equal(core.listenerCount(), 0);
});

test('/healthz: 200 while relaying, 503 while stopping and without a core', async () => {
  const { core, server } = setup({ stopBehaviour: 'hang' });
  assert.equal(server.request('GET', '/healthz').kind === 'response' && server.health().healthy, false);
  await server.start();
  const ok = server.request('GET', '/healthz');
  assert.ok(ok.kind === 'response' && ok.status === 200);
  assert.equal(JSON.parse(ok.kind === 'response' ? ok.body : '{}').status, 'ok');
  void server.stop('SIGTERM');
  const stopping = server.request('GET', '/healthz');
  assert.ok(stopping.kind === 'response' && stopping.status === 503);
  assert.equal(JSON.parse(stopping.body).status, 'stopping');
  core.finishStop();

  const p2 = createTestPlatform();
  const config = resolveConfig({ 'http-port': 'off' }, {}).config;
  const none = new RelayServer({ config, core: new UnavailableCore(NO_CORE_DETAIL), platform: p2, logger: p2.logger, http: false });
  await none.start();
  const h = none.request('GET', '/healthz');
  assert.ok(h.kind === 'response' && h.status === 503);
  assert.deepEqual(JSON.parse(h.body), { status: 'unavailable', core: 'unavailable', detail: NO_CORE_DETAIL, uptime: 0 });
  assert.equal(none.state().core.detail, NO_CORE_DETAIL);
  assert.ok(p2.logger.at('warn').some((e) => e.message.includes('relay core not running')));
  assert.equal(metric(none.metrics.expose(), 'gdwire_relay_core_up'), 0);
  const r = await none.stop('test');
  assert.equal(r.graceful, true);
});

test('graceful stop: the core is stopped (not closed) and the shell reports graceful', async () => {
  const { p, core, server } = setup({ stopDelayMs: 1200 }, { 'shutdown-timeout': '5000' });
  await server.start();
  core.addPeer({ id: 2, room: 'a' });
  const stopping = server.stop('SIGTERM');
  assert.equal(server.stop('again'), stopping, 'stop() twice gives the same promise');
  p.clock.advance(1200);
  await settle();
  const r = await stopping;
  assert.deepEqual(r, { graceful: true, durationMs: 1200 });
  assert.deepEqual(core.calls, ['start', 'stop:SIGTERM']);
  assert.equal(server.shellStatus(), 'stopped');
  assert.equal(p.timers.pendingTimers(), 0, 'no timer left behind');
  assert.ok(p.logger.at('info').some((e) => e.message === 'stopped' && e.fields?.['graceful'] === true));
});

test('a core that never finishes is closed hard exactly at the deadline', async () => {
  const { p, core, server } = setup({ stopBehaviour: 'hang' }, { 'shutdown-timeout': '3000' });
  await server.start();
  core.addPeer({ id: 2, room: 'a' });
  let done = false;
  const stopping = server.stop('SIGINT').then((r) => { done = true; return r; });
  p.clock.advance(2999);
  await settle();
  assert.equal(done, false);
  assert.deepEqual(core.calls, ['start', 'stop:SIGINT']);
  p.clock.advance(1);
  await settle();
  const r = await stopping;
  assert.deepEqual(r, { graceful: false, durationMs: 3000 });
  assert.deepEqual(core.calls, ['start', 'stop:SIGINT', 'close']);
  assert.ok(p.logger.at('warn').some((e) => e.message.includes('deadline (3000 ms)')));
  assert.equal(p.timers.pendingTimers(), 0);
});

test('closeNow() during a stop closes at once; a failing stop() closes too', async () => {
  const a = setup({ stopBehaviour: 'hang' });
  await a.server.start();
  void a.server.stop('SIGTERM');
  const r = await a.server.closeNow('SIGTERM');
  assert.equal(r.graceful, false);
  assert.equal(r.durationMs, 0);
  assert.deepEqual(a.core.calls, ['start', 'stop:SIGTERM', 'close']);

  const b = setup({ stopBehaviour: 'fail' });
  await b.server.start();
  const rb = await b.server.stop('SIGTERM');
  assert.equal(rb.graceful, false);
  assert.deepEqual(b.core.calls, ['start', 'stop:SIGTERM', 'close']);
  assert.ok(b.p.logger.at('warn').some((e) => e.message.includes('core.stop() failed')));
});

test('a core that cannot start makes start() reject and leaves nothing running', async () => {
  const { p, core, server } = setup({ startError: 'bind EADDRINUSE 0.0.0.0:4242' });
  await assert.rejects(server.start(), /EADDRINUSE/);
  assert.equal(server.shellStatus(), 'stopped');
  assert.equal(p.timers.pendingTimers(), 0);
  assert.equal(core.listenerCount(), 0);
  assert.ok(p.logger.at('error').some((e) => e.message === 'relay core failed to start'));
});

test('the history keeps only the window (5 minutes at 1 s = 300 points) and the full state carries it', async () => {
  const { p, core, server } = setup();
  await server.start();
  core.addPeer({ id: 3, room: 'x' });
  p.clock.advance(400_000);
  assert.equal(server.history.all().length, 300);
  const full = server.state(true);
  assert.equal(full.history?.length, 300);
  assert.equal(server.state().history, undefined);
  const pts = server.history.all();
  assert.equal(pts[pts.length - 1]!.t - pts[0]!.t, 299_000);
  const api = server.request('GET', '/api/state');
  assert.ok(api.kind === 'response' && api.status === 200);
  assert.equal((JSON.parse(api.body) as { history: unknown[] }).history.length, 300);
  await server.stop('test');
});

test('drop reasons the core declares are exposed as 0 before the first drop', async () => {
  const { core, server, p } = setup({ dropReasons: ['room-full', 'server-full'] });
  await server.start();
  let text = server.metrics.expose();
  assert.equal(metric(text, 'gdwire_relay_drops_total{reason="room-full"}'), 0);
  assert.equal(metric(text, 'gdwire_relay_drops_total{reason="server-full"}'), 0);
  assert.doesNotMatch(text, /reason="unknown-target"/);
  core.drop('room-full', 9, 2);
  core.drop('something-new', 9);
  p.clock.advance(1000);
  text = server.metrics.expose();
  assert.equal(metric(text, 'gdwire_relay_drops_total{reason="room-full"}'), 2);
  assert.equal(metric(text, 'gdwire_relay_drops_total{reason="something-new"}'), 1);
  await server.stop('test');
});
