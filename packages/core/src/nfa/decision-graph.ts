import type { Condition, ConditionContext, ConditionNode } from '../pattern/conditions.js';
import { CepRuntimeError } from '../pattern/errors.js';
import { FALSE as FALSE_VERDICT, NONE, RUN_SPECIFIC, TRUE as TRUE_VERDICT, UNREAD, Verdicts } from './verdicts.js';
import { MASK_BITS, type State, type Transition } from './state.js';

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

  constructor(
    private readonly states: readonly State<E>[],
    clock: () => number,
  ) {
    this.edgesSeen = new Int32Array(states.length);
    this.cache = states.map(() => null);
    this.finalSeen = new Int32Array(states.length);
    this.finals = states.map(() => undefined);
    // the distinct conditions of all transitions, each transition's index into them (-1: always true)
    const index = new Map<ConditionNode<E>, number>();
    const conditions: ConditionNode<E>[] = [];
    const indexOf = (c: ConditionNode<E> | null): number => {
      if (c === null || c.kind === 'true') return -1;
      let i = index.get(c);
      if (i === undefined) index.set(c, (i = conditions.push(c) - 1));
      return i;
    };
    // plain loops, not TypedArray.from with a mapping function (slow, and patterns compile often)
    this.conditionOf = states.map((st) => {
      const of = new Int32Array(st.transitions.length);
      for (let t = 0; t < of.length; t++) of[t] = indexOf(st.transitions[t].condition);
      return of;
    });
    // a negation is decided from what it negates, without evaluating either twice (what it negates
    // joins the list, and is decided for every event like the others)
    for (let c = 0; c < conditions.length; c++) {
      const cond = conditions[c];
      if (cond.kind === 'not') indexOf(cond.operand);
    }
    this.verdicts = new Verdicts(conditions, clock);
    this.tests = this.verdicts.tests;
    const base = conditions.map((_, c) => c).filter((c) => this.verdicts.negationOf[c] < 0);
    this.baseConditions = base.length <= VERDICT_KEYED ? new Int32Array(base) : null;
    const values = this.verdicts.fieldValues.length;
    if (values > 0 && this.baseConditions !== null) {
      const byValue: ByValue<E>[] = [];
      for (let m = NONE; m < values; m++) byValue.push({ rests: new Int32Array(base.filter((c) => this.verdicts.admitsValue(c, m) && this.verdicts.hasRest(c))), keyed: [] });
      this.byValue = byValue;
    }
    if (base.length <= PREPARED || this.byValue !== null) this.prepare();
  }

  /**
   * Works out the steps of every state under every combination of TRUE and FALSE verdicts, as
   * the first events with those verdicts would (run-specific ones are still worked out when they
   * come): compiling's work, not the events'. When the conditions test one field, only the
   * combinations its values make can come (one value's conditions, or none), with the verdicts of
   * those of its conditions that have more to evaluate.
   */
  private prepare(): void {
    const base = this.baseConditions!;
    const verdicts = this.verdicts;
    if (this.byValue === null) {
      for (let bits = 0; bits < 1 << base.length; bits++) this.prepareFor(base, bits);
      return;
    }
    this.byValue.forEach((entry, i) => {
      const m = i - 1;
      const rests = entry.rests;
      if (rests.length > PREPARED_RESTS) return; // worked out as their events come
      const admitted = base.reduce((bits, c, b) => (verdicts.admitsValue(c, m) && !verdicts.hasRest(c) ? bits | (1 << b) : bits), 0);
      // each combination of TRUE and FALSE for the conditions with more to evaluate, keyed as stepsForVerdicts keys them
      for (let r = 0; r < 1 << rests.length; r++) {
        let bits = admitted;
        let key = 0;
        for (let j = 0; j < rests.length; j++) {
          const holds = (r & (1 << (rests.length - 1 - j))) !== 0;
          if (holds) bits |= 1 << base.indexOf(rests[j]);
          key = key * 4 + (holds ? TRUE_VERDICT : FALSE_VERDICT);
        }
        entry.keyed[key] = this.prepareFor(base, bits);
      }
    });
  }

  /** The steps of every state when conditions `base` have the verdicts `bits` give (bit b set: base[b] holds). */
  private prepareFor(base: Int32Array, bits: number): Keyed<E> {
    // noOpStates keeps masks of up to MASK_BITS states (as many as a PathNFA tracks)
    const all = this.states.length <= MASK_BITS ? (1 << this.states.length) - 1 : 0;
    const event = this.verdicts.assume(base, bits);
    for (const state of this.states) this.stepFor(state, event);
    if (all !== 0) this.noOpStates(all, event);
    return this.keyed!; // what stepsForVerdicts found for these verdicts
  }

  /**
   * When the conditions test one field: per value index + 1 (0: no value), the conditions the
   * value admits that have more to evaluate, and the steps under each combination of their verdicts.
   */
  private byValue: ByValue<E>[] | null = null;

  /** Per state, the index of each transition's condition in the verdicts' conditions (-1: always true). */
  private readonly conditionOf: Int32Array[];
  /** The distinct conditions as functions, and their verdicts on the event being evaluated. */
  private readonly tests: readonly Condition<E>[];
  private readonly verdicts: Verdicts<E>;

  /**
   * Whether the condition of `from`'s i-th transition holds: evaluated with the run's context
   * (throwing as Flink words it), or for every run at once from the verdicts when `run` is null.
   */
  private decide(from: State<E>, i: number, event: E, run: ConditionContext<E> | null): number {
    const c = this.conditionOf[from.index][i];
    if (c < 0) return TRUE_VERDICT;
    if (run !== null) return check(this.tests[c], from, event, run) ? TRUE_VERDICT : FALSE_VERDICT;
    return this.verdicts.of(c);
  }

  /** The TAKE and IGNORE edges the event enables from `state` (see decide); false when they depend on the run. */
  private walk(state: State<E>, event: E, run: ConditionContext<E> | null): boolean {
    const edges = this.edges;
    const stack = startWalk(this.stack, state);
    let takes = 0;
    let ignores = 0;
    let count = 0;
    while (stack.length > 0) {
      const from = stack.pop()!;
      const transitions = from.transitions;
      for (let i = 0; i < transitions.length; i++) {
        const v = this.decide(from, i, event, run);
        if (v === FALSE_VERDICT) continue;
        if (v === RUN_SPECIFIC) return false;
        const t = transitions[i];
        if (t.action === 'PROCEED') stack.push(t.target);
        else {
          if (t.action === 'TAKE') takes++;
          else if (t.target.name !== state.name) ignores++; // self-ignores do not branch
          edges[count++] = t;
        }
      }
    }
    this.edgeCount = count;
    this.takes = takes;
    this.ignores = ignores;
    return true;
  }

  /** The final state reachable from `state` by PROCEED edges the event enables, or null; undefined when that depends on the run. */
  private finalWalk(state: State<E>, event: E, run: ConditionContext<E> | null): State<E> | null | undefined {
    const stack = startWalk(this.proceedStack, state);
    while (stack.length > 0) {
      const from = stack.pop()!;
      const transitions = from.transitions;
      for (let i = 0; i < transitions.length; i++) {
        const t = transitions[i];
        if (t.action !== 'PROCEED') continue;
        const v = this.decide(from, i, event, run);
        if (v === FALSE_VERDICT) continue;
        if (v === RUN_SPECIFIC) return undefined;
        if (t.target.isFinal) return t.target;
        stack.push(t.target);
      }
    }
    return null;
  }

  /** Evaluates the edges the event enables for a run in `state`, with the run's context (into edges, edgeCount, takes, ignores). */
  evaluate(state: State<E>, event: E, ctx: ConditionContext<E>): void {
    this.walk(state, event, ctx);
  }

  /** The final state reachable from `state` by PROCEED edges the event enables for the run, or null. */
  finalAfterProceed(state: State<E>, event: E, ctx: ConditionContext<E>): State<E> | null {
    return this.finalWalk(state, event, ctx)!;
  }

  /** True when the edges last evaluated for a run in `state` leave it as it is. */
  leavesUnchanged(state: State<E>): boolean {
    const n = this.edgeCount;
    return state.isStart ? n === 0 : n === 1 && this.edges[0].action === 'IGNORE' && this.edges[0].target === state;
  }

  /**
   * Evaluates the edges for a run in `state` (as evaluate does). Conditions are functions of
   * (event, ctx): unless one reads the run's events through ctx (or throws), every run in a state
   * gets the same edges, so they are evaluated once per event and state and kept for the others.
   */
  evaluateFor(state: State<E>, event: E, run: ConditionContext<E>): void {
    const cached = this.probed(state, event);
    if (cached === null) {
      this.evaluate(state, event, run); // run-specific: with the run's context, which raises any error
      return;
    }
    const edges = this.edges;
    for (let i = 0; i < cached.count; i++) edges[i] = cached.edges[i];
    this.edgeCount = cached.count;
    this.takes = cached.takes;
    this.ignores = cached.ignores;
  }

  /**
   * What the event does to every run in `state`, when that does not depend on the run (see
   * evaluateFor): the enabled edges, the final state each TAKE edge's target proceeds to, and
   * whether an edge enters a stop state. Null when it depends on the run.
   */
  stepFor(state: State<E>, event: E): Step<E> | null {
    const step = this.probed(state, event);
    if (step === null || step.unchanged) return step;
    if (!step.finalsKnown) {
      step.finalsKnown = true;
      step.finalsRunSpecific = false;
      for (let e = 0; e < step.count; e++) {
        const edge = step.edges[e];
        if (edge.action !== 'TAKE') continue;
        const final = this.finalFor(edge.target, event, null);
        if (final === undefined) {
          step.finalsRunSpecific = true;
          break;
        }
        step.finals[e] = final;
      }
      step.single = makesOneRun(state, step);
    }
    return step.finalsRunSpecific ? null : step;
  }

  /** What the event does to one run in `state`, evaluated with its context (when stepFor gives null); valid until the next call. */
  stepForRun(state: State<E>, event: E, run: ConditionContext<E>): Step<E> {
    this.evaluateFor(state, event, run);
    const step = this.fill(state, this.runStep);
    for (let e = 0; e < step.count; e++) if (step.edges[e].action === 'TAKE') step.finals[e] = this.finalFor(step.edges[e].target, event, run);
    step.single = makesOneRun(state, step);
    return step;
  }

  private readonly runStep = newStep<E>();

  /** finalAfterProceed for a run, kept per event and state in the same way as evaluateFor's edges. */
  finalFor(state: State<E>, event: E, run: ConditionContext<E>): State<E> | null;
  /** Without a run: undefined when the answer depends on the run. */
  finalFor(state: State<E>, event: E, run: null): State<E> | null | undefined;
  finalFor(state: State<E>, event: E, run: ConditionContext<E> | null): State<E> | null | undefined {
    const i = state.index;
    if (this.finalSeen[i] !== this.verdicts.generation) {
      this.finalSeen[i] = this.verdicts.generation;
      this.finals[i] = this.finalWalk(state, event, null);
    }
    const known = this.finals[i];
    return known !== undefined || run === null ? known : this.finalAfterProceed(state, event, run);
  }

  /**
   * Bitmask of the states (among `occupied`) in which the event leaves every run unchanged (see
   * leavesUnchanged), decided once per state instead of once per run, without touching the runs:
   * the per-event cost across many keys is memory bound. Run-specific states (see evaluateFor)
   * are not among them: their runs are evaluated one by one.
   */
  noOpStates(occupied: number, event: E): number {
    // the states decided so far, and those of them that are no-ops: for this combination of
    // verdicts when steps are keyed by them (then most events decide nothing new), else for this event
    const masks = this.stepsForVerdicts() ?? this.eventMasks;
    for (let mask = occupied & ~masks.decided; mask !== 0; mask &= mask - 1) {
      const bit = mask & -mask;
      const cached = this.probed(this.states[31 - Math.clz32(bit)], event);
      if (cached?.unchanged) masks.noOps |= bit;
    }
    masks.decided |= occupied;
    return masks.noOps & occupied;
  }

  /** noOpStates' masks for the current event, when steps are not keyed by verdicts. */
  private readonly eventMasks = { decided: 0, noOps: 0 };

  /** Per state index, when steps are not keyed by verdicts: the generation its step was worked out in, and the step (null: run-specific). */
  private readonly edgesSeen: Int32Array;
  private readonly cache: (Step<E> | null)[];
  private readonly entries: (Step<E> | undefined)[] = [];
  private readonly finalSeen: Int32Array;
  private readonly finals: (State<E> | null | undefined)[];

  /** Starts the evaluation of an event: the verdicts and the per-event caches are worked out afresh. */
  begin(event: E, timestamp: number): void {
    this.verdicts.begin(event, timestamp);
    this.eventMasks.decided = 0;
    this.eventMasks.noOps = 0;
    if (this.verdicts.generation === 1) {
      // the first event, or the generation wrapped: forget every entry, so none can pass for the new generation's
      this.edgesSeen.fill(0);
      this.finalSeen.fill(0);
      this.keyGeneration = 0;
    }
  }

  /** The step for every run in `state` (null: run-specific), worked out once per combination of verdicts, or else once per event. */
  private probed(state: State<E>, event: E): Step<E> | null {
    const i = state.index;
    const keyed = this.stepsForVerdicts();
    if (keyed !== null) {
      // the same verdicts make the same steps: kept for the next event that has them
      const known = keyed.steps[i];
      return known !== undefined ? known : (keyed.steps[i] = this.walk(state, event, null) ? this.fill(state, newStep<E>()) : null);
    }
    const generation = this.verdicts.generation;
    if (this.edgesSeen[i] === generation) return this.cache[i];
    this.edgesSeen[i] = generation;
    // one entry per state, refilled for each event: no allocation per event
    return (this.cache[i] = this.walk(state, event, null) ? this.fill(state, (this.entries[i] ??= newStep<E>())) : null);
  }

  private fill(state: State<E>, entry: Step<E>): Step<E> {
    for (let e = 0; e < this.edgeCount; e++) entry.edges[e] = this.edges[e];
    entry.count = this.edgeCount;
    entry.takes = this.takes;
    entry.ignores = this.ignores;
    entry.unchanged = this.leavesUnchanged(state);
    entry.finalsKnown = false;
    let keep = true;
    for (let e = 0; e < entry.count; e++) if (entry.edges[e].target.isStop && !(state.isStart && entry.edges[e].action === 'IGNORE')) keep = false;
    entry.keep = keep;
    return entry;
  }

  /**
   * Every step is a function of the verdicts of the conditions that are not negations (at most
   * VERDICT_KEYED of them): the steps made under each combination of verdicts, per state, or null
   * when the pattern has more such conditions (then steps are worked out for every event).
   */
  private stepsForVerdicts(): Keyed<E> | null {
    const base = this.baseConditions;
    if (base === null) return null;
    if (this.keyGeneration !== this.verdicts.generation) {
      this.keyGeneration = this.verdicts.generation;
      const matched = this.verdicts.matched;
      if (this.byValue !== null && matched !== UNREAD) {
        // the value decides every condition but those with more to evaluate: key by their verdicts
        const entry = this.byValue[matched + 1];
        const rests = entry.rests;
        let key = 0;
        for (let j = 0; j < rests.length; j++) key = key * 4 + this.verdicts.of(rests[j]);
        return (this.keyed = entry.keyed[key] ??= newKeyed());
      }
      let key = 0;
      for (let b = 0; b < base.length; b++) key = key * 4 + this.verdicts.of(base[b]);
      let keyed = this.stepsByKey.get(key);
      if (keyed === undefined) this.stepsByKey.set(key, (keyed = newKeyed()));
      this.keyed = keyed;
    }
    return this.keyed;
  }

  /** The conditions that are not negations made by not(), when few enough to key steps by their verdicts. */
  private readonly baseConditions: Int32Array | null;
  private readonly stepsByKey = new Map<number, Keyed<E>>();
  private keyed: Keyed<E> | null = null;
  private keyGeneration = 0;
}

