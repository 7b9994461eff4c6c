/**
 * The receive queues of PacketPeerUDP and UDPServer, bounded the way Godot bounds its
 * RingBuffer<uint8_t> of queued datagrams.
 * @see godot core/io/packet_peer_udp.cpp (store_packet), core/templates/ring_buffer.h
 */

/** One received datagram, as yielded by the async iterator. */
export interface UDPPacket {
  data: Uint8Array;
  ip: string;
  port: number;
}

/** Godot's nearest_shift(): index of the highest set bit among bits 0–30, plus one (0 for 0). */
export function nearestShift(n: number): number {
  const u = n >>> 0;
  for (let i = 30; i >= 0; i--) if (u & (1 << i)) return i + 1;
  return 0;
}

/**
 * A FIFO of datagrams bounded like Godot's RingBuffer: `capacity` bytes, each entry costing
 * 24 + size (16-byte address, port, length, payload), one byte always left free.
 */
export class DatagramQueue {
  static readonly ENTRY_OVERHEAD = 24;
  capacity: number;
  private items: Array<UDPPacket | undefined> = [];
  private head = 0;
  private used = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  /** Bytes accounted to queued entries. */
  get bytesUsed(): number {
    return this.used;
  }

  spaceLeft(): number {
    return Math.max(0, this.capacity - 1 - this.used);
  }

  /** Queues `p` if it fits; false (nothing queued) otherwise. */
  push(p: UDPPacket): boolean {
    const cost = p.data.length + DatagramQueue.ENTRY_OVERHEAD;
    if (this.spaceLeft() < cost) return false;
    this.items.push(p);
    this.used += cost;
    return true;
  }

  shift(): UDPPacket | undefined {
    if (this.head >= this.items.length) return undefined;
    const p = this.items[this.head];
    this.items[this.head++] = undefined; // let the payload be collected
    if (p) this.used -= p.data.length + DatagramQueue.ENTRY_OVERHEAD;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return p;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.used = 0;
  }
}
