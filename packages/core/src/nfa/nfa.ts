import { heapAdd, heapPoll, heapRemoveIf } from '../util/java-heap.js';
import type { AfterMatchSkipStrategy } from './after-match/skip-strategy.js';
import type { CompiledNFA } from './compiler/nfa-compiler.js';
import { compareComputations as cmp, startComputation, type ComputationState } from './computation-state.js';
import { addStage, deweyStart, increase, type DeweyNumber } from './dewey-number.js';
import { SharedBuffer, type BufferNode, type EntryMatch, type EventEntry } from './shared-buffer/shared-buffer.js';
import { DecisionGraph } from './decision-graph.js';
import { RunContext } from './run-context.js';
import type { State } from './state.js';
import type { Match, Matcher, TimedOutMatch } from './matcher.js';
import { restoreNFAState, snapshotNFAState, type NFAStateSnapshot } from '../state/snapshot.js';

export type { Match, TimedOutMatch } from './matcher.js';

type Heap<E> = ComputationState<E>[];

/**
 * The matching state of one key: its runs (Flink's NFAState) and, inherited, its shared buffer.
 * One flat object because the per-event path is bound by memory accesses across many keys.
 */
export class NFAState<E> extends SharedBuffer<E> {
  /** Runs waiting for events, as a java.util.PriorityQueue heap array (Flink iterates it in array order). */
  partial: Heap<E> = [];
  /** Completed runs waiting to be emitted (skip strategies emit in start order), as a heap array. */
  completed: Heap<E> | null = null;
  /** Bit i set: some run is in state i (0 when the NFA has too many states to track). */
  occupied = 0;

  /** True when no run has started and nothing is buffered or pending. */
  isIdle(): boolean {
    if (this.completed !== null || !this.isEmpty()) return false;
    for (let i = 0; i < this.partial.length; i++) if (this.partial[i].startEvent !== null) return false;
    return true;
  }
}

/**
 * The NFA runtime (Flink's NFA): advances every run of a key by one event, keeping matched events
 * in the key's shared buffer. It holds no per-key state itself; that lives in NFAState.
 */
export class NFA<E> implements Matcher<E, NFAState<E>> {
  readonly windowMs: number;
  readonly skip: AfterMatchSkipStrategy;
  readonly startState: State<E>;
  clock: () => number = Date.now;
  private readonly ctx = new BufferContext<E>(() => this.clock());
  private readonly graph: DecisionGraph<E>;
  /** The event being evaluated (see evaluate). */
  private event: E | undefined = undefined;
  private timestamp = 0;
  /** Whether runs can be skipped by state (see isNoOp); the occupied-state mask needs one bit per state. */
  private readonly trackStates: boolean;
  /** Bits of the states a run can wait in (all but final and stop states). */
  private readonly waitStates: number = 0;

  constructor(readonly compiled: CompiledNFA<E>) {
    this.windowMs = compiled.windowMs;
    this.skip = compiled.skipStrategy;
    this.startState = compiled.startState;
    this.graph = new DecisionGraph(compiled.states, () => this.clock());
    this.trackStates = compiled.states.length <= 30;
    for (const st of compiled.states) if (!st.isFinal && !st.isStop) this.waitStates |= 1 << st.index;
  }

  /** Runs in the start state are immutable and differ only by version [k]: shared by all keys. */
  private readonly startRuns: ComputationState<E>[] = [];

  /** The start-state run with version [k]. */
  startRun(version: DeweyNumber): ComputationState<E> {
    const k = version[0];
    if (version.length !== 1 || !(k >= 0 && k < 4096)) return startComputation(this.startState, version);
    return (this.startRuns[k] ??= startComputation(this.startState, version));
  }

  createState(): NFAState<E> {
    const s = new NFAState<E>();
    s.partial.push(this.startRun(deweyStart(1)));
    s.occupied = this.trackStates ? 1 << this.startState.index : 0;
    return s;
  }

  evaluate(event: E, timestamp: number): void {
    this.event = event;
    this.timestamp = timestamp;
    this.graph.begin(event, timestamp);
  }

  /** True when `process` on a fresh state would leave it unchanged: no need to create one. */
  ignoredByNewRun(): boolean {
    const start = 1 << this.startState.index;
    return this.trackStates && this.graph.noOpStates(start, this.event as E) === start;
  }

