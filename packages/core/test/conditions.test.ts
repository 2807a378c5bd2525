import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  and,
  CepOperator,
  conditionTest,
  describeCondition,
  field,
  iterative,
  MalformedPatternError,
  not,
  or,
  Pattern,
  simple,
  type ConditionNode,
  type FieldValue,
} from '../src/index.ts';
import { FALSE, RUN_SPECIFIC, TRUE, Verdicts } from '../src/nfa/verdicts.ts';
import { anySpec, events, feedAll, operator, tryBuild } from './arbitraries.ts';

type Obj = Record<string, unknown>;

/** The meaning of a condition node, written out plainly (the specification the runtimes are held to). */
function holds(c: ConditionNode<Obj>, e: unknown): boolean {
  const get = (f: string | readonly string[]) => {
    let v = e;
    for (const name of typeof f === 'string' ? [f] : f) v = typeof v === 'object' && v !== null ? (v as Obj)[name] : undefined;
    return v;
  };
  switch (c.kind) {
    case 'true':
      return true;
    case 'compare': {
      const v = get(c.field);
      if (c.op === '==') return v === c.value;
      if (c.op === '!=') return v !== c.value;
      if (typeof v !== typeof c.value || (typeof v !== 'number' && typeof v !== 'string')) return false;
      const [x, y] = [v as number, c.value as number];
      return c.op === '<' ? x < y : c.op === '<=' ? x <= y : c.op === '>' ? x > y : x >= y;
    }
    case 'in':
      return c.values.includes(get(c.field) as FieldValue);
    case 'not':
      return !holds(c.operand, e);
    case 'and':
      return c.operands.every((o) => holds(o, e));
    case 'or':
      return c.operands.some((o) => holds(o, e));
    case 'predicate':
      return c.test(e as Obj, undefined as never);
  }
}

const value: fc.Arbitrary<FieldValue> = fc.constantFrom('a', 'b', 'c', 0, 1, 2, true, null);
const fieldName = fc.constantFrom<string | readonly string[]>('x', 'y', ['z', 'x'], ['z', 'w', 'x']);
const leaf: fc.Arbitrary<ConditionNode<Obj>> = fc.oneof(
  fc.record({ name: fieldName, op: fc.constantFrom('eq', 'ne', 'lt', 'le', 'gt', 'ge' as const), v: value }).map(({ name, op, v }) => field<Obj>(name)[op](v)),
  fc.record({ name: fieldName, vs: fc.array(value, { maxLength: 3 }) }).map(({ name, vs }) => field<Obj>(name).in(vs)),
  fc.constant(simple<Obj>((e) => (e as Obj | null)?.y === 1)),
);
const node: fc.Arbitrary<ConditionNode<Obj>> = fc.letrec<{ node: ConditionNode<Obj> }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    tie('node').map((c) => not(c)),
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((cs) => and(...cs)),
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((cs) => or(...cs)),
  ),
})).node;
const flat = fc.record({ x: value, y: value }, { requiredKeys: [] });
const nested = fc.oneof(flat, fc.record({ w: flat }, { requiredKeys: [] }), fc.constantFrom(null, 'x', [1]));
const event: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ x: value, y: value, z: nested }, { requiredKeys: [] }) },
  fc.constantFrom(null, undefined, 3, 'x'),
);

