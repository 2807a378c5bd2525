import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRules, loadRulesJson, normalizeEvent, parseRules, RuleEngine, rulesToJson, type CompiledRule, type StandardEvent } from '../src/index.ts';

const examples = fileURLToPath(new URL('../../../examples', import.meta.url));
const dirs = readdirSync(examples, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

function run(rules: CompiledRule[], events: StandardEvent[]): StandardEvent[] {
  const out: StandardEvent[] = [];
  const engine = new RuleEngine({ rules, onOutput: (e) => out.push(e) });
  for (const e of events) engine.push(e);
  engine.flush();
  return out;
}

/** DSL -> JSON text -> rules, as a browser would receive them. */
const viaJson = (text: string) => loadRulesJson(JSON.stringify(rulesToJson(parseRules(text))));

describe('rules as data', () => {
  it.each(dirs)('%s: DSL -> JSON -> engine matches DSL -> engine', (name) => {
    const text = readFileSync(join(examples, name, 'rules.cep'), 'utf8');
    const events = readFileSync(join(examples, name, 'events.jsonl'), 'utf8')
      .split('\n')
      .flatMap((l) => {
        try {
          return [normalizeEvent(JSON.parse(l))];
        } catch {
          return [];
        }
      });
    const direct = compileRules(text);
    const loaded = viaJson(text);
    expect(loaded.map((r) => [r.name, r.kind, r.keyDescription, r.skip, r.patternText])).toEqual(direct.map((r) => [r.name, r.kind, r.keyDescription, r.skip, r.patternText]));
    const out = run(loaded, events);
    expect(out.length).toBeGreaterThan(0);
    expect(out).toEqual(run(direct, events));
  });

  it('round-trips random sequence rules with the same outputs', () => {
    const variable = fc.constantFrom('a', 'b', 'c');
    const rule = fc
      .record({
        seq: fc.array(fc.record({ v: variable, link: fc.constantFrom('->', '->>', ','), neg: fc.boolean(), q: fc.constantFrom('', '', '+', '?', '{2}', '{1,2}', '{2,}') }), {
          minLength: 1,
          maxLength: 3,
        }),
        where: fc.constantFrom('', 'WHERE a.extra_info.n > 1', "WHERE b.extra_info.n >= a.extra_info.n AND c.extra_info.tag IN ('x', 'y')"),
        skip: fc.constantFrom('', 'AFTER MATCH NO SKIP', 'AFTER MATCH SKIP TO NEXT'),
        within: fc.integer({ min: 1, max: 8 }),
      })
      .map(({ seq, where, skip, within }) => {
        const used = [...new Set(seq.map((s) => s.v))];
        const body = seq
          .map((s, i) => `${i === 0 ? '' : ` ${s.link} `}${i > 0 && s.neg && s.link !== '->>' ? '!' : ''}${s.v}${i > 0 && s.neg && s.link !== '->>' ? '' : s.q}`)
          .join('');
        const w = where.replace(/\b([abc])\./g, (m, v) => (used.includes(v) ? m : 'a.'));
        return `RULENAME "r"\n${used.map((v) => `${v}: ${v.toUpperCase()}`).join('\n')}\nEVENT ${body}\n${used.includes('a') ? w : ''}\n${skip}\nWITHIN ${within} MILLISECONDS\nRETURN n=${used[0]}.extra_info.n`;
      });
    const events = fc
      .array(fc.record({ code: fc.constantFrom('A', 'B', 'C'), n: fc.integer({ min: 0, max: 3 }), tag: fc.constantFrom('x', 'z'), gap: fc.integer({ min: 0, max: 2 }) }), {
        maxLength: 30,
      })
      .map((xs) => {
        let t = 0;
        return xs.map((x): StandardEvent => ({ event_code: x.code, event_time: (t += x.gap), user_id: 'u', extra_info: { n: x.n, tag: x.tag } }));
      });
    let compared = 0;
    fc.assert(
      fc.property(rule, events, (text, evs) => {
        let direct: CompiledRule[];
        try {
          direct = compileRules(text);
        } catch {
          return; // an invalid combination (e.g. a quantified negation): nothing to round-trip
        }
        compared++;
        expect(run(viaJson(text), evs)).toEqual(run(direct, evs));
      }),
      { numRuns: 400 },
    );
    expect(compared).toBeGreaterThan(100);
  });

  it('rejects documents of another format, version or shape with the path of the problem', () => {
    const doc = rulesToJson(parseRules('RULENAME "r"\na: A\nEVENT a\nWHERE a.x = 1'));
    expect(() => loadRulesJson({ ...doc, version: 2 })).toThrow(/unsupported rules document version 2/);
    expect(() => loadRulesJson({ rules: [] })).toThrow(/not a Cepheus rules document/);
    const bad = JSON.parse(JSON.stringify(doc));
    bad.rules[0].nodes[0].condition.expression = { kind: 'call', fn: 'EVAL', arg: { kind: 'literal', value: 'process.exit()' } };
    expect(() => loadRulesJson(bad)).toThrow(/rules\[0\]\.nodes\[0\]\.condition\.expression: not a valid expression node/);
  });
});
