import { BoundedOutOfOrderness, CepOperator, EventTimeBuffer, type CepOperatorOptions, type KeyEntry, type OperatorSnapshot } from '@cepheus/core';
import { ruleError, type CompiledRule, type Match, type PartitionKey, type RepeatSpec } from './compile.js';
import type { WindowAggregates, WindowAggregatesMaker } from './window-aggregates.js';
import type { StandardEvent } from './standard-event.js';
import { mergeChanges, type EngineChanges, type EngineSnapshot, type RuleSnapshot } from './engine-snapshot.js';

export interface RuleEngineOptions {
  rules: CompiledRule[];
  /** Allowed disorder of input events in ms (bounded-out-of-orderness watermark). Default 0. */
  outOfOrdernessMs?: number;
  /** Every output event, including those that feed other rules, with the events of its match by variable. */
  onOutput: (event: StandardEvent, rule: string, match: Match) => void;
  /** Input events at or behind the watermark (and chained outputs that arrive behind a rule's time). */
  onLate?: (event: StandardEvent, rule?: string) => void;
  /**
   * Events of a rule's codes that lack its partition key (a PARTITION BY field missing or null):
   * they belong to no partition, so the rule skips them. Counted in stats.unkeyed either way.
   */
  onUnkeyed?: (event: StandardEvent, rule: string) => void;
  /** Keep track of the keys whose state changes, for snapshotChanges (incremental checkpoints). */
  trackChanges?: boolean;
}

export interface EngineStats {
  events: number;
  outputs: number;
  late: number;
  /** Events a rule skipped for lacking its partition key (see onUnkeyed), counted once per rule. */
  unkeyed: number;
}

/**
 * When an output event entered the stream, if later than its event_time: a match completed by a
 * window closing (a trailing negation) is emitted at that time, as Flink timestamps records its
 * timers emit, while event_time reports the last matched event. Rules fed by the output see it at
 * the time it was emitted, so it is not behind their watermark. A symbol: never serialized.
 */
const EMITTED_AT: unique symbol = Symbol('cepheus.emittedAt');
type Emitted = StandardEvent & { [EMITTED_AT]?: number };
const streamTime = (e: StandardEvent): number => (e as Emitted)[EMITTED_AT] ?? e.event_time;

/** When the window of a match closes: its first event's time plus WITHIN (Infinity without one). */
function windowClose(match: Map<string, StandardEvent[]>, withinMs: number | undefined): number {
  if (withinMs === undefined) return Infinity;
  let first = Infinity;
  for (const events of match.values()) for (const e of events) if (e.event_time < first) first = e.event_time;
  return first + withinMs;
}

interface Runner {
  readonly rule: CompiledRule;
  /** It gets its events in time order, unbuffered (it reads no rule's output). */
  readonly ordered: boolean;
  /** Time passing can concern it (see RuleEngine.timed). */
  readonly timed: boolean;
  push(e: StandardEvent): void;
  advance(watermark: number): void;
  /** The earliest time at which advance would do something (Infinity: nothing waits). */
  nextTime(): number;
  /** Keys with state (partial matches or a window). */
  readonly keyCount: number;
  /** Partial matches: runs that have started, or windows (one per key). */
  partialMatches(): number;
  /**
   * The runner's state as plain data, each key's apart (see RuleEngine.snapshot); with
   * `changedOnly` (trackChanges), only the keys changed since the last such call, and those removed.
   */
  snapshot(changedOnly: boolean): RunnerState;
  /** Continues from what snapshot() gave (on a fresh runner of the same rule). */
  restore(state: unknown, keys: RuleSnapshot['keys']): void;
}

interface RunnerState {
  state: unknown;
  keys: [PartitionKey, unknown][];
  removed: PartitionKey[];
}

/** JSON has no infinities: -Infinity (nothing yet) is null. */
const jsonTime = (t: number): number | null => (Number.isFinite(t) ? t : null);
const fromJsonTime = (t: number | null): number => (t === null ? -Infinity : t);

