/**
 * Turns TLSOptions into native DTLS contexts, and holds the DTLS tunables that are gdwire's
 * own (Godot sets none: mbedTLS defaults apply there).
 */
import { defaultTrustedPem } from '../../platform/crypto.js';
import { Error, GodotError } from '../error.js';
import type { CryptoKey } from './crypto-key.js';
import type { NativeAddon, NativeContext } from './native.js';
import { TLSVerifyMode, type TLSOptions } from './tls-options.js';
import type { X509Certificate } from './x509-certificate.js';

export interface DTLSTuning {
  /**
   * Largest datagram the DTLS layer writes, in bytes of UDP payload (handshake messages are
   * fragmented to fit). Default 1400: below the 1472/1452 bytes of a 1500-byte Ethernet MTU.
   */
  mtu?: number;
  /** First retransmission interval of a handshake flight, doubled on each retry up to 60 s. Default 1000 ms (as mbedTLS). */
  retransmitMs?: number;
  /** A handshake not finished after this long fails with STATUS_ERROR. Default 60000 ms. */
  handshakeTimeoutMs?: number;
}

export const DEFAULT_MTU = 1400;
export const DEFAULT_RETRANSMIT_MS = 1000;
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 60_000;

export interface ResolvedTuning {
  mtu: number;
  retransmitMs: number;
  handshakeTimeoutMs: number;
}

export function resolveTuning(t: DTLSTuning = {}): ResolvedTuning {
  return {
    mtu: Math.min(Math.max(Math.floor(t.mtu ?? DEFAULT_MTU), 256), 65507),
    retransmitMs: Math.max(t.retransmitMs ?? DEFAULT_RETRANSMIT_MS, 1),
    handshakeTimeoutMs: Math.max(t.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS, 1),
  };
}

/** How a client checks its server: the native context and the host name to verify (null = none). */
export interface ClientAuth {
  ctx: NativeContext;
  verifyHost: string | null;
}

/** An OpenSSL error thrown by the addon (it carries a stable `code` string). */
function nativeCode(e: unknown): string {
  return e instanceof globalThis.Error && 'code' in e ? String((e as { code: unknown }).code) : '';
}

/** Client contexts by trusted-chain PEM (a few distinct chains at most in practice). */
const clientCache = new Map<string, NativeContext>();
const CLIENT_CACHE_MAX = 32;
let defaultTrustCtx: NativeContext | null = null;
let unsafeCtx: NativeContext | null = null;

/** A client context for `options`: cached per trusted chain, so many peers share one. */
export function clientContext(native: NativeAddon, options: TLSOptions, hostname: string): ClientAuth {
  const mode = options.getVerifyMode();
  const chain = options.getTrustedCaChain();
  const verifyHost = mode === TLSVerifyMode.FULL ? options.getCommonNameOverride() || hostname : null;
  try {
    if (mode === TLSVerifyMode.NONE) {
      unsafeCtx ??= native.createContext(false, null, null, null, false, null);
      return { ctx: unsafeCtx, verifyHost };
    }
    if (!chain) {
      defaultTrustCtx ??= native.createContext(false, null, null, defaultTrustedPem(), true, null);
      return { ctx: defaultTrustCtx, verifyHost };
    }
    const pem = chain.saveToString();
    let ctx = clientCache.get(pem);
    if (!ctx) {
      ctx = native.createContext(false, null, null, pem, true, null);
      if (clientCache.size >= CLIENT_CACHE_MAX) clientCache.clear();
      clientCache.set(pem, ctx);
    }
    return { ctx, verifyHost };
  } catch (e) {
    throw new GodotError(Error.ERR_INVALID_PARAMETER, `DTLS client context: ${String(e)} ${nativeCode(e)}`);
  }
}

/** A server context; ERR_INVALID_PARAMETER when the key or certificate is unusable. */
export function serverContext(native: NativeAddon, key: CryptoKey, certificate: X509Certificate,
  cookieSecret: Uint8Array): NativeContext {
  const k = key.parsed();
  const pem = certificate.saveToString();
  if (!k?.privatePem || key.isPublicOnly() || pem === '') {
    throw new GodotError(Error.ERR_INVALID_PARAMETER, 'DTLS server needs a private key and a certificate');
  }
  try {
    return native.createContext(true, pem, k.privatePem, null, false, cookieSecret);
  } catch (e) {
    throw new GodotError(Error.ERR_INVALID_PARAMETER, `DTLS server context: ${String(e)}`);
  }
}
