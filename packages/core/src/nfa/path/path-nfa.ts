import { heapAdd, heapPoll, heapRemoveIf } from '../../util/java-heap.js';
import { emitInStartOrder, type RunQueue } from '../after-match/emission.js';
import type { AfterMatchSkipStrategy, MatchEntries } from '../after-match/skip-strategy.js';
import type { EventMark } from '../event-order.js';
import type { CompiledNFA } from '../compiler/nfa-compiler.js';
import { MASK_BITS, type Transition } from '../state.js';
import { DecisionGraph, type Step } from '../decision-graph.js';
import { RunContext } from '../run-context.js';
import { closesAt, hasClosed } from '../window.js';
import type { Match, Matcher, TimedOutMatch } from '../matcher.js';
import { restorePathState, snapshotPathState, type PathStateSnapshot } from './path-snapshot.js';
import { compareRuns as cmp, isSorted, pathEvents, pathNode, pathNodes, PathState, runWithoutEvents, type PathRun } from './path-state.js';

/**
 * Flink's NFA with each run holding its own path of events (a persistent list, see PathNode)
 * instead of a shared buffer of Dewey-versioned edges: the same steps, in the same order, with the
 * same results (a differential property test and the conformance cases hold it to `NFA`), without
 * reference counting, version arithmetic or edge scans to extract a match. A path is what Flink's
 * extraction finds by following the compatible versions back, since Flink requires exactly one
 * compatible path per run.
 *
 * Order: Flink keeps runs in a java.util.PriorityQueue ordered by first event (start-state runs
 * last) and iterates it in array order; each step re-adds every run's successors, in run order, to
 * a fresh queue. When events come in time order (as the operator delivers them), the array stays
 * sorted: successors have their run's first event, a new run starts with the newest event and
 * comes from the start-state run, which sorts last. Adding in non-decreasing order to a heap never
 * sifts, so then the runs are simply appended (PathState.sorted). An event earlier than one before
 * it (fed directly, not through the operator) takes java.util.PriorityQueue's heap operations
 * instead, as do the completed runs always (ties there do reorder when polled): the order is
 * Flink's in every case.
 */
export class PathNFA<E> implements Matcher<E, PathState<E>> {
  readonly windowMs: number;
  readonly skip: AfterMatchSkipStrategy;
  /** Pending runs (a trailing notFollowedBy) and skip strategies make time passing emit matches. */
  readonly quietExpiry = false;
  private readonly isSkip: boolean;
  private readonly startRun: PathRun<E>;
  private readonly graph: DecisionGraph<E>;
  clock: () => number = Date.now;
  private readonly ctx = new PathContext<E>(() => this.clock());
  /** The event being evaluated (see evaluate). */
  private event: E | undefined = undefined;
  private timestamp = 0;
  /** Whether runs can be skipped by state; the occupied-state mask needs one bit per state. */
  private readonly trackStates: boolean;
  /** Bits of the states a run can wait in (all but final and stop states). */
  private readonly waitStates: number = 0;
  /** Arrival order of events (orders events of equal time): increases with every event processed. */
  private ord = 0;
  /** Some state has a window of its own (a loop's window, or PREVIOUS_AND_CURRENT): deadlines are not only the first run's. */
  private readonly loopWindows: boolean;
  /** Emission's view of a key's runs (see emit), pointed at them for each emission. */
  private readonly queue = new PathQueue<E>();
  /** Per state index, the step of the event being processed for its runs (null: it depends on the run). */
  private readonly stepOf: (Step<E> | null)[] = [];

  constructor(readonly compiled: CompiledNFA<E>) {
    this.windowMs = compiled.windowMs;
    this.skip = compiled.skipStrategy;
    this.isSkip = this.skip.isSkipStrategy();
    this.startRun = { state: compiled.startState, path: null, start: null, prevTs: -1 };
    this.graph = new DecisionGraph(compiled.states, () => this.clock());
    this.trackStates = compiled.states.length <= MASK_BITS;
    this.loopWindows = compiled.states.some((st) => st.windowMs !== undefined && st.windowMs > 0);
    for (const st of compiled.states) if (!st.isFinal && !st.isStop) this.waitStates |= 1 << st.index;
  }

