/**
 * The operator's per-key bookkeeping for one pattern. Each key with matching state has a slot
 * that holds the runtime's state, the key, the key's creation order (which breaks timer ties, so
 * a restored operator fires in the same order) and its pending timer (Infinity: none). The
 * runtime's state knows nothing of these.
 *
 * With many keys, finding a key's state is the main per-event cost, and each place in memory it
 * touches is a likely cache miss. Keys that are small non-negative integers (user ids, say) are
 * their own slots (>= 0) in dense arrays, found with one access; every other key, and integers
 * too far beyond the number of keys for the arrays to stay dense, is found through a Map and has
 * a slot < 0 (its index in the other arrays is ~slot), reused once freed. A slot's creation order
 * and timer are adjacent numbers in one array.
 */
export class KeySlots<S> {
  /** Dense keys are their slots: its keys array stays empty. */
  private readonly dense = new Part<S>();
  private denseSize = 0;
  private readonly sparse = new Part<S>();
  private readonly map = new Map<unknown, number>();
  private readonly free: number[] = [];

  get size(): number {
    return this.denseSize + this.map.size;
  }

  /** The key's slot, or undefined when it has none. */
  slotOf(key: unknown): number | undefined {
    if (typeof key === 'number' && key < this.dense.states.length && key >>> 0 === key) {
      if (this.dense.states[key] !== undefined) return key;
      if (this.map.size === 0) return undefined;
    }
    return this.map.get(key);
  }

  state(slot: number): S {
    return (slot >= 0 ? this.dense.states[slot] : this.sparse.states[~slot]) as S;
  }

  key(slot: number): unknown {
    return slot >= 0 ? slot : this.sparse.keys[~slot];
  }

  /** The creation order of the slot's key (-1: the slot is free). */
  seq(slot: number): number {
    return slot >= 0 ? this.dense.meta[2 * slot] : this.sparse.meta[2 * ~slot];
  }

  /** The time of the key's pending timer (Infinity: none). */
  scheduled(slot: number): number {
    return slot >= 0 ? this.dense.meta[2 * slot + 1] : this.sparse.meta[2 * ~slot + 1];
  }

  setScheduled(slot: number, time: number): void {
    if (slot >= 0) this.dense.meta[2 * slot + 1] = time;
    else this.sparse.meta[2 * ~slot + 1] = time;
  }

  /** A slot for `key`, which has none, with its state and creation order and no timer. */
  add(key: unknown, state: S, seq: number): number {
    if (typeof key === 'number' && key >>> 0 === key && this.map.get(key) === undefined && this.fitsDense(key)) {
      this.dense.put(key, state, seq);
      this.denseSize++;
      return key;
    }
    let i = this.free.pop();
    if (i === undefined) i = this.sparse.grow();
    this.sparse.put(i, state, seq);
    this.sparse.keys[i] = key;
    this.map.set(key, ~i);
    return ~i;
  }

  /** Frees the slot; timers pending for it become stale (their creation order no longer matches). */
  remove(slot: number): void {
    if (slot >= 0) {
      this.dense.clear(slot);
      this.denseSize--;
    } else {
      this.map.delete(this.sparse.keys[~slot]);
      this.sparse.keys[~slot] = undefined;
      this.sparse.clear(~slot);
      this.free.push(~slot);
    }
  }

  /** The slots in use, in their keys' creation order. */
  inCreationOrder(): number[] {
    const slots: number[] = [];
    for (let i = 0; i < this.dense.states.length; i++) if (this.dense.states[i] !== undefined) slots.push(i);
    for (let i = 0; i < this.sparse.states.length; i++) if (this.sparse.states[i] !== undefined) slots.push(~i);
    return slots.sort((a, b) => this.seq(a) - this.seq(b));
  }

  /** Grows the dense arrays (with explicit slots: a sparse array would turn into a dictionary) if `key` keeps them dense. */
  private fitsDense(key: number): boolean {
    const length = this.dense.states.length;
    if (key < length) return true;
    if (key >= Math.max(1024, 4 * (this.size + 1))) return false;
    const target = Math.max(key + 1, length * 2);
    while (this.dense.states.length < target) this.dense.grow();
    return true;
  }
}

/** Slots in parallel arrays: states, keys (for keys that are not their slots), and (creation order, timer) pairs. */
class Part<S> {
  readonly states: (S | undefined)[] = [];
  readonly keys: unknown[] = [];
  readonly meta: number[] = [];

  /** Index of a new, free slot. */
  grow(): number {
    this.states.push(undefined);
    this.meta.push(-1, Infinity);
    return this.states.length - 1;
  }

  put(i: number, state: S, seq: number): void {
    this.states[i] = state;
    this.meta[2 * i] = seq;
    this.meta[2 * i + 1] = Infinity;
  }

  clear(i: number): void {
    this.states[i] = undefined;
    this.meta[2 * i] = -1;
    this.meta[2 * i + 1] = Infinity;
  }
}
