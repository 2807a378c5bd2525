export { parseRules } from './parser.js';
export {
  compileAsts,
  ruleError,
  repeatAsPattern,
  type CompileOptions,
  type RuleOrigin,
  type ConditionCheck,
  type CompiledRule,
  type PartitionKey,
  type RepeatSpec,
  type Match,
} from './compile.js';
export { compileRules } from './rules.js';
export { rulesToJson, rulesFromJson, loadRulesJson, RuleJsonError, type RuleJson, type RulesDocument } from './json.js';
export { RuleError, RuleErrors, SourceText, type Span } from './errors.js';
export { normalizeEvent, parseTime, EventError, type StandardEvent } from './standard-event.js';
export { TimeReader, TimeZone } from './time.js';
export { eventLineDecoder, isBlankLine, STANDARD_FIELDS, type EventFields, type EventLineDecoder } from './event-line.js';
export { RuleEngine, dependencyOrder, type RuleEngineOptions, type EngineStats } from './engine.js';
export type { EngineSnapshot, EngineChanges, RuleSnapshot } from './engine-snapshot.js';
export type * from './ast.js';