/**
 * Runs compiled rules over standard events in event time: one reorder buffer and watermark for
 * all rules, so an event is late for every rule or for none. Rules run in dependency order, and a
 * rule's output events are fed to the rules that read its name as an event code (rule chaining).
 */
export class RuleEngine {
  readonly stats: EngineStats = { events: 0, outputs: 0, late: 0, unkeyed: 0 };
  private runners: Runner[] = [];
  /** The runners that time passing can concern (an ordered REPEAT runner holds nothing pending). */
  private timed: Runner[] = [];
  private byCode = new Map<string, Runner[]>();
  /** The runners that read every input event (see CompiledRule.allEvents): what other codes go to. */
  private everyEvent: Runner[] = [];
  private readonly buffer = new EventTimeBuffer<StandardEvent>();
  private readonly watermarks: BoundedOutOfOrderness;
  private watermark = -Infinity;
  /** outOfOrdernessMs is 0: events are processed as they come (see push). */
  private readonly noDisorder: boolean;

  constructor(private readonly options: RuleEngineOptions) {
    this.install(options.rules, new Map());
    this.watermarks = new BoundedOutOfOrderness(options.outOfOrdernessMs ?? 0);
    this.noDisorder = this.watermarks.maxOutOfOrdernessMs === 0;
  }

  /**
   * Replaces the rules while the engine runs (cepheus run --watch). A rule whose compiled form is
   * unchanged keeps its state (partial matches, windows); a changed or new rule starts afresh from
   * the next event; a removed one is dropped with its state. Throws, changing nothing, for rules
   * that feed each other in a cycle.
   */
  replaceRules(rules: CompiledRule[], restart: ReadonlySet<string> = new Set()): { added: string[]; changed: string[]; removed: string[]; kept: string[] } {
    const old = new Map(this.runners.map((r) => [r.rule.name, r]));
    // a rule named in `restart` starts afresh even when unchanged (a new version of the same text)
    const kept = this.install(rules, new Map([...old].filter(([name]) => !restart.has(name))));
    const names = new Set(rules.map((r) => r.name));
    return {
      added: rules.filter((r) => !old.has(r.name)).map((r) => r.name),
      changed: rules.filter((r) => old.has(r.name) && !kept.includes(r.name)).map((r) => r.name),
      removed: [...old.keys()].filter((n) => !names.has(n)),
      kept,
    };
  }

  /** Sets up the runners for `rules`, reusing those of `reuse` whose rule is unchanged; returns the names reused. */
  private install(rules: CompiledRule[], reuse: Map<string, Runner>): string[] {
    const ordered = dependencyOrder(rules);
    const names = new Set(ordered.map((r) => r.name));
    const kept: string[] = [];
    const runners = ordered.map((rule) => {
      // a rule that reads no rule's output gets events in time order straight from the buffer
      const inOrder = ![...rule.codes].some((c) => names.has(c));
      const previous = reuse.get(rule.name);
      if (previous !== undefined && previous.rule.signature === rule.signature && previous.ordered === inOrder) {
        kept.push(rule.name);
        return previous;
      }
      const track = this.options.trackChanges === true;
      return rule.kind === 'repeat' ? new RepeatRunner(rule, this.emit, this.unkeyed, inOrder, track) : new NfaRunner(rule, this.emit, this.late, this.unkeyed, inOrder, track);
    });
    this.runners = runners;
    this.timed = runners.filter((r) => r.timed);
    // Each code's runners, in dependency order: those that read the code, and, for codes that are
    // not rule names, those that read every input event. Outputs of rules go only to their readers.
    this.everyEvent = runners.filter((r) => r.rule.allEvents);
    this.byCode = new Map();
    const codes = new Set([...names, ...runners.flatMap((r) => [...r.rule.codes])]);
    for (const code of codes) {
      const isOutput = names.has(code);
      this.byCode.set(
        code,
        runners.filter((r) => r.rule.codes.has(code) || (!isOutput && r.rule.allEvents)),
      );
    }
    this.lastCode = undefined;
    this.due = -Infinity; // a new runner may have something due
    return kept;
  }

