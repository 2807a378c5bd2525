import type { Condition } from '../../pattern/conditions.js';
import { CepRuntimeError } from '../../pattern/errors.js';
import { emitInStartOrder, type RunQueue } from '../after-match/emission.js';
import type { AfterMatchSkipStrategy, MatchEntries } from '../after-match/skip-strategy.js';
import type { CompiledNFA } from '../compiler/nfa-compiler.js';
import type { EventMark } from '../event-order.js';
import type { Match, Matcher, TimedOutMatch } from '../matcher.js';
import { RunContext } from '../run-context.js';
import { closesAt, hasClosed } from '../window.js';
import { MASK_BITS } from '../state.js';
import { FALSE, RUN_SPECIFIC, TRUE, Verdicts } from '../verdicts.js';
import type { ChainShape } from './chain-shape.js';
import { restoreChainState, snapshotChainState, type ChainStateSnapshot } from './chain-snapshot.js';
import { RecordLayout, type Records } from './chain-records.js';
import { ChainState } from './chain-state.js';

/** Stages from this one on share one bit of ChainState.occupied (and are never skipped). */
const SHARED_BIT = MASK_BITS;
const bitOf = (stage: number) => 1 << Math.min(stage, SHARED_BIT);
/** The start condition's verdict, before it is decided for the event. */
const UNSEEN = 0;

/**
 * The runtime for chain-shaped NFAs (see chainShape). It produces exactly what `NFA` produces for
 * the same pattern (a differential property test holds it to that) with a fraction of the work
 * and memory: a chain never branches, so a run is just its events (no shared buffer, no Dewey
 * versions), and runs stay sorted by start event, which is the order Flink emits and times them
 * out in (no heap). Records are laid out as described in ChainState.
 *
 * Timestamps fed to one state must not decrease (the operator guarantees it; fed directly, an
 * earlier timestamp is a late event).
 */
export class ChainNFA<E> implements Matcher<E, ChainState<E>> {
  readonly windowMs: number;
  /** Without a skip strategy no match waits for other runs, so time passing only drops runs. */
  readonly quietExpiry: boolean;
  private readonly skip: AfterMatchSkipStrategy;
  private readonly isSkip: boolean;
  private readonly names: readonly string[];
  /** Number of stages (L). */
  private readonly length: number;
  /** How a key's runs are laid out (see Records): with marks under a skip strategy. */
  private readonly layout: RecordLayout<E>;
  /** Bits of the stages with strict contiguity, where an event the stage rejects ends the run. */
  private readonly strictBits: number;
  /** The stages of each pattern name, names in order of first appearance (a group quantifier repeats names). */
  private readonly groups: ReadonlyMap<string, readonly number[]>;
  /** The same as two arrays, for building matches without iterating the map. */
  private readonly groupNames: readonly string[];
  private readonly groupStages: readonly (readonly number[])[];
  clock: () => number = Date.now;
  private readonly ctx = new ChainContext<E>(this, () => this.clock());
  /** Emission's view of a key's runs (see emit), pointed at them for each emission. */
  private readonly queue: ChainQueue<E>;
  /** The event being evaluated (see evaluate). */
  private event: E | undefined = undefined;
  private timestamp = 0;
  /** Orders events of equal timestamp (under a skip strategy): increases with every event processed. */
  private ord = 0;
  /** Per event: stages whose condition was decided without a run (known), and their verdicts. */
  private known = 0;
  private verdicts = 0;
  /** The same for the stages' stop conditions (stopVerdicts: some stop condition holds). */
  private stopKnown = 0;
  private stopVerdicts = 0;
  /** Bits of the stages with stop conditions, and each stage's stop conditions (indexes into conds). */
  private readonly stopBits: number;
  private readonly stopsOf: readonly (readonly number[])[];
  /**
   * The distinct conditions (TAKE and stop) as functions, each stage's TAKE index into them and
   * its TAKE's function, and the indexes of those the stages after the first test.
   */
  private readonly condTests: readonly Condition<E>[];
  private readonly condOf: readonly number[];
  private readonly takeTests: readonly Condition<E>[];
  private readonly laterConds: readonly number[];
  /** Whether a stage after the first has strict contiguity (then every event can end runs). */
  private readonly anyStrict: boolean;
  /** The verdicts of the distinct conditions on the event being evaluated. */
  private readonly condVerdicts: Verdicts<E>;
  /** The start condition's verdict on the current event (with a run that has no events: never run-specific). */
  private startVerdict = UNSEEN;

