/** fast-check generators of random (valid or invalid) patterns and inputs, shared by the property tests. */
import fc from 'fast-check';
import {
  AfterMatchSkipStrategy,
  compile,
  field,
  MalformedPatternError,
  not,
  Pattern,
  type CepOperator,
  type ConditionNode,
  type KeyState,
  type Match,
  type Matcher,
} from '../src/index.ts';
import { NFA } from '../src/reference/index.ts';

export type Ev = { id: number; k: number; c: string; v: number; ts: number };

const codes = ['a', 'b', 'c', 'd'];

export interface StepSpec {
  link: 'next' | 'followedBy' | 'followedByAny' | 'notNext' | 'notFollowedBy';
  code: string;
  quant: 'one' | 'oneOrMore' | 'times' | 'range' | 'timesOrMore';
  n: number;
  optional: boolean;
  inner: 'none' | 'consecutive' | 'combinations';
  greedy: boolean;
  iterative: boolean;
  /** window between consecutive repetitions of a loop */
  loopWindow: number | null;
  /** a looping step stops at an event with v = 3 (Flink's until) */
  until?: boolean;
}

const step = fc.record<StepSpec>({
  link: fc.constantFrom('next', 'followedBy', 'followedByAny', 'notNext', 'notFollowedBy'),
  code: fc.constantFrom(...codes),
  quant: fc.constantFrom('one', 'one', 'oneOrMore', 'times', 'range', 'timesOrMore'),
  n: fc.integer({ min: 1, max: 3 }),
  optional: fc.boolean(),
  inner: fc.constantFrom('none', 'none', 'consecutive', 'combinations'),
  greedy: fc.boolean(),
  iterative: fc.boolean(),
  loopWindow: fc.option(fc.integer({ min: 1, max: 6 }), { freq: 3 }),
  until: fc.boolean(),
});

export interface PatternSpec {
  steps: StepSpec[];
  within: number | null;
  withinType: 'FIRST_AND_LAST' | 'PREVIOUS_AND_CURRENT';
  skip: 'noSkip' | 'skipToNext' | 'skipPastLastEvent' | 'skipToFirst' | 'skipToLast';
}

export const patternSpec = (requireWindow = false): fc.Arbitrary<PatternSpec> =>
  fc.record({
    steps: fc.array(step, { minLength: 1, maxLength: 4 }),
    within: requireWindow ? fc.integer({ min: 1, max: 12 }) : fc.option(fc.integer({ min: 1, max: 12 })),
    withinType: requireWindow ? fc.constant('FIRST_AND_LAST' as const) : fc.constantFrom('FIRST_AND_LAST' as const, 'PREVIOUS_AND_CURRENT' as const),
    skip: fc.constantFrom('noSkip', 'skipToNext', 'skipPastLastEvent', 'skipToFirst', 'skipToLast'),
  });

/**
 * Chain-shaped patterns: single steps and times(n), joined by next/followedBy, with notFollowedBy
 * steps between them, any skip strategy.
 */
export const chainSpec: fc.Arbitrary<PatternSpec> = fc.record({
  steps: fc
    .array(
      fc
        .record({
          link: fc.constantFrom('next' as const, 'followedBy' as const, 'notFollowedBy' as const),
          code: fc.constantFrom('a', 'b', 'c', 'd'),
          quant: fc.constantFrom('one' as const, 'times' as const),
          n: fc.integer({ min: 1, max: 3 }),
          optional: fc.constant(false),
          inner: fc.constantFrom('none' as const, 'consecutive' as const),
          greedy: fc.constant(false),
          iterative: fc.boolean(),
          loopWindow: fc.constant(null),
        })
        .map((x) => (x.quant === 'one' || x.link === 'notFollowedBy' ? { ...x, quant: 'one' as const, inner: 'none' as const } : x)), // consecutive() applies to times only
      { minLength: 1, maxLength: 5 },
    )
    .map((steps) =>
      // a negation neither begins nor ends a chain (a trailing notFollowedBy waits for the window)
      steps.map((x, i) => (x.link === 'notFollowedBy' && (i === 0 || i === steps.length - 1) ? { ...x, link: 'followedBy' as const } : x)),
    ),
  within: fc.option(fc.integer({ min: 1, max: 12 })),
  withinType: fc.constant('FIRST_AND_LAST' as const),
  skip: fc.constantFrom('noSkip', 'skipToNext', 'skipPastLastEvent', 'skipToFirst', 'skipToLast'),
});