  /** Feeds one (normalized) input event. */
  push(e: StandardEvent): void {
    this.stats.events++;
    const ts = e.event_time;
    if (ts <= this.watermark) {
      this.late(e);
      return;
    }
    const watermark = this.watermarks.onEvent(ts);
    if (this.noDisorder) {
      // No disorder allowed: an event that is not late is the newest, so nothing can come before
      // it. It is processed at once, after the time before it has passed (timers), as the buffer
      // would release it, only without waiting for the next event.
      this.advanceTo(watermark);
      this.dispatch(e);
      return;
    }
    this.buffer.add(ts, e);
    this.advanceTo(watermark);
  }

  /** Keys with state in each rule, by rule name. */
  keyCounts(): Map<string, number> {
    return new Map(this.runners.map((r) => [r.rule.name, r.keyCount]));
  }

  /** Partial matches in each rule (runs that have started; a REPEAT rule's windows), by rule name; costs a pass over the keys. */
  partialMatchCounts(): Map<string, number> {
    return new Map(this.runners.map((r) => [r.rule.name, r.partialMatches()]));
  }

  /** Keys that hold state in some rule (partial matches, a REPEAT window): what memory grows with. */
  get keyCount(): number {
    let n = 0;
    for (const r of this.runners) n += r.keyCount;
    return n;
  }

  /**
   * The engine's complete state as plain data (JSON-safe): its watermark and reorder buffer, and
   * each rule's partial matches, windows and pending events, per key. RuleEngine.restore continues
   * from it exactly: the outputs after it are those the uninterrupted engine gives.
   */
  snapshot(): EngineSnapshot {
    return { ...this.snapshotHead(), rules: this.runners.map((r) => ruleSnapshot(r, r.snapshot(false))) };
  }

  /**
   * The state as changed since the last call (since the engine was made or restored, the first
   * time): each rule holds only the keys whose state changed, with the keys that have none any
   * more, so that its cost grows with the keys changed, not with all keys. Merged into the
   * snapshot as of the last call (RuleEngine.mergeChanges), it gives the complete state. Needs the
   * trackChanges option.
   */
  snapshotChanges(): EngineChanges {
    if (!this.options.trackChanges) throw new TypeError('RuleEngine: snapshotChanges needs the trackChanges option');
    return {
      ...this.snapshotHead(),
      rules: this.runners.map((r) => {
        const { removed, ...state } = r.snapshot(true);
        const fresh = !this.described.has(r);
        this.described.add(r);
        return { ...ruleSnapshot(r, state), removed, fresh };
      }),
    };
  }

  /** The runners whose keys snapshotChanges (or restore) described: the others started afresh since. */
  private readonly described = new WeakSet<Runner>();

  /** The complete snapshot that `changes` (of a later snapshotChanges call) make of `base` (undefined before the first call). */
  static mergeChanges(base: EngineSnapshot | undefined, changes: EngineChanges): EngineSnapshot {
    return mergeChanges(base, changes);
  }

  private snapshotHead(): Omit<EngineSnapshot, 'rules'> {
    return {
      format: 'cepheus-engine',
      version: 2,
      watermark: jsonTime(this.watermark),
      maxTimestamp: jsonTime(this.watermarks.current() + this.watermarks.maxOutOfOrdernessMs + 1),
      rulesTime: jsonTime(this.rulesTime),
      stats: { ...this.stats },
      buffered: this.buffer.entries(),
    };
  }

