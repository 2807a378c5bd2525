import { compile } from '../nfa/compile.js';
import type { KeyState, Match, Matcher, TimedOutMatch } from '../nfa/matcher.js';
import type { Alternatives } from '../pattern/alternatives.js';
import type { Pattern } from '../pattern/pattern.js';
import { EventTimeBuffer } from '../time/event-time-buffer.js';
import { TimerQueue } from '../time/timer-queue.js';
import { KeySlots } from './key-slots.js';
import { BoundedOutOfOrderness } from '../time/watermarks.js';
import { checkSnapshot, fromJsonNumber, jsonNumber, mergeChanges, type KeyEntry, type OperatorChanges, type OperatorSnapshot } from './operator-snapshot.js';

export type TimeMode = 'event' | 'processing';

/** A complete match of one pattern for one key. */
export interface MatchOutput<E, K> {
  readonly pattern: string;
  readonly key: K;
  readonly match: Match<E>;
  /** Time at which the match was emitted (event time or processing time). */
  readonly timestamp: number;
}

/** A partial match whose window closed, with the time the window closed. */
export interface TimeoutOutput<E, K> extends MatchOutput<E, K> {}

export interface CepOperatorOptions<E, K> {
  /** The patterns to run, by name; all of them see every event. */
  patterns: Record<string, Pattern<E> | Alternatives<E>>;
  /** Partitions events; each key has its own matching state. Default: one global key. */
  key?: (event: E) => K;
  /** 'event' (default): events carry their time and are reordered by watermarks. 'processing': the clock's time on arrival. */
  time?: TimeMode;
  /** Event time of an event (required in event-time mode). */
  timestamp?: (event: E) => number;
  /** Event time: emit watermarks automatically, allowing this much disorder (ms). Without it, call advanceWatermark. */
  outOfOrdernessMs?: number;
  /** Processing time source (default Date.now). */
  clock?: () => number;
  /**
   * Orders events with equal timestamps (Flink's EventComparator), stably: in event time among the
   * events the watermark releases together; in processing time the operator then holds each event
   * until the clock moves past its millisecond (see advanceProcessingTime), and orders those of one
   * millisecond. Without it, equal timestamps keep their arrival order.
   */
  comparator?: (a: E, b: E) => number;
  onMatch: (m: MatchOutput<E, K>) => void;
  /** Timed-out partial matches; when absent they are not materialized at all. */
  onTimeout?: (t: TimeoutOutput<E, K>) => void;
  /** Events at or behind the watermark. Without a handler they are counted in stats.lateEvents. */
  onLate?: (event: E, timestamp: number) => void;
  /** Keep track of the keys whose state changes, for snapshotChanges (incremental checkpoints). */
  trackChanges?: boolean;
}

export interface OperatorStats {
  events: number;
  matches: number;
  timeouts: number;
  lateEvents: number;
}

interface Runner<E> {
  readonly name: string;
  readonly nfa: Matcher<E>;
  readonly slots: KeySlots<KeyState>;
  /** Timers by slot, their ties the keys' creation order. */
  readonly timers: TimerQueue<number>;
  /**
   * Expiry deferred: nothing observes a run's timeout (no onTimeout, and the runtime completes no
   * match on a timer), so a key's timer waits for its last run's deadline, when the key is surely
   * idle, and expired runs are dropped when the key's next event comes. Deadlines then only grow,
   * which keeps the timer queue a FIFO.
   */
  readonly deferExpiry: boolean;
  /** With trackChanges: the keys whose state may have changed since the last snapshotChanges. */
  readonly changed: Set<unknown> | undefined;
}

/**
 * The keyed CEP operator (Flink's CepOperator): routes events by key to each pattern's NFA, in
 * event time (buffered and sorted until the watermark passes them, ties in arrival order) or
 * processing time, fires window timeouts from a deadline-ordered timer queue, and emits matches,
 * timed-out partial matches and late events.
 */
export class CepOperator<E, K = unknown> {
  readonly stats: OperatorStats = { events: 0, matches: 0, timeouts: 0, lateEvents: 0 };
  private readonly runners: Runner<E>[];
  private readonly keyOf: (event: E) => K;
  private readonly timeOf: ((event: E) => number) | undefined;
  private readonly clock: () => number;
  private readonly watermarks: BoundedOutOfOrderness | undefined;
  private readonly mode: TimeMode;
  private watermark = -Infinity;
  private keySeq = 0;
  private lastProcessingTime = -Infinity;
  /** Timestamp of the last event given to processInOrder. */
  private lastInOrder = -Infinity;
  private readonly pending: EventTimeBuffer<E>;
  private readonly matches: Match<E>[] = [];
  private readonly timedOut: TimedOutMatch<E>[] | undefined;

