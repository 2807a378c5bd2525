/**
 * W3 analysis: the benchmark's loop (advanceTime then process, per event and rule) over some of the
 * 20 rules, each compiled once, 20,001 rounds; prints the median. `npx tsx bench/w3-subset.ts 3 7 11`
 * (rule numbers; none: all 20). Used for side-by-side comparisons: bundle two versions with esbuild
 * and run them alternately.
 */
import { compile } from '../packages/core/src/index.ts';
import { w3 } from './inputs.ts';
import { pushThrough, w3Pattern, w3Rules as rules } from './w3-loop.ts';

type Ev = { user: number; code: string; ts: number };
const events = [...w3()] as Ev[];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const picked = process.argv.length > 2 ? process.argv.slice(2).map(Number) : rules.map((_, i) => i);
const nfas = picked.map((i) => compile(w3Pattern<Ev>(rules[i])));
const times: number[] = [];
let matches = 0;
for (let r = 0; r < 20001; r++) {
  const states = nfas.map((n) => n.createState());
  const t0 = performance.now();
  matches = pushThrough(nfas, states, events);
  times.push(performance.now() - t0);
}
console.log(`rules ${picked.map((i) => rules[i].name).join(' ')}: ${(median(times) * 1000).toFixed(1)} us (median of 20,001), ${matches} matches`);
