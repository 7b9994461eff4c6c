/**
 * Tiny benchmark harness: runs a body repeatedly for a fixed time slice, several times, and
 * reports the median rate. Benchmarks compare against an anchor measured in the same run, so
 * only ratios are meaningful across machines.
 */
import { cpus, totalmem } from 'node:os';

export interface Rate { opsPerSec: number; samples: number[] }

/** Calls `body(n)` with growing n until one call takes ≥ sliceMs, then takes `rounds` samples. */
export function measure(body: (n: number) => void, sliceMs = 250, rounds = 7): Rate {
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    body(n);
    const dt = performance.now() - t0;
    if (dt >= sliceMs / 4 || n >= 1 << 26) {
      n = Math.max(1, Math.ceil((n * sliceMs) / Math.max(dt, 0.01)));
      break;
    }
    n *= 4;
  }
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    body(n);
    samples.push((n * 1000) / (performance.now() - t0));
  }
  return { opsPerSec: median(samples), samples };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

export function machine(): string {
  const c = cpus();
  return `${c.length}× ${c[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

export function fmt(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(1);
}

/** One result row: our figure, the anchor's, the ratio, and whether the target is met. */
export function row(name: string, ours: number, anchor: number, anchorName: string, unit: string, target?: number, oursName = 'gdwire'): string {
  const ratio = ours / anchor;
  const verdict = target === undefined ? '' : ratio >= target ? `  (target ≥ ${target}: met)` : `  (target ≥ ${target}: MISSED)`;
  return `${name.padEnd(44)} ${oursName.padEnd(6)} ${fmt(ours).padStart(9)} ${unit}   ${anchorName} ${fmt(anchor).padStart(9)} ${unit}   ratio ${ratio.toFixed(2)}${verdict}`;
}

/**
 * The throughput clients' result line, as bench/c/enet-bench.c prints it: "RESULT <msg/s after
 * warm-up> <ms after warm-up> <msg/s of the whole run>".
 */
export function tputResult(timed: number, ms: number, all: number, allMs: number): string {
  return `RESULT ${Math.round((timed * 1000) / ms)} ${ms.toFixed(1)} ${Math.round((all * 1000) / allMs)}`;
}
