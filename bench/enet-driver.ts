/**
 * The gdwire side of the ENet benchmarks drives its host through {@link BenchHost}, so the
 * same bench process (enet-peer.ts) can run on the engine with a minimal node:dgram driver
 * (this file, `--driver engine`: the diagnostic rows) or on Godot's ENetConnection
 * (enet-godot-driver.ts, the default). GDWIRE_BENCH_DEBUG=1 prints datagram counts at exit;
 * =2 also samples the peers' throttle, RTT and data in transit every 100 ms.
 *
 * Loop styles:
 *  - 'event': wake on datagram arrival (coalesced with setImmediate) and on the engine's next
 *    protocol deadline (Host.nextServiceDelay) — the event-driven mode; idles at 0 % CPU.
 *  - 'immediate': service on every event-loop turn (setImmediate spin), the nearest Node has to
 *    C's enet_host_service(host, &event, 0) busy loop.
 */
import dgram from 'node:dgram';
import { Host } from '../src/enet/host.js';
import type { Peer } from '../src/enet/peer.js';
import { EventType, PacketFlag, type Address, type HostEvent } from '../src/enet/types.js';

export type LoopStyle = 'event' | 'immediate';

export interface BenchHandlers {
  connect(peer: BenchPeer): void;
  receive(peer: BenchPeer, channel: number, data: Uint8Array): void;
  disconnect(peer: BenchPeer): void;
}

export interface BenchPeer {
  /** Queues a reliable packet (sent on the next service). */
  sendReliable(channel: number, data: Uint8Array): void;
  /** Per-peer scratch for the bench (message counter). */
  count: number;
}

export interface BenchHost {
  /** Binds to 127.0.0.1 (port 0 = any) and resolves with the bound port. */
  listen(port: number): Promise<number>;
  /** Client: connects to 127.0.0.1:port with 3 channels. */
  connect(port: number): Promise<void>;
  /** Makes the host service soon (after sending from outside an event handler). */
  kick(): void;
  close(): void;
}

export interface BenchHostOptions {
  peerCount: number;
  loop: LoopStyle;
  handlers: BenchHandlers;
}

const LOCALHOST = '127.0.0.1';

class EnginePeer implements BenchPeer {
  count = 0;
  constructor(readonly peer: Peer) {}
  sendReliable(channel: number, data: Uint8Array): void {
    this.peer.send(channel, data, PacketFlag.RELIABLE);
  }
}

/** A src/enet Host on a node:dgram socket. */
export class EngineBenchHost implements BenchHost {
  private readonly host: Host;
  private readonly socket = dgram.createSocket('udp4');
  private readonly loop: LoopStyle;
  private readonly handlers: BenchHandlers;
  private readonly wrappers = new Map<Peer, EnginePeer>();
  private connected = false;
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private closed = false;
  private lastFrom: Address = { address: '', port: 0 };
  private readonly pumpNow = (): void => {
    this.scheduled = false;
    this.pump();
  };

  constructor(options: BenchHostOptions) {
    this.loop = options.loop;
    this.handlers = options.handlers;
    let seed = (Date.now() ^ process.pid) >>> 0;
    this.host = new Host({
      peerCount: options.peerCount,
      random: { u32: () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) },
      // Datagram views are never reused by the engine, so they go out without a copy.
      send: (data, to) => {
        const buf = Buffer.from(data.buffer, data.byteOffset, data.length);
        if (this.connected) this.socket.send(buf);
        else this.socket.send(buf, to.port, to.address);
      },
    });
    if (process.env['GDWIRE_BENCH_DEBUG']) {
      process.on('exit', () => {
        const h = this.host;
        for (const p of h.peers) if (p.state === 5) console.error(`peer throttle ${p.packetThrottle} rtt ${p.roundTripTime} var ${p.roundTripTimeVariance} inTransit ${p.reliableDataInTransit}`);
        console.error(`[${process.argv[2]}] sent ${h.totalSentPackets} datagrams ${h.totalSentData} B, received ${h.totalReceivedPackets} datagrams ${h.totalReceivedData} B`);
      });
    }
    if (process.env['GDWIRE_BENCH_DEBUG'] === '2') {
      setInterval(() => {
        for (const p of this.host.peers) if (p.state === 5) console.error(`t ${performance.now().toFixed(0)} throttle ${p.packetThrottle} rtt ${p.roundTripTime}±${p.roundTripTimeVariance} inTransit ${p.reliableDataInTransit} queued ${p.outgoingCount}`);
      }, 100).unref();
    }
    this.socket.on('message', (msg, rinfo) => {
      let from = this.lastFrom;
      if (from.port !== rinfo.port || from.address !== rinfo.address) {
        from = this.lastFrom = { address: rinfo.address, port: rinfo.port };
      }
      this.host.receive(new Uint8Array(msg.buffer, msg.byteOffset, msg.length), from);
      if (this.loop === 'event') this.kick();
    });
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve) => {
      this.socket.bind(port, LOCALHOST, () => {
        this.start();
        resolve(this.socket.address().port);
      });
    });
  }

  async connect(port: number): Promise<void> {
    await this.listen(0);
    await new Promise<void>((r) => this.socket.connect(port, LOCALHOST, () => r()));
    this.connected = true;
    this.host.connect({ address: LOCALHOST, port }, 3, 0);
    this.kick();
  }

  kick(): void {
    if (this.scheduled || this.closed || this.loop !== 'event') return;
    this.scheduled = true;
    setImmediate(this.pumpNow);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket.close();
  }

  private start(): void {
    if (this.loop === 'immediate') {
      const spin = (): void => {
        if (this.closed) return;
        this.pump();
        setImmediate(spin);
      };
      setImmediate(spin);
    } else {
      this.kick();
    }
  }

  private now(): number {
    return Math.floor(performance.now()) >>> 0;
  }

  private pump(): void {
    if (this.closed) return;
    const host = this.host;
    for (let e = host.service(this.now()); e; e = host.service(this.now())) {
      this.dispatch(e);
      if (this.closed) return;
    }
    if (this.loop !== 'event') return;
    // Sleep until the next protocol deadline (retransmission, ping), unless a datagram comes first.
    const delay = host.nextServiceDelay(this.now());
    if (delay === 0) return this.kick();
    if (delay === Infinity) return;
    const at = performance.now() + delay;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.pump();
    }, delay);
  }

  private wrap(peer: Peer): EnginePeer {
    let w = this.wrappers.get(peer);
    if (!w) {
      w = new EnginePeer(peer);
      this.wrappers.set(peer, w);
    }
    return w;
  }

  private dispatch(e: HostEvent): void {
    const peer = this.wrap(e.peer);
    if (e.type === EventType.RECEIVE) this.handlers.receive(peer, e.channelID, e.packet.data);
    else if (e.type === EventType.CONNECT) this.handlers.connect(peer);
    else this.handlers.disconnect(peer);
  }
}
