import type { AfterMatchSkipStrategy } from '../nfa/after-match/skip-strategy.js';
import type { CompiledNFA } from '../nfa/compiler/nfa-compiler.js';
import { addStage, deweyStart, increase, type DeweyNumber } from '../nfa/dewey-number.js';
import type { KeyState, Match, Matcher, TimedOutMatch } from '../nfa/matcher.js';
import { RunContext } from '../nfa/run-context.js';
import type { State, Transition } from '../nfa/state.js';
import { conditionTest, type Condition, type ConditionContext, type ConditionNode } from '../pattern/conditions.js';
import { CepRuntimeError } from '../pattern/errors.js';
import { heapAdd, heapPoll, heapRemoveIf } from '../util/java-heap.js';
import { compareComputations as cmp, startComputation, type ComputationState } from './computation-state.js';
import { SharedBuffer, type BufferNode, type EntryMatch, type EventEntry } from './shared-buffer.js';
import { restoreNFAState, snapshotNFAState, type NFAStateSnapshot } from './snapshot.js';

export type { Match, TimedOutMatch } from '../nfa/matcher.js';

type Heap<E> = ComputationState<E>[];

/** The matching state of one key: its runs (Flink's NFAState) and its shared buffer. */
export class NFAState<E> implements KeyState {
  readonly buffer = new SharedBuffer<E>();
  /** Runs waiting for events, as a java.util.PriorityQueue heap array (Flink iterates it in array order). */
  partial: Heap<E> = [];
  /** Completed runs waiting to be emitted (skip strategies emit in start order), as a heap array. */
  completed: Heap<E> | null = null;
  deadline = Infinity;
  changed = false;

  /** True when no run has started and nothing is buffered or pending. */
  isIdle(): boolean {
    if (this.completed !== null || !this.buffer.isEmpty()) return false;
    for (let i = 0; i < this.partial.length; i++) if (this.partial[i].startEvent !== null) return false;
    return true;
  }
}

/**
 * What the reference NFA tells an observer as it goes, for tools that explain why a pattern did
 * or did not match (`cepheus trace`). A run is given as its events so far, by pattern name, and the
 * name of its state. Nothing else in the NFA depends on it.
 */
export interface NFAObserver<E> {
  /** The event took the run into a stop state: a negation (notNext, notFollowedBy) saw its event. */
  stopped?(run: Match<E>, state: string): void;
  /** The skip strategy discarded the run after `match` was emitted. */
  pruned?(run: Match<E>, state: string, match: Match<E>): void;
}

/** A run of a key's state, as an observer sees it (see NFA.runsOf). */
export interface RunView<E> {
  readonly state: State<E>;
  readonly events: Match<E>;
  /** Completed, waiting for the skip strategy to emit it. */
  readonly completed: boolean;
}

/**
 * Flink's NFA, ported step for step as the reference every runtime is held to: each event goes
 * through every run, each run evaluates its transitions' conditions with its own context (Flink's
 * createDecisionGraph and computeNextStates), and matched events live in the key's shared buffer
 * of Dewey-versioned edges. Nothing is decided once for several runs or skipped ahead of time.
 */
export class NFA<E> implements Matcher<E, NFAState<E>> {
  readonly windowMs: number;
  readonly skip: AfterMatchSkipStrategy;
  readonly startState: State<E>;
  clock: () => number = Date.now;
  observer: NFAObserver<E> | undefined = undefined;
  /** Pending runs (a trailing notFollowedBy) and skip strategies make time passing emit matches. */
  readonly quietExpiry = false;
  private readonly ctx = new BufferContext<E>(() => this.clock());
  /** Each transition's condition as a function (null: always true). */
  private readonly tests = new Map<Transition<E>, Condition<E> | null>();
  /** The event being evaluated (see evaluate). */
  private event: E | undefined = undefined;
  private timestamp = 0;

  constructor(readonly compiled: CompiledNFA<E>) {
    this.windowMs = compiled.windowMs;
    this.skip = compiled.skipStrategy;
    this.startState = compiled.startState;
    const made = new Map<ConditionNode<E>, Condition<E>>();
    for (const st of compiled.states) {
      for (const t of st.transitions) {
        const c = t.condition;
        if (c !== null && !made.has(c)) made.set(c, conditionTest(c));
        this.tests.set(t, c === null ? null : made.get(c)!);
      }
    }
  }

  /** A run in the start state with the given version. */
  startRun(version: DeweyNumber): ComputationState<E> {
    return startComputation(this.startState, version);
  }

