/**
 * Runs one workload from ../shared/bench/WORKLOADS.md through the core API and prints the medians
 * and the machine-readable BENCH line. Invoked by bench/run.ts, one process per workload, so that
 * peak RSS belongs to that workload alone.
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CepOperator, compile, field, Pattern, type KeyState, type Matcher } from '../packages/core/src/index.ts';
import { w1, w2, w3 } from './inputs.ts';
import { compileRules, RuleEngine, type StandardEvent } from '../packages/rules/src/index.ts';
import { pushThrough, w3Pattern, w3Rules, type W3Form } from './w3-loop.ts';
import { w2HandLoop } from './baselines/w2-hand-loop.mjs';

type Ev = { user: number; code: string; ts: number };
const CODES = 'ABCDEFGHIJ';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const log = (s: string) => process.stderr.write(s + '\n');

/** W1's input, kept compact (the event objects are created as they are fed, as from a source). */
function compactInput(n: number, gen: Iterable<Ev>) {
  const users = new Int32Array(n);
  const codes = new Uint8Array(n);
  let i = 0;
  for (const e of gen) {
    users[i] = e.user;
    codes[i++] = CODES.indexOf(e.code);
  }
  return { users, codes };
}

const abc = (within: number) =>
  Pattern.begin<Ev>('a').where(field('code').eq('A')).followedBy('b').where(field('code').eq('B')).followedBy('c').where(field('code').eq('C')).within(within);

/** The heap in use after a full collection when the process has --expose-gc (bench/run.ts gives it), else as it is. */
function liveHeap(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

function runKeyed(input: { users: Int32Array; codes: Uint8Array }, pattern: Pattern<Ev>, sampleHeap = false): { ms: number; matches: number; heapMb: number } {
  let matches = 0;
  const op = new CepOperator<Ev, number>({
    patterns: { w: pattern },
    key: (e) => e.user,
    timestamp: (e) => e.ts,
    outOfOrdernessMs: 0,
    onMatch: () => matches++,
  });
  const { users, codes } = input;
  const n = users.length;
  let heap = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    op.processElement({ user: users[i], code: CODES[codes[i]], ts: i });
    if (sampleHeap && (i & 16383) === 0) heap = Math.max(heap, liveHeap());
  }
  op.flush();
  return { ms: performance.now() - t0, matches, heapMb: Math.round(heap / 1e5) / 10 };
}

function w1Bench(runs: number) {
  const input = compactInput(5_000_000, w1());
  const rates: number[] = [];
  let matches = 0;
  for (let r = 0; r < runs; r++) {
    const res = runKeyed(input, abc(600000));
    matches = res.matches;
    rates.push(input.users.length / (res.ms / 1000));
    log(`  run ${r + 1}/${runs}: ${(rates[r] / 1e6).toFixed(2)} M events/s, ${res.matches} matches`);
  }
  return { workload: 'W1', events_per_s: Math.round(median(rates)), matches, rss_mb: peakRssMb() };
}

function w4Bench(runs: number) {
  const pattern = () =>
    Pattern.begin<Ev>('a').where(field('code').eq('A')).followedByAny('b').where(field('code').eq('B')).oneOrMore().followedBy('c').where(field('code').eq('C')).within(50);
  const sizes = [50_000, 100_000, 200_000];
  const inputs = new Map(sizes.map((n) => [n, compactInput(n, w1(n, 1))]));
  const rates = new Map<number, number[]>(sizes.map((n) => [n, []]));
  const perSize: Record<number, number> = {};
  let matches = 0;
  runKeyed(inputs.get(50_000)!, pattern()); // warm-up, so the first size is not measured cold
  // sizes interleaved in every round, so drift on a shared machine affects them alike
  for (let r = 0; r < runs; r++) {
    for (const n of sizes) {
      const res = runKeyed(inputs.get(n)!, pattern());
      rates.get(n)!.push(n / (res.ms / 1000));
      if (n === 200_000) matches = res.matches;
    }
  }
  const heapAt: Record<number, number> = {};
  for (const n of sizes) {
    perSize[n] = Math.round(median(rates.get(n)!));
    heapAt[n] = runKeyed(inputs.get(n)!, pattern(), true).heapMb; // separate run: sampling would skew the timing
    log(
      `  ${n} events: ${(perSize[n] / 1e6).toFixed(3)} M events/s (median of ${runs}), live JS heap at most ${heapAt[n]} MB (after a collection every 16,384 events${typeof (globalThis as { gc?: unknown }).gc === 'function' ? '' : ': not available without --expose-gc, so garbage counts too'})`,
    );
  }
  log(`  ${matches} matches at 200000 events, peak RSS ${peakRssMb()} MB`);
  const flat = perSize[200_000] / perSize[50_000];
  log(`  throughput 200k/50k = ${flat.toFixed(2)} (flat within 20% means 0.80..1.20)`);
  return {
    workload: 'W4',
    events_per_s: perSize[200_000],
    matches,
    rss_mb: peakRssMb(),
    events_per_s_50k: perSize[50_000],
    events_per_s_100k: perSize[100_000],
    flatness: Number(flat.toFixed(3)),
    heap_mb_50k: heapAt[50_000],
    heap_mb_200k: heapAt[200_000],
  };
}

