// Pattern API
export { Pattern, GroupPattern, type WithinType } from './pattern/pattern.js';
export { field, simple, iterative, and, or, not, conditionTest, describeCondition, type Condition, type ConditionContext, type ConditionNode, type ConditionInput, type Comparison, type FieldEquals, type FieldValue } from './pattern/conditions.js';
export { MalformedPatternError, CepRuntimeError } from './pattern/errors.js';
export { Quantifier, Times, type ConsumingStrategy } from './pattern/quantifier.js';
export { AfterMatchSkipStrategy } from './nfa/after-match/skip-strategy.js';
// Compiler and the NFA runtimes compile picks (Flink's own design, the shared-buffer NFA, is in ./reference.ts)
export { compilePattern, type CompiledNFA } from './nfa/compiler/nfa-compiler.js';
export { compile } from './nfa/compile.js';
export { ChainNFA } from './nfa/chain/chain-nfa.js';
export { ChainState } from './nfa/chain/chain-state.js';
export { PathNFA } from './nfa/path/path-nfa.js';
export { PathState, type PathNode, type PathRun } from './nfa/path/path-state.js';
export { chainShape, type ChainShape } from './nfa/chain/chain-shape.js';
export { type Matcher, type KeyState, type Match, type TimedOutMatch } from './nfa/matcher.js';
export { State, type StateType, type Transition } from './nfa/state.js';
// Operator, time and state
export { CepOperator, type CepOperatorOptions, type MatchOutput, type TimeoutOutput, type OperatorStats, type OperatorSnapshot, type TimeMode } from './operator/cep-operator.js';
export { BoundedOutOfOrderness } from './time/watermarks.js';
export { EventTimeBuffer } from './time/event-time-buffer.js';
export { type NFAStateSnapshot } from './state/snapshot.js';
export { type ChainStateSnapshot } from './nfa/chain/chain-snapshot.js';
export { type PathStateSnapshot } from './nfa/path/path-snapshot.js';
