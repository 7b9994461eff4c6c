/**
 * Which Godot 4 release the peers run, and what that changes on the SceneMultiplayer wire:
 * the path-cache confirmation format (§6.6) and the Variant profile of RPC arguments (§1.12).
 *
 * Path-cache format evidence (godot-wire.md §6.6 marks the release [verify: 4.2 vs 4.3]):
 * - the path-based CONFIRM_PATH `[02][ok][cstr path]` is in the older
 *   modules/multiplayer/scene_cache_interface.cpp (PathSentCache/PathGetCache, 4.0–4.2 era);
 * - the id-based `[02][ok][u32 id]` (exactly 6 bytes) is in @1b88f815 — the NodeCache/ObjectID
 *   rewrite of godotengine/godot PR #87190 "[MP] Handle cleanup of scene cache nodes" (merged for
 *   4.3-dev, Jan 2024);
 * - issue #90908 reports a regression first seen in 4.2.2-rc1 (not in 4.2.1), and PR #94984 calls
 *   it a "regression from #87190" and says the 4.2 branch reverts #87190 (commit 3504c98c) —
 *   so 4.2.2-stable very probably shipped the id format, and a later 4.2.x would be back to paths.
 * Hence the default: id format from 4.3, plus 4.2.2 exactly; everything is overridable
 * (`idFormatSince`, or an explicit format) because no release tag was read.
 */
import type { GodotVersion } from '../../core/variant/variant.js';
import { invalidParameter } from './scene-multiplayer-protocol.js';

/** A Godot 4 release: '4.2', '4.2.2', '4.3', '4.4.1' … */
export type SceneGodotVersion = `4.${number}` | `4.${number}.${number}`;

/** CONFIRM_PATH carries the node path (4.0–4.2) or the sender's cache id (4.3+). */
export type PathCacheFormat = 'path' | 'id';

export interface PathCacheFormatOptions {
  /** First release with the id format (default '4.3'). */
  idFormatSince?: SceneGodotVersion;
  /** Releases before the cut-over that also use the id format (default ['4.2.2'], see above). */
  idFormatBackports?: readonly SceneGodotVersion[];
}

export const DEFAULT_SCENE_GODOT_VERSION: SceneGodotVersion = '4.3';
export const DEFAULT_ID_FORMAT_SINCE: SceneGodotVersion = '4.3';
export const DEFAULT_ID_FORMAT_BACKPORTS: readonly SceneGodotVersion[] = ['4.2.2'];

/** [major, minor, patch] of a version string. @throws GodotError ERR_INVALID_PARAMETER */
export function parseSceneVersion(v: string): readonly [number, number, number] {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(v);
  if (!m || m[1] !== '4') throw invalidParameter(`not a Godot 4 version: ${v}`);
  return [4, Number(m[2]), Number(m[3] ?? 0)];
}

/** −1, 0 or 1 as `a` is older than, the same as, or newer than `b`. */
export function compareSceneVersions(a: string, b: string): number {
  const x = parseSceneVersion(a);
  const y = parseSceneVersion(b);
  for (let i = 0; i < 3; i++) if (x[i]! !== y[i]!) return x[i]! < y[i]! ? -1 : 1;
  return 0;
}

/** The CONFIRM_PATH format a peer running `version` sends and expects. */
export function pathCacheFormatOf(version: string, options: PathCacheFormatOptions = {}): PathCacheFormat {
  const since = options.idFormatSince ?? DEFAULT_ID_FORMAT_SINCE;
  const backports = options.idFormatBackports ?? DEFAULT_ID_FORMAT_BACKPORTS;
  if (compareSceneVersions(version, since) >= 0) return 'id';
  return backports.some((b) => compareSceneVersions(version, b) === 0) ? 'id' : 'path';
}

/** The Variant codec profile (core/variant/profile.ts) for RPC arguments from `version`. */
export function variantProfileOf(version: string): GodotVersion {
  const minor = parseSceneVersion(version)[1];
  if (minor <= 2) return '4.2';
  if (minor === 3) return '4.3';
  return 4;
}