  /** Pending runs (a trailing notFollowedBy) and skip strategies make time passing emit matches. */
  readonly quietExpiry = false;

  lastDeadline(s: NFAState<E>): number {
    let max = -Infinity;
    for (const cs of s.partial) if (!cs.state.isStart) max = Math.max(max, this.windowMs > 0 ? cs.startTs + this.windowMs : Infinity);
    return max === -Infinity ? Infinity : max;
  }

  irrelevant(): boolean {
    return this.trackStates && this.graph.noOpStates(this.waitStates, this.event as E) === this.waitStates;
  }

  snapshotState(s: NFAState<E>): NFAStateSnapshot {
    return snapshotNFAState(s);
  }

  restoreState(data: unknown): NFAState<E> {
    return restoreNFAState(data as NFAStateSnapshot, this);
  }

  /** Processes the event being evaluated; appends the matches it completed to `out`, in Flink's order. */
  process(s: NFAState<E>, out: Match<E>[] = []): Match<E>[] {
    const event = this.event as E;
    const timestamp = this.timestamp;
    // the states in which this event changes no run, decided once per state (see isNoOp)
    const occupied = s.occupied;
    const noOpStates = occupied === 0 ? 0 : this.graph.noOpStates(occupied, event);
    if (occupied !== 0 && noOpStates === occupied) return out;
    const ev: EventHolder<E> = { event, timestamp, entry: null };
    const items = s.partial;
    // The heap is rebuilt only once a run changes; unchanged runs re-added in order keep their positions.
    let partial: Heap<E> | undefined;
    let potential: Heap<E> | undefined;
    try {
      for (let i = 0; i < items.length; i++) {
        const cs = items[i];
        const next = noOpStates & (1 << cs.state.index) ? cs : this.computeNextStates(s, cs, ev);
        if (next === cs) {
          if (partial !== undefined) heapAdd(partial, cs, cmp);
          continue;
        }
        if (partial === undefined) {
          partial = this.scratchHeap;
          for (let j = 0; j < i; j++) heapAdd(partial, items[j], cmp);
        }
        let discard = false;
        let retain: ComputationState<E>[] | undefined;
        for (const n of next as ComputationState<E>[]) {
          if (n.state.isFinal) heapAdd((potential ??= []), n, cmp);
          else if (n.state.isStop) {
            discard = true;
            s.releaseNode(n.entry, n.version);
          } else (retain ??= []).push(n);
        }
        if (retain === undefined) continue;
        if (discard) for (const r of retain) s.releaseNode(r.entry, r.version);
        else for (const r of retain) heapAdd(partial, r, cmp);
      }
      if (partial !== undefined || s.completed !== null) {
        const p = partial !== undefined ? partial.slice() : items;
        if (partial !== undefined) partial.length = 0;
        this.emitAccordingToSkipStrategy(s, potential, p, out);
        this.setPartial(s, p);
      }
    } finally {
      if (this.scratchHeap.length !== 0) this.scratchHeap.length = 0;
      if (ev.entry !== null) s.releaseEvent(ev.entry);
    }
    return out;
  }

