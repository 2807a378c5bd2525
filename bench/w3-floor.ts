/**
 * W3 analysis: what any runtime that makes W3's matches and asks its conditions what ours ask
 * must spend, measured as the benchmark measures (median of 501 rounds, conditions built afresh
 * each round as buildPattern builds them). `npx tsx bench/w3-floor.ts`
 *
 * - loop: the benchmark's loop (advanceTime then process, per event and rule) over matchers that
 *   do nothing (two classes, as chain and path runtimes are two);
 * - conditions: the condition calls the runtimes make in one round when they cannot read the
 *   conditions (each is wrapped in a recording closure), replayed in the same order on freshly
 *   built conditions. W3's conditions as written are field tests, which the runtimes read instead
 *   of calling (see FieldTest): the last line counts them;
 * - matches: building the 1,051 matches (a Map of arrays each).
 */
import { compile, fieldTestOf, type KeyState, type Match, type Matcher, type Pattern } from '../packages/core/src/index.ts';
import { buildPattern } from '../conformance/harness.ts';
import { w3 } from '../../shared/bench/gen.mjs';
import { pushThrough, w3Rules as rules } from './w3-loop.ts';

type Ev = { user: number; code: string; ts: number };
type Cond = (e: Ev, ctx: unknown) => boolean;
const events = [...w3()] as Ev[];
const indexOf = new Map(events.map((e, i) => [e, i]));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const ROUNDS = 501;

// record the condition calls of one round: rule, condition (order of `where` in the rule), event
const calls: [number, number, number][] = [];
const shapes: [string, number[]][][] = [];
(globalThis as { __rec?: unknown }).__rec = (r: number, k: number, f: Cond): Cond => (e, ctx) => (calls.push([r, k, indexOf.get(e)!]), f(e, ctx));
const recorded = rules.map((rule, r) => {
  let k = 0;
  const text = rule.pattern.replace(/\.where\((e => [^)]*)\)/g, (_, f) => `.where(__rec(${r}, ${k++}, ${f}))`);
  return compile(buildPattern(text) as unknown as Pattern<Ev>);
});
const recordedStates = recorded.map((n) => n.createState());
const out: Match<Ev>[] = [];
for (const e of events) {
  recorded.forEach((nfa, i) => {
    nfa.advanceTime(recordedStates[i], e.ts, out);
    nfa.process(recordedStates[i], e, e.ts, out);
  });
  for (const m of out) shapes.push([...m].map(([k, v]) => [k, v.map((x) => indexOf.get(x)!)]));
  out.length = 0;
}

/** The rules' conditions built afresh, as buildPattern builds them: per rule, in `where` order. */
function freshConditions(): Cond[][] {
  return rules.map((rule) => {
    const found: Cond[] = [];
    const fake: Record<string, unknown> = {};
    for (const m of ['begin', 'followedBy', 'notFollowedBy', 'times', 'oneOrMore', 'within']) fake[m] = () => fake;
    fake.where = (f: Cond) => (found.push(f), fake);
    new Function('Pattern', 'AfterMatchSkipStrategy', `"use strict"; return (${rule.pattern});`)(fake, {});
    return found;
  });
}

function time(round: () => void): number {
  const ts: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    round();
    ts.push(performance.now() - t0);
  }
  return median(ts) * 1000;
}

// matches (timed in a loop of its own: through time()'s shared call it measured up to 1.4 times slower)
let keep: Map<string, Ev[]>[] = [];
const matchTimes: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
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
  matchTimes.push(performance.now() - t0);
  keep = all;
}
const matchUs = median(matchTimes) * 1000;

// loop: matchers that do nothing
class Idle {
  advanceTime(s: KeyState, ts: number): void {
    if (ts < s.deadline) return;
  }
  process(_s: KeyState, _e: Ev, _ts: number, out: Match<Ev>[]): Match<Ev>[] {
    return out;
  }
}
class Idle2 extends Idle {}
const idle = rules.map((_, i) => (i % 4 === 3 ? new Idle2() : new Idle())) as unknown as Matcher<Ev, KeyState>[];
const idleStates = rules.map(() => ({ deadline: Infinity }) as KeyState);
const loopUs = time(() => pushThrough(idle, idleStates, events));

// conditions: the recorded calls on fresh conditions, with a context as the runtimes probe with
const ctx = { consulted: false, getEventsForPattern: () => [], timestamp: () => 0 };
const callEvents = calls.map(([, , e]) => events[e]);
let holds = 0;
const condTimes: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const conds = freshConditions();
  const fns = calls.map(([rule, k]) => conds[rule][k]);
  const t0 = performance.now();
  for (let i = 0; i < fns.length; i++) if (fns[i](callEvents[i], ctx)) holds++;
  condTimes.push(performance.now() - t0);
}
const condUs = median(condTimes) * 1000;

const eventsInMatches = shapes.reduce((a, s) => a + s.reduce((b, [, v]) => b + v.length, 0), 0);
console.log(`loop over idle matchers (4,000 pairs): ${loopUs.toFixed(1)} us`);
console.log(`${calls.length} condition calls, replayed on fresh conditions: ${condUs.toFixed(1)} us (${holds > 0 ? 'some hold' : 'none hold'})`);
console.log(`${keep.length} matches of ${eventsInMatches} events, built: ${matchUs.toFixed(1)} us`);
console.log(`sum: ${(loopUs + condUs + matchUs).toFixed(1)} us, the part of W3's process_ms no runtime of these semantics avoids when it calls the conditions`);
const written = freshConditions().flat();
console.log(`${written.filter((c) => fieldTestOf(c as never) !== undefined).length} of the rules' ${written.length} conditions as written are field tests: read, not called (without the calls: ${(loopUs + matchUs).toFixed(1)} us)`);