  /**
   * An engine for `options` that continues where `snapshot` was taken. The rules must be those of
   * the snapshot (by name and compiled form); a TypeError says which differs.
   */
  static restore(snapshot: EngineSnapshot, options: RuleEngineOptions): RuleEngine {
    if (snapshot?.format !== 'cepheus-engine') throw new TypeError('restore: not a Cepheus rule engine snapshot');
    if (snapshot.version !== 1 && snapshot.version !== 2)
      throw new TypeError(`restore: unsupported snapshot version ${String(snapshot.version)} (this build reads versions 1 and 2)`);
    const engine = new RuleEngine(options);
    const runners = new Map(engine.runners.map((r) => [r.rule.name, r]));
    if (snapshot.rules.length !== runners.size) throw new TypeError(`restore: the snapshot has ${snapshot.rules.length} rules, the engine ${runners.size}`);
    for (const saved of snapshot.rules) {
      const runner = runners.get(saved.name);
      if (runner === undefined) throw new TypeError(`restore: the snapshot has rule "${saved.name}", which the engine does not`);
      if (runner.rule.signature !== saved.signature || runner.ordered !== saved.ordered)
        throw new TypeError(`restore: rule "${saved.name}" is not the one the snapshot was taken with`);
      if (snapshot.version === 2) runner.restore(saved.state, saved.keys);
      else runner.restore(...splitVersion1(runner, saved.state));
      engine.described.add(runner);
    }
    engine.watermark = fromJsonTime(snapshot.watermark);
    if (snapshot.maxTimestamp !== null) engine.watermarks.onEvent(snapshot.maxTimestamp);
    engine.rulesTime = fromJsonTime(snapshot.rulesTime);
    Object.assign(engine.stats, snapshot.stats);
    for (const b of snapshot.buffered) engine.buffer.add(b.ts, b.event);
    engine.due = -Infinity; // worked out again at the next event
    return engine;
  }

  /** End of input: releases every buffered event and closes every window. */
  flush(): void {
    this.advanceTo(Number.MAX_VALUE);
  }

  /**
   * Time passes without events (a quiet stream): the watermark moves to `watermark` if that is
   * later, releasing buffered events and closing windows up to it. Events at or before it are late.
   */
  advanceWatermark(watermark: number): void {
    this.watermarks.onEvent(watermark + this.watermarks.maxOutOfOrdernessMs + 1);
    this.advanceTo(watermark);
  }

  /**
   * Runs rule `name` alone over earlier events, as if it had been running since them (a backfill
   * of a rule deployed late): of `events` (the engine's input events since some time, in push
   * order, late ones left out), those already processed go to this rule only, in time order, and
   * then time passes for it up to the engine's. Its outputs are emitted as any; events still in
   * the reorder buffer reach it with every rule when released.
   */
  backfill(name: string, events: readonly StandardEvent[]): void {
    const runner = this.runners.find((r) => r.rule.name === name);
    if (runner === undefined) throw new TypeError(`backfill: no rule named "${name}"`);
    const processed = this.noDisorder ? events : events.filter((e) => e.event_time <= this.watermark);
    const inOrder = [...processed].sort((a, b) => a.event_time - b.event_time); // stable: ties keep their order
    const codes = runner.rule.codes;
    for (const e of inOrder) if (runner.rule.allEvents || codes.has(e.event_code)) runner.push(e);
    if (runner.timed) runner.advance(this.rulesTime);
    this.due = -Infinity;
  }

  /** The current watermark (-Infinity before the first event). */
  get currentWatermark(): number {
    return this.watermark;
  }

  private advanceTo(watermark: number): void {
    if (!(watermark > this.watermark)) return;
    if (this.buffer.size > 0) this.buffer.release(watermark, this.dispatchInTime);
    this.watermark = watermark;
    this.advanceRules(watermark);
  }

  /**
   * A buffered event is released: the time before it passes first, for every rule, as when an event
   * is processed at once (see push). Otherwise a rule that fired on the event could report before
   * another rule's window that closed earlier.
   */
  private readonly dispatchInTime = (e: StandardEvent, ts: number): void => {
    this.advanceRules(ts - 1);
    this.dispatch(e);
  };