  constructor(private readonly options: CepOperatorOptions<E, K>) {
    const names = Object.keys(options.patterns);
    if (names.length === 0) throw new TypeError('CepOperator: give at least one pattern');
    this.runners = names.map((name) => {
      const nfa = compile(options.patterns[name]);
      nfa.clock = this.processingClock;
      const deferExpiry = nfa.quietExpiry && options.onTimeout === undefined;
      return { name, nfa, slots: new KeySlots<KeyState>(), timers: new TimerQueue<number>(), deferExpiry, changed: options.trackChanges ? new Set() : undefined };
    });
    this.keyOf = options.key ?? (() => undefined as K);
    this.mode = options.time ?? 'event';
    this.clock = options.clock ?? Date.now;
    this.timeOf = options.timestamp;
    if (this.mode === 'event' && this.timeOf === undefined) throw new TypeError("CepOperator: event time needs a 'timestamp' function (or use time: 'processing')");
    if (options.outOfOrdernessMs !== undefined) this.watermarks = new BoundedOutOfOrderness(options.outOfOrdernessMs);
    this.timedOut = options.onTimeout ? [] : undefined;
    this.pending = new EventTimeBuffer<E>(options.comparator);
  }

  /** The current event-time watermark. */
  get currentWatermark(): number {
    return this.watermark;
  }

  /** Events buffered until the watermark passes them. */
  get bufferedCount(): number {
    return this.pending.size;
  }

  /** Number of keys with matching state, over all patterns. */
  get keyCount(): number {
    let n = 0;
    for (const r of this.runners) n += r.slots.size;
    return n;
  }

