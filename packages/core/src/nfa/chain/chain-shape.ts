import { TRUE, type ConditionNode } from '../../pattern/conditions.js';
import type { CompiledNFA } from '../compiler/nfa-compiler.js';
import type { State } from '../state.js';

/**
 * A compiled NFA that is a straight chain: start -> s1 -> ... -> final, each state with one TAKE
 * to the next, at most a self-IGNORE whose condition is the TAKE's negation, and PROCEED edges into
 * stop states (a notFollowedBy before the state). Such an NFA never branches: an event either
 * advances a run, leaves it where it is (relaxed contiguity), or ends it (strict contiguity, or a
 * stop condition, which ends it even as it takes the event, unless that completes the match).
 * Sequences of single events and `times(n)`, joined by `next`/`followedBy`, with notFollowedBy
 * between them, compile to this shape.
 */
export interface ChainShape<E> {
  /** TAKE condition of stage i (the state that waits for the run's (i+1)-th event). */
  readonly takes: readonly ConditionNode<E>[];
  /** Stage i skips events its condition rejects (followedBy); otherwise such an event ends the run (next). */
  readonly relaxed: readonly boolean[];
  /** Pattern name of stage i (the name its event is reported under). */
  readonly names: readonly string[];
  /** Stop conditions of stage i (notFollowedBy): an event that meets one ends the stage's runs. */
  readonly stops: readonly (readonly ConditionNode<E>[])[];
}

/** The chain the compiled NFA is, or undefined when it is any other shape. */
export function chainShape<E>(nfa: CompiledNFA<E>): ChainShape<E> | undefined {
  const takes: ConditionNode<E>[] = [];
  const relaxed: boolean[] = [];
  const names: string[] = [];
  const stops: ConditionNode<E>[][] = [];
  const seen = new Set<State<E>>();
  const stopStates = new Set<State<E>>();
  let state = nfa.startState;
  while (!state.isFinal) {
    if (seen.has(state) || state.windowMs !== undefined) return undefined;
    if (seen.size === 0 ? !state.isStart : state.type !== 'Normal') return undefined;
    seen.add(state);
    let take: ConditionNode<E> | undefined;
    let next: State<E> | undefined;
    let ignore: ConditionNode<E> | null | undefined;
    const stageStops: ConditionNode<E>[] = [];
    for (const t of state.transitions) {
      if (t.action === 'TAKE' && next === undefined && t.target !== state) {
        take = t.condition ?? TRUE;
        next = t.target;
      } else if (t.action === 'IGNORE' && ignore === undefined && t.target === state) ignore = t.condition;
      else if (t.action === 'PROCEED' && !state.isStart && t.condition !== null && isStopState(t.target, t.condition)) {
        stageStops.push(t.condition);
        stopStates.add(t.target);
      } else return undefined;
    }
    if (next === undefined) return undefined;
    // Flink never follows a start state's IGNORE; elsewhere it must exclude the TAKE exactly
    const isRelaxed = !state.isStart && ignore !== undefined;
    if (isRelaxed && (ignore === null || ignore!.kind !== 'not' || ignore!.operand !== take)) return undefined;
    takes.push(take!);
    relaxed.push(isRelaxed);
    names.push(state.patternName);
    stops.push(stageStops);
    state = next;
  }
  if (seen.size + stopStates.size + 1 !== nfa.states.length || state.transitions.length > 0) return undefined;
  return { takes, relaxed, names, stops };
}

/** A stop state entered under `condition`: it only takes events that meet that same condition. */
function isStopState<E>(state: State<E>, condition: ConditionNode<E>): boolean {
  const t = state.transitions;
  return state.isStop && t.length === 1 && t[0].action === 'TAKE' && t[0].target === state && t[0].condition === condition;
}