  /** The time the rules have been advanced to (watermarks only grow). */
  private rulesTime = -Infinity;

  /**
   * Advances the rules to `time` together, step by step through the times at which one of them has
   * something due (a window closing, a chained output waiting): what any rule does at one time comes
   * before what any rule does at a later one, however far the watermark jumps at once.
   */
  private advanceRules(time: number): void {
    if (time < this.due) {
      // nothing is due up to `time` (the common case, checked for every event)
      if (time > this.rulesTime) this.rulesTime = time;
      return;
    }
    const timed = this.timed;
    while (time > this.rulesTime) {
      let step = time;
      for (let i = 0; i < timed.length; i++) {
        const due = timed[i].nextTime();
        if (due > this.rulesTime && due < step) step = due;
      }
      this.rulesTime = step;
      for (let i = 0; i < timed.length; i++) timed[i].advance(step);
    }
    let due = Infinity;
    for (let i = 0; i < timed.length; i++) due = Math.min(due, timed[i].nextTime());
    this.due = due;
  }

  /**
   * No timed runner has anything due before this time: a lower bound of their nextTime(), kept by
   * advanceRules and lowered as events reach them (an event can only bring a runner's next time
   * closer; one that moves it later only makes the bound conservative).
   */
  private due = -Infinity;

  /** The code dispatch last looked up and its runners: streams often repeat one code. */
  private lastCode: string | undefined = undefined;
  private lastRunners: Runner[] = [];

  private readonly dispatch = (e: StandardEvent): void => {
    const code = e.event_code;
    let runners = this.lastRunners;
    if (code !== this.lastCode) {
      runners = this.byCode.get(code) ?? this.everyEvent;
      this.lastCode = code;
      this.lastRunners = runners;
    }
    for (let i = 0; i < runners.length; i++) {
      const r = runners[i];
      r.push(e);
      if (r.timed) {
        const due = r.nextTime();
        if (due < this.due) this.due = due;
      }
    }
  };

  private readonly emit = (e: StandardEvent, rule: string, match: Match): void => {
    this.stats.outputs++;
    this.options.onOutput(e, rule, match);
    this.dispatch(e); // rules reading this rule's output run later in dependency order
  };

  private readonly late = (e: StandardEvent, rule?: string): void => {
    this.stats.late++;
    this.options.onLate?.(e, rule);
  };

  /** An event without the rule's partition key: reported when the rule reads its code (see CompiledRule.allEvents). */
  private readonly unkeyed = (e: StandardEvent, rule: CompiledRule): void => {
    if (!rule.codes.has(e.event_code)) return; // another code, seen only for strict contiguity: in no partition
    this.stats.unkeyed++;
    this.options.onUnkeyed?.(e, rule.name);
  };
}

function ruleSnapshot(r: Runner, { state, keys }: { state: unknown; keys: RuleSnapshot['keys'] }): RuleSnapshot {
  return { name: r.rule.name, signature: r.rule.signature, ordered: r.ordered, state, keys };
}

/** A rule's state in a version 1 snapshot (whole) as what it is per key and the rest. */
function splitVersion1(r: Runner, whole: unknown): [unknown, RuleSnapshot['keys']] {
  if (r instanceof NfaRunner) return [whole, []]; // an operator snapshot of version 2, keys included
  const { windows, pending } = whole as { windows: [PartitionKey, unknown][]; pending: unknown };
  return [{ pending }, windows];
}

class NfaRunner implements Runner {
  private op: CepOperator<StandardEvent, PartitionKey>;
  readonly timed = true;

