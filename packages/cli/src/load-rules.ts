import { readFileSync } from 'node:fs';
import { compileRules, dependencyOrder, loadRulesJson, RuleError, ruleError, type CompiledRule, type CompileOptions } from '@cepheus/rules';
import { UsageError } from './options.js';

/** Reads and compiles rule files; prints every error and returns undefined if there was one. */
export function loadRules(files: string[], options: CompileOptions = {}): CompiledRule[] | undefined {
  if (files.length === 0) throw new UsageError('give at least one rule file');
  let failed = false;
  const texts: { file: string; text: string }[] = [];
  for (const file of files) {
    try {
      texts.push({ file, text: readFileSync(file, 'utf8') });
    } catch (e) {
      process.stderr.write(`error: cannot read rule file ${file}: ${fileProblem(e as NodeJS.ErrnoException)}\n  --> ${file}\n\n`);
      failed = true;
    }
  }
  const rules = compileRuleTexts(texts, options);
  return failed ? undefined : rules;
}

/** Compiles rule texts (by the name of their file: *.json is the JSON form); prints every error and returns undefined if there was one. */
export function compileRuleTexts(texts: readonly { file: string; text: string }[], options: CompileOptions = {}): CompiledRule[] | undefined {
  const rules: CompiledRule[] = [];
  let failed = false;
  const report = (e: RuleError) => {
    process.stderr.write(`${e.format()}\n\n`);
    failed = true;
  };
  for (const { file, text } of texts) {
    try {
      rules.push(...(file.endsWith('.json') ? loadRulesJson(text, file, options) : compileRules(text, file, options)));
    } catch (e) {
      if (e instanceof RuleError) report(e);
      else if (e instanceof SyntaxError || (e as Error).name === 'RuleJsonError') {
        process.stderr.write(`error: ${(e as Error).message}\n  --> ${file}\n\n`);
        failed = true;
      } else throw e;
    }
  }
  const byName = new Map<string, CompiledRule>();
  for (const r of rules) {
    const first = byName.get(r.name);
    if (first !== undefined) {
      const { line, column } = first.origin.src.span(first.origin.at);
      report(
        ruleError(
          r,
          `two rules are named "${r.name}"`,
          `the first is at ${first.origin.src.file}:${line}:${column}; rule names must be unique across files (they become the output event_code)`,
        ),
      );
    } else byName.set(r.name, r);
  }
  if (failed) return undefined;
  try {
    dependencyOrder(rules); // rule chains must not form a cycle
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    report(e);
    return undefined;
  }
  return rules;
}

/** Why a file could not be read, in words. */
export function fileProblem(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return e.message;
  }
}

/** The error of an event that lacks the rule's partition key. */
export function unkeyedMessage(rule: CompiledRule): string {
  return `lacks the partition key ${rule.keyDescription}: skipped by this rule`;
}
