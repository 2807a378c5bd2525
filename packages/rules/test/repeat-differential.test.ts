import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CepOperator } from '@cepheus/core';
import { compileRules, repeatAsPattern, RuleEngine, type PartitionKey, type StandardEvent } from '../src/index.ts';

/** REPEAT rules whose HAVING can only become true as the window grows (see repeatAsPattern). */
const repeatRule = fc
  .record({
    min: fc.integer({ min: 1, max: 4 }),
    within: fc.integer({ min: 1, max: 20 }),
    having: fc.constantFrom(
      '',
      'HAVING COUNT(v) >= 3',
      'HAVING DISTINCT(v.extra_info.to) > 1',
      'HAVING DISTINCT(v.extra_info.to) >= 3',
      'HAVING SUM(v.extra_info.amount) > 6',
      'HAVING SUM(v.extra_info.amount) >= 4 AND DISTINCT(v.extra_info.to) >= 2',
    ),
    where: fc.constantFrom('', 'WHERE v.extra_info.amount >= 1', "WHERE v.extra_info.to != 'x'"),
  })
  .map(
    ({ min, within, having, where }) =>
      `RULENAME "rep"\nv: SEND\nEVENT v\n${where}\nREPEAT ${min}+ SAME v.user_id ${having}\nWITHIN ${within} MILLISECONDS\nRETURN n=COUNT(v), to=DISTINCT(v.extra_info.to), total=SUM(v.extra_info.amount)`,
  );

const events = fc
  .array(
    fc.record({
      user: fc.constantFrom('u1', 'u2', 'u3'),
      code: fc.constantFrom('SEND', 'SEND', 'SEND', 'OTHER'),
      to: fc.constantFrom('x', 'y', 'z', 'w'),
      amount: fc.integer({ min: 0, max: 4 }),
      gap: fc.integer({ min: 0, max: 3 }),
    }),
    { maxLength: 80 },
  )
  .map((xs) => {
    let t = 0;
    return xs.map((x): StandardEvent => ({ event_code: x.code, event_time: (t += x.gap), user_id: x.user, extra_info: { to: x.to, amount: x.amount } }));
  });

describe('REPEAT: the windowed aggregation fast path and the NFA path agree', () => {
  it('gives identical outputs on random inputs for random rules', () => {
    fc.assert(
      fc.property(repeatRule, events, (text, evs) => {
        const rule = compileRules(text)[0];
        const fast: StandardEvent[] = [];
        const engine = new RuleEngine({ rules: [rule], onOutput: (e) => fast.push(e) });
        for (const e of evs) engine.push(e);
        engine.flush();

        const spec = rule.repeat!;
        const nfa: StandardEvent[] = [];
        const op = new CepOperator<StandardEvent, PartitionKey>({
          patterns: { rep: repeatAsPattern(spec) },
          key: (e) => rule.key(e) ?? '', // the generated events always have the key
          timestamp: (e) => e.event_time,
          onMatch: ({ match, key }) => nfa.push(rule.output(new Map([[spec.variable, [...(match.get('v') ?? []), ...(match.get('last') ?? [])]]]), key)),
        });
        for (const e of evs) if (e.event_code === 'SEND' && spec.accepts(e)) op.processElement(e);
        op.flush();
        expect(fast).toEqual(nfa);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 400) },
    );
  });
});
