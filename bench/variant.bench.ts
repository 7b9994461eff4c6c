/**
 * Variant codec throughput against msgpackr and JSON on the equivalent JS data.
 * Targets (issue 2): encode and decode ≥ msgpackr on (a) and (c); packed arrays ≥ 1 GB/s.
 */
import { Packr } from 'msgpackr';
import { bytesToVar, varToBytes } from '../src/core/variant/codec.js';
import { Color } from '../src/core/variant/geometry.js';
import { Vector2, Vector3 } from '../src/core/variant/vectors.js';
import type { Variant } from '../src/core/variant/variant.js';
import { machine, measure, row } from './harness.js';

/** (a) A ~40-entry game-state Dictionary of mixed types, and its plain-JS twin. */
function gameState(): { godot: Variant; plain: unknown } {
  const godot: Record<string, Variant> = {};
  const plain: Record<string, unknown> = {};
  for (let i = 0; i < 8; i++) {
    godot[`player_${i}_pos`] = new Vector2(100.5 + i, 200.25 - i);
    plain[`player_${i}_pos`] = [100.5 + i, 200.25 - i];
    godot[`player_${i}_hp`] = 100 - i * 7;
    plain[`player_${i}_hp`] = 100 - i * 7;
    godot[`player_${i}_name`] = `Player ${i}`;
    plain[`player_${i}_name`] = `Player ${i}`;
  }
  Object.assign(godot, {
    tick: 123456, time: 3021.375, paused: false, level: 'res://levels/forest.tscn',
    wind: new Vector3(0.5, 0, -0.25), tint: new Color(1, 0.5, 0.25, 1), seed: 987654321,
    scores: [10, 20, 30, 40], flags: { fog: true, rain: false }, gravity: 9.8,
    boss: { hp: 5000, phase: 2, pos: new Vector2(1, 2) }, events: ['spawn', 'door_open'],
    version: 7, ratio: 0.75, mode: 'coop', round: 3,
  });
  Object.assign(plain, {
    tick: 123456, time: 3021.375, paused: false, level: 'res://levels/forest.tscn',
    wind: [0.5, 0, -0.25], tint: [1, 0.5, 0.25, 1], seed: 987654321,
    scores: [10, 20, 30, 40], flags: { fog: true, rain: false }, gravity: 9.8,
    boss: { hp: 5000, phase: 2, pos: [1, 2] }, events: ['spawn', 'door_open'],
    version: 7, ratio: 0.75, mode: 'coop', round: 3,
  });
  return { godot, plain };
}

/** (c) 1000 small RPC-like arrays: [method, node id, position, yaw, firing]. */
function rpcs(): { godot: Variant[]; plain: unknown[] } {
  const godot: Variant[] = [];
  const plain: unknown[] = [];
  for (let i = 0; i < 1000; i++) {
    godot.push(['update_player', 1000 + i, new Vector2(i * 0.5, i * 0.25), i * 0.01 + 0.001, i % 2 === 0]);
    plain.push(['update_player', 1000 + i, [i * 0.5, i * 0.25], i * 0.01 + 0.001, i % 2 === 0]);
  }
  return { godot, plain };
}

function codecRows(label: string, godot: Variant[], plain: unknown[], target: number | undefined): string[] {
  const packr = new Packr({ useRecords: false });
  const enc = godot.map((v) => varToBytes(v));
  const mp = plain.map((v) => packr.pack(v));
  const js = plain.map((v) => JSON.stringify(v));
  const count = godot.length;
  const ours = measure((n) => { for (let r = 0; r < n; r++) for (const v of godot) varToBytes(v); });
  const theirs = measure((n) => { for (let r = 0; r < n; r++) for (const v of plain) packr.pack(v); });
  const json = measure((n) => { for (let r = 0; r < n; r++) for (const v of plain) JSON.stringify(v); });
  const oursD = measure((n) => { for (let r = 0; r < n; r++) for (const b of enc) bytesToVar(b); });
  const theirsD = measure((n) => { for (let r = 0; r < n; r++) for (const b of mp) packr.unpack(b); });
  const jsonD = measure((n) => { for (let r = 0; r < n; r++) for (const s of js) JSON.parse(s); });
  const k = count;
  return [
    row(`${label} encode vs msgpackr`, ours.opsPerSec * k, theirs.opsPerSec * k, 'msgpackr', 'val/s', target),
    row(`${label} encode vs JSON.stringify`, ours.opsPerSec * k, json.opsPerSec * k, 'JSON', 'val/s'),
    row(`${label} decode vs msgpackr`, oursD.opsPerSec * k, theirsD.opsPerSec * k, 'msgpackr', 'val/s', target),
    row(`${label} decode vs JSON.parse`, oursD.opsPerSec * k, jsonD.opsPerSec * k, 'JSON', 'val/s'),
    `${''.padEnd(44)} sizes: gdwire ${enc.reduce((s, b) => s + b.length, 0) / count} B, msgpackr ${mp.reduce((s, b) => s + b.length, 0) / count} B, JSON ${js.reduce((s, x) => s + x.length, 0) / count} B per value`,
  ];
}

function packedRows(): string[] {
  const f = new Float32Array(100_000).map((_, i) => i * 0.5);
  const bytes = varToBytes(f);
  const packr = new Packr({ useRecords: false });
  const mp = packr.pack(f);
  const enc = measure((n) => { for (let i = 0; i < n; i++) varToBytes(f); });
  const dec = measure((n) => { for (let i = 0; i < n; i++) bytesToVar(bytes); });
  const mEnc = measure((n) => { for (let i = 0; i < n; i++) packr.pack(f); });
  const gb = (r: number): number => (r * bytes.length) / 1e9;
  return [
    row('(b) PackedFloat32Array 100k encode', enc.opsPerSec * bytes.length, mEnc.opsPerSec * mp.length, 'msgpackr', 'B/s'),
    // No msgpackr decode row: msgpackr returns a view into the input for typed arrays (no copy),
    // which is not the same work as Godot's decode into a fresh array.
    `${''.padEnd(44)} encode ${gb(enc.opsPerSec).toFixed(2)} GB/s, decode ${gb(dec.opsPerSec).toFixed(2)} GB/s (target ≥ 1 GB/s: ${gb(enc.opsPerSec) >= 1 && gb(dec.opsPerSec) >= 1 ? 'met' : 'MISSED'})`,
  ];
}

const state = gameState();
const r = rpcs();
console.log(`# Variant codec — ${machine()}`);
console.log('# anchors: msgpackr (plain MessagePack maps, useRecords: false) and JSON on the equivalent JS data, same run');
for (const line of codecRows('(a) game-state dict (~40 entries)', [state.godot], [state.plain], 1)) console.log(line);
for (const line of packedRows()) console.log(line);
for (const line of codecRows('(c) 1000 RPC-like arrays', r.godot, r.plain, 1)) console.log(line);