  /** The key's runs that have started, partial then completed, with their events (for observers). */
  runsOf(s: NFAState<E>): RunView<E>[] {
    const view = (completed: boolean) => (cs: ComputationState<E>) => ({ state: cs.state, events: s.buffer.materialize(currentMatch(s.buffer, cs)), completed });
    return [...s.partial.filter((cs) => cs.startEvent !== null).map(view(false)), ...(s.completed ?? []).map(view(true))];
  }

  createState(): NFAState<E> {
    const s = new NFAState<E>();
    s.partial.push(this.startRun(deweyStart(1)));
    return s;
  }

  evaluate(event: E, timestamp: number): void {
    this.event = event;
    this.timestamp = timestamp;
  }

  /** Every event goes to every key's state, as in Flink. */
  ignoredByNewRun(): boolean {
    return false;
  }

  irrelevant(): boolean {
    return false;
  }

  partialMatches(s: NFAState<E>): number {
    let n = s.completed?.length ?? 0;
    for (const cs of s.partial) if (!cs.state.isStart) n++;
    return n;
  }

  lastDeadline(s: NFAState<E>): number {
    let max = -Infinity;
    for (const cs of s.partial) if (!cs.state.isStart) max = Math.max(max, this.windowMs > 0 ? cs.startTs + this.windowMs : Infinity);
    return max === -Infinity ? Infinity : max;
  }

  snapshotState(s: NFAState<E>): NFAStateSnapshot {
    return snapshotNFAState(s);
  }

  restoreState(data: unknown): NFAState<E> {
    return restoreNFAState(data as NFAStateSnapshot, this);
  }

  /** Processes the event being evaluated (Flink's doProcess); appends the matches it completed to `out`, in Flink's order. */
  process(s: NFAState<E>, out: Match<E>[] = []): Match<E>[] {
    const ev: EventHolder<E> = { event: this.event as E, timestamp: this.timestamp, entry: null };
    const partial: Heap<E> = [];
    let potential: Heap<E> | undefined;
    try {
      for (const cs of s.partial) {
        // a stop state reached on this path discards the whole path
        let discard = false;
        const retain: ComputationState<E>[] = [];
        for (const n of this.computeNextStates(s, cs, ev)) {
          if (n.state.isFinal) heapAdd((potential ??= []), n, cmp);
          else if (n.state.isStop) {
            discard = true;
            this.observer?.stopped?.(s.buffer.materialize(currentMatch(s.buffer, cs)), n.state.name);
            s.buffer.releaseNode(n.entry, n.version);
          } else retain.push(n);
        }
        if (discard) for (const r of retain) s.buffer.releaseNode(r.entry, r.version);
        else for (const r of retain) heapAdd(partial, r, cmp);
      }
      this.emitAccordingToSkipStrategy(s, potential, partial, out);
      this.setPartial(s, partial);
    } finally {
      if (ev.entry !== null) s.buffer.releaseEvent(ev.entry);
    }
    return out;
  }

  /**
   * Time passes `timestamp`: runs whose window closed are dropped (reported in `timedOut` when
   * given), and pending runs (a trailing notFollowedBy) complete into `out`.
   */
  advanceTime(s: NFAState<E>, timestamp: number, out: Match<E>[] = [], timedOut?: TimedOutMatch<E>[]): void {
    if (timestamp < s.deadline && s.completed === null) {
      s.buffer.advanceTime(timestamp);
      return;
    }
    const windowMs = this.windowMs;
    const items = s.partial;
    let partial: Heap<E> | undefined;
    let potential: Heap<E> | undefined;
    for (let i = 0; i < items.length; i++) {
      const cs = items[i];
      const loopWindow = cs.state.windowMs;
      const prevTimeout = loopWindow !== undefined && isTimedOut(cs, timestamp, cs.prevTs, loopWindow);
      const firstTimeout = isTimedOut(cs, timestamp, cs.startTs, windowMs);
      if (!prevTimeout && !firstTimeout) {
        if (partial !== undefined) heapAdd(partial, cs, cmp);
        continue;
      }
      if (partial === undefined) {
        partial = [];
        for (let j = 0; j < i; j++) heapAdd(partial, items[j], cmp);
      }
      if (cs.state.isPending) {
        heapAdd((potential ??= []), cs, cmp);
        continue;
      }
      timedOut?.push({
        match: s.buffer.materialize(currentMatch(s.buffer, cs)),
        timestamp: prevTimeout ? cs.prevTs + loopWindow! : cs.startTs + windowMs,
      });
      s.buffer.releaseNode(cs.entry, cs.version);
    }
    if (partial !== undefined || s.completed !== null) {
      const p = partial ?? items;
      this.emitAccordingToSkipStrategy(s, potential, p, out);
      this.setPartial(s, p);
    }
    s.buffer.advanceTime(timestamp);
  }

