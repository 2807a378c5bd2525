export { parseRules } from './parser.js';
export { compileAsts, repeatAsPattern, type CompiledRule, type PartitionKey, type RepeatSpec, type Match } from './compile.js';
export { compileRules } from './rules.js';
export { rulesToJson, rulesFromJson, loadRulesJson, RuleJsonError, type RuleJson, type RulesDocument } from './json.js';
export { RuleError, SourceText, type Span } from './errors.js';
export { normalizeEvent, parseTime, EventError, type StandardEvent } from './standard-event.js';
export { eventLineDecoder, isBlankLine, STANDARD_FIELDS, type EventFields, type EventLineDecoder } from './event-line.js';
export { RuleEngine, dependencyOrder, type RuleEngineOptions, type EngineStats } from './engine.js';
export type * from './ast.js';
