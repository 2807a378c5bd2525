import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRules, loadRulesJson, parseRules, RuleEngine, RuleError, RuleJsonError, rulesToJson, type StandardEvent } from '../src/index.ts';

const TEXT = `RULENAME: "burst"
e1: SEND
EVENT e1
REPEAT 3+ SAME e1.user_id HAVING DISTINCT(e1.extra_info.to) > 2
WITHIN 10 MINUTE
RETURN n=COUNT(e1)

RULENAME: "pair"
a: VIEW | SHOW
b: BUY
c: CANCEL
EVENT a -> b{2,3} -> !c
PARTITION BY a.user_id, a.extra_info.shop
WITHIN 1 MINUTE
RETURN item=b.extra_info.item`;
const doc = () => JSON.parse(JSON.stringify(rulesToJson(parseRules(TEXT))));

/** Sets the value at `path` (keys and indexes) in a copy of the document. */
function withValue(d: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(d));
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k];
  at[path[path.length - 1]] = value;
  return copy;
}

/** Every path to a value in the document. */
function paths(x: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof x !== 'object' || x === null) return [prefix];
  const keys = Array.isArray(x) ? x.map((_, i) => i) : Object.keys(x);
  return [prefix, ...keys.flatMap((k) => paths((x as Record<string | number, unknown>)[k], [...prefix, k]))];
}

describe('the JSON rule loader', () => {
  it('loads what rulesToJson writes', () => {
    expect(loadRulesJson(doc()).map((r) => r.name)).toEqual(['burst', 'pair']);
  });

  it.each([
    [['rules', 0, 'repeat', 'min'], '2', 'rules[0].repeat.min: expected an integer >= 1, got "2"'],
    [['rules', 0, 'repeat', 'min'], -5, 'rules[0].repeat.min: expected an integer >= 1, got -5'],
    [['rules', 0, 'repeat', 'min'], 1.5, 'rules[0].repeat.min: expected an integer >= 1, got 1.5'],
    [['rules', 0, 'repeat', 'max'], 1, 'rules[0].repeat.max: expected an integer >= 3, got 1'],
    [['rules', 1, 'partitionBy'], 'a.user_id', 'rules[1].partitionBy: expected an array, got "a.user_id"'],
    [['rules', 1, 'nodes', 1, 'quantifier', 'times', 'to'], '3', 'rules[1].nodes[1].quantifier.times.to: expected an integer >= 2, got "3"'],
    [['rules', 1, 'nodes', 0], null, 'rules[1].nodes[0]: expected an object, got null'],
    [['rules', 1, 'edges', 0, 'type'], 'LATER', 'rules[1].edges[0].type: expected one of "STRICT", "SKIP_TILL_NEXT", "SKIP_TILL_ANY", "NOT_NEXT", "NOT_FOLLOW", got "LATER"'],
    [['rules', 1, 'window', 'time', 'size'], 0, 'rules[1].window.time.size: expected an integer >= 1, got 0'],
    [['rules', 1, 'nodes', 0, 'condition', 'eventCodes', 1], 7, 'rules[1].nodes[0].condition.eventCodes[1]: expected a non-empty string, got 7'],
    [['rules', 1, 'returns', 0], 'item', 'rules[1].returns[0]: expected an object, got "item"'],
    [['rules'], {}, 'rules: expected an array, got an object'],
  ])('rejects %j = %j: %s', (path, value, message) => {
    expect(() => loadRulesJson(withValue(doc(), path, value))).toThrow(new RuleJsonError(message));
  });

  it('says what is wrong with text that is not JSON', () => {
    expect(() => loadRulesJson('{"format": ')).toThrow(RuleJsonError);
  });

  it('answers any change to a valid document with rules, a RuleJsonError or a RuleError, never another error', () => {
    const base = doc();
    const all = paths(base).filter((p) => p.length > 0);
    const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(undefined, -1, 0, 1.5, 2 ** 60, '', 'STRICT', 'LOOPING', 'TIMES', [], {}));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...all), value), { minLength: 1, maxLength: 3 }), (changes) => {
        let d: unknown = base;
        for (const [path, v] of changes) {
          try {
            d = withValue(d, path, v);
          } catch {
            // an earlier change removed the path
          }
        }
        try {
          const rules = loadRulesJson(d);
          // what loads also runs
          const engine = new RuleEngine({ rules, onOutput: () => {} });
          engine.push({ event_code: 'VIEW', event_time: 1, user_id: 'u', extra_info: {} } as StandardEvent);
          engine.flush();
        } catch (e) {
          if (!(e instanceof RuleJsonError) && !(e instanceof RuleError)) throw e;
        }
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 2000) },
    );
  });
});

describe('composite partition keys', () => {
  const rule = compileRules('RULENAME: "k"\na: A\nEVENT a\nPARTITION BY a.user_id, a.extra_info.shop\nRETURN n=COUNT(a)')[0];
  const key = (user: unknown, shop: unknown) => rule.key({ event_code: 'A', event_time: 0, user_id: user as string, extra_info: shop === undefined ? {} : { shop } });

  it('do not collide when a field holds the separator, or is missing where another is empty', () => {
    expect(key('a|b', 'c')).not.toEqual(key('a', 'b|c'));
    expect(key('u', undefined)).not.toEqual(key('u', ''));
    expect(key('u', null)).toEqual(key('u', undefined));
    expect(key('u', '7')).toEqual(key('u', 7));
    expect(key('u', 's')).toBe('["u","s"]');
  });
});
