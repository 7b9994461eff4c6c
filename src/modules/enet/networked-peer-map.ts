/**
 * NetworkedMultiplayerENet's `peer_map`: peer id → value, iterated in ascending id order like
 * Godot's `Map<int, ENetPeer *>` (a sorted tree), so ADD_PEER notices and relayed copies go
 * out in the same order as from Godot.
 */
export class NetworkedPeerMap<T> {
  private readonly map = new Map<number, T>();
  /** The ids, ascending. */
  private readonly order: number[] = [];
  /** The values in the order of {@link order} (a relay walks both: no lookup per recipient). */
  private readonly ordered: T[] = [];

  get size(): number {
    return this.map.size;
  }

  has(id: number): boolean {
    return this.map.has(id);
  }

  get(id: number): T | undefined {
    return this.map.get(id);
  }

  set(id: number, value: T): void {
    const at = this.lowerBound(id);
    if (this.map.has(id)) this.ordered[at] = value;
    else {
      this.order.splice(at, 0, id);
      this.ordered.splice(at, 0, value);
    }
    this.map.set(id, value);
  }

  delete(id: number): boolean {
    if (!this.map.delete(id)) return false;
    const at = this.lowerBound(id);
    this.order.splice(at, 1);
    this.ordered.splice(at, 1);
    return true;
  }

  clear(): void {
    this.map.clear();
    this.order.length = 0;
    this.ordered.length = 0;
  }

  /** The ids in ascending order (a live view: do not change the map while walking it). */
  ids(): readonly number[] {
    return this.order;
  }

  /** The values, in the order of {@link ids} (a live view, as ids()). */
  values(): readonly T[] {
    return this.ordered;
  }

  private lowerBound(id: number): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.order[mid] as number) < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