  constructor(
    readonly compiled: CompiledNFA<E>,
    shape: ChainShape<E>,
  ) {
    this.windowMs = compiled.windowMs;
    this.skip = compiled.skipStrategy;
    this.isSkip = this.skip.isSkipStrategy();
    this.quietExpiry = !this.isSkip;
    this.names = shape.names;
    this.length = shape.takes.length;
    this.layout = new RecordLayout<E>(this.length, this.isSkip);
    this.queue = new ChainQueue<E>(this.layout, this);
    let strict = 0;
    shape.relaxed.forEach((relaxed, i) => {
      if (!relaxed) strict |= bitOf(i);
    });
    this.strictBits = strict;
    this.anyStrict = (strict & ~bitOf(0)) !== 0; // the start stage holds no runs
    const conds: ChainShape<E>['takes'][number][] = [];
    const indexOf = (c: ChainShape<E>['takes'][number]) => (conds.includes(c) ? conds.indexOf(c) : conds.push(c) - 1);
    this.condOf = shape.takes.map(indexOf);
    this.stopsOf = shape.stops.map((stops) => stops.map(indexOf));
    this.laterConds = [...new Set([...this.condOf.slice(1), ...this.stopsOf.flat()])];
    let stopBits = 0;
    shape.stops.forEach((stops, i) => {
      if (stops.length > 0) stopBits |= bitOf(i);
    });
    this.stopBits = stopBits;
    this.condVerdicts = new Verdicts(conds, () => this.clock());
    this.condTests = this.condVerdicts.tests;
    this.takeTests = this.condOf.map((c) => this.condTests[c]);
    const groups = new Map<string, number[]>();
    shape.names.forEach((name, i) => {
      const stages = groups.get(name);
      if (stages === undefined) groups.set(name, [i]);
      else stages.push(i);
    });
    this.groups = groups;
    this.groupNames = [...groups.keys()];
    this.groupStages = [...groups.values()];
  }

  createState(): ChainState<E> {
    return new ChainState<E>();
  }

  partialMatches(s: ChainState<E>): number {
    return (s.runs.length + (s.completed?.length ?? 0)) / this.layout.size;
  }

  lastDeadline(s: ChainState<E>): number {
    const runs = s.runs;
    // runs are sorted by start: the last one's window closes last
    return runs.length > 0 ? closesAt(this.layout.lastStartTs(runs), this.windowMs) : Infinity;
  }

  evaluate(event: E, timestamp: number): void {
    this.event = event;
    this.timestamp = timestamp;
    this.condVerdicts.begin(event, timestamp);
    this.startVerdict = UNSEEN;
  }

  ignoredByNewRun(): boolean {
    return !this.starts(this.event as E, this.timestamp);
  }

  /**
   * True when the event changes no key's runs and starts none: the operator then need not look the
   * key up at all. That holds when no condition takes it and no stage has strict contiguity.
   */
  irrelevant(): boolean {
    const event = this.event as E;
    const timestamp = this.timestamp;
    if (this.anyStrict || this.starts(event, timestamp)) return false;
    const later = this.laterConds;
    for (let i = 0; i < later.length; i++) if (this.condVerdicts.of(later[i]) !== FALSE) return false;
    return true;
  }

  process(s: ChainState<E>, out: Match<E>[] = []): Match<E>[] {
    const ord = this.isSkip ? this.ord++ : 0;
    // no condition holds: nothing starts or moves, and only a strict stage's runs could end
    if ((s.occupied & this.strictBits) !== 0 || !this.condVerdicts.noneHold()) this.step(s, this.event as E, this.timestamp, ord, out);
    return out;
  }

  /**
   * process for an event some condition may hold for: apart, so that callers inline only the
   * check above (V8's inlining budget then holds the rest of their hot path; see PathNFA.step).
   */
  private step(s: ChainState<E>, event: E, timestamp: number, ord: number, out: Match<E>[]): void {
    const occupied = s.occupied;
    let done: Records | null = null;
    let changed = false;
    if (occupied !== 0) {
      const affected = this.affectedStages(occupied);
      if (affected !== 0) {
        done = this.advanceRuns(s.runs, affected, event, timestamp, ord);
        changed = true;
      }
    }
    if (this.starts(event, timestamp)) {
      if (this.length === 1) this.layout.insert((done ??= []), this.layout.append([], event, timestamp, ord));
      else this.startRun(s.runs, event, timestamp, ord);
      changed = true;
    }
    if (changed) {
      if (done !== null || s.completed !== null) this.emit(s, done, out);
      this.refresh(s);
    }
  }

