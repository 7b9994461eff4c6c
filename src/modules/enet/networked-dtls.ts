/**
 * NetworkedMultiplayerENet's DTLS settings (Godot 3.x: `use_dtls`, `dtls_verify`,
 * `set_dtls_key`, `set_dtls_certificate`, and 3.4's `dtls_hostname`) and how they turn an
 * ENet host into a DTLS server or client — the same DTLS over ENet as Godot 4's
 * ENetConnection (enet-dtls.ts): every ENet datagram is one DTLS record.
 * @see godot 3.x modules/enet/networked_multiplayer_enet.cpp create_server, create_client
 *      (enet_host_dtls_server_setup(host, key, cert); enet_host_dtls_client_setup(host, cert,
 *      dtls_verify, hostname))
 *
 * Server: presents `certificate` with `key`; both must be set (create_server fails with
 * ERR_INVALID_PARAMETER otherwise, as in Godot). Client: with `dtls_verify` (the default) the
 * server's certificate must chain to `certificate` when one is set, else to the trusted CAs,
 * and match the host name — `dtls_hostname` when set, else the address given to
 * create_client (Godot 3.2 always uses the address; 3.4 added dtls_hostname). Without
 * `dtls_verify` nothing is checked.
 */
import type { CryptoKey } from '../../core/crypto/crypto-key.js';
import { TLSOptions } from '../../core/crypto/tls-options.js';
import type { X509Certificate } from '../../core/crypto/x509-certificate.js';
import { Error } from '../../core/error.js';
import type { ENetConnection } from './enet-connection.js';
import { godot3ClientOptions } from './enet-dtls.js';

export class NetworkedDtlsSettings {
  enabled = false;
  verify = true;
  key: CryptoKey | null = null;
  certificate: X509Certificate | null = null;
  /** '' = the address given to createClient. */
  hostname = '';

  /** Why a server cannot start with these settings; null when it can (or DTLS is off). */
  serverProblem(): string | null {
    if (!this.enabled) return null;
    return this.key && this.certificate ? null : 'DTLS is enabled but the key or the certificate is missing (setDtlsKey, setDtlsCertificate).';
  }

  /** Makes the bound server host `conn` a DTLS server; OK when DTLS is off. */
  applyServer(conn: ENetConnection): Error {
    if (!this.enabled) return Error.OK;
    if (!this.key || !this.certificate) return Error.ERR_INVALID_PARAMETER;
    return conn.dtlsServerSetup(TLSOptions.server(this.key, this.certificate));
  }

  /** Makes the client host `conn` a DTLS client of the server at `address`; OK when DTLS is off. */
  applyClient(conn: ENetConnection, address: string): Error {
    if (!this.enabled) return Error.OK;
    return conn.dtlsClientSetup(this.hostname || address, godot3ClientOptions(this.verify, this.certificate));
  }
}
