import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CepOperator, fieldEquals, fieldTestOf, type Condition } from '../src/index.ts';
import { FALSE, RUN_SPECIFIC, TRUE, Verdicts } from '../src/nfa/verdicts.ts';
import { anySpec, events, feedAll, operator, tryBuild } from './arbitraries.ts';

/** The function whose source is exactly `source`. */
const fn = (source: string): Condition<any> => new Function(`return ${source}`)();

describe('fieldTestOf', () => {
  it.each([
    ['e => e.code === "A"', { field: 'code', value: 'A', equal: true }],
    ["(e) => e.code !== 'B'", { field: 'code', value: 'B', equal: false }],
    ['(e, ctx) => e.n === 3', { field: 'n', value: 3, equal: true }],
    ['e => -1.5 === e.n', { field: 'n', value: -1.5, equal: true }],
    ['e => (e.$id === "")', { field: '$id', value: '', equal: true }],
    ['e => { return e.code === "A"; }', { field: 'code', value: 'A', equal: true }],
    ['function (e) { return e.ok === true; }', { field: 'ok', value: true, equal: true }],
    ['function named(ev) {\n  return null !== ev.x\n}', { field: 'x', value: null, equal: false }],
    ['e=>"A"===e.code', { field: 'code', value: 'A', equal: true }], // minified
    ['function(t){return"view"===t.action}', { field: 'action', value: 'view', equal: true }],
  ])('reads %s', (source, test) => {
    expect(fieldTestOf(fn(source))).toEqual(test);
  });

  it.each([
    ['a name other than the parameter', 'e => e.code === X'],
    ['another parameter', 'e => f.code === "A"'],
    ['the second parameter', '(e, ctx) => ctx.code === "A"'],
    ['an escape in the string', 'e => e.code === "A\\"B"'],
    ['loose equality', 'e => e.code == "A"'],
    ['optional chaining', 'e => e?.code === "A"'],
    ['a nested field', 'e => e.a.b === 1'],
    ['two comparisons', 'e => e.code === "A" && e.n === 1'],
    ['a comment', 'e => /* A */ e.code === "A"'],
    ['an async function', 'async e => e.code === "A"'],
    ['a default parameter', '(e = {}) => e.code === "A"'],
    ['a statement before the return', 'function (e) { "use strict"; return e.code === "A"; }'],
    ['a number with an exponent', 'e => e.n === 1e3'],
    ['a template literal', 'e => e.code === `A`'],
    ['no return, but a name that starts with one', 'function (e) { returne.code === "A"; }'],
  ])('does not read a condition with %s', (_, source) => {
    expect(fieldTestOf(fn(source))).toBeUndefined();
  });

  it('does not read a return followed by a line break, which returns undefined', () => {
    const c = fn('function (e) { return\n e.code === "A"; }');
    expect(c({ code: 'A' }, undefined as never)).toBeUndefined();
    expect(fieldTestOf(c)).toBeUndefined();
  });

  it('does not read a bound function (its source is not shown)', () => {
    expect(fieldTestOf(fn('e => e.code === "A"').bind(null))).toBeUndefined();
  });

  it('reads conditions made by fieldEquals, whose source is not a literal', () => {
    const c = fieldEquals<{ code: string }>('code', 'A');
    expect(fieldTestOf(c)).toEqual({ field: 'code', value: 'A', equal: true });
    expect(c({ code: 'A' }, undefined as never)).toBe(true);
    expect(c({ code: 'B' }, undefined as never)).toBe(false);
  });
});

/** Readable sources over fields a and b, and events whose a and b hold any primitive, or throw. */
const readable = fc
  .record({
    field: fc.constantFrom('a', 'b'),
    value: fc.constantFrom('"x"', "'y'", '""', '0', '1', '-1', '2.5', 'true', 'false', 'null'),
    op: fc.constantFrom('===', '!=='),
    form: fc.constantFrom('arrow', 'literal first', 'block', 'function'),
  })
  .map(({ field, value, op, form }) => {
    const test = form === 'literal first' ? `${value} ${op} e.${field}` : `e.${field} ${op} ${value}`;
    return form === 'block' ? `e => { return ${test}; }` : form === 'function' ? `function (e) { return ${test}; }` : `e => ${test}`;
  });
const primitive = fc.constantFrom<unknown>('x', 'y', '', 0, -0, 1, -1, 2.5, true, false, null, undefined, NaN, '1', 'null');
const event = fc.oneof(
  fc.record({ a: primitive, b: primitive }),
  fc.record({ a: primitive }),
  primitive,
  fc.constant(
    Object.defineProperty({}, 'a', {
      get() {
        throw new Error('no a');
      },
    }),
  ),
);

