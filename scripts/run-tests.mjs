#!/usr/bin/env node
// Runs the compiled tests (dist/test/**/*.test.js) with node's test runner.
// Usage: node scripts/run-tests.mjs [subdir ...]   e.g. `unit fuzz`. Default: every suite.
// Node 20's --test takes no globs, so the file list is built here.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = 'dist/test';
const suites = process.argv.slice(2);
const dirs = suites.length > 0 ? suites.map((s) => join(root, s)) : [root];

function walk(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = dirs.flatMap((d) => walk(d, []));
if (files.length === 0) {
  console.error(`no test files under ${dirs.join(', ')} — did the build run?`);
  process.exit(1);
}
const args = ['--test', '--test-reporter=spec', '--test-timeout=180000', ...files];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