  private setPartial(s: NFAState<E>, partial: Heap<E>): void {
    s.partial = partial;
    this.refresh(s);
  }

  /** Recomputes the deadline after the runs changed. */
  refresh(s: NFAState<E>): void {
    s.deadline = this.nextDeadline(s);
    s.changed = true;
  }

  /** The earliest time at which `advanceTime` would change this state, or Infinity. */
  nextDeadline(s: NFAState<E>): number {
    let min = Infinity;
    const windowMs = this.windowMs;
    for (const cs of s.partial) {
      if (cs.state.isStart) continue;
      if (windowMs > 0 && cs.startTs + windowMs < min) min = cs.startTs + windowMs;
      const w = cs.state.windowMs;
      if (w !== undefined && w > 0 && cs.prevTs + w < min) min = cs.prevTs + w;
    }
    return min;
  }

  /**
   * Completed runs are emitted in start order; with a skip strategy a match waits until no
   * earlier-started partial match could still complete before it (Flink's processMatchesAccordingToSkipStrategy).
   */
  private emitAccordingToSkipStrategy(s: NFAState<E>, potential: Heap<E> | undefined, partial: Heap<E>, out: Match<E>[]): void {
    let completed = s.completed;
    if (potential !== undefined) {
      completed ??= [];
      for (const p of potential) heapAdd(completed, p, cmp);
    }
    if (completed === null) return;
    const isSkip = this.skip.isSkipStrategy();
    while (completed.length > 0) {
      const earliest = completed[0];
      if (isSkip && partial.length > 0 && cmp(earliest, partial[0]) > 0) break;
      heapPoll(completed, cmp);
      const matched = s.buffer.extractPath(earliest.entry, earliest.version);
      const match = s.buffer.materialize(matched);
      if (isSkip && matched !== undefined) {
        this.prune(s, partial, matched, match);
        this.prune(s, completed, matched, match);
      }
      out.push(match);
      s.buffer.releaseNode(earliest.entry, earliest.version);
    }
    s.completed = completed.length > 0 ? completed : null;
  }

  private prune(s: NFAState<E>, heap: Heap<E>, matched: EntryMatch<E>, match: Match<E>): void {
    const skip = this.skip;
    const pruning = skip.pruningEvent(matched);
    if (pruning === undefined) return;
    const discard = new Set<ComputationState<E>>();
    for (const cs of heap) {
      if (cs.startEvent !== null && skip.shouldPrune(cs.startEvent, pruning)) {
        this.observer?.pruned?.(s.buffer.materialize(currentMatch(s.buffer, cs)), cs.state.name, match);
        s.buffer.releaseNode(cs.entry, cs.version);
        discard.add(cs);
      }
    }
    if (discard.size > 0) heapRemoveIf(heap, (cs) => discard.has(cs), cmp);
  }

  /** Flink's computeNextStates: the runs that `cs` becomes by the TAKE and IGNORE edges the event enables. */
  private computeNextStates(s: NFAState<E>, cs: ComputationState<E>, ev: EventHolder<E>): ComputationState<E>[] {
    const ctx = this.ctx.reset(s.buffer, cs, ev.timestamp);
    const { edges, takes, ignores } = this.decisionGraph(cs.state, ev.event, ctx);
    const isStart = cs.state.isStart;
    const result: ComputationState<E>[] = [];
    let takeBranchesToVisit = Math.max(0, takes - 1);
    let ignoreBranchesToVisit = ignores;
    const totalTakeToSkip = Math.max(0, takes - 1);
    for (const edge of edges) {
      if (edge.action === 'IGNORE') {
        if (isStart) continue;
        let version: DeweyNumber;
        if (edge.target.name === cs.state.name) {
          version = increase(cs.version, selfIncrease(ignores, takes));
        } else {
          version = addStage(increase(cs.version, totalTakeToSkip + ignoreBranchesToVisit));
          ignoreBranchesToVisit--;
        }
        addComputation(s, result, edge.target, cs.entry, version, cs.startTs, cs.prevTs, cs.startEvent);
      } else {
        const currentVersion = increase(cs.version, takeBranchesToVisit);
        const nextVersion = addStage(currentVersion);
        takeBranchesToVisit--;
        const entry = (ev.entry ??= s.buffer.registerEvent(ev.event, ev.timestamp));
        const node = s.buffer.put(edge.source.patternName, entry, cs.entry, currentVersion);
        const startTs = isStart ? ev.timestamp : cs.startTs;
        const startEvent = isStart ? entry : cs.startEvent;
        addComputation(s, result, edge.target, node, nextVersion, startTs, ev.timestamp, startEvent);
        const final = this.finalStateAfterProceed(edge.target, ev.event, ctx);
        if (final !== null) addComputation(s, result, final, node, nextVersion, startTs, ev.timestamp, startEvent);
      }
    }
    if (isStart) result.push(startComputation(cs.state, increase(cs.version, selfIncrease(ignores, takes))));
    if (cs.entry !== null) s.buffer.releaseNode(cs.entry, cs.version);
    return result;
  }

