import { compileAsts, type CompiledRule } from './compile.js';
import { SourceText } from './errors.js';
import { parseRules } from './parser.js';

/** Parses and compiles rule text. Throws RuleError (line, column, caret, hint) on any problem. */
export function compileRules(text: string, file?: string): CompiledRule[] {
  return compileAsts(parseRules(text, file), new SourceText(text, file));
}
