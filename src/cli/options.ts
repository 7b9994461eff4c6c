/** Parsing of the option values shared by several commands. */
import type { GodotVersion } from '../core/variant/variant.js';
import { CliError } from './cli-error.js';

const VERSIONS = ['3', '3.2', '3.x', '4', '4.x', '4.0', '4.1', '4.2', '4.3', '4.4', '4.5', '4.6'];

export function parseGodotVersion(s: string): GodotVersion {
  if (!VERSIONS.includes(s)) throw new CliError(`--godot must be one of ${VERSIONS.join(', ')} (got "${s}")`);
  return s as GodotVersion;
}

export function parsePort(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(`invalid port "${s}"`);
  return n;
}

/** "0a 0b", "0x0a0b", "0A:0B" → bytes. */
export function parseHex(s: string): Uint8Array {
  const clean = s.replace(/0x/gi, '').replace(/[\s:,]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) {
    throw new CliError('input is not hex (expected pairs of 0-9a-f)');
  }
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}