  /**
   * Flink's createDecisionGraph: the TAKE and IGNORE edges whose condition holds from `state`
   * and from the states its PROCEED edges whose condition holds lead to; IGNORE edges back to
   * `state` itself do not count as branches.
   */
  private decisionGraph(state: State<E>, event: E, ctx: ConditionContext<E>): { edges: Transition<E>[]; takes: number; ignores: number } {
    const edges: Transition<E>[] = [];
    let takes = 0;
    let ignores = 0;
    const stack = [state];
    while (stack.length > 0) {
      const from = stack.pop()!;
      for (const t of from.transitions) {
        if (!this.holds(t, event, ctx)) continue;
        if (t.action === 'PROCEED') stack.push(t.target);
        else {
          edges.push(t);
          if (t.action === 'TAKE') takes++;
          else if (t.target.name !== state.name) ignores++;
        }
      }
    }
    return { edges, takes, ignores };
  }

  /** Flink's findFinalStateAfterProceed: the final state reachable by PROCEED edges whose condition holds, or null. */
  private finalStateAfterProceed(state: State<E>, event: E, ctx: ConditionContext<E>): State<E> | null {
    const stack = [state];
    while (stack.length > 0) {
      const from = stack.pop()!;
      for (const t of from.transitions) {
        if (t.action !== 'PROCEED' || !this.holds(t, event, ctx)) continue;
        if (t.target.isFinal) return t.target;
        stack.push(t.target);
      }
    }
    return null;
  }

  /** Whether the transition's condition holds for the run; a throwing condition is reported as Flink words it. */
  private holds(t: Transition<E>, event: E, ctx: ConditionContext<E>): boolean {
    const test = this.tests.get(t);
    if (test === null || test === undefined) return true;
    try {
      return test(event, ctx);
    } catch (e) {
      throw new CepRuntimeError(`Failure happened in filter function of '${t.source.patternName}': ${(e as Error)?.message ?? e}`, { cause: e });
    }
  }
}

interface EventHolder<E> {
  readonly event: E;
  readonly timestamp: number;
  /** Registered in the shared buffer on the first TAKE. */
  entry: EventEntry<E> | null;
}

function addComputation<E>(
  s: NFAState<E>,
  out: ComputationState<E>[],
  state: State<E>,
  entry: BufferNode<E> | null,
  version: DeweyNumber,
  startTs: number,
  prevTs: number,
  startEvent: EventEntry<E> | null,
): void {
  out.push({ state, version, entry, startTs, prevTs, startEvent });
  s.buffer.lockNode(entry, version);
}

function currentMatch<E>(buffer: SharedBuffer<E>, cs: ComputationState<E>): EntryMatch<E> | undefined {
  return buffer.extractPath(cs.entry, cs.version);
}

function selfIncrease(ignores: number, takes: number): number {
  return takes === 0 && ignores === 0 ? 0 : ignores + Math.max(1, takes);
}

function isTimedOut(cs: ComputationState<any>, now: number, since: number, windowMs: number): boolean {
  // the deadline as nextDeadline computes it: timers fire by it, and it must close the window
  // even where since + windowMs rounds (times near Number.MAX_VALUE)
  return !cs.state.isStart && windowMs > 0 && now >= since + windowMs;
}

/** The context handed to conditions: a run's events are extracted from the shared buffer. */
class BufferContext<E> extends RunContext<E> {
  private buffer: SharedBuffer<E> | null = null;
  private cs: ComputationState<E> | null = null;

  reset(buffer: SharedBuffer<E>, cs: ComputationState<E>, ts: number): this {
    this.buffer = buffer;
    this.cs = cs;
    return this.forRun(ts);
  }

  protected override runEvents(): Map<string, E[]> {
    return this.buffer!.materialize(currentMatch(this.buffer!, this.cs!));
  }
}