/** The steps made under one combination of verdicts, per state, and noOpStates' masks for it. */
interface Keyed<E> {
  readonly steps: (Step<E> | null | undefined)[];
  decided: number;
  noOps: number;
}

/** The steps under each combination of verdicts of one field value's conditions (see DecisionGraph.byValue). */
interface ByValue<E> {
  readonly rests: Int32Array;
  readonly keyed: Keyed<E>[];
}

const newKeyed = <E>(): Keyed<E> => ({ steps: [], decided: 0, noOps: 0 });

/**
 * A walk's stack (Flink's createDecisionGraph order: a state's transitions in order, then the
 * PROCEED targets, last first), holding `state`. A walk that returned early, or whose condition
 * threw, left states on it: they are dropped here, not on every way out of a walk.
 */
function startWalk<E>(stack: State<E>[], state: State<E>): State<E>[] {
  if (stack.length !== 0) stack.length = 0;
  stack.push(state);
  return stack;
}

/** Conditions (not negations) up to which steps are kept per combination of their verdicts (4^8 keys at most). */
const VERDICT_KEYED = 8;
/** Conditions (not negations) up to which the steps for every combination of TRUE and FALSE are worked out when compiling. */
const PREPARED = 5;
/** The same, for the conditions of one field value that have more to evaluate (see DecisionGraph.byValue). */
const PREPARED_RESTS = 3;

