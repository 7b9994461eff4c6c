/**
 * `gdwire serve` configuration: precedence flag > environment > default, validation by
 * option, and a --help that documents every option with its variable and default.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { serveConfig, serveHelp } from '../../src/cli/serve.js';
import { CliError } from '../../src/cli/cli-error.js';
import {
  CONFIG_KEYS, ConfigError, parseGodotMode, resolveConfig, SERVE_OPTIONS,
} from '../../src/server/config.js';
import { repoRoot } from '../helpers/paths.js';

const MAIN = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

test('defaults: port 4242, Godot 4, HTTP 8080 on loopback, info text logs', () => {
  const { config, sources } = resolveConfig({}, {});
  assert.equal(config.port, 4242);
  assert.equal(config.bind, '*');
  assert.deepEqual(config.godot, { major: 4, version: '4.3' });
  assert.equal(config.maxClients, 32);
  assert.equal(config.httpPort, 8080);
  assert.equal(config.httpBind, '127.0.0.1');
  assert.equal(config.compression, 'none');
  assert.equal(config.dtlsCert, null);
  assert.equal(config.logLevel, 'info');
  assert.equal(config.logFormat, 'text');
  assert.equal(config.shutdownTimeoutMs, 5000);
  assert.ok(CONFIG_KEYS.every((k) => sources[k] === 'default'));
});

test('a flag wins over its environment variable, which wins over the default', () => {
  const env = { GDWIRE_PORT: '5000', GDWIRE_MAX_CLIENTS: '64', GDWIRE_LOG_FORMAT: 'json', GDWIRE_GODOT: '3' };
  const { config, sources } = resolveConfig({ port: '6000', godot: '4.2' }, env);
  assert.equal(config.port, 6000);
  assert.equal(sources.port, 'flag');
  assert.equal(config.maxClients, 64);
  assert.equal(sources.maxClients, 'env');
  assert.equal(config.logFormat, 'json');
  assert.deepEqual(config.godot, { major: 4, version: '4.2' });
  assert.equal(sources.godot, 'flag');
  assert.equal(config.roomSize, 8);
  assert.equal(sources.roomSize, 'default');
  // An empty variable counts as unset.
  assert.equal(resolveConfig({}, { GDWIRE_PORT: '' }).config.port, 4242);
});

test('every option has a distinct flag and GDWIRE_ variable, and parses its own default text', () => {
  const flags = new Set<string>();
  const envs = new Set<string>();
  for (const key of CONFIG_KEYS) {
    const spec = SERVE_OPTIONS[key];
    assert.ok(!flags.has(spec.flag) && !envs.has(spec.env), key);
    flags.add(spec.flag);
    envs.add(spec.env);
    assert.match(spec.env, /^GDWIRE_[A-Z_]+$/);
    if (key === 'dtlsCert' || key === 'dtlsKey') continue; // default "none" = not set
    const viaEnv = resolveConfig({}, { [spec.env]: String(spec.defaultText.split(' ')[0]) });
    assert.deepEqual(viaEnv.config[key], spec.defaultValue, key);
    assert.equal(viaEnv.sources[key], 'env', key);
  }
});

test('bad values are refused, naming the flag or the variable', () => {
  const bad: Array<[Record<string, string>, Record<string, string>, string]> = [
    [{ port: '70000' }, {}, 'port'],
    [{ port: '12ab' }, {}, 'port'],
    [{}, { GDWIRE_PORT: '-1' }, 'port'],
    [{ port: '1.5' }, {}, 'port'],
    [{ 'max-clients': '0' }, {}, 'max-clients'],
    [{ 'max-clients': '4096' }, {}, 'max-clients'],
    [{ godot: '5' }, {}, 'godot'],
    [{ compression: 'lz4' }, {}, 'compression'],
    [{ 'log-level': 'trace' }, {}, 'log-level'],
    [{ 'http-port': 'eighty' }, {}, 'http-port'],
    [{ 'dtls-cert': 'cert.pem' }, {}, 'dtls-key'],
    [{}, { GDWIRE_DTLS_KEY: 'key.pem' }, 'dtls-cert'],
    [{ 'room-size': '40', 'max-clients': '32' }, {}, 'room-size'],
  ];
  for (const [flags, env, option] of bad) {
    assert.throws(() => resolveConfig(flags, env), (e: unknown) => e instanceof ConfigError && e.option === option,
      JSON.stringify([flags, env]));
  }
  const fromEnv = (() => { try { resolveConfig({}, { GDWIRE_PORT: 'x' }); } catch (e) { return e; } return null; })();
  assert.ok(fromEnv instanceof ConfigError && fromEnv.source === 'env' && fromEnv.message.includes('GDWIRE_PORT'));
});

test('--godot modes, --http-port off, bandwidth and compression names', () => {
  assert.deepEqual(parseGodotMode('3'), { major: 3, version: '3.2' });
  assert.deepEqual(parseGodotMode('3.2'), { major: 3, version: '3.2' });
  assert.deepEqual(parseGodotMode('4'), { major: 4, version: '4.3' });
  assert.deepEqual(parseGodotMode('4.2.2'), { major: 4, version: '4.2.2' });
  const { config } = resolveConfig(
    { 'http-port': 'off', 'in-bandwidth': '131072', compression: 'range-coder', 'dtls-cert': 'c.pem', 'dtls-key': 'k.pem' }, {});
  assert.equal(config.httpPort, null);
  assert.equal(config.inBandwidth, 131072);
  assert.equal(config.compression, 'range-coder');
  assert.equal(config.dtlsCert, 'c.pem');
  assert.equal(resolveConfig({ 'http-port': '0' }, {}).config.httpPort, 0);
});

test('serveConfig: unknown flags and stray arguments are usage errors (CliError or parseArgs)', () => {
  assert.equal(serveConfig(['--help'], {}), 'help');
  assert.throws(() => serveConfig(['--max-client', '3'], {}), (e: unknown) => String((e as { code?: string }).code).startsWith('ERR_PARSE_ARGS'));
  assert.throws(() => serveConfig(['extra'], {}), CliError);
  assert.throws(() => serveConfig(['--port', 'x'], {}), CliError);
  const c = serveConfig(['--port', '7000'], { GDWIRE_PORT: '7001', GDWIRE_ROOM_SIZE: '4' });
  assert.ok(c !== 'help' && c.port === 7000 && c.roomSize === 4);
});

test('serve --help documents every option: flag, value, variable and default', () => {
  const help = serveHelp();
  for (const key of CONFIG_KEYS) {
    const spec = SERVE_OPTIONS[key];
    assert.ok(help.includes(`--${spec.flag} ${spec.arg}`), spec.flag);
    assert.ok(help.includes(`env ${spec.env}, default ${spec.defaultText}`), spec.env);
  }
  for (const word of ['/metrics', '/healthz', 'SIGTERM', 'dashboard']) assert.ok(help.includes(word), word);
  assert.ok(help.split('\n').every((l) => l.length <= 100), 'lines fit 100 columns');
});

test('gdwire serve --help runs as a process and exits 0; a bad flag exits 2', () => {
  const ok = spawnSync(process.execPath, [MAIN, 'serve', '--help'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout, serveHelp());
  const bad = spawnSync(process.execPath, [MAIN, 'serve', '--port', 'nope'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--port/);
  const main = spawnSync(process.execPath, [MAIN, '--help'], { encoding: 'utf8', timeout: 20_000 });
  assert.match(main.stdout, /^ {2}serve /m);
});
