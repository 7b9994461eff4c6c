#!/usr/bin/env node
// Runs every compiled benchmark (dist/bench/*.bench.js) one after another; `node scripts/run-bench.mjs variant`
// runs only the ones whose name contains "variant". Benchmarks are never part of `npm test`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const filter = process.argv[2] ?? '';
const dir = 'dist/bench';
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.js') && f.includes(filter)).sort();
let failed = 0;
for (const f of files) {
  const r = spawnSync(process.execPath, [join(dir, f)], { stdio: 'inherit', timeout: 600_000 });
  if (r.status !== 0) { failed++; console.error(`bench ${f} failed (exit ${r.status})`); }
}
process.exit(failed ? 1 : 0);