const newStep = <E>(): Step<E> => ({
  edges: [],
  count: 0,
  takes: 0,
  ignores: 0,
  unchanged: false,
  keep: true,
  finalsKnown: false,
  finals: [],
  finalsRunSpecific: false,
  single: false,
});

/** Whether the step makes exactly one run of a run in `state`, waiting in a state that is neither final nor stop, and no match. */
function makesOneRun<E>(state: State<E>, step: Step<E>): boolean {
  if (state.isStart || step.count !== 1 || !step.keep) return false;
  const edge = step.edges[0];
  return !edge.target.isFinal && (edge.action === 'IGNORE' || step.finals[0] === null);
}

/** What one event does to the runs in a state, whichever run: its enabled edges and their counts. */
export interface Step<E> {
  readonly edges: Transition<E>[];
  count: number;
  takes: number;
  ignores: number;
  /** The event leaves the runs as they are (see leavesUnchanged). */
  unchanged: boolean;
  /** No edge enters a stop state (a start state's IGNORE aside): the runs the edges make are kept. */
  keep: boolean;
  /** Set by stepFor: finals[e] is the final state TAKE edge e's target proceeds to (or null). */
  finalsKnown: boolean;
  readonly finals: (State<E> | null)[];
  /** Some final state depends on the run: stepFor gives null for this step. */
  finalsRunSpecific: boolean;
  /** Set with the finals: the step makes one run and no match (see makesOneRun). */
  single: boolean;
}

/** Whether a condition of a transition from `state` holds; a throwing condition is reported as Flink words it. */
export function check<E>(test: Condition<E>, state: State<E>, event: E, ctx: ConditionContext<E>): boolean {
  try {
    return test(event, ctx);
  } catch (e) {
    throw new CepRuntimeError(`Failure happened in filter function of '${state.patternName}': ${(e as Error)?.message ?? e}`, { cause: e });
  }
}
