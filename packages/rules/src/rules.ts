import { compileEach, type CompiledRule, type CompileOptions } from './compile.js';
import { allErrors, SourceText, type RuleError } from './errors.js';
import { TimeZone } from './time.js';
import { parseRuleText } from './parser.js';

/**
 * Parses and compiles rule text. A file may start with `TIME ZONE 'Asia/Shanghai'`: the zone of its
 * rules' HOUR_OF_DAY and DAY_OF_WEEK, and of input times without an offset (see CompiledRule.timeZone),
 * unless options.timeZone (the command line's) is given. Throws RuleError (line, column, caret, hint) on any problem;
 * RuleErrors, which lists them all, when there are several (each rule's first error).
 */
export function compileRules(text: string, file?: string, options: CompileOptions = {}): CompiledRule[] {
  const src = new SourceText(text, file);
  const parsed = parseRuleText(src);
  const zoneErrors: RuleError[] = [];
  let timeZone = options.timeZone;
  if (parsed.timeZone !== undefined) {
    try {
      const declared = TimeZone.parse(parsed.timeZone.name);
      timeZone ??= declared; // the command line's zone wins
    } catch (e) {
      zoneErrors.push(src.error((e as Error).message, parsed.timeZone.at, parsed.timeZone.len, "TIME ZONE 'Asia/Shanghai' or TIME ZONE '+08:00'"));
    }
  }
  const { compiled, errors } = compileEach(parsed.rules, src, timeZone ? { ...options, timeZone } : options);
  const all = [...zoneErrors, ...parsed.errors, ...errors].sort((a, b) => a.span.offset - b.span.offset);
  if (all.length > 0) throw allErrors(all);
  return compiled;
}
