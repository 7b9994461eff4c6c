/**
 * TLSOptions: how a TLS/DTLS peer authenticates (Godot 4.x).
 * @see godot core/crypto/crypto.cpp TLSOptions
 *
 * - client(trustedChain, commonNameOverride): verify the chain against `trustedChain` (or the
 *   default trust store: Node's bundled Mozilla roots) and the host name (the override, or
 *   the name given to connectToPeer);
 * - clientUnsafe(trustedChain): no host name check; with a chain the chain is still verified,
 *   without one nothing is;
 * - server(key, certificate): the server's key and certificate chain (leaf first).
 */
import { CryptoKey } from './crypto-key.js';
import { X509Certificate } from './x509-certificate.js';

export enum TLSVerifyMode {
  /** Verify chain and host name. */
  FULL = 0,
  /** Verify the chain only (clientUnsafe with a chain). */
  CHAIN_ONLY = 1,
  /** Verify nothing (clientUnsafe without a chain). */
  NONE = 2,
}

export class TLSOptions {
  private constructor(
    private readonly server: boolean,
    private readonly verifyMode: TLSVerifyMode,
    private readonly trustedChain: X509Certificate | null,
    private readonly commonNameOverride: string,
    private readonly key: CryptoKey | null,
    private readonly certificate: X509Certificate | null,
  ) {}

  static client(trustedChain: X509Certificate | null = null, commonNameOverride = ''): TLSOptions {
    return new TLSOptions(false, TLSVerifyMode.FULL, trustedChain, commonNameOverride, null, null);
  }

  static clientUnsafe(trustedChain: X509Certificate | null = null): TLSOptions {
    const mode = trustedChain ? TLSVerifyMode.CHAIN_ONLY : TLSVerifyMode.NONE;
    return new TLSOptions(false, mode, trustedChain, '', null, null);
  }

  static server(key: CryptoKey, certificate: X509Certificate): TLSOptions {
    return new TLSOptions(true, TLSVerifyMode.NONE, null, '', key, certificate);
  }

  isServer(): boolean {
    return this.server;
  }

  /** True for clientUnsafe() options (with or without a chain). */
  isUnsafeClient(): boolean {
    return !this.server && this.verifyMode !== TLSVerifyMode.FULL;
  }

  getCommonNameOverride(): string {
    return this.commonNameOverride;
  }

  getTrustedCaChain(): X509Certificate | null {
    return this.trustedChain;
  }

  getPrivateKey(): CryptoKey | null {
    return this.key;
  }

  getOwnCertificate(): X509Certificate | null {
    return this.certificate;
  }

  // --- gdwire addition -----------------------------------------------------------------------

  getVerifyMode(): TLSVerifyMode {
    return this.verifyMode;
  }
}
