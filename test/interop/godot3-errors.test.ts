/**
 * src/core/error.ts and src/core/variant/godot3-classes.ts against live Godot 3.2.3:
 * test/godot/error_codes.gd prints every Error constant by name; test/godot/class_list.gd
 * prints the classes ClassDB can instance (the generated file must still match).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { GODOT3_INSTANTIABLE_CLASSES } from '../../src/core/variant/godot3-classes.js';
import { requireGodot3, runGodot } from '../helpers/godot.js';

test('Error numbers equal Godot 3.2.3\'s Error constants', { timeout: 30_000 }, async (t) => {
  const bin = requireGodot3(t);
  if (!bin) return;
  const r = await runGodot({ bin, script: 'error_codes.gd', timeoutMs: 20_000 });
  assert.ok(r.ok, `error_codes.gd did not succeed\n${r.describe}`);
  const godot = new Map<string, number>();
  for (const m of r.stdout.matchAll(/^ERROR (\w+) (-?\d+)$/gm)) godot.set(m[1] ?? '', Number(m[2]));
  const ours = new Map(Object.entries(Error).filter((e): e is [string, number] => typeof e[1] === 'number'));
  assert.equal(godot.size, 49, `expected 49 constants from Godot\n${r.describe}`);
  assert.deepEqual([...ours.entries()].sort(), [...godot.entries()].sort());
});

test('godot3-classes.ts matches ClassDB.can_instance in Godot 3.2.3', { timeout: 30_000 }, async (t) => {
  const bin = requireGodot3(t);
  if (!bin) return;
  const r = await runGodot({ bin, script: 'class_list.gd', timeoutMs: 20_000 });
  assert.ok(r.ok, `class_list.gd did not succeed\n${r.describe}`);
  const block = /^GDWIRE_CLASSES_BEGIN\n([\s\S]*?)\nGDWIRE_CLASSES_END (\d+)$/m.exec(r.stdout);
  assert.ok(block, `no class block in the output\n${r.describe}`);
  const live = (block[1] ?? '').split('\n').filter((s) => s.length > 0);
  assert.equal(live.length, Number(block[2]));
  assert.deepEqual([...GODOT3_INSTANTIABLE_CLASSES].sort(), live.sort(),
    'src/core/variant/godot3-classes.ts is stale: run scripts/gen-godot3-classes.sh');
  // The classes the codec tests rely on.
  for (const c of ['Reference', 'Resource', 'Node', 'Object']) assert.ok(GODOT3_INSTANTIABLE_CLASSES.has(c), c);
});
