/**
 * `gdwire serve` configuration: one table ({@link SERVE_OPTIONS}) gives every option its flag,
 * environment variable, default, help text and parser, so the --help text, the precedence
 * rule (flag > environment > default) and validation cannot drift apart.
 */
import type { LogLevel } from '../platform/platform.js';

/** `--godot`: which Godot multiplayer stack the clients run. */
export interface GodotMode {
  /** 3 = Godot 3.2 NetworkedMultiplayerENet (8-byte header, server relay); 4 = ENetMultiplayerPeer + SceneMultiplayer. */
  readonly major: 3 | 4;
  /** The release the core should speak: '3.2', or '4.0' … '4.x.y' (the path-cache format changed in 4.3). */
  readonly version: string;
}

export type CompressionName = 'none' | 'range-coder' | 'fastlz' | 'zlib' | 'zstd';

/** Godot's ENetConnection.CompressionMode / NetworkedMultiplayerENet.CompressionMode numbers. */
export const COMPRESSION_MODES: Readonly<Record<CompressionName, number>> = {
  'none': 0, 'range-coder': 1, 'fastlz': 2, 'zlib': 3, 'zstd': 4,
};

export type LogFormat = 'text' | 'json';

export interface ServerConfig {
  /** UDP port of the ENet host. */
  port: number;
  /** Bind address of the ENet host ('*' = all, IPv4 and IPv6). */
  bind: string;
  godot: GodotMode;
  /** ENet peer slots (Godot's `max_clients`), 1..4095. */
  maxClients: number;
  maxRooms: number;
  /** Most peers in one room. */
  roomSize: number;
  /** ENet host bandwidth limits, bytes per second; 0 = unlimited (ENet's meaning). */
  inBandwidth: number;
  outBandwidth: number;
  compression: CompressionName;
  /** PEM certificate and key for DTLS-encrypted ENet; both or neither. */
  dtlsCert: string | null;
  dtlsKey: string | null;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** TCP port of the HTTP endpoints (0 = any free port); null = no HTTP server. */
  httpPort: number | null;
  httpBind: string;
  /** Hard deadline of a graceful shutdown, ms. */
  shutdownTimeoutMs: number;
}

