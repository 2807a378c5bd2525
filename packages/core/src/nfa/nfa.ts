import type { ConditionContext } from '../pattern/conditions.js';
import { CepRuntimeError } from '../pattern/errors.js';
import type { AfterMatchSkipStrategy } from './after-match/skip-strategy.js';
import type { CompiledNFA } from './compiler/nfa-compiler.js';
import { compareComputations, startComputation, type ComputationState } from './computation-state.js';
import { addStage, deweyStart, increase, type DeweyNumber } from './dewey-number.js';
import { SharedBuffer, type BufferNode, type EntryMatch, type EventEntry } from './shared-buffer/shared-buffer.js';
import type { State, Transition } from './state.js';
import { JavaPriorityQueue } from '../util/java-priority-queue.js';

/** A complete match: pattern name -> events, in pattern order. */
export type Match<E> = Map<string, E[]>;

/** A partial match dropped by its window, with the time at which its window closed. */
export interface TimedOutMatch<E> {
  readonly match: Match<E>;
  readonly timestamp: number;
}

/** The mutable matching state of one key (Flink's NFAState plus its SharedBuffer). */
export class NFAState<E> {
  partialMatches = new JavaPriorityQueue<ComputationState<E>>(compareComputations);
  readonly completedMatches = new JavaPriorityQueue<ComputationState<E>>(compareComputations);
  readonly buffer = new SharedBuffer<E>();

  /** True when no run has started and nothing is buffered. */
  isIdle(): boolean {
    return this.completedMatches.size === 0 && this.buffer.isEmpty() && this.partialMatches.items.every((c) => c.startEvent === null);
  }
}

/**
 * The NFA runtime (Flink's NFA): advances every run of a key by one event, keeping matched events
 * in the key's shared buffer. Stateless itself; all state lives in NFAState.
 */
export class NFA<E> {
  readonly windowMs: number;
  readonly skip: AfterMatchSkipStrategy;
  readonly startState: State<E>;
  private readonly ctx: RunContext<E>;

  constructor(readonly compiled: CompiledNFA<E>) {
    this.windowMs = compiled.windowMs;
    this.skip = compiled.skipStrategy;
    this.startState = compiled.startState;
    this.ctx = new RunContext<E>();
  }

  createState(): NFAState<E> {
    const s = new NFAState<E>();
    s.partialMatches.add(startComputation(this.startState, deweyStart(1)));
    return s;
  }

  /** Processes one event; returns the matches it completed, in Flink's order. */
  process(nfaState: NFAState<E>, event: E, timestamp: number, out: Match<E>[] = []): Match<E>[] {
    const buffer = nfaState.buffer;
    const ev: EventHolder<E> = { event, timestamp, entry: null };
    const newPartial = new JavaPriorityQueue<ComputationState<E>>(compareComputations);
    const potential = new JavaPriorityQueue<ComputationState<E>>(compareComputations);
    try {
      for (const cs of nfaState.partialMatches.items) {
        const next = this.computeNextStates(buffer, cs, ev);
        let discard = false;
        let retain: ComputationState<E>[] | undefined;
        for (const n of next) {
          if (n.state.isFinal) potential.add(n);
          else if (n.state.isStop) {
            discard = true;
            buffer.releaseNode(n.entry, n.version);
          } else (retain ??= []).push(n);
        }
        if (retain === undefined) continue;
        if (discard) for (const r of retain) buffer.releaseNode(r.entry, r.version);
        else for (const r of retain) newPartial.add(r);
      }
      this.emitAccordingToSkipStrategy(nfaState, potential, newPartial, out);
      nfaState.partialMatches = newPartial;
    } finally {
      if (ev.entry !== null) buffer.releaseEvent(ev.entry);
    }
    return out;
  }

  /**
   * Time passes `timestamp`: runs whose window closed are dropped (reported as timed out), and
   * pending runs (a trailing notFollowedBy) complete. Matches they release are appended to `out`.
   */
  advanceTime(nfaState: NFAState<E>, timestamp: number, out: Match<E>[] = [], timedOut: TimedOutMatch<E>[] = []): void {
    const buffer = nfaState.buffer;
    const windowMs = this.windowMs;
    let newPartial: JavaPriorityQueue<ComputationState<E>> | undefined;
    let potential: JavaPriorityQueue<ComputationState<E>> | undefined;
    const items = nfaState.partialMatches.items;
    for (let i = 0; i < items.length; i++) {
      const cs = items[i];
      const state = cs.state;
      const loopWindow = state.windowMs;
      const prevTimeout = loopWindow !== undefined && timedOut_(cs, timestamp, cs.prevTs, loopWindow);
      const firstTimeout = timedOut_(cs, timestamp, cs.startTs, windowMs);
      if (!prevTimeout && !firstTimeout) {
        newPartial?.add(cs);
        continue;
      }
      if (newPartial === undefined) {
        newPartial = new JavaPriorityQueue(compareComputations);
        for (let j = 0; j < i; j++) newPartial.add(items[j]);
      }
      if (state.isPending) {
        (potential ??= new JavaPriorityQueue(compareComputations)).add(cs);
        continue;
      }
      timedOut.push({
        match: buffer.materialize(this.currentMatch(buffer, cs)),
        timestamp: prevTimeout ? cs.prevTs + loopWindow! : cs.startTs + windowMs,
      });
      buffer.releaseNode(cs.entry, cs.version);
    }
    if (newPartial !== undefined || nfaState.completedMatches.size > 0) {
      const partial = newPartial ?? nfaState.partialMatches;
      this.emitAccordingToSkipStrategy(nfaState, potential, partial, out);
      nfaState.partialMatches = partial;
    }
    buffer.advanceTime(timestamp);
  }

