/**
 * UTF-8 for Variant strings, with Godot's leniency where a JS string can follow it.
 * @see godot core/string/ustring.cpp String::utf8(), String::parse_utf8() (3.x: core/ustring.cpp)
 *
 * Encoding: a well-formed string is standard UTF-8. A lone UTF-16 surrogate is written as its
 * 3-byte form (ED A0 80 … ED BF BF), the way Godot 3 writes a lone surrogate it holds, so
 * that it round-trips; a surrogate *pair* is one 4-byte code point.
 *
 * Decoding accepts exactly what Godot's parser accepts and a JS string can hold:
 * - the 3-byte forms of U+D800…U+DFFF (lone surrogates) are accepted — Godot 3 is lenient;
 * - invalid lead or continuation bytes, truncated sequences → ERR_INVALID_DATA (as Godot);
 * - overlong forms → ERR_INVALID_DATA (Godot 3.2 lets some 3- and 4-byte overlongs through;
 *   we refuse them all, since they could not be re-encoded to the same bytes) — deviation;
 * - code points above U+10FFFF (F4 90+, F5…FD leads) → ERR_INVALID_DATA: a JS string cannot
 *   hold them (Godot 3 round-trips them) — deviation;
 * - a leading U+FEFF is KEPT (Godot drops it) and an embedded U+0000 is KEPT (Godot's parser
 *   stops there) — deviations, so that decoding never loses bytes.
 * Short strings take hand-written loops; long ones use TextDecoder/TextEncoder, falling back
 * to the lenient loop when the strict decoder refuses (surrogates) — validity is always ours.
 */
import { Error, GodotError } from '../error.js';

/** Strings longer than this (bytes to decode, UTF-16 units to encode) use TextDecoder/TextEncoder. */
const LONG_STRING = 64;
const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const textEncoder = new TextEncoder();
/** With the `u` flag a surrogate range matches only unpaired surrogates. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const FLUSH = 4096;

function invalid(what: string): GodotError {
  return new GodotError(Error.ERR_INVALID_DATA, `invalid UTF-8: ${what}`);
}

/**
 * Writes `s` as UTF-8 into `buf` at `pos` and returns the byte count. The caller guarantees
 * `3 * s.length` bytes of room (the UTF-8 form never exceeds that).
 */
export function writeUtf8(s: string, buf: Uint8Array, pos: number): number {
  const n = s.length;
  if (n > LONG_STRING && !LONE_SURROGATE.test(s)) {
    return textEncoder.encodeInto(s, buf.subarray(pos)).written;
  }
  let p = pos;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[p++] = c;
    } else if (c < 0x800) {
      buf[p++] = 0xc0 | (c >> 6);
      buf[p++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          buf[p++] = 0xf0 | (cp >> 18);
          buf[p++] = 0x80 | ((cp >> 12) & 0x3f);
          buf[p++] = 0x80 | ((cp >> 6) & 0x3f);
          buf[p++] = 0x80 | (cp & 0x3f);
          i++;
          continue;
        }
      }
      // BMP character, or a lone surrogate in its 3-byte form.
      buf[p++] = 0xe0 | (c >> 12);
      buf[p++] = 0x80 | ((c >> 6) & 0x3f);
      buf[p++] = 0x80 | (c & 0x3f);
    }
  }
  return p - pos;
}

/**
 * Short strings (dictionary keys, names) repeat from packet to packet: a small direct-mapped
 * cache returns the same JS string for the same bytes, which saves building and hashing it.
 */
const CACHE_MAX_LEN = 32;
const CACHE_SLOTS = 4096;
const cacheBytes = new Uint8Array(CACHE_SLOTS * CACHE_MAX_LEN);
const cacheLength = new Int32Array(CACHE_SLOTS).fill(-1);
const cacheString: string[] = new Array<string>(CACHE_SLOTS).fill('');

/** The UTF-8 byte length of `s` as {@link writeUtf8} writes it. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

/** Decodes `bytes[start, end)`; throws GodotError(ERR_INVALID_DATA) on malformed UTF-8. */
export function readUtf8(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n > CACHE_MAX_LEN) {
    if (n <= LONG_STRING) return decodeShort(bytes, start, end);
    try {
      return textDecoder.decode(bytes.subarray(start, end));
    } catch {
      return decodeLenient(bytes, start, end);
    }
  }
  let h = n;
  for (let i = start; i < end; i++) h = (Math.imul(h, 31) + bytes[i]!) | 0;
  const slot = (h ^ (h >>> 15)) & (CACHE_SLOTS - 1);
  if (cacheLength[slot] === n) {
    let i = start;
    for (let j = slot * CACHE_MAX_LEN; i < end; i++, j++) if (cacheBytes[j] !== bytes[i]) break;
    if (i === end) return cacheString[slot]!;
  }
  const s = decodeShort(bytes, start, end);
  cacheLength[slot] = n;
  cacheBytes.set(bytes.subarray(start, end), slot * CACHE_MAX_LEN);
  cacheString[slot] = s;
  return s;
}

/** ASCII fast path, handing over to the full decoder at the first non-ASCII byte. */
function decodeShort(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c >= 0x80) return s + decodeLenient(bytes, i, end);
    s += String.fromCharCode(c);
  }
  return s;
}

/** Continuation byte at `i` (< end) within [lo, hi], else ERR_INVALID_DATA. */
function cont(bytes: Uint8Array, i: number, end: number, lo = 0x80, hi = 0xbf): number {
  if (i >= end) throw invalid('truncated sequence');
  const b = bytes[i]!;
  if (b < lo || b > hi) throw invalid(b >= 0x80 && b <= 0xbf ? 'overlong or out-of-range sequence' : 'bad continuation byte');
  return b & 0x3f;
}

/** The full decoder: every sequence checked, lone surrogates allowed. */
function decodeLenient(bytes: Uint8Array, start: number, end: number): string {
  let out = '';
  const units: number[] = [];
  let i = start;
  while (i < end) {
    const c = bytes[i]!;
    if (c < 0x80) {
      units.push(c);
      i += 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
      units.push(((c & 0x1f) << 6) | cont(bytes, i + 1, end));
      i += 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      const b1 = cont(bytes, i + 1, end, c === 0xe0 ? 0xa0 : 0x80);
      const b2 = cont(bytes, i + 2, end);
      units.push(((c & 0x0f) << 12) | (b1 << 6) | b2);
      i += 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
      const b1 = cont(bytes, i + 1, end, c === 0xf0 ? 0x90 : 0x80, c === 0xf4 ? 0x8f : 0xbf);
      const b2 = cont(bytes, i + 2, end);
      const b3 = cont(bytes, i + 3, end);
      const cp = ((c & 0x07) << 18) | (b1 << 12) | (b2 << 6) | b3;
      units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
      i += 4;
    } else {
      throw invalid(c >= 0xf5 && c <= 0xfd ? 'code point above U+10FFFF' : `bad lead byte 0x${c.toString(16)}`);
    }
    if (units.length >= FLUSH) {
      out += String.fromCharCode.apply(null, units);
      units.length = 0;
    }
  }
  return out + String.fromCharCode.apply(null, units);
}
