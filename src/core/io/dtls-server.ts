/**
 * DTLSServer: accepts DTLS clients arriving on a UDPServer (Godot 4.x API, with Godot 3.2's
 * setup(key, certificate, chain) form beside it).
 * @see godot modules/mbedtls/dtls_server_mbedtls.cpp
 *
 * ```ts
 * const udp = new UDPServer(); await udp.listen(4433);
 * const dtls = new DTLSServer(); dtls.setup(TLSOptions.server(key, cert));
 * // each frame:
 * udp.poll();
 * while (udp.isConnectionAvailable()) {
 *   const peer = dtls.takeConnection(udp.takeConnection()!);
 *   if (peer.getStatus() === PacketPeerDTLS.STATUS_HANDSHAKING) peers.push(peer); // else: cookie exchange
 * }
 * for (const p of peers) p.poll();
 * ```
 *
 * Cookies are stateless (RFC 6347 §4.2.1): HMAC-SHA256 under a per-server random secret over
 * the client's address, port and a 30-second epoch (a cookie stays valid 30–60 s). Until a
 * ClientHello carries a valid cookie nothing is kept for the client: the peer answering the
 * first ClientHello with a HelloVerifyRequest goes to STATUS_ERROR and drops its UDP peer at
 * once, exactly like Godot's, so the client's retry shows up as a new connection.
 */
import { EventEmitter } from 'node:events';
import { defaultPlatform } from '../../platform/default.js';
import type { Platform } from '../../platform/platform.js';
import { Error, GodotError } from '../error.js';
import type { CryptoKey } from '../crypto/crypto-key.js';
import { serverContext, type DTLSTuning } from '../crypto/dtls-context.js';
import { loadNative, nativeLoadError, type NativeAddon, type NativeContext } from '../crypto/native.js';
import { TLSOptions } from '../crypto/tls-options.js';
import { X509Certificate } from '../crypto/x509-certificate.js';
import type { GodotVersion } from '../variant/variant.js';
import { PacketPeerDTLS, kAccept } from './packet-peer-dtls.js';
import type { PacketPeerUDP } from './packet-peer-udp.js';
import type { UDPServer } from './udp-server.js';

export interface DTLSServerOptions extends DTLSTuning {
  /** Clock, randomness (cookie secret) and logger; default {@link defaultPlatform}. */
  platform?: Platform;
  /** Variant format of the peers it creates. Default 4. */
  godot?: GodotVersion;
}

/** Cookies carry floor(now / COOKIE_EPOCH_MS) mod 256; the current and previous epochs verify. */
export const COOKIE_EPOCH_MS = 30_000;

export interface DTLSServer {
  on(event: 'connection', listener: (peer: PacketPeerDTLS) => void): this;
  on(event: string | symbol, listener: (...args: never[]) => void): this;
  once(event: 'connection', listener: (peer: PacketPeerDTLS) => void): this;
  once(event: string | symbol, listener: (...args: never[]) => void): this;
}

export class DTLSServer extends EventEmitter {
  readonly platform: Platform;
  private readonly options: DTLSServerOptions;
  private native: NativeAddon | null = null;
  private ctx: NativeContext | null = null;
  private tls: TLSOptions | null = null;
  private accepting: { udp: UDPServer; onConnection: (u: PacketPeerUDP) => void } | null = null;
  private readonly handshaking = new Set<PacketPeerDTLS>();

  constructor(options: DTLSServerOptions = {}) {
    super();
    this.platform = options.platform ?? defaultPlatform();
    this.options = options;
  }

