/**
 * The Platform core classes use when none is passed in their options: the Node platform,
 * created on first use. Tests and embedders may replace it (e.g. with a test platform).
 */
import { nodePlatform } from './node-platform.js';
import type { Platform } from './platform.js';

let current: Platform | null = null;

export function defaultPlatform(): Platform {
  current ??= nodePlatform();
  return current;
}

/** Replaces the default platform; null goes back to a (new) Node platform on next use. */
export function setDefaultPlatform(platform: Platform | null): void {
  current = platform;
}
