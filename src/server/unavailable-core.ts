/**
 * The core `gdwire serve` runs with when no relay core is available: it opens no UDP port,
 * admits nobody, and says so — /healthz answers 503 and the dashboard shows `detail`.
 */
import { EMPTY_TOTALS, type CoreSnapshot, type CoreStatus, type RelayCore } from './core.js';

export class UnavailableCore implements RelayCore {
  readonly name = 'none';
  private status: CoreStatus = 'unavailable';

  constructor(readonly detail: string) {}

  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.status = 'stopped';
    return Promise.resolve();
  }

  close(): void {
    this.status = 'stopped';
  }

  snapshot(): CoreSnapshot {
    return { status: this.status, detail: this.detail, listen: null, rooms: [], peers: [], totals: EMPTY_TOTALS };
  }

  onEvent(): () => void {
    return () => {};
  }
}
