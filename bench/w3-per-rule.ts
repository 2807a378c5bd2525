/**
 * W3 analysis: each of the 20 rules alone, through the runtime `compile` picks for it (median ms for
 * the 200 events, matches, runtime). `npx tsx bench/w3-per-rule.ts`
 */
import { readFileSync } from 'node:fs';
import { ChainNFA, compile, PathNFA, type Match, type Pattern } from '../packages/core/src/index.ts';
import { buildPattern } from '../conformance/harness.ts';
import { w3 } from '../../shared/bench/gen.mjs';

type Ev = { user: number; code: string; ts: number };
const rules: { name: string; pattern: string }[] = JSON.parse(readFileSync(new URL('../../shared/bench/w3-rules.json', import.meta.url), 'utf8')).rules;
const events = [...w3()] as Ev[];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
let total = 0;
for (const rule of rules) {
  const times: number[] = [];
  let matches = 0;
  let runtime = '';
  for (let r = 0; r < 301; r++) {
    const nfa = compile(buildPattern(rule.pattern) as unknown as Pattern<Ev>);
    runtime = nfa instanceof ChainNFA ? 'chain' : nfa instanceof PathNFA ? 'path' : 'shared-buffer NFA';
    const s = nfa.createState();
    const out: Match<Ev>[] = [];
    let n = 0;
    const t0 = performance.now();
    for (const e of events) {
      nfa.advanceTime(s, e.ts, out);
      nfa.process(s, e, e.ts, out);
      n += out.length;
      out.length = 0;
    }
    times.push(performance.now() - t0);
    matches = n;
  }
  const ms = median(times);
  total += ms;
  console.log(`${rule.name.padEnd(4)} ${ms.toFixed(3)} ms  ${String(matches).padStart(3)} matches  ${runtime}`);
}
console.log(`sum of medians ${total.toFixed(3)} ms`);