/** W3 with its conditions in the given form (see W3Form); the workload's name says which. */
function w3Bench(runs: number, form: W3Form, workload: string) {
  const rules = w3Rules;
  const events: Ev[] = [...w3()];
  const build = (rule: { pattern: string }) => w3Pattern<Ev>(rule, form);
  const compileTimes: number[] = [];
  const processTimes: number[] = [];
  let matches = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    // compile picks each rule's runtime (chain or general NFA), as the operator does
    const nfas: Matcher<Ev, KeyState>[] = rules.map((rule) => compile(build(rule)));
    const t1 = performance.now();
    const states = nfas.map((n) => n.createState());
    const t2 = performance.now();
    const count = pushThrough(nfas, states, events);
    const t3 = performance.now();
    compileTimes.push(t1 - t0);
    processTimes.push(t3 - t2);
    matches = count;
  }
  const compile_ms = Number(median(compileTimes).toFixed(3));
  const process_ms = Number(median(processTimes).toFixed(3));
  log(`  20 rules: compile ${compile_ms} ms, 200 events x 20 rules ${process_ms} ms (medians of ${runs}), ${matches} matches`);
  return { workload, events_per_s: Math.round((events.length / process_ms) * 1000), matches, rss_mb: peakRssMb(), compile_ms, process_ms };
}

const W2_RULE = `RULENAME: "mass_messaging"
e1: S_SEND_MSG
EVENT e1
REPEAT 100+ SAME e1.user_id HAVING DISTINCT(e1.extra_info.to_user) > 100
WITHIN 10 MINUTE
RETURN userId=e1.user_id`;

function w2Bench(runs: number) {
  const events = [...w2()] as StandardEvent[];
  const rates: number[] = [];
  let matches = 0;
  const handRates: number[] = [];
  // The two alternate in one heap, so each pass pays for part of the other's garbage (the hand
  // loop drops a Map per window, the engine reuses its tables). BENCH_W2_COLLECT=1 collects before
  // each pass instead (with --expose-gc, which bench/run.ts gives): each pass then runs on a clean
  // heap and the garbage it leaves is collected outside the timed region, which is the compute alone.
  const collect = process.env.BENCH_W2_COLLECT === '1' ? () => (globalThis as { gc?: () => void }).gc?.() : () => {};
  for (let r = 0; r < runs; r++) {
    let outputs = 0;
    const engine = new RuleEngine({ rules: compileRules(W2_RULE), onOutput: () => outputs++ });
    collect();
    let t0 = performance.now();
    for (let i = 0; i < events.length; i++) engine.push(events[i]);
    engine.flush();
    const ms = performance.now() - t0;
    matches = outputs;
    rates.push(events.length / (ms / 1000));
    // the hand-written single-purpose loop, alternating with the engine in the same process
    collect();
    t0 = performance.now();
    const handMatches = w2HandLoop(events);
    handRates.push(events.length / ((performance.now() - t0) / 1000));
    log(`  run ${r + 1}/${runs}: ${(rates[r] / 1e6).toFixed(2)} M events/s, ${outputs} matches; hand loop ${(handRates[r] / 1e6).toFixed(2)} M events/s, ${handMatches} matches`);
  }
  const rate = median(rates);
  const hand = median(handRates);
  return {
    workload: 'W2',
    events_per_s: Math.round(rate),
    matches,
    rss_mb: peakRssMb(),
    hand_loop_events_per_s: Math.round(hand),
    ratio_to_hand_loop: Number((rate / hand).toFixed(3)),
  };
}

