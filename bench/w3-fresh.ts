/**
 * W3 analysis: rounds that build and compile the 20 rules afresh, as the benchmark's do, then time
 * the loop; prints the median and the 10th and 90th percentiles of the loop's time (µs). Used for
 * side-by-side comparisons (bundle two versions with esbuild, run them alternately) and to tell
 * V8's modes apart: a process whose 10th percentile is high too was optimized differently, not
 * disturbed. `npx tsx bench/w3-fresh.ts [ROUNDS]` (default 3,001).
 */
import { compile } from '../packages/core/src/index.ts';
import { w3 } from './inputs.ts';
import { pushThrough, w3Pattern, w3Rules as rules } from './w3-loop.ts';

type Ev = { user: number; code: string; ts: number };
const events = [...w3()] as Ev[];
const rounds = Number(process.argv[2] ?? 3001);
const times: number[] = [];
for (let r = 0; r < rounds; r++) {
  const nfas = rules.map((rule) => compile(w3Pattern<Ev>(rule)));
  const states = nfas.map((n) => n.createState());
  const t0 = performance.now();
  pushThrough(nfas, states, events);
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const at = (q: number) => (times[Math.floor((times.length - 1) * q)] * 1000).toFixed(0);
console.log(`fresh rounds: median ${at(0.5)} us, 10th percentile ${at(0.1)} us, 90th ${at(0.9)} us (${rounds} rounds)`);
