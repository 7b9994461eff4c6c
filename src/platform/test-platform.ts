/**
 * A complete deterministic Platform for tests: FakeClock (clock and timers), SeededRandom,
 * MemoryNetwork and MemoryLogger. Same seed and same calls → same run.
 */
import { FakeClock } from './fake-clock.js';
import { MemoryLogger } from './memory-logger.js';
import { MemoryNetwork, type LinkConditions, type MemoryHost } from './memory-network.js';
import type { LogLevel, Network, Platform } from './platform.js';
import { SeededRandom } from './seeded-random.js';

export interface TestPlatformOptions {
  /** Seeds the platform's Random and (derived) the network's link conditions. Default 1. */
  seed?: number | string;
  /** Initial fake time in ms (start near 2^32 to exercise wrap-around). Default 0. */
  start?: number;
  conditions?: LinkConditions;
  /** false: a machine without IPv6. */
  ipv6?: boolean;
  logLevel?: LogLevel;
}

export interface TestPlatform extends Platform {
  clock: FakeClock;
  timers: FakeClock;
  random: SeededRandom;
  network: Network;
  logger: MemoryLogger;
  /** The whole memory network (the same object as `network` unless made by {@link hostPlatform}). */
  net: MemoryNetwork;
}

export function createTestPlatform(options: TestPlatformOptions = {}): TestPlatform {
  const seed = options.seed ?? 1;
  const clock = new FakeClock(options.start ?? 0);
  const random = new SeededRandom(seed);
  const net = new MemoryNetwork({
    clock,
    seed: `${String(seed)}/network`,
    ...(options.conditions ? { conditions: options.conditions } : {}),
    ...(options.ipv6 === undefined ? {} : { ipv6: options.ipv6 }),
  });
  const logger = new MemoryLogger(options.logLevel ?? 'debug');
  return { clock, timers: clock, random, network: net, net, logger };
}

/**
 * The platform of one simulated host: the base's clock and logger, the host as network, and
 * a Random forked from the base seed and the host name.
 */
export function hostPlatform(base: TestPlatform, host: MemoryHost): TestPlatform {
  return { ...base, network: host, random: base.random.fork(host.name) };
}
