/**
 * `createRelayCore` for `gdwire serve` (the {@link CreateRelayCore} contract of
 * src/server/core.ts): the Godot 4 SceneMultiplayer relay by default, the Godot 3.2
 * NetworkedMultiplayerENet relay for `--godot 3`.
 *
 *     const core = createRelayCore(config, platform, logger);
 *     await core.start();                       // UDP bound, admitting
 *     core.snapshot();                          // rooms, peers (RTT, loss, traffic), totals, drops
 *     await core.stop({ reason: 'SIGTERM', deadline: platform.clock.now() + 5000 });
 */
import type { Logger, Platform } from '../../platform/platform.js';
import type { ServerConfig } from '../config.js';
import type { RelayCore } from '../core.js';
import { Godot3RelayCore } from './godot3-relay-core.js';
import { Godot4RelayCore } from './godot4-relay-core.js';
import type { RelayCoreOptions } from './relay-options.js';

export function createRelayCore(config: ServerConfig, platform: Platform, logger: Logger, options: RelayCoreOptions = {}): RelayCore {
  return config.godot.major === 3
    ? new Godot3RelayCore(config, platform, logger, options)
    : new Godot4RelayCore(config, platform, logger, options);
}
