/** `gdwire decode <hex|->`: print one Variant decoded from hex. */
import { readFileSync } from 'node:fs';
import { GodotError } from '../core/error.js';
import { decodeVariant } from '../core/variant/codec.js';
import { CliError } from './cli-error.js';
import { formatVariant } from './format.js';
import { parseGodotVersion, parseHex } from './options.js';

export interface DecodeArgs { input: string | undefined; godot: string; allowObjects: boolean }

export function runDecode(args: DecodeArgs): number {
  if (args.input === undefined) throw new CliError('decode needs hex input, or "-" to read stdin');
  const text = args.input === '-' ? readFileSync(0, 'utf8') : args.input;
  const bytes = parseHex(text);
  const godot = parseGodotVersion(args.godot);
  try {
    const { value, length } = decodeVariant(bytes, { godot, allowObjects: args.allowObjects });
    process.stdout.write(`${formatVariant(value)}\n`);
    if (length < bytes.length) {
      process.stderr.write(`note: ${bytes.length - length} trailing byte(s) ignored, as Godot does\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof GodotError) {
      process.stderr.write(`gdwire: cannot decode: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