  /**
   * Configures the server: Godot 4 `setup(TLSOptions.server(key, cert))` or Godot 3.2
   * `setup(key, certificate, chain = null)`. ERR_ALREADY_IN_USE when already set up,
   * ERR_INVALID_PARAMETER for client options or an unusable key/certificate,
   * ERR_UNAVAILABLE when the native addon is missing.
   */
  setup(serverOptions: TLSOptions): Error;
  setup(key: CryptoKey, certificate: X509Certificate, chain?: X509Certificate | null): Error;
  setup(a: TLSOptions | CryptoKey, certificate?: X509Certificate, chain?: X509Certificate | null): Error {
    if (this.ctx) return Error.ERR_ALREADY_IN_USE;
    let options: TLSOptions;
    if (a instanceof TLSOptions) {
      options = a;
    } else {
      if (!certificate) return Error.ERR_INVALID_PARAMETER;
      let full = certificate;
      if (chain && chain.getCertificateCount() > 0) {
        const joined = X509Certificate.fromDer(...certificate.parsed().map((c) => c.der), ...chain.parsed().map((c) => c.der));
        if (!joined) return Error.ERR_INVALID_PARAMETER;
        full = joined;
      }
      options = TLSOptions.server(a, full);
    }
    const key = options.getPrivateKey();
    const cert = options.getOwnCertificate();
    if (!options.isServer() || !key || !cert) return Error.ERR_INVALID_PARAMETER;
    const native = loadNative();
    if (!native) {
      this.platform.logger.log('error', 'DTLSServer: DTLS unavailable', { reason: nativeLoadError() });
      return Error.ERR_UNAVAILABLE;
    }
    const secret = new Uint8Array(32);
    this.platform.random.fill(secret);
    try {
      this.ctx = serverContext(native, key, cert, secret);
    } catch (e) {
      if (e instanceof GodotError) return e.code;
      throw e;
    }
    this.native = native;
    this.tls = options;
    return Error.OK;
  }

  /**
   * Starts the server side of a handshake on `udpPeer` (from UDPServer.takeConnection()).
   * Always returns a peer: STATUS_HANDSHAKING when the ClientHello carried a valid cookie (or
   * nothing decisive has arrived yet), STATUS_ERROR after the cookie exchange or a failure,
   * STATUS_DISCONNECTED when the server is not set up or the UDP peer is not connected.
   */
  takeConnection(udpPeer: PacketPeerUDP): PacketPeerDTLS {
    const peer = new PacketPeerDTLS({ ...this.options, platform: this.platform, godot: this.options.godot ?? 4 });
    if (!this.native || !this.ctx || !udpPeer) return peer;
    const epoch = Math.floor(this.platform.clock.now() / COOKIE_EPOCH_MS) & 0xff;
    peer[kAccept](udpPeer, this.native, this.ctx, epoch);
    return peer;
  }

  // --- gdwire additions ----------------------------------------------------------------------

  /**
   * Node form: accepts clients arriving on `udpServer` by itself (it listens to the UDP
   * server's 'connection' event, which makes that server poll on every datagram). Each
   * handshaking peer polls itself (PacketPeerDTLS.setAutoPoll); a peer that connects is
   * emitted as 'connection' (attach a 'packet' listener there); cookie exchanges and failed
   * handshakes are dropped quietly. ERR_UNCONFIGURED before setup(), ERR_ALREADY_IN_USE when
   * already accepting.
   */
  acceptFrom(udpServer: UDPServer): Error {
    if (!this.ctx) return Error.ERR_UNCONFIGURED;
    if (this.accepting) return Error.ERR_ALREADY_IN_USE;
    const onConnection = (udpPeer: PacketPeerUDP): void => {
      const peer = this.takeConnection(udpPeer);
      if (peer.getStatus() !== PacketPeerDTLS.STATUS_HANDSHAKING) return;
      this.handshaking.add(peer);
      void peer.waitForHandshake().then((status) => {
        this.handshaking.delete(peer);
        if (status === PacketPeerDTLS.STATUS_CONNECTED) this.emit('connection', peer);
      });
      peer.setAutoPoll(true);
    };
    this.accepting = { udp: udpServer, onConnection };
    udpServer.on('connection', onConnection);
    return Error.OK;
  }

  /** Stops {@link acceptFrom}: peers still handshaking are dropped; connected ones are not touched. */
  stopAccepting(): void {
    if (!this.accepting) return;
    this.accepting.udp.off('connection', this.accepting.onConnection);
    this.accepting = null;
    for (const p of this.handshaking) p.disconnectFromPeer();
    this.handshaking.clear();
  }

  /** The options given to setup(), or null. */
  getTlsOptions(): TLSOptions | null {
    return this.tls;
  }
}