  constructor(
    readonly rule: CompiledRule,
    emit: (e: StandardEvent, rule: string, match: Match) => void,
    late: (e: StandardEvent, rule?: string) => void,
    private readonly unkeyed: (e: StandardEvent, rule: CompiledRule) => void,
    /** Events arrive in time order (no upstream rule): processed at once, not buffered again. */
    readonly ordered: boolean,
    trackChanges: boolean,
  ) {
    this.op = new CepOperator<StandardEvent, PartitionKey>(
      (this.opOptions = {
        patterns: { [rule.name]: rule.pattern! },
        // push passes only events that have a key, and has read it already for an event it processes at once
        key: rule.keyCanBeMissing ? (e) => (e === this.keyed ? this.key : (rule.key(e) as PartitionKey)) : (rule.key as (e: StandardEvent) => PartitionKey),
        timestamp: streamTime,
        onMatch: ({ match, key, timestamp }) => {
          const out: Emitted = rule.output(match, key);
          // completed by time passing: the operator reports the watermark (Number.MAX_VALUE at the
          // end of input); the match really completed when its window closed
          if (timestamp > out.event_time) out[EMITTED_AT] = Math.min(timestamp, windowClose(match, rule.withinMs));
          emit(out, rule.name, match);
        },
        onLate: (e) => late(e, rule.name),
        trackChanges,
      }),
    );
  }

  private readonly opOptions: CepOperatorOptions<StandardEvent, PartitionKey>;

  snapshot(changedOnly: boolean): RunnerState {
    const { snapshot, removed } = changedOnly ? this.op.snapshotChanges() : { snapshot: this.op.snapshot(), removed: [] };
    const { patterns, ...state } = snapshot;
    // the operator runs one pattern, the rule's: each key with its state and creation order
    return { state, keys: patterns[0].keys.map(([key, data, seq]) => [key as PartitionKey, [data, seq]]), removed: (removed[0]?.keys ?? []) as PartitionKey[] };
  }

  restore(state: unknown, keys: RuleSnapshot['keys']): void {
    const saved = state as OperatorSnapshot;
    // a version 1 engine snapshot holds the operator's whole (keys included)
    const patterns =
      keys.length === 0 && saved.patterns !== undefined
        ? saved.patterns
        : [{ name: this.rule.name, keys: keys.map(([key, entry]): KeyEntry => [key, ...(entry as [unknown, number])]) }];
    this.op = CepOperator.restore({ ...saved, patterns }, this.opOptions);
  }

  push(e: StandardEvent): void {
    if (this.rule.keyCanBeMissing) {
      const key = this.rule.key(e);
      if (key === undefined) {
        this.unkeyed(e, this.rule);
        return;
      }
      this.keyed = e;
      this.key = key;
    }
    if (this.ordered) this.op.processInOrder(e);
    else this.op.processElement(e);
  }

  /** The last event push read the key of, and its key (see the operator's key function). */
  private keyed: StandardEvent | undefined = undefined;
  private key: PartitionKey = '';

  advance(watermark: number): void {
    this.op.advanceWatermark(watermark);
  }

  nextTime(): number {
    return this.op.nextEventTime();
  }

  get keyCount(): number {
    return this.op.keyCount;
  }

  partialMatches(): number {
    return this.op.partialMatches().get(this.rule.name) ?? 0;
  }
}

/**
 * REPEAT rules: per key, the accepted events of the last WITHIN ms (an event leaves the window, as a
 * partial match would time out, once the newest event is WITHIN or more after it); when it holds at
 * least `min` events and HAVING holds, the rule fires and the key's window restarts.
 */
class RepeatRunner implements Runner {
  private readonly spec: RepeatSpec;
  private readonly windows = new Map<PartitionKey, KeyWindow>();
  private readonly pending = new EventTimeBuffer<StandardEvent>();
  // the spec's parts, read once per event
  private readonly accepts: RepeatSpec['accepts'] | undefined;
  private readonly keyOf: CompiledRule['key'];
  private readonly min: number;
  private readonly max: number;
  private readonly withinMs: number;
  private readonly having: RepeatSpec['having'];
  private readonly newAggregates: WindowAggregatesMaker<StandardEvent>;
  /** An ordered REPEAT runner holds nothing pending: time passing does not concern it. */
  readonly timed: boolean;
  /** With trackChanges: the keys whose window may have changed since the last snapshot(true). */
  private readonly changed: Set<PartitionKey> | undefined;

