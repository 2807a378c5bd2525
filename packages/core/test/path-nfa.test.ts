import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, Pattern, type CompiledNFA, type Matcher } from '../src/index.ts';
import { PathNFA } from '../src/internal.ts';
import { NFA } from '../src/reference/index.ts';
import { anySpec, buildPattern, inputs, trace, type PatternSpec, type Ev } from './arbitraries.ts';

/** Holds the path runtime to the shared-buffer NFA: same matches, timeouts and errors, in the same order. */
function agrees(spec: PatternSpec, evs: Parameters<typeof trace>[1]): void {
  let compiled: CompiledNFA<Ev>;
  try {
    compiled = compilePattern(buildPattern(spec));
  } catch {
    return; // invalid pattern: the pattern tests cover those
  }
  const path: Matcher<Ev> = new PathNFA(compiled);
  expect(trace(path, evs)).toEqual(trace(new NFA(compiled), evs));
}

/** Patterns that end in a negation (most random ones do not): runs that complete by ignoring an event, or on time. */
const endsInNegation = anySpec().chain((spec) =>
  fc.constantFrom('notNext' as const, 'notFollowedBy' as const).map((link) => ({ ...spec, steps: [...spec.steps.slice(0, -1), { ...spec.steps[spec.steps.length - 1], link }] })),
);

describe('path runtime', () => {
  it('gives exactly what the shared-buffer NFA gives, in the same order, on any pattern', () => {
    fc.assert(fc.property(anySpec(), inputs, agrees), { numRuns: Number(process.env.PROPERTY_RUNS ?? 1000) });
  });

  it('gives exactly what the shared-buffer NFA gives on patterns that end in a negation', () => {
    fc.assert(fc.property(endsInNegation, inputs, agrees), { numRuns: Number(process.env.PROPERTY_RUNS ?? 500) });
  });
});

describe('path runtime state', () => {
  it('snapshots and restores runs whose paths are long (a loop that took 100,000 events)', () => {
    // one run at a time: b's taken back to back, then c right after
    const p = Pattern.begin<Ev>('a')
      .where((e) => e.c === 'a')
      .next('b')
      .where((e) => e.c === 'b')
      .oneOrMore()
      .consecutive()
      .next('c')
      .where((e) => e.c === 'c');
    const nfa = new PathNFA(compilePattern(p));
    const s = nfa.createState();
    for (let i = 0; i <= 100_000; i++) {
      nfa.evaluate({ id: i, k: 0, c: i === 0 ? 'a' : 'b', v: 0, ts: i }, i);
      nfa.process(s);
    }
    const restored = nfa.restoreState(JSON.parse(JSON.stringify(nfa.snapshotState(s))));
    const next: Ev = { id: 100_001, k: 0, c: 'c', v: 0, ts: 100_001 };
    nfa.evaluate(next, next.ts);
    const a = nfa.process(s);
    nfa.evaluate(next, next.ts);
    const b = nfa.process(restored);
    expect(b.map((m) => m.get('b')!.length)).toEqual(a.map((m) => m.get('b')!.length));
    expect(a.map((m) => m.get('b')!.length)).toEqual([100_000]);
  });
});

describe('compiled NFA', () => {
  it('gives every edge a target for an optional greedy loop with until after a notFollowedBy (Flink leaves one without, and fails when it is taken)', () => {
    const p = Pattern.begin<Ev>('p0')
      .where((e) => e.c === 'a')
      .notFollowedBy('p1')
      .where((e) => e.c === 'b')
      .next('p2')
      .where((e) => e.c === 'a')
      .oneOrMore()
      .until((e) => e.v === 3)
      .optional()
      .greedy();
    const compiled = compilePattern(p);
    for (const st of compiled.states) for (const t of st.transitions) expect(t.target, `${st.name} ${t.action}`).toBeDefined();
    const evs = [
      { c: 'a', v: 0, step: 1 },
      { c: 'a', v: 0, step: 1 },
      { c: 'a', v: 3, step: 1 },
      { c: 'c', v: 3, step: 1 },
    ];
    const path = trace(new PathNFA(compiled), evs);
    expect(path.filter((x) => x.startsWith('error'))).toEqual([]);
    expect(path).toEqual(trace(new NFA(compiled), evs));
  });
});
