import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CepOperator, compile, compilePattern, Pattern, type Matcher } from '../src/index.ts';
import { ChainNFA } from '../src/internal.ts';
import { NFA } from '../src/reference/index.ts';
import { buildPattern, chainSpec, feedAll, inputs, onGeneralNfa, operator, patternSpec, trace, type Ev } from './arbitraries.ts';

describe('chain runtime', () => {
  it('is picked for chain-shaped patterns and gives exactly what the general NFA gives', () => {
    fc.assert(
      fc.property(chainSpec, inputs, (spec, evs) => {
        const pattern = buildPattern(spec);
        const chain = compile(pattern);
        expect(chain).toBeInstanceOf(ChainNFA);
        expect(trace(chain, evs)).toEqual(trace(new NFA(compilePattern(pattern)), evs));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 500) },
    );
  });

  it('agrees with the general NFA on any pattern that compile runs as a chain', () => {
    fc.assert(
      fc.property(patternSpec(), inputs, (spec, evs) => {
        let chain: Matcher<Ev>;
        try {
          chain = compile(buildPattern(spec));
        } catch {
          return; // invalid pattern: the pattern tests cover those
        }
        fc.pre(chain instanceof ChainNFA);
        expect(trace(chain, evs)).toEqual(trace(new NFA(compilePattern(buildPattern(spec))), evs));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });

  it('is not picked for patterns that branch, loop or wait on a negation', () => {
    let seen = 0;
    fc.assert(
      fc.property(patternSpec(), (spec) => {
        let nfa: Matcher<Ev>;
        try {
          nfa = compile(buildPattern(spec));
        } catch {
          return;
        }
        const s = spec.steps;
        const loops = (x: (typeof s)[number]) => x.quant !== 'one' && !(x.quant === 'times' && x.n === 1);
        const branches = s.some(
          (x, i) =>
            (i > 0 && ['followedByAny', 'notNext'].includes(x.link)) ||
            (i > 0 && i === s.length - 1 && x.link === 'notFollowedBy') || // a trailing one waits for the window
            ['oneOrMore', 'range', 'timesOrMore'].includes(x.quant) ||
            x.optional ||
            (loops(x) && (x.inner === 'combinations' || x.loopWindow !== null)),
        );
        if (branches) {
          seen++;
          expect(nfa, JSON.stringify(spec)).not.toBeInstanceOf(ChainNFA);
        }
      }),
      { numRuns: 300 },
    );
    expect(seen).toBeGreaterThan(0);
  });

  it('calls a condition once per event, though it starts runs and is the condition of the stages after the first (times(n))', () => {
    let calls = 0;
    const p = Pattern.begin<Ev>('a')
      .where((e) => (calls++, e.c === 'a'))
      .times(3);
    const nfa = compile(p);
    expect(nfa).toBeInstanceOf(ChainNFA);
    const s = nfa.createState();
    const matches = ['a', 'b', 'a', 'a', 'a'].flatMap((c, i) => {
      nfa.evaluate({ id: i, k: 0, c, v: 0, ts: i }, i);
      return nfa.process(s);
    });
    expect(matches.map((m) => m.get('a')!.map((e) => e.id))).toEqual([
      [0, 2, 3],
      [2, 3, 4],
    ]);
    expect(calls).toBe(5);
  });
});

describe('chain runtime in the operator', () => {
  /** Windows always set, mostly followedBy and no skip strategy, two codes: where expiry is deferred and runs overlap. */
  const windowed = chainSpec.chain((spec) =>
    fc.record({ within: fc.integer({ min: 1, max: 8 }), skip: fc.constantFrom('noSkip', 'noSkip', 'noSkip', spec.skip), relaxed: fc.boolean() }).map(({ relaxed, ...x }) => ({
      ...spec,
      ...x,
      steps: spec.steps.map((st) => ({ ...st, code: st.code < 'c' ? st.code : 'a', link: relaxed ? ('followedBy' as const) : st.link })),
    })),
  );
  /** Long inputs for two keys, timestamps close together. */
  const dense = fc
    .array(fc.record({ k: fc.integer({ min: 0, max: 1 }), c: fc.constantFrom('a', 'b', 'c'), gap: fc.integer({ min: 0, max: 2 }) }), { minLength: 10, maxLength: 60 })
    .map((xs) => {
      let ts = 0;
      return xs.map((x, id): Ev => ({ id, k: x.k, c: x.c, v: 0, ts: (ts += x.gap) }));
    });

  it('defers expiry (no timeouts observed) without changing a match: against the general NFA, eager', () => {
    fc.assert(
      fc.property(windowed, dense, fc.boolean(), (spec, evs, observeTimeouts) => {
        const run = (general: boolean) => {
          const out: string[] = [];
          const op = new CepOperator(operator([spec], out, observeTimeouts));
          if (general) onGeneralNfa(op);
          feedAll(op, evs);
          return out;
        };
        expect(run(false)).toEqual(run(true));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 500) },
    );
  });
});
