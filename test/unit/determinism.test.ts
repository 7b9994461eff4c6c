/**
 * The determinism rule (HOUSE_STYLE.md): only src/platform/ and src/cli/ may touch sockets,
 * timers, clocks or randomness; everything else gets them through a Platform object, which
 * is what lets protocol tests run on a fake clock and an in-memory network.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../helpers/paths.js';

const FORBIDDEN: Array<[RegExp, string]> = [
  [/from\s+['"](node:)?dgram['"]/, 'node:dgram'],
  [/from\s+['"](node:)?crypto['"]/, 'node:crypto'],
  [/from\s+['"](node:)?timers(\/promises)?['"]/, 'node:timers'],
  [/from\s+['"](node:)?perf_hooks['"]/, 'node:perf_hooks'],
  [/\bMath\.random\s*\(/, 'Math.random'],
  [/\bDate\.now\s*\(/, 'Date.now'],
  [/\bnew\s+Date\s*\(/, 'new Date'],
  [/\bperformance\s*\.\s*now\b/, 'performance.now'],
  [/\bprocess\.hrtime\b/, 'process.hrtime'],
  [/(?<![.\w])set(Timeout|Interval|Immediate)\s*\(/, 'global timers'],
];
const ALLOWED_DIRS = ['src/platform/', 'src/cli/'];

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"\\])\/\/.*$/gm, '$1');
}

/** Method declarations named like timers (Godot's ENetPacketPeer.setTimeout) are not calls. */
const METHOD_DECL = /^\s*(?:(?:public|private|protected|static|async|override)\s+)*set(?:Timeout|Interval|Immediate)\s*\([^)]*\)\s*(?::\s*[^={]+)?\{?\s*$/gm;

export function violations(source: string): string[] {
  const code = stripComments(source).replace(METHOD_DECL, '');
  return FORBIDDEN.filter(([re]) => re.test(code)).map(([, name]) => name);
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return name.endsWith('.ts') ? [p] : [];
  });
}

test('the scanner catches each forbidden use (so the rule below can fail)', () => {
  assert.deepEqual(violations("import dgram from 'node:dgram';"), ['node:dgram']);
  assert.deepEqual(violations('const t = Date.now();'), ['Date.now']);
  assert.deepEqual(violations('x = Math.random();'), ['Math.random']);
  assert.deepEqual(violations('setTimeout(() => 1, 5);'), ['global timers']);
  assert.deepEqual(violations('platform.timers.setTimeout(f, 5); // Date.now()'), []);
  assert.deepEqual(violations('  setTimeout(limit: number, min: number): void {'), []);
  assert.deepEqual(violations('  const h = setTimeout(tick, 5);'), ['global timers']);
});

test('only src/platform and src/cli touch the OS clock, timers, sockets or randomness', () => {
  const offenders: string[] = [];
  for (const file of tsFiles(join(repoRoot, 'src'))) {
    const rel = relative(repoRoot, file).split('\\').join('/');
    if (ALLOWED_DIRS.some((d) => rel.startsWith(d))) continue;
    const found = violations(readFileSync(file, 'utf8'));
    if (found.length > 0) offenders.push(`${rel}: ${found.join(', ')}`);
  }
  assert.deepEqual(offenders, []);
});