  advanceTime(s: ChainState<E>, timestamp: number, out?: Match<E>[], timedOut?: TimedOutMatch<E>[]): void {
    if (timestamp >= s.deadline || s.completed !== null) this.expire(s, timestamp, out ?? [], timedOut);
  }

  /** advanceTime once a window closes or matches wait: apart, so that callers inline only the check above. */
  private expire(s: ChainState<E>, timestamp: number, out: Match<E>[], timedOut: TimedOutMatch<E>[] | undefined): void {
    const runs = s.runs;
    const layout = this.layout;
    const size = layout.size;
    const windowMs = this.windowMs;
    let end = 0;
    // runs are sorted by start time, so the timed-out ones are a prefix
    while (end < runs.length && hasClosed(timestamp, layout.startTs(runs, end), windowMs)) end += size;
    if (end > 0) {
      if (timedOut !== undefined) {
        for (let at = 0; at < end; at += size) timedOut.push({ match: this.materialize(runs, at), timestamp: closesAt(layout.startTs(runs, at), windowMs) });
      }
      runs.splice(0, end);
    }
    if (end > 0 || s.completed !== null) {
      this.emit(s, null, out);
      this.refresh(s);
    }
  }

  snapshotState(s: ChainState<E>): ChainStateSnapshot {
    return snapshotChainState(s, this.length, this.isSkip);
  }

  restoreState(data: unknown): ChainState<E> {
    const s = restoreChainState<E>(data, this.length, this.isSkip);
    // later events must order after every restored one
    if (this.isSkip) for (const records of [s.runs, s.completed ?? []]) this.ord = Math.max(this.ord, this.layout.maxOrd(records) + 1);
    this.refresh(s);
    return s;
  }

  /**
   * Bits of the occupied stages whose runs this event may change. A stage's condition is decided
   * once for all its runs unless it reads the run's events through ctx (then run by run); the
   * verdicts are kept in known/verdicts for advanceRuns.
   */
  private affectedStages(occupied: number): number {
    let affected = 0;
    let known = 0;
    let verdicts = 0;
    let stopKnown = 0;
    let stopVerdicts = 0;
    for (let mask = occupied; mask !== 0; mask &= mask - 1) {
      const bit = mask & -mask;
      const stage = 31 - Math.clz32(bit);
      if ((this.stopBits & bit) !== 0) {
        const stop = stage >= SHARED_BIT ? RUN_SPECIFIC : this.stopVerdict(stage);
        if (stop !== FALSE) affected |= bit;
        if (stop !== RUN_SPECIFIC) {
          stopKnown |= bit;
          if (stop === TRUE) stopVerdicts |= bit;
        }
      }
      const verdict = stage >= SHARED_BIT ? RUN_SPECIFIC : this.condVerdicts.of(this.condOf[stage]);
      if (verdict === RUN_SPECIFIC) {
        affected |= bit;
        continue;
      }
      known |= bit;
      if (verdict === TRUE) {
        verdicts |= bit;
        affected |= bit;
      } else if (this.strictBits & bit) affected |= bit;
    }
    this.known = known;
    this.verdicts = verdicts;
    this.stopKnown = stopKnown;
    this.stopVerdicts = stopVerdicts;
    return affected;
  }

  /** Whether some stop condition of the stage holds for every run (TRUE), for none (FALSE), or RUN_SPECIFIC. */
  private stopVerdict(stage: number): number {
    const stops = this.stopsOf[stage];
    let verdict = FALSE;
    for (let i = 0; i < stops.length; i++) {
      const v = this.condVerdicts.of(stops[i]);
      if (v === TRUE) return TRUE;
      if (v === RUN_SPECIFIC) verdict = RUN_SPECIFIC;
    }
    return verdict;
  }

