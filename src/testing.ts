/**
 * `gdwire/testing`: the deterministic platform pieces gdwire's own tests use, for tests of
 * programs built on gdwire — a fake clock, a seeded random, an in-memory network with seeded
 * link conditions and a memory logger. Pass `createTestPlatform()` as `{ platform }` to
 * PacketPeerUDP, UDPServer and the classes built on them.
 */
export { FakeClock } from './platform/fake-clock.js';
export { SeededRandom } from './platform/seeded-random.js';
export { MemoryLogger, type LogEntry } from './platform/memory-logger.js';
export {
  MemoryNetwork, MemoryHost, MemorySocket,
  type LinkConditions, type MemoryNetworkOptions, type NetworkStats, type Tap, type TappedDatagram,
} from './platform/memory-network.js';
export {
  createTestPlatform, hostPlatform, type TestPlatform, type TestPlatformOptions,
} from './platform/test-platform.js';
export { setDefaultPlatform } from './platform/default.js';
