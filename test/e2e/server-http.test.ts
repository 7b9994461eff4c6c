/**
 * The relay server's HTTP side on real loopback sockets: /metrics, /healthz, /api/state, the
 * Server-Sent Events stream (state pushes, `bye` on shutdown), a busy port, and `gdwire serve`
 * as a process (JSON logs, 503 without a relay core, SIGTERM → exit 0). Bounded in time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { MemoryLogger } from '../../src/platform/memory-logger.js';
import { nodePlatform } from '../../src/platform/node-platform.js';
import { resolveConfig } from '../../src/server/config.js';
import { RelayServer } from '../../src/server/relay-server.js';
import { FakeRelayCore } from '../../src/server/testing/fake-relay-core.js';
import { repoRoot } from '../helpers/paths.js';

const MAIN = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

function makeServer(flags: Record<string, string> = {}): { server: RelayServer; core: FakeRelayCore; logger: MemoryLogger } {
  const logger = new MemoryLogger('debug');
  const platform = nodePlatform({ logger });
  const config = resolveConfig({ 'http-port': '0', ...flags }, {}).config;
  const core = new FakeRelayCore({ clock: platform.clock, timers: platform.timers });
  const server = new RelayServer({ config, core, platform, logger, version: '1.2.3', sampleIntervalMs: 100 });
  return { server, core, logger };
}

/** Reads SSE events from a fetch body until `until` says stop or the stream ends. */
async function readEvents(body: ReadableStream<Uint8Array>, until: (events: Array<{ event: string; data: unknown }>) => boolean): Promise<Array<{ event: string; data: unknown }>> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const events: Array<{ event: string; data: unknown }> = [];
  let buf = '';
  for (let i = 0; i < 1000; i++) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      const ev = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (ev && data !== undefined) events.push({ event: ev, data: JSON.parse(data) });
    }
    if (until(events)) {
      await reader.cancel();
      break;
    }
  }
  return events;
}

test('HTTP endpoints and the SSE stream of a running server', { timeout: 30_000 }, async () => {
  const { server, core } = makeServer();
  await server.start();
  try {
    core.addPeer({ id: 7, room: 'alpha', rttMs: 33 });
    const base = server.httpAddress()?.url;
    assert.ok(base && /^http:\/\/127\.0\.0\.1:\d+\/$/.test(base));
    const signal = AbortSignal.timeout(10_000);

    const health = await fetch(`${base}healthz`, { signal });
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');

    const metrics = await fetch(`${base}metrics`, { signal });
    assert.equal(metrics.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const text = await metrics.text();
    assert.match(text, /^# TYPE gdwire_peer_rtt_seconds histogram$/m);
    assert.match(text, /^gdwire_relay_core_up 1$/m);

    const page = await fetch(base, { signal });
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.match(await page.text(), /<title>gdwire relay<\/title>/);

    const events = await fetch(`${base}api/events`, { signal });
    assert.equal(events.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.ok(events.body);
    const got = await readEvents(events.body, (evs) => evs.filter((e) => e.event === 'state').length >= 3);
    const first = got[0]?.data as { history?: unknown[]; peers: Array<{ id: number }> };
    assert.ok(Array.isArray(first.history), 'the first event carries the history');
    const last = got[got.length - 1]?.data as { history?: unknown; peers: Array<{ id: number; rttMs: number }> };
    assert.equal(last.history, undefined, 'later events carry only the latest point');
    assert.deepEqual(last.peers.map((p) => [p.id, p.rttMs]), [[7, 33]]);

    assert.equal((await fetch(`${base}metrics`, { method: 'POST', signal })).status, 405);
  } finally {
    await server.stop('test');
  }
});

test('shutdown sends `bye` to dashboards and closes the port', { timeout: 30_000 }, async () => {
  const { server } = makeServer();
  await server.start();
  const base = server.httpAddress()?.url ?? '';
  const res = await fetch(`${base}api/events`, { signal: AbortSignal.timeout(10_000) });
  assert.ok(res.body);
  const reading = readEvents(res.body, () => false); // to the end of the stream
  const stopped = await server.stop('SIGTERM');
  assert.equal(stopped.graceful, true);
  const events = await reading;
  assert.deepEqual(events[events.length - 1], { event: 'bye', data: { reason: 'SIGTERM', graceful: true } });
  await assert.rejects(fetch(`${base}healthz`, { signal: AbortSignal.timeout(5000) }));
});

test('a busy HTTP port makes start() reject with EADDRINUSE', { timeout: 30_000 }, async () => {
  const a = makeServer();
  await a.server.start();
  try {
    const port = a.server.httpAddress()?.port ?? 0;
    const b = makeServer({ 'http-port': String(port) });
    await assert.rejects(b.server.start(), (e: unknown) => (e as { code?: string }).code === 'EADDRINUSE');
    assert.deepEqual(b.core.calls, [], 'the core is not started when HTTP cannot listen');
    assert.ok(b.logger.at('error').some((e) => e.message === 'cannot start the HTTP server'));
  } finally {
    await a.server.stop('test');
  }
});

test('gdwire serve as a process: JSON logs, dashboard up, honest /healthz, SIGTERM exits 0', { timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--http-port', '0', '--log-format', 'json'], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GDWIRE_HTTP_BIND: '127.0.0.1' },
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
  let stderr = '';
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        const m = /"msg":"relay server started".*?"http":"(http:[^"]+)"/.exec(stderr);
        if (m?.[1]) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`serve exited early (${code}): ${stderr}`)));
    });
    const state = (await (await fetch(`${url}api/state`, { signal: AbortSignal.timeout(10_000) })).json()) as { core: { name: string } };
    const health = await fetch(`${url}healthz`, { signal: AbortSignal.timeout(10_000) });
    const body = (await health.json()) as { status: string; detail?: string };
    if (state.core.name === 'none') {
      // No src/server/relay-core.ts in this build: HTTP only, and /healthz says why.
      assert.equal(health.status, 503);
      assert.equal(body.status, 'unavailable');
      assert.match(body.detail ?? '', /relay core not available/);
    } else {
      assert.equal(health.status, 200, JSON.stringify(body));
      assert.equal(body.status, 'ok');
    }
    const page = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    assert.equal(page.status, 200);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    const lines = stderr.trim().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string; time: string });
    assert.ok(lines.every((l) => typeof l.time === 'string' && typeof l.level === 'string'), 'every line is a JSON object');
    const msgs = lines.map((l) => l.msg);
    for (const m of ['configuration', 'relay server started', 'shutting down', 'stopped']) assert.ok(msgs.includes(m), m);
  } finally {
    clearTimeout(killer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
