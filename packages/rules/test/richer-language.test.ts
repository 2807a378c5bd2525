import { describe, expect, it } from 'vitest';
import { compileRules, loadRulesJson, parseRules, RuleEngine, rulesToJson, TimeZone, type StandardEvent } from '../src/index.ts';
import { errorOf } from './helpers.ts';

type Extra = Record<string, unknown>;
const ev = (event_code: string, s: number, extra_info: Extra = {}, user_id = 'u'): StandardEvent => ({ event_code, event_time: s * 1000, user_id, extra_info });

/** The RETURN fields of every output of the rules over the events. */
function outputs(rules: string, events: StandardEvent[], timeZone?: string): Extra[] {
  const out: Extra[] = [];
  const compiled = compileRules(rules, 'test.cep', timeZone ? { timeZone: TimeZone.parse(timeZone) } : {});
  const engine = new RuleEngine({ rules: compiled, onOutput: (e) => out.push(e.extra_info) });
  for (const e of events) engine.push(e);
  engine.flush();
  // the JSON form compiles to the same rules
  const again: Extra[] = [];
  const fromJson = loadRulesJson(JSON.stringify(rulesToJson(parseRules(rules))), 'rules.json', timeZone ? { timeZone: TimeZone.parse(timeZone) } : {});
  const engine2 = new RuleEngine({ rules: fromJson, onOutput: (e) => again.push(e.extra_info) });
  for (const e of events) engine2.push(e);
  engine2.flush();
  expect(again).toEqual(out);
  return out;
}

const one = (returns: string, where = '') => `RULENAME "r"\na: A\nEVENT a\n${where ? `WHERE ${where}\n` : ''}RETURN ${returns}`;

describe('scalar functions', () => {
  it.each([
    ["COALESCE(a.extra_info.missing, a.extra_info.name, 'x')", 'Ab Cé'],
    ['ABS(a.extra_info.n)', 2.5],
    ['LOWER(a.extra_info.name)', 'ab cé'],
    ['UPPER(a.extra_info.name)', 'AB CÉ'],
    ['LENGTH(a.extra_info.name)', 5],
    ['LENGTH(a.extra_info.emoji)', 2],
    ['SUBSTR(a.extra_info.name, 2)', 'b Cé'],
    ['SUBSTR(a.extra_info.name, 4, 1)', 'C'],
    ["CONCAT(a.extra_info.name, '-', a.extra_info.missing, a.extra_info.n)", 'Ab Cé--2.5'],
    ['ROUND(a.extra_info.n)', -3],
    ['ROUND(a.extra_info.pi, 2)', 3.14],
    ['FLOOR(a.extra_info.pi)', 3],
    ['CEIL(a.extra_info.pi)', 4],
    ['ABS(a.extra_info.missing)', null],
    ['UPPER(a.extra_info.missing)', null],
  ])('%s', (call, expected) => {
    const [out] = outputs(one(`v=${call}`), [ev('A', 1, { name: 'Ab Cé', n: -2.5, pi: 3.14159, emoji: '😀😀' })]);
    expect(out.v).toEqual(expected);
  });

  it('reads HOUR_OF_DAY and DAY_OF_WEEK in the rule’s time zone', () => {
    const t = Date.parse('2024-01-07T23:30:00Z'); // a Sunday in UTC, Monday 07:30 in Shanghai
    const rule = one('h=HOUR_OF_DAY(a.event_time), d=DAY_OF_WEEK(a.event_time), th=HOUR_OF_DAY(a.extra_info.at)');
    const e: StandardEvent = { event_code: 'A', event_time: t, user_id: 'u', extra_info: { at: '2024-01-07 10:00:00' } };
    expect(outputs(rule, [e])).toEqual([{ h: 23, d: 7, th: 10 }]);
    expect(outputs(rule, [e], 'Asia/Shanghai')).toEqual([{ h: 7, d: 1, th: 10 }]);
  });

  it('filters in WHERE', () => {
    const rule = one('n=a.extra_info.name', "LOWER(a.extra_info.name) LIKE 'vip%' AND HOUR_OF_DAY(a.event_time) < 6");
    expect(outputs(rule, [ev('A', 1, { name: 'VIP-1' }), ev('A', 7 * 3600, { name: 'vip-2' }), ev('A', 2, { name: 'guest' })])).toEqual([{ n: 'VIP-1' }]);
  });

  it('rejects unknown functions, with the nearest name, and wrong numbers of arguments', () => {
    expect(errorOf(one('v=LOWR(a.extra_info.x)')).hint).toBe('did you mean LOWER?');
    const e = errorOf(one('v=SUBSTR(a.extra_info.x)'));
    expect(e.message).toBe('SUBSTR takes 2 to 3 arguments, not 1');
    expect([e.span.line, e.span.column]).toEqual([4, 10]);
    expect(errorOf(one('v=ABS(a.extra_info.x, 2)')).message).toBe('ABS takes 1 argument, not 2');
  });
});

