/**
 * Hex fixtures with comments: `fromHex('02000000 # header: INT\n 2a000000 # 42')` — everything
 * after `#` on a line is a comment; whitespace is ignored.
 */
export function fromHex(text: string): Uint8Array {
  const digits = text.split('\n').map((line) => line.replace(/#.*$/, '')).join('').replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`bad hex fixture: ${digits}`);
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