  createState(): PathState<E> {
    const s = new PathState<E>(this.startRun);
    s.occupied = this.trackStates ? 1 << this.compiled.startState.index : 0;
    return s;
  }

  evaluate(event: E, timestamp: number): void {
    this.event = event;
    this.timestamp = timestamp;
    this.graph.begin(event, timestamp);
  }

  ignoredByNewRun(): boolean {
    const start = 1 << this.compiled.startState.index;
    return this.trackStates && this.graph.noOpStates(start, this.event as E) === start;
  }

  irrelevant(): boolean {
    return this.trackStates && this.graph.noOpStates(this.waitStates, this.event as E) === this.waitStates;
  }

  partialMatches(s: PathState<E>): number {
    let n = s.completed?.length ?? 0;
    for (const run of s.runs) if (!run.state.isStart) n++;
    return n;
  }

  lastDeadline(s: PathState<E>): number {
    let max = -Infinity;
    for (const run of s.runs) if (!run.state.isStart) max = Math.max(max, closesAt(run.start!.timestamp, this.windowMs));
    return max === -Infinity ? Infinity : max;
  }

  snapshotState(s: PathState<E>): PathStateSnapshot {
    return snapshotPathState(s);
  }

  restoreState(data: unknown): PathState<E> {
    const s = restorePathState<E>(data, this.compiled, this.startRun);
    // later events must order after every restored one
    for (const run of [...s.runs, ...(s.completed ?? [])]) for (let n = run.path; n !== null; n = n.prev) this.ord = Math.max(this.ord, n.id + 1);
    this.refresh(s, s.runs);
    return s;
  }

  process(s: PathState<E>, out: Match<E>[] = []): Match<E>[] {
    const event = this.event as E;
    const timestamp = this.timestamp;
    const occupied = s.occupied;
    const noOp = occupied === 0 ? 0 : this.graph.noOpStates(occupied, event);
    if (occupied === 0 || noOp !== occupied) this.step(s, event, timestamp, occupied, noOp, out);
    return out;
  }

  /** process for an event that changes some run: apart, so that callers inline only the check above. */
  private step(s: PathState<E>, event: E, timestamp: number, occupied: number, noOp: number, out: Match<E>[]): void {
    const id = this.ord++;
    const runs = s.runs;
    const sorted = s.sorted && timestamp >= s.lastTs;
    if (timestamp > s.lastTs) s.lastTs = timestamp;
    // the runs are re-added only from the first one that changes: re-adding an unchanged prefix
    // of a heap array in order reproduces it
    let next: PathRun<E>[] | undefined;
    let potential: PathRun<E>[] | undefined;
    let moved = false;
    const graph = this.graph;
    // what the event does is usually the same for every run in a state: worked out once per state
    const stepOf = this.stepOf;
    for (let mask = occupied & ~noOp; mask !== 0; mask &= mask - 1) {
      const index = 31 - Math.clz32(mask & -mask);
      stepOf[index] = graph.stepFor(this.compiled.states[index], event);
    }
    for (let i = 0; i < runs.length; i++) {
      const run = runs[i];
      let step: Step<E> | null = null;
      if ((noOp & (1 << run.state.index)) === 0) {
        // the state's step, unless that depends on the run: then the run's own (with no states
        // tracked, noOp is 0 and the step is looked up run by run)
        const known = occupied !== 0 ? stepOf[run.state.index] : graph.stepFor(run.state, event);
        step = known ?? graph.stepForRun(run.state, event, this.ctx.reset(run, timestamp));
      }
      if (step === null || step.unchanged) {
        if (next !== undefined) add(next, run, sorted);
        continue;
      }
      if (step.single) {
        // the run moves: its successor takes its place, which keeps the order
        move(run, step.edges[0], event, timestamp, id);
        if (next !== undefined) add(next, run, sorted);
        moved = true;
        continue;
      }
      next ??= runs.slice(0, i);
      potential = this.apply(step, run, event, timestamp, id, next, potential, sorted);
    }
    if (next !== undefined || moved || s.completed !== null) {
      const kept = next ?? runs;
      if (!sorted) s.sorted = isSorted(kept);
      this.emit(s, potential, kept, out);
      this.refresh(s, kept);
    }
  }

