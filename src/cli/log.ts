/** The CLI's logger: one line per event, `time level message key=value …`, to stderr. */
import type { LogFields, LogLevel } from '../platform/platform.js';
import { CliError } from './cli-error.js';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type CliLog = (level: LogLevel, message: string, fields?: LogFields) => void;

export function makeLog(level: string, out: (line: string) => void = (l) => process.stderr.write(l)): CliLog {
  if (!(level in RANK)) throw new CliError(`--log-level must be debug, info, warn or error (got "${level}")`);
  const min = RANK[level as LogLevel];
  return (lvl, message, fields) => {
    if (RANK[lvl] < min) return;
    const kv = fields ? Object.entries(fields).map(([k, v]) => ` ${k}=${fieldText(v)}`).join('') : '';
    out(`${new Date().toISOString()} ${lvl.padEnd(5)} ${message}${kv}\n`);
  };
}

function fieldText(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  return /[\s"=]/.test(s ?? '') ? JSON.stringify(s) : String(s);
}
