import { describe, expect, it } from 'vitest';
import { compileRules, RuleEngine, RuleError, RuleErrors, type StandardEvent } from '../src/index.ts';
import { errorOf } from './helpers.ts';

/** Runs the rules over events given as "CODE@seconds[:user]" and returns "rule@seconds" per output. */
function run(rules: string, events: string[]): string[] {
  const out: string[] = [];
  const engine = new RuleEngine({ rules: compileRules(rules, 'test.cep'), onOutput: (e, rule) => out.push(`${rule}@${e.event_time / 1000}`) });
  for (const spec of events) {
    const [, code, s, user] = /^(\w+)@(\d+)(?::(\w+))?$/.exec(spec)!;
    const e: StandardEvent = { event_code: code, event_time: Number(s) * 1000, user_id: user ?? 'u1', extra_info: {} };
    engine.push(e);
  }
  engine.flush();
  return out;
}

const searchThenClick = (extra = '') => `RULENAME "search_click"\ns: SEARCH\nc: CLICK\nEVENT s , c\n${extra}`;

describe('strict contiguity sees every event of the partition', () => {
  it('does not match across an event of a code the rule does not declare', () => {
    expect(run(searchThenClick(), ['SEARCH@1', 'PAGE_SCROLL@2', 'CLICK@3'])).toEqual([]);
    expect(run(searchThenClick(), ['SEARCH@1', 'CLICK@3'])).toEqual(['search_click@3']);
  });

  it('counts only the partition’s own events as next', () => {
    expect(run(searchThenClick(), ['SEARCH@1', 'PAGE_SCROLL@2:u2', 'CLICK@3'])).toEqual(['search_click@3']);
  });

  it('takes any other event as the one right after for a notNext', () => {
    const rule = 'RULENAME "bounced"\ns: SEARCH\nc: CLICK\nl: LEAVE\nEVENT s , !c -> l\nWITHIN 1 MINUTE';
    // the event right after the search is a scroll, not a click: the search did not lead to a click at once
    expect(run(rule, ['SEARCH@1', 'PAGE_SCROLL@2', 'CLICK@3', 'LEAVE@4'])).toEqual(['bounced@4']);
    expect(run(rule, ['SEARCH@1', 'CLICK@2', 'LEAVE@4'])).toEqual([]);
  });

  it('keeps reading only its own codes when INPUT narrows it', () => {
    expect(run(searchThenClick('INPUT SEARCH | CLICK'), ['SEARCH@1', 'PAGE_SCROLL@2', 'CLICK@3'])).toEqual(['search_click@3']);
    expect(run(searchThenClick('INPUT SEARCH | CLICK | PAGE_SCROLL'), ['SEARCH@1', 'PAGE_SCROLL@2', 'CLICK@3', 'OTHER@4'])).toEqual([]);
    expect(compileRules(searchThenClick())[0].allEvents).toBe(true);
    expect(compileRules('RULENAME r\na: A\nb: B\nEVENT a -> b')[0].allEvents).toBe(false);
  });

  it('rejects an INPUT that leaves out a code the variables match', () => {
    const e = errorOf(searchThenClick('INPUT SEARCH'));
    expect(e.message).toContain('INPUT leaves out CLICK');
    expect([e.span.line, e.span.column]).toEqual([5, 1]);
  });

  it('does not see the outputs of rules it does not read', () => {
    const rules = `${searchThenClick()}\n\nRULENAME "searched"\nx: SEARCH\nEVENT x`;
    expect(run(rules, ['SEARCH@1', 'CLICK@2'])).toEqual(['searched@1', 'search_click@2']);
  });
});

describe('windows', () => {
  it.each(['0 SECONDS', '0 MILLISECOND', '0.5 MILLISECONDS'])('rejects WITHIN %s', (w) => {
    const e = errorOf(`RULENAME r\na: A\nb: B\nEVENT a -> b\nWITHIN ${w}`);
    expect(e.message).toMatch(/^a window of .* is (empty|shorter than a millisecond)$/);
    expect([e.span.line, e.span.column]).toEqual([5, 8]);
  });
});

