import type { AfterMatchSkipStrategy } from '../after-match/skip-strategy.js';
import { and, not, TRUE, type ConditionNode } from '../../pattern/conditions.js';
import { MalformedPatternError } from '../../pattern/errors.js';
import { Alternatives } from '../../pattern/alternatives.js';
import { GroupPattern, type Pattern } from '../../pattern/pattern.js';
import type { Times } from '../../pattern/quantifier.js';
import { State, type StateType } from '../state.js';
import { originalName, STATE_NAME_DELIM, StateNames } from './state-names.js';

const ENDING_STATE_NAME = '$endState$';

/** The NFA graph compiled from a pattern. */
export interface CompiledNFA<E> {
  readonly states: readonly State<E>[];
  readonly startState: State<E>;
  /** FIRST_AND_LAST window in ms, 0 when none. */
  readonly windowMs: number;
  readonly skipStrategy: AfterMatchSkipStrategy;
  /** Pattern names in pattern order (top level and inside groups). */
  readonly patternNames: readonly string[];
}

/** Compiles a pattern (or alternatives) into NFA states; throws MalformedPatternError for invalid patterns. */
export function compilePattern<E>(pattern: Pattern<E> | Alternatives<E>): CompiledNFA<E> {
  if (pattern instanceof Alternatives) return union(pattern.patterns.map((p) => new NFACompiler(p).compile()));
  return new NFACompiler(pattern).compile();
}

/**
 * One NFA that runs each alternative: a start state that proceeds, unconditionally, to each
 * alternative's start state, so that every event that starts one starts a run of it, all in one
 * key state under one skip strategy. Each alternative's states keep their pattern names and are
 * renamed apart (`1|a`, `2|a`, ...).
 */
function union<E>(alternatives: CompiledNFA<E>[]): CompiledNFA<E> {
  if (alternatives.length === 1) return alternatives[0];
  const [first] = alternatives;
  for (const a of alternatives) {
    if (a.windowMs !== first.windowMs) throw new MalformedPatternError('Alternatives must have the same window (within).');
    if (a.skipStrategy.toString() !== first.skipStrategy.toString()) throw new MalformedPatternError('Alternatives must have the same AfterMatchSkipStrategy.');
  }
  const start = new State<E>('$alternatives$', 'Start', '$alternatives$');
  const states: State<E>[] = [start];
  alternatives.forEach((a, k) => {
    const copies = new Map<State<E>, State<E>>();
    for (const st of a.states) {
      const copy = new State<E>(`${k + 1}|${st.name}`, st.type === 'Start' ? 'Normal' : st.type, st.patternName);
      copy.windowMs = st.windowMs;
      copies.set(st, copy);
      states.push(copy);
    }
    for (const st of a.states) for (const t of st.transitions) copies.get(st)!.addTransition(t.action, copies.get(t.target)!, t.condition);
    start.addProceed(copies.get(a.startState)!, TRUE);
  });
  for (let i = 0; i < states.length; i++) states[i].index = i;
  const names = [...new Set(alternatives.flatMap((a) => a.patternNames))];
  return { states, startState: start, windowMs: first.windowMs, skipStrategy: first.skipStrategy, patternNames: names };
}

interface NotCondition<E> {
  condition: ConditionNode<E>;
  name: string;
}

/**
 * Translates the pattern chain back to front into states, as Flink's NFAFactoryCompiler does:
 * the final state first, then one state (or a chain of states for quantifiers) per step.
 */
class NFACompiler<E> {
  private readonly names = new StateNames();
  private readonly stopStates = new Map<string, State<E>>();
  private readonly states: State<E>[] = [];
  private readonly windowTimes = new Map<string, number>();
  private windowTime: number | undefined;
  private currentGroup: GroupPattern<E> | undefined;
  private readonly firstOfLoop = new Map<GroupPattern<E>, boolean>();
  private current: Pattern<E>;
  private following: Pattern<E> | undefined;
  /** Greedy loops with until: copies of sink states, keyed by original state name. */
  private readonly originalStates = new Map<string, State<E>>();

  constructor(private readonly last: Pattern<E>) {
    this.current = last;
  }

