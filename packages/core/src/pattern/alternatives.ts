import { MalformedPatternError } from './errors.js';
import { Pattern } from './pattern.js';

/**
 * Several patterns matched as one: a match of any of them is a match, and they share one skip
 * strategy and one set of runs, so that a match of one prunes the others' runs as it prunes its
 * own (as MATCH_RECOGNIZE's alternation and PERMUTE do; Flink's Pattern API has no alternation).
 * Their variables may differ; the window and the skip strategy must be the same.
 */
export class Alternatives<E> {
  constructor(readonly patterns: readonly Pattern<E>[]) {}
}

/** The patterns as alternatives of one pattern (see Alternatives). */
export function anyOf<E>(...patterns: Pattern<E>[]): Alternatives<E> {
  if (patterns.length === 0) throw new MalformedPatternError('anyOf: give at least one pattern');
  for (const p of patterns) if (!(p instanceof Pattern)) throw new MalformedPatternError('anyOf: each alternative must be a Pattern');
  return new Alternatives(patterns);
}
