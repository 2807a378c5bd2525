// Patterns and their conditions
export { Pattern, GroupPattern, type WithinType } from './pattern/pattern.js';
export { anyOf, Alternatives } from './pattern/alternatives.js';
export {
  field,
  simple,
  iterative,
  and,
  or,
  not,
  conditionTest,
  describeCondition,
  type Condition,
  type ConditionContext,
  type ConditionNode,
  type ConditionInput,
  type Comparison,
  type FieldEquals,
  type FieldName,
  type FieldValue,
} from './pattern/conditions.js';
export { MalformedPatternError, CepRuntimeError } from './pattern/errors.js';
export { Quantifier, Times, type ConsumingStrategy } from './pattern/quantifier.js';
export { AfterMatchSkipStrategy } from './nfa/after-match/skip-strategy.js';
// Compiling (the runtimes themselves are on @cepheus/core/internal, Flink's shared-buffer NFA on @cepheus/core/reference)
export { compilePattern, type CompiledNFA } from './nfa/compiler/nfa-compiler.js';
export { compile } from './nfa/compile.js';
export type { Matcher, KeyState, Match, TimedOutMatch } from './nfa/matcher.js';
// The operator, time and state
export { CepOperator, type CepOperatorOptions, type MatchOutput, type TimeoutOutput, type OperatorStats, type TimeMode } from './operator/cep-operator.js';
export type { OperatorSnapshot, OperatorChanges, KeyEntry } from './operator/operator-snapshot.js';
export { BoundedOutOfOrderness } from './time/watermarks.js';
export { EventTimeBuffer } from './time/event-time-buffer.js';
