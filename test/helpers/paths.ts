/** Paths the tests need, independent of whether they run from test/ or dist/test/. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(start: string): string {
  let dir = start;
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src'))) return dir;
    dir = dirname(dir);
  }
  throw new Error(`repo root not found above ${start}`);
}

export const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
export const fixturesDir = join(repoRoot, 'test', 'fixtures');
/** shared/ sits beside the repo (in CI too); GDWIRE_SHARED overrides. */
export const sharedDir = resolve(process.env['GDWIRE_SHARED'] ?? join(repoRoot, '..', 'shared'));
