/**
 * A DTLS tunnel for one ENet client that cannot encrypt by itself (Debian's Godot 3.2.3
 * ignores `use_dtls`): it listens on a loopback UDP port for the client's plain ENet datagrams
 * and carries each one as one DTLS record to the server (a gdwire PacketPeerDTLS, verifying
 * the server's certificate and host name), and each record from the server back as one plain
 * datagram. That is exactly DTLS over ENet's framing (one ENet datagram = one record), so the
 * server cannot tell the tunnel from a client doing DTLS itself. Loopback only.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { TLSOptions } from '../../src/core/crypto/tls-options.js';
import { Error } from '../../src/core/error.js';
import { DTLSStatus, PacketPeerDTLS } from '../../src/core/io/packet-peer-dtls.js';
import { PacketPeerUDP } from '../../src/core/io/packet-peer-udp.js';

export class DtlsTunnel {
  /** Datagrams carried each way. */
  up = 0;
  down = 0;
  private client: { port: number } | null = null;

  private constructor(private readonly front: Socket, private readonly udp: PacketPeerUDP, private readonly dtls: PacketPeerDTLS) {}

  /**
   * Connects to the DTLS server at 127.0.0.1:`serverPort` (handshake done, or an Error thrown)
   * and opens the plain side on a free loopback port ({@link port}).
   */
  static async open(serverPort: number, hostname: string, options: TLSOptions): Promise<DtlsTunnel> {
    const udp = new PacketPeerUDP();
    const err = await udp.connectToHost('127.0.0.1', serverPort);
    if (err !== Error.OK) throw new globalThis.Error(`tunnel: connectToHost ${Error[err]}`);
    const dtls = new PacketPeerDTLS();
    const started = dtls.connectToPeer(udp, hostname, options);
    if (started !== Error.OK) throw new globalThis.Error(`tunnel: connectToPeer ${Error[started]}`);
    dtls.setAutoPoll(true);
    const status = await dtls.waitForHandshake();
    if (status !== DTLSStatus.STATUS_CONNECTED) {
      udp.close();
      throw new globalThis.Error(`tunnel: DTLS handshake ended in ${DTLSStatus[status]} (${dtls.getLastError()})`);
    }
    const front = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      front.once('error', reject);
      front.bind(0, '127.0.0.1', () => resolve());
    });
    const t = new DtlsTunnel(front, udp, dtls);
    front.on('message', (msg, rinfo) => t.fromClient(msg, rinfo.port));
    dtls.on('packet', (data) => t.fromServer(data));
    return t;
  }

  /** The plain side: where the client connects. */
  get port(): number {
    return this.front.address().port;
  }

  get status(): DTLSStatus {
    return this.dtls.getStatus();
  }

  private fromClient(msg: Buffer, port: number): void {
    this.client ??= { port }; // one client per tunnel: the first sender
    if (port !== this.client.port) return;
    if (this.dtls.putPacket(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength)) === Error.OK) this.up++;
  }

  private fromServer(data: Uint8Array): void {
    if (!this.client) return;
    this.down++;
    this.front.send(data, this.client.port, '127.0.0.1');
  }

  close(): void {
    this.dtls.removeAllListeners('packet');
    this.dtls.disconnectFromPeer();
    this.udp.close();
    this.front.close();
  }
}
