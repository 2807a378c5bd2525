/**
 * The operator's per-key states. Keys that are small non-negative integers (user ids, say) live in
 * a dense array, found with one memory access; every other key, and integers too far beyond the
 * number of keys for the array to stay dense, lives in a Map. With many keys the lookup is the main
 * per-event cost, and a Map lookup touches two or three places in memory.
 */
export class KeyTable<V> {
  private readonly dense: (V | undefined)[] = [];
  private denseSize = 0;
  private readonly map = new Map<unknown, V>();

  get size(): number {
    return this.denseSize + this.map.size;
  }

  get(key: unknown): V | undefined {
    if (typeof key === 'number' && key < this.dense.length && key >>> 0 === key) {
      const v = this.dense[key];
      if (v !== undefined || this.map.size === 0) return v;
    }
    return this.map.get(key);
  }

  set(key: unknown, value: V): void {
    if (typeof key === 'number' && key >>> 0 === key && this.map.get(key) === undefined && this.fitsDense(key)) {
      if (this.dense[key] === undefined) this.denseSize++;
      this.dense[key] = value;
    } else this.map.set(key, value);
  }

  delete(key: unknown): void {
    if (typeof key === 'number' && key < this.dense.length && this.dense[key] !== undefined) {
      this.dense[key] = undefined;
      this.denseSize--;
    } else this.map.delete(key);
  }

  /** Every value (order unspecified). */
  *values(): IterableIterator<V> {
    for (const v of this.dense) if (v !== undefined) yield v;
    yield* this.map.values();
  }

  /** Grows the array (with explicit slots: a sparse array would turn into a dictionary) if `key` keeps it dense. */
  private fitsDense(key: number): boolean {
    const dense = this.dense;
    if (key < dense.length) return true;
    if (key >= Math.max(1024, 4 * (this.size + 1))) return false;
    const length = Math.max(key + 1, dense.length * 2);
    while (dense.length < length) dense.push(undefined);
    return true;
  }
}
