import { compileRules, RuleError } from '../src/index.ts';

/** The RuleError that compiling `text` (as test.cep) throws; fails the test when it compiles. */
export function errorOf(text: string): RuleError {
  try {
    compileRules(text, 'test.cep');
  } catch (e) {
    if (e instanceof RuleError) return e;
    throw e;
  }
  throw new Error('expected a RuleError');
}
