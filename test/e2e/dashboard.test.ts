/**
 * The live dashboard in a real headless browser (Debian's Chromium driven by playwright-core;
 * no browser download): a relay server with the fake core holding clients in two rooms, the
 * page shows the rooms and peers (RTT, loss), follows joins and leaves, its traffic chart
 * grows, and it says so honestly when there is no relay core or the server stopped.
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
import { FakeRelayCore } from '../../src/server/testing/fake-relay-core.js';
import { UnavailableCore } from '../../src/server/unavailable-core.js';
import { repoRoot } from '../helpers/paths.js';

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
declare const document: { getElementById(id: string): { getAttribute(name: string): string | null; textContent: string | null } | null };

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

test('dashboard: rooms, peers, live changes and a moving traffic chart in Chromium', { timeout: 120_000 }, async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  const platform = nodePlatform();
  const core = new FakeRelayCore({ clock: platform.clock, timers: platform.timers, roomSize: 8, listen: { address: '0.0.0.0', port: 4242 } });
  const server = await startServer(core);
  try {
    core.addPeer({ id: 1_804_289_383, room: 'alpha', address: '127.0.0.11', port: 51000, rttMs: 12, rate: 4000 });
    core.addPeer({ id: 846_930_886, room: 'alpha', address: '127.0.0.12', port: 51001, rttMs: 48, loss: 0.013, rate: 2500 });
    core.addPeer({ id: 1_681_692_777, room: 'alpha', address: '::1', port: 51002, rttMs: 95, rate: 1500 });
    core.addPeer({ id: 1_714_636_915, room: 'beta', address: '127.0.0.21', port: 52000, rttMs: 23, rate: 6000 });
    core.addPeer({ id: 1_957_747_793, room: 'beta', address: '127.0.0.22', port: 52001, rttMs: 160, loss: 0.05, rate: 3000 });
    core.drop('other-room', 1_957_747_793, 4);
    core.drop('unknown-target', 846_930_886, 1);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(server.httpAddress()?.url ?? '', { timeout: 30_000 });

    await page.waitForSelector('[data-room="alpha"] [data-peer="1804289383"]', { timeout: 15_000 });
    await page.waitForSelector('[data-room="beta"] [data-peer="1957747793"]', { timeout: 15_000 });
    const alpha = (await page.textContent('[data-room="alpha"]')) ?? '';
    assert.match(alpha, /Room alpha/);
    assert.match(alpha, /3 \/ 8 peers/);
    assert.match(alpha, /127\.0\.0\.12:51001/);
    assert.match(alpha, /48 ms/);
    assert.match(alpha, /1\.3 %/);
    assert.match(alpha, /\[::1\]:51002/);
    const beta = (await page.textContent('[data-room="beta"]')) ?? '';
    assert.match(beta, /2 \/ 8 peers/);
    assert.match(beta, /160 ms/);
    assert.doesNotMatch(beta, /127\.0\.0\.11/, 'peers are shown in their own room only');
    assert.equal(await page.textContent('#status'), 'relaying');
    assert.equal(await page.isVisible('#banner'), false);
    assert.equal(await page.textContent('#t-peers'), '5 / 64');
    assert.equal(await page.textContent('#t-rooms'), '2 / 8');
    assert.match((await page.textContent('#drops')) ?? '', /other-room.*4/);

    // The chart grows and moves as samples arrive.
    const before = Number(await page.getAttribute('#line-in', 'data-count'));
    const beforePoints = await page.getAttribute('#line-in', 'points');
    await page.waitForFunction((n) => Number(document.getElementById('line-in')?.getAttribute('data-count')) >= n + 5, before, { timeout: 15_000 });
    assert.notEqual(await page.getAttribute('#line-in', 'points'), beforePoints);
    assert.ok(Number(await page.getAttribute('#line-out', 'data-count')) >= before + 5);

    // Joins and leaves show up live.
    core.addPeer({ id: 424_238_335, room: 'gamma', rttMs: 31 });
    core.removePeer(846_930_886, 'timeout');
    await page.waitForSelector('[data-room="gamma"] [data-peer="424238335"]', { timeout: 15_000 });
    await page.waitForSelector('[data-peer="846930886"]', { state: 'detached', timeout: 15_000 });
    assert.equal(await page.textContent('#t-rooms'), '3 / 8');

    // Let the chart fill part of its window for the screenshot.
    await page.waitForFunction(() => Number(document.getElementById('line-in')?.getAttribute('data-count')) >= 60, undefined, { timeout: 30_000 });
    const inRate = await page.textContent('#t-in');
    assert.match(inRate ?? '', /[1-9][\d.]* (B|kB)\/s/);
    mkdirSync(OUT, { recursive: true });
    const shot = join(OUT, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 10_000, 'screenshot written');
    t.diagnostic(`screenshot: ${shot}`);

    // Shutdown reaches the page.
    await server.stop('SIGTERM');
    await page.waitForFunction(() => document.getElementById('link')?.textContent === 'server stopped', undefined, { timeout: 15_000 });
    assert.equal(await page.textContent('#status'), 'stopped');
    assert.deepEqual(errors, []);
  } finally {
    await server.stop('test');
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