/** R1000: compiling 1,000 distinct rules (DSL text to runnable patterns, NFA compilation included). */
function r1000Bench(runs: number) {
  const texts: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const c = (k: number) => `C${(i + k) % 50}`;
    texts.push(
      i % 2 === 0
        ? `RULENAME: "seq_${i}"\na: ${c(0)}\nb: ${c(1)} | ${c(2)}\nn: ${c(4)}\nc: ${c(3)}\nEVENT a -> b{1,3} -> !n -> c\nWHERE b.extra_info.item = a.extra_info.item AND a.extra_info.price > ${i}\nWITHIN ${1 + (i % 30)} MINUTES\nRETURN item=a.extra_info.item, n=COUNT(b)`
        : `RULENAME: "rep_${i}"\ne: ${c(0)}\nEVENT e\nREPEAT ${1 + (i % 9)}+ SAME e.user_id HAVING DISTINCT(e.extra_info.to) > ${i % 7}\nWITHIN ${1 + (i % 5)} HOURS\nRETURN n=COUNT(e)`,
    );
  }
  const all = texts.join('\n\n');
  const times: number[] = [];
  let rules = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    rules = compileRules(all).length;
    times.push(performance.now() - t0);
  }
  const compile_ms = Number(median(times).toFixed(1));
  log(`  ${rules} rules (half sequences with quantifier, negation and iterative conditions, half REPEAT): ${compile_ms} ms to parse and compile (median of ${runs})`);
  return { workload: 'R1000', events_per_s: 0, matches: 0, rss_mb: peakRssMb(), compile_ms, rules };
}

