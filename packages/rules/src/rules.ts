import { compileEach, type CompiledRule, type CompileOptions } from './compile.js';
import { allErrors, SourceText } from './errors.js';
import { parseRuleText } from './parser.js';

/**
 * Parses and compiles rule text. Throws RuleError (line, column, caret, hint) on any problem;
 * RuleErrors, which lists them all, when there are several (each rule's first error).
 */
export function compileRules(text: string, file?: string, options: CompileOptions = {}): CompiledRule[] {
  const src = new SourceText(text, file);
  const parsed = parseRuleText(src);
  const { compiled, errors } = compileEach(parsed.rules, src, options);
  const all = [...parsed.errors, ...errors].sort((a, b) => a.span.offset - b.span.offset);
  if (all.length > 0) throw allErrors(all);
  return compiled;
}
