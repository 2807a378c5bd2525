/**
 * What a browser needs to run rules served as data: the JSON loader and the engine, without the
 * rule-language parser (`import { loadRulesJson, RuleEngine } from '@cepheus/rules/runtime'`).
 */
export { loadRulesJson, rulesFromJson, RuleJsonError, type RuleJson, type RulesDocument } from './json.js';
export { RuleEngine, type RuleEngineOptions, type EngineStats } from './engine.js';
export { normalizeEvent, EventError, type StandardEvent } from './standard-event.js';
export type { CompiledRule } from './compile.js';