describe('events that lack the partition key', () => {
  const rule = 'RULENAME "two_in_shop"\na: A\nb: B\nEVENT a -> b\nPARTITION BY a.extra_info.shop\nWITHIN 1 MINUTE';
  const ev = (event_code: string, s: number, user_id: string, extra_info: Record<string, unknown>): StandardEvent => ({ event_code, event_time: s * 1000, user_id, extra_info });

  it('belong to no partition: reported, counted, and never matched with other events', () => {
    const out: string[] = [];
    const unkeyed: string[] = [];
    const engine = new RuleEngine({
      rules: compileRules(rule),
      onOutput: (e) => out.push(`${e.user_id}@${e.event_time / 1000}`),
      onUnkeyed: (e, r) => unkeyed.push(`${r} ${e.user_id}`),
    });
    for (const e of [ev('A', 1, 'u1', {}), ev('B', 2, 'u2', { shop: null }), ev('A', 3, 'u3', { shop: 's' }), ev('B', 4, 'u4', { shop: 's' }), ev('C', 5, 'u5', {})])
      engine.push(e);
    engine.flush();
    expect(out).toEqual(['s@4']);
    expect(unkeyed).toEqual(['two_in_shop u1', 'two_in_shop u2']);
    expect(engine.stats.unkeyed).toBe(2);
  });

  it('in a composite key too, where a missing part is not the empty string', () => {
    const composite = rule.replace('PARTITION BY a.extra_info.shop', 'PARTITION BY a.extra_info.shop, a.extra_info.till');
    const out: unknown[] = [];
    const engine = new RuleEngine({ rules: compileRules(composite), onOutput: (e) => out.push(e.user_id) });
    for (const e of [ev('A', 1, 'u', { shop: 's' }), ev('B', 2, 'u', { shop: 's', till: '' }), ev('A', 3, 'u', { shop: 's', till: 1 }), ev('B', 4, 'u', { shop: 's', till: '1' })])
      engine.push(e);
    engine.flush();
    expect(out).toEqual(['["s",1]']);
    expect(engine.stats.unkeyed).toBe(1);
  });
});

describe('conditions that mention a negated variable', () => {
  const rule = (where: string) => `RULENAME "unpaid"\no: ORDER\nx: PAY\np: SHIP\nEVENT o -> !x -> p\nWHERE ${where}\nWITHIN 1 HOUR`;
  const ev = (event_code: string, s: number, order: string): StandardEvent => ({ event_code, event_time: s * 1000, user_id: 'u', extra_info: { order } });
  const outputs = (text: string, events: StandardEvent[]) => {
    const out: string[] = [];
    const engine = new RuleEngine({ rules: compileRules(text), onOutput: (e) => out.push(String(e.event_time / 1000)) });
    for (const e of events) engine.push(e);
    engine.flush();
    return out;
  };

  it('are the negation’s condition: a payment of another order does not count', () => {
    const text = rule('x.extra_info.order = o.extra_info.order AND p.extra_info.order = o.extra_info.order');
    // order 1 is shipped after a payment of order 2 only: fires; order 3 is paid before shipping: does not
    expect(outputs(text, [ev('ORDER', 1, '1'), ev('PAY', 2, '2'), ev('SHIP', 3, '1')])).toEqual(['3']);
    expect(outputs(text, [ev('ORDER', 1, '3'), ev('PAY', 2, '3'), ev('SHIP', 3, '3')])).toEqual([]);
  });

  it('are rejected, with the reason, when they compare the negated variable with a later one', () => {
    const e = errorOf(rule('p.extra_info.order = x.extra_info.order'));
    expect(e.message).toContain("the negated variable 'x' is compared with 'p', which comes after it");
    expect(e.message).toContain('could never fire');
    expect(e.hint).toContain('o.field = x.field');
    expect([e.span.line, e.span.column]).toEqual([6, 28]);
  });

  it('are rejected in RETURN, where the negated variable is always NULL', () => {
    const e = errorOf(`${rule('x.extra_info.order = o.extra_info.order')}\nRETURN paid=x.extra_info.order`);
    expect(e.message).toContain("RETURN reads the negated variable 'x'");
  });
});

describe('every error of a file, each with its place', () => {
  it('reports each rule’s first error, syntax and compile errors alike, in file order', () => {
    const text = [
      'RULENAME "one"\na: A\nEVENT a -> zz', // unknown variable (compile)
      'RULENAME "two"\na: A\nEVENT a\nWERE a.v = 1', // mistyped clause (syntax)
      'RULENAME "fine"\na: A\nEVENT a',
      'RULENAME "three"\na: A\nb: B\nEVENT a -> b\nWITHIN 0 SECONDS', // empty window (syntax)
    ].join('\n\n');
    let caught: unknown;
    try {
      compileRules(text, 'many.cep');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(RuleErrors);
    const errors = (caught as RuleErrors).errors;
    expect(errors.map((e) => [e.rule, e.span.line])).toEqual([
      ['one', 3],
      ['two', 8],
      ['three', 18],
    ]);
    const formatted = (caught as RuleErrors).format();
    expect(formatted).toContain('many.cep:3:');
    expect(formatted).toContain('many.cep:8:1');
    expect(formatted).toContain('many.cep:18:8');
    expect(formatted.trimEnd().endsWith('3 errors')).toBe(true);
  });

  it('places a cycle of rules at the declaration that closes it', () => {
    const text = 'RULENAME "p"\nq: q\nEVENT q\n\nRULENAME "q"\nx: X\np: p\nEVENT x -> p';
    let caught: unknown;
    try {
      new RuleEngine({ rules: compileRules(text, 'cycle.cep'), onOutput: () => {} });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(RuleError);
    const e = caught as RuleError;
    expect(e.message).toMatch(/cycle: (p -> q -> p|q -> p -> q)/);
    expect(e.format()).toMatch(/cycle\.cep:(2:1|7:1)/);
  });
});
