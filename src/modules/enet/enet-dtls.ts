/**
 * DTLS over ENet (Godot 4): ENetConnection.dtlsServerSetup / dtlsClientSetup put a DTLS layer
 * between the ENet host and its socket (ENetHostDriver.setTransport). Every ENet datagram
 * travels as one DTLS 1.2 application-data record, with no framing of its own — what Godot's
 * enet_godot.cpp does — so a gdwire host and a Godot 4 host can talk encrypted.
 * @see godot modules/enet/enet_connection.cpp dtls_server_setup, dtls_client_setup
 * @see godot thirdparty/enet/enet_godot.cpp enet_host_dtls_server_setup, enet_host_dtls_client_setup
 *
 * Errors (Godot's): ERR_UNCONFIGURED without a host (checked by ENetConnection);
 * ERR_INVALID_PARAMETER for options of the wrong kind; FAILED when the host already uses
 * DTLS (Godot: the socket can no longer be "upgraded"). gdwire adds ERR_UNAVAILABLE when the
 * native addon is missing (Godot: FAILED, "DTLS is not available in this build") and
 * ERR_INVALID_PARAMETER for an unusable key or certificate, an empty or NUL-carrying host
 * name to verify (Godot accepts them and then fails every handshake).
 *
 * ENet's MTU is left alone, as in Godot: a 1400-byte ENet datagram becomes a record of about
 * 1430 bytes (13-byte header plus the cipher's nonce and tag), still under a 1500-byte
 * Ethernet MTU. DTLS handshake messages are fragmented to {@link DTLSTuning.mtu} (1400).
 */
import { clientContext, resolveTuning, serverContext, type DTLSTuning } from '../../core/crypto/dtls-context.js';
import { loadNative, nativeLoadError } from '../../core/crypto/native.js';
import { TLSOptions, TLSVerifyMode } from '../../core/crypto/tls-options.js';
import type { X509Certificate } from '../../core/crypto/x509-certificate.js';
import { Error, GodotError } from '../../core/error.js';
import type { ENetHostDriver } from './enet-driver.js';
import { ENetDTLSClient } from './enet-dtls-client.js';
import { ENetDTLSServer, type ENetDTLSStatistics } from './enet-dtls-server.js';

export type { DTLSTuning } from '../../core/crypto/dtls-context.js';
export type { TLSOptions } from '../../core/crypto/tls-options.js';
export { ENET_DTLS_TIMEOUT_MS, ENetDTLSServer, type ENetDTLSStatistics } from './enet-dtls-server.js';
export { ENetDTLSClient, MAX_QUEUED } from './enet-dtls-client.js';

/** Makes `driver` a DTLS server with `options` (TLSOptions.server). */
export function dtlsServerSetup(driver: ENetHostDriver, options: TLSOptions | null | undefined, tuning?: DTLSTuning): Error {
  const log = driver.platform.logger;
  if (!(options instanceof TLSOptions) || !options.isServer()) {
    log.log('error', 'ENetConnection.dtlsServerSetup: server options (TLSOptions.server(key, certificate)) expected');
    return Error.ERR_INVALID_PARAMETER;
  }
  if (driver.getTransport()) {
    log.log('error', 'ENetConnection.dtlsServerSetup: the host already uses DTLS');
    return Error.FAILED;
  }
  const key = options.getPrivateKey();
  const cert = options.getOwnCertificate();
  if (!key || !cert) return Error.ERR_INVALID_PARAMETER;
  const native = loadNative();
  if (!native) {
    log.log('error', 'ENetConnection.dtlsServerSetup: DTLS unavailable', { reason: nativeLoadError() });
    return Error.ERR_UNAVAILABLE;
  }
  const secret = new Uint8Array(32); // the cookie secret, per host
  driver.platform.random.fill(secret);
  try {
    const ctx = serverContext(native, key, cert, secret);
    driver.setTransport(new ENetDTLSServer(driver, native, ctx, resolveTuning(tuning)));
  } catch (e) {
    if (!(e instanceof GodotError)) throw e;
    log.log('error', 'ENetConnection.dtlsServerSetup: unusable key or certificate', { reason: e.message });
    return e.code;
  }
  return Error.OK;
}

/**
 * Makes `driver` a DTLS client verifying the server against `hostname` and `options`
 * (default TLSOptions.client(): the default trust store and the host name).
 */
export function dtlsClientSetup(driver: ENetHostDriver, hostname: string, options?: TLSOptions | null, tuning?: DTLSTuning): Error {
  const log = driver.platform.logger;
  const opts = options ?? TLSOptions.client();
  if (!(opts instanceof TLSOptions) || opts.isServer() || typeof hostname !== 'string' || hostname.includes('\0')) {
    log.log('error', 'ENetConnection.dtlsClientSetup: a host name and client options (TLSOptions.client/clientUnsafe) expected');
    return Error.ERR_INVALID_PARAMETER;
  }
  if (opts.getVerifyMode() === TLSVerifyMode.FULL && hostname === '' && opts.getCommonNameOverride() === '') {
    log.log('error', 'ENetConnection.dtlsClientSetup: TLSOptions.client() needs the host name to verify the server against');
    return Error.ERR_INVALID_PARAMETER;
  }
  if (driver.getTransport()) {
    log.log('error', 'ENetConnection.dtlsClientSetup: the host already uses DTLS');
    return Error.FAILED;
  }
  const native = loadNative();
  if (!native) {
    log.log('error', 'ENetConnection.dtlsClientSetup: DTLS unavailable', { reason: nativeLoadError() });
    return Error.ERR_UNAVAILABLE;
  }
  try {
    const auth = clientContext(native, opts, hostname);
    const client = new ENetDTLSClient(driver, native, auth, hostname, resolveTuning(tuning));
    driver.setTransport(client);
    client.prime();
  } catch (e) {
    if (!(e instanceof GodotError)) throw e;
    log.log('error', 'ENetConnection.dtlsClientSetup: unusable options', { reason: e.message });
    return e.code;
  }
  return Error.OK;
}

/** The DTLS counters of `driver` (null when it does not use DTLS). */
export function dtlsStatistics(driver: ENetHostDriver): ENetDTLSStatistics | null {
  const t = driver.getTransport();
  return t instanceof ENetDTLSServer || t instanceof ENetDTLSClient ? { ...t.stats } : null;
}

/**
 * Godot 3.x's NetworkedMultiplayerENet DTLS settings as client options: with `dtls_verify`
 * the server is verified against `certificate` (null: the default trust store) and the
 * address given to create_client; without, nothing is verified. The server side is
 * TLSOptions.server(dtls_key, dtls_certificate). Use with dtlsClientSetup(address, …).
 * @see godot 3.x modules/enet/networked_multiplayer_enet.cpp create_client (enet_host_dtls_client_setup)
 */
export function godot3ClientOptions(verify: boolean, certificate: X509Certificate | null): TLSOptions {
  return verify ? TLSOptions.client(certificate) : TLSOptions.clientUnsafe();
}
