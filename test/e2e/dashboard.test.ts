/**
 * The live dashboard in a real headless browser (Debian's Chromium driven by playwright-core;
 * no browser download): a real `gdwire serve` process with live gdwire clients (Godot 4
 * protocol) in two rooms — the page shows the rooms and peers with the server's RTT, follows
 * a join and a leave, its traffic chart moves with the clients' traffic, and it says so
 * honestly when the server stops, or when there is no relay core.
 * Screenshots go to test-output/ (gitignored). Skips visibly when Chromium or playwright-core
 * is missing; FAILS then when GDWIRE_REQUIRE_INTEROP=1 (CI).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryLogger } from '../../src/platform/memory-logger.js';
import { nodePlatform } from '../../src/platform/node-platform.js';
import { resolveConfig } from '../../src/server/config.js';
import { NO_CORE_DETAIL } from '../../src/server/core-loader.js';
import type { RelayCore } from '../../src/server/core.js';
import { RelayServer } from '../../src/server/relay-server.js';
import { SceneClient } from '../../src/server/relay/testing/scene-client.js';
import { UnavailableCore } from '../../src/server/unavailable-core.js';
import { Error as GdError } from '../../src/core/error.js';
import { waitFor } from '../helpers/networked-interop.js';
import { repoRoot } from '../helpers/paths.js';
import { ServeProcess } from '../helpers/serve.js';

const CHROMIUM = process.env['GDWIRE_CHROMIUM'] ?? '/usr/bin/chromium';
const OUT = join(repoRoot, 'test-output');
/** Flags that work on this kind of machine (closed network; see the env notes): no background traffic. */
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