/** A bad option value: `option` is the flag name without dashes, `source` where it came from. */
export class ConfigError extends Error {
  constructor(readonly option: string, readonly source: ConfigSource, message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type ConfigSource = 'flag' | 'env' | 'default';

interface Spec<T> {
  /** Flag name without the leading `--`. */
  readonly flag: string;
  readonly env: string;
  /** What the value looks like in --help, e.g. `<n>`. */
  readonly arg: string;
  readonly group: 'relay' | 'http' | 'logging' | 'lifecycle';
  readonly help: string;
  readonly defaultValue: T;
  /** The default as --help shows it. */
  readonly defaultText: string;
  /** Parses the text of a flag or variable; throws a plain Error with the reason. */
  parse(text: string): T;
}

export type OptionTable = { readonly [K in keyof ServerConfig]: Spec<ServerConfig[K]> };

// ---- parsers ---------------------------------------------------------------------------------

function integer(min: number, max: number): (s: string) => number {
  return (s) => {
    const n = /^\d+$/.test(s.trim()) ? Number(s.trim()) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new Error(`expected an integer ${min}..${max}, got "${s}"`);
    return n;
  };
}

function oneOf<T extends string>(values: readonly T[]): (s: string) => T {
  return (s) => {
    if (!(values as readonly string[]).includes(s)) throw new Error(`expected one of ${values.join(', ')}, got "${s}"`);
    return s as T;
  };
}

function nonEmpty(s: string): string {
  if (s.trim() === '') throw new Error('must not be empty');
  return s;
}

/** '3', '3.2' → 3.2; '4' → 4.3 (the default Godot 4 release); '4.N' / '4.N.P' as given. */
export function parseGodotMode(s: string): GodotMode {
  if (s === '3' || s === '3.2' || s === '3.x') return { major: 3, version: '3.2' };
  if (s === '4' || s === '4.x') return { major: 4, version: '4.3' };
  if (/^4\.\d{1,2}(\.\d{1,2})?$/.test(s)) return { major: 4, version: s };
  throw new Error(`expected 3 (Godot 3.2), 4 or a Godot 4 release such as 4.2, got "${s}"`);
}

function httpPort(s: string): number | null {
  if (s === 'off' || s === 'none') return null;
  return integer(0, 65535)(s);
}

const ENET_MAX_PEERS = 4095; // ENET_PROTOCOL_MAXIMUM_PEER_ID
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const COMPRESSIONS = Object.keys(COMPRESSION_MODES) as CompressionName[];

export const SERVE_OPTIONS: OptionTable = {
  port: {
    flag: 'port', env: 'GDWIRE_PORT', arg: '<n>', group: 'relay', defaultValue: 4242, defaultText: '4242',
    help: 'UDP port Godot clients connect to (ENet; 0 = any free port, for tests)', parse: integer(0, 65535),
  },
  bind: {
    flag: 'bind', env: 'GDWIRE_BIND', arg: '<addr>', group: 'relay', defaultValue: '*', defaultText: '*',
    help: 'bind address of the ENet host ("*" = every interface, IPv4 and IPv6)', parse: nonEmpty,
  },
  godot: {
    flag: 'godot', env: 'GDWIRE_GODOT', arg: '<3|4|4.N>', group: 'relay',
    defaultValue: { major: 4, version: '4.3' }, defaultText: '4 (= 4.3)',
    help: 'client stack: 3 = Godot 3.2 NetworkedMultiplayerENet with server relay; 4 = Godot 4 '
      + 'ENetMultiplayerPeer + SceneMultiplayer (give 4.0-4.2 for the older path-cache format)',
    parse: parseGodotMode,
  },
  maxClients: {
    flag: 'max-clients', env: 'GDWIRE_MAX_CLIENTS', arg: '<n>', group: 'relay', defaultValue: 32, defaultText: '32',
    help: `most connected peers (ENet peer slots, 1..${ENET_MAX_PEERS}; Godot's max_clients)`,
    parse: integer(1, ENET_MAX_PEERS),
  },
  maxRooms: {
    flag: 'max-rooms', env: 'GDWIRE_MAX_ROOMS', arg: '<n>', group: 'relay', defaultValue: 16, defaultText: '16',
    help: 'most rooms open at once', parse: integer(1, ENET_MAX_PEERS),
  },
  roomSize: {
    flag: 'room-size', env: 'GDWIRE_ROOM_SIZE', arg: '<n>', group: 'relay', defaultValue: 8, defaultText: '8',
    help: 'most peers in one room (peers see and reach only their room)', parse: integer(1, ENET_MAX_PEERS),
  },
  inBandwidth: {
    flag: 'in-bandwidth', env: 'GDWIRE_IN_BANDWIDTH', arg: '<B/s>', group: 'relay', defaultValue: 0, defaultText: '0 = unlimited',
    help: 'ENet incoming bandwidth limit, bytes per second', parse: integer(0, 0xffffffff),
  },
  outBandwidth: {
    flag: 'out-bandwidth', env: 'GDWIRE_OUT_BANDWIDTH', arg: '<B/s>', group: 'relay', defaultValue: 0, defaultText: '0 = unlimited',
    help: 'ENet outgoing bandwidth limit, bytes per second', parse: integer(0, 0xffffffff),
  },
  compression: {
    flag: 'compression', env: 'GDWIRE_COMPRESSION', arg: '<mode>', group: 'relay', defaultValue: 'none', defaultText: 'none',
    help: `ENet packet compression, as the game's: ${COMPRESSIONS.join(' | ')}`, parse: oneOf(COMPRESSIONS),
  },
  dtlsCert: {
    flag: 'dtls-cert', env: 'GDWIRE_DTLS_CERT', arg: '<file>', group: 'relay', defaultValue: null, defaultText: 'none',
    help: 'PEM certificate (or chain, leaf first) the server presents: encrypts ENet with DTLS, '
      + 'as Godot\'s DTLS over ENet (with --dtls-key; clients must enable DTLS)', parse: nonEmpty,
  },
  dtlsKey: {
    flag: 'dtls-key', env: 'GDWIRE_DTLS_KEY', arg: '<file>', group: 'relay', defaultValue: null, defaultText: 'none',
    help: 'PEM private key of that certificate (RSA or EC; with --dtls-cert)', parse: nonEmpty,
  },
  httpPort: {
    flag: 'http-port', env: 'GDWIRE_HTTP_PORT', arg: '<n|off>', group: 'http', defaultValue: 8080, defaultText: '8080',
    help: 'TCP port of the dashboard, /metrics and /healthz (0 = any free port, off = none)', parse: httpPort,
  },
  httpBind: {
    flag: 'http-bind', env: 'GDWIRE_HTTP_BIND', arg: '<addr>', group: 'http', defaultValue: '127.0.0.1', defaultText: '127.0.0.1',
    help: 'bind address of the HTTP server (the dashboard shows peer addresses: keep it private)', parse: nonEmpty,
  },
  logLevel: {
    flag: 'log-level', env: 'GDWIRE_LOG_LEVEL', arg: '<level>', group: 'logging', defaultValue: 'info', defaultText: 'info',
    help: `lowest level logged: ${LOG_LEVELS.join(' | ')}`, parse: oneOf(LOG_LEVELS),
  },
  logFormat: {
    flag: 'log-format', env: 'GDWIRE_LOG_FORMAT', arg: '<fmt>', group: 'logging', defaultValue: 'text', defaultText: 'text',
    help: 'text, or json (one JSON object per line: time, level, msg, fields)', parse: oneOf<LogFormat>(['text', 'json']),
  },
  shutdownTimeoutMs: {
    flag: 'shutdown-timeout', env: 'GDWIRE_SHUTDOWN_TIMEOUT', arg: '<ms>', group: 'lifecycle', defaultValue: 5000, defaultText: '5000',
    help: 'on SIGINT/SIGTERM, peers are told and traffic flushed for at most this long, then closed hard',
    parse: integer(0, 600_000),
  },
};

export const CONFIG_KEYS = Object.keys(SERVE_OPTIONS) as Array<keyof ServerConfig>;

export interface ResolvedConfig {
  readonly config: ServerConfig;
  /** Where each value came from. */
  readonly sources: Readonly<Record<keyof ServerConfig, ConfigSource>>;
}

export type FlagValues = Readonly<Record<string, string | undefined>>;
export type Environment = Readonly<Record<string, string | undefined>>;

function resolveOne<K extends keyof ServerConfig>(
  key: K, flags: FlagValues, env: Environment,
): { value: ServerConfig[K]; source: ConfigSource } {
  const spec = SERVE_OPTIONS[key] as Spec<ServerConfig[K]>;
  const flag = flags[spec.flag];
  const envText = env[spec.env];
  const [text, source]: [string | undefined, ConfigSource] = flag !== undefined
    ? [flag, 'flag'] : envText !== undefined && envText !== '' ? [envText, 'env'] : [undefined, 'default'];
  if (text === undefined) return { value: spec.defaultValue, source };
  try {
    return { value: spec.parse(text), source };
  } catch (e) {
    const where = source === 'flag' ? `--${spec.flag}` : `${spec.env} (environment)`;
    throw new ConfigError(spec.flag, source, `${where}: ${(e as Error).message}`);
  }
}

/**
 * The configuration from flags (keyed by flag name, e.g. `{ 'max-clients': '64' }`) and
 * environment variables: a flag wins over its variable, the variable over the default; an
 * empty variable counts as unset. Throws {@link ConfigError}.
 */
export function resolveConfig(flags: FlagValues, env: Environment): ResolvedConfig {
  const values: Partial<Record<keyof ServerConfig, unknown>> = {};
  const sources: Partial<Record<keyof ServerConfig, ConfigSource>> = {};
  for (const key of CONFIG_KEYS) {
    const { value, source } = resolveOne(key, flags, env);
    values[key] = value;
    sources[key] = source;
  }
  const config = values as ServerConfig;
  const src = sources as Record<keyof ServerConfig, ConfigSource>;
  if ((config.dtlsCert === null) !== (config.dtlsKey === null)) {
    const missing = config.dtlsCert === null ? 'dtls-cert' : 'dtls-key';
    throw new ConfigError(missing, 'default', `--dtls-cert and --dtls-key go together (--${missing} is missing)`);
  }
  if (config.roomSize > config.maxClients) {
    throw new ConfigError('room-size', src.roomSize,
      `--room-size (${config.roomSize}) is larger than --max-clients (${config.maxClients})`);
  }
  return { config, sources: src };
}

/** The configuration as JSON-safe fields for the startup log line and /api/state. */
export function describeConfig(config: ServerConfig): Record<string, unknown> {
  return {
    ...config,
    godot: config.godot.version,
    encrypted: config.dtlsCert !== null,
    httpPort: config.httpPort ?? 'off',
  };
}
