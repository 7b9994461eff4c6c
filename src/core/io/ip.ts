/**
 * IP address helpers: parsing, canonical text, classification. Pure functions (no I/O, no
 * imports), so both the core classes and the in-memory network (platform/) can use them.
 *
 * The canonical text form is gdwire's stand-in for Godot's 16-byte `IPAddress`: two
 * addresses are the same Godot IPAddress exactly when their canonical texts are equal.
 * IPv4 and IPv4-mapped IPv6 (::ffff:a.b.c.d) share one form, dotted IPv4, because Godot
 * stores both as the same 16 bytes and prints the mapped form as IPv4.
 * @see godot core/io/ip_address.cpp (IPAddress::_parse_ipv6, operator String)
 */

/** Parses a dotted quad ("1.2.3.4", four decimal parts 0–255, no leading "+"). */
function parseIPv4Parts(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (p.length === 0 || p.length > 3 || !/^[0-9]+$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

/** Parses IPv6 text (with optional trailing dotted IPv4) into 8 16-bit groups. */
function parseIPv6Groups(s: string): number[] | null {
  if (s.length === 0 || s.length > 45) return null;
  let text = s;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.indexOf('.', lastColon) > lastColon) {
    const v4 = parseIPv4Parts(text.slice(lastColon + 1));
    if (!v4) return null;
    tail.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
    // "a::1.2.3.4" leaves "a::"; "a:b:1.2.3.4" leaves "a:b:", whose trailing ":" goes.
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parseHalf = (h: string): number[] | null => {
    if (h.length === 0) return [];
    const groups: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      groups.push(parseInt(g, 16));
    }
    return groups;
  };
  const head = parseHalf(halves[0] ?? '');
  const rest = halves.length === 2 ? parseHalf(halves[1] ?? '') : [];
  if (!head || !rest) return null;
  const explicit = head.length + rest.length + tail.length;
  if (halves.length === 1) return explicit === 8 ? [...head, ...tail] : null;
  if (explicit > 7) return null;
  return [...head, ...new Array<number>(8 - explicit).fill(0), ...rest, ...tail];
}

function splitZone(s: string): [string, string] {
  const i = s.indexOf('%');
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i)];
}

function isMappedGroups(g: readonly number[]): boolean {
  return g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff;
}

/** RFC 5952 text for 8 groups: lowercase, longest run (≥ 2) of zero groups as "::". */
function formatIPv6Groups(g: readonly number[]): string {
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a: number, b: number): string => g.slice(a, b).map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}

/**
 * Canonical text of an IP literal, or null when `s` is not one. IPv4 and IPv4-mapped IPv6
 * become dotted IPv4; other IPv6 becomes RFC 5952 text; a zone suffix ("%eth0") is kept.
 * Host names, "*" and the empty string are not IP literals.
 */
export function normalizeIp(s: string): string | null {
  const v4 = parseIPv4Parts(s);
  if (v4) return v4.join('.');
  const [addr, zone] = splitZone(s);
  const g = parseIPv6Groups(addr);
  if (!g) return null;
  if (isMappedGroups(g)) {
    return `${(g[6] ?? 0) >> 8}.${(g[6] ?? 0) & 255}.${(g[7] ?? 0) >> 8}.${(g[7] ?? 0) & 255}`;
  }
  return formatIPv6Groups(g) + zone;
}

/** Godot's String.is_valid_ip_address(). */
export function isValidIp(s: string): boolean {
  return normalizeIp(s) !== null;
}

/** 4 for IPv4 (and IPv4-mapped IPv6), 6 for other IPv6, 0 for anything else. */
export function ipFamily(s: string): 0 | 4 | 6 {
  const n = normalizeIp(s);
  if (n === null) return 0;
  return n.includes(':') ? 6 : 4;
}

/** Godot's IPAddress 16-byte form (IPv4 as ::ffff:a.b.c.d); null when not an IP literal. */
export function ipToBytes(s: string): Uint8Array | null {
  const n = normalizeIp(s);
  if (n === null) return null;
  const out = new Uint8Array(16);
  if (!n.includes(':')) {
    out[10] = 0xff;
    out[11] = 0xff;
    n.split('.').forEach((p, i) => { out[12 + i] = Number(p); });
    return out;
  }
  const g = parseIPv6Groups(splitZone(n)[0]) ?? [];
  g.forEach((v, i) => { out[2 * i] = v >> 8; out[2 * i + 1] = v & 255; });
  return out;
}

/** Canonical text of a 16-byte address (the inverse of {@link ipToBytes}). */
export function bytesToIp(b: Uint8Array): string {
  if (b.length !== 16) throw new RangeError('an IP address is 16 bytes');
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(((b[2 * i] ?? 0) << 8) | (b[2 * i + 1] ?? 0));
  if (isMappedGroups(g)) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  return formatIPv6Groups(g);
}

/** Godot's wildcard bind address "*" (all IPv4 and IPv6 addresses). */
export function isWildcard(s: string): boolean {
  return s === '*';
}

/** 0.0.0.0 or :: (the "any" address of one family). */
export function isUnspecified(s: string): boolean {
  const n = normalizeIp(s);
  return n === '0.0.0.0' || n === '::';
}

/** 127.0.0.0/8 or ::1. */
export function isLoopback(s: string): boolean {
  const n = normalizeIp(s);
  return n !== null && (n === '::1' || n.startsWith('127.'));
}

/** 224.0.0.0/4 or ff00::/8. */
export function isMulticast(s: string): boolean {
  const n = normalizeIp(s);
  if (n === null) return false;
  if (n.includes(':')) return n.startsWith('ff');
  const first = Number(n.split('.')[0]);
  return first >= 224 && first <= 239;
}

/** "1.2.3.4:5" or "[::1]:5". */
export function formatEndpoint(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/**
 * Parses "ip", "ip:port" or "[ipv6]:port" (a bare IPv6 literal is taken as an address
 * without port). Returns the canonical address and the port (undefined when absent).
 */
export function parseEndpoint(s: string): { ip: string; port: number | undefined } | null {
  let host = s;
  let portText: string | undefined;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) return null;
    host = s.slice(1, close);
    const rest = s.slice(close + 1);
    if (rest.length > 0) {
      if (!rest.startsWith(':')) return null;
      portText = rest.slice(1);
    }
  } else if (s.split(':').length === 2) {
    const i = s.indexOf(':');
    host = s.slice(0, i);
    portText = s.slice(i + 1);
  }
  const ip = normalizeIp(host);
  if (ip === null) return null;
  if (portText === undefined) return { ip, port: undefined };
  if (!/^[0-9]{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  return port <= 65535 ? { ip, port } : null;
}
