/** Shared by bench/relay-fanout.bench.ts and bench/relay-client-proc.ts: the latency histogram. */

/** Bin width, ms: 20 µs. */
export const BIN_MS = 0.02;
/** Bins up to 1 s; one more catches everything above. */
export const BINS = 50_000;