  /**
   * Time passes `timestamp`: runs whose window closed are dropped (reported in `timedOut` when
   * given), and pending runs (a trailing notFollowedBy) complete into `out`.
   */
  advanceTime(s: NFAState<E>, timestamp: number, out: Match<E>[] = [], timedOut?: TimedOutMatch<E>[]): void {
    if (timestamp < s.deadline && s.completed === null) {
      s.advanceTime(timestamp);
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
        match: s.materialize(currentMatch(s, cs)),
        timestamp: prevTimeout ? cs.prevTs + loopWindow! : cs.startTs + windowMs,
      });
      s.releaseNode(cs.entry, cs.version);
    }
    if (partial !== undefined || s.completed !== null) {
      const p = partial ?? items;
      this.emitAccordingToSkipStrategy(s, potential, p, out);
      this.setPartial(s, p);
    }
    s.advanceTime(timestamp);
  }

  private setPartial(s: NFAState<E>, partial: Heap<E>): void {
    s.partial = partial;
    this.refresh(s);
  }

  /** Recomputes the derived fields (deadline, occupied states) after the runs changed. */
  refresh(s: NFAState<E>): void {
    const partial = s.partial;
    s.deadline = this.nextDeadline(s);
    s.changed = true;
    if (this.trackStates) {
      let mask = 0;
      for (let i = 0; i < partial.length; i++) mask |= 1 << partial[i].state.index;
      s.occupied = mask;
    }
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
      const matched = s.extractPath(earliest.entry, earliest.version);
      if (isSkip && matched !== undefined) {
        this.prune(s, partial, matched);
        this.prune(s, completed, matched);
      }
      out.push(s.materialize(matched));
      s.releaseNode(earliest.entry, earliest.version);
    }
    s.completed = completed.length > 0 ? completed : null;
  }

  private prune(s: NFAState<E>, heap: Heap<E>, matched: EntryMatch<E>): void {
    const skip = this.skip;
    const pruning = skip.pruningEvent(matched);
    if (pruning === undefined) return;
    const discard = new Set<ComputationState<E>>();
    for (const cs of heap) {
      if (cs.startEvent !== null && skip.shouldPrune(cs.startEvent, pruning)) {
        s.releaseNode(cs.entry, cs.version);
        discard.add(cs);
      }
    }
    if (discard.size > 0) heapRemoveIf(heap, (cs) => discard.has(cs), cmp);
  }

  /**
   * Flink's computeNextStates: follows the TAKE and IGNORE edges the event enables from `cs`.
   * Returns `cs` itself when Flink would produce an identical copy of it (only a self-IGNORE, or a
   * start state with no edge): its lock and release of the buffer node cancel out.
   */
  private computeNextStates(s: NFAState<E>, cs: ComputationState<E>, ev: EventHolder<E>): ComputationState<E>[] | ComputationState<E> {
    const ctx = this.ctx.reset(s, cs, ev.timestamp);
    const graph = this.graph;
    graph.evaluateFor(cs.state, ev.event, ctx);
    if (graph.leavesUnchanged(cs.state)) return cs;
    const edges = graph.edges;
    const isStart = cs.state.isStart;
    const n = graph.edgeCount;
    const result: ComputationState<E>[] = [];
    const totalTake = graph.takes;
    const totalIgnore = graph.ignores;
    let takeBranchesToVisit = Math.max(0, totalTake - 1);
    let ignoreBranchesToVisit = totalIgnore;
    const totalTakeToSkip = Math.max(0, totalTake - 1);
    for (let e = 0; e < n; e++) {
      const edge = edges[e];
      if (edge.action === 'IGNORE') {
        if (isStart) continue;
        let version: DeweyNumber;
        if (edge.target.name === cs.state.name) {
          version = increase(cs.version, selfIncrease(totalIgnore, totalTake));
        } else {
          version = addStage(increase(cs.version, totalTakeToSkip + ignoreBranchesToVisit));
          ignoreBranchesToVisit--;
        }
        addComputation(s, result, edge.target, cs.entry, version, cs.startTs, cs.prevTs, cs.startEvent);
      } else {
        const currentVersion = increase(cs.version, takeBranchesToVisit);
        const nextVersion = addStage(currentVersion);
        takeBranchesToVisit--;
        const entry = (ev.entry ??= s.registerEvent(ev.event, ev.timestamp));
        const node = s.put(edge.source.patternName, entry, cs.entry, currentVersion);
        const startTs = isStart ? ev.timestamp : cs.startTs;
        const startEvent = isStart ? entry : cs.startEvent;
        addComputation(s, result, edge.target, node, nextVersion, startTs, ev.timestamp, startEvent);
        const final = graph.finalFor(edge.target, ev.event, ctx);
        if (final !== null) addComputation(s, result, final, node, nextVersion, startTs, ev.timestamp, startEvent);
      }
    }
    if (isStart)
      result.push(
        cs.state === this.startState
          ? this.startRun(increase(cs.version, selfIncrease(totalIgnore, totalTake)))
          : startComputation(cs.state, increase(cs.version, selfIncrease(totalIgnore, totalTake))),
      );
    if (cs.entry !== null) s.releaseNode(cs.entry, cs.version);
    return result;
  }

  /** Scratch heap for rebuilding a key's runs; the result is stored as an exact-size copy. */
  private readonly scratchHeap: Heap<E> = [];
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
  s.lockNode(entry, version);
}

function currentMatch<E>(s: SharedBuffer<E>, cs: ComputationState<E>): EntryMatch<E> | undefined {
  return s.extractPath(cs.entry, cs.version);
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