  constructor(
    readonly rule: CompiledRule,
    private readonly emit: (e: StandardEvent, rule: string, match: Match) => void,
    private readonly unkeyed: (e: StandardEvent, rule: CompiledRule) => void,
    /** Events arrive in time order (no upstream rule): processed at once, not buffered again. */
    readonly ordered: boolean,
    trackChanges: boolean,
  ) {
    this.changed = trackChanges ? new Set() : undefined;
    const spec = (this.spec = rule.repeat!);
    this.accepts = spec.acceptsByCode ? undefined : spec.accepts;
    this.keyOf = rule.key;
    this.min = spec.min;
    this.max = spec.max ?? Infinity;
    this.withinMs = spec.withinMs;
    this.having = spec.having;
    this.newAggregates = spec.aggregates();
    this.timed = !ordered;
  }

  push(e: StandardEvent): void {
    if (this.accepts !== undefined && !this.accepts(e)) return;
    if (this.ordered) this.process(e, e.event_time);
    else this.pending.add(streamTime(e), e);
  }

  advance(watermark: number): void {
    if (!this.ordered) this.pending.release(watermark, this.process); // ordered: nothing is ever pending
  }

  nextTime(): number {
    return this.pending.peekTime();
  }

  private readonly process = (e: StandardEvent, ts: number): void => {
    const key = this.keyOf(e);
    if (key === undefined) {
      this.unkeyed(e, this.rule);
      return;
    }
    const limit = ts - this.withinMs;
    this.changed?.add(key);
    let w = this.windows.get(key);
    // a window whose events have all left starts afresh: as evicting them all, without the
    // aggregates' floating-point residue, and as the sweep below leaves it
    if (w !== undefined && w.newest <= limit) {
      w.close();
      w = undefined;
    }
    if (w === undefined) this.windows.set(key, (w = new KeyWindow(this.newAggregates())));
    w.evictBefore(limit);
    w.push(e, ts);
    if (w.size > this.max) w.dropOldest();
    if (w.size >= this.min && this.having(e, w.view, w.aggregates)) this.fire(key, w, e);
    if (++this.sinceSweep > this.windows.size + 1024) this.sweep(limit);
  };

  /** Keys that still have a window (their events are not all older than WITHIN). */
  get keyCount(): number {
    return this.windows.size;
  }

  partialMatches(): number {
    return this.windows.size;
  }

  snapshot(changedOnly: boolean): RunnerState {
    const state = { pending: this.pending.entries() };
    if (!changedOnly) return { state, keys: [...this.windows].map(([key, w]) => [key, w.snapshot()]), removed: [] };
    const keys: [PartitionKey, unknown][] = [];
    const removed: PartitionKey[] = [];
    for (const key of this.changed!) {
      const w = this.windows.get(key);
      if (w === undefined) removed.push(key);
      else keys.push([key, w.snapshot()]);
    }
    this.changed!.clear();
    return { state, keys, removed };
  }

  restore(state: unknown, keys: RuleSnapshot['keys']): void {
    for (const [key, data] of keys) {
      const saved = data as { events: StandardEvent[]; times: number[]; aggregates: unknown };
      const w = new KeyWindow(this.newAggregates());
      for (let i = 0; i < saved.events.length; i++) w.push(saved.events[i], saved.times[i]);
      w.aggregates.restoreState(saved.aggregates);
      this.windows.set(key, w);
    }
    for (const p of (state as { pending: { ts: number; event: StandardEvent }[] }).pending) this.pending.add(p.ts, p.event);
  }