/** Mostly one of `good`, sometimes one of `bad`: a source then has about one near miss. */
const mostly = (good: string[], bad: string[]) => fc.oneof({ arbitrary: fc.constantFrom(...good), weight: 4 }, { arbitrary: fc.constantFrom(...bad), weight: 1 });

/**
 * Sources near the readable forms: a third are readable, most others miss in one part (another
 * name, a line break after return, a comment, a loose operator, ...); invalid ones are dropped.
 */
const nearMiss = fc
  .record({
    head: mostly(['e =>', '(e) =>', '(e, ctx) =>', 'function (e) {', 'function f(e, ctx) {'], ['(ctx, e) =>', 'async e =>', '(e = {}) =>', 'function* (e) {', 'x =>']),
    left: mostly(['e.a', 'e.b'], ['ctx.a', 'x.a', 'e.a.b', 'e?.a', 'e["a"]', 'e.a /* c */', 'e.a\n']),
    op: mostly(['===', '!=='], ['==', '!=', '>', '= ']),
    right: mostly(['"x"', "'y'", '0', '-1', '2.5', 'true', 'null'], ['1e3', '`x`', '"x\\"y"', 'x', 'e.b', '"x" && e.b', '"x" || true', 'NaN']),
    swap: fc.boolean(),
    wrap: mostly(['', 'return ', 'return(', '('], ['return\n', '{ "use strict"; return ', '{ returnx; ', 'void ', '!']),
  })
  .map(({ head, left, op, right, swap, wrap }) => {
    const test = swap ? `${right} ${op} ${left}` : `${left} ${op} ${right}`;
    const body = wrap === 'return(' ? `return(${test})` : wrap === '(' ? `(${test})` : `${wrap}${test}`;
    const opens = body.startsWith('{');
    return head.startsWith('function') ? `${head} ${opens ? body.slice(1) : body} }` : opens ? `${head} ${body} }` : `${head} ${body}`;
  });

describe('read conditions', () => {
  it('are only ever read where reading gives what calling gives (sources near the readable forms)', () => {
    const ctx = { a: 'x', b: 'y', getEventsForPattern: () => [], timestamp: () => 0 };
    fc.assert(
      fc.property(nearMiss, fc.array(event, { minLength: 1, maxLength: 6 }), (source, evs) => {
        let c: Condition<unknown>;
        try {
          c = fn(source);
        } catch {
          return; // not valid JavaScript
        }
        if (typeof c !== 'function' || fieldTestOf(c) === undefined) return;
        const verdicts = new Verdicts([c]);
        evs.forEach((e, i) => {
          verdicts.see(e, i);
          let expected: number;
          try {
            const r = c(e, ctx as never);
            expected = r === true ? TRUE : r === false ? FALSE : -1; // a read condition returns a boolean
          } catch {
            expected = RUN_SPECIFIC;
          }
          expect(verdicts.of(0)).toBe(expected);
        });
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) * 3 },
    );
  });


  it('have the verdict calling them gives, for any event (RUN_SPECIFIC when calling throws)', () => {
    fc.assert(
      fc.property(fc.array(readable, { minLength: 1, maxLength: 4 }), fc.array(event, { maxLength: 8 }), (sources, evs) => {
        const conditions = sources.map(fn);
        expect(conditions.every((c) => fieldTestOf(c) !== undefined)).toBe(true);
        const verdicts = new Verdicts(conditions);
        evs.forEach((e, i) => {
          verdicts.see(e, i);
          const expected = conditions.map((c) => {
            try {
              return c(e, undefined as never) ? TRUE : FALSE;
            } catch {
              return RUN_SPECIFIC;
            }
          });
          expect(conditions.map((_, c) => verdicts.of(c))).toEqual(expected);
          // noneHold only when none holds (it may not know: then false)
          if (verdicts.noneHold()) expect(expected.filter((v, c) => v !== FALSE && verdicts.negationOf[c] < 0)).toEqual([]);
        });
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });

  it('give the operator the matches, timeouts and late events that the same conditions as closures give', () => {
    fc.assert(
      fc.property(fc.array(anySpec(), { minLength: 1, maxLength: 3 }), events(), (specs, evs) => {
        fc.pre(specs.every((s) => tryBuild(s) !== undefined));
        const read: string[] = [];
        const called: string[] = [];
        feedAll(new CepOperator(operator(specs, read)), evs);
        feedAll(new CepOperator(operator(specs, called, true, true)), evs);
        expect(read).toEqual(called);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });
});
