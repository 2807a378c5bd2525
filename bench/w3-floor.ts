/**
 * W3 analysis: the cost of only building the 1,051 matches W3 produces (Map of arrays per match), a
 * floor for any runtime that reports them. `npx tsx bench/w3-floor.ts`
 */
import { readFileSync } from 'node:fs';
import { compile, type Match, type Pattern } from '../packages/core/src/index.ts';
import { buildPattern } from '../conformance/harness.ts';
import { w3 } from '../../shared/bench/gen.mjs';
const rules: { name: string; pattern: string }[] = JSON.parse(readFileSync(new URL('../../shared/bench/w3-rules.json', import.meta.url), 'utf8')).rules;
type Ev = { user: number; code: string; ts: number };
const events = [...w3()] as Ev[];
// collect every match's shape once
const shapes: [string, number[]][][] = []; // per match: [pattern name, event indexes]
for (const rule of rules) {
  const nfa = compile(buildPattern(rule.pattern) as unknown as Pattern<Ev>);
  const st = nfa.createState();
  const out: Match<Ev>[] = [];
  for (const e of events) {
    nfa.advanceTime(st, e.ts, out);
    nfa.process(st, e, e.ts, out);
    for (const m of out) shapes.push([...m].map(([k, v]) => [k, v.map((x) => x.ts / 1000)]));
    out.length = 0;
  }
}
console.log('matches', shapes.length, 'events in matches', shapes.reduce((a, s) => a + s.reduce((b, [, v]) => b + v.length, 0), 0));
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const ts: number[] = [];
let keep: Map<string, Ev[]>[] = [];
for (let r = 0; r < 501; r++) {
  const t0 = performance.now();
  const all: Map<string, Ev[]>[] = [];
  for (const s of shapes) {
    const m = new Map<string, Ev[]>();
    for (const [k, idx] of s) {
      const a: Ev[] = [];
      for (const i of idx) a.push(events[i]);
      m.set(k, a);
    }
    all.push(m);
  }
  ts.push(performance.now() - t0);
  keep = all;
}
console.log('materializing the matches alone: median', med(ts).toFixed(3), 'ms', keep.length);
