/**
 * Events waiting for the watermark: kept sorted by timestamp, equal timestamps in arrival order,
 * released in that order once the watermark reaches them. Appending in order costs O(1); the
 * length is managed by hand because an ordered stream empties the buffer after nearly every event.
 */
export class EventTimeBuffer<E> {
  private ts: number[] = [];
  private evs: (E | undefined)[] = [];
  private head = 0;
  private len = 0;

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
    let at = this.len;
    if (at > this.head && tss[at - 1] > ts) {
      // out of order: after every buffered event with timestamp <= ts
      let lo = this.head;
      let hi = at;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (tss[mid] <= ts) lo = mid + 1;
        else hi = mid;
      }
      for (let k = at; k > lo; k--) {
        tss[k] = tss[k - 1];
        evs[k] = evs[k - 1];
      }
      at = lo;
    }
    tss[at] = ts;
    evs[at] = event;
    this.len++;
  }

  /** Calls `fn` for every event with timestamp <= watermark, in order; each is removed before `fn` runs. */
  release(watermark: number, fn: (event: E, ts: number) => void): void {
    const tss = this.ts;
    const evs = this.evs;
    while (this.head < this.len && tss[this.head] <= watermark) {
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
