/**
 * COUNT DISTINCT over sliding windows (REPEAT ... HAVING DISTINCT(x) > n), the hot path of rules
 * like mass messaging: one update per event. Values become small integer ids, shared by all
 * windows of one aggregate (ValueIds), so that a window counts them in its own typed-array hash
 * table instead of a Map that grows and is dropped with every window.
 */

const EMPTY = 0;
const DELETED = -1;

/**
 * Ids of the values that some window holds. The value -> id Map uses the same key equality as a
 * Map of the values would (SameValueZero), so counts are unchanged; an id is freed when the last
 * window holding its value lets go, so memory follows the live values, not every value ever seen.
 */
export class ValueIds {
  private readonly ids = new Map<unknown, number>();
  private values: unknown[] = [];
  /** Per id: how many windows hold its value. */
  private holders = new Int32Array(64);
  private readonly free: number[] = [];
  /** Cleared tables of dropped windows, for new windows (a window's table grows to its size: no regrowing). */
  readonly spareTables: Table[] = [];

  /** The value's id (a new one if no window holds it); the caller must `hold` it if it keeps it. */
  id(value: unknown): number {
    const id = this.ids.get(value);
    return id !== undefined ? id : this.assign(value);
  }

  hold(id: number): void {
    this.holders[id]++;
  }

  release(id: number): void {
    if (--this.holders[id] > 0) return;
    this.ids.delete(this.values[id]);
    this.values[id] = undefined;
    this.free.push(id);
  }

  /** Values held by some window (for tests: nothing is kept once every window is gone). */
  get size(): number {
    return this.ids.size;
  }

  private assign(value: unknown): number {
    const id = this.free.length > 0 ? this.free.pop()! : this.values.length;
    if (id >= this.holders.length) {
      const grown = new Int32Array(this.holders.length * 2);
      grown.set(this.holders);
      this.holders = grown;
    }
    this.ids.set(value, id);
    this.values[id] = value;
    return id;
  }
}

/** A hash table's two arrays: keys (id + 1, EMPTY, DELETED) and positions. */
interface Table {
  keys: Int32Array;
  positions: Int32Array;
}

const SPARE_TABLES = 64;
const SPARE_CAPACITY = 1 << 12;

/**
 * The distinct values of one first-in-first-out window. Each value maps to the position of its
 * latest occurrence: a value leaves when the occurrence that leaves is its latest. Occurrences
 * leave in arrival order (the window is first in, first out), so positions are counters.
 */
export class DistinctWindow {
  /** Open addressing, linear probing: key id + 1 (EMPTY, DELETED), and the latest position. */
  private keys: Int32Array;
  private positions: Int32Array;
  /** Slots not EMPTY (live and deleted): the table is rebuilt when they fill half of it. */
  private used = 0;
  private live = 0;
  /** Positions of the next occurrence added and of the oldest one not yet removed (int32, wrapping alike). */
  private added = 0;
  private removed = 0;

  constructor(private readonly ids: ValueIds) {
    const spare = ids.spareTables.pop();
    this.keys = spare?.keys ?? new Int32Array(16);
    this.positions = spare?.positions ?? new Int32Array(16);
  }

  get size(): number {
    return this.live;
  }

  /** Adds the newest occurrence of a value. */
  add(value: unknown): void {
    const id = this.ids.id(value);
    const position = this.added;
    this.added = (position + 1) | 0;
    const key = id + 1;
    const keys = this.keys;
    const mask = keys.length - 1;
    let slot = hash(id) & mask;
    let free = -1;
    for (;;) {
      const k = keys[slot];
      if (k === key) {
        this.positions[slot] = position;
        return;
      }
      if (k === EMPTY) break;
      if (k === DELETED && free < 0) free = slot;
      slot = (slot + 1) & mask;
    }
    if (free >= 0) slot = free;
    else this.used++;
    keys[slot] = key;
    this.positions[slot] = position;
    this.live++;
    this.ids.hold(id);
    if (this.used * 2 > keys.length) this.rebuild();
  }

  /** Removes the oldest occurrence not yet removed, which is of `value`. */
  removeOldest(value: unknown): void {
    const id = this.ids.id(value); // held by this window: its id
    const position = this.removed;
    this.removed = (position + 1) | 0;
    const keys = this.keys;
    const mask = keys.length - 1;
    const key = id + 1;
    for (let slot = hash(id) & mask; ; slot = (slot + 1) & mask) {
      const k = keys[slot];
      if (k === key) {
        if (this.positions[slot] === position) {
          keys[slot] = DELETED;
          this.live--;
          this.ids.release(id);
        }
        return;
      }
      if (k === EMPTY) return; // not reached: a value is in the table until its latest occurrence leaves
    }
  }

  /** The window is dropped: its values are no longer held. */
  dispose(): void {
    const keys = this.keys;
    for (let slot = 0; slot < keys.length; slot++) if (keys[slot] > 0) this.ids.release(keys[slot] - 1);
    const spares = this.ids.spareTables;
    if (spares.length < SPARE_TABLES && keys.length <= SPARE_CAPACITY) {
      keys.fill(EMPTY);
      spares.push({ keys, positions: this.positions });
    }
    this.keys = new Int32Array(16);
    this.positions = new Int32Array(16);
    this.used = this.live = 0;
    this.added = this.removed = 0;
  }

  /** Rehashes the live keys into a table twice their number or more (drops the deleted slots). */
  private rebuild(): void {
    const { keys, positions } = this;
    let capacity = 16;
    while (capacity < this.live * 4) capacity *= 2;
    const k2 = new Int32Array(capacity);
    const p2 = new Int32Array(capacity);
    const mask = capacity - 1;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (key <= 0) continue;
      let slot = hash(key - 1) & mask;
      while (k2[slot] !== EMPTY) slot = (slot + 1) & mask;
      k2[slot] = key;
      p2[slot] = positions[i];
    }
    this.keys = k2;
    this.positions = p2;
    this.used = this.live;
  }
}

/** Fibonacci hashing, high bits folded in: consecutive ids spread over tables of any size. */
function hash(id: number): number {
  const h = Math.imul(id, 0x9e3779b1);
  return h ^ (h >>> 16);
}
