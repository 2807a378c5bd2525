import type { EventMark } from '../event-order.js';

/**
 * Runs of a chain of `stages` stages, as fixed-size records laid end to end in one array (the
 * whole of a key's runs is one object: with many keys the per-event cost is the memory touched).
 * A record is
 *
 *   [stage, startTs, event 0 .. event L-1, (ts, ord) of event 0 .. event L-1]
 *
 * where `stage` is the number of events taken (the stage the run waits in), unused event slots
 * hold undefined, and the (ts, ord) marks are there only under a skip strategy, which prunes runs
 * by comparing events (ord orders events of equal timestamp, as Flink's event ids do).
 */
export type Records = unknown[];

/** Reads and writes records of one chain's layout: the only place that knows the offsets. */
export class RecordLayout<E> {
  /** Slots per record. */
  readonly size: number;
  /** Where a record's marks begin (-1: no marks). */
  private readonly marks: number;

  constructor(
    readonly stages: number,
    readonly withMarks: boolean,
  ) {
    this.size = 2 + stages * (withMarks ? 3 : 1);
    this.marks = withMarks ? 2 + stages : -1;
  }

  /** Events taken by the record at `at`. */
  stage(r: Records, at: number): number {
    return r[at] as number;
  }

  startTs(r: Records, at: number): number {
    return r[at + 1] as number;
  }

  /** The start time of the last record (there is one). */
  lastStartTs(r: Records): number {
    return r[r.length - this.size + 1] as number;
  }

  event(r: Records, at: number, i: number): E {
    return r[at + 2 + i] as E;
  }

  /** The (ts, ord) mark of event i (under a skip strategy). */
  mark(r: Records, at: number, i: number): EventMark {
    const m = at + this.marks + 2 * i;
    return { timestamp: r[m] as number, id: r[m + 1] as number };
  }

  /** The run at `at` takes `event` as its next one. */
  take(r: Records, at: number, event: E, ts: number, ord: number): void {
    const stage = r[at] as number;
    r[at] = stage + 1;
    r[at + 2 + stage] = event;
    if (this.withMarks) {
      r[at + this.marks + 2 * stage] = ts;
      r[at + this.marks + 2 * stage + 1] = ord;
    }
  }

  /** Appends the record of a run that has taken just `event`. */
  append(r: Records, event: E, ts: number, ord: number): Records {
    r.push(1, ts, event);
    for (let i = 1; i < this.stages; i++) r.push(undefined);
    if (this.withMarks) {
      r.push(ts, ord);
      for (let i = 1; i < this.stages; i++) r.push(0, 0);
    }
    return r;
  }

  /** Copies the record at `from` over the one at `to` (in the same array). */
  move(r: Records, from: number, to: number): void {
    for (let i = 0; i < this.size; i++) r[to + i] = r[from + i];
  }

  /** Appends a copy of the record at `at` of `from` to `to`. */
  copyTo(from: Records, at: number, to: Records): void {
    for (let i = 0; i < this.size; i++) to.push(from[at + i]);
  }

  /** Orders two records by start event: start time, then (with marks) the start event's ord. */
  compare(a: Records, i: number, b: Records, j: number): number {
    const x = a[i + 1] as number;
    const y = b[j + 1] as number;
    if (x !== y) return x < y ? -1 : 1;
    return this.marks < 0 ? 0 : (a[i + this.marks + 1] as number) - (b[j + this.marks + 1] as number);
  }

  /**
   * Inserts the record at `at` of `from` into `r` in start order, after the records it does not
   * order before (without marks, equal start times keep arrival order: a new run starts with the
   * newest event). Runs usually start in order, so this is normally a push.
   */
  insert(r: Records, from: Records, at = 0): void {
    const size = this.size;
    let to = r.length;
    while (to > 0 && this.compare(r, to - size, from, at) > 0) to -= size;
    for (let i = 0; i < size; i++) r.push(undefined);
    for (let i = r.length - 1; i >= to + size; i--) r[i] = r[i - size];
    for (let i = 0; i < size; i++) r[to + i] = from[at + i];
  }

  /** The records whose start event `pruned` does not discard. */
  keep(r: Records, pruned: (start: EventMark) => boolean): Records {
    const kept: Records = [];
    for (let at = 0; at < r.length; at += this.size) if (!pruned(this.mark(r, at, 0))) this.copyTo(r, at, kept);
    return kept;
  }

  /** The highest ord of any event in the records, -1 for none (under a skip strategy). */
  maxOrd(r: Records): number {
    let max = -1;
    for (let at = 0; at < r.length; at += this.size) for (let i = 0; i < this.stage(r, at); i++) max = Math.max(max, this.mark(r, at, i).id);
    return max;
  }
}