  compile(): CompiledNFA<E> {
    const patternNames = this.checkNameUniqueness();
    this.checkSkipStrategy();
    let sink = this.createEndingState();
    sink = this.createMiddleStates(sink);
    const start = this.convertPattern(sink);
    start.makeStart();
    this.checkWindowTimes();
    const last = this.last;
    if (last.quantifier.consumingStrategy === 'NOT_FOLLOW' && !((this.windowTimes.get(last.name) ?? 0) > 0) && this.windowMs() === 0) {
      throw new MalformedPatternError('NotFollowedBy is not supported without windowTime as a last part of a Pattern!');
    }
    this.states.forEach((s, i) => {
      s.windowMs = this.windowTimes.get(s.name);
      s.index = i;
    });
    return { states: this.states, startState: start, windowMs: this.windowMs(), skipStrategy: last.skipStrategy, patternNames };
  }

  private windowMs(): number {
    return this.windowTime ?? 0;
  }

  private checkWindowTimes(): void {
    const w = this.windowTime;
    if (w === undefined) return;
    for (const t of this.windowTimes.values()) {
      if (t > w) {
        throw new MalformedPatternError(
          'The window length between the previous and current event cannot be larger than the window length between the first and last event for a Pattern.',
        );
      }
    }
  }

  private checkSkipStrategy(): void {
    const name = this.last.skipStrategy.patternName;
    if (name === undefined) return;
    let p: Pattern<E> = this.last;
    while (p.previous !== undefined && p.name !== name) p = p.previous;
    if (p.name !== name) {
      throw new MalformedPatternError(`The pattern name specified in AfterMatchSkipStrategy (${name}) can not be found in the given Pattern`);
    }
  }

  private checkNameUniqueness(): string[] {
    this.names.checkUnique(ENDING_STATE_NAME);
    const order: string[] = [];
    const visit = (p: Pattern<E> | undefined): void => {
      for (; p !== undefined; p = p.previous) {
        if (p instanceof GroupPattern) visit(p.rawPattern);
        else {
          this.names.checkUnique(p.name);
          order.push(p.name);
        }
      }
    };
    visit(this.last);
    this.names.clear();
    return order.reverse();
  }

  /** NOT conditions that apply to the current step: NOT steps reachable backwards through optional steps. */
  private currentNotConditions(): NotCondition<E>[] {
    const result: NotCondition<E>[] = [];
    let p = this.current;
    while (p.previous !== undefined && (p.previous.quantifier.has('OPTIONAL') || p.previous.quantifier.consumingStrategy === 'NOT_FOLLOW')) {
      p = p.previous;
      if (p.quantifier.consumingStrategy === 'NOT_FOLLOW') result.push({ condition: this.takeCondition(p), name: p.name });
    }
    return result;
  }

  private createEndingState(): State<E> {
    const end = this.createNamedState(ENDING_STATE_NAME, 'Final');
    this.windowTime = this.current.windowMs('FIRST_AND_LAST');
    return end;
  }

  private createMiddleStates(sinkState: State<E>): State<E> {
    let lastSink = sinkState;
    while (this.current.previous !== undefined) {
      const strategy = this.current.quantifier.consumingStrategy;
      if (strategy === 'NOT_FOLLOW') {
        // NOT steps become edge conditions; only a trailing notFollowedBy (with a window) needs a state
        if ((this.current.windowMs('PREVIOUS_AND_CURRENT') !== undefined || this.windowMs() > 0) && lastSink.isFinal) {
          const notFollow = this.createState('Pending', true);
          const notCondition = this.takeCondition(this.current);
          const stop = this.createStopState(notCondition, this.current.name);
          notFollow.addProceed(stop, notCondition);
          notFollow.addSelfIgnore(not(notCondition));
          lastSink = notFollow;
        }
      } else if (strategy === 'NOT_NEXT') {
        const notNext = this.createState('Normal', true);
        const notCondition = this.takeCondition(this.current);
        const stop = this.createStopState(notCondition, this.current.name);
        if (lastSink.isFinal)
          notNext.addIgnore(lastSink, not(notCondition)); // never proceed straight into the final state
        else notNext.addProceed(lastSink, not(notCondition));
        notNext.addProceed(stop, notCondition);
        lastSink = notNext;
      } else {
        lastSink = this.convertPattern(lastSink);
      }
      this.following = this.current;
      this.current = this.current.previous!;
      const w = this.current.windowMs('FIRST_AND_LAST');
      if (w !== undefined && w < (this.windowTime ?? Infinity)) this.windowTime = w;
    }
    return lastSink;
  }

