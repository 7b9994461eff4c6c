/**
 * src/core/error.ts against Godot's Error numbers, written out here (not derived from the
 * enum) so a renumbering fails. The numbers are Godot 3.2.3's, printed by the real engine
 * (test/godot/error_codes.gd; test/interop/godot3-errors.test.ts re-checks them live) and
 * identical in 4.x (@see godot core/error/error_list.h).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error, GodotError, errorName } from '../../src/core/error.js';

export const GODOT_ERRORS: ReadonlyArray<readonly [string, number]> = [
  ['OK', 0],
  ['FAILED', 1],
  ['ERR_UNAVAILABLE', 2],
  ['ERR_UNCONFIGURED', 3],
  ['ERR_UNAUTHORIZED', 4],
  ['ERR_PARAMETER_RANGE_ERROR', 5],
  ['ERR_OUT_OF_MEMORY', 6],
  ['ERR_FILE_NOT_FOUND', 7],
  ['ERR_FILE_BAD_DRIVE', 8],
  ['ERR_FILE_BAD_PATH', 9],
  ['ERR_FILE_NO_PERMISSION', 10],
  ['ERR_FILE_ALREADY_IN_USE', 11],
  ['ERR_FILE_CANT_OPEN', 12],
  ['ERR_FILE_CANT_WRITE', 13],
  ['ERR_FILE_CANT_READ', 14],
  ['ERR_FILE_UNRECOGNIZED', 15],
  ['ERR_FILE_CORRUPT', 16],
  ['ERR_FILE_MISSING_DEPENDENCIES', 17],
  ['ERR_FILE_EOF', 18],
  ['ERR_CANT_OPEN', 19],
  ['ERR_CANT_CREATE', 20],
  ['ERR_QUERY_FAILED', 21],
  ['ERR_ALREADY_IN_USE', 22],
  ['ERR_LOCKED', 23],
  ['ERR_TIMEOUT', 24],
  ['ERR_CANT_CONNECT', 25],
  ['ERR_CANT_RESOLVE', 26],
  ['ERR_CONNECTION_ERROR', 27],
  ['ERR_CANT_ACQUIRE_RESOURCE', 28],
  ['ERR_CANT_FORK', 29],
  ['ERR_INVALID_DATA', 30],
  ['ERR_INVALID_PARAMETER', 31],
  ['ERR_ALREADY_EXISTS', 32],
  ['ERR_DOES_NOT_EXIST', 33],
  ['ERR_DATABASE_CANT_READ', 34],
  ['ERR_DATABASE_CANT_WRITE', 35],
  ['ERR_COMPILATION_FAILED', 36],
  ['ERR_METHOD_NOT_FOUND', 37],
  ['ERR_LINK_FAILED', 38],
  ['ERR_SCRIPT_FAILED', 39],
  ['ERR_CYCLIC_LINK', 40],
  ['ERR_INVALID_DECLARATION', 41],
  ['ERR_DUPLICATE_SYMBOL', 42],
  ['ERR_PARSE_ERROR', 43],
  ['ERR_BUSY', 44],
  ['ERR_SKIP', 45],
  ['ERR_HELP', 46],
  ['ERR_BUG', 47],
  ['ERR_PRINTER_ON_FIRE', 48],
];

test('every Error member has Godot\'s number', () => {
  const byName = Error as unknown as Record<string, number>;
  for (const [name, value] of GODOT_ERRORS) assert.equal(byName[name], value, name);
});

test('Error has exactly Godot\'s members: 0..48, no gaps, no extras', () => {
  const members = Object.entries(Error).filter(([, v]) => typeof v === 'number');
  assert.deepEqual(members, GODOT_ERRORS.map(([n, v]) => [n, v]));
  assert.deepEqual(GODOT_ERRORS.map(([, v]) => v), [...Array(49).keys()]);
});

test('errorName maps numbers to Godot names, unknown numbers to Error(n)', () => {
  assert.equal(errorName(Error.ERR_INVALID_DATA), 'ERR_INVALID_DATA');
  assert.equal(errorName(0), 'OK');
  assert.equal(errorName(48), 'ERR_PRINTER_ON_FIRE');
  assert.equal(errorName(49 as Error), 'Error(49)');
  assert.equal(errorName(-1 as Error), 'Error(-1)');
});

test('GodotError carries its code and is a real Error', () => {
  const e = new GodotError(Error.ERR_UNAVAILABLE, 'class not found');
  assert.equal(e.code, Error.ERR_UNAVAILABLE);
  assert.equal(e.name, 'GodotError');
  assert.ok(e instanceof globalThis.Error);
  assert.ok(e instanceof GodotError);
});