describe('CASE', () => {
  it('takes the first WHEN that holds, else ELSE, else NULL', () => {
    const rule = one(
      "tier=CASE WHEN a.extra_info.amount >= 1000 THEN 'gold' WHEN a.extra_info.amount >= 100 THEN 'silver' ELSE 'basic' END, big=CASE WHEN a.extra_info.amount > 5000 THEN TRUE END",
    );
    expect(outputs(rule, [ev('A', 1, { amount: 1500 }), ev('A', 2, { amount: 150 }), ev('A', 3, { amount: 5 })])).toEqual([
      { tier: 'gold', big: null },
      { tier: 'silver', big: null },
      { tier: 'basic', big: null },
    ]);
  });

  it('works in WHERE and HAVING', () => {
    const rule = `RULENAME "r"\na: A\nEVENT a\nWHERE CASE WHEN a.extra_info.kind = 'refund' THEN -a.extra_info.amount ELSE a.extra_info.amount END > 0\nREPEAT 2+ HAVING CASE WHEN COUNT(a) > 2 THEN TRUE ELSE SUM(a.extra_info.amount) > 10 END\nWITHIN 1 MINUTE\nRETURN n=COUNT(a)`;
    expect(outputs(rule, [ev('A', 1, { amount: 3 }), ev('A', 2, { amount: 4, kind: 'refund' }), ev('A', 3, { amount: 4 }), ev('A', 4, { amount: 20 })])).toEqual([{ n: 3 }]);
  });

  it('needs WHEN and END', () => {
    expect(errorOf(one("v=CASE ELSE 'x' END")).message).toMatch(/expected WHEN after CASE/);
    expect(errorOf(one("v=CASE WHEN a.x = 1 THEN 'x'")).message).toMatch(/expected END/);
  });
});

describe('navigation: PREV, FIRST, LAST', () => {
  const rising = `RULENAME "rising"\np: PRICE\nEVENT p{3}\nWHERE p.extra_info.v > PREV(p.extra_info.v) OR PREV(p.extra_info.v) IS NULL\nWITHIN 1 HOUR\nAFTER MATCH SKIP PAST LAST EVENT\nRETURN first=FIRST(p.extra_info.v), second=FIRST(p.extra_info.v, 1), last=LAST(p.extra_info.v), before=LAST(p.extra_info.v, 1), prev=PREV(p.extra_info.v)`;

  it('reads the events a repeated variable took, the current one last', () => {
    const prices = [5, 6, 4, 7, 8, 9].map((v, i) => ev('PRICE', i + 1, { v }));
    // 5, 6 then 4 breaks the rise for that run; relaxed repetition lets 5, 6, 7 and others match
    const out = outputs(rising, prices);
    expect(out[0]).toEqual({ first: 5, second: 6, last: 7, before: 6, prev: 6 });
    for (const o of out) expect((o.first as number) < (o.second as number) && (o.second as number) < (o.last as number)).toBe(true);
  });

  it('rejects navigation over a single-event variable, and in the WHERE of a REPEAT rule', () => {
    expect(errorOf('RULENAME "r"\na: A\nb: B\nEVENT a -> b\nWHERE b.extra_info.v > PREV(a.extra_info.v)').message).toBe("PREV over 'a', which takes a single event");
    expect(errorOf('RULENAME "r"\na: A\nEVENT a\nWHERE a.extra_info.v > PREV(a.extra_info.v)\nREPEAT 2+\nWITHIN 1 MINUTE').message).toMatch(/PREV in the WHERE of a REPEAT rule/);
  });

  it('reads the window in a REPEAT rule’s HAVING', () => {
    const rule =
      'RULENAME "r"\na: A\nEVENT a\nREPEAT 3+ HAVING LAST(a.extra_info.v) > FIRST(a.extra_info.v) + 10\nWITHIN 1 MINUTE\nRETURN d=LAST(a.extra_info.v) - FIRST(a.extra_info.v)';
    expect(
      outputs(
        rule,
        [1, 2, 5, 30, 31, 32].map((v, i) => ev('A', i + 1, { v })),
      ),
    ).toEqual([{ d: 29 }]);
  });
});