/** W5: `cepheus run` on W1 as JSONL, file to file, against split + JSON.parse of the same file. */
async function w5Bench(runs: number) {
  const { main } = await import('../packages/cli/src/main.ts');
  const dir = mkdtempSync(join(tmpdir(), 'cepheus-w5-'));
  const input = join(dir, 'w1.jsonl');
  const rule = join(dir, 'w1.cep');
  writeFileSync(rule, 'RULENAME "w1"\na: A\nb: B\nc: C\nEVENT a -> b -> c\nWITHIN 600000 MILLISECONDS\nAFTER MATCH NO SKIP\n');
  await new Promise<void>((resolve) => {
    const out = createWriteStream(input);
    let buf: string[] = [];
    for (const e of w1()) {
      buf.push(JSON.stringify(e));
      if (buf.length === 10000) {
        out.write(buf.join('\n') + '\n');
        buf = [];
      }
    }
    out.end(buf.length > 0 ? buf.join('\n') + '\n' : '', () => resolve());
  });
  const parseRates: number[] = [];
  const runRates: number[] = [];
  let matches = 0;
  for (let r = 0; r < runs; r++) {
    // the reference: read, split and JSON.parse every line, in this process
    let t0 = performance.now();
    let n = 0;
    let rest = '';
    for await (const chunk of createReadStream(input, { highWaterMark: 1 << 20, encoding: 'utf8' })) {
      const text = rest + chunk;
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        if (nl > start) {
          JSON.parse(text.slice(start, nl));
          n++;
        }
        start = nl + 1;
      }
      rest = text.slice(start);
    }
    parseRates.push(n / ((performance.now() - t0) / 1000));
    const output = join(dir, 'out.jsonl');
    t0 = performance.now();
    const code = await main(['run', rule, '--input', input, '--output', output, '--fields', 'event_code=code,event_time=ts,user_id=user']);
    runRates.push(n / ((performance.now() - t0) / 1000));
    matches = readFileSync(output, 'utf8').split('\n').filter(Boolean).length;
    log(
      `  round ${r + 1}/${runs}: JSON.parse ${(parseRates[r] / 1e6).toFixed(2)} M lines/s, cepheus run ${(runRates[r] / 1e6).toFixed(2)} M events/s (exit ${code}), ${matches} matches`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
  const parse = median(parseRates);
  const run = median(runRates);
  log(`  ratio run/parse = ${(run / parse).toFixed(2)} (goal >= 0.60)`);
  return { workload: 'W5', events_per_s: Math.round(run), matches, rss_mb: peakRssMb(), json_parse_lines_per_s: Math.round(parse), ratio: Number((run / parse).toFixed(3)) };
}

/** W3's patterns in the rule language (each is a chain of begin / followedBy / notFollowedBy steps on one code). */
export function w3RuleText(): string {
  return w3Rules
    .map((r) => {
      const steps = [...r.pattern.matchAll(/(begin|followedBy|notFollowedBy)\("(\w+)"\)\.where\(e => e\.code === "(\w)"\)(\.times\((\d+)\)|\.oneOrMore\(\))?/g)];
      const within = /within\((\d+)\)/.exec(r.pattern)![1];
      const decls = steps.map((m) => `${m[2]}: ${m[3]}`).join('\n');
      const seq = steps.map((m, i) => `${i === 0 ? '' : ' -> '}${m[1] === 'notFollowedBy' ? '!' : ''}${m[2]}${m[5] ? `{${m[5]}}` : m[4] ? '+' : ''}`).join('');
      return `RULENAME "${r.name}"\n${decls}\nEVENT ${seq}\nWITHIN ${within} MILLISECONDS\nAFTER MATCH NO SKIP\n`;
    })
    .join('\n');
}

/** W3-TRACE: `cepheus trace` (the built command, in a process of its own) over W3's 20 rules and 200 events. */
function w3TraceBench(runs: number) {
  const dir = mkdtempSync(join(tmpdir(), 'cepheus-w3-trace-'));
  const rules = join(dir, 'w3.cep');
  const input = join(dir, 'w3.jsonl');
  writeFileSync(rules, w3RuleText());
  writeFileSync(input, [...w3()].map((e) => JSON.stringify({ event_code: e.code, event_time: e.ts, user_id: e.user, extra_info: {} })).join('\n') + '\n');
  const bin = fileURLToPath(new URL('../packages/cli/bin/cepheus.js', import.meta.url));
  const times: number[] = [];
  let matches = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const res = spawnSync(process.execPath, [bin, 'trace', rules, '--input', input, '--json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
    times.push(performance.now() - t0);
    if (res.status !== 0) throw new Error(`cepheus trace failed: ${res.stderr}`);
    matches = (JSON.parse(res.stdout) as { rules: { matches: number }[] }).rules.reduce((n, t) => n + t.matches, 0);
    log(`  run ${r + 1}/${runs}: ${times[r].toFixed(0)} ms, ${matches} matches`);
  }
  const run = spawnSync(process.execPath, [bin, 'run', rules, '--input', input], { encoding: 'utf8' });
  const outputs = run.stdout.split('\n').filter(Boolean).length;
  log(`  cepheus run gives ${outputs} outputs (the trace's matches must be as many)`);
  rmSync(dir, { recursive: true, force: true });
  const ms = median(times);
  return { workload: 'W3-TRACE', events_per_s: Math.round(4000 / (ms / 1000)), matches, rss_mb: peakRssMb(), trace_ms: Math.round(ms), run_outputs: outputs };
}

const which = (process.argv[2] ?? '').toUpperCase();
const runs = Number(process.env.BENCH_RUNS ?? 0);
const result =
  which === 'SOAK'
    ? await (await import('./soak.ts')).soakBench(Number(process.env.SOAK_SECONDS ?? 120))
    : which === 'RECOVERY'
      ? await (await import('./recovery.ts')).recoveryBench(Number(process.env.RECOVERY_EVENTS ?? 5_000_000), Number(process.env.RECOVERY_CHECKPOINT_EVERY ?? 1_000_000))
      : which === 'S1'
        ? await (await import('./s1.ts')).s1Bench(Number(process.env.S1_EVENTS ?? 5_000_000))
        : which === 'W5'
          ? await w5Bench(runs || 5)
          : which === 'W3-TRACE'
            ? w3TraceBench(runs || 5)
            : which === 'R1000'
              ? r1000Bench(runs || 7)
              : which === 'W1'
                ? w1Bench(runs || 5)
                : which === 'W2'
                  ? w2Bench(runs || 5)
                  : which === 'W3'
                    ? w3Bench(runs || 501, 'data', 'W3')
                    : which === 'W3-IN'
                      ? w3Bench(runs || 501, 'in', 'W3-IN')
                      : which === 'W3-AND'
                        ? w3Bench(runs || 501, 'and', 'W3-AND')
                        : which === 'W3-FN'
                          ? w3Bench(runs || 501, 'function', 'W3-FN')
                          : which === 'W4'
                            ? w4Bench(runs || 5)
                            : undefined;
if (result === undefined) {
  log(`unknown workload '${which}': use W1, W2, W3, W3-IN, W3-AND, W3-FN, W3-TRACE, W4, W5, R1000, S1 or SOAK`);
  process.exit(2);
}
console.log('BENCH ' + JSON.stringify(result));
