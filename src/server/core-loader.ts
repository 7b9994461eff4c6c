/**
 * Finds the relay core for `gdwire serve`: the module src/server/relay-core.ts, when the build
 * has it, must export `createRelayCore` ({@link CreateRelayCore}). Without it the server runs
 * with an {@link UnavailableCore} and says so, rather than pretending to relay.
 *
 * The import is by computed URL so this file compiles whether or not relay-core.ts exists yet;
 * once it does, a static import here is the simpler wiring.
 */
import type { Logger, Platform } from '../platform/platform.js';
import type { ServerConfig } from './config.js';
import type { CreateRelayCore, RelayCore } from './core.js';
import { UnavailableCore } from './unavailable-core.js';

export const RELAY_CORE_MODULE = './relay-core.js';

export const NO_CORE_DETAIL = 'relay core not available: this build has no src/server/relay-core.ts '
  + '(the Godot relay over ENet is not wired yet), so no UDP port is open and no Godot peer can join';

/** True for "the module itself is missing", not for a missing import inside it. */
function isMissing(err: unknown, url: string): boolean {
  if (!(err instanceof Error) || (err as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND') return false;
  // Node: "Cannot find module '<missing file>' imported from <importer>" — the missing file is
  // the quoted one (a missing import *inside* relay-core.js names relay-core.js as importer).
  const file = decodeURIComponent(url.replace(/^file:\/\//, ''));
  return err.message.includes(`'${file}'`) || err.message.includes(`'${url}'`);
}

export async function loadRelayCore(
  config: ServerConfig, platform: Platform, logger: Logger, specifier: string = RELAY_CORE_MODULE,
): Promise<RelayCore> {
  const url = new URL(specifier, import.meta.url).href;
  let mod: { createRelayCore?: unknown };
  try {
    mod = (await import(url)) as { createRelayCore?: unknown };
  } catch (err) {
    if (isMissing(err, url)) return new UnavailableCore(NO_CORE_DETAIL);
    throw err;
  }
  if (typeof mod.createRelayCore !== 'function') {
    return new UnavailableCore(`relay core not available: ${specifier} does not export createRelayCore`);
  }
  return (mod.createRelayCore as CreateRelayCore)(config, platform, logger);
}