  /** The earliest time at which `advanceTime` would change this state, or Infinity. */
  nextDeadline(nfaState: NFAState<E>): number {
    let min = Infinity;
    const windowMs = this.windowMs;
    for (const cs of nfaState.partialMatches.items) {
      if (cs.state.isStart) continue;
      if (windowMs > 0 && cs.startTs + windowMs < min) min = cs.startTs + windowMs;
      const w = cs.state.windowMs;
      if (w !== undefined && w > 0 && cs.prevTs + w < min) min = cs.prevTs + w;
    }
    return min;
  }

  private currentMatch(buffer: SharedBuffer<E>, cs: ComputationState<E>): EntryMatch<E> | undefined {
    if (cs.entry === null) return undefined;
    return buffer.extractPatterns(cs.entry, cs.version)[0];
  }

  /**
   * Completed runs are emitted in start order; with a skip strategy a match waits until no
   * earlier-started partial match could still complete before it (Flink's processMatchesAccordingToSkipStrategy).
   */
  private emitAccordingToSkipStrategy(
    nfaState: NFAState<E>,
    potential: JavaPriorityQueue<ComputationState<E>> | undefined,
    partial: JavaPriorityQueue<ComputationState<E>>,
    out: Match<E>[],
  ): void {
    const completed = nfaState.completedMatches;
    if (potential !== undefined) for (const p of potential.items) completed.add(p);
    const buffer = nfaState.buffer;
    const skip = this.skip;
    const isSkip = skip.isSkipStrategy();
    let earliest: ComputationState<E> | undefined;
    while ((earliest = completed.peek()) !== undefined) {
      if (isSkip) {
        const earliestPartial = partial.peek();
        if (earliestPartial !== undefined && compareComputations(earliest, earliestPartial) > 0) break;
      }
      completed.poll();
      const matched = buffer.extractPatterns(earliest.entry, earliest.version);
      if (isSkip) {
        this.prune(buffer, partial, matched);
        this.prune(buffer, completed, matched);
      }
      out.push(buffer.materialize(matched[0]));
      buffer.releaseNode(earliest.entry, earliest.version);
    }
  }

  private prune(buffer: SharedBuffer<E>, queue: JavaPriorityQueue<ComputationState<E>>, matched: EntryMatch<E>[]): void {
    const skip = this.skip;
    let pruning: EventEntry<E> | undefined;
    for (const m of matched) {
      const p = skip.pruningEvent(m);
      if (p !== undefined && (pruning === undefined || (skip.kind === 'SKIP_TO_NEXT' ? cmpE(p, pruning) < 0 : cmpE(p, pruning) > 0))) pruning = p;
    }
    if (pruning === undefined) return;
    const discard = new Set<ComputationState<E>>();
    for (const cs of queue.items) {
      if (cs.startEvent !== null && skip.shouldPrune(cs.startEvent, pruning)) {
        buffer.releaseNode(cs.entry, cs.version);
        discard.add(cs);
      }
    }
    if (discard.size > 0) queue.removeIf((cs) => discard.has(cs));
  }

