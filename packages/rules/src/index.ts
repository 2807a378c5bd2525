export { parseRules } from './parser.js';
export { compileRules, repeatAsPattern, type CompiledRule, type RepeatSpec, type Match } from './compile.js';
export { RuleError, SourceText, type Span } from './errors.js';
export { normalizeEvent, parseTime, EventError, type StandardEvent } from './standard-event.js';
export { RuleEngine, dependencyOrder, type RuleEngineOptions, type EngineStats } from './engine.js';
export type * from './ast.js';
