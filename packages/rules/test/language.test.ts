import { describeCondition, type Pattern } from '@cepheus/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRules, RuleEngine, type StandardEvent } from '../src/index.ts';
import { errorOf } from './helpers.ts';

/** A rule declaring exactly the variables a, b, c that its EVENT line uses. */
const rule = (body: string) => {
  const seq = /EVENT([^\n]*)/.exec(body)?.[1] ?? '';
  const decls = ['a', 'b', 'c'].filter((v) => new RegExp(`\\b${v}\\b`).test(seq)).map((v) => `${v}: ${v.toUpperCase()}`);
  return `RULENAME: "r"\n${decls.join('\n')}\n${body}\n`;
};
const explain = (text: string) => compileRules(text)[0].patternText;

describe('EVENT sequence operators map to one pattern construct each', () => {
  it.each([
    ['a -> b', ".followedBy('b')"],
    ['a ->> b', ".followedByAny('b')"],
    ['a , b', ".next('b')"],
    ['a -> !b -> c', ".notFollowedBy('b')"],
    ['a , !b -> c', ".notNext('b')"],
    ['a+ -> b', '.oneOrMore()'],
    ['a* -> b', '.oneOrMore().optional()'],
    ['a? -> b', '.optional()'],
    ['a{3} -> b', '.times(3)'],
    ['a{2,} -> b', '.timesOrMore(2)'],
    ['a{2,4} -> b', '.times(2, 4)'],
    ['a -> (b , c)+', ".followedBy(Pattern.begin('b')"],
  ])('%s', (seq, expected) => {
    expect(explain(rule(`EVENT ${seq}\nWITHIN 1 MINUTE`))).toContain(expected);
  });

  it('defaults to AFTER MATCH SKIP PAST LAST EVENT, and takes the others', () => {
    expect(explain(rule('EVENT a -> b'))).toContain('skipPastLastEvent()');
    expect(explain(rule('EVENT a -> b\nAFTER MATCH SKIP TO NEXT'))).toContain('skipToNext()');
    expect(explain(rule('EVENT a -> b\nAFTER MATCH NO SKIP'))).toContain('noSkip()');
    expect(explain(rule('EVENT a -> b\nAFTER MATCH SKIP TO LAST b'))).toContain("skipToLast('b')");
  });

  it('reads WITHIN units, singular or plural', () => {
    expect(compileRules(rule('EVENT a -> b\nWITHIN 2 HOURS'))[0].withinMs).toBe(7_200_000);
    expect(compileRules(rule('EVENT a -> b\nWITHIN 1500 millisecond'))[0].withinMs).toBe(1500);
  });
});

