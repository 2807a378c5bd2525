import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/main.ts';
import type { RuleTrace } from '../src/trace.ts';

const dir = mkdtempSync(join(tmpdir(), 'cepheus-trace-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const ev = (event_code: string, s: number, user_id: string, extra_info: Record<string, unknown> = {}) => JSON.stringify({ event_code, event_time: s * 1000, user_id, extra_info });

let stdout = '';
beforeEach(() => {
  stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => vi.restoreAllMocks());

const RULES = `RULENAME "search_click"
s: SEARCH
c: CLICK
EVENT s , c
WHERE c.extra_info.pos < 3
WITHIN 1 MINUTE

RULENAME "unpaid"
o: ORDER
x: PAY
p: SHIP
EVENT o -> !x -> p
WHERE x.extra_info.order = o.extra_info.order AND p.extra_info.order = o.extra_info.order
WITHIN 1 HOUR

RULENAME "three_views"
v: VIEW
EVENT v{3}
WITHIN 10 SECONDS
`;
const EVENTS = [
  ev('SEARCH', 1, 'u1'),
  ev('PAGE_SCROLL', 2, 'u1'),
  ev('CLICK', 3, 'u1', { pos: 1 }),
  ev('SEARCH', 4, 'u1'),
  ev('CLICK', 5, 'u1', { pos: 7 }),
  ev('ORDER', 6, 'u2', { order: '1' }),
  ev('PAY', 7, 'u2', { order: '1' }),
  ev('SHIP', 8, 'u2', { order: '1' }),
  ev('VIEW', 10, 'u3'),
  ev('VIEW', 30, 'u3'),
  ev('VIEW', 31, 'u3'),
  ev('VIEW', 32, 'u3'),
].join('\n');

async function traceJson(...extra: string[]): Promise<RuleTrace[]> {
  expect(await main(['trace', file('rules.cep', RULES), '--input', file('events.jsonl', EVENTS), '--json', ...extra])).toBe(0);
  return JSON.parse(stdout).rules;
}

const stepsOf = (t: RuleTrace[], rule: string, key: string) => t.find((r) => r.rule === rule)!.keys.find((k) => k.key === key)!.steps;

describe('cepheus trace', () => {
  it('says that strict contiguity was broken, by which event, and which condition failed on what values', async () => {
    const steps = stepsOf(await traceJson('--rule', 'search_click'), 'search_click', 'u1');
    expect(steps[0]).toMatchObject({ at: 'line 1', fates: [{ fate: 'started', variable: 's' }] });
    expect(steps[1]).toMatchObject({ at: 'line 2', fates: [{ run: { s: ['line 1'] }, fate: 'ended', why: expect.stringContaining("strict contiguity (',') broken") }] });
    expect(steps[1].fates[0].conditions).toEqual([{ condition: 'c: event_code IN (CLICK)', holds: false, values: { event_code: 'PAGE_SCROLL' } }]);
    expect(steps[4].fates[0]).toMatchObject({ run: { s: ['line 4'] }, fate: 'ended' });
    expect(steps[4].fates[0].conditions).toContainEqual({ condition: 'c: c.extra_info.pos < 3', holds: false, values: { 'c.extra_info.pos': 7 } });
  });

  it('says that a negation saw its event', async () => {
    const steps = stepsOf(await traceJson('--rule', 'unpaid'), 'unpaid', '1');
    expect(steps[1]).toMatchObject({ at: 'line 7', fates: [{ run: { o: ['line 6'] }, fate: 'ended', why: "the negation 'x' saw its event" }] });
  });

  it('says when a window passed, and shows the matches', async () => {
    const steps = stepsOf(await traceJson('--rule', 'three_views'), 'three_views', 'u3');
    const timedOut = steps.find((s) => s.fates.some((f) => f.fate === 'timed out'))!;
    expect(timedOut.at).toBe('before line 10');
    expect(timedOut.fates[0]).toMatchObject({ run: { v: ['line 9'] }, at: 20_000 });
    const matched = steps.find((s) => s.matches.length > 0)!;
    expect(matched.matches).toEqual([{ v: ['line 10', 'line 11', 'line 12'] }]);
  });

  it('says which partial matches the after-match strategy pruned', async () => {
    const rules = 'RULENAME "two"\na: A\nb: B\nEVENT a -> b\nWITHIN 1 MINUTE';
    const events = [ev('A', 1, 'u'), ev('A', 2, 'u'), ev('B', 3, 'u')].join('\n');
    expect(await main(['trace', file('two.cep', rules), '--input', file('two.jsonl', events), '--json'])).toBe(0);
    const step = JSON.parse(stdout).rules[0].keys[0].steps[2];
    expect(step.matches).toEqual([{ a: ['line 1'], b: ['line 3'] }]);
    expect(step.fates).toContainEqual(
      expect.objectContaining({
        run: { a: ['line 2'] },
        fate: 'ended',
        variable: 'b',
        why: expect.stringMatching(/^took the event as b, then was pruned by the after-match strategy \(skipPastLastEvent\(\)\)/),
      }),
    );
  });

  it('traces one key with --key, and writes a readable form by default', async () => {
    expect(new Set((await traceJson('--key', 'u3')).flatMap((t) => t.keys.map((k) => k.key)))).toEqual(new Set(['u3']));
    stdout = '';
    expect(await main(['trace', join(dir, 'rules.cep'), '--input', join(dir, 'events.jsonl'), '--rule', 'search_click', '--key', 'u1'])).toBe(0);
    expect(stdout).toContain('rule search_click: 0 matches');
    expect(stdout).toContain("{s: line 1} ended: strict contiguity (',') broken: this event is not c");
    expect(stdout).toContain('fails: c: c.extra_info.pos < 3  {"c.extra_info.pos":7}');
    expect(stdout).toContain('line 1 SEARCH at 1970-01-01T00:00:01.000Z');
  });

  it('finds as many matches as cepheus run has outputs, on every bundled example', async () => {
    const examples = fileURLToPath(new URL('../../../examples', import.meta.url));
    for (const name of readdirSync(examples, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      const d = join(examples, name.name);
      stdout = '';
      expect(await main(['run', join(d, 'rules.cep'), '--input', join(d, 'events.jsonl')])).toBe(0);
      const outputs = stdout.split('\n').filter(Boolean).length;
      stdout = '';
      expect(await main(['trace', join(d, 'rules.cep'), '--input', join(d, 'events.jsonl'), '--json'])).toBe(0);
      const traced = (JSON.parse(stdout).rules as RuleTrace[]).reduce((n, t) => n + t.matches, 0);
      expect([name.name, traced]).toEqual([name.name, outputs]);
    }
  });
});
