/**
 * A Logger that keeps entries in memory, for tests that assert what was logged (by level and
 * message or fields, never by exact wording of anything but stable keys).
 */
import type { LogFields, LogLevel, Logger } from './platform.js';

export interface LogEntry {
  level: LogLevel;
  message: string;
  fields: LogFields | undefined;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export class MemoryLogger implements Logger {
  readonly entries: LogEntry[] = [];
  /** Entries below this level are discarded. */
  level: LogLevel;
  /** At most this many entries are kept (oldest dropped) so long simulations stay bounded. */
  readonly limit: number;

  constructor(level: LogLevel = 'debug', limit = 10_000) {
    this.level = level;
    this.limit = limit;
  }

  log(level: LogLevel, message: string, fields?: LogFields): void {
    if (RANK[level] < RANK[this.level]) return;
    this.entries.push({ level, message, fields });
    if (this.entries.length > this.limit) this.entries.shift();
  }

  /** Entries at `level` (any level when omitted). */
  at(level?: LogLevel): LogEntry[] {
    return level ? this.entries.filter((e) => e.level === level) : [...this.entries];
  }

  clear(): void {
    this.entries.length = 0;
  }
}
