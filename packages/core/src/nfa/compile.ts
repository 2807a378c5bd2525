import type { Pattern } from '../pattern/pattern.js';
import { ChainNFA } from './chain/chain-nfa.js';
import { chainShape } from './chain/chain-shape.js';
import { compilePattern } from './compiler/nfa-compiler.js';
import type { Matcher } from './matcher.js';
import { NFA } from './nfa.js';

/**
 * Compiles a pattern into its runtime (throws MalformedPatternError for invalid patterns): a
 * ChainNFA when the NFA is a straight chain, the general NFA otherwise. Both give Flink's results.
 */
export function compile<E>(pattern: Pattern<E>): Matcher<E> {
  const compiled = compilePattern(pattern);
  const chain = chainShape(compiled);
  return chain !== undefined ? new ChainNFA(compiled, chain) : new NFA(compiled);
}
