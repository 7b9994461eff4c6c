/**
 * Lazy loader of gdwire's native addon (native/, built by `npm install` with node-gyp against
 * the OpenSSL inside the node binary). The rest of gdwire never needs it: when it is missing
 * or fails to load, {@link loadNative} returns null, {@link nativeLoadError} says why, and the
 * DTLS classes answer ERR_UNAVAILABLE instead of throwing.
 *
 * $GDWIRE_NATIVE may name the .node file to load instead of the one found beside the package.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Opaque handles owned by the addon (freed by the garbage collector or sessionFree). */
export interface NativeContext { readonly __nativeContext: unique symbol }
export interface NativeSession { readonly __nativeSession: unique symbol }

export interface NativeSessionError {
  /** OpenSSL's error queue at the failure, as text. */
  reason: string;
  /** X509_V_* result of the peer certificate check (0 = X509_V_OK). */
  verify: number;
  verifyText: string;
}

export interface NativeSessionInfo {
  version: string;
  cipher: string;
  peerCertificate: Uint8Array | null;
}

/** The functions native/dtls.c and native/pkey.c export (see the comments there). */
export interface NativeAddon {
  createContext(server: boolean, certPem: string | null, keyPem: string | null, trustPem: string | null,
    verify: boolean, cookieSecret: Uint8Array | null, cipherList?: string | null): NativeContext;
  sessionNew(ctx: NativeContext, hostname: string | null, sni: string | null, mtu: number,
    timerInitialMs: number, peerId: Uint8Array | null): NativeSession;
  sessionFeed(s: NativeSession, datagram: Uint8Array): boolean;
  sessionListen(s: NativeSession, epoch: number): -1 | 0 | 1;
  sessionHandshake(s: NativeSession): -1 | 0 | 1;
  sessionRead(s: NativeSession): Uint8Array | -1 | 0 | 1;
  sessionWrite(s: NativeSession, data: Uint8Array): number;
  /** Feeds datagrams and returns the decrypted records; a final 1 (close_notify) or -1 (fatal) ends it. */
  sessionRecv(s: NativeSession, datagrams: readonly Uint8Array[]): Array<Uint8Array | 1 | -1>;
  /** Encrypts one record; the datagram to send (an array when several), or 0 (would block) / -1 (fatal). */
  sessionSend(s: NativeSession, data: Uint8Array): Uint8Array | Uint8Array[] | 0 | -1;
  /**
   * Feeds datagrams[0 .. count) (none: reads what the engine holds) and decrypts every record
   * into the memory of the datagram that carried it — the datagrams are overwritten, so the
   * caller must own them. Results go to `table` (an Int32Array of at least 7 entries):
   * [0] 0 | 1 (close_notify) | -1 (fatal), [1] records, [2] datagrams consumed (fewer than
   * `count` when the table filled: pass the rest again), [3] datagrams waiting for
   * sessionDrain; then per record its datagram's index (-1: in the returned spill), offset
   * and length. Returns the spill (records that could not stay in place), else undefined.
   */
  sessionRecvInto(s: NativeSession, datagrams: readonly Uint8Array[], count: number, table: Int32Array): Uint8Array | undefined;
  /**
   * Encrypts one record straight into out[offset …]: its length, 0 (would block), -1 (fatal)
   * or -2 (written to the out queue instead — no room, or several datagrams: sessionDrain).
   */
  sessionSendInto(s: NativeSession, data: Uint8Array, out: Uint8Array, offset: number): number;
  sessionPending(s: NativeSession): number;
  sessionDrain(s: NativeSession): Uint8Array[];
  sessionTimeout(s: NativeSession): number;
  sessionHandleTimeout(s: NativeSession): -1 | 0 | 1;
  sessionShutdown(s: NativeSession): number;
  sessionError(s: NativeSession): NativeSessionError;
  sessionInfo(s: NativeSession): NativeSessionInfo;
  sessionFree(s: NativeSession): void;
  opensslVersion(): string;
  pkeySign(privatePem: string, digest: string, hash: Uint8Array): Uint8Array;
  pkeyVerify(pem: string, digest: string, hash: Uint8Array, signature: Uint8Array): boolean;
  pkeyDecrypt(privatePem: string, ciphertext: Uint8Array): Uint8Array;
}

/** X509_V_ERR_HOSTNAME_MISMATCH (openssl/x509_vfy.h). */
export const X509_V_ERR_HOSTNAME_MISMATCH = 62;
/** X509_V_ERR_IP_ADDRESS_MISMATCH (openssl/x509_vfy.h). */
export const X509_V_ERR_IP_ADDRESS_MISMATCH = 64;

const ADDON_FILE = join('build', 'Release', 'gdwire_dtls.node');
/** Functions added after the first release of the addon (checked on load). */
const REQUIRED: ReadonlyArray<keyof NativeAddon> = ['sessionRecvInto', 'sessionSendInto'];

let cached: NativeAddon | null | undefined;
let loadError = '';

/** The .node file: $GDWIRE_NATIVE, else build/Release/ in the nearest package root above. */
function findAddon(): string | null {
  const override = process.env['GDWIRE_NATIVE'];
  if (override) return override;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, ADDON_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

/** The addon, loaded on first use; null when it is not built or does not load. */
export function loadNative(): NativeAddon | null {
  if (cached !== undefined) return cached;
  const path = findAddon();
  if (!path) {
    loadError = `native addon not built (${ADDON_FILE} not found): run \`npm install\` or \`npm rebuild\``;
    cached = null;
    return null;
  }
  try {
    const req = createRequire(import.meta.url);
    const addon = req(path) as Partial<NativeAddon>;
    // A build left over from an older gdwire lacks the newer functions: refuse it clearly
    // rather than fail later inside poll().
    const missing = REQUIRED.filter((f) => typeof addon[f] !== 'function');
    if (missing.length > 0) {
      loadError = `native addon ${path} is out of date (no ${missing.join(', ')}): run \`npm rebuild\``;
      cached = null;
    } else {
      cached = addon as NativeAddon;
    }
  } catch (e) {
    loadError = `native addon ${path} failed to load: ${e instanceof globalThis.Error ? e.message : String(e)}`;
    cached = null;
  }
  return cached;
}

/** Why {@link loadNative} returned null ("" when it loaded or was not tried). */
export function nativeLoadError(): string {
  return loadError;
}

/** True when DTLS (and the addon's crypto helpers) can be used in this process. */
export function isNativeAvailable(): boolean {
  return loadNative() !== null;
}
