import type { Alternatives } from '../pattern/alternatives.js';
import type { Pattern } from '../pattern/pattern.js';
import { ChainNFA } from './chain/chain-nfa.js';
import { chainShape } from './chain/chain-shape.js';
import { compilePattern } from './compiler/nfa-compiler.js';
import type { Matcher } from './matcher.js';
import { PathNFA } from './path/path-nfa.js';

/**
 * Compiles a pattern into its runtime (throws MalformedPatternError for invalid patterns): a
 * ChainNFA when the NFA is a straight chain, a PathNFA otherwise. Both give Flink's results, as
 * `NFA` (Flink's own design, with its shared buffer) does; tests hold them to it.
 */
export function compile<E>(pattern: Pattern<E> | Alternatives<E>): Matcher<E> {
  const compiled = compilePattern(pattern);
  const chain = chainShape(compiled);
  return chain !== undefined ? new ChainNFA(compiled, chain) : new PathNFA(compiled);
}