describe('the any-event variable x: *', () => {
  const codes = (rules: string, seq: string[]) =>
    outputs(
      rules,
      seq.map((c, i) => ev(c, i + 1)),
    ).length;

  it('says that nothing happened in between', () => {
    const rule = 'RULENAME "r"\ns: SEARCH\nx: *\nc: CLICK\nEVENT s -> !x -> c\nWITHIN 1 MINUTE';
    expect(codes(rule, ['SEARCH', 'CLICK'])).toBe(1);
    expect(codes(rule, ['SEARCH', 'PAGE_SCROLL', 'CLICK'])).toBe(0);
  });

  it('with WHERE, that nothing but some events happened in between', () => {
    const rule = 'RULENAME "r"\ns: SEARCH\nx: *\nc: CLICK\nEVENT s -> !x -> c\nWHERE x.event_code != \'PAGE_SCROLL\'\nWITHIN 1 MINUTE';
    expect(codes(rule, ['SEARCH', 'PAGE_SCROLL', 'PAGE_SCROLL', 'CLICK'])).toBe(1);
    expect(codes(rule, ['SEARCH', 'PAGE_SCROLL', 'LOGOUT', 'CLICK'])).toBe(0);
  });

  it('takes any event, and makes the rule read every event of its partition', () => {
    const burst = 'RULENAME "burst"\nx: *\nEVENT x\nREPEAT 3+\nWITHIN 1 MINUTE\nRETURN n=COUNT(x)';
    expect(
      outputs(
        burst,
        ['A', 'B', 'C'].map((c, i) => ev(c, i + 1)),
      ),
    ).toEqual([{ n: 3 }]);
    expect(compileRules(burst)[0].allEvents).toBe(true);
    const between = 'RULENAME "r"\na: A\nx: *\nb: B\nEVENT a , x , b\nRETURN mid=x.event_code';
    expect(
      outputs(
        between,
        ['A', 'Q', 'B'].map((c, i) => ev(c, i + 1)),
      ),
    ).toEqual([{ mid: 'Q' }]);
  });

  it('reads only the INPUT codes when INPUT narrows the rule', () => {
    const rule = 'RULENAME "r"\ns: SEARCH\nx: *\nc: CLICK\nEVENT s -> !x -> c\nINPUT SEARCH | CLICK | LOGOUT\nWITHIN 1 MINUTE';
    expect(codes(rule, ['SEARCH', 'PAGE_SCROLL', 'CLICK'])).toBe(1);
    expect(codes(rule, ['SEARCH', 'LOGOUT', 'CLICK'])).toBe(0);
  });
});

describe('greedy and reluctant repetitions', () => {
  const run = (seq: string, codes: string, extra = '') =>
    outputs(
      `RULENAME "r"\na: A\nb: A | B\nEVENT ${seq}\nWITHIN 1 MINUTE\n${extra}\nRETURN n=COUNT(a), b=b.event_code`,
      [...codes].map((c, i) => ev(c, i + 1)),
    ).map((o) => `${o.n}${o.b}`);

  it('repeats as many times as it can by default (greedy), as few as it must when reluctant', () => {
    expect(run('a+ -> b', 'AAB')).toEqual(['2B']);
    expect(run('a+? -> b', 'AAB')).toEqual(['1A']);
    expect(run('a{1,} -> b', 'AAB')).toEqual(['2B']);
    expect(run('a{1,}? -> b', 'AAB')).toEqual(['1A']);
    expect(run('a+ -> b', 'AAAB', 'AFTER MATCH NO SKIP')).toEqual(['3B', '2B', '1B']);
    expect(run('a+? -> b', 'AAAB', 'AFTER MATCH NO SKIP')).toEqual(['1A', '2A', '1A', '3B', '2B', '1B']);
  });

  it('maps to Flink: greedy() on a repetition that is not last, the plain quantifier otherwise', () => {
    const text = (seq: string) => compileRules(`RULENAME "r"\na: A\nb: B\nEVENT ${seq}\nWITHIN 1 MINUTE`)[0].patternText;
    expect(text('a+ -> b')).toContain('.oneOrMore().greedy()');
    expect(text('a+? -> b')).not.toContain('greedy');
    expect(text('a -> b+')).not.toContain('greedy'); // last: reluctant, as MATCH_RECOGNIZE requires
    expect(text('a{2} -> b')).not.toContain('greedy'); // an exact count has nothing to choose
  });

  it('rejects what Flink cannot compile, saying how to write it', () => {
    const e = errorOf('RULENAME "r"\na: A\nb: B\nc: C\nEVENT a+ -> b? -> c\nWITHIN 1 MINUTE');
    expect(e.message).toContain('a greedy repetition cannot be followed by an optional element');
    expect(e.hint).toContain('a+?');
    expect([e.span.line, e.span.column]).toEqual([5, 8]);
    expect(compileRules('RULENAME "r"\na: A\nb: B\nc: C\nEVENT a+? -> b? -> c\nWITHIN 1 MINUTE')).toHaveLength(1);
    expect(errorOf('RULENAME "r"\na: A\nb: B\nEVENT a?? -> b').message).toContain('reluctant optional');
  });

  it('reads JSON documents without GREEDY as reluctant, as they were written before greedy repetitions', () => {
    const doc = rulesToJson(parseRules('RULENAME "r"\na: A\nb: A | B\nEVENT a+ -> b\nWITHIN 1 MINUTE'));
    const node = doc.rules[0].nodes[0] as { quantifier: { properties: string[] } };
    expect(node.quantifier.properties).toContain('GREEDY');
    node.quantifier.properties = node.quantifier.properties.filter((p) => p !== 'GREEDY');
    expect(loadRulesJson(JSON.stringify(doc))[0].patternText).not.toContain('greedy');
  });
});