  private convertPattern(sinkState: State<E>): State<E> {
    let lastSink: State<E>;
    const q = this.current.quantifier;
    if (q.has('LOOPING')) {
      this.setGroupFirstOfLoop(false);
      const sink = this.copyWithoutTransitiveNots(sinkState);
      const looping = this.createLooping(sink);
      this.setGroupFirstOfLoop(true);
      lastSink = this.createTimesState(looping, sinkState, this.current.repetitions!);
    } else if (q.has('TIMES')) {
      lastSink = this.createTimesState(sinkState, sinkState, this.current.repetitions!);
    } else {
      lastSink = this.createSingletonState(sinkState, sinkState, this.takeCondition(this.current), this.ignoreCondition(this.current), isOptional(this.current));
    }
    this.addStopStates(lastSink);
    return lastSink;
  }

  /** A state of the current step; TAKE states record the step's previous-and-current window. */
  private createState(type: StateType, isTake: boolean): State<E> {
    const state = this.createNamedState(this.current.name, type);
    if (isTake) {
      const times = this.current.repetitions;
      if (times === undefined) {
        const w = this.current.windowMs('PREVIOUS_AND_CURRENT');
        if (w !== undefined) this.windowTimes.set(state.name, w);
      } else if (state.name.includes(STATE_NAME_DELIM) && times.windowMs !== undefined) {
        // the loop window applies between repetitions, i.e. to every state of the loop but the first
        this.windowTimes.set(state.name, times.windowMs);
      }
    }
    return state;
  }

  private createNamedState(name: string, type: StateType): State<E> {
    const state = new State<E>(this.names.unique(name), type, originalName(name));
    this.states.push(state);
    return state;
  }

  private createStopState(notCondition: ConditionNode<E>, name: string): State<E> {
    let stop = this.stopStates.get(name);
    if (stop === undefined) {
      stop = this.createNamedState(name, 'Stop');
      stop.addSelfTake(notCondition);
      this.stopStates.set(name, stop);
    }
    return stop;
  }

  /**
   * Once an optional step takes an event, NOT steps before it no longer apply: copy the sink
   * without the PROCEED edges into their stop states (e.g. a, !b, c?, d accepts "a c b d", not "a b d").
   */
  private copyWithoutTransitiveNots(sinkState: State<E>): State<E> {
    const nots = this.currentNotConditions();
    if (nots.length === 0 || !isOptional(this.current)) return sinkState;
    const copy = this.createNamedState(sinkState.name, sinkState.type);
    for (const t of sinkState.transitions) {
      if (t.action === 'PROCEED') {
        let target = t.target;
        let remove = false;
        if (target.isStop) {
          for (const n of nots) if (target.name === n.name) remove = true;
        } else {
          target = this.copyWithoutTransitiveNots(t.target);
        }
        if (!remove) copy.addTransition('PROCEED', target, t.condition);
      } else {
        copy.addTransition(t.action, t.target === t.source ? copy : t.target, t.condition);
      }
    }
    return copy;
  }

  private copy(state: State<E>): State<E> {
    const copy = this.createNamedState(originalName(state.name), state.type);
    for (const t of state.transitions) copy.addTransition(t.action, t.target === t.source ? copy : t.target, t.condition);
    return copy;
  }

  private addStopStates(state: State<E>): void {
    for (const n of this.currentNotConditions()) state.addProceed(this.createStopState(n.condition, n.name), n.condition);
  }

  private addStopStateToLooping(state: State<E>): void {
    const f = this.following;
    if (f !== undefined && f.quantifier.consumingStrategy === 'NOT_FOLLOW') {
      const notCondition = this.takeCondition(f);
      state.addProceed(this.createStopState(notCondition, f.name), notCondition);
    }
  }