  advanceTime(s: PathState<E>, timestamp: number, out?: Match<E>[], timedOut?: TimedOutMatch<E>[]): void {
    if (timestamp >= s.deadline || s.completed !== null) this.expire(s, timestamp, out ?? [], timedOut);
  }

  /** advanceTime once a window closes or matches wait: apart, so that callers inline only the check above. */
  private expire(s: PathState<E>, timestamp: number, out: Match<E>[], timedOut: TimedOutMatch<E>[] | undefined): void {
    const windowMs = this.windowMs;
    const runs = s.runs;
    let next: PathRun<E>[] | undefined;
    let potential: PathRun<E>[] | undefined;
    for (let i = 0; i < runs.length; i++) {
      const run = runs[i];
      const loopWindow = run.state.windowMs;
      const prevTimeout = loopWindow !== undefined && isTimedOut(run, timestamp, run.prevTs, loopWindow);
      const firstTimeout = isTimedOut(run, timestamp, run.start?.timestamp ?? -1, windowMs);
      if (!prevTimeout && !firstTimeout) {
        if (next !== undefined) add(next, run, s.sorted);
        continue;
      }
      next ??= runs.slice(0, i);
      if (run.state.isPending) {
        add((potential ??= []), run, s.sorted);
        continue;
      }
      timedOut?.push({ match: materialize(run.path), timestamp: prevTimeout ? closesAt(run.prevTs, loopWindow!) : closesAt(run.start!.timestamp, windowMs) });
    }
    if (next !== undefined || s.completed !== null) {
      const kept = next ?? runs;
      this.emit(s, potential, kept, out);
      this.refresh(s, kept);
    }
  }

  /**
   * Flink's computeNextStates without versions: the runs the step makes of `run`, in the order of
   * its edges, go straight to `next` (none of them if one enters a stop state) and the completed
   * ones to the returned potential.
   */
  private apply(
    step: Step<E>,
    run: PathRun<E>,
    event: E,
    timestamp: number,
    id: number,
    next: PathRun<E>[],
    potential: PathRun<E>[] | undefined,
    sorted: boolean,
  ): PathRun<E>[] | undefined {
    const isStart = run.state.isStart;
    const edges = step.edges;
    const keep = step.keep;
    for (let e = 0; e < step.count; e++) {
      const edge = edges[e];
      if (edge.action === 'IGNORE') {
        if (isStart) continue;
        // an IGNORE can complete a run (a trailing notNext ignores the event it checks)
        if (edge.target.isFinal) add((potential ??= []), { state: edge.target, path: run.path, start: run.start, prevTs: run.prevTs }, sorted);
        else if (keep) add(next, { state: edge.target, path: run.path, start: run.start, prevTs: run.prevTs }, sorted);
        continue;
      }
      const node = pathNode(event, timestamp, id, edge.source.patternName, run.path);
      const start = isStart ? node : run.start;
      if (edge.target.isFinal) add((potential ??= []), { state: edge.target, path: node, start, prevTs: timestamp }, sorted);
      else if (keep) add(next, { state: edge.target, path: node, start, prevTs: timestamp }, sorted);
      const final = step.finals[e];
      if (final !== null) add((potential ??= []), { state: final, path: node, start, prevTs: timestamp }, sorted);
    }
    // the run that stays in the start state has no events (a run that loops in it starts afresh, as in Flink)
    if (isStart && keep) add(next, runWithoutEvents(run.state, this.startRun), sorted);
    return potential;
  }

