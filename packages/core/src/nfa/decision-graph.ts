import type { ConditionContext } from '../pattern/conditions.js';
import { CepRuntimeError } from '../pattern/errors.js';
import type { State, Transition } from './state.js';

/** A condition context that can also evaluate without a run, noting whether a condition asked for one. */
export interface ProbingContext<E> extends ConditionContext<E> {
  /** Set by getEventsForPattern while probing. */
  consulted: boolean;
  /** Switches to probing at time `ts`: no run behind the context. */
  probe(ts: number): this;
}

/**
 * The edges an event enables from a state, following PROCEED edges (Flink's createDecisionGraph),
 * in Flink's order; shared by the NFA runtimes that step runs through the compiled states. Its
 * output fields are scratch space, valid until the next evaluate: the per-event path allocates
 * nothing for runs the event leaves unchanged.
 */
export class DecisionGraph<E> {
  readonly edges: Transition<E>[] = [];
  edgeCount = 0;
  /** TAKE edges, and IGNORE edges to another state (self-ignores do not branch). */
  takes = 0;
  ignores = 0;
  private readonly stack: State<E>[] = [];
  private readonly proceedStack: State<E>[] = [];

  constructor(private readonly states: readonly State<E>[]) {}

  evaluate(state: State<E>, event: E, ctx: ConditionContext<E>): void {
    const edges = this.edges;
    const stack = this.stack;
    let takes = 0;
    let ignores = 0;
    let count = 0;
    stack.push(state);
    try {
      while (stack.length > 0) {
        const transitions = stack.pop()!.transitions;
        for (let i = 0; i < transitions.length; i++) {
          const t = transitions[i];
          if (!check(t, event, ctx)) continue;
          if (t.action === 'PROCEED') stack.push(t.target);
          else {
            if (t.action === 'TAKE') takes++;
            else if (t.target.name !== state.name) ignores++;
            edges[count++] = t;
          }
        }
      }
    } finally {
      stack.length = 0;
    }
    this.edgeCount = count;
    this.takes = takes;
    this.ignores = ignores;
  }

  /** The final state reachable from `state` by PROCEED edges the event enables, or null. */
  finalAfterProceed(state: State<E>, event: E, ctx: ConditionContext<E>): State<E> | null {
    const stack = this.proceedStack;
    stack.push(state);
    try {
      while (stack.length > 0) {
        const transitions = stack.pop()!.transitions;
        for (let i = 0; i < transitions.length; i++) {
          const t = transitions[i];
          if (t.action !== 'PROCEED' || !check(t, event, ctx)) continue;
          if (t.target.isFinal) return t.target;
          stack.push(t.target);
        }
      }
      return null;
    } finally {
      stack.length = 0;
    }
  }

  /** True when the edges last evaluated for a run in `state` leave it as it is. */
  leavesUnchanged(state: State<E>): boolean {
    const n = this.edgeCount;
    return state.isStart ? n === 0 : n === 1 && this.edges[0].action === 'IGNORE' && this.edges[0].target === state;
  }

  /**
   * Bitmask of the states (among `occupied`) in which the event leaves every run unchanged (see
   * leavesUnchanged), decided once per state instead of once per run, without touching the runs:
   * the per-event cost across many keys is memory bound. A condition that reads the run's events
   * (or throws) makes the answer run-specific: such states are evaluated run by run. Decided at
   * most once per event and state: the operator asks irrelevant, ignoredByNewRun and process about
   * the same event.
   */
  noOpStates(occupied: number, event: E, timestamp: number, ctx: ProbingContext<E>): number {
    if (event !== this.noOpEvent || timestamp !== this.noOpTs) {
      this.noOpEvent = event;
      this.noOpTs = timestamp;
      this.noOpDecided = 0;
      this.noOpYes = 0;
    }
    for (let mask = occupied & ~this.noOpDecided; mask !== 0; mask &= mask - 1) {
      const bit = mask & -mask;
      if (this.isNoOp(this.states[31 - Math.clz32(bit)], event, ctx.probe(timestamp))) this.noOpYes |= bit;
    }
    this.noOpDecided |= occupied;
    return this.noOpYes & occupied;
  }

  private noOpEvent: E | undefined = undefined;
  private noOpTs = NaN;
  private noOpDecided = 0;
  private noOpYes = 0;

  private isNoOp(state: State<E>, event: E, ctx: ProbingContext<E>): boolean {
    try {
      this.evaluate(state, event, ctx);
    } catch {
      return false; // let the per-run evaluation raise it, with the run's context
    }
    return !ctx.consulted && this.leavesUnchanged(state);
  }
}

/** Whether the transition's condition holds; a throwing condition is reported as Flink words it. */
export function check<E>(t: Transition<E>, event: E, ctx: ConditionContext<E>): boolean {
  const c = t.condition;
  if (c === null) return true;
  try {
    return c(event, ctx);
  } catch (e) {
    throw new CepRuntimeError(`Failure happened in filter function of '${t.source.patternName}': ${(e as Error)?.message ?? e}`, { cause: e });
  }
}