  /** Flink's computeNextStates: follows the TAKE and IGNORE edges the event enables from `cs`. */
  private computeNextStates(buffer: SharedBuffer<E>, cs: ComputationState<E>, ev: EventHolder<E>): ComputationState<E>[] {
    const ctx = this.ctx.reset(buffer, cs, ev.timestamp);
    const edges = this.decisionGraph(cs.state, ev.event, ctx);
    const result: ComputationState<E>[] = [];
    const isStart = cs.state.isStart;
    const totalTake = edges.takes;
    const totalIgnore = edges.ignores;
    let takeBranchesToVisit = Math.max(0, totalTake - 1);
    let ignoreBranchesToVisit = totalIgnore;
    const totalTakeToSkip = Math.max(0, totalTake - 1);
    for (const edge of edges.list) {
      if (edge.action === 'IGNORE') {
        if (isStart) continue;
        let version: DeweyNumber;
        if (edge.target.name === cs.state.name) {
          version = increase(cs.version, selfIncrease(totalIgnore, totalTake));
        } else {
          version = addStage(increase(cs.version, totalTakeToSkip + ignoreBranchesToVisit));
          ignoreBranchesToVisit--;
        }
        this.addComputation(buffer, result, edge.target, cs.entry, version, cs.startTs, cs.prevTs, cs.startEvent);
      } else {
        const currentVersion = increase(cs.version, takeBranchesToVisit);
        const nextVersion = addStage(currentVersion);
        takeBranchesToVisit--;
        const entry = (ev.entry ??= buffer.registerEvent(ev.event, ev.timestamp));
        const node = buffer.put(edge.source.patternName, entry, cs.entry, currentVersion);
        const startTs = isStart ? ev.timestamp : cs.startTs;
        const startEvent = isStart ? entry : cs.startEvent;
        this.addComputation(buffer, result, edge.target, node, nextVersion, startTs, ev.timestamp, startEvent);
        const final = this.finalStateAfterProceed(edge.target, ev.event, ctx);
        if (final !== null) this.addComputation(buffer, result, final, node, nextVersion, startTs, ev.timestamp, startEvent);
      }
    }
    if (isStart) result.push(startComputation(cs.state, increase(cs.version, selfIncrease(totalIgnore, totalTake))));
    if (cs.entry !== null) buffer.releaseNode(cs.entry, cs.version);
    return result;
  }

  private addComputation(
    buffer: SharedBuffer<E>,
    out: ComputationState<E>[],
    state: State<E>,
    entry: BufferNode<E> | null,
    version: DeweyNumber,
    startTs: number,
    prevTs: number,
    startEvent: EventEntry<E> | null,
  ): void {
    out.push({ state, version, entry, startTs, prevTs, startEvent });
    buffer.lockNode(entry, version);
  }

  /** TAKE and IGNORE edges enabled by the event, following PROCEED edges (Flink's createDecisionGraph). */
  private decisionGraph(state: State<E>, event: E, ctx: RunContext<E>): OutgoingEdges<E> {
    const out: OutgoingEdges<E> = { list: [], takes: 0, ignores: 0 };
    const stack: State<E>[] = [state];
    while (stack.length > 0) {
      const s = stack.pop()!;
      for (const t of s.transitions) {
        if (!check(t, event, ctx)) continue;
        if (t.action === 'PROCEED') stack.push(t.target);
        else {
          if (t.action === 'TAKE') out.takes++;
          else if (t.target.name !== state.name) out.ignores++;
          out.list.push(t);
        }
      }
    }
    return out;
  }

  private finalStateAfterProceed(state: State<E>, event: E, ctx: RunContext<E>): State<E> | null {
    const stack: State<E>[] = [state];
    while (stack.length > 0) {
      const s = stack.pop()!;
      for (const t of s.transitions) {
        if (t.action !== 'PROCEED' || !check(t, event, ctx)) continue;
        if (t.target.isFinal) return t.target;
        stack.push(t.target);
      }
    }
    return null;
  }
}

interface EventHolder<E> {
  readonly event: E;
  readonly timestamp: number;
  /** Registered in the shared buffer on the first TAKE. */
  entry: EventEntry<E> | null;
}

interface OutgoingEdges<E> {
  list: Transition<E>[];
  takes: number;
  ignores: number;
}

const cmpE = (a: EventEntry<any>, b: EventEntry<any>) => (a.timestamp !== b.timestamp ? a.timestamp - b.timestamp : a.id - b.id);

function selfIncrease(ignores: number, takes: number): number {
  return takes === 0 && ignores === 0 ? 0 : ignores + Math.max(1, takes);
}

function timedOut_(cs: ComputationState<any>, now: number, since: number, windowMs: number): boolean {
  return !cs.state.isStart && windowMs > 0 && now - since >= windowMs;
}

function check<E>(t: Transition<E>, event: E, ctx: RunContext<E>): boolean {
  const c = t.condition;
  if (c === null) return true;
  try {
    return c(event, ctx);
  } catch (e) {
    throw new CepRuntimeError(`Failure happened in filter function of '${t.source.patternName}': ${(e as Error)?.message ?? e}`, { cause: e });
  }
}

/** The context handed to conditions; materializes the run's events only when asked. */
class RunContext<E> implements ConditionContext<E> {
  private buffer!: SharedBuffer<E>;
  private cs!: ComputationState<E>;
  private ts = 0;
  private events: Map<string, E[]> | undefined;

  reset(buffer: SharedBuffer<E>, cs: ComputationState<E>, ts: number): this {
    this.buffer = buffer;
    this.cs = cs;
    this.ts = ts;
    this.events = undefined;
    return this;
  }

  getEventsForPattern(name: string): Iterable<E> {
    if (this.events === undefined) {
      const cs = this.cs;
      this.events = this.buffer.materialize(cs.entry === null ? undefined : this.buffer.extractPatterns(cs.entry, cs.version)[0]);
    }
    return this.events.get(name) ?? [];
  }

  timestamp(): number {
    return this.ts;
  }
}