describe('conditions as data', () => {
  it('are built by the typed builder, the object shorthand and plain functions', () => {
    expect(field('code').eq('A')).toEqual({ kind: 'compare', field: 'code', op: '==', value: 'A' });
    expect(field('code').in(['A', 'B', 'A'])).toEqual({ kind: 'in', field: 'code', values: ['A', 'B'] });
    // a nested field by its path; a path of one name is that name
    expect(field(['extra_info', 'page']).eq('cart')).toEqual({ kind: 'compare', field: ['extra_info', 'page'], op: '==', value: 'cart' });
    expect(field(['code']).eq('A')).toEqual(field('code').eq('A'));
    expect(conditionTest(field(['extra_info', 'page']).eq('cart'))({ extra_info: { page: 'cart' } }, undefined as never)).toBe(true);
    expect(conditionTest(field(['extra_info', 'page']).eq('cart'))({ extra_info: 'cart' }, undefined as never)).toBe(false);
    expect(Pattern.begin('a').where({ code: 'A', n: 1 }).condition).toEqual(and(field('code').eq('A'), field('n').eq(1)));
    // where(a).where(b) is one conjunction, not a closure over two
    expect(Pattern.begin('a').where(field('code').eq('A')).where(field('n').gt(1)).condition).toEqual({ kind: 'and', operands: [field('code').eq('A'), field('n').gt(1)] });
    const one = (e: { n: number }) => e.n > 1;
    const two = (e: { n: number }, ctx: unknown) => ctx !== undefined && e.n > 1;
    expect(Pattern.begin<{ n: number }>('a').where(one).condition).toEqual({ kind: 'predicate', test: one, iterative: false });
    expect(Pattern.begin<{ n: number }>('a').where(two).condition).toEqual({ kind: 'predicate', test: two, iterative: true });
    expect(iterative(one)).toEqual({ kind: 'predicate', test: one, iterative: true });
  });

  it('print as they read', () => {
    expect(describeCondition(and(field('code').in(['A', 'B']), not(field('n').gt(1)), (e: { n: number }) => e.n < 5))).toBe('(code in ["A", "B"] and not(n > 1) and (e) => ...)');
    expect(
      describeCondition(
        or(
          { code: 'A' },
          iterative(() => true),
        ),
      ),
    ).toBe('(code == "A" or (e, ctx) => ...)');
    expect(describeCondition(field(['extra_info', 'page']).in(['cart']))).toBe('extra_info.page in ["cart"]');
  });

  it('reject what is not a condition with a clear error', () => {
    expect(() => Pattern.begin('a').where(null as never)).toThrow(MalformedPatternError);
    expect(() => Pattern.begin('a').where({})).toThrow(/at least one field/);
    expect(() => field('n').eq(NaN)).toThrow(/NaN/);
    expect(() => field('n').eq({} as never)).toThrow(/not object/);
    expect(() => field('')).toThrow(MalformedPatternError);
    expect(() => field([])).toThrow(/path of names/);
    expect(() => field(['a', ''])).toThrow(/path of names/);
  });

  it('mean what their plain reading says, whatever the event (conditionTest and Verdicts alike)', () => {
    fc.assert(
      fc.property(fc.array(node, { minLength: 1, maxLength: 4 }), fc.array(event, { maxLength: 8 }), (nodes, evs) => {
        const conditions = [...nodes, ...nodes.map((c) => not(c))];
        const tests = conditions.map(conditionTest);
        const verdicts = new Verdicts(conditions, () => 0);
        evs.forEach((e, i) => {
          verdicts.begin(e as Obj, i);
          const expected = conditions.map((c) => holds(c, e));
          expect(tests.map((t) => t(e as Obj, undefined as never))).toEqual(expected);
          expect(conditions.map((_, c) => verdicts.of(c))).toEqual(expected.map((h) => (h ? TRUE : FALSE)));
          // noneHold only when none holds (it may not know: then false)
          if (verdicts.noneHold()) expect(nodes.filter((c) => holds(c, e))).toEqual([]);
        });
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 500) },
    );
  });

  it('read the code once per event when a nested field is tested first in a conjunction', () => {
    const verdicts = new Verdicts<Obj>([and(field(['extra_info', 'page']).eq('cart'), field('code').eq('A')), field('code').in(['A', 'B'])], () => 0);
    expect(verdicts.fieldValues).toEqual(['A', 'B']);
    verdicts.begin({ code: 'C', extra_info: { page: 'cart' } }, 0);
    expect(verdicts.noneHold()).toBe(true);
    verdicts.begin({ code: 'A', extra_info: { page: 'cart' } }, 1);
    expect([verdicts.of(0), verdicts.of(1)]).toEqual([TRUE, TRUE]);
  });

  it('leave iterative conditions to each run, and so do simple ones that throw', () => {
    const verdicts = new Verdicts<Obj>(
      [
        iterative((e) => e.x === 1),
        simple(() => {
          throw new Error('no');
        }),
        simple((e) => e.x === 1),
      ],
      () => 0,
    );
    verdicts.begin({ x: 1 }, 0);
    expect([0, 1, 2].map((c) => verdicts.of(c))).toEqual([RUN_SPECIFIC, RUN_SPECIFIC, TRUE]);
  });

  it('give the operator the matches, timeouts and late events that the same conditions as closures give', () => {
    fc.assert(
      fc.property(fc.array(anySpec(), { minLength: 1, maxLength: 3 }), events(), (specs, evs) => {
        fc.pre(specs.every((s) => tryBuild(s) !== undefined));
        const data: string[] = [];
        const called: string[] = [];
        feedAll(new CepOperator(operator(specs, data)), evs);
        feedAll(new CepOperator(operator(specs, called, true, true)), evs);
        expect(data).toEqual(called);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });
});

describe('one evaluation per event', () => {
  type Ev = { c: string };
  const pattern = () => Pattern.begin<Ev>('a').where(field('c').eq('a')).next('b').where(field('c').eq('b'));

  it('evaluates an event object fed again, mutated, afresh (processing time, equal times)', () => {
    const run = (reuse: boolean) => {
      const out: string[] = [];
      const op = new CepOperator<Ev>({
        patterns: { p: pattern() },
        time: 'processing',
        clock: () => 5,
        onMatch: ({ match }) =>
          out.push(
            [...match.values()]
              .flat()
              .map((e) => e.c)
              .join(''),
          ),
      });
      const one: Ev = { c: 'a' };
      op.processElement(one);
      if (reuse) {
        one.c = 'b';
        op.processElement(one);
      } else op.processElement({ c: 'b' });
      return out;
    };
    expect(run(false)).toEqual(['ab']);
    // the one object is both events: the match holds it twice, as it is when emitted
    expect(run(true)).toEqual(['bb']);
  });

  it('evaluates the same object twice in event time at one timestamp', () => {
    const out: number[] = [];
    const ev = { c: 'a', ts: 1 };
    const op = new CepOperator<typeof ev>({
      patterns: { p: Pattern.begin<typeof ev>('a').where(field('c').eq('a')).next('b').where(field('c').eq('b')) },
      timestamp: (e) => e.ts,
      onMatch: () => out.push(1),
    });
    op.processInOrder(ev);
    ev.c = 'b';
    op.processInOrder(ev);
    expect(out).toEqual([1]);
  });
});
