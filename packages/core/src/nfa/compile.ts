import type { Pattern } from '../pattern/pattern.js';
import { compilePattern } from './compiler/nfa-compiler.js';
import { NFA } from './nfa.js';

/** Compiles a pattern into a runnable NFA (throws MalformedPatternError for invalid patterns). */
export function compile<E>(pattern: Pattern<E>): NFA<E> {
  return new NFA(compilePattern(pattern));
}
