/**
 * W3 analysis: each of the 20 rules alone, through the runtime `compile` picks for it (median ms for
 * the 200 events, matches, runtime). `npx tsx bench/w3-per-rule.ts [data|in|and|function]`
 */
import { compile } from '../packages/core/src/index.ts';
import { ChainNFA, PathNFA } from '../packages/core/src/internal.ts';
import { w3 } from './inputs.ts';
import { pushThrough, w3Pattern, w3Rules as rules, type W3Form } from './w3-loop.ts';

type Ev = { user: number; code: string; ts: number };
const events = [...w3()] as Ev[];
const form = (process.argv[2] ?? 'data') as W3Form;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
let total = 0;
for (const rule of rules) {
  const times: number[] = [];
  let matches = 0;
  let runtime = '';
  for (let r = 0; r < 301; r++) {
    const nfa = compile(w3Pattern<Ev>(rule, form));
    runtime = nfa instanceof ChainNFA ? 'chain' : nfa instanceof PathNFA ? 'path' : 'shared-buffer NFA';
    const s = nfa.createState();
    const t0 = performance.now();
    matches = pushThrough([nfa], [s], events);
    times.push(performance.now() - t0);
  }
  const ms = median(times);
  total += ms;
  console.log(`${rule.name.padEnd(4)} ${ms.toFixed(3)} ms  ${String(matches).padStart(3)} matches  ${runtime}`);
}
console.log(`sum of medians ${total.toFixed(3)} ms`);