  /** Advances or ends the runs of the affected stages; returns the runs this event completed. */
  private advanceRuns(runs: Records, affected: number, event: E, timestamp: number, ord: number): Records | null {
    const layout = this.layout;
    const size = layout.size;
    const length = this.length;
    const n = runs.length;
    let done: Records | null = null;
    let kept = 0;
    let at = 0;
    try {
      for (; at < n; at += size) {
        const stage = layout.stage(runs, at);
        const bit = bitOf(stage);
        if ((affected & bit) !== 0) {
          const take = (this.known & bit) !== 0 ? (this.verdicts & bit) !== 0 : this.test(stage, event, timestamp, runs, at);
          // a stop condition ends the run, even as it takes the event, unless that completes it
          const stop = (this.stopBits & bit) === 0 ? false : (this.stopKnown & bit) !== 0 ? (this.stopVerdicts & bit) !== 0 : this.testStops(stage, event, timestamp, runs, at);
          if (stop && !(take && stage + 1 === length)) continue;
          if (take) {
            layout.take(runs, at, event, timestamp, ord);
            if (stage + 1 === length) {
              layout.copyTo(runs, at, (done ??= []));
              continue;
            }
          } else if ((this.strictBits & bit) !== 0) continue; // strict contiguity broken: the run ends
        }
        if (kept !== at) layout.move(runs, at, kept);
        kept += size;
      }
    } finally {
      // a throwing condition leaves the runs not yet visited in place
      for (; at < n; at += size, kept += size) if (kept !== at) layout.move(runs, at, kept);
      while (runs.length > kept) runs.pop(); // not length = kept: a runtime call that costs more for the few slots a step drops
    }
    return done;
  }

  /**
   * Whether the event starts a run: the start condition's verdict, shared with the stages that
   * have the same condition (times(n)); when that is decided run by run, the condition is
   * evaluated for a run with no events, the one a new run is.
   */
  private starts(event: E, timestamp: number): boolean {
    if (this.startVerdict === UNSEEN) {
      const v = this.condVerdicts.of(this.condOf[0]);
      this.startVerdict = v !== RUN_SPECIFIC ? v : this.test(0, event, timestamp, null, 0) ? TRUE : FALSE;
    }
    return this.startVerdict === TRUE;
  }

  /** Adds the run the event starts: appended when it starts last (events in time order), else inserted in start order. */
  private startRun(runs: Records, event: E, timestamp: number, ord: number): void {
    const layout = this.layout;
    if (runs.length > 0 && layout.lastStartTs(runs) > timestamp) layout.insert(runs, layout.append([], event, timestamp, ord));
    else layout.append(runs, event, timestamp, ord); // a later event has a later ord: among equal start times the new run sorts last
  }

  /** Recomputes the deadline and the occupied stages after the runs changed. */
  private refresh(s: ChainState<E>): void {
    const runs = s.runs;
    let occupied = 0;
    const layout = this.layout;
    for (let at = 0; at < runs.length; at += layout.size) occupied |= bitOf(layout.stage(runs, at));
    s.occupied = occupied;
    s.changed = true;
    s.deadline = runs.length > 0 ? closesAt(layout.startTs(runs, 0), this.windowMs) : Infinity;
  }

  /**
   * Emits completed runs in start order. With a skip strategy a match waits while an earlier-started
   * run is still in progress, and each emitted match prunes the runs it makes obsolete (as NFA does).
   */
  private emit(s: ChainState<E>, done: Records | null, out: Match<E>[]): void {
    const layout = this.layout;
    let completed = s.completed;
    if (done !== null) {
      if (completed === null) completed = done;
      else for (let at = 0; at < done.length; at += layout.size) layout.insert(completed, done, at);
    }
    if (completed === null) return;
    if (!this.isSkip) {
      // without a skip strategy nothing waits or prunes: every completed run, in start order
      for (let at = 0; at < completed.length; at += layout.size) out.push(this.materialize(completed, at));
      s.completed = null;
      return;
    }
    const queue = this.queue.of(s, completed);
    emitInStartOrder(this.skip, queue, out);
    s.completed = queue.rest();
  }

  /** A record's events as marks (time, then ord), by pattern name in pattern order. */
  marksOf(records: Records, at: number): MatchEntries {
    const match: MatchEntries = new Map();
    for (let g = 0; g < this.groupNames.length; g++)
      match.set(
        this.groupNames[g],
        this.groupStages[g].map((stage) => this.layout.mark(records, at, stage)),
      );
    return match;
  }

