import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AfterMatchSkipStrategy, anyOf, compile, compilePattern, field, MalformedPatternError, Pattern, type Match, type Matcher } from '../src/index.ts';
import { NFA } from '../src/reference/index.ts';

type Ev = { c: string; i: number };
const seq = (names: string[], skip: AfterMatchSkipStrategy, link: 'followedBy' | 'next' | 'followedByAny' = 'followedBy') => {
  let p = Pattern.begin<Ev>(names[0], skip).where(field('c').eq(names[0].toUpperCase()));
  for (const n of names.slice(1)) p = p[link](n).where(field('c').eq(n.toUpperCase()));
  return p.within(10);
};
const permute = (names: string[], skip: AfterMatchSkipStrategy, link?: 'followedBy' | 'next' | 'followedByAny') => {
  const orders = (xs: string[]): string[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => orders([...xs.slice(0, i), ...xs.slice(i + 1)]).map((o) => [x, ...o])));
  return anyOf(...orders(names).map((o) => seq(o, skip, link)));
};
const render = (m: Match<Ev>) => [...m].map(([k, evs]) => `${k}=${evs.map((e) => e.i).join('.')}`).join(' ');

function run(nfa: Matcher<Ev>, codes: string): string[] {
  const s = nfa.createState();
  const out: Match<Ev>[] = [];
  [...codes].forEach((c, i) => {
    nfa.advanceTime(s, i, out);
    nfa.evaluate({ c, i }, i);
    nfa.process(s, out);
  });
  nfa.advanceTime(s, Number.MAX_VALUE, out);
  return out.map(render);
}

describe('alternatives (anyOf)', () => {
  it('match any order, and a match prunes the other orders’ runs under the skip strategy', () => {
    const p = permute(['a', 'b'], AfterMatchSkipStrategy.skipPastLastEvent());
    expect(run(compile(p), 'ABAB')).toEqual(['a=0 b=1', 'a=2 b=3']);
    expect(run(compile(p), 'BA')).toEqual(['b=0 a=1']);
    const all = permute(['a', 'b'], AfterMatchSkipStrategy.noSkip());
    expect(run(compile(all), 'ABAB')).toEqual(['a=0 b=1', 'b=1 a=2', 'a=2 b=3']);
  });

  it('give the reference NFA’s results on the runtime compile picks', () => {
    const skips = [AfterMatchSkipStrategy.noSkip(), AfterMatchSkipStrategy.skipPastLastEvent(), AfterMatchSkipStrategy.skipToNext(), AfterMatchSkipStrategy.skipToFirst('b')];
    fc.assert(
      fc.property(
        fc.constantFrom(...skips),
        fc.constantFrom('followedBy' as const, 'next' as const, 'followedByAny' as const),
        fc.stringMatching(/^[ABCX]{0,14}$/),
        (skip, link, codes) => {
          const p = permute(['a', 'b', 'c'], skip, link);
          expect(run(compile(p), codes)).toEqual(run(new NFA(compilePattern(p)), codes));
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 200) },
    );
  });

  it('must share the window and the skip strategy', () => {
    expect(() => compile(anyOf(seq(['a', 'b'], AfterMatchSkipStrategy.noSkip()), seq(['b', 'a'], AfterMatchSkipStrategy.skipPastLastEvent())))).toThrow(MalformedPatternError);
    expect(() => compile(anyOf(seq(['a', 'b'], AfterMatchSkipStrategy.noSkip()), seq(['b', 'a'], AfterMatchSkipStrategy.noSkip()).within(5)))).toThrow(/same window/);
  });
});
