import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, field, Pattern, type CompiledNFA, type ConditionContext } from '../src/index.ts';
import { PathNFA } from '../src/internal.ts';
import { DecisionGraph } from '../src/nfa/decision-graph.ts';
import { anySpec, buildPattern, events, feed, type Ev } from './arbitraries.ts';

/** A run's context over fixed events (iterative conditions read them). */
class FakeContext implements ConditionContext<Ev> {
  constructor(
    private readonly taken: Ev[],
    private readonly ts = 0,
  ) {}
  getEventsForPattern(): Iterable<Ev> {
    return this.taken;
  }
  timestamp(): number {
    return this.ts;
  }
  currentProcessingTime(): number {
    return 0;
  }
}

/** What an evaluation left in the graph's output fields, or the error it raised. */
function outcome(graph: DecisionGraph<Ev>, evaluate: () => void): unknown {
  try {
    evaluate();
  } catch (e) {
    return `error ${(e as Error).message}`;
  }
  return { edges: graph.edges.slice(0, graph.edgeCount), takes: graph.takes, ignores: graph.ignores };
}

describe('decision graph', () => {
  it('gives each run the edges and final state that evaluating its own conditions gives, though it evaluates them once per event and state', () => {
    fc.assert(
      fc.property(
        anySpec(),
        events(12),
        fc.array(fc.array(fc.record({ v: fc.integer({ min: 0, max: 3 }) }), { maxLength: 3 }), { minLength: 1, maxLength: 3 }),
        fc.nat(),
        (spec, evs, runs, order) => {
          let compiled: CompiledNFA<Ev>;
          try {
            compiled = compilePattern(buildPattern(spec));
          } catch {
            return;
          }
          const cached = new DecisionGraph(compiled.states, () => 0);
          const plain = new DecisionGraph(compiled.states, () => 0);
          const contexts = runs.map((taken) => taken.map(({ v }, id): Ev => ({ id, k: 0, c: 'a', v, ts: 0 })));
          for (const e of evs) {
            cached.begin(e, e.ts);
            plain.begin(e, e.ts);
            // states in an arbitrary order, each asked about by several runs, and by noOpStates
            const n = compiled.states.length;
            for (let j = 0; j < n; j++) {
              const state = compiled.states[(j + order) % n];
              for (const taken of contexts) {
                const run: ConditionContext<Ev> = new FakeContext(taken, e.ts);
                const got = outcome(cached, () => cached.evaluateFor(state, e, run));
                expect(got).toEqual(outcome(plain, () => plain.evaluate(state, e, run)));
                const final = (f: () => unknown) => {
                  try {
                    return f();
                  } catch (x) {
                    return `error ${(x as Error).message}`;
                  }
                };
                expect(final(() => cached.finalFor(state, e, run))).toBe(final(() => plain.finalAfterProceed(state, e, run)));
              }
              if (n <= 30) cached.noOpStates((1 << n) - 1, e);
            }
          }
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 1000) },
    );
  });

  it('works out the steps for every combination of verdicts when built, without calling a condition, and events then find them', () => {
    const calls: string[] = [];
    const is = (c: string) => (e: Ev) => {
      calls.push(c);
      return e.c === c;
    };
    const p = Pattern.begin<Ev>('a').where(is('a')).followedBy('b').where(is('b')).oneOrMore().followedBy('c').where(is('c'));
    const nfa = new PathNFA(compilePattern(p));
    expect(calls).toEqual([]);
    const s = nfa.createState();
    const out = ['a', 'b', 'x', 'c'].flatMap((c, i) => feed(nfa, s, { id: i, k: 0, c, v: 0, ts: i }, i));
    expect(out.map((m) => [...m].map(([name, evs]) => `${name}:${evs.map((e) => e.id).join(',')}`).join(' '))).toEqual(['a:0 b:1 c:3']);
    // each condition once per event (verdicts are shared by all runs and states)
    expect(calls.length).toBe(3 * 4);
    // the steps were there before the events: no new combination of verdicts was added
    const graph = (nfa as unknown as { graph: { stepsByKey: Map<number, unknown> } }).graph;
    expect(graph.stepsByKey.size).toBe(8);
  });

  it('works out only the combinations that field tests on one field can make (one value, or none)', () => {
    const p = Pattern.begin<Ev>('a')
      .where(field('c').eq('a'))
      .followedBy('b')
      .where(field('c').in(['b', 'B']))
      .oneOrMore()
      .followedBy('c')
      .where({ c: 'c' });
    const nfa = new PathNFA(compilePattern(p));
    const graph = (nfa as unknown as { graph: { stepsByKey: Map<number, unknown> } }).graph;
    // a, b or B, c, or none of them: b and B make the same verdicts
    expect(graph.stepsByKey.size).toBe(4);
    const s = nfa.createState();
    const out = ['a', 'b', 'x', 'B', 'c'].flatMap((c, i) => feed(nfa, s, { id: i, k: 0, c, v: 0, ts: i }, i));
    expect(out.map((m) => [...m].map(([name, evs]) => `${name}:${evs.map((e) => e.id).join(',')}`).join(' '))).toEqual(['a:0 b:1,3 c:4', 'a:0 b:1 c:4']);
    expect(graph.stepsByKey.size).toBe(4);
    // an event that is not an object has no fields: no condition holds for it, and nothing new is worked out
    expect(feed(nfa, s, null as unknown as Ev, 5)).toEqual([]);
    expect(graph.stepsByKey.size).toBe(4);
  });
});
