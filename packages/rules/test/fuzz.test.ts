import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRules, RuleError } from '../src/index.ts';

const examples = fileURLToPath(new URL('../../../examples', import.meta.url));
const seeds = readdirSync(examples, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => readFileSync(join(examples, d.name, 'rules.cep'), 'utf8'));

const VOCABULARY = [
  'RULENAME',
  'EVENT',
  'WHERE',
  'REPEAT',
  'SAME',
  'HAVING',
  'WITHIN',
  'RETURN',
  'AFTER MATCH SKIP',
  'PARTITION BY',
  'AND',
  'OR',
  'NOT',
  'IN',
  'LIKE',
  'IS NULL',
  '->',
  '->>',
  ',',
  '!',
  '+',
  '*',
  '?',
  '{2}',
  '{1,}',
  '{2,3}',
  '(',
  ')',
  '[',
  ']',
  '.',
  ':',
  '|',
  '=',
  '!=',
  '<',
  '>=',
  "'x'",
  '"y"',
  '12',
  '3.5',
  'e1',
  'e2',
  'v',
  'SUM(',
  'COUNT(',
  'DISTINCT(',
  'MINUTE',
  'HOURS',
  '--',
  '\n',
  ' ',
  '..',
];

/** Only RuleError may escape, and compiling must be quick (the parser never loops). */
function compilesOrRuleError(text: string): void {
  const started = performance.now();
  try {
    compileRules(text, 'fuzz.cep');
  } catch (e) {
    if (!(e instanceof RuleError)) throw new Error(`non-RuleError for ${JSON.stringify(text)}: ${(e as Error)?.stack ?? e}`);
    expect(e.format()).toContain('fuzz.cep:');
  }
  expect(performance.now() - started).toBeLessThan(1000);
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...VOCABULARY) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), text: fc.string({ maxLength: 3 }) }),
);

describe('fuzzing the rule compiler', () => {
  it('random text raises only RuleError', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), compilesOrRuleError), { numRuns: 500 });
  });

  it('random token soup raises only RuleError', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...VOCABULARY), { maxLength: 60 }), (tokens) => compilesOrRuleError(tokens.join(' '))),
      { numRuns: 1000 },
    );
  });

  it('mutated example rules raise only RuleError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 5 }), (seed, edits) => {
        let text = seed;
        for (const m of edits) {
          const at = m.at % (text.length + 1);
          if (m.kind === 'delete') text = text.slice(0, at) + text.slice(at + m.len);
          else if (m.kind === 'insert') text = text.slice(0, at) + ' ' + m.text + ' ' + text.slice(at);
          else text = text.slice(0, at) + m.text + text.slice(at + m.text.length);
        }
        compilesOrRuleError(text);
      }),
      { numRuns: 2000 },
    );
  });
});