  /**
   * Drops the windows whose events have all left (a key that went quiet would otherwise keep its
   * window forever: eviction happens on the key's own events). Run after about as many events as
   * there are windows, so it costs O(1) per event.
   */
  private sweep(limit: number): void {
    this.sinceSweep = 0;
    for (const [key, w] of this.windows) {
      if (w.newest > limit) continue;
      w.close();
      this.windows.delete(key);
      this.changed?.add(key);
    }
  }

  private sinceSweep = 0;

  private fire(key: PartitionKey, w: KeyWindow, last: StandardEvent): void {
    this.windows.delete(key);
    // ordered: events come in event_time order, so the last one has the match's latest time
    const match: Match = new Map([[this.spec.variable, w.close()]]);
    this.emit(this.rule.output(match, key, this.ordered ? last.event_time : undefined), this.rule.name, match);
  }
}

/** One key's window: a queue of events (consumed from `head`) and its incremental aggregates. */
class KeyWindow {
  private events: StandardEvent[] = [];
  /** The events' times, apart: eviction then reads this key's recent memory, not its oldest events. */
  private times: number[] = [];
  private head = 0;
  private cached: StandardEvent[] | undefined;

  constructor(readonly aggregates: WindowAggregates<StandardEvent>) {}

  get size(): number {
    return this.events.length - this.head;
  }

  /** Time of the newest event (a window always holds one). */
  get newest(): number {
    return this.times[this.times.length - 1];
  }

  push(e: StandardEvent, ts: number): void {
    this.events.push(e);
    this.times.push(ts);
    this.aggregates.add(e);
    if (this.cached !== undefined) this.cached = undefined;
  }

  /** Drops events at or before `limit` (time - WITHIN): they are WITHIN or more before the newest. */
  evictBefore(limit: number): void {
    const times = this.times;
    if (this.head < times.length && times[this.head] <= limit) {
      do this.dropOldest();
      while (this.head < this.times.length && this.times[this.head] <= limit);
    }
  }

  dropOldest(): void {
    this.aggregates.remove(this.events[this.head++]);
    this.cached = undefined;
    if (this.head > 64 && this.head > this.events.length >>> 1) {
      this.events = this.events.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }

  /** The window's events, for a window no longer used (no copy when none has left it). */
  close(): StandardEvent[] {
    this.aggregates.dispose();
    return this.head === 0 ? this.events : this.events.slice(this.head);
  }

  /** The window's events and times (those still in it) and what its aggregates cannot rebuild. */
  snapshot(): { events: StandardEvent[]; times: number[]; aggregates: unknown } {
    return { events: this.events.slice(this.head), times: this.times.slice(this.head), aggregates: this.aggregates.state() };
  }

  /** The window's events, oldest first (copied only when asked for). */
  readonly view = (): readonly StandardEvent[] => {
    if (this.head === 0) return this.events;
    return (this.cached ??= this.events.slice(this.head));
  };
}

/** Orders rules so that a rule comes after every rule whose output it reads; rejects cycles. */
export function dependencyOrder(rules: CompiledRule[]): CompiledRule[] {
  const byName = new Map(rules.map((r) => [r.name, r]));
  const order: CompiledRule[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (r: CompiledRule, path: string[]): void => {
    const s = state.get(r.name);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...path.slice(path.indexOf(r.name)), r.name];
      // at the rule that closes the cycle, on its declaration that reads the rule it started from
      const closing = byName.get(cycle[cycle.length - 2])!;
      throw ruleError(closing, `rules feed each other in a cycle: ${cycle.join(' -> ')}`, "a rule's output event_code is its name: remove one of these links", r.name);
    }
    state.set(r.name, 'visiting');
    for (const code of r.codes) {
      const upstream = byName.get(code);
      if (upstream) visit(upstream, [...path, r.name]);
    }
    state.set(r.name, 'done');
    order.push(r);
  };
  for (const r of rules) visit(r, []);
  return order;
}