  /** Partial matches (runs that have started) over all keys, per pattern; costs a pass over the keys. */
  partialMatches(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.runners) {
      let n = 0;
      for (const slot of r.slots.inCreationOrder()) n += r.nfa.partialMatches(r.slots.state(slot));
      counts.set(r.name, n);
    }
    return counts;
  }

  /** Feeds one event. In event time it waits in the buffer until the watermark passes its timestamp. */
  processElement(event: E): void {
    this.stats.events++;
    if (this.mode === 'processing') {
      const now = this.processingTime();
      if (this.options.comparator === undefined) this.processAt(event, now);
      else {
        this.pending.release(now, this.processAt, true); // earlier milliseconds are complete
        this.pending.add(now, event);
      }
      return;
    }
    const ts = this.eventTime(event);
    if (this.isLate(event, ts)) return;
    this.pending.add(ts, event);
    if (this.watermarks !== undefined) this.advanceWatermark(this.watermarks.onEvent(ts));
  }

  /**
   * Event time, for a caller that already delivers events in timestamp order (from its own reorder
   * buffer, say): the event is processed at once, as if the watermark had just passed it, instead
   * of waiting in this operator's buffer. An event at or behind the watermark is late; one earlier
   * than an event already delivered, or delivered while events wait in the buffer, is an error.
   */
  processInOrder(event: E): void {
    if (this.mode === 'processing') throw new TypeError('CepOperator: processInOrder is for event time');
    const ts = this.eventTime(event);
    this.stats.events++;
    if (this.isLate(event, ts)) return;
    if (ts < this.lastInOrder) throw new TypeError(`CepOperator: processInOrder got timestamp ${ts} after ${this.lastInOrder} (use processElement for unordered events)`);
    if (this.pending.size > 0) throw new TypeError('CepOperator: processInOrder while events wait in the buffer (use processElement for both)');
    this.lastInOrder = ts;
    this.processAt(event, ts);
  }

  private eventTime(event: E): number {
    const ts = this.timeOf!(event);
    if (typeof ts !== 'number' || Number.isNaN(ts)) throw new TypeError(`CepOperator: timestamp() returned ${String(ts)}, expected a number of ms`);
    return ts;
  }

  /** An event at or behind the watermark goes to the late output (or is counted). */
  private isLate(event: E, ts: number): boolean {
    if (ts > this.watermark) return false;
    this.stats.lateEvents++;
    this.options.onLate?.(event, ts);
    return true;
  }

  /** Event time: no event with a timestamp <= `watermark` will come; processes what it releases. */
  advanceWatermark(watermark: number): void {
    if (!(watermark > this.watermark)) return;
    // a throwing condition must not replay the event: the buffer removes it before processing
    this.pending.release(watermark, this.processAt);
    this.watermark = watermark;
    for (const r of this.runners) this.fireTimers(r, watermark);
  }

  /**
   * Event time: the earliest time at which advancing the watermark changes anything (a buffered
   * event or a timer is due), Infinity when nothing waits. Lets a caller that drives several
   * operators advance them together, step by step.
   */
  nextEventTime(): number {
    let t = this.pending.peekTime();
    for (const r of this.runners) {
      const due = r.timers.peekTime();
      if (due < t) t = due;
    }
    return t;
  }

  /**
   * Processing time: processes the events held for the comparator from milliseconds before `now`
   * (default: the clock), then fires the window timeouts due at `now`. Call it as time passes.
   */
  advanceProcessingTime(now = this.processingTime()): void {
    if (this.pending.size > 0) this.pending.release(now, this.processAt, true);
    for (const r of this.runners) this.fireTimers(r, now);
  }

  /** processingTime, for conditions (ctx.currentProcessingTime()). */
  private readonly processingClock = (): number => this.processingTime();

  /** The clock, never going back (a wall clock can be set back; runs are ordered by time). */
  private processingTime(): number {
    const t = this.clock();
    if (t > this.lastProcessingTime) this.lastProcessingTime = t;
    return this.lastProcessingTime;
  }

  /** End of input: releases every buffered event and closes all windows. */
  flush(): void {
    if (this.mode === 'event') this.advanceWatermark(Number.MAX_VALUE);
    else {
      this.pending.release(Infinity, this.processAt);
      this.advanceProcessingTime(Number.MAX_VALUE);
    }
  }

  /** The complete state as versioned plain data (JSON-safe when events and keys are). */
  snapshot(): OperatorSnapshot {
    return this.snapshotOf((r) => r.slots.inCreationOrder());
  }

  /**
   * The state as changed since the last call (since the operator was made or restored, the first
   * time): the snapshot holds only the keys whose state changed, and `removed` the keys that have
   * no state any more. Its cost grows with the keys changed, not with all keys. Merged into the
   * snapshot as of the last call (CepOperator.mergeChanges), it gives the complete state. Needs
   * the trackChanges option.
   */
  snapshotChanges(): OperatorChanges {
    const removed: { pattern: string; keys: unknown[] }[] = [];
    const snapshot = this.snapshotOf((r) => {
      if (r.changed === undefined) throw new TypeError('CepOperator: snapshotChanges needs the trackChanges option');
      const slots: number[] = [];
      const gone: unknown[] = [];
      for (const key of r.changed) {
        const slot = r.slots.slotOf(key);
        if (slot === undefined) gone.push(key);
        else slots.push(slot);
      }
      r.changed.clear();
      removed.push({ pattern: r.name, keys: gone });
      return slots.sort((a, b) => r.slots.seq(a) - r.slots.seq(b));
    });
    return { snapshot, removed };
  }

  /** The snapshot that changes (of a later snapshotChanges call) make of `base` (a snapshot, or undefined before the first call). */
  static mergeChanges(base: OperatorSnapshot | undefined, changes: OperatorChanges): OperatorSnapshot {
    return mergeChanges(base, changes);
  }

  /** A snapshot with, per pattern, the keys of the slots `slotsOf` gives (in creation order). */
  private snapshotOf(slotsOf: (r: Runner<E>) => number[]): OperatorSnapshot {
    return {
      format: 'cepheus-operator',
      version: 3,
      time: this.mode,
      watermark: jsonNumber(this.watermark),
      maxTimestamp: jsonNumber(this.watermarks ? this.watermarks.current() + this.watermarks.maxOutOfOrdernessMs + 1 : -Infinity),
      buffered: this.pending.entries(),
      keySeq: this.keySeq,
      patterns: this.runners.map((r) => ({
        name: r.name,
        keys: slotsOf(r).map((slot): KeyEntry => [r.slots.key(slot), r.nfa.snapshotState(r.slots.state(slot)), r.slots.seq(slot)]),
      })),
      stats: { ...this.stats },
    };
  }

  /** An operator with the given options that continues exactly where `snapshot` was taken. */
  static restore<E, K>(snapshot: OperatorSnapshot, options: CepOperatorOptions<E, K>): CepOperator<E, K> {
    checkSnapshot(snapshot);
    const op = new CepOperator(options);
    if (snapshot.time !== op.mode) throw new TypeError(`restore: snapshot was taken in ${snapshot.time} time, operator runs in ${op.mode} time`);
    op.watermark = fromJsonNumber(snapshot.watermark);
    if (op.watermarks !== undefined) op.watermarks.onEvent(fromJsonNumber(snapshot.maxTimestamp));
    for (const b of snapshot.buffered) op.pending.add(b.ts, b.event as E);
    Object.assign(op.stats, snapshot.stats);
    const byName = new Map(op.runners.map((r) => [r.name, r]));
    for (const p of snapshot.patterns) {
      const r = byName.get(p.name);
      if (r === undefined) throw new TypeError(`restore: the snapshot has pattern '${p.name}', which the operator does not`);
      // Keys keep their creation order (older versions: renumbered in it), which breaks timer ties.
      const renumber = snapshot.version !== 3;
      const keys = renumber ? p.keys : [...p.keys].sort((a, b) => a[2]! - b[2]!);
      for (const [key, data, seq] of keys) {
        const s = r.nfa.restoreState(data);
        op.schedule(r, r.slots.add(key, s, renumber ? op.keySeq++ : seq!), s);
      }
    }
    if (snapshot.version === 3) op.keySeq = snapshot.keySeq!;
    return op;
  }

  private readonly processAt = (event: E, ts: number): void => {
    let key: K | undefined;
    let keyed = false;
    const runners = this.runners;
    for (let i = 0; i < runners.length; i++) {
      const r = runners[i];
      if (r.timers.peekTime() <= ts) this.fireTimers(r, ts);
      const nfa = r.nfa;
      nfa.evaluate(event, ts);
      // most events of a selective pattern change nothing for anyone: skip finding the key's state
      if (nfa.irrelevant()) continue;
      if (!keyed) {
        key = this.keyOf(event);
        keyed = true;
      }
      let slot = r.slots.slotOf(key);
      const created = slot === undefined;
      let s: KeyState;
      if (slot === undefined) {
        if (nfa.ignoredByNewRun()) continue;
        s = nfa.createState();
        slot = this.newKey(r, key, s);
      } else {
        s = r.slots.state(slot);
        if (r.deferExpiry && s.deadline <= ts) nfa.advanceTime(s, ts, this.matches); // runs whose expiry was deferred
      }
      const out = nfa.process(s, this.matches);
      if (r.changed !== undefined) r.changed.add(key);
      if (out.length > 0) this.emit(r, slot, ts);
      if (s.changed) this.schedule(r, slot, s);
      else if (created) r.slots.remove(slot); // nothing started (NFAs too large for ignoredByNewRun)
    }
  };

  /** The slot of a key that had none. */
  private newKey(r: Runner<E>, key: unknown, s: KeyState): number {
    return r.slots.add(key, s, this.keySeq++);
  }

  /**
   * Runs advanceTime for every key whose earliest window deadline is <= `now`, in (deadline, key
   * creation) order. A timer fires only if it is still the key's timer and its deadline has not
   * moved; otherwise it is stale (dropped) or re-queued at the real deadline. That keeps the firing
   * order a function of the state alone, so a restored operator fires in the same order.
   */
  private fireTimers(r: Runner<E>, now: number): void {
    const { timers, slots } = r;
    let t: number;
    while ((t = timers.peekTime()) <= now) {
      const slot = timers.poll();
      // stale: the key was dropped (its slot free or another key's), or a later timer superseded this one
      if (slots.seq(slot) !== timers.polledTie || slots.scheduled(slot) !== t) continue;
      slots.setScheduled(slot, Infinity);
      const s = slots.state(slot);
      if (s.deadline <= t) {
        r.nfa.advanceTime(s, now, this.matches, this.timedOut);
        r.changed?.add(slots.key(slot));
        this.emit(r, slot, now);
      }
      this.schedule(r, slot, s);
    }
  }

  /** After a key's runs changed: set its timer, or drop the key once nothing is in flight. */
  private schedule(r: Runner<E>, slot: number, s: KeyState): void {
    s.changed = false;
    const slots = r.slots;
    if (s.isIdle()) {
      // Nothing in flight: the key is dropped at once and its pending timer, now stale, is skipped.
      // Dropping then depends on the state alone, so a restored operator drops (and later recreates,
      // with a new creation order) exactly the same keys. The next event for the key starts afresh.
      slots.remove(slot);
      return;
    }
    const scheduled = slots.scheduled(slot);
    if (r.deferExpiry) {
      const last = r.nfa.lastDeadline(s);
      if (last !== Infinity && (scheduled === Infinity || last > scheduled)) {
        slots.setScheduled(slot, last); // an earlier timer of the key is now stale: it is skipped when polled
        r.timers.add(last, slots.seq(slot), slot);
      }
    } else if (s.deadline < scheduled) {
      slots.setScheduled(slot, s.deadline);
      r.timers.add(s.deadline, slots.seq(slot), slot);
    }
  }

  private emit(r: Runner<E>, slot: number, timestamp: number): void {
    const matches = this.matches;
    const key = r.slots.key(slot) as K;
    if (matches.length > 0) {
      this.stats.matches += matches.length;
      for (let i = 0; i < matches.length; i++) this.options.onMatch({ pattern: r.name, key, match: matches[i], timestamp });
      matches.length = 0;
    }
    const timedOut = this.timedOut;
    if (timedOut !== undefined && timedOut.length > 0) {
      this.stats.timeouts += timedOut.length;
      for (const t of timedOut) this.options.onTimeout!({ pattern: r.name, key, match: t.match, timestamp: t.timestamp });
      timedOut.length = 0;
    }
  }
}
