/** The gdwire command: formatting, argument parsing, and `decode` / `echo` run as processes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { formatVariant } from '../../src/cli/format.js';
import { parseGodotVersion, parseHex, parsePort } from '../../src/cli/options.js';
import { CliError } from '../../src/cli/cli-error.js';
import { Error as GodotErr } from '../../src/core/error.js';
import { PacketPeerUDP } from '../../src/core/io/packet-peer-udp.js';
import { variantEquals } from '../../src/core/variant/codec.js';
import { Float } from '../../src/core/variant/scalars.js';
import { NodePath } from '../../src/core/variant/node-path.js';
import { Vector2 } from '../../src/core/variant/vectors.js';
import { repoRoot } from '../helpers/paths.js';

const MAIN = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

test('formatVariant tells INT from FLOAT and names Godot types', () => {
  assert.equal(formatVariant(1), '1');
  assert.equal(formatVariant(new Float(1)), '1.0');
  assert.equal(formatVariant(-0), '-0.0');
  assert.equal(formatVariant(2n ** 60n), '1152921504606846976');
  assert.equal(formatVariant(new Vector2(1, 2.5)), 'Vector2(1, 2.5)');
  assert.equal(formatVariant(new NodePath('/root/Main:position')), 'NodePath("/root/Main:position")');
  assert.equal(formatVariant(new Map<unknown, unknown>([['a', [1, null]]]) as never), '{"a": [1, null]}');
  assert.equal(formatVariant(new Uint8Array([1, 2])), 'PackedByteArray(1, 2)');
});

test('option parsing refuses bad input with a CliError', () => {
  assert.deepEqual([...parseHex('0x0a 0B:ff')], [10, 11, 255]);
  assert.throws(() => parseHex('abc'), CliError);
  assert.throws(() => parseHex('zz'), CliError);
  assert.equal(parsePort('4242'), 4242);
  assert.throws(() => parsePort('70000'), CliError);
  assert.equal(parseGodotVersion('4.3'), '4.3');
  assert.throws(() => parseGodotVersion('5'), CliError);
});

test('gdwire decode prints the value, and exits 1 with the Error name on bad data', () => {
  const ok = spawnSync(process.execPath, [MAIN, 'decode', '0400000002000000686900 00'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout, '"hi"\n');
  const v3 = spawnSync(process.execPath, [MAIN, 'decode', '-', '--godot', '3'], {
    input: '0700000000000000000000000000803f', encoding: 'utf8', timeout: 20_000,
  });
  assert.equal(v3.stdout, 'Vector3(0, 0, 1)\n', v3.stderr);
  const bad = spawnSync(process.execPath, [MAIN, 'decode', '04000000ffffffff'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /ERR_FILE_EOF/);
  const usage = spawnSync(process.execPath, [MAIN, 'frobnicate'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(usage.status, 2);
  const help = spawnSync(process.execPath, [MAIN, '--help'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /echo/);
});

test('gdwire echo answers a Variant with the same Variant and logs the peer', { timeout: 30_000 }, async () => {
  const child = spawn(process.execPath, [MAIN, 'echo', '--port', '0', '--bind', '127.0.0.1'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (d: Buffer) => { log += d.toString(); });
  const udp = new PacketPeerUDP();
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`echo did not start: ${log}`)), 15_000);
      child.stderr.on('data', () => {
        const m = /listening port=(\d+)/.exec(log);
        if (m) { clearTimeout(timer); resolve(Number(m[1])); }
      });
    });
    assert.equal(await udp.connectToHost('127.0.0.1', port), GodotErr.OK);
    const value = new Map<string, unknown>([['pos', new Vector2(1, 2)], ['hp', 100], ['speed', new Float(3)]]);
    assert.equal(udp.putVar(value as never), GodotErr.OK);
    const waited = await Promise.race([udp.wait(), new Promise((r) => setTimeout(() => r('timeout'), 10_000))]);
    assert.equal(waited, GodotErr.OK);
    assert.ok(variantEquals(udp.getVar(), value as never));
    assert.match(log, /new peer peer=127\.0\.0\.1:\d+/);
    assert.match(log, /received .*Vector2\(1, 2\)/);
  } finally {
    udp.close();
    if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
  }
  const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
  assert.equal(code, 0);
});