describe('PERMUTE', () => {
  const rule = (extra = '') =>
    `RULENAME "r"\ns: START\na: A\nb: B\nc: C\nEVENT s -> PERMUTE(a, b, c)\nWITHIN 1 MINUTE\n${extra}\nRETURN order=CONCAT(a.event_time, ',', b.event_time, ',', c.event_time)`;
  const run = (text: string, codes: string) =>
    outputs(
      text,
      [...codes].map((c, i) => ev({ S: 'START', A: 'A', B: 'B', C: 'C', X: 'X' }[c]!, i)),
    ).map((o) => o.order);

  it('matches the variables in any order', () => {
    expect(run(rule(), 'SABC')).toEqual(['1000,2000,3000']);
    expect(run(rule(), 'SCAB')).toEqual(['2000,3000,1000']);
    expect(run(rule(), 'SBXCA')).toEqual(['4000,1000,3000']);
    expect(run(rule(), 'SAB')).toEqual([]);
  });

  it('shares one skip strategy across the orders: a match ends the runs of the other orders it overlaps', () => {
    const two = (extra = '') => `RULENAME "r"\na: A\nb: B\nEVENT PERMUTE(a, b)\nWITHIN 1 MINUTE\n${extra}\nRETURN at=CONCAT(a.event_time, ',', b.event_time)`;
    const codes = (text: string, seq: string) =>
      outputs(
        text,
        [...seq].map((c, i) => ev(c, i)),
      ).map((o) => o.at);
    expect(codes(two(), 'ABAB')).toEqual(['0,1000', '2000,3000']);
    expect(codes(two('AFTER MATCH NO SKIP'), 'ABAB')).toEqual(['0,1000', '2000,1000', '2000,3000']);
  });

  it('gives WHERE conditions to the variable that comes last in each order', () => {
    const text = `RULENAME "r"\na: A\nb: B\nEVENT PERMUTE(a, b)\nWHERE b.extra_info.item = a.extra_info.item\nWITHIN 1 MINUTE\nRETURN item=a.extra_info.item`;
    const items = (seq: [string, string][]) =>
      outputs(
        text,
        seq.map(([c, item], i) => ev(c, i, { item })),
      ).map((o) => o.item);
    expect(
      items([
        ['B', 'x'],
        ['A', 'y'],
        ['A', 'x'],
      ]),
    ).toEqual(['x']);
    expect(
      items([
        ['A', 'x'],
        ['B', 'y'],
        ['B', 'x'],
      ]),
    ).toEqual(['x']);
  });

  it('rejects too many orders, and PERMUTE in a group or a REPEAT rule', () => {
    const vars = ['a', 'b', 'c', 'd', 'e', 'f'];
    const many = `RULENAME "r"\n${vars.map((v) => `${v}: ${v.toUpperCase()}`).join('\n')}\nEVENT PERMUTE(${vars.join(', ')})\nWITHIN 1 MINUTE`;
    expect(errorOf(many).message).toMatch(/makes 720 orders, more than the 120/);
    expect(errorOf('RULENAME "r"\na: A\nb: B\nc: C\nEVENT c -> (PERMUTE(a, b))+\nWITHIN 1 MINUTE').message).toMatch(/PERMUTE cannot be inside a group/);
  });
});
