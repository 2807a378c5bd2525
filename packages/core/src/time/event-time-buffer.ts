/**
 * Events waiting for the watermark, released in timestamp order, equal timestamps in arrival
 * order (or by the comparator, if given, then in arrival order: Flink's EventComparator).
 *
 * They are kept as a few sorted runs: an event that comes in order is appended to the newest run
 * (O(1); an ordered stream has one run, which the release empties after nearly every event, so
 * its length is managed by hand), one that does not starts a new run, and the release merges the
 * runs' heads. Every event of a run arrived before every event of a later run, so equal events
 * of two runs go in run order. Disorder usually comes as whole batches overtaking each other,
 * each of them in order: a run each. Past MAX_RUNS runs, an event is inserted into the newest run
 * instead (shifting the events after it).
 */
export class EventTimeBuffer<E> {
  private runs: Run<E>[] = [new Run<E>()];
  /** The last of runs: where events that come in order go. */
  private newest: Run<E> = this.runs[0];
  private count = 0;

  constructor(private readonly comparator?: (a: E, b: E) => number) {}

  get size(): number {
    return this.count;
  }

  /** Timestamp of the earliest buffered event, Infinity when none. */
  peekTime(): number {
    const runs = this.runs;
    if (runs.length === 1) {
      const r = this.newest;
      return r.head < r.len ? r.ts[r.head] : Infinity;
    }
    let t = Infinity;
    for (let i = 0; i < runs.length; i++) {
      const r = runs[i];
      if (r.head < r.len && r.ts[r.head] < t) t = r.ts[r.head];
    }
    return t;
  }

  add(ts: number, event: E): void {
    this.count++;
    const newest = this.newest;
    const len = newest.len;
    if (len === newest.head || newest.ts[len - 1] < ts || (newest.ts[len - 1] === ts && (this.comparator === undefined || this.comparator(newest.evs[len - 1] as E, event) <= 0))) {
      newest.append(ts, event);
      return;
    }
    if (this.runs.length < MAX_RUNS) {
      const run = new Run<E>();
      run.append(ts, event);
      this.runs.push(run);
      this.newest = run;
      return;
    }
    newest.insert(ts, event, this.comparator);
  }

  /**
   * Calls `fn` for every event with timestamp <= watermark (< watermark when `before`), in order;
   * each is removed before `fn` runs.
   */
  release(watermark: number, fn: (event: E, ts: number) => void, before = false): void {
    if (this.runs.length === 1) {
      // one run (an ordered stream): no merge
      const r = this.runs[0];
      while (r.head < r.len && (r.ts[r.head] < watermark || (!before && r.ts[r.head] === watermark))) {
        this.count--;
        const ts = r.ts[r.head];
        fn(r.shift(), ts);
      }
      r.compact();
      if (this.runs.length === 1) return; // else fn added an event out of order: merge on
    }
    for (;;) {
      const r = this.earliest();
      if (r === undefined) break;
      const ts = r.ts[r.head];
      if (!(ts < watermark || (!before && ts === watermark))) break;
      this.count--;
      fn(r.shift(), ts);
    }
    // emptied runs go, the newest stays (it takes what comes in order)
    const newest = this.newest;
    this.runs = this.runs.filter((r) => r === newest || r.head < r.len);
    for (const r of this.runs) r.compact();
  }

  /** The run whose head goes first: the smallest timestamp, then by the comparator, then the earliest run. */
  private earliest(): Run<E> | undefined {
    const runs = this.runs;
    const cmp = this.comparator;
    let best: Run<E> | undefined;
    for (let i = 0; i < runs.length; i++) {
      const r = runs[i];
      if (r.head === r.len) continue;
      if (best === undefined) best = r;
      else {
        const a = r.ts[r.head];
        const b = best.ts[best.head];
        if (a < b || (a === b && cmp !== undefined && cmp(r.evs[r.head] as E, best.evs[best.head] as E) < 0)) best = r;
      }
    }
    return best;
  }

  /** The buffered events in release order: the runs one after another, stably sorted (so ties keep run order). */
  entries(): { ts: number; event: E }[] {
    const out: { ts: number; event: E }[] = [];
    for (const r of this.runs) for (let i = r.head; i < r.len; i++) out.push({ ts: r.ts[i], event: r.evs[i] as E });
    const cmp = this.comparator;
    return out.sort((a, b) => a.ts - b.ts || (cmp === undefined ? 0 : cmp(a.event, b.event)));
  }
}

/** At most this many runs: the release compares this many heads per event. */
const MAX_RUNS = 8;

/** Events sorted by timestamp (then by the comparator), equal ones in arrival order; consumed from `head`. */
class Run<E> {
  ts: number[] = [];
  evs: (E | undefined)[] = [];
  head = 0;
  len = 0;

  append(ts: number, event: E): void {
    this.ts[this.len] = ts;
    this.evs[this.len] = event;
    this.len++;
  }

  /** The head event, removed (its slot no longer retains it). */
  shift(): E {
    const i = this.head++;
    const e = this.evs[i] as E;
    this.evs[i] = undefined;
    return e;
  }

  /** Inserts after every event with timestamp <= ts that the comparator does not order after it. */
  insert(ts: number, event: E, cmp: ((a: E, b: E) => number) | undefined): void {
    const tss = this.ts;
    const evs = this.evs;
    let lo = this.head;
    let hi = this.len;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (tss[mid] <= ts) lo = mid + 1;
      else hi = mid;
    }
    let at = lo;
    if (cmp !== undefined) while (at > this.head && tss[at - 1] === ts && cmp(evs[at - 1] as E, event) > 0) at--;
    for (let k = this.len; k > at; k--) {
      tss[k] = tss[k - 1];
      evs[k] = evs[k - 1];
    }
    tss[at] = ts;
    evs[at] = event;
    this.len++;
  }

  /** Reuses the arrays once empty; drops the consumed part once it is most of them. */
  compact(): void {
    if (this.head === this.len) this.head = this.len = 0;
    else if (this.head > 1024 && this.head > this.len >>> 1) {
      this.ts = this.ts.slice(this.head, this.len);
      this.evs = this.evs.slice(this.head, this.len);
      this.len -= this.head;
      this.head = 0;
    }
  }
}
