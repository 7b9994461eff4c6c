/**
 * The error type sockets reject, throw or report with (see {@link SocketError} in
 * platform.ts): a Node errno-style `code` such as 'EADDRINUSE' plus a message.
 */
import type { SocketError } from './platform.js';

export class PlatformSocketError extends Error implements SocketError {
  readonly code: string;
  constructor(code: string, message: string) {
    super(`${code}: ${message}`);
    this.name = 'PlatformSocketError';
    this.code = code;
  }
}

/** True for anything carrying a string `code` (Node's system errors and ours). */
export function isSocketError(e: unknown): e is SocketError {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string';
}

/** Turns whatever a socket threw or reported into a {@link PlatformSocketError} (an Error). */
export function toSocketError(e: unknown): PlatformSocketError {
  if (e instanceof PlatformSocketError) return e;
  if (isSocketError(e)) {
    const message = (e as { message?: unknown }).message;
    return new PlatformSocketError(e.code, typeof message === 'string' ? message : e.code);
  }
  return new PlatformSocketError('EUNKNOWN', String(e));
}
