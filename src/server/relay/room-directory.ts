/**
 * Which room each peer is in: rooms open on first join and close when their last peer leaves,
 * with a size limit per room and a limit on open rooms. Pure bookkeeping, no I/O: the relay
 * core asks it before admitting a peer and tells the SceneMultiplayer relay (via its `canSee`
 * hook) who sees whom.
 */
import type { RoomRefusal } from './room-auth.js';

export interface RoomDirectoryOptions {
  /** Most peers in one room (≥ 1). */
  roomSize: number;
  /** Most rooms open at once (≥ 1). */
  maxRooms: number;
  /** A room was opened by its first peer. */
  onOpen?: (room: string) => void;
  /** A room closed: its last peer left. */
  onClose?: (room: string) => void;
}

export type JoinResult = 'ok' | Extract<RoomRefusal, 'room-full' | 'rooms-full'>;

export class RoomDirectory {
  /** Open rooms in opening order, each with its peers in joining order. */
  private readonly rooms = new Map<string, Set<number>>();
  private readonly roomOfPeer = new Map<number, string>();

  constructor(private readonly options: RoomDirectoryOptions) {
    if (!(options.roomSize >= 1) || !(options.maxRooms >= 1)) throw new RangeError('roomSize and maxRooms must be ≥ 1');
  }

  get roomSize(): number {
    return this.options.roomSize;
  }

  /**
   * Puts `peer` in `room` (opening it when new), leaving the room it was in. 'room-full' /
   * 'rooms-full' leave everything as it was. Joining the room one is in is 'ok'.
   */
  join(peer: number, room: string): JoinResult {
    const current = this.roomOfPeer.get(peer);
    if (current === room) return 'ok';
    const members = this.rooms.get(room);
    if (members && members.size >= this.options.roomSize) return 'room-full';
    // Leaving a room of one frees a slot, so a move between rooms never fails for lack of rooms.
    const freesOne = current !== undefined && this.rooms.get(current)?.size === 1;
    if (!members && this.rooms.size >= this.options.maxRooms && !freesOne) return 'rooms-full';
    if (current !== undefined) this.leave(peer);
    if (members) {
      members.add(peer);
    } else {
      this.rooms.set(room, new Set([peer]));
      this.options.onOpen?.(room);
    }
    this.roomOfPeer.set(peer, room);
    return 'ok';
  }

  /** Takes `peer` out of its room; the room closes when empty. Returns the room it was in. */
  leave(peer: number): string | undefined {
    const room = this.roomOfPeer.get(peer);
    if (room === undefined) return undefined;
    this.roomOfPeer.delete(peer);
    const members = this.rooms.get(room);
    members?.delete(peer);
    if (members && members.size === 0) {
      this.rooms.delete(room);
      this.options.onClose?.(room);
    }
    return room;
  }

  roomOf(peer: number): string | undefined {
    return this.roomOfPeer.get(peer);
  }

  /** The peers of `room` in joining order ([] when it is not open). */
  members(room: string): number[] {
    return [...(this.rooms.get(room) ?? [])];
  }

  /** Open rooms in opening order. */
  list(): Array<{ id: string; peers: number[] }> {
    return [...this.rooms].map(([id, peers]) => ({ id, peers: [...peers] }));
  }

  get size(): number {
    return this.rooms.size;
  }
}