  /** A chain of states for `times(from, to)`: optional states beyond `from`, mandatory ones before. */
  private createTimesState(sinkState: State<E>, proceedState: State<E>, times: Times): State<E> {
    let lastSink = sinkState;
    this.setGroupFirstOfLoop(false);
    const until = this.current.untilCondition;
    const innerIgnore = extendWithUntil(this.innerIgnoreCondition(this.current), until, false);
    const take = extendWithUntil(this.takeCondition(this.current), until, true)!;
    if (this.current.quantifier.has('GREEDY') && times.from !== times.to) {
      if (until !== undefined) this.originalStates.set(sinkState.name, this.copy(sinkState));
      updateWithGreedyCondition(sinkState, take);
    }
    for (let i = times.from; i < times.to; i++) {
      lastSink = this.createSingletonState(lastSink, proceedState, take, innerIgnore, true);
      this.addStopStateToLooping(lastSink);
    }
    for (let i = 0; i < times.from - 1; i++) {
      lastSink = this.createSingletonState(lastSink, null, take, innerIgnore, false);
      this.addStopStateToLooping(lastSink);
    }
    this.setGroupFirstOfLoop(true);
    return this.createSingletonState(lastSink, proceedState, take, this.ignoreCondition(this.current), isOptional(this.current));
  }

  private setGroupFirstOfLoop(first: boolean): void {
    if (this.current instanceof GroupPattern) this.firstOfLoop.set(this.current, first);
  }

  private isGroupFirstOfLoop(): boolean {
    return this.currentGroup === undefined ? true : (this.firstOfLoop.get(this.currentGroup) ?? true);
  }

  private headOfGroup(p: Pattern<E>): boolean {
    return this.currentGroup !== undefined && p.previous === undefined;
  }

  private isHeadOfOptionalGroup(p: Pattern<E>): boolean {
    return this.headOfGroup(p) && this.isGroupFirstOfLoop() && this.currentGroup!.quantifier.has('OPTIONAL');
  }

  /** One step that takes one event; optional steps also PROCEED to `proceedState` without taking. */
  private createSingletonState(sinkState: State<E>, proceedState: State<E> | null, take: ConditionNode<E>, ignore: ConditionNode<E> | null, optional: boolean): State<E> {
    if (this.current instanceof GroupPattern) return this.createGroupPatternState(this.current, sinkState, proceedState!, optional);
    const singleton = this.createState('Normal', true);
    // once this step takes an event, earlier NOT conditions no longer apply
    const sink = this.copyWithoutTransitiveNots(sinkState);
    singleton.addTake(sink, take);
    const proceed = this.trueCondition();
    if (optional) {
      if (this.current.quantifier.has('GREEDY')) {
        const until = this.current.untilCondition;
        // Flink reads the copy kept before the greedy change by the proceed state's name, and finds
        // none when the loop's sink was copied under another name (a notFollowedBy before the loop):
        // its edge then has no target and Flink fails at run time. The proceed state itself was
        // not changed then, so it is the original.
        if (until !== undefined) singleton.addProceed(this.originalStates.get(proceedState!.name) ?? proceedState!, and(proceed, until));
        singleton.addProceed(proceedState!, until !== undefined ? and(proceed, not(until)) : proceed);
      } else {
        singleton.addProceed(proceedState!, proceed);
      }
    }
    if (ignore !== null) {
      let ignoreState: State<E>;
      if (optional || this.isHeadOfOptionalGroup(this.current)) {
        ignoreState = this.createState('Normal', false);
        ignoreState.addTake(sink, take);
        ignoreState.addSelfIgnore(ignore);
        this.addStopStates(ignoreState);
      } else {
        ignoreState = singleton;
      }
      singleton.addIgnore(ignoreState, ignore);
    }
    return singleton;
  }

  private withGroup<T>(group: GroupPattern<E>, build: () => T): T {
    const saved = [this.current, this.following, this.currentGroup] as const;
    this.currentGroup = group;
    this.current = group.rawPattern;
    try {
      return build();
    } finally {
      [this.current, this.following, this.currentGroup] = saved;
    }
  }

  private createGroupPatternState(group: GroupPattern<E>, sinkState: State<E>, proceedState: State<E>, optional: boolean): State<E> {
    const proceed = this.trueCondition();
    return this.withGroup(group, () => {
      const first = this.convertPattern(this.createMiddleStates(sinkState));
      if (optional) first.addProceed(proceedState, proceed);
      return first;
    });
  }

