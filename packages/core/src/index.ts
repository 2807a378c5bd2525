export { Pattern, GroupPattern, type WithinType } from './pattern/pattern.js';
export { type Condition, type ConditionContext } from './pattern/conditions.js';
export { MalformedPatternError, CepRuntimeError } from './pattern/errors.js';
export { Quantifier, Times, type ConsumingStrategy } from './pattern/quantifier.js';
export { AfterMatchSkipStrategy } from './nfa/after-match/skip-strategy.js';
export { compilePattern, type CompiledNFA } from './nfa/compiler/nfa-compiler.js';
export { NFA, NFAState, type Match, type TimedOutMatch } from './nfa/nfa.js';
export { State, type StateType, type Transition } from './nfa/state.js';

import type { Pattern } from './pattern/pattern.js';
import { compilePattern } from './nfa/compiler/nfa-compiler.js';
import { NFA } from './nfa/nfa.js';

/** Compiles a pattern into a runnable NFA (throws MalformedPatternError for invalid patterns). */
export function compile<E>(pattern: Pattern<E>): NFA<E> {
  return new NFA(compilePattern(pattern));
}
