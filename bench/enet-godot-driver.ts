/**
 * {@link BenchHost} on Godot's classes (src/modules/enet): ENetConnection + ENetPacketPeer on
 * the Node platform, as an application would use them.
 *  - 'event': the connection's event-driven mode ('connect'/'receive'/'disconnect' listeners).
 *  - 'immediate': Godot's polled model, `service()` until EVENT_NONE on every event-loop turn
 *    (setImmediate), packets taken with `getPacket()` — the busy loop.
 */
import { Error as GodotError } from '../src/core/error.js';
import { ENetConnection, EventType } from '../src/modules/enet/enet-connection.js';
import { ENetPacketPeer } from '../src/modules/enet/enet-packet-peer.js';
import type { BenchHandlers, BenchHost, BenchHostOptions, BenchPeer, LoopStyle } from './enet-driver.js';

const LOCALHOST = '127.0.0.1';

class GodotPeer implements BenchPeer {
  count = 0;
  constructor(readonly peer: ENetPacketPeer) {}
  sendReliable(channel: number, data: Uint8Array): void {
    this.peer.send(channel, data, ENetPacketPeer.FLAG_RELIABLE);
  }
}

export class GodotBenchHost implements BenchHost {
  private readonly conn = new ENetConnection();
  private readonly wrappers = new WeakMap<ENetPacketPeer, GodotPeer>();
  private readonly loop: LoopStyle;
  private readonly handlers: BenchHandlers;
  private readonly peerCount: number;
  private closed = false;

  constructor(options: BenchHostOptions) {
    this.loop = options.loop;
    this.handlers = options.handlers;
    this.peerCount = options.peerCount;
    if (process.env['GDWIRE_BENCH_DEBUG']) {
      process.on('exit', () => {
        const h = this.conn.enetHost;
        if (h) console.error(`[${process.argv[2]}] sent ${h.totalSentPackets} datagrams ${h.totalSentData} B, received ${h.totalReceivedPackets} datagrams ${h.totalReceivedData} B`);
      });
    }
  }

  async listen(port: number): Promise<number> {
    const err = await this.conn.createHostBound(LOCALHOST, port, this.peerCount, 3);
    if (err !== GodotError.OK) throw new Error(`createHostBound failed: ${err}`);
    this.start();
    return this.conn.getLocalPort();
  }

  async connect(port: number): Promise<void> {
    await this.listen(0);
    if (!this.conn.connectToHost(LOCALHOST, port, 3, 0)) throw new Error('connectToHost failed');
  }

  kick(): void {
    // ENetPacketPeer.send() already schedules the event-driven service.
  }

  close(): void {
    this.closed = true;
    this.conn.destroy();
  }

  private wrap(peer: ENetPacketPeer): GodotPeer {
    let w = this.wrappers.get(peer);
    if (!w) {
      w = new GodotPeer(peer);
      this.wrappers.set(peer, w);
    }
    return w;
  }

  private start(): void {
    const h = this.handlers;
    if (this.loop === 'event') {
      this.conn.on('connect', (peer) => h.connect(this.wrap(peer)));
      this.conn.on('disconnect', (peer) => h.disconnect(this.wrap(peer)));
      this.conn.on('receive', (peer, packet, channel) => h.receive(this.wrap(peer), channel, packet));
      return;
    }
    const spin = (): void => {
      if (this.closed) return;
      for (;;) {
        const [type, peer, , channel] = this.conn.service();
        if (type === EventType.EVENT_NONE || type === EventType.EVENT_ERROR || !peer) break;
        if (type === EventType.EVENT_CONNECT) h.connect(this.wrap(peer));
        else if (type === EventType.EVENT_DISCONNECT) h.disconnect(this.wrap(peer));
        else h.receive(this.wrap(peer), channel, peer.getPacket());
        if (this.closed) return;
      }
      setImmediate(spin);
    };
    setImmediate(spin);
  }
}