// The small part of playwright-core's API used here (typed locally so this file compiles and
// skips cleanly where the package is absent).
interface Page {
  goto(url: string, options?: { timeout?: number }): Promise<unknown>;
  waitForSelector(selector: string, options?: { timeout?: number; state?: 'attached' | 'detached' | 'visible' | 'hidden' }): Promise<unknown>;
  waitForFunction<A>(fn: (arg: A) => boolean, arg: A, options?: { timeout?: number; polling?: number }): Promise<unknown>;
  evaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R>;
  textContent(selector: string): Promise<string | null>;
  getAttribute(selector: string, name: string): Promise<string | null>;
  isVisible(selector: string): Promise<boolean>;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  on(event: 'console', fn: (msg: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', fn: (err: Error) => void): void;
}
interface Browser {
  newPage(options?: { viewport?: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}
interface Playwright {
  chromium: { launch(options: { executablePath: string; headless: boolean; args: string[]; timeout: number }): Promise<Browser> };
}

/** The page's DOM as seen by the functions run inside the browser (no DOM lib in this build). */
declare const document: {
  getElementById(id: string): { getAttribute(name: string): string | null; textContent: string | null } | null;
  querySelector(selector: string): { textContent: string | null } | null;
};

async function loadPlaywright(): Promise<Playwright | null> {
  const name = 'playwright-core';
  try {
    return (await import(name)) as Playwright;
  } catch {
    return null;
  }
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The browser, or null after skipping (or failing, when interop is required). */
async function launch(t: TestContext): Promise<Browser | null> {
  const pw = await loadPlaywright();
  const why = !executable(CHROMIUM) ? `Chromium not found at ${CHROMIUM} (apt-get install chromium)`
    : pw === null ? 'playwright-core is not installed (npm install)' : null;
  if (why !== null || pw === null) {
    if (process.env['GDWIRE_REQUIRE_INTEROP'] === '1') assert.fail(`${why}; GDWIRE_REQUIRE_INTEROP=1 makes that a failure`);
    t.skip(why ?? 'unavailable');
    return null;
  }
  return pw.chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

async function startServer(core: RelayCore): Promise<RelayServer> {
  const logger = new MemoryLogger('info');
  const platform = nodePlatform({ logger });
  const config = resolveConfig({ 'http-port': '0', 'max-clients': '64', 'max-rooms': '8', 'room-size': '8' }, {}).config;
  const server = new RelayServer({
    config, core, platform, logger, version: '0.1.0', sampleIntervalMs: 100, historyWindowMs: 12_000,
  });
  await server.start();
  return server;
}

/** Collects console errors and page errors (a CSP violation is a console error). */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

test('dashboard of a real `gdwire serve` session: live clients in two rooms, peers with RTT, joins and leaves, a moving chart', { timeout: 120_000 }, async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  const platform = nodePlatform({ logger: new MemoryLogger('warn') });
  const clients: SceneClient[] = [];
  let serve: ServeProcess | null = null;
  let traffic: NodeJS.Timeout | null = null;
  const show = (): string => [...clients.map((c) => `${c.name} ${c.id}: ${JSON.stringify(c.log)}`), serve?.describe() ?? ''].join('\n');
  const joinRoom = async (name: string, room: string): Promise<SceneClient> => {
    const c = new SceneClient({ platform, name, auth: { room } });
    clients.push(c);
    assert.equal(await c.connect('127.0.0.1', serve?.udpPort ?? 0), GdError.OK);
    return c;
  };
  try {
    serve = await ServeProcess.start(['--max-clients', '64', '--max-rooms', '8', '--room-size', '8']);
    const alpha = [await joinRoom('a1', 'alpha'), await joinRoom('a2', 'alpha'), await joinRoom('a3', 'alpha')];
    const beta = [await joinRoom('b1', 'beta'), await joinRoom('b2', 'beta')];
    await waitFor(() => clients.every((c) => c.connected) && alpha.every((c) => c.peers.size === 2) && beta.every((c) => c.peers.size === 1),
      15_000, 'five clients admitted to two rooms', show);
    // Game traffic (load, not synchronisation): every client talks to its room 20 times a second.
    traffic = setInterval(() => { for (const c of clients) if (c.connected) c.sendBytes(new Uint8Array(48), 0); }, 50);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(serve.httpUrl, { timeout: 30_000 });
    for (const c of clients) await page.waitForSelector(`[data-room="${c === beta[0] || c === beta[1] ? 'beta' : 'alpha'}"] [data-peer="${c.id}"]`, { timeout: 15_000 });
    const alphaText = (await page.textContent('[data-room="alpha"]')) ?? '';
    assert.match(alphaText, /Room alpha/);
    assert.match(alphaText, /3 \/ 8 peers/);
    for (const c of alpha) assert.ok(alphaText.includes(`127.0.0.1:${c.mp.getHost()?.getLocalPort()}`), `${c.name}'s address shown\n${alphaText}`);
    const betaText = (await page.textContent('[data-room="beta"]')) ?? '';
    assert.match(betaText, /2 \/ 8 peers/);
    for (const c of alpha) assert.ok(!betaText.includes(`127.0.0.1:${c.mp.getHost()?.getLocalPort()}`), 'peers are shown in their own room only');
    assert.equal(await page.textContent('#status'), 'relaying');
    assert.equal(await page.isVisible('#banner'), false);
    assert.equal(await page.textContent('#t-peers'), '5 / 64');
    assert.equal(await page.textContent('#t-rooms'), '2 / 8');

    // RTT: each row shows the server's ENet RTT of that peer (the page and /api/state show the
    // same sample between two sampling ticks; retried a few times across a tick).
    for (const c of [alpha[0], beta[1]] as SceneClient[]) {
      let shown = '';
      let served = -1;
      for (let i = 0; i < 20 && shown !== `${served} ms`; i++) {
        const st = await serve.state();
        served = Math.round(st.peers.find((p) => p.id === c.id)?.rttMs ?? -1);
        shown = (await page.evaluate((id) => document.querySelector(`[data-peer="${id}"] td:nth-child(3)`)?.textContent ?? '', c.id)) ?? '';
      }
      assert.equal(shown, `${served} ms`, `${c.name}: RTT on the page is the server's\n${show()}`);
      assert.ok(served >= 0, show());
    }

    // The chart moves as the server samples (one point a second).
    const before = Number(await page.getAttribute('#line-in', 'data-count'));
    const beforePoints = await page.getAttribute('#line-in', 'points');
    await page.waitForFunction((n) => Number(document.getElementById('line-in')?.getAttribute('data-count')) >= n + 3, before, { timeout: 15_000 });
    assert.notEqual(await page.getAttribute('#line-in', 'points'), beforePoints);
    assert.match((await page.textContent('#t-in')) ?? '', /[1-9][\d.]* (B|kB)\/s/, 'live traffic rate');

    // A join and a leave show up live.
    const g1 = await joinRoom('g1', 'gamma');
    const gone = alpha[1] as SceneClient;
    const goneId = gone.id;
    gone.close();
    await page.waitForSelector(`[data-room="gamma"] [data-peer="${g1.id}"]`, { timeout: 15_000 });
    await page.waitForSelector(`[data-peer="${goneId}"]`, { state: 'detached', timeout: 15_000 });
    assert.equal(await page.textContent('#t-rooms'), '3 / 8');
    assert.match((await page.textContent('[data-room="alpha"]')) ?? '', /2 \/ 8 peers/);

    // A few more seconds of chart for the screenshot.
    await page.waitForFunction((n) => Number(document.getElementById('line-in')?.getAttribute('data-count')) >= n + 10, before, { timeout: 20_000 });
    mkdirSync(OUT, { recursive: true });
    const shot = join(OUT, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 10_000, 'screenshot written');
    t.diagnostic(`screenshot: ${shot}`);

    // SIGTERM reaches the page.
    assert.equal(await serve.stop(), 0, show());
    await page.waitForFunction(() => document.getElementById('link')?.textContent === 'server stopped', undefined, { timeout: 15_000 });
    assert.equal(await page.textContent('#status'), 'stopped');
    assert.deepEqual(errors, []);
  } finally {
    if (traffic) clearInterval(traffic);
    for (const c of clients) c.close();
    await serve?.dispose();
    await browser.close();
  }
});

test('dashboard without a relay core says so', { timeout: 120_000 }, async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  const server = await startServer(new UnavailableCore(NO_CORE_DETAIL));
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 640 } });
    const errors = watchErrors(page);
    await page.goto(server.httpAddress()?.url ?? '', { timeout: 30_000 });
    await page.waitForSelector('#banner', { state: 'visible', timeout: 15_000 });
    assert.equal(await page.textContent('#banner'), NO_CORE_DETAIL);
    assert.equal(await page.textContent('#status'), 'core unavailable');
    assert.match((await page.textContent('#rooms')) ?? '', /No relay core/);
    assert.match((await page.textContent('#meta')) ?? '', /UDP not listening/);
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, 'dashboard-no-core.png'), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await server.stop('test');
    await browser.close();
  }
});
