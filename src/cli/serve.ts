/**
 * `gdwire serve`: the dedicated relay server Godot games join, with a live dashboard,
 * Prometheus /metrics and /healthz. Thin: options → {@link ServerConfig}, a logger, the relay
 * core (or an honest "not available" one), a {@link RelayServer}, and the signals.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { nodePlatform, NodeLogger } from '../platform/node-platform.js';
import {
  CONFIG_KEYS, ConfigError, describeConfig, resolveConfig, SERVE_OPTIONS, type Environment, type ServerConfig,
} from '../server/config.js';
import { loadRelayCore } from '../server/core-loader.js';
import type { RelayCore } from '../server/core.js';
import { DtlsCredentialsError, loadDtlsServerOptions } from '../server/relay/dtls-credentials.js';
import { RelayServer } from '../server/relay-server.js';
import { CliError } from './cli-error.js';

const GROUPS = [
  ['relay', 'Relay (ENet over UDP, what Godot clients connect to):'],
  ['http', 'HTTP (dashboard, metrics, health):'],
  ['logging', 'Logging:'],
  ['lifecycle', 'Shutdown:'],
] as const;

const HELP_WIDTH = 96;
const HELP_INDENT = 28;

/** Splits `text` into lines of at most `width` characters, at spaces. */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') out.push(line);
  return out;
}

/** The text of `gdwire serve --help`, built from the option table so it lists every option. */
export function serveHelp(): string {
  const lines = [
    'gdwire serve — dedicated relay server for Godot games (ENet), with a live dashboard,',
    'Prometheus metrics and a health check',
    '',
    'Usage: gdwire serve [options]',
    '',
    'Every option can also be set by its environment variable; a flag wins over the',
    'variable, the variable over the default.',
  ];
  for (const [group, title] of GROUPS) {
    lines.push('', title);
    for (const key of CONFIG_KEYS) {
      const spec = SERVE_OPTIONS[key];
      if (spec.group !== group) continue;
      const text = [...wrap(spec.help, HELP_WIDTH - HELP_INDENT), `env ${spec.env}, default ${spec.defaultText}`];
      text.forEach((t, i) => lines.push((i === 0 ? `  --${spec.flag} ${spec.arg}`.padEnd(HELP_INDENT) : ' '.repeat(HELP_INDENT)) + t));
    }
  }
  lines.push(
    '  -h, --help                This text.',
    '',
    'HTTP endpoints (on --http-bind:--http-port):',
    '  GET /            live dashboard: rooms, peers (RTT, loss, throughput), traffic chart',
    '  GET /metrics     Prometheus text format 0.0.4 (peers, rooms, packets/bytes in/out,',
    '                   relay drops by reason, RTT histogram)',
    '  GET /healthz     200 {"status":"ok"} while relaying; 503 with the reason otherwise',
    '  GET /api/state   the dashboard data as JSON; GET /api/events: Server-Sent Events',
    '',
    'DTLS: with --dtls-cert and --dtls-key every ENet datagram is encrypted (DTLS 1.2, Godot\'s',
    'DTLS over ENet); clients without DTLS cannot join. The client side, Godot 4: after',
    'create_client, peer.host.dtls_client_setup(host, TLSOptions.client(trusted_cert)); Godot 3.x:',
    'before create_client, peer.use_dtls = true (+ set_dtls_certificate, dtls_verify). The files',
    'are checked at start: readable, PEM, and the key must match the certificate.',
    '',
    'Signals: SIGINT or SIGTERM stops gracefully (peers are told, traffic flushed) within',
    '--shutdown-timeout, then closes hard; a second signal closes at once. Exit code 0 after',
    'a graceful stop, 1 after a hard one or a failed start, 2 for a usage error.',
    '',
    'Examples:',
    '  gdwire serve',
    '  gdwire serve --port 7777 --godot 3 --max-clients 64 --room-size 4 --log-format json',
    '  GDWIRE_HTTP_PORT=9100 GDWIRE_HTTP_BIND=0.0.0.0 gdwire serve --godot 4.2',
    '  gdwire serve --dtls-cert server.crt --dtls-key server.key',
    '',
  );
  return lines.join('\n');
}

function parseServeArgs(argv: string[]): { help: boolean; flags: Record<string, string | undefined> } {
  const options: Record<string, { type: 'string' } | { type: 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const key of CONFIG_KEYS) options[SERVE_OPTIONS[key].flag] = { type: 'string' };
  const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  if (positionals.length > 0) throw new CliError(`serve takes no arguments (got "${positionals.join(' ')}"; try: gdwire serve --help)`);
  const flags: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(values)) if (typeof v === 'string') flags[k] = v;
  return { help: values['help'] === true, flags };
}

/** The config from argv and the environment, as a usage error when invalid. */
export function serveConfig(argv: string[], env: Environment): ServerConfig | 'help' {
  const { help, flags } = parseServeArgs(argv);
  if (help) return 'help';
  try {
    return resolveConfig(flags, env).config;
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message);
    throw e;
  }
}

/**
 * Loads the DTLS certificate and key once before anything starts, so a wrong file is one
 * line on stderr: a usage error (exit 2) for the files, a failed start (1) when this build
 * has no DTLS. The relay core loads them again when it binds (it is usable without the CLI).
 */
function checkDtls(config: ServerConfig): number {
  try {
    loadDtlsServerOptions(config);
    return 0;
  } catch (e) {
    if (!(e instanceof DtlsCredentialsError)) throw e;
    if (e.kind === 'input') throw new CliError(e.message);
    process.stderr.write(`gdwire: ${e.message}\n`);
    return 1;
  }
}

export interface ServeHooks {
  /** Replaces the relay core (tests). */
  core?: RelayCore;
  /** Called once the server is up. */
  onStarted?(server: RelayServer): void;
}

export async function runServe(argv: string[], env: Environment = process.env, hooks: ServeHooks = {}): Promise<number> {
  const config = serveConfig(argv, env);
  if (config === 'help') {
    process.stdout.write(serveHelp());
    return 0;
  }
  if (checkDtls(config) !== 0) return 1;
  const logger = new NodeLogger({ level: config.logLevel, format: config.logFormat });
  const platform = nodePlatform({ logger });
  const version = packageVersion();
  logger.log('info', 'configuration', describeConfig(config));
  const core = hooks.core ?? await loadRelayCore(config, platform, logger);
  const server = new RelayServer({ config, core, platform, logger, version });
  try {
    await server.start();
  } catch {
    return 1; // logged by the server
  }
  hooks.onStarted?.(server);

  let stopListening = (): void => {};
  const result = await new Promise<{ graceful: boolean }>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++;
      if (signals === 1) {
        // Safety net beyond the shell's own deadline: never hang on exit.
        setTimeout(() => {
          logger.log('error', 'shutdown did not finish, exiting', { signal });
          process.exit(1);
        }, config.shutdownTimeoutMs + 3000).unref();
        void server.stop(signal).then(resolve);
      } else {
        logger.log('warn', 'second signal: closing now', { signal });
        void server.closeNow(signal).then(resolve);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    stopListening = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
  });
  stopListening();
  return result.graceful ? 0 : 1;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