  /**
   * Completed runs are emitted in start order; with a skip strategy a match waits until no
   * earlier-started run could still complete before it (Flink's processMatchesAccordingToSkipStrategy).
   */
  private emit(s: PathState<E>, potential: PathRun<E>[] | undefined, runs: PathRun<E>[], out: Match<E>[]): void {
    let completed = s.completed;
    if (potential !== undefined) {
      // a heap array added in order to an empty heap gives the same array
      if (completed === null) completed = potential;
      else for (const p of potential) heapAdd(completed, p, cmp);
    }
    if (completed === null) return;
    if (!this.isSkip) {
      // without a skip strategy nothing waits or prunes: every completed run, in start order
      while (completed.length > 0) out.push(materialize(heapPoll(completed, cmp)!.path));
      s.completed = null;
      return;
    }
    emitInStartOrder(this.skip, this.queue.of(runs, completed), out);
    s.completed = completed.length > 0 ? completed : null;
  }

  /** Sets the runs and recomputes what derives from them (deadline, occupied states). */
  private refresh(s: PathState<E>, runs: PathRun<E>[]): void {
    s.runs = runs;
    s.changed = true;
    let mask = 0;
    if (this.trackStates) for (let i = 0; i < runs.length; i++) mask |= 1 << runs[i].state.index;
    s.occupied = mask;
    s.deadline = this.deadlineOf(runs);
  }

  /** When the first of the runs' windows closes (Infinity: none). */
  private deadlineOf(runs: PathRun<E>[]): number {
    const windowMs = this.windowMs;
    const first = runs.length > 0 ? runs[0] : null;
    if (!this.loopWindows && (first === null || first.start === null || !first.state.isStart)) {
      // the runs are a heap by first event (runs without one last), sorted or not: the window of
      // the run at its root closes first
      return first !== null && first.start !== null ? closesAt(first.start.timestamp, windowMs) : Infinity;
    }
    let deadline = Infinity;
    for (const run of runs) {
      if (run.state.isStart) continue;
      deadline = Math.min(deadline, closesAt(run.start!.timestamp, windowMs), closesAt(run.prevTs, run.state.windowMs ?? 0));
    }
    return deadline;
  }
}

/** Moves the run along the step's one edge (see Step.single). */
function move<E>(run: PathRun<E>, edge: Transition<E>, event: E, timestamp: number, id: number): void {
  if (edge.action === 'TAKE') {
    run.path = pathNode(event, timestamp, id, edge.source.patternName, run.path);
    run.prevTs = timestamp;
  }
  run.state = edge.target;
}

/** Adds a run to a heap array: appended when all come in order (see PathNFA), as the heap would place it. */
function add<E>(heap: PathRun<E>[], run: PathRun<E>, sorted: boolean): void {
  if (sorted) heap.push(run);
  else heapAdd(heap, run, cmp);
}

const materialize = pathEvents;

function isTimedOut(run: PathRun<any>, now: number, since: number, windowMs: number): boolean {
  return !run.state.isStart && hasClosed(now, since, windowMs);
}

/** Emission's view of a key's runs: the completed runs' heap and the runs' array (see RunQueue). */
class PathQueue<E> implements RunQueue<PathRun<E>, E> {
  private runs: PathRun<E>[] = [];
  private completed: PathRun<E>[] = [];

  of(runs: PathRun<E>[], completed: PathRun<E>[]): this {
    this.runs = runs;
    this.completed = completed;
    return this;
  }

  nextCompleted(): PathRun<E> | undefined {
    return this.completed[0];
  }

  takeCompleted(): void {
    heapPoll(this.completed, cmp);
  }

  startedEarlier(run: PathRun<E>): boolean {
    return this.runs.length > 0 && cmp(run, this.runs[0]) > 0;
  }

  marks(run: PathRun<E>): MatchEntries {
    return pathNodes(run.path);
  }

  materialize(run: PathRun<E>): Match<E> {
    return materialize(run.path);
  }

  prune(pruned: (start: EventMark) => boolean): void {
    const discard = (run: PathRun<E>) => run.start !== null && pruned(run.start);
    heapRemoveIf(this.runs, discard, cmp);
    heapRemoveIf(this.completed, discard, cmp);
  }
}

/** The context handed to conditions: a run's events are read from its path. */
class PathContext<E> extends RunContext<E> {
  private run: PathRun<E> | null = null;

  reset(run: PathRun<E>, ts: number): this {
    this.run = run;
    return this.forRun(ts);
  }

  protected override runEvents(): Map<string, E[]> {
    return materialize(this.run!.path);
  }
}