/** Patterns of either kind, chain-shaped ones often enough to exercise the chain runtime. */
export const anySpec = (): fc.Arbitrary<PatternSpec> => fc.oneof(patternSpec(), chainSpec);

/**
 * Builds the pattern; throws MalformedPatternError for invalid combinations, as Flink would.
 * Conditions on the code are data in one of several forms (see codeCondition) unless `opaque`:
 * then closures, which the runtimes call.
 */
export function buildPattern(spec: PatternSpec, opaque = false): Pattern<Ev> {
  const skip = spec.skip === 'skipToFirst' || spec.skip === 'skipToLast' ? AfterMatchSkipStrategy[spec.skip]('p0') : AfterMatchSkipStrategy[spec.skip]();
  let p: Pattern<Ev> | undefined;
  spec.steps.forEach((s, i) => {
    const name = `p${i}`;
    p = p === undefined ? Pattern.begin<Ev>(name, skip) : p[i === 0 ? 'next' : s.link](name);
    p.where(opaque ? (e) => e.c === s.code : codeCondition(s.code, i));
    if (s.iterative) p.where((e, ctx) => [...ctx.getEventsForPattern('p0')].every((x) => x.v <= e.v + 1));
    const w = s.loopWindow ?? undefined;
    if (s.quant === 'oneOrMore') p.oneOrMore(w);
    else if (s.quant === 'times') p.times(s.n, s.n, w);
    else if (s.quant === 'range') p.times(s.n - 1, s.n + 1, w);
    else if (s.quant === 'timesOrMore') p.timesOrMore(s.n, w);
    if (s.until && (s.quant === 'oneOrMore' || s.quant === 'timesOrMore')) p.until(opaque ? (e) => e.v === UNTIL : field('v').eq(3));
    if (s.inner === 'consecutive') p.consecutive();
    else if (s.inner === 'combinations') p.allowCombinations();
    if (s.optional) p.optional();
    if (s.greedy) p.greedy();
  });
  if (spec.within !== null) p!.within(spec.within, spec.withinType);
  return p!;
}

const UNTIL = 3;

/**
 * `e.c === code` as data, in a form chosen by `variant`: `==`, `in`, the object shorthand, a
 * conjunction with a test that always holds (v is 0 to 3), and a double negation. The first three
 * are decided by the code's value alone; the others have more to evaluate.
 */
export function codeCondition(code: string, variant: number): ConditionNode<Ev> | { c: string } {
  switch (variant % 5) {
    case 0:
      return field('c').eq(code);
    case 1:
      return field('c').in([code, 'z']);
    case 2:
      return { c: code };
    case 3:
      return { kind: 'and', operands: [field('c').eq(code), field('v').le(3)] };
    default:
      return not(not(field('c').eq(code)));
  }
}

/** Events for 1-3 keys, timestamps increasing with small gaps (and equal timestamps). */
export const events = (maxLength = 40): fc.Arbitrary<Ev[]> =>
  fc
    .array(
      fc.record({
        k: fc.integer({ min: 0, max: 2 }),
        c: fc.constantFrom(...codes),
        v: fc.integer({ min: 0, max: 3 }),
        gap: fc.integer({ min: 0, max: 3 }),
        jitter: fc.integer({ min: 0, max: 2 }),
      }),
      { maxLength },
    )
    .map((xs) => {
      let ts = 0;
      return xs.map((x, id) => {
        ts += x.gap;
        return { id, k: x.k, c: x.c, v: x.v, ts: ts + x.jitter };
      });
    });

/**
 * Turns an operator into the reference the runtimes are checked against: every pattern on the
 * shared-buffer NFA (which processes every event of every key), expiry on time. Runners are
 * private, so they are reached here, in tests only.
 */
export function onGeneralNfa(op: CepOperator<any, any>): void {
  for (const r of (op as unknown as { runners: { nfa: Matcher<unknown>; deferExpiry: boolean }[] }).runners) {
    const nfa = new NFA(r.nfa.compiled);
    nfa.clock = r.nfa.clock;
    r.nfa = nfa;
    r.deferExpiry = false;
  }
}

