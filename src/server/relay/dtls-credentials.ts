/**
 * `--dtls-cert` / `--dtls-key`: the PEM certificate and private key a relay presents to
 * clients that use DTLS over ENet (Godot 4: `ENetConnection.dtls_client_setup`; Godot 3.x:
 * NetworkedMultiplayerENet `use_dtls`). Loaded and checked before anything binds, so a bad
 * file is one clear sentence at start instead of every client failing its handshake later.
 *
 * Checked here, in this order: the native DTLS addon loads (DTLS rides on Node's OpenSSL
 * through it); the certificate file reads and holds at least one certificate; the key file
 * reads and holds a private key; the key is the one the (first) certificate certifies.
 */
import { CryptoKey } from '../../core/crypto/crypto-key.js';
import { loadNative, nativeLoadError } from '../../core/crypto/native.js';
import { TLSOptions } from '../../core/crypto/tls-options.js';
import { X509Certificate } from '../../core/crypto/x509-certificate.js';
import { Error as GodotErr } from '../../core/error.js';
import type { ENetConnection } from '../../modules/enet/enet-connection.js';

/** Why DTLS cannot be set up: `input` = the files (the operator's mistake), `unavailable` = this build. */
export class DtlsCredentialsError extends Error {
  constructor(readonly kind: 'input' | 'unavailable', message: string) {
    super(message);
    this.name = 'DtlsCredentialsError';
  }
}

/** The paths as configured (`ServerConfig.dtlsCert` / `dtlsKey`); both null = no DTLS. */
export interface DtlsPaths {
  readonly dtlsCert: string | null;
  readonly dtlsKey: string | null;
}

/**
 * Server options (TLSOptions.server) from the configured PEM files; null when DTLS is not
 * configured. Throws {@link DtlsCredentialsError} saying which file is wrong and how.
 */
export function loadDtlsServerOptions(paths: DtlsPaths): TLSOptions | null {
  const { dtlsCert, dtlsKey } = paths;
  if (dtlsCert === null && dtlsKey === null) return null;
  if (dtlsCert === null || dtlsKey === null) {
    throw new DtlsCredentialsError('input', '--dtls-cert and --dtls-key go together');
  }
  if (!loadNative()) {
    // Node's "Cannot find module" carries a require stack: the first line says it all.
    const why = nativeLoadError().split('\n')[0] ?? '';
    throw new DtlsCredentialsError('unavailable',
      `DTLS is unavailable in this build (the native addon did not load: ${why}); start without --dtls-cert/--dtls-key, or build the addon (npm rebuild)`);
  }
  const cert = new X509Certificate();
  const certErr = cert.load(dtlsCert);
  if (certErr === GodotErr.ERR_INVALID_PARAMETER) throw new DtlsCredentialsError('input', `--dtls-cert: cannot read "${dtlsCert}"`);
  if (certErr !== GodotErr.OK) throw new DtlsCredentialsError('input', `--dtls-cert: "${dtlsCert}" holds no valid PEM certificate`);
  const key = new CryptoKey();
  const keyErr = key.load(dtlsKey);
  if (keyErr === GodotErr.ERR_INVALID_PARAMETER) throw new DtlsCredentialsError('input', `--dtls-key: cannot read "${dtlsKey}"`);
  if (keyErr !== GodotErr.OK || key.isPublicOnly() || !key.parsed()?.privatePem) {
    throw new DtlsCredentialsError('input', `--dtls-key: "${dtlsKey}" holds no PEM private key`);
  }
  // OpenSSL would refuse the pair too, but only as "context creation failed".
  const leaf = cert.parsed()[0];
  if (!leaf || leaf.publicKeyPem !== key.parsed()?.publicPem) {
    throw new DtlsCredentialsError('input',
      `--dtls-key "${dtlsKey}" does not match the certificate in --dtls-cert "${dtlsCert}" (subject ${leaf?.subject.replace(/\n/g, ', ') ?? '?'})`);
  }
  return TLSOptions.server(key, cert);
}

/** Turns `conn` (already bound) into a DTLS server; throws with the reason when it cannot. */
export function enableServerDtls(conn: ENetConnection, options: TLSOptions): void {
  const err = conn.dtlsServerSetup(options);
  if (err !== GodotErr.OK) {
    throw new DtlsCredentialsError(err === GodotErr.ERR_UNAVAILABLE ? 'unavailable' : 'input',
      `DTLS over ENet could not be enabled (${GodotErr[err] ?? err}): see the log line before this one`);
  }
}
