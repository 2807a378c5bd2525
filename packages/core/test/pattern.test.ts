import { describe, expect, it } from 'vitest';
import { AfterMatchSkipStrategy, compile, MalformedPatternError, Pattern } from '../src/index.ts';

const build = (f: () => unknown) => () => {
  const p = f();
  if (p instanceof Pattern) compile(p);
};

describe('malformed patterns fail at build or compile time', () => {
  it.each([
    ['duplicate names', () => Pattern.begin('a').next('a'), /Duplicate pattern name: a/],
    ['two quantifiers', () => Pattern.begin('a').oneOrMore().times(2), /Already applied quantifier/],
    ['until on a single step', () => Pattern.begin('a').until(() => true), /only applicable to looping/],
    ['optional before a NOT', () => Pattern.begin('a').optional().notNext('b'), /optional path to NOT/],
    ['quantified NOT', () => Pattern.begin('a').notNext('b').oneOrMore(), /not applicable to NOT pattern/],
    ['greedy singleton', () => Pattern.begin('a').greedy(), /singleton/],
    ['consecutive and combinations', () => Pattern.begin('a').oneOrMore().consecutive().allowCombinations(), /either combinations or consecutive/],
    ['notFollowedBy at the end without window', () => Pattern.begin('a').notFollowedBy('b'), /NotFollowedBy is not supported without windowTime/],
    ['skip to an unknown name', () => Pattern.begin('a', AfterMatchSkipStrategy.skipToFirst('zz')).next('b'), /can not be found/],
    ['times(0)', () => Pattern.begin('a').times(0), /positive number/],
    ['inverted range', () => Pattern.begin('a').times(3, 2), /greater than or equal to from/],
    ['loop window longer than the pattern window', () => Pattern.begin('a').next('b').times(2, 2, 50).within(10), /cannot be larger/],
    ['where on a group', () => Pattern.begin(Pattern.begin('a')).where(() => true), /GroupPattern does not support where/],
    ['negative window', () => Pattern.begin('a').within(-1), /duration/],
  ])('%s', (_name, f, message) => {
    expect(build(f)).toThrow(MalformedPatternError);
    expect(build(f)).toThrow(message);
  });

  it('accepts a valid pattern with every construct', () => {
    const p = Pattern.begin<{ v: number }>('a', AfterMatchSkipStrategy.skipPastLastEvent())
      .where((e) => e.v > 0)
      .or((e) => e.v < -5)
      .next('b')
      .oneOrMore(5)
      .consecutive()
      .until((e) => e.v === 9)
      .followedByAny(Pattern.begin<{ v: number }>('g1').next('g2').optional())
      .notFollowedBy('n')
      .followedBy('c')
      .times(1, 3)
      .greedy()
      .within(100, 'FIRST_AND_LAST');
    expect(() => compile(p)).not.toThrow();
    expect(compile(p).compiled.patternNames).toEqual(['a', 'b', 'g1', 'g2', 'n', 'c']);
  });
});