/** Feeds every event to the operator, then ends the input; returns the operator. */
export function feedAll<E, O extends CepOperator<E, any>>(op: O, events: readonly E[]): O {
  for (const e of events) op.processElement(e);
  op.flush();
  return op;
}

/** A single-event step (`next`, code 'a', no quantifier), with the given fields changed. */
export function oneStep(changes: Partial<StepSpec> = {}): StepSpec {
  return { link: 'next', code: 'a', quant: 'one', n: 1, optional: false, inner: 'none', greedy: false, iterative: false, loopWindow: null, ...changes };
}

/**
 * Events for one key, timestamps non-decreasing (often equal), as the operator delivers them. (Fed
 * directly, a timestamp below one that time already advanced past is a late event; Flink's NFA
 * then reuses event ids, and its order among such events is an accident of its heap.)
 */
export const inputs = fc.array(fc.record({ c: fc.constantFrom('a', 'b', 'c', 'd'), v: fc.integer({ min: 0, max: 3 }), step: fc.integer({ min: -2, max: 3 }) }), { maxLength: 50 });

export const render = (m: Match<Ev>) => [...m].map(([k, es]) => `${k}:${es.map((e) => e.id).join(',')}`).join(' ');

/** Evaluates one event and processes it in `s` (the operator's order of calls, without its keys and timers). */
export function feed<E>(nfa: Matcher<E>, s: KeyState, event: E, ts: number, out: Match<E>[] = []): Match<E>[] {
  nfa.evaluate(event, ts);
  return nfa.process(s, out);
}

/** Everything a runtime reports for the input, in order, or the error it raised. */
export function trace(nfa: Matcher<Ev>, evs: { c: string; v: number; step: number }[]): string[] {
  const out: string[] = [];
  const s = nfa.createState();
  let ts = 0;
  try {
    evs.forEach((x, id) => {
      ts += Math.max(0, x.step);
      const matches: Match<Ev>[] = [];
      const timeouts: { match: Match<Ev>; timestamp: number }[] = [];
      nfa.advanceTime(s, ts, matches, timeouts);
      nfa.evaluate({ id, k: 0, c: x.c, v: x.v, ts }, ts);
      nfa.process(s, matches);
      for (const t of timeouts) out.push(`T@${t.timestamp} ${render(t.match)}`);
      for (const m of matches) out.push(`M#${id} ${render(m)}`);
    });
    const matches: Match<Ev>[] = [];
    const timeouts: { match: Match<Ev>; timestamp: number }[] = [];
    nfa.advanceTime(s, Number.MAX_VALUE, matches, timeouts);
    for (const t of timeouts) out.push(`T@${t.timestamp} ${render(t.match)}`);
    for (const m of matches) out.push(`M@end ${render(m)}`);
  } catch (e) {
    out.push(`error ${(e as Error).name}`);
  }
  return out;
}

/** The pattern, or undefined when it is invalid (MalformedPatternError when built or compiled). */
export function tryBuild(spec: PatternSpec): Pattern<Ev> | undefined {
  try {
    const p = buildPattern(spec);
    compile(p);
    return p;
  } catch (e) {
    if (e instanceof MalformedPatternError) return undefined;
    throw e;
  }
}

/**
 * Operator options that write every output to `out`; without timeouts observed, chain patterns
 * defer their runs' expiry. Conditions are closures when `opaque` (see buildPattern).
 */
export function operator(specs: PatternSpec[], out: string[], timeouts = true, opaque = false) {
  const patterns = Object.fromEntries(specs.map((s, i) => [`r${i}`, buildPattern(s, opaque)]));
  const options = {
    patterns,
    key: (e: Ev) => e.k,
    timestamp: (e: Ev) => e.ts,
    outOfOrdernessMs: 2,
    onMatch: (m: { pattern: string; key: number; match: Match<Ev>; timestamp: number }) => out.push(`M ${m.pattern} k${m.key} @${m.timestamp} ${render(m.match)}`),
    onTimeout: (m: { pattern: string; key: number; match: Match<Ev>; timestamp: number }) => out.push(`T ${m.pattern} k${m.key} @${m.timestamp} ${render(m.match)}`),
    onLate: (e: Ev) => out.push(`L ${e.id}`),
  };
  return timeouts ? options : { ...options, onTimeout: undefined };
}