  private createLoopingGroupPatternState(group: GroupPattern<E>, sinkState: State<E>): State<E> {
    const proceed = this.trueCondition();
    const dummy = this.createState('Normal', true);
    return this.withGroup(group, () => {
      const first = this.convertPattern(this.createMiddleStates(dummy));
      first.addProceed(sinkState, proceed);
      dummy.addProceed(first, proceed);
      return first;
    });
  }

  /** A state that TAKEs repeatedly and PROCEEDs to `sinkState`. */
  private createLooping(sinkState: State<E>): State<E> {
    if (this.current instanceof GroupPattern) return this.createLoopingGroupPatternState(this.current, sinkState);
    const until = this.current.untilCondition;
    const ignore = extendWithUntil(this.innerIgnoreCondition(this.current), until, false);
    const take = extendWithUntil(this.takeCondition(this.current), until, true)!;
    const proceed = this.trueCondition();
    const looping = this.createState('Normal', true);
    if (this.current.quantifier.has('GREEDY')) {
      if (until !== undefined) {
        const copy = this.copy(sinkState);
        looping.addProceed(copy, and(proceed, until));
        this.originalStates.set(sinkState.name, copy);
      }
      looping.addProceed(sinkState, until !== undefined ? and(proceed, not(until)) : proceed);
      updateWithGreedyCondition(sinkState, this.takeCondition(this.current));
    } else {
      looping.addProceed(sinkState, proceed);
    }
    looping.addSelfTake(take);
    this.addStopStateToLooping(looping);
    if (ignore !== null) {
      const ignoreState = this.createState('Normal', false);
      ignoreState.addTake(looping, take);
      ignoreState.addSelfIgnore(ignore);
      looping.addIgnore(ignoreState, ignore);
      this.addStopStateToLooping(ignoreState);
    }
    return looping;
  }

  private groupUntil(): ConditionNode<E> | undefined {
    return this.currentGroup?.untilCondition;
  }

  private innerIgnoreCondition(p: Pattern<E>): ConditionNode<E> | null {
    const strategy = this.headOfGroup(p) ? this.currentGroup!.quantifier.innerConsumingStrategy : p.quantifier.innerConsumingStrategy;
    return extendWithUntil(ignoreFor(strategy, p), this.groupUntil(), false);
  }

  private ignoreCondition(p: Pattern<E>): ConditionNode<E> | null {
    let strategy = p.quantifier.consumingStrategy;
    if (this.headOfGroup(p)) {
      const gq = this.currentGroup!.quantifier;
      strategy = this.isGroupFirstOfLoop() ? gq.consumingStrategy : gq.innerConsumingStrategy;
    }
    return extendWithUntil(ignoreFor(strategy, p), this.groupUntil(), false);
  }

  private takeCondition(p: Pattern<E>): ConditionNode<E> {
    return extendWithUntil(p.condition, this.groupUntil(), true)!;
  }

  private trueCondition(): ConditionNode<E> {
    return extendWithUntil(TRUE, this.groupUntil(), true)!;
  }
}

function isOptional<E>(p: Pattern<E>): boolean {
  return p.quantifier.has('OPTIONAL');
}

function ignoreFor<E>(strategy: string, p: Pattern<E>): ConditionNode<E> | null {
  switch (strategy) {
    case 'SKIP_TILL_NEXT':
      return not(p.condition);
    case 'SKIP_TILL_ANY':
      return TRUE;
    default:
      return null;
  }
}

function extendWithUntil<E>(condition: ConditionNode<E> | null, until: ConditionNode<E> | undefined, isTake: boolean): ConditionNode<E> | null {
  if (until !== undefined && condition !== null) return and(not(until), condition);
  if (until !== undefined && isTake) return not(until);
  return condition;
}

/** A greedy loop keeps taking: the following state may only act on events the loop does not take. */
function updateWithGreedyCondition<E>(state: State<E>, take: ConditionNode<E>): void {
  for (const t of state.transitions) t.condition = and(t.condition ?? TRUE, not(take));
}
