/**
 * Events waiting for the watermark: kept sorted by timestamp, equal timestamps in arrival order
 * (or by the comparator, if given, then in arrival order: Flink's EventComparator), released in
 * that order once the watermark reaches them. Appending in order costs O(1); the length is managed
 * by hand because an ordered stream empties the buffer after nearly every event.
 */
export class EventTimeBuffer<E> {
  private ts: number[] = [];
  private evs: (E | undefined)[] = [];
  private head = 0;
  private len = 0;

  constructor(private readonly comparator?: (a: E, b: E) => number) {}

  get size(): number {
    return this.len - this.head;
  }

  /** Timestamp of the earliest buffered event, Infinity when none. */
  peekTime(): number {
    return this.head < this.len ? this.ts[this.head] : Infinity;
  }

  add(ts: number, event: E): void {
    const tss = this.ts;
    const evs = this.evs;
    const len = this.len;
    this.len++;
    if (len === this.head || tss[len - 1] < ts || (tss[len - 1] === ts && this.comparator === undefined)) {
      tss[len] = ts; // in order: appended
      evs[len] = event;
      return;
    }
    this.insert(ts, event, len);
  }

  /** add for an event that does not go last: after every event with timestamp <= ts that the comparator does not order after it. */
  private insert(ts: number, event: E, len: number): void {
    const tss = this.ts;
    const evs = this.evs;
    let lo = this.head;
    let hi = len;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (tss[mid] <= ts) lo = mid + 1;
      else hi = mid;
    }
    let at = lo;
    const cmp = this.comparator;
    if (cmp !== undefined) while (at > this.head && tss[at - 1] === ts && cmp(evs[at - 1] as E, event) > 0) at--;
    for (let k = len; k > at; k--) {
      tss[k] = tss[k - 1];
      evs[k] = evs[k - 1];
    }
    tss[at] = ts;
    evs[at] = event;
  }

  /**
   * Calls `fn` for every event with timestamp <= watermark (< watermark when `before`), in order;
   * each is removed before `fn` runs.
   */
  release(watermark: number, fn: (event: E, ts: number) => void, before = false): void {
    const tss = this.ts;
    const evs = this.evs;
    while (this.head < this.len && (tss[this.head] < watermark || (!before && tss[this.head] === watermark))) {
      const i = this.head++;
      const e = evs[i] as E;
      evs[i] = undefined; // do not retain released events
      fn(e, tss[i]);
    }
    if (this.head === this.len) this.head = this.len = 0;
    else if (this.head > 1024 && this.head > this.len >>> 1) {
      this.ts = tss.slice(this.head, this.len);
      this.evs = evs.slice(this.head, this.len);
      this.len -= this.head;
      this.head = 0;
    }
  }

  /** The buffered events in release order. */
  entries(): { ts: number; event: E }[] {
    const out: { ts: number; event: E }[] = [];
    for (let i = this.head; i < this.len; i++) out.push({ ts: this.ts[i], event: this.evs[i] as E });
    return out;
  }
}