describe('partition keys', () => {
  it('uses PARTITION BY, else WHERE equalities joining every variable, else user_id', () => {
    expect(compileRules(rule('EVENT a -> b\nPARTITION BY a.extra_info.shop'))[0].keyDescription).toMatch(/^extra_info.shop \(PARTITION BY\)/);
    expect(compileRules(rule('EVENT a -> b -> c\nWHERE b.extra_info.item = a.extra_info.item AND c.extra_info.item = b.extra_info.item'))[0].keyDescription).toMatch(
      /^extra_info.item \(inferred/,
    );
    expect(compileRules(rule('EVENT a -> b -> c\nWHERE b.extra_info.item = a.extra_info.item'))[0].keyDescription).toBe('user_id (default)');
  });
});

describe('errors carry rule, line, column, caret and hint', () => {
  it.each([
    ['unknown variable in EVENT', rule('EVENT a -> x'), 3, 12, /unknown variable 'x'/, /declare it/],
    ['unknown variable in WHERE', rule('EVENT a -> b\nWHERE z.v = 1'), 5, 7, /unknown variable 'z'/, /variables are a, b;/],
    ['unknown function', rule('EVENT a+\nWHERE MEDIAN(a.v) > 1'), 4, 7, /unknown function MEDIAN/, /SUM, COUNT/],
    ['unknown unit', rule('EVENT a -> b\nWITHIN 3 WEEKS'), 5, 10, /unknown time unit/, /MINUTE/],
    ['aggregate in the wrong place', rule('EVENT a -> b\nWHERE SUM(b.v) > 1'), 5, 7, /aggregate over 'b'/, /repeated variables/],
    ['unterminated string', rule("EVENT a\nWHERE a.v = 'x"), 4, 13, /unterminated string/, /close it/],
    ['missing EVENT', 'RULENAME "r"\na: A\nWHERE a.v = 1', 3, 1, /expected EVENT/, /EVENT followed by the sequence/],
    ['negated start', rule('EVENT !a -> b'), 4, 7, /cannot start with a negated/, /not between/],
    ['duplicate clause', rule('EVENT a\nWITHIN 1 SECOND\nWITHIN 2 SECOND'), 5, 1, /WITHIN appears twice/, /combine/],
    ['trailing negation without a window', rule('EVENT a -> !b'), 4, 12, /ends with '-> !b', "no b afterwards"/, /add WITHIN/],
    ['repetition of nothing', rule('EVENT a{0} -> b'), 4, 8, /\{0\} takes no event/, /at least once/],
    ['bounds the wrong way round', rule('EVENT a{3,2} -> b'), 4, 8, /upper bound below its lower bound/, /\{2,3\}/],
    ['mistyped clause', rule('EVENT a -> b\nWERE a.v = 1'), 5, 1, /unexpected 'WERE'/, /did you mean WHERE\?/],
    ['mistyped EVENT', 'RULENAME "r"\na: A\nEVENTS a', 3, 1, /expected EVENT/, /did you mean EVENT\?/],
    ['mistyped unit', rule('EVENT a -> b\nWITHIN 5 MINUTS'), 5, 10, /unknown time unit/, /did you mean MINUTE\?/],
    ['LIKE a number', rule('EVENT a -> b\nWHERE a.extra_info.code LIKE 5'), 5, 30, /LIKE 5 can never hold/, /LIKE '5%'/],
    ['comparison with NULL', rule('EVENT a -> b\nWHERE a.extra_info.code = NULL'), 5, 7, /comparison with NULL is never true/, /IS NULL/],
    ['two constants', rule("EVENT a -> b\nWHERE 1 = '1'"), 5, 7, /compares two constants/, /compare a field/],
  ])('%s', (_name, text, line, column, message, hint) => {
    const e = errorOf(text);
    expect(e.message).toMatch(message);
    expect(e.hint).toMatch(hint);
    expect([e.span.line, e.span.column]).toEqual([line, column]);
    const formatted = e.format();
    expect(formatted).toContain(`test.cep:${line}:${column}`);
    expect(formatted).toMatch(/\n\s*\d* \| +\^+/);
  });

  it('names the rule the error is in', () => {
    expect(errorOf('RULENAME "ok"\na: A\nEVENT a\nRULENAME "broken"\nb: B\nEVENT b -> q').format()).toContain('error in rule "broken"');
  });
});

describe('expressions', () => {
  const ev = (extra: Record<string, unknown>): StandardEvent => ({ event_code: 'A', event_time: 0, user_id: 'u', extra_info: extra });
  const accepts = (where: string, extra: Record<string, unknown>) => {
    const r = compileRules(`RULENAME "r"\na: A\nEVENT a\nREPEAT 1+\nWHERE ${where}\nWITHIN 1 MINUTE`)[0];
    return r.repeat!.accepts(ev(extra));
  };

  it.each([
    ["a.extra_info.x = 'y'", { x: 'y' }, true],
    ['a.extra_info.n > 5 AND a.extra_info.n <= 10', { n: '7' }, true],
    ["a.extra_info.c IN ('r', 'g')", { c: 'b' }, false],
    ["a.extra_info.c NOT IN ('r', 'g')", { c: 'b' }, true],
    ["a.extra_info.s LIKE 'ab%'", { s: 'abc' }, true],
    ["a.extra_info.s LIKE 'a_c'", { s: 'abbc' }, false],
    ['a.extra_info.missing IS NULL', {}, true],
    ['NOT (a.extra_info.n + 1) * 2 = 8', { n: 3 }, false],
    ["a.extra_info['k'] = 1 OR a.extra_info[k] = 2", { k: 2 }, true],
    ['a.extra_info.missing = a.extra_info.missing2', {}, false],
    // objects and arrays compare by their JSON text; booleans by theirs
    ["a.extra_info.tags = 'vip'", { tags: ['vip'] }, false],
    ['a.extra_info.tags = \'["vip"]\'', { tags: ['vip'] }, true],
    ["a.extra_info.tags LIKE 'v%'", { tags: ['vip'] }, false],
    ["a.extra_info.flag = 'true'", { flag: true }, true],
  ])('%s on %j is %s', (where, extra, expected) => {
    expect(accepts(where, extra)).toBe(expected);
  });

  it('makes conditions as data of fields equal to or in a list of plain strings, and of nothing else', () => {
    const where = (w: string) => {
      const r = compileRules(`RULENAME "r"\na: A | B\nEVENT a\nWHERE ${w}`)[0];
      return describeCondition((r.pattern as Pattern<StandardEvent>).condition);
    };
    expect(where("a.extra_info.page = 'cart' AND 'eu' = a.extra_info.region AND a.extra_info.c IN ('r', 'g')")).toBe(
      '(event_code in ["A", "B"] and extra_info.page == "cart" and extra_info.region == "eu" and extra_info.c in ["r", "g"])',
    );
    // numeric text, TRUE spelled as text, JSON text and other shapes keep the rule's own comparison
    for (const w of ["a.extra_info.n = '5'", "a.extra_info.f = 'true'", "a.extra_info.t = '[1]'", "a.extra_info.c NOT IN ('r')", "a.extra_info.c != 'r'", 'a.extra_info.n = 5']) {
      expect(where(w)).toMatch(/^\(event_code in \["A", "B"\] and \(e\) => \.\.\.\)$/);
    }
  });

  it('gives the same verdict through conditions as data as through the evaluator', () => {
    const literal = fc.constantFrom('x', 'vip', '5', ' 5 ', '0x10', 'true', '[1]', '{}', '', 'null');
    const value = fc.oneof(literal, fc.constantFrom(5, 16, 0, true, false, null, ['vip'], [1], {}, { a: 1 }, ['x', 'y']));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('p', 'q'), value), literal, fc.array(literal, { minLength: 1, maxLength: 3 }), (extra, lit, list) => {
        const quote = (l: string) => `'${l}'`;
        for (const w of [`a.extra_info.p = ${quote(lit)}`, `a.extra_info.q IN (${list.map(quote).join(', ')})`]) {
          // NOT NOT (...) is never made data: the evaluator's own answer
          expect(accepts(w, extra)).toBe(accepts(`NOT NOT (${w})`, extra));
        }
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });

  it('never reaches prototypes or globals from a rule', () => {
    expect(accepts('a.extra_info.constructor IS NULL', {})).toBe(true);
    expect(accepts('a.extra_info.__proto__ IS NULL', {})).toBe(true);
    expect(accepts('a.extra_info.toString IS NULL', {})).toBe(true);
    // arrays inherit more names; their own elements and length are read
    expect(accepts('a.extra_info.items.map IS NULL AND a.extra_info.items.push IS NULL', { items: [1] })).toBe(true);
    expect(accepts("a.extra_info.items.length = 2 AND a.extra_info.items['0'] = 'x'", { items: ['x', 'y'] })).toBe(true);
    expect(accepts('a.extra_info.hasOwnProperty IS NULL', { hasOwnProperty: null })).toBe(true);
    expect(accepts("a.extra_info.valueOf = 'own'", { valueOf: 'own' })).toBe(true);
  });
});

describe('partition keys', () => {
  it('treats a number and the text that spells it as one key, and reports the key as text', () => {
    const out: StandardEvent[] = [];
    const engine = new RuleEngine({ rules: compileRules('RULENAME "two"\na: A\nEVENT a\nREPEAT 2+ SAME a.user_id\nWITHIN 1 MINUTE'), onOutput: (e) => out.push(e) });
    const ev = (user_id: string | number, t: number): StandardEvent => ({ event_code: 'A', event_time: t, user_id, extra_info: {} });
    // 7 and "7" are one key; "07" and "7.0" are others (as their text differs)
    for (const [u, t] of [
      [7, 1],
      ['07', 2],
      ['7', 3],
      ['7.0', 4],
      [7.5, 5],
      ['07', 6],
    ] as const)
      engine.push(ev(u, t));
    engine.flush();
    expect(out.map((e) => [e.user_id, e.event_time])).toEqual([
      ['7', 3],
      ['07', 6],
    ]);
  });
});

describe('rule chaining', () => {
  it('feeds a rule the outputs another rule emits when a window closes (trailing negation)', () => {
    const rules = compileRules(`RULENAME "abandoned"
v: VIEW
b: BUY
EVENT v -> !b
WITHIN 1 MINUTE

RULENAME "twice_abandoned"
x: abandoned
y: abandoned
EVENT x -> y
WITHIN 1 HOUR`);
    const out: StandardEvent[] = [];
    const late: StandardEvent[] = [];
    const engine = new RuleEngine({ rules, onOutput: (e) => out.push(e), onLate: (e) => late.push(e) });
    const ev = (event_code: string, s: number): StandardEvent => ({ event_code, event_time: s * 1000, user_id: 'u1', extra_info: {} });
    // two views without a purchase within a minute, then time passes
    for (const e of [ev('VIEW', 0), ev('PING', 30), ev('PING', 59), ev('VIEW', 70), ev('PING', 100), ev('PING', 200)]) engine.push(e);
    engine.flush();
    expect(late).toEqual([]);
    expect(out.map((e) => `${e.event_code}@${e.event_time / 1000}`)).toEqual(['abandoned@0', 'abandoned@70', 'twice_abandoned@70']);
  });
});

describe('REPEAT windows', () => {
  const text = 'RULENAME "burst"\ne: SEND\nEVENT e\nREPEAT 3+ SAME e.user_id HAVING DISTINCT(e.extra_info.to) >= 3\nWITHIN 1 SECOND\nRETURN n=COUNT(e)\n';
  const send = (user: string, t: number, to: string): StandardEvent => ({ event_code: 'SEND', event_time: t, user_id: user, extra_info: { to } });

  it('does not keep the window of a key that went quiet once its events are older than WITHIN', () => {
    const outputs: StandardEvent[] = [];
    const engine = new RuleEngine({ rules: compileRules(text), onOutput: (e) => outputs.push(e) });
    // 5,000 users send twice (no rule fires), then one user keeps sending for 10 seconds
    for (let u = 0; u < 5000; u++) engine.push(send(`u${u}`, Math.floor(u / 50), 'x'));
    for (let u = 0; u < 5000; u++) engine.push(send(`u${u}`, 100 + Math.floor(u / 50), 'y'));
    expect(engine.keyCount).toBe(5000);
    for (let t = 1000; t < 11_000; t++) engine.push(send('busy', t, `t${t % 2}`));
    expect(engine.keyCount).toBe(1);
    expect(outputs).toEqual([]); // the busy user reaches only 2 distinct recipients
  });

  it('fires for a key whose old window left exactly as for a new key', () => {
    const run = (events: StandardEvent[]) => {
      const out: StandardEvent[] = [];
      const engine = new RuleEngine({ rules: compileRules(text), onOutput: (e) => out.push(e) });
      for (const e of events) engine.push(e);
      engine.flush();
      return out;
    };
    const late = [send('u', 5000, 'a'), send('u', 5001, 'b'), send('u', 5002, 'c')];
    expect(run([send('u', 0, 'a'), send('u', 1, 'b'), ...late])).toEqual(run(late));
  });
});