  /** The record's events by pattern name, in pattern order. */
  materialize(records: Records, at: number): Match<E> {
    const out: Match<E> = new Map();
    const stage = this.layout.stage(records, at);
    const names = this.groupNames;
    for (let g = 0; g < names.length; g++) {
      const stages = this.groupStages[g];
      if (stages[0] >= stage) break;
      out.set(names[g], this.pick(records, at, stages));
    }
    return out;
  }

  /** Events the run at `at` has taken for `name` (ConditionContext.getEventsForPattern). */
  eventsFor(records: Records | null, at: number, name: string): E[] {
    if (records === null) return [];
    const stages = this.groups.get(name);
    return stages === undefined ? [] : this.pick(records, at, stages);
  }

  /** The events at the given stages, up to the stage the run has reached. */
  private pick(records: Records, at: number, stages: readonly number[]): E[] {
    const layout = this.layout;
    const stage = layout.stage(records, at);
    const out: E[] = [];
    for (let i = 0; i < stages.length && stages[i] < stage; i++) out.push(layout.event(records, at, stages[i]));
    return out;
  }

  private test(stage: number, event: E, timestamp: number, records: Records | null, at: number): boolean {
    return this.check(this.takeTests[stage], stage, event, timestamp, records, at);
  }

  /** Whether some stop condition of the stage holds for the run (each is evaluated, in order, as Flink's edges are). */
  private testStops(stage: number, event: E, timestamp: number, records: Records, at: number): boolean {
    const stops = this.stopsOf[stage];
    let stop = false;
    for (let i = 0; i < stops.length; i++) if (this.check(this.condTests[stops[i]], stage, event, timestamp, records, at)) stop = true;
    return stop;
  }

  private check(condition: Condition<E>, stage: number, event: E, timestamp: number, records: Records | null, at: number): boolean {
    const ctx = this.ctx.reset(records, at, timestamp);
    try {
      return !!condition(event, ctx);
    } catch (e) {
      // named as Flink names it: the edge leaving the stage's state
      throw new CepRuntimeError(`Failure happened in filter function of '${this.names[stage]}': ${(e as Error)?.message ?? e}`, { cause: e });
    }
  }
}

/**
 * Emission's view of a key's runs (see RunQueue): a run is the offset of its record in the
 * completed records; emitted records stay in place, ahead of `head`, until the next prune.
 */
class ChainQueue<E> implements RunQueue<number, E> {
  completed: Records = [];
  private state: ChainState<E> | null = null;
  private head = 0;

  constructor(
    private readonly layout: RecordLayout<E>,
    private readonly nfa: ChainNFA<E>,
  ) {}

  of(state: ChainState<E>, completed: Records): this {
    this.state = state;
    this.completed = completed;
    this.head = 0;
    return this;
  }

  nextCompleted(): number | undefined {
    return this.head < this.completed.length ? this.head : undefined;
  }

  takeCompleted(): void {
    this.head += this.layout.size;
  }

  startedEarlier(at: number): boolean {
    const runs = this.state!.runs;
    return runs.length > 0 && this.layout.compare(this.completed, at, runs, 0) > 0;
  }

  marks(at: number): MatchEntries {
    return this.nfa.marksOf(this.completed, at);
  }

  materialize(at: number): Match<E> {
    return this.nfa.materialize(this.completed, at);
  }

  prune(pruned: (start: EventMark) => boolean): void {
    const s = this.state!;
    s.runs = this.layout.keep(s.runs, pruned);
    this.completed = this.layout.keep(this.rest() ?? [], pruned);
    this.head = 0;
  }

  /** The completed records not emitted yet, or null for none. */
  rest(): Records | null {
    if (this.head >= this.completed.length) return null;
    return this.head === 0 ? this.completed : this.completed.slice(this.head);
  }
}

/** The context handed to conditions: a run's events are read from its record, name by name. */
class ChainContext<E> extends RunContext<E> {
  private records: Records | null = null;
  private at = 0;

  constructor(
    private readonly nfa: ChainNFA<E>,
    clock: () => number,
  ) {
    super(clock);
  }

  /** The run at `at` in `records` (null: a run with no events yet). */
  reset(records: Records | null, at: number, ts: number): this {
    this.records = records;
    this.at = at;
    return this.forRun(ts);
  }

  protected override eventsOf(name: string): Iterable<E> {
    return this.nfa.eventsFor(this.records, this.at, name);
  }
}
